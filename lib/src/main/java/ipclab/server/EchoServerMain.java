package ipclab.server;

import java.io.IOException;
import java.io.PrintStream;
import java.io.FileInputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import ipclab.child.ChildProcess;
import ipclab.child.ExitStatus;
import ipclab.pipe.Fd;
import ipclab.pipe.Pipe;
import ipclab.posix.Posix;

/**
 * The echo server process, the book's {@code echo_storeserv.c} with its bugs fixed.
 *
 * <pre>
 *            ┌──────────────────── server (this JVM) ─────────────────────┐
 *            │ listening socket          events pipe ◀── "I took a client"│
 *   clients ─┼──TCP──▶ handler 1 (accept()ed) ──┐                        │
 *            │         handler 2 (accept()ed) ──┤ frames: each one atomic │
 *            │         spare handler, in accept()│ write(2) of ≤ 4096 bytes│
 *            │                                  ▼                        │
 *            │                pipe ──▶ storing process ──▶ echomsg.txt   │
 *            └────────────────────────────────────────────────────────────┘
 * </pre>
 *
 * <p>It creates the listening socket, the pipe and the storing process, then keeps a few spare
 * handler JVMs started, each inheriting the listening socket as descriptor 0 and the pipe's
 * write end (see {@link EchoHandler}). The server keeps a copy of both pipe ends: of the write
 * end so that new handlers can inherit it, of the read end so that the pipe, and the bytes in
 * it, outlive a storing process that dies (it is restarted on the same pipe). It reaps every
 * child that exits, caps the number of handlers, and on SIGTERM or SIGINT stops the handlers,
 * lets the storing process store the rest, and exits 0.
 */
public final class EchoServerMain {
    static final String LISTENING = "listening on ";
    private static final Duration REAP_EVERY = Duration.ofMillis(10);

    private final EchoServer.Options options;
    private final StatusBoard board;
    private final boolean ownBoard;
    private final ServerSocketChannel listener;
    private final Pipe pipe;
    private final PrintStream out = System.out;
    private final Fd listenerFd;
    private final Pipe events;
    private final Map<Integer, ChildProcess> starting = new LinkedHashMap<>();
    private final Map<Integer, ChildProcess> spares = new LinkedHashMap<>();
    private final Map<Integer, ChildProcess> busy = new LinkedHashMap<>();
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile int exitCode;
    private ChildProcess store;
    private int storeFailures;
    private int handlerStartFailures; // handlers in a row that exited before they were ready
    private int nextConnection;

    private EchoServerMain(EchoServer.Options options, StatusBoard board, boolean ownBoard, ServerSocketChannel listener,
            Pipe pipe, Pipe events) throws IOException {
        this.options = options;
        this.board = board;
        this.ownBoard = ownBoard;
        this.listener = listener;
        this.listenerFd = Fd.of(fdOf(listener));
        this.pipe = pipe;
        this.events = events;
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
            // addresses, which costs the OS kernel a little more per packet. Read before the JDK's
            // networking starts, so it must be set first.
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
    private static final class StartException extends IOException {
        private static final long serialVersionUID = 1L;

        StartException(String message) {
            super(message);
        }
    }

    private static void run(EchoServer.Options options, String statusFile) throws IOException {
        ServerSocketChannel listener = listen(options.host(), options.port());
        try {
            checkWritable(options.store()); // after listen(): a port in use leaves no empty store file behind
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
        server.startStore(false);
        server.out.println(LISTENING + bound.getAddress().getHostAddress() + ":" + bound.getPort());
        server.out.flush();
        server.serve();
    }

    private static void checkWritable(Path store) throws StartException {
        try (FileChannel ignored = FileChannel.open(store, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            // Opened for appending: the storing process will be able to write it.
        } catch (AccessDeniedException e) {
            throw new StartException("cannot write the store file " + store + ": permission denied");
        } catch (NoSuchFileException e) {
            throw new StartException("cannot write the store file " + store + ": no such folder");
        } catch (FileSystemException e) {
            throw new StartException("cannot write the store file " + store + ": "
                    + (e.getReason() != null ? e.getReason().toLowerCase() : e.getMessage()));
        } catch (IOException e) {
            throw new StartException("cannot write the store file " + store + ": " + e.getMessage());
        }
    }

    /** socket(2), bind(2), listen(2). */
    private static ServerSocketChannel listen(String host, int port) throws StartException {
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) throw new StartException("cannot listen on " + host + ": unknown host");
        ServerSocketChannel ch = null;
        try {
            ch = ServerSocketChannel.open();
            ch.bind(address, 1024);
            return ch;
        } catch (BindException e) {
            close(ch);
            String why = e.getMessage() != null && e.getMessage().contains("in use") ? "address already in use" : lower(e.getMessage());
            throw new StartException("cannot listen on " + host + ":" + port + ": " + why);
        } catch (IOException e) {
            close(ch);
            throw new StartException("cannot listen on " + host + ":" + port + ": " + lower(e.getMessage()));
        }
    }

    private static String lower(String s) {
        if (s == null) return "failed";
        int paren = s.indexOf(" (");
        s = paren > 0 ? s.substring(0, paren) : s;
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }

    private static void close(AutoCloseable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (Exception ignored) {
            // Closing on the way out: nothing else to do.
        }
    }

    private void serve() throws IOException {
        installSignalHandlers();
        Thread events = new Thread(this::eventLoop, "echo-events");
        events.setDaemon(true);
        events.start();
        Thread reaper = new Thread(this::reapLoop, "echo-reaper");
        reaper.setDaemon(true);
        reaper.start();
        synchronized (this) {
            startSpares();
        }
        try {
            stopRequested.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        shutdown();
    }

    /** Keeps {@code spares} handlers waiting in accept() (or starting), within the cap on handler processes. */
    private synchronized void startSpares() {
        while (!stopping && starting.size() + spares.size() < Math.min(options.spares(), options.maxClients())
                && starting.size() + spares.size() + busy.size() < options.maxClients()) {
            try {
                spawnHandler();
            } catch (IOException e) {
                out.println("echo-server: could not start a handler: " + e.getMessage());
                return;
            }
        }
        board.set(StatusBoard.SPARES, spares.size());
    }

    private void spawnHandler() throws IOException {
        int connection = ++nextConnection;
        ChildProcess handler = handlerJvm(ChildProcess.builder())
                .main(EchoHandler.class, Integer.toString(connection), Integer.toString(pipe.writeEnd().number()),
                        Integer.toString(events.writeEnd().number()), board.path().toString(),
                        Integer.toString(Math.min(options.spares(), options.maxClients())))
                .stdin(listenerFd)
                .inherit(pipe.writeEnd(), events.writeEnd())
                .showOutput(true)
                .start();
        starting.put(connection, handler);
        board.add(StatusBoard.HANDLERS_STARTED, 1);
    }

    /** Reads the handlers' events: a spare that accepted a client is busy (start the next spare), a busy one that is free again is a spare. */
    private void eventLoop() {
        byte[] record = new byte[8];
        try {
            // Not closed here: the descriptor belongs to the events pipe, which shutdown() closes.
            FileInputStream in = new FileInputStream(Inherited.descriptor(events.readEnd().number()));
            while (!stopping) {
                int got = 0;
                while (got < 8) {
                    int n = in.read(record, got, 8 - got);
                    if (n < 0) return;
                    got += n;
                }
                ByteBuffer b = ByteBuffer.wrap(record);
                int id = b.getInt();
                int event = b.getInt();
                synchronized (this) {
                    if (event == EchoHandler.READY) {
                        ChildProcess handler = starting.remove(id);
                        if (handler != null) spares.put(id, handler);
                        handlerStartFailures = 0;
                    } else if (event == EchoHandler.ACCEPTED) {
                        ChildProcess handler = spares.remove(id);
                        if (handler == null) handler = starting.remove(id);
                        if (handler != null) busy.put(id, handler);
                    } else if (event == EchoHandler.FREE) {
                        ChildProcess handler = busy.remove(id);
                        if (handler != null) spares.put(id, handler);
                    }
                    board.set(StatusBoard.CONNECTED, busy.size());
                    startSpares();
                }
            }
        } catch (IOException e) {
            if (!stopping) out.println("echo-server: lost the events pipe: " + e.getMessage());
        }
    }

    /**
     * A handler JVM is small: a 16 MiB heap is plenty for echoing through one 4 KiB buffer, and
     * the serial collector has no threads of its own and the cheapest write barrier. Low
     * compile thresholds let its warm-up (see {@link EchoHandler}) compile the echo loop. It
     * reads the accepted socket's descriptor number (sun.nio.ch) to use it as a plain file.
     */
    static final String HANDLER_JVM_OPTIONS = "ipclab.handler.jvmOptions";

    static ChildProcess.Builder handlerJvm(ChildProcess.Builder b) {
        b.jvmOption("-XX:-UseG1GC").jvmOption("-XX:+UseSerialGC").jvmOption("-Xmx16m").jvmOption("-Xss512k").jvmOption("-XX:ReservedCodeCacheSize=16m")
                .jvmOption("-XX:MaxMetaspaceSize=32m").jvmOption("-XX:CICompilerCount=1")
                .jvmOption("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED")
                .jvmOption("-XX:CompileThresholdScaling=0.05");
        // For maintainers: more options for handler JVMs, space-separated (a profiler's, say).
        for (String option : System.getProperty(HANDLER_JVM_OPTIONS, "").split(" ")) {
            if (!option.isEmpty()) b.jvmOption(option);
        }
        return b;
    }

    private void startStore(boolean restart) throws IOException {
        List<String> args = new ArrayList<>(List.of(Integer.toString(pipe.readEnd().number()), options.store().toString(),
                board.path().toString(), Integer.toString(options.maxLine())));
        if (restart) args.add("--restart");
        store = ChildProcess.builder()
                .main(MessageStore.class, args.toArray(String[]::new))
                .inherit(pipe.readEnd())
                .jvmOption("-Xmx512m")
                .showOutput(true)
                .start();
        board.set(StatusBoard.STORE_PID, store.pid());
    }

    /**
     * The fixed SIGCHLD handler: every 10 ms, waitpid(pid, WNOHANG) for each child, so every
     * exited child is reaped, however many exited at once. A storing process that died is
     * restarted on the same pipe.
     */
    private void reapLoop() {
        while (!stopping) {
            try {
                synchronized (this) {
                    List<ChildProcess> unready = reap(starting);
                    boolean reaped = !reap(busy).isEmpty() | !reap(spares).isEmpty() | !unready.isEmpty();
                    if (!unready.isEmpty()) countStartFailures(unready);
                    if (reaped) {
                        board.set(StatusBoard.CONNECTED, busy.size());
                        startSpares();
                    }
                    if (!stopping && store.poll() != null) storeDied();
                }
            } catch (IOException e) {
                out.println("echo-server: " + e.getMessage());
            }
            sleep(REAP_EVERY.toMillis());
        }
    }

    /** Reaps the children of one group that have exited; returns them. */
    private static List<ChildProcess> reap(Map<Integer, ChildProcess> children) throws IOException {
        List<ChildProcess> exited = new ArrayList<>();
        for (Iterator<ChildProcess> it = children.values().iterator(); it.hasNext(); ) {
            ChildProcess child = it.next();
            if (child.poll() != null) {
                it.remove();
                exited.add(child);
            }
        }
        return exited;
    }

    /**
     * Handlers that exit before they are ready (a JVM that cannot start, say) would otherwise be
     * replaced at once, for ever: after three in a row the server says why and stops.
     */
    private void countStartFailures(List<ChildProcess> unready) {
        handlerStartFailures += unready.size();
        if (handlerStartFailures < 3) return;
        ChildProcess last = unready.get(unready.size() - 1);
        String why = last.output().strip();
        out.println("echo-server: handler processes exit as they start (" + describe(last.status()) + "): "
                + (why.isEmpty() ? "no output" : why.lines().findFirst().orElse("")) + "; stopping");
        requestStop(1);
    }

    private void storeDied() throws IOException {
        ExitStatus exit = store.status();
        long held = board.get(StatusBoard.CONSUMED) - board.get(StatusBoard.STORED) - board.get(StatusBoard.DISCARDED)
                - board.get(StatusBoard.LOST);
        board.add(StatusBoard.LOST, held);
        storeFailures = exit.signal() == 0 ? storeFailures + 1 : 0;
        if (storeFailures >= 3) {
            out.println("echo-server: the storing process keeps failing (" + exit + "): " + lastLine(store.output()) + "; stopping");
            requestStop(1);
            return;
        }
        long old = exit.pid();
        startStore(true);
        out.println("echo-server: the storing process " + old + " died (" + describe(exit) + "); "
                + held + " bytes it held could not be stored; restarted it as " + store.pid());
        out.flush();
        board.add(StatusBoard.STORE_RESTARTS, 1); // after the message, so a reader of the count also finds the message
    }

    private static String describe(ExitStatus exit) {
        String s = exit.toString();
        return s.startsWith("child ") ? s.substring(s.indexOf(' ', 6) + 1) : s;
    }

    private static String lastLine(String text) {
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
        close(listener);
        stopRequested.countDown();
    }

    /**
     * Stops cleanly: no more accepts; handlers get SIGTERM and are reaped; the server closes its
     * write end, so the storing process reads to end of file, stores the rest, and exits.
     */
    private void shutdown() {
        int code = exitCode;
        List<ChildProcess> children;
        synchronized (this) {
            children = new ArrayList<>(busy.values());
            children.addAll(spares.values());
            children.addAll(starting.values());
        }
        try {
            for (ChildProcess h : children) h.signal(Posix.SIGTERM);
            for (ChildProcess h : children) h.waitFor(Duration.ofSeconds(3));
            synchronized (this) {
                busy.clear();
                spares.clear();
                starting.clear();
                board.set(StatusBoard.CONNECTED, 0);
                board.set(StatusBoard.SPARES, 0);
            }
            events.writeEnd().close(); // the event reader sees end of file and stops
            pipe.writeEnd().close();
            ExitStatus storeExit = store.waitFor(Duration.ofSeconds(15));
            if (!storeExit.success()) {
                out.println("echo-server: the storing process " + describe(storeExit) + ": " + lastLine(store.output()));
                code = code == 0 ? 1 : code;
            }
            pipe.close();
            events.close();
            out.println("echo-server: stopped; " + board.get(StatusBoard.LINES) + " lines stored in " + options.store());
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

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
