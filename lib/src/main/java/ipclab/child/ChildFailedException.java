package ipclab.child;

import java.io.IOException;

/** A child process ended badly: a non-zero exit, a signal, or a timeout. */
public class ChildFailedException extends IOException {
    private static final long serialVersionUID = 1L;

    public ChildFailedException(String message) {
        super(message);
    }
}
