package ipclab.child;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

import ipclab.pipe.Fd;
import ipclab.posix.Posix;

/**
 * Ties every child to its parent's life. The parent holds the only write end of one pipe
 * (close-on-exec, so no child inherits it); each child inherits the read end and blocks on it
 * in a daemon thread. However the parent ends, even by {@code kill -9}, the kernel closes that
 * write end, the child's read returns end of file, and the child halts at once.
 */
final class Lifeline {
    static final String PROPERTY = "ipclab.lifeline";
    private static int readEnd = -1;

    private Lifeline() {}

    /** The read end every child inherits; created on first use. */
    static synchronized int readEnd() throws IOException {
        if (readEnd < 0) {
            int[] fds = Posix.pipe();
            Posix.setCloseOnExec(fds[1]);
            readEnd = fds[0];
            // fds[1] is never closed: it dies with this process, and that is the signal.
        }
        return readEnd;
    }

    /**
     * In a child: halt as soon as the parent is gone.
     *
     * <p>The watcher blocks in a read on a {@link FileChannel}, not a plain stream, so that the
     * child can wake it when it leaves on its own. HotSpot's exit waits up to 300 ms for
     * threads still blocked in a system call; a plain read would make every child take that
     * long to exit. Closing the channel signals the blocked thread out of read(2).
     */
    static void watch() {
        String fd = System.getProperty(PROPERTY);
        if (fd == null) return;
        // Classes, not lambdas: a JVM's first lambda costs milliseconds of bootstrap.
        Watcher watcher = new Watcher(Integer.parseInt(fd));
        Thread thread = new Thread(watcher, "ipclab-lifeline");
        thread.setDaemon(true);
        thread.start();
        Runtime.getRuntime().addShutdownHook(new Thread("ipclab-lifeline-leave") {
            @Override
            public void run() {
                watcher.leave();
            }
        });
    }

    private static final class Watcher implements Runnable {
        private final int fd;
        private FileChannel channel; // opened in the watcher's thread, off the child's main path
        private boolean leaving;

        Watcher(int fd) {
            this.fd = fd;
        }

        @Override
        public void run() {
            try {
                FileChannel ch;
                synchronized (this) {
                    if (leaving) return;
                    ch = channel = new FileInputStream(Fd.of(fd).fileDescriptor()).getChannel();
                }
                ByteBuffer buf = ByteBuffer.allocate(1);
                while (ch.read(buf) >= 0) {
                    buf.clear(); // nothing is ever written; only end of file matters
                }
            } catch (IOException | RuntimeException | LinkageError e) {
                // Closed by leave(), or cannot watch: in the second case leave, rather than risk an orphan.
            }
            synchronized (this) {
                if (leaving) return;
            }
            Runtime.getRuntime().halt(137);
        }

        /** The child is exiting by itself: release the blocked read. */
        void leave() {
            FileChannel ch;
            synchronized (this) {
                leaving = true;
                ch = channel;
            }
            try {
                if (ch != null) ch.close();
            } catch (IOException e) {
                // Exiting anyway.
            }
        }
    }
}
