package ipclab.pipe;

import java.io.IOException;
import java.time.Duration;

import ipclab.language.Messages;

/** A read or write on a pipe waited longer than the descriptor's timeout. */
public final class PipeTimeoutException extends IOException {
    private static final long serialVersionUID = 1L;

    PipeTimeoutException(String call, int fd, Duration timeout) {
        super(Messages.text(call.equals("read") ? "pipe.timeout.read" : "pipe.timeout.write", call, fd, timeout.toMillis()));
    }
}
