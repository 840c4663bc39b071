package ipclab.child;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.lang.reflect.Constructor;

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

    /** In a child: halt as soon as the parent is gone. */
    static void watch() {
        String fd = System.getProperty(PROPERTY);
        if (fd == null) return;
        Thread watcher = new Thread(() -> {
            try (FileInputStream in = new FileInputStream(adopt(Integer.parseInt(fd)))) {
                while (in.read() >= 0) {
                    // Nothing is ever written; only end of file matters.
                }
            } catch (IOException | ReflectiveOperationException e) {
                // Cannot watch: fall through and leave, rather than risk an orphan.
            }
            Runtime.getRuntime().halt(137);
        }, "ipclab-lifeline");
        watcher.setDaemon(true);
        watcher.start();
    }

    private static FileDescriptor adopt(int fd) throws ReflectiveOperationException {
        Constructor<FileDescriptor> c = FileDescriptor.class.getDeclaredConstructor(int.class);
        c.setAccessible(true);
        return c.newInstance(fd);
    }
}
