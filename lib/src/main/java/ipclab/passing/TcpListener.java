package ipclab.passing;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

import ipclab.pipe.Fd;
import ipclab.posix.Posix;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

import static ipclab.language.Messages.text;

/**
 * A listening TCP socket on 127.0.0.1 at a port the OS kernel chooses (port 0: never a fixed
 * port, so two learners on one host never collide), made with libc's own calls.
 *
 * <p>Why not the JDK's {@code ServerSocketChannel}: the descriptor number of a JDK socket is
 * private ({@code sun.nio.ch}), readable only when the notebook's JVM is started with
 * {@code --add-opens}. Here every call is the C call itself, and {@link #accept()} returns the
 * new descriptor as the course's {@link Fd}, whose number {@code sendmsg} can carry.
 *
 * <p>Both the listening socket and accepted ones are made with {@code SOCK_CLOEXEC}: no child
 * started later inherits them; a descriptor reaches a worker only when it is sent.
 */
public final class TcpListener implements AutoCloseable {
    private static final int AF_INET = 2;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int BACKLOG = 16;
    private static final AtomicInteger OPEN = new AtomicInteger();
    /** How long {@link #accept()} waits for a client. */
    public static final int TIMEOUT_MILLIS = 10_000;

    /** The libc calls jnr-posix does not bind. */
    public interface SocketLib {
        int socket(int domain, int type, int protocol);
        int bind(int fd, Pointer addr, int addrlen);
        int listen(int fd, int backlog);
        int accept4(int fd, Pointer addr, Pointer addrlen, int flags);
        int getsockname(int fd, Pointer addr, Pointer addrlen);
    }

    private static final class Lib {
        static final SocketLib C = LibraryLoader.create(SocketLib.class).load("c");
    }

    private final int fd;
    private final int port;
    private volatile boolean closed;

    private TcpListener(int fd, int port) {
        this.fd = fd;
        this.port = port;
    }

    /** socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), bind(127.0.0.1, port 0), listen(), getsockname() for the port. */
    public static TcpListener open() throws IOException {
        int fd = Lib.C.socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) throw Posix.error("socket(AF_INET, SOCK_STREAM)");
        try {
            Pointer addr = sockaddrIn(0);
            if (Lib.C.bind(fd, addr, 16) < 0) throw Posix.error("bind(127.0.0.1:0)");
            if (Lib.C.listen(fd, BACKLOG) < 0) throw Posix.error("listen()");
            Pointer len = Memory.allocateDirect(jnr.ffi.Runtime.getSystemRuntime(), 4);
            len.putInt(0, 16);
            if (Lib.C.getsockname(fd, addr, len) < 0) throw Posix.error("getsockname()");
            int port = ((addr.getByte(2) & 0xff) << 8) | (addr.getByte(3) & 0xff); // sin_port, network byte order
            OPEN.incrementAndGet();
            return new TcpListener(fd, port);
        } catch (IOException | RuntimeException e) {
            Posix.close(fd);
            throw e;
        }
    }

    /** struct sockaddr_in for 127.0.0.1 and the port: family in host order, port and address in network order. */
    private static Pointer sockaddrIn(int port) {
        Pointer p = Memory.allocateDirect(jnr.ffi.Runtime.getSystemRuntime(), 16);
        p.putShort(0, (short) AF_INET);
        p.putByte(2, (byte) (port >> 8));
        p.putByte(3, (byte) port);
        p.put(4, new byte[] {127, 0, 0, 1}, 0, 4);
        return p;
    }

    /** The port the OS kernel chose. */
    public int port() {
        return port;
    }

    /** The listening socket's descriptor number in this process. */
    public int number() {
        return fd;
    }

    /**
     * accept4(SOCK_CLOEXEC): the next connection, as a new descriptor in this process's table.
     * Waits at most {@link #TIMEOUT_MILLIS} (poll(2) first): an interrupt does not stop accept().
     */
    public Fd accept() throws IOException {
        if (closed) throw new IOException(text("passing.listener-closed"));
        if (Posix.poll(fd, Posix.POLLIN, TIMEOUT_MILLIS) == 0) {
            throw new IOException(text("passing.no-client", port, TIMEOUT_MILLIS / 1000));
        }
        while (true) {
            int c = Lib.C.accept4(fd, null, null, SOCK_CLOEXEC);
            if (c >= 0) return Fd.of(c);
            if (Posix.jnr().errno() != jnr.constants.platform.Errno.EINTR.intValue()) throw Posix.error("accept()");
        }
    }

    /** How many listeners this process has open now. */
    public static int openNow() {
        return OPEN.get();
    }

    /** close(2) of the listening socket; the port is free again. */
    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        OPEN.decrementAndGet();
        Posix.close(fd);
    }

    @Override
    public String toString() {
        return "listener 127.0.0.1:" + port + " (fd " + fd + (closed ? ", closed" : "") + ")";
    }
}
