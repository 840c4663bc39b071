package ipclab.unixsocket;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The chapter's echo server, as a child program, on a socket file or on 127.0.0.1:
 *
 * <pre>
 *   UnixEchoServerMain unix PATH [PERMISSIONS]   bind PATH (a stale file is replaced), chmod it
 *   UnixEchoServerMain tcp                       bind 127.0.0.1 on a port the OS kernel picks
 * </pre>
 *
 * <p>It prints {@code listening on ...} once it listens, and for each client
 * {@code connection from user U, group G} (SO_PEERCRED) before it echoes the client's lines;
 * each client is served by a thread of its own. It stops when its standard input reaches end
 * of file (its parent closed the pipe's write end): it closes the listening socket and unlinks
 * its file. A server killed instead leaves the file behind.
 */
public final class UnixEchoServerMain {
    private UnixEchoServerMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("unix")) {
            unix(Path.of(args[1]), args.length > 2 ? args[2] : "rw-------");
        } else if (args.length == 1 && args[0].equals("tcp")) {
            tcp();
        } else {
            System.out.println("usage: UnixEchoServerMain unix PATH [PERMISSIONS] | tcp");
            System.exit(2);
        }
    }

    private static void unix(Path path, String permissions) throws IOException {
        UnixServer server;
        try {
            server = UnixServer.bindReplacingStale(path);
            server.chmod(permissions);                              // chmod(2): who may connect(2)
        } catch (IOException e) {
            System.out.println("server " + ProcessHandle.current().pid() + ": " + e.getMessage());
            System.out.flush();
            System.exit(1);
            return;
        }
        Thread stopper = stopAtEndOfInput(server);
        System.out.println("listening on " + path + (server.replacedStale() ? " (a stale socket file was there: unlinked it)" : ""));
        System.out.flush();
        while (server.isOpen()) {
            SocketConnection c;
            try {
                c = server.accept(Duration.ofSeconds(1));              // accept(2), bounded so that close() is seen
            } catch (java.nio.channels.AsynchronousCloseException e) {
                break;                                                   // close() ran meanwhile
            } catch (IOException e) {
                if (!server.isOpen()) break;
                throw e;
            }
            if (c != null) serve(c, true);
        }
        try {
            stopper.join(10_000);                                        // until its unlink(2) is done
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void tcp() throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();         // socket(AF_INET, SOCK_STREAM, 0)
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);   // bind(127.0.0.1:0), listen(2)
        stopAtEndOfInput(server);
        System.out.println("listening on 127.0.0.1:" + ((InetSocketAddress) server.getLocalAddress()).getPort());
        System.out.flush();
        while (server.isOpen()) {
            SocketChannel c;
            try {
                c = server.accept();                                     // accept(2); close() ends it
            } catch (IOException e) {
                break;
            }
            c.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
            serve(new SocketConnection(c, "127.0.0.1"), false);
        }
    }

    /**
     * One thread per client: at its first line, print who it is (Unix sockets only; before the
     * echo, so the line is there once the client has its echo), then echo each line until end
     * of file. A client that sends nothing, such as another server checking whether anybody
     * answers here, is not reported.
     */
    private static void serve(SocketConnection c, boolean unix) {
        Thread t = new Thread(() -> {
            try (c) {
                String line = c.readLine(Duration.ofMinutes(10));
                if (line == null) return;   // a client that only looked (a check for a stale file): nothing to report
                if (unix) {
                    System.out.println("connection from " + c.peerText());   // getsockopt(SO_PEERCRED)
                    System.out.flush();
                }
                do {
                    c.writeLine(line);
                } while ((line = c.readLine(Duration.ofMinutes(10))) != null);
            } catch (IOException e) {
                // the client went away: nothing to do for it
            }
        }, "echo");
        t.setDaemon(true);
        t.start();
    }

    /** A thread that waits for end of file on standard input, then closes the server. */
    private static Thread stopAtEndOfInput(AutoCloseable server) {
        Thread t = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // anything written is ignored: only end of file counts
                }
            } catch (IOException e) {
                // treat as end of file
            }
            try {
                server.close();                                          // close(2), and unlink(2) of a socket file
            } catch (Exception e) {
                System.out.println("server: close failed: " + e.getMessage());
            }
        }, "stop-at-eof");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
