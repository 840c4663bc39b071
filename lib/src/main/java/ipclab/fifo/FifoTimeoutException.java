package ipclab.fifo;

import java.io.IOException;
import java.time.Duration;

/** An open(2) of a FIFO waited longer than its bound: no process opened the other end. */
public final class FifoTimeoutException extends IOException {
    private static final long serialVersionUID = 1L;

    FifoTimeoutException(String path, boolean forWriting, Duration limit) {
        super("open(" + path + ", " + (forWriting ? "O_WRONLY" : "O_RDONLY") + ") waited " + Fifo.describe(limit)
                + ": no process opened the FIFO for " + (forWriting ? "reading" : "writing"));
    }
}
