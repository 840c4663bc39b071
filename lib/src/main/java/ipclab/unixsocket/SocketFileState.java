package ipclab.unixsocket;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * What is at a socket file's path, found out the way a client would: stat(2), then connect(2).
 *
 * <p>A socket file stays on disk after its server has gone, even after {@code kill -9}: only
 * unlink(2) removes it, and bind(2) on a path that exists fails with EADDRINUSE. Whether a
 * server still listens there shows only by trying: connect(2) to a socket file with no
 * listener fails with ECONNREFUSED ({@code man 7 unix}).
 */
public enum SocketFileState {
    /** Nothing at the path. */
    ABSENT,
    /** Something that is not a socket (a regular file, a directory, a FIFO): never removed. */
    NOT_A_SOCKET,
    /** A socket file, and a server accepted (or queued) a connection: in use. */
    LIVE,
    /** A socket file with no one listening: connect(2) failed with ECONNREFUSED. */
    STALE;

    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    /**
     * stat(2) of the path, then, for a socket file, a non-blocking connect(2), which never
     * waits: a listener whose queue is full makes it fail with EAGAIN, which still means that
     * a server is there.
     */
    public static SocketFileState of(Path path) throws IOException {
        int mode;
        try {
            mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);   // lstat(2)
        } catch (NoSuchFileException e) {
            return ABSENT;
        }
        if ((mode & S_IFMT) != S_IFSOCK) return NOT_A_SOCKET;
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {   // socket(AF_UNIX, SOCK_STREAM, 0)
            probe.configureBlocking(false);
            probe.connect(UnixDomainSocketAddress.of(path));                               // connect(2), O_NONBLOCK
            return LIVE;
        } catch (ConnectException e) {
            return STALE;                                                                   // ECONNREFUSED: no listener
        } catch (IOException e) {
            if (String.valueOf(e.getMessage()).contains("temporarily unavailable")) return LIVE;   // EAGAIN: a full queue
            if (Files.notExists(path, LinkOption.NOFOLLOW_LINKS)) return ABSENT;                 // removed meanwhile
            throw e;                                                                              // EACCES and the like
        }
    }
}
