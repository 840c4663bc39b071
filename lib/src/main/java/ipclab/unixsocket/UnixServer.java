package ipclab.unixsocket;

import java.io.IOException;
import java.net.BindException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

/**
 * A listening Unix domain stream socket bound to a path: the chapter's server socket, with a
 * file name where a TCP server has a port.
 *
 * <p>The socket calls are the JDK's (jnr-posix binds no {@code bind()} for {@code AF_UNIX}):
 * {@code ServerSocketChannel.open(UNIX)} is socket(AF_UNIX, SOCK_STREAM, 0), and its
 * {@code bind} makes both bind(2), which creates the socket file, and listen(2).
 *
 * <p>This object owns the file it bound: {@link #close()} closes the socket and unlinks the
 * file, which the OS kernel never does on its own. It unlinks only the file it created (same
 * inode), never one that someone else bound at the path since.
 */
public final class UnixServer implements AutoCloseable {
    private static final int BACKLOG = 16;

    private final Path path;
    private final ServerSocketChannel channel;
    private final Object inode;
    private final boolean replacedStale;
    private final Selector selector;

    private UnixServer(Path path, ServerSocketChannel channel, boolean replacedStale) throws IOException {
        this.path = path;
        this.channel = channel;
        this.replacedStale = replacedStale;
        this.inode = Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS);
        channel.configureBlocking(false);
        this.selector = Selector.open();
        channel.register(selector, SelectionKey.OP_ACCEPT);
    }

    /**
     * socket(AF_UNIX, SOCK_STREAM, 0), bind(2) to {@code path}, listen(2). Fails with one line,
     * EADDRINUSE, if anything is at the path already, stale or not: bind(2) never replaces a
     * file.
     */
    public static UnixServer bind(Path path) throws IOException {
        return bind(path, false);
    }

    /**
     * What a careful server does before bind(2): looks at what is at the path
     * ({@link SocketFileState#of}). A socket file where a server still answers is left alone and
     * this throws {@link SocketFileInUseException}; a stale one (connect(2) refused) is
     * unlinked first; anything that is not a socket is never removed.
     */
    public static UnixServer bindReplacingStale(Path path) throws IOException {
        switch (SocketFileState.of(path)) {
            case LIVE -> throw new SocketFileInUseException(
                    "bind(" + path + "): in use, a server answers there (connect(2) succeeded): left alone");
            case NOT_A_SOCKET -> throw new IOException("bind(" + path + "): something that is not a socket is there: left alone");
            case STALE -> {
                unlink(path);                                  // nobody answered: the file is stale
                return bind(path, true);
            }
            default -> {
                return bind(path, false);
            }
        }
    }

    private static UnixServer bind(Path path, boolean replacedStale) throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);   // socket(AF_UNIX, SOCK_STREAM, 0)
        try {
            ch.bind(UnixDomainSocketAddress.of(path), BACKLOG);                         // bind(2), listen(2)
            return new UnixServer(path, ch, replacedStale);
        } catch (BindException e) {
            ch.close();
            throw new IOException(Errno.describe("bind(" + path + ")", e) + ": a file is already there");
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    /** True if {@link #bindReplacingStale} unlinked a stale socket file before binding. */
    public boolean replacedStale() {
        return replacedStale;
    }

    public boolean isOpen() {
        return channel.isOpen();
    }

    /**
     * chmod(2) of the socket file, as {@code ls -l} writes permissions ({@code "rw-------"}).
     * On Linux connect(2) needs write permission on the socket file ({@code man 7 unix}).
     */
    public UnixServer chmod(String permissions) throws IOException {
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));   // chmod(2)
        return this;
    }

    /** stat(2) of the socket file, as {@code ls -l} shows it: type {@code s}, permissions, owner, group, name. */
    public String ls() throws IOException {
        return ls(path, path.getFileName().toString());
    }

    static String ls(Path path, String shownAs) throws IOException {
        PosixFileAttributes a = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        char type = a.isOther() ? 's' : a.isDirectory() ? 'd' : a.isRegularFile() ? '-' : '?';
        return type + PosixFilePermissions.toString(a.permissions()) + " " + a.owner().getName() + " "
                + a.group().getName() + " " + shownAs;
    }

    /**
     * accept(2), waiting at most {@code limit}: null if no client came. (The socket is in
     * non-blocking mode, and the wait is select(2)'s; an interrupt ends it too.)
     */
    public SocketConnection accept(Duration limit) throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        try {
            while (true) {
                SocketChannel c = channel.accept();                               // accept(2)
                if (c != null) return new SocketConnection(c, path.toString());
                long left = deadline - System.nanoTime();
                if (left <= 0) return null;
                selector.select(Math.max(1, left / 1_000_000));
                selector.selectedKeys().clear();
                if (Thread.currentThread().isInterrupted()) return null;
            }
        } catch (java.nio.channels.ClosedSelectorException e) {
            throw new java.nio.channels.AsynchronousCloseException();              // close() ran meanwhile
        }
    }

    /**
     * close(2) of the listening socket, then unlink(2) of its file, if the file at the path is
     * still the one this server created. Twice is harmless.
     */
    @Override
    public void close() throws IOException {
        if (!channel.isOpen()) return;
        try {
            channel.close();                                                      // close(2): the file stays
            selector.close();
        } finally {
            Object now = null;
            try {
                now = Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS);
            } catch (IOException gone) {
                // removed by someone else already
            }
            if (inode.equals(now)) unlink(path);
        }
    }

    /**
     * unlink(2). The JDK's Files.delete, which is unlink(2) for anything but a directory, rather
     * than jnr-posix's: the echo server runs in child JVMs that load the JDK alone (jnr-posix
     * costs a child about 250 ms of start-up).
     */
    static void unlink(Path path) throws IOException {
        Files.delete(path);
    }

    @Override
    public String toString() {
        return "unix server at " + path + (isOpen() ? "" : " (closed)");
    }
}
