package ipclab.unixsocket;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import ipclab.child.ChildProcess;
import ipclab.child.ExitStatus;
import ipclab.pipe.Pipe;

/**
 * The echo server ({@link UnixEchoServerMain}) running in a child JVM, started with
 * posix_spawn like every child of the course: the notebook's JVM is its client, not the server.
 *
 * <p>The child's standard input is the read end of a pipe whose write end this object holds.
 * {@link #close()} closes that write end: the server sees end of file, closes its socket,
 * unlinks its socket file and exits; only if it has not exited within 10 s is it killed.
 * {@link #kill()} is {@code kill -9} instead, which leaves the socket file behind (stale).
 *
 * <p>The server's lines ({@code listening on ...}, {@code connection from ...}) are kept, not
 * printed as they come: {@link #nextLine} hands them to the cell that asks.
 */
public final class EchoServerProcess implements AutoCloseable {
    private static final Duration START_LIMIT = Duration.ofSeconds(30);

    private final ChildProcess child;
    private final Pipe stop;
    private String address;     // set once the server said where it listens
    private String firstLine;
    private int linesTaken;

    private EchoServerProcess(ChildProcess child, Pipe stop) {
        this.child = child;
        this.stop = stop;
    }

    /** The echo server on the socket file at {@code path}, mode {@code rw-------} (0600). */
    public static EchoServerProcess unix(Path path) throws IOException {
        return unix(path, "rw-------");
    }

    /** The echo server on the socket file at {@code path}, with these permissions ({@code ls -l} form). */
    public static EchoServerProcess unix(Path path, String permissions) throws IOException {
        return start("unix", path.toString(), permissions);
    }

    /** The same echo server on 127.0.0.1, on a port the OS kernel picks. */
    public static EchoServerProcess tcp() throws IOException {
        return start("tcp");
    }

    private static EchoServerProcess start(String... args) throws IOException {
        Pipe stop = Pipe.open();                                                  // pipe(fds): the server's stdin
        ChildProcess child;
        try {
            child = ChildProcess.builder()
                    .main(UnixEchoServerMain.class, args)
                    .stdin(stop.readEnd())                                        // dup2(fds[0], 0) in the child
                    .showOutput(false)
                    .timeout(Duration.ofSeconds(10))
                    .start();                                                     // posix_spawn()
        } catch (IOException | RuntimeException e) {
            stop.close();
            throw e;
        }
        stop.readEnd().close();                                                   // only the child reads it
        EchoServerProcess server = new EchoServerProcess(child, stop);
        String first;
        try {
            first = server.nextLine(START_LIMIT);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        if (!first.startsWith("listening on ")) {
            server.close();
            throw new IOException(first);                                          // e.g. in use: one line
        }
        server.address = first.substring("listening on ".length()).replaceFirst(" \\(.*", "");
        server.firstLine = first;
        return server;
    }

    /** The server's first line: {@code listening on PATH} (and whether it replaced a stale file). */
    public String listening() {
        return firstLine;
    }

    /** The socket file's path (Unix) or {@code 127.0.0.1:PORT} (TCP). */
    public String address() {
        return address;
    }

    /** The socket file's path; only for a Unix server. */
    public Path path() {
        return Path.of(address);
    }

    /** The TCP port; only for a TCP server. */
    public int port() {
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    public long pid() {
        return child.pid();
    }

    /** True while the child has not been reaped. */
    public boolean isRunning() throws IOException {
        return child.poll() == null;
    }

    /** A new connection to this server: {@link SocketConnection#unix} or {@link SocketConnection#tcp}. */
    public SocketConnection connect() throws IOException {
        return address.startsWith("127.0.0.1:") ? SocketConnection.tcp(port()) : SocketConnection.unix(path());
    }

    /**
     * The server's next line not yet taken, waiting at most {@code limit} for it. Throws if
     * none came, or the server exited first (with what it printed last).
     */
    public String nextLine(Duration limit) throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            List<String> lines = lines();
            if (lines.size() > linesTaken) return lines.get(linesTaken++);
            if (child.poll() != null) {
                lines = lines();   // the output pipe is drained once the child is reaped
                if (lines.size() > linesTaken) return lines.get(linesTaken++);
                throw new IOException("the echo server exited (" + child.status() + ") without a line");
            }
            if (System.nanoTime() > deadline) throw new IOException("the echo server printed no new line in " + limit.toSeconds() + " s");
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting for the echo server");
            }
        }
    }

    /** Everything the server printed so far. */
    public String output() {
        return child.output();
    }

    /** The server's complete lines so far. */
    private List<String> lines() {
        String out = child.output();
        List<String> lines = new ArrayList<>(List.of(out.split("\n", -1)));
        lines.remove(lines.size() - 1);   // the part after the last newline is not a complete line
        return lines;
    }

    /** kill -9: the server dies at once and runs none of its clean-up, so its socket file stays. */
    public ExitStatus kill() throws IOException {
        try {
            return child.kill();
        } finally {
            stop.close();
        }
    }

    /**
     * Closes the pipe to the server's stdin: it closes its socket, unlinks its file and exits;
     * then waitpid(2), at most 10 s (then kill). Twice is harmless.
     */
    @Override
    public void close() throws IOException {
        stop.close();                                                             // close(fds[1]): end of file for the server
        if (child.poll() == null) child.waitFor();
    }

    /** The exit status once reaped, else null. */
    public ExitStatus status() {
        return child.status();
    }

    @Override
    public String toString() {
        return "echo server " + child.pid() + " on " + address;
    }
}
