package ipclab.pipe;

import ipclab.language.Messages;
import ipclab.child.Inheritable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * One file descriptor: a small number that names an open file, pipe end or socket in this
 * process's descriptor table. Each method is one system call, named after it.
 *
 * <p>In the notebook's JVM, reads and writes first {@code poll(2)} for at most
 * {@link #timeout()}, so a pipe that never delivers raises a {@link PipeTimeoutException}
 * instead of hanging the notebook. In a child JVM the same object does plain blocking calls (its
 * parent's timeout guards it) and loads no native library.
 *
 * <p>An {@code Fd} is {@link Serializable} as its number alone: copied into a child that
 * inherited the descriptor, it names the same pipe end there, just as after {@code fork()}.
 */
public final class Fd implements AutoCloseable, Serializable, Inheritable {
    private static final long serialVersionUID = 1L;

    private final int number;
    private volatile boolean closed; // copied too: a descriptor closed before the spawn is not inherited
    private transient volatile Duration timeout; // null: the default, 10 s
    private transient DescriptorIo io;
    // Bytes moved through this object in this process: which end a process really used. Plain
    // volatile fields: an exact count under concurrent use is not needed, only zero or not.
    private transient volatile long bytesRead;
    private transient volatile long bytesWritten;

    private Fd(int number) {
        if (number < 0) throw new IllegalArgumentException("a descriptor is never negative: " + number);
        this.number = number;
        this.io = DescriptorIo.forThisProcess(number);
    }

    /** For {@link Pipe#open()}: reads or writes here can no longer block past the timeout. */
    void makeWaitsSafe(boolean forWriting) throws IOException {
        io.privateNonBlocking(forWriting);
    }

    /** Wraps a descriptor this process already has open, such as one it inherited. */
    public static Fd of(int number) {
        return new Fd(number);
    }

    /** The descriptor number, as {@code pipe()} returned it. */
    public int number() {
        return number;
    }

    /**
     * A JDK {@link java.io.FileDescriptor} for the same number, for JDK streams and channels
     * ({@code new FileInputStream(fd.fileDescriptor())}). No descriptor is opened: closing a
     * stream built on it closes this descriptor.
     */
    public java.io.FileDescriptor fileDescriptor() {
        return JdkDescriptorIo.adopt(number);
    }

    /** True until {@link #close()} was called on this object. */
    public boolean isOpen() {
        return !closed;
    }

    /** How long a read or write in the notebook's JVM waits for the pipe before giving up. */
    public Duration timeout() {
        Duration t = timeout;
        return t != null ? t : Default.TIMEOUT;
    }

    /**
     * What a read or write is given as its limit. A child's calls block without one (its
     * parent's timeout guards it), so a child never loads java.time, whose set-up costs a JVM
     * that has just started about half a millisecond.
     */
    private Duration limit() {
        return DescriptorIo.LEAN ? null : timeout();
    }

    /** A holder: the default is made only where it is used. */
    private static final class Default {
        static final Duration TIMEOUT = Duration.ofSeconds(10);
    }

    /** Sets the wait limit for later reads and writes; returns this descriptor. */
    public Fd timeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be positive: " + timeout);
        this.timeout = timeout;
        return this;
    }

    /** read(2): up to {@code len} bytes into {@code buf[off..]}. Returns -1 at end of file (read(2) returns 0). */
    public int read(byte[] buf, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, buf.length);
        ensureOpen("read");
        if (len == 0) return 0;
        int n = io.read(buf, off, len, limit());
        if (n > 0) bytesRead += n;
        return n == 0 ? -1 : n;
    }

    /** read(2) into the whole array. Returns -1 at end of file. */
    public int read(byte[] buf) throws IOException {
        return read(buf, 0, buf.length);
    }

    /** read(2) into a buffer's remaining space. Returns -1 at end of file. */
    public int read(ByteBuffer buf) throws IOException {
        ensureOpen("read");
        if (!buf.hasRemaining()) return 0;
        int n = io.read(buf, limit());
        if (n > 0) bytesRead += n;
        return n == 0 ? -1 : n;
    }

    /**
     * One read(2) of at most 4096 bytes, decoded as UTF-8; null at end of file. Like the book's
     * {@code read(fds[0], buf, BUF_SIZE)}, it returns whatever the pipe holds: a pipe keeps no
     * message boundaries.
     */
    public String readString() throws IOException {
        byte[] buf = new byte[4096];
        int n = read(buf);
        return n < 0 ? null : new String(buf, 0, n, StandardCharsets.UTF_8);
    }

    /** Reads until end of file, that is until every write end of the pipe is closed. */
    public byte[] readAllBytes() throws IOException {
        byte[] buf = new byte[8192];
        int size = 0;
        while (true) {
            if (size == buf.length) buf = Arrays.copyOf(buf, size * 2);
            int n = read(buf, size, buf.length - size);
            if (n < 0) return Arrays.copyOf(buf, size);
            size += n;
        }
    }

    /** write(2): returns how many bytes the OS kernel accepted (all of them, for a blocking pipe). */
    public int write(byte[] buf, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, buf.length);
        ensureOpen("write");
        if (len == 0) return 0;
        int n = io.write(buf, off, len, limit());
        if (n > 0) bytesWritten += n;
        return n;
    }

    /** write(2) of the whole array. */
    public int write(byte[] buf) throws IOException {
        return write(buf, 0, buf.length);
    }

    /** write(2) of a buffer's remaining bytes. */
    public int write(ByteBuffer buf) throws IOException {
        ensureOpen("write");
        if (!buf.hasRemaining()) return 0;
        int n = io.write(buf, limit());
        if (n > 0) bytesWritten += n;
        return n;
    }

    /** write(2) of a string's UTF-8 bytes. */
    public int write(String text) throws IOException {
        return write(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes every byte, looping over write(2) as often as it takes. */
    public void writeAll(byte[] buf) throws IOException {
        int off = 0;
        while (off < buf.length) off += write(buf, off, buf.length - off);
    }

    /** How many bytes this process has read through this object (a copy in a child counts its own). */
    public long bytesRead() {
        return bytesRead;
    }

    /** How many bytes this process has written through this object (a copy in a child counts its own). */
    public long bytesWritten() {
        return bytesWritten;
    }

    /**
     * What the descriptor names, as {@code /proc/self/fd/N} shows it: {@code pipe:[INODE]} for
     * a pipe end. Two descriptors that show the same inode reach the same pipe.
     */
    public String target() throws IOException {
        ensureOpen("readlink");
        return java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/" + number)).toString();
    }

    /**
     * close(2). Closing twice is harmless here, unlike in C, where the second close might close
     * a descriptor that another thread has just been given the same number.
     */
    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        Descriptors.forget(this);
        io.close();
    }

    @Override
    public String toString() {
        return "fd " + number + (closed ? " (closed)" : "");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Fd && ((Fd) o).number == number;
    }

    @Override
    public int hashCode() {
        return number;
    }

    private void ensureOpen(String call) throws IOException {
        if (closed) throw new IOException(Messages.text("fd.closed", call, number));
    }

    /** A copy that arrives in another process names the same number there. */
    private Object readResolve() throws ObjectStreamException {
        Fd copy = new Fd(number);
        copy.closed = closed;
        return copy;
    }

    static void checkInterrupt(String call, int number) throws InterruptedIOException {
        if (Thread.interrupted()) throw new InterruptedIOException(call + "(fd " + number + ") interrupted");
    }

    @Override
    public boolean isClosed() {
        return closed;
    }
}
