package ipclab.pipe;

import ipclab.language.Messages;
import ipclab.child.Inheritable;
import java.io.IOException;
import java.io.Serializable;

import ipclab.posix.Posix;

/**
 * A pipe: a one-way byte stream kept in the OS kernel, reached through two descriptors. It
 * belongs to the operating system, not to the process that created it; a child that inherits
 * the descriptors reaches the same pipe.
 *
 * <pre>
 *   writeEnd() ──▶ [ buffer in the OS kernel, 65,536 bytes by default ] ──▶ readEnd()
 *    fds[1]                                                             fds[0]
 * </pre>
 *
 * <p>{@link PipeTables} draws which processes hold which end, read from {@code /proc}.
 */
public final class Pipe implements AutoCloseable, Serializable, Inheritable {
    private static final long serialVersionUID = 1L;
    private final Fd readEnd;
    private final Fd writeEnd;
    private final long inodeWhenOpened;

    private Pipe(Fd readEnd, Fd writeEnd, long inodeWhenOpened) {
        this.readEnd = readEnd;
        this.writeEnd = writeEnd;
        this.inodeWhenOpened = inodeWhenOpened;
    }

    /** pipe(2): creates a pipe and returns both ends. */
    public static Pipe open() throws IOException {
        int[] fds = Posix.pipe();
        Pipe pipe = new Pipe(Fd.of(fds[0]), Fd.of(fds[1]), PipeTables.pipeInode(java.nio.file.Path.of("/proc/self/fd/" + fds[0])));
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

    /**
     * True while both ends are open in this process. A notebook cell that needs the pipe asks
     * this first: a later cell (end of file, clean-up) may have closed it.
     */
    public boolean isOpen() {
        return readEnd.isOpen() && writeEnd.isOpen();
    }

    /**
     * The pipe's inode number in the OS kernel's pipe file system, as {@code /proc/PID/fd} shows
     * it ({@code pipe:[inode]}): the same number in every process that holds an end.
     */
    public long inode() throws IOException {
        Fd open = readEnd.isOpen() ? readEnd : writeEnd;
        if (!open.isOpen()) throw new IOException(Messages.text("pipe.both-closed", this));
        long inode = PipeTables.pipeInode(java.nio.file.Path.of("/proc/self/fd/" + open.number()));
        if (inode < 0) throw new IOException("fd " + open.number() + " is not a pipe");
        return inode;
    }

    /**
     * The inode {@link #inode()} gave when the pipe was opened, known after {@link #close()} too:
     * what a check that runs later compares. (Once every end in every process is closed, the OS
     * kernel may give the number to a new pipe.)
     */
    public long inodeWhenOpened() {
        return inodeWhenOpened;
    }

    /** fcntl(F_GETPIPE_SZ): how many bytes the pipe holds before a write blocks. */
    public int capacity() throws IOException {
        return Posix.pipeCapacity(writeEnd.isOpen() ? writeEnd.number() : readEnd.number());
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

    @Override
    public boolean isClosed() {
        return !readEnd.isOpen() && !writeEnd.isOpen();
    }
}
