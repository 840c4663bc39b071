package ipclab.server;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import ipclab.language.Messages;
import ipclab.child.ChildProcess;
import ipclab.child.ExitStatus;
import ipclab.pipe.Fd;
import ipclab.pipe.Pipe;

/**
 * The echo server process, the book's {@code echo_storeserv.c} with its bugs fixed.
 *
 * <pre>
 *   server (this JVM)
 *   ├─ Listener         socket(), bind(127.0.0.1), listen(): every handler inherits the socket
 *   ├─ HandlerPool      spare handler JVMs in accept(), busy ones serving a client (events pipe)
 *   ├─ StoreSupervisor  the storing process on the frames pipe; restarted if it dies
 *   └─ Reaper           waitpid(pid, WNOHANG) for every child, every 10 ms
 *
 *   clients ──TCP──▶ handlers ──frames, each one atomic write(2) of ≤ 4096 bytes──▶ pipe
 *                    pipe ──▶ storing process ──▶ echomsg.txt
 * </pre>
 *
 * <p>This class puts the roles together: it creates the listening socket, the frames pipe and
 * the events pipe, starts the storing process and the spare handlers, says it listens once the
 * spares wait in accept() (a first burst of clients meets warm handlers), and waits for SIGTERM
 * or SIGINT. The server keeps a copy of both ends of the frames pipe: of the write end so that new
 * handlers can inherit it, of the read end so that the pipe, and the bytes in it, outlive a
 * storing process that dies. To stop, it stops the handlers, closes its write end so that the
 * storing process reads to end of file and stores the rest, reaps it, and exits 0.
 */
public final class EchoServerMain {
    static final String LISTENING = "listening on ";
    /** How long the server waits for its first spare handlers before it says it listens anyway. */
    static final Duration SPARES_LIMIT = Duration.ofSeconds(10);
    /** For maintainers: more options for handler JVMs, space-separated (see {@link HandlerPool#JVM_OPTIONS}). */
    static final String HANDLER_JVM_OPTIONS = HandlerPool.JVM_OPTIONS;

    private final EchoServer.Options options;
    private final StatusBoard board;
    private final boolean ownBoard;
    private final ServerSocketChannel listener;
    private final int listenerFd; // the listening socket's descriptor number: the handlers' fd 0, and what SpareKeeper polls
    private final Pipe frames;
    private final Pipe events;
    private final PrintStream out = System.out;
    private final HandlerPool handlers;
    private final StoreSupervisor store;
    /**
     * Held while a child is spawned. A spawn closes in the child every descriptor it finds open
     * and not meant for it; a pipe made meanwhile by another thread's spawn (for that child's
     * output) would slip through, so the pool and the supervisor never spawn at once.
     */
    private final Object spawning = new Object();
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile int exitCode;

    private EchoServerMain(EchoServer.Options options, StatusBoard board, boolean ownBoard, ServerSocketChannel listener,
            Pipe frames, Pipe events) throws IOException {
        this.options = options;
        this.board = board;
        this.ownBoard = ownBoard;
        this.listener = listener;
        this.listenerFd = fdOf(listener);
        this.frames = frames;
        this.events = events;
        this.handlers = new HandlerPool(options, board, Fd.of(listenerFd), frames, events, out, this::requestStop, spawning);
        this.store = new StoreSupervisor(options, board, frames, out, this::requestStop, spawning);
    }

    /** The JVM options a server process needs: it reads a socket's descriptor number. */
    static ChildProcess.Builder jvm(ChildProcess.Builder b) {
        return b.jvmOption("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED").jvmOption("-Xmx256m");
    }

    public static void main(String[] args) {
        String statusFile = null;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--status-file") && i + 1 < args.length) statusFile = args[++i];
            else rest.add(args[i]);
        }
        EchoServer.Options options;
        try {
            options = EchoServer.Options.parse(rest.toArray(String[]::new));
        } catch (IllegalArgumentException e) {
            fail(2, e.getMessage());
            return;
        }
        if (!options.host().contains(":")) {
            // An IPv4 address: a plain IPv4 socket, not the JDK's default IPv6 one with mapped
            // addresses, which costs the OS kernel a little more per packet. Read before the
            // JDK's networking starts, so it must be set first.
            System.setProperty("java.net.preferIPv4Stack", "true");
        }
        try {
            run(options, statusFile);
        } catch (StartException e) {
            fail(1, e.getMessage());
        } catch (IOException | RuntimeException e) {
            fail(1, String.valueOf(e.getMessage() == null ? e : e.getMessage()));
        }
    }

    private static void fail(int code, String message) {
        System.err.println("echo-server: " + message);
        System.out.flush();
        System.exit(code);
    }

    /** A reason the server cannot start, in one line. */
    static final class StartException extends IOException {
        private static final long serialVersionUID = 1L;

        StartException(String message) {
            super(message);
        }
    }

    private static void run(EchoServer.Options options, String statusFile) throws IOException {
        ServerSocketChannel listener = Listener.listen(options.host(), options.port());
        try {
            Listener.checkWritable(options.store()); // after listen(): a port in use leaves no empty store file behind
        } catch (StartException e) {
            close(listener);
            throw e;
        }
        boolean ownBoard = statusFile == null;
        Path boardPath = ownBoard ? Files.createTempFile("echo-server-", ".status") : Path.of(statusFile);
        StatusBoard board = StatusBoard.map(boardPath);
        board.set(StatusBoard.MAGIC, StatusBoard.MAGIC_VALUE);
        board.set(StatusBoard.SERVER_PID, ProcessHandle.current().pid());
        InetSocketAddress bound = (InetSocketAddress) listener.getLocalAddress();
        board.set(StatusBoard.PORT, bound.getPort());
        EchoServerMain server = new EchoServerMain(options, board, ownBoard, listener, Pipe.open(), Pipe.open());
        server.store.start();
        server.serve(LISTENING + bound.getAddress().getHostAddress() + ":" + bound.getPort(), bound.getPort());
    }

    static void close(AutoCloseable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (Exception ignored) {
            // Closing on the way out: nothing else to do.
        }
    }

    private void serve(String listening, int port) {
        installSignalHandlers();
        Thread eventReader = new Thread(handlers::readEvents, "echo-events");
        eventReader.setDaemon(true);
        eventReader.start();
        Thread reaper = new Thread(new Reaper(handlers, store, () -> stopping, out), "echo-reaper");
        reaper.setDaemon(true);
        reaper.start();
        handlers.fill();
        Thread keeper = new Thread(new SpareKeeper(handlers, listenerFd, port, () -> stopping), "echo-spares");
        keeper.setDaemon(true);
        keeper.start();
        try {
            handlers.awaitSpares(SPARES_LIMIT);
            if (!stopping) {
                out.println(listening);
                out.flush();
            }
            stopRequested.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        shutdown();
    }

    /** "exited with status 0", "was killed by SIGKILL": an exit status without its "child PID". */
    static String describe(ExitStatus exit) {
        String s = exit.toString();
        return s.startsWith("child ") ? s.substring(s.indexOf(' ', 6) + 1) : s;
    }

    static String lastLine(String text) {
        String t = text.strip();
        int nl = t.lastIndexOf('\n');
        return nl < 0 ? t : t.substring(nl + 1);
    }

    private void installSignalHandlers() {
        for (String name : List.of("TERM", "INT")) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> requestStop(0));
            } catch (IllegalArgumentException e) {
                // The signal is reserved here (java -Xrs): the JVM's own shutdown still kills the children.
            }
        }
    }

    /** Wakes the main thread, which stops the server; closing the listening socket stops new accepts at once. */
    private void requestStop(int code) {
        synchronized (stopRequested) {
            if (stopRequested.getCount() == 0) return;
            exitCode = code;
            stopping = true;
        }
        handlers.refuseNew();
        store.stopWatching();
        close(listener);
        stopRequested.countDown();
    }

    /**
     * Stops cleanly: no more accepts; handlers get SIGTERM and are reaped; the server closes its
     * write end, so the storing process reads to end of file, stores the rest, and exits.
     */
    private void shutdown() {
        int code = exitCode;
        try {
            handlers.stopAll(Duration.ofSeconds(3));
            events.writeEnd().close(); // the event reader sees end of file and stops
            frames.writeEnd().close();
            String storeTrouble = store.awaitEnd(Duration.ofSeconds(15));
            if (storeTrouble != null) {
                out.println("echo-server: " + storeTrouble);
                code = code == 0 ? 1 : code;
            }
            frames.close();
            events.close();
            out.println("echo-server: " + Messages.text("server.stopped", board.get(StatusBoard.LINES), options.store()));
        } catch (IOException | RuntimeException e) {
            out.println("echo-server: while stopping: " + e.getMessage());
            code = 1;
        }
        board.set(StatusBoard.STOPPED, 1);
        if (ownBoard) {
            try {
                Files.deleteIfExists(board.path());
            } catch (IOException ignored) {
                // A temporary file: the system cleans it up eventually.
            }
        }
        out.flush();
        System.exit(code);
    }

    /** The descriptor number of a JDK socket channel (sun.nio.ch), to hand it to a child or use it as a file. */
    static int fdOf(java.nio.channels.Channel channel) throws IOException {
        try {
            java.lang.reflect.Method getFDVal = Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal");
            getFDVal.setAccessible(true);
            return (int) getFDVal.invoke(channel);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IOException("cannot read the socket's descriptor number"
                    + " (run with --add-opens java.base/sun.nio.ch=ALL-UNNAMED; java -jar ipclab.jar adds it): " + e);
        }
    }
}
