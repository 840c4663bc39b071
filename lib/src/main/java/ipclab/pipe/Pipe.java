package ipclab.pipe;

import java.io.IOException;
import java.io.Serializable;

import ipclab.posix.Posix;

/**
 * A pipe: a one-way byte stream kept in the OS kernel, reached through two descriptors. It
 * belongs to the operating system, not to the process that created it; a child that inherits
 * the descriptors reaches the same pipe.
 *
 * <pre>
 *   writeEnd() ──▶ [ OS kernel buffer, 65,536 bytes ] ──▶ readEnd()
 *    fds[1]                                               fds[0]
 * </pre>
 */
public final class Pipe implements AutoCloseable, Serializable {
    private static final long serialVersionUID = 1L;
    private final Fd readEnd;
    private final Fd writeEnd;
    private final long inode;

    private Pipe(Fd readEnd, Fd writeEnd, long inode) {
        this.readEnd = readEnd;
        this.writeEnd = writeEnd;
        this.inode = inode;
    }

    /** pipe(2): creates a pipe and returns both ends. */
    public static Pipe open() throws IOException {
        int[] fds = Posix.pipe();
        Fd readEnd = Fd.of(fds[0]);
        Pipe pipe = new Pipe(readEnd, Fd.of(fds[1]), inodeOf(readEnd));
        pipe.readEnd.makeWaitsSafe(false);
        pipe.writeEnd.makeWaitsSafe(true);
        Descriptors.remember(pipe.readEnd);
        Descriptors.remember(pipe.writeEnd);
        return pipe;
    }

    /** The exit, {@code fds[0]} in C: reads come out here. */
    public Fd readEnd() {
        return readEnd;
    }

    /** The entrance, {@code fds[1]} in C: writes go in here. */
    public Fd writeEnd() {
        return writeEnd;
    }

    /** Both ends as C's {@code int fds[2]} sees them: {read, write}. */
    public Fd[] fds() {
        return new Fd[] {readEnd, writeEnd};
    }

    /** fcntl(F_GETPIPE_SZ): how many bytes the pipe holds before a write blocks. */
    public int capacity() throws IOException {
        return Posix.pipeCapacity(writeEnd.isOpen() ? writeEnd.number() : readEnd.number());
    }

    /**
     * The pipe's inode number in the OS kernel's pipe file system, as {@code /proc/PID/fd/N}
     * shows it ({@code pipe:[INODE]}) for every descriptor that reaches this pipe, in any process.
     * Read when the pipe was opened, so it is known after {@link #close()} too.
     */
    public long inode() {
        return inode;
    }

    private static long inodeOf(Fd end) throws IOException {
        String target = end.target();
        if (!target.startsWith("pipe:[") || !target.endsWith("]")) throw new IOException(end + " is not a pipe: " + target);
        return Long.parseLong(target.substring("pipe:[".length(), target.length() - 1));
    }

    /** Closes whichever ends are still open in this process. */
    @Override
    public void close() throws IOException {
        try {
            readEnd.close();
        } finally {
            writeEnd.close();
        }
    }

    @Override
    public String toString() {
        return "pipe[read=" + readEnd + ", write=" + writeEnd + "]";
    }
}
