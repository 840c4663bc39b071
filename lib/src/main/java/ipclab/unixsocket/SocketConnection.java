package ipclab.unixsocket;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;

import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * One connected stream socket, a Unix domain one (a path) or a TCP one (127.0.0.1): what
 * connect(2) gives a client and accept(2) gives a server. It reads and writes lines, and every
 * wait has a bound, so a cell never hangs.
 */
public final class SocketConnection implements AutoCloseable {
    private static final Duration CONNECT_LIMIT = Duration.ofSeconds(10);

    private final SocketChannel channel;
    private final String where;
    private final Selector selector;
    private final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
    private final StringBuilder pending = new StringBuilder();
    private boolean endOfFile;

    SocketConnection(SocketChannel channel, String where) throws IOException {
        this.channel = channel;
        this.where = where;
        channel.configureBlocking(false);
        this.selector = Selector.open();
    }

    /**
     * socket(AF_UNIX, SOCK_STREAM, 0), then connect(2) to the socket file at {@code path}. A
     * refusal comes as one line: {@code connect(PATH): Permission denied (EACCES)}.
     */
    public static SocketConnection unix(Path path) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);          // socket(AF_UNIX, SOCK_STREAM, 0)
        return connect(ch, UnixDomainSocketAddress.of(path), path.toString());
    }

    /** socket(AF_INET, SOCK_STREAM, 0), then connect(2) to 127.0.0.1:{@code port}. */
    public static SocketConnection tcp(int port) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.INET);          // socket(AF_INET, SOCK_STREAM, 0)
        ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);               // one line, one segment: no Nagle delay
        return connect(ch, new InetSocketAddress(InetAddress.getLoopbackAddress(), port), "127.0.0.1:" + port);
    }

    private static SocketConnection connect(SocketChannel ch, SocketAddress to, String where) throws IOException {
        try {
            // Non-blocking connect(2), finished within a bound: a Unix socket's connect waits
            // while the server's queue is full, and an interrupt would not end that wait.
            ch.configureBlocking(false);
            if (!ch.connect(to)) {
                try (Selector s = Selector.open()) {
                    ch.register(s, SelectionKey.OP_CONNECT);
                    if (s.select(CONNECT_LIMIT.toMillis()) == 0 && !ch.finishConnect()) {
                        throw new SocketTimeoutException("connect(" + where + ") waited " + CONNECT_LIMIT.toSeconds() + " s");
                    }
                }
                ch.finishConnect();
            }
            return new SocketConnection(ch, where);
        } catch (SocketTimeoutException e) {
            ch.close();
            throw e;
        } catch (IOException e) {
            ch.close();
            throw Errno.wrap("connect(" + where + ")", e);
        }
    }

    /** The path or address this connection goes to (for a server's connection, the server's path). */
    public String where() {
        return where;
    }

    /**
     * getsockopt(SO_PEERCRED) on a Unix domain socket: the user and group of the process at the
     * other end, as the OS kernel recorded them at connect(2) (or, for a client, at the server's
     * listen(2)). Linux's SO_PEERCRED holds a pid too, but the JDK's option gives only the user
     * and group. A TCP socket has no such option: the peer is just an address and a port.
     */
    public UnixDomainPrincipal peer() throws IOException {
        return channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
    }

    /** {@link #peer()} as one phrase: {@code user nobody, group nogroup}. */
    public String peerText() throws IOException {
        UnixDomainPrincipal p;
        try {
            p = peer();
        } catch (UnsupportedOperationException e) {
            InetSocketAddress a = (InetSocketAddress) channel.getRemoteAddress();
            return "unknown: a TCP socket has no SO_PEERCRED, only the peer's address " + a.getAddress().getHostAddress() + ":" + a.getPort();
        }
        return "user " + p.user().getName() + ", group " + p.group().getName();
    }

    /** write(2) of the line and a newline, until all of it is written. */
    public void writeLine(String line) throws IOException {
        ByteBuffer out = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + CONNECT_LIMIT.toNanos();
        while (out.hasRemaining()) {
            if (channel.write(out) == 0) {                                            // write(2)
                if (System.nanoTime() > deadline) throw new SocketTimeoutException("write to " + where + " waited " + CONNECT_LIMIT.toSeconds() + " s");
                waitFor(SelectionKey.OP_WRITE, 10);
            }
        }
    }

    /**
     * The next line, without its newline, read with read(2) calls that wait at most
     * {@code limit} in all; null at end of file (the other end closed).
     */
    public String readLine(Duration limit) throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            int nl = pending.indexOf("\n");
            if (nl >= 0) {
                String line = pending.substring(0, nl);
                pending.delete(0, nl + 1);
                return line;
            }
            if (endOfFile) {
                if (pending.length() == 0) return null;
                String rest = pending.toString();
                pending.setLength(0);
                return rest;
            }
            in.clear();
            int n = channel.read(in);                                                 // read(2)
            if (n < 0) {
                endOfFile = true;
            } else if (n > 0) {
                pending.append(new String(in.array(), 0, n, StandardCharsets.UTF_8));
            } else {
                long left = deadline - System.nanoTime();
                if (left <= 0) throw new SocketTimeoutException("read from " + where + " got no line in " + limit.toMillis() + " ms");
                waitFor(SelectionKey.OP_READ, Math.max(1, left / 1_000_000));
            }
        }
    }

    /** One echo round trip: write the line, read the reply within {@code limit}. */
    public String echo(String line, Duration limit) throws IOException {
        writeLine(line);
        return readLine(limit);
    }

    private void waitFor(int op, long millis) throws IOException {
        SelectionKey key = channel.register(selector, op);
        try {
            selector.select(millis);                                                  // poll(2), bounded
            selector.selectedKeys().clear();
        } finally {
            key.interestOps(0);
        }
        if (Thread.currentThread().isInterrupted()) throw new InterruptedIOException("interrupted while waiting on " + where);
    }

    public boolean isOpen() {
        return channel.isOpen();
    }

    /** close(2). Twice is harmless. */
    @Override
    public void close() throws IOException {
        selector.close();
        channel.close();
    }

    @Override
    public String toString() {
        return "connection to " + where + (isOpen() ? "" : " (closed)");
    }
}
