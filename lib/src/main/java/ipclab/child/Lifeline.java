package ipclab.child;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;

import ipclab.pipe.Fd;
import ipclab.posix.Posix;

/**
 * Ties every child to its parent's life. The parent holds the only write end of one pipe
 * (close-on-exec, so no child inherits it); each child inherits the read end. However the parent
 * ends, even by {@code kill -9}, the OS kernel closes that write end, a read then returns end of
 * file, and the child halts at once.
 *
 * <p>The read end is non-blocking ({@code O_NONBLOCK}), and a child reads it every
 * {@link #CHECK_MILLIS} ms from a daemon thread that sleeps in between. A thread blocked in
 * read(2) instead would hold up the child's own exit: HotSpot waits up to 300 ms for threads
 * still in a system call. A channel whose close wakes such a thread costs a child about 2 ms of
 * its start-up; this costs almost nothing, and a child outlives its parent by at most
 * {@link #CHECK_MILLIS} ms.
 */
final class Lifeline {
    static final String PROPERTY = "ipclab.lifeline";
    static final long CHECK_MILLIS = 100;
    private static int readEnd = -1;

    private Lifeline() {}

    /** The read end every child inherits; created on first use. */
    static synchronized int readEnd() throws IOException {
        if (readEnd < 0) {
            int[] fds = Posix.pipe();
            Posix.setCloseOnExec(fds[1]);
            Posix.setNonBlocking(fds[0]); // for every child at once: they share this open file
            readEnd = fds[0];
            // fds[1] is never closed: it dies with this process, and that is the signal.
        }
        return readEnd;
    }

    /** In a child: halt as soon as the parent is gone. */
    static void watch() {
        String fd = System.getProperty(PROPERTY);
        if (fd == null) return;
        // A class, not a lambda: a JVM's first lambda costs milliseconds of bootstrap.
        Thread thread = new Thread(new Watcher(Integer.parseInt(fd)), "ipclab-lifeline");
        thread.setDaemon(true);
        thread.start();
    }

    private static final class Watcher implements Runnable {
        private final int fd;

        Watcher(int fd) {
            this.fd = fd;
        }

        @Override
        public void run() {
            // Without the descriptor, or once watching fails, leave rather than risk an orphan.
            try {
                if (new File("/proc/self/fd/" + fd).exists()) {
                    FileInputStream in = new FileInputStream(Fd.of(fd).fileDescriptor());
                    byte[] one = new byte[1];
                    while (true) {
                        try {
                            if (in.read(one) < 0) break; // end of file: the parent is gone
                        } catch (IOException wouldBlock) {
                            // EAGAIN: the parent still holds the write end.
                        }
                        Thread.sleep(CHECK_MILLIS);
                    }
                }
            } catch (InterruptedException | RuntimeException | LinkageError e) {
                // Fall through to the halt.
            }
            Runtime.getRuntime().halt(137);
        }
    }
}
