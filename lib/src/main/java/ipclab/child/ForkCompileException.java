package ipclab.child;

import java.io.IOException;

/** The code meant for a child does not compile; the message names the line. */
public final class ForkCompileException extends IOException {
    private static final long serialVersionUID = 1L;

    ForkCompileException(String message) {
        super(message);
    }
}
