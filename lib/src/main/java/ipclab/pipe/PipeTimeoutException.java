package ipclab.pipe;

import java.io.IOException;
import java.time.Duration;

/** A read or write on a pipe waited longer than the descriptor's timeout. */
public final class PipeTimeoutException extends IOException {
    private static final long serialVersionUID = 1L;

    PipeTimeoutException(String call, int fd, Duration timeout) {
        super(call + "(fd " + fd + ") waited " + timeout.toMillis() + " ms: "
                + (call.equals("read")
                        ? "no data arrived and some write end is still open"
                        : "the pipe stayed full because nobody reads it"));
    }
}
