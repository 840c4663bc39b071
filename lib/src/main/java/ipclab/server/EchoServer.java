package ipclab.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import ipclab.language.Messages;
import ipclab.child.ChildProcess;
import ipclab.child.ExitStatus;
import ipclab.cleanup.OwnedFiles;
import ipclab.client.EchoClient;
import ipclab.memory.HandlerBudget;

/**
 * A running echo server, started from a cell: its own JVM process, with a storing process and
 * handler processes below it, each serving one client at a time (see {@link EchoServerMain}). Because it is a
 * {@link ChildProcess}, it dies with the notebook's JVM, and its children die with it.
 *
 * <pre>
 *   try (EchoServer server = EchoServer.start(EchoServer.Options.defaults().port(0));
 *        EchoClient client = server.connect()) {
 *       client.echo("hello");
 *   }
 * </pre>
 */
public final class EchoServer implements AutoCloseable {
    /** The server JVM's start, then at most {@link EchoServerMain#SPARES_LIMIT} for its spares, on a busy machine. */
    private static final Duration START_LIMIT = Duration.ofSeconds(40);
    private static final Duration STOP_LIMIT = Duration.ofSeconds(20);

    /**
     * How the server runs; the same options as {@code java -jar ipclab.jar echo-server}.
     *
     * @param host address to listen on; 127.0.0.1 unless another is asked for
     * @param port TCP port; 0 picks a free one
     * @param store the message file, appended to
     * @param maxClients handler processes at most; further clients wait in the listen queue for a free one. By default,
     *        as many as the memory limit allows ({@link HandlerBudget}), at most 64
     * @param maxLine longest line stored as one line, in bytes; a longer one is stored cut into pieces of this size
     * @param spares handler processes started before the server says it listens, and kept: each serves one client
     *     at a time, then the next, so clients wait for a JVM to start only when more than this many stay connected
     */
    public record Options(String host, int port, Path store, int maxClients, int maxLine, int spares) {
        public static final String DEFAULT_HOST = "127.0.0.1";
        public static final int DEFAULT_PORT = 9190;
        /** The cap where no memory limit is set; under a limit, the default is {@link HandlerBudget#ofThisProcess()}'s. */
        public static final int DEFAULT_MAX_CLIENTS = HandlerBudget.CEILING;
        public static final int DEFAULT_MAX_LINE = 1 << 20;
        /**
         * A few: each handler JVM holds 8 to 13 MB of its own (its resident set, about 40 MB,
         * also counts some 26 MB of the JVM's files, shared by all handlers). Reused across
         * clients, 4 serve a burst of short clients one after another, with no JVM starting meanwhile;
         * clients that stay connected make the pool grow, up to {@code maxClients}.
         */
        public static final int DEFAULT_SPARES = 4;
        static final String USAGE = "echo-server [--host 127.0.0.1] [--port 9190] [--store echomsg.txt]"
                + " [--max-clients N | --memory SIZE] [--max-line 1048576] [--spares 4]";

        public Options {
            if (host == null || host.isBlank()) throw new IllegalArgumentException("--host needs an address, such as 127.0.0.1");
            if (port < 0 || port > 65535) throw new IllegalArgumentException(Messages.text("server.option.needs", "--port", Messages.text("server.option.port"), port));
            if (store == null || store.toString().isBlank()) throw new IllegalArgumentException("--store needs a file name");
            if (maxClients < 1 || maxClients > 4096) throw new IllegalArgumentException(Messages.text("server.option.needs", "--max-clients", Messages.text("server.option.max-clients"), maxClients));
            if (maxLine < 1 || maxLine > (64 << 20)) throw new IllegalArgumentException(Messages.text("server.option.needs", "--max-line", Messages.text("server.option.max-line"), maxLine));
            if (spares < 1 || spares > 64) throw new IllegalArgumentException(Messages.text("server.option.needs", "--spares", Messages.text("server.option.spares"), spares));
        }

        /**
         * 127.0.0.1:9190, echomsg.txt in the current folder, as many clients as this process's
         * memory limit allows (64 where none is set, see {@link HandlerBudget}), lines up to 1 MiB,
         * 4 spare handlers.
         */
        public static Options defaults() {
            return new Options(DEFAULT_HOST, DEFAULT_PORT, Paths.get("echomsg.txt"), HandlerBudget.ofThisProcess().maxHandlers(),
                    DEFAULT_MAX_LINE, DEFAULT_SPARES);
        }

        public Options host(String host) {
            return new Options(host, port, store, maxClients, maxLine, spares);
        }

        public Options port(int port) {
            return new Options(host, port, store, maxClients, maxLine, spares);
        }

        public Options store(Path store) {
            return new Options(host, port, store, maxClients, maxLine, spares);
        }

        public Options maxClients(int maxClients) {
            return new Options(host, port, store, maxClients, maxLine, spares);
        }

        public Options maxLine(int maxLine) {
            return new Options(host, port, store, maxClients, maxLine, spares);
        }

        public Options spares(int spares) {
            return new Options(host, port, store, maxClients, maxLine, spares);
        }

        /**
         * Parses the command line; throws {@link IllegalArgumentException} with one line that
         * says what is wrong. {@code --memory SIZE} (such as {@code 1g}) derives the cap on
         * handlers from that limit instead of the cgroup's; with {@code --max-clients} too, the
         * smaller cap counts.
         */
        public static Options parse(String... args) {
            Options o = defaults();
            Integer maxClients = null;
            Long memory = null;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                String value;
                int eq = arg.indexOf('=');
                if (arg.startsWith("--") && eq > 0) {
                    value = arg.substring(eq + 1);
                    arg = arg.substring(0, eq);
                } else if (i + 1 < args.length && !(arg.equals("--help") || arg.equals("-h"))) {
                    value = args[++i];
                } else {
                    value = null;
                }
                switch (arg) {
                    case "--host", "--port", "--store", "--max-clients", "--memory", "--max-line", "--spares" -> {
                        if (value == null) throw new IllegalArgumentException(Messages.text("server.option.no-value", arg));
                    }
                    default -> throw new IllegalArgumentException(Messages.text("server.option.unknown", arg, USAGE));
                }
                switch (arg) {
                    case "--host" -> o = o.host(value);
                    case "--port" -> o = o.port(number(arg, value, Messages.text("server.option.port")));
                    case "--store" -> o = o.store(Paths.get(value));
                    case "--max-clients" -> o = o.maxClients(maxClients = number(arg, value, Messages.text("server.option.max-clients")));
                    case "--memory" -> memory = memorySize(value);
                    case "--spares" -> o = o.spares(number(arg, value, Messages.text("server.option.spares")));
                    default -> o = o.maxLine(number(arg, value, Messages.text("server.option.max-line")));
                }
            }
            if (memory != null) {
                int budget = HandlerBudget.forBytes(memory).maxHandlers();
                o = o.maxClients(maxClients == null ? budget : Math.min(maxClients, budget));
            }
            return o;
        }

        private static long memorySize(String value) {
            try {
                return HandlerBudget.parseSize(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(Messages.text("server.option.memory", "--memory", e.getMessage()));
            }
        }

        private static int number(String option, String value, String what) {
            try {
                return Integer.parseInt(value.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(Messages.text("server.option.needs", option, what, "'" + value + "'"));
            }
        }

        /** The command line that gives these options back. */
        public List<String> toArgs() {
            return List.of("--host", host, "--port", Integer.toString(port), "--store", store.toString(),
                    "--max-clients", Integer.toString(maxClients), "--max-line", Integer.toString(maxLine),
                    "--spares", Integer.toString(spares));
        }
    }

    private final ChildProcess process;
    private final Options options;
    private final String host;
    private final int port;
    private final StatusBoard board;
    private ServerStatus last;

    private EchoServer(ChildProcess process, Options options, String host, int port, StatusBoard board) {
        this.process = process;
        this.options = options;
        this.host = host;
        this.port = port;
        this.board = board;
    }

    /** Starts a server on a free port of 127.0.0.1, storing to echomsg.txt in the current folder. */
    public static EchoServer start() throws IOException {
        return start(Options.defaults().port(0));
    }

    /**
     * posix_spawn(3)s the server's JVM and waits for its {@code listening on HOST:PORT} line.
     * If it cannot start (port in use, store not writable), throws with the server's own
     * one-line reason.
     */
    public static EchoServer start(Options options) throws IOException {
        Path boardFile = Files.createTempFile("ipclab-echo-" + ProcessHandle.current().pid() + "-", ".status");
        OwnedFiles.register(boardFile);     // removed when the JVM exits, if stop() never runs
        List<String> args = new ArrayList<>(options.toArgs());
        args.add("--status-file");
        args.add(boardFile.toString());
        ChildProcess.Builder builder = EchoServerMain.jvm(ChildProcess.builder())
                .main(EchoServerMain.class, args.toArray(String[]::new))
                .showOutput(false)
                .timeout(STOP_LIMIT);
        if (!libraryIsAJar()) {
            // Run from a class folder (the library's own tests): jnr-posix is a separate jar.
            builder.classpath(System.getProperty("java.class.path"));
        }
        ChildProcess process = builder.start();
        try {
            long deadline = System.nanoTime() + START_LIMIT.toNanos();
            while (true) {
                String out = process.output();
                int at = out.indexOf(EchoServerMain.LISTENING);
                int eol = at < 0 ? -1 : out.indexOf('\n', at);
                if (eol > 0) {
                    String address = out.substring(at + EchoServerMain.LISTENING.length(), eol).strip();
                    int colon = address.lastIndexOf(':');
                    return new EchoServer(process, options, address.substring(0, colon),
                            Integer.parseInt(address.substring(colon + 1)), StatusBoard.map(boardFile));
                }
                ExitStatus exit = process.poll();
                // Read its output again: it may have printed its reason after the read above
                // (once reaped, its output is complete).
                if (exit != null) throw new IOException(reason(process.output(), exit));
                if (System.nanoTime() > deadline) {
                    process.kill();
                    throw new IOException("echo server did not start within " + START_LIMIT.toSeconds() + " s, so it was killed");
                }
                Thread.sleep(2);
            }
        } catch (IOException | RuntimeException e) {
            process.close();
            Files.deleteIfExists(boardFile);
            OwnedFiles.unregister(boardFile);
            throw e;
        } catch (InterruptedException e) {
            process.close();
            Files.deleteIfExists(boardFile);
            OwnedFiles.unregister(boardFile);
            throw new java.io.InterruptedIOException("interrupted while the echo server started; it was stopped");
        }
    }

    private static boolean libraryIsAJar() {
        try {
            return Files.isRegularFile(Paths.get(EchoServer.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (java.net.URISyntaxException | RuntimeException e) {
            return true;
        }
    }

    /** The server's own one-line reason ("echo-server: ..."), or what it printed as it failed. */
    private static String reason(String output, ExitStatus exit) {
        for (String line : output.split("\n")) if (line.startsWith("echo-server: ")) return line.strip();
        String out = output.strip();
        return "echo server " + exit.toString().replaceFirst("^child \\d+ ", "") + (out.isEmpty() ? "" : ": " + out);
    }

    /** The address it listens on, as it printed it. */
    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** The server process's pid. */
    public long pid() {
        return process.pid();
    }

    public Options options() {
        return options;
    }

    /** The store file. */
    public Path store() {
        return options.store();
    }

    /** True until the server process has exited. */
    public boolean isRunning() throws IOException {
        return process.poll() == null;
    }

    /** Connected clients, stored lines and more, as they are now (or were when it stopped). */
    public synchronized ServerStatus status() {
        if (last != null) return last;
        return board.snapshot();
    }

    /**
     * Waits until the status satisfies {@code condition} (the storing process writes a moment
     * after the echo), at most {@code limit}; returns the status it saw last.
     */
    public ServerStatus awaitStatus(Predicate<ServerStatus> condition, Duration limit) throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        ServerStatus s = status();
        while (!condition.test(s) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException("interrupted while waiting for the echo server's status");
            }
            s = status();
            if (!isRunning()) return s;
        }
        return s;
    }

    /** Waits (at most 10 s) until at least {@code lines} lines are stored. */
    public ServerStatus awaitStoredLines(long lines) throws IOException {
        return awaitStatus(s -> s.storedLines() >= lines, Duration.ofSeconds(10));
    }

    /** A client connected to this server. */
    public EchoClient connect() throws IOException {
        return EchoClient.connect(host, port);
    }

    /** Everything the server printed so far: its start line, and what it noticed. */
    public String log() {
        return process.output();
    }

    /**
     * kill(SIGTERM) and waitpid: the server stops its handlers, lets the storing process store
     * what is left, and exits. Returns its exit status.
     */
    public synchronized ExitStatus stop() throws IOException {
        if (process.poll() == null) {
            process.signal(ipclab.posix.Posix.SIGTERM);
            process.waitFor(STOP_LIMIT);
        }
        if (last == null) {
            last = board.snapshot();
            Files.deleteIfExists(board.path());
            OwnedFiles.unregister(board.path());
        }
        return process.status();
    }

    @Override
    public void close() throws IOException {
        stop();
    }

    @Override
    public String toString() {
        return "echo server pid " + pid() + " on " + host + ":" + port + " (" + status() + ")";
    }
}
