package ipclab.socketpair;

import ipclab.child.Inheritable;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ipclab.pipe.Descriptors;
import ipclab.pipe.Fd;
import ipclab.posix.Posix;

/**
 * Two connected Unix domain sockets, made by one {@code socketpair(2)} call: what one end
 * writes is read at the other end only, in both directions.
 *
 * <pre>
 *   sv[0] ◀──────▶ sv[1]     each end both readable and writable (man 7 unix)
 * </pre>
 *
 * <p>Unlike a pipe, the pair is two sockets, so {@code /proc/self/fd} shows two different
 * {@code socket:[inode]} entries. Both ends are listed with the pipe ends that every
 * {@code %%fork} child inherits, and {@link Fd}'s reads and writes (with their time limit in
 * the notebook's JVM) work on them unchanged.
 */
public final class SocketPair implements AutoCloseable, Serializable, Inheritable {
    private static final long serialVersionUID = 1L;
    private static final Pattern SOCKET_LINK = Pattern.compile("socket:\\[(\\d+)]");
    private static final AtomicLong OPENED = new AtomicLong();

    private final Fd sv0;
    private final Fd sv1;
    private final long[] inodesWhenOpened;
    private final String type;
    private final long serial;

    private SocketPair(Fd sv0, Fd sv1, String type) throws IOException {
        this.sv0 = sv0;
        this.sv1 = sv1;
        this.type = type;
        this.inodesWhenOpened = new long[] {inodeOf(sv0), inodeOf(sv1)};
        this.serial = OPENED.incrementAndGet();
    }

    /** socketpair(AF_UNIX, SOCK_STREAM, 0, sv): a byte stream each way, with no message boundaries, as a pipe. */
    public static SocketPair open() throws IOException {
        return open(Posix.SOCK_STREAM, "SOCK_STREAM");
    }

    /** socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv): each write(2) is read as one message, whole and in order. */
    public static SocketPair openSeqPacket() throws IOException {
        return open(Posix.SOCK_SEQPACKET, "SOCK_SEQPACKET");
    }

    private static SocketPair open(int type, String name) throws IOException {
        int[] sv = Posix.socketpair(type);
        Fd a = Fd.of(sv[0]);
        Fd b = Fd.of(sv[1]);
        // A %%fork child inherits these, as it does a pipe's ends.
        Descriptors.remember(a);
        Descriptors.remember(b);
        try {
            return new SocketPair(a, b, name);
        } catch (IOException | RuntimeException e) {
            a.close();
            b.close();
            throw e;
        }
    }

    /** sv[0]: one end, readable and writable. */
    public Fd sv0() {
        return sv0;
    }

    /** sv[1]: the other end, readable and writable. */
    public Fd sv1() {
        return sv1;
    }

    /** Both ends as C's {@code int sv[2]} holds them. */
    public Fd[] sv() {
        return new Fd[] {sv0, sv1};
    }

    /** SOCK_STREAM or SOCK_SEQPACKET. */
    public String type() {
        return type;
    }

    /** True while both ends are open in this process. */
    public boolean isOpen() {
        return sv0.isOpen() && sv1.isOpen();
    }

    /** True when neither end is open in this process: nothing left to use or hand to a child. */
    @Override
    public boolean isClosed() {
        return !sv0.isOpen() && !sv1.isOpen();
    }

    /**
     * The socket inode of sv[0] and of sv[1] when the pair was opened, as {@code /proc/self/fd}
     * showed them ({@code socket:[inode]}): two sockets, two numbers. Known after {@link #close()} too.
     */
    public long[] inodesWhenOpened() {
        return inodesWhenOpened.clone();
    }

    /**
     * How many socket pairs this process has opened so far; this pair's own number is
     * {@link #serial()}. A check compares the two to see that no other pair was opened since.
     */
    public static long openedSoFar() {
        return OPENED.get();
    }

    /** This pair's place among the pairs this process opened: 1 for the first. */
    public long serial() {
        return serial;
    }

    /**
     * A new socket's default send buffer size, SO_SNDBUF, in bytes: the number in
     * {@code /proc/sys/net/core/wmem_default}, where {@code man 7 socket} documents it.
     */
    public static int defaultSendBuffer() throws IOException {
        return Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/core/wmem_default")).get(0).strip());
    }

    /** The {@code socket:[inode]} number of an open descriptor, from {@code /proc/self/fd}. */
    public static long inodeOf(Fd fd) throws IOException {
        String target = fd.target();
        Matcher m = SOCKET_LINK.matcher(target);
        if (!m.matches()) throw new IOException(fd + " is not a socket: " + target);
        return Long.parseLong(m.group(1));
    }

    /** close(2) of whichever ends are still open in this process. */
    @Override
    public void close() throws IOException {
        try {
            sv0.close();
        } finally {
            sv1.close();
        }
    }

    @Override
    public String toString() {
        return "socketpair[" + type + ", sv0=" + sv0 + ", sv1=" + sv1 + "]";
    }

    @Override
    public boolean hasEndClosed() {
        return !isOpen() && !isClosed();
    }
}
