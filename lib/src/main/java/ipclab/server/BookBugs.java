package ipclab.server;

import java.io.IOException;
import java.util.Arrays;

import ipclab.pipe.Fd;

/**
 * Small child programs that reproduce the book's server bugs safely, for the notebook. Each
 * loads nothing but the JDK.
 */
public final class BookBugs {
    private BookBugs() {}

    /**
     * The book's storing child: {@code for (i = 0; i < 10; i++) read(fds[0], msgbuf, BUF_SIZE)},
     * then it exits. {@code TenReads FD}: ten reads of at most 30 bytes, then exit.
     */
    public static final class TenReads {
        private TenReads() {}

        public static void main(String[] args) throws IOException {
            byte[] msgbuf = new byte[30];
            try (Fd in = Fd.of(Integer.parseInt(args[0]))) {
                for (int i = 0; i < 10; i++) {
                    if (in.read(msgbuf) < 0) break;
                }
            }
        }
    }

    /**
     * A handler that sends one long line in one write(2): {@code LongLine FD LETTER BYTES}. Two
     * of them on one pipe show that a write longer than PIPE_BUF is not atomic.
     */
    public static final class LongLine {
        private LongLine() {}

        public static void main(String[] args) throws IOException {
            byte[] line = new byte[Integer.parseInt(args[2]) + 1];
            Arrays.fill(line, (byte) args[1].charAt(0));
            line[line.length - 1] = '\n';
            try (Fd out = Fd.of(Integer.parseInt(args[0]))) {
                out.write(line);
            }
        }
    }

    /** A child that exits at once, for the zombie demonstration. */
    public static final class ExitNow {
        private ExitNow() {}

        public static void main(String[] args) {
            // Nothing to do: exiting is the point.
        }
    }
}
