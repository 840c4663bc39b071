package ipclab.server;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

import ipclab.language.Messages;
import ipclab.child.ChildProcess;
import ipclab.child.ExitStatus;
import ipclab.pipe.Fd;
import ipclab.pipe.Pipe;
import ipclab.posix.Posix;

/**
 * The server's pool role: the handler processes (see {@link EchoHandler}). It starts
 * {@code spares} of them before the server says it listens, and keeps that many (a handler that
 * exits is replaced), within the cap on handler processes; a handler serves one client at a
 * time and is then reused for the next, so the pool starts more only when the
 * {@link SpareKeeper} asks it to ({@link #grow}). It learns from the events pipe which handlers
 * took a client and which are free again; it reaps those that exited (the {@link Reaper} asks it
 * to) and stops them all when the server stops.
 * Handlers that exit as they start (a JVM that cannot start, say) would otherwise be replaced at
 * once, for ever: after three in a row it says why and asks the server to stop.
 */
final class HandlerPool {
    /** For maintainers: more options for handler JVMs, space-separated (a profiler's, say). */
    static final String JVM_OPTIONS = "ipclab.handler.jvmOptions";

    private final EchoServer.Options options;
    private final StatusBoard board;
    private final Fd listener;
    private final Pipe frames;
    private final Pipe events;
    private final PrintStream out;
    private final IntConsumer requestStop;
    private final Object spawning;
    private final Map<Integer, ChildProcess> starting = new LinkedHashMap<>();
    private final Map<Integer, ChildProcess> spares = new LinkedHashMap<>();
    private final Map<Integer, ChildProcess> busy = new LinkedHashMap<>();
    private volatile boolean stopping;
    private int startFailures; // handlers in a row that exited before they were ready
    private int nextId;
    private boolean filled; // the first spares are ready (or the server gave up waiting for them)
    private long lastFreed;

    /**
     * @param listener the listening socket, every handler's descriptor 0
     * @param frames the pipe to the storing process; handlers inherit its write end
     * @param events the pipe on which handlers say "ready", "took a client", "free again"
     * @param requestStop asks the server to stop, with this exit code
     * @param spawning held while a child is spawned (see {@link EchoServerMain})
     */
    HandlerPool(EchoServer.Options options, StatusBoard board, Fd listener, Pipe frames, Pipe events, PrintStream out,
            IntConsumer requestStop, Object spawning) {
        this.options = options;
        this.board = board;
        this.listener = listener;
        this.frames = frames;
        this.events = events;
        this.out = out;
        this.requestStop = requestStop;
        this.spawning = spawning;
    }

    private int wantedSpares() {
        return Math.min(options.spares(), options.maxClients());
    }

    /**
     * Starts handlers until the pool holds {@code spares} of them, within the cap on handler
     * processes. A busy handler counts: it comes back to accept() when its client leaves. More
     * handlers start only when clients wait (see {@link SpareKeeper} and {@link #grow}).
     */
    synchronized void fill() {
        while (!stopping && size() < wantedSpares() && size() < options.maxClients()) {
            if (!startOne()) break;
        }
        board.set(StatusBoard.SPARES, spares.size());
    }

    /**
     * Starts up to {@code n} more handlers, within the cap on handler processes: clients have
     * been waiting for one. Returns how many it started.
     */
    synchronized int grow(int n) {
        int started = 0;
        while (!stopping && started < n && size() < options.maxClients() && startOne()) started++;
        return started;
    }

    /** Handlers in accept() or starting: a client that arrives now will not wait for the pool to grow. */
    synchronized int free() {
        return spares.size() + starting.size();
    }

    /** System.nanoTime() when a handler last became free (its client left) or ready. */
    synchronized long lastFreed() {
        return lastFreed;
    }

    private int size() {
        return starting.size() + spares.size() + busy.size();
    }

    private boolean startOne() {
        try {
            spawn();
            return true;
        } catch (IOException e) {
            out.println("echo-server: " + Messages.text("server.handler-failed", e.getMessage()));
            return false;
        }
    }

    /** posix_spawn(3) of a handler JVM with the listening socket as descriptor 0 and both pipes' write ends. */
    private void spawn() throws IOException {
        int id = ++nextId;
        ChildProcess handler;
        synchronized (spawning) {
            handler = jvm(ChildProcess.builder())
                    .main(EchoHandler.class, Integer.toString(id), Integer.toString(frames.writeEnd().number()),
                            Integer.toString(events.writeEnd().number()), board.path().toString(), Integer.toString(wantedSpares()))
                    .stdin(listener)
                    .inherit(frames.writeEnd(), events.writeEnd())
                    .showOutput(true)
                    .start();
        }
        starting.put(id, handler);
        board.add(StatusBoard.HANDLERS_STARTED, 1);
    }

    /**
     * A handler JVM is small: a 16 MiB heap is plenty for echoing through one 4 KiB buffer, and
     * the serial collector has no threads of its own and the cheapest write barrier. Low
     * compile thresholds let its warm-up (see {@link EchoHandler}) compile the echo loop. It
     * reads the accepted socket's descriptor number (sun.nio.ch) to use it as a plain file.
     */
    static ChildProcess.Builder jvm(ChildProcess.Builder b) {
        b.jvmOption("-XX:-UseG1GC").jvmOption("-XX:+UseSerialGC").jvmOption("-Xmx16m").jvmOption("-Xss512k").jvmOption("-XX:ReservedCodeCacheSize=16m")
                .jvmOption("-XX:MaxMetaspaceSize=32m").jvmOption("-XX:CICompilerCount=1")
                .jvmOption("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED")
                .jvmOption("-XX:CompileThresholdScaling=0.05");
        for (String option : System.getProperty(JVM_OPTIONS, "").split(" ")) {
            if (!option.isEmpty()) b.jvmOption(option);
        }
        return b;
    }

    /**
     * Reads the handlers' events until the events pipe ends: a spare that accepted a client is
     * busy (start the next spare), a busy one that is free again is a spare. Runs in its own thread.
     */
    void readEvents() {
        byte[] record = new byte[8];
        try {
            // Not closed here: the descriptor belongs to the events pipe, which the server closes.
            FileInputStream in = new FileInputStream(Inherited.descriptor(events.readEnd().number()));
            while (!stopping) {
                int got = 0;
                while (got < 8) {
                    int n = in.read(record, got, 8 - got);
                    if (n < 0) return;
                    got += n;
                }
                ByteBuffer b = ByteBuffer.wrap(record);
                event(b.getInt(), b.getInt());
            }
        } catch (IOException e) {
            if (!stopping) out.println("echo-server: lost the events pipe: " + e.getMessage());
        }
    }

    private synchronized void event(int id, int event) {
        if (event == EchoHandler.READY) {
            ChildProcess handler = starting.remove(id);
            if (handler != null) spares.put(id, handler);
            startFailures = 0;
            lastFreed = System.nanoTime();
            if (spares.size() >= wantedSpares()) filled = true;
            notifyAll();
        } else if (event == EchoHandler.ACCEPTED) {
            ChildProcess handler = spares.remove(id);
            if (handler == null) handler = starting.remove(id);
            if (handler != null) busy.put(id, handler);
        } else if (event == EchoHandler.FREE) {
            ChildProcess handler = busy.remove(id);
            if (handler != null) spares.put(id, handler);
            lastFreed = System.nanoTime();
        }
        fill(); // sets the spares' slot: a reader that sees the new count of connected clients sees it too
        board.set(StatusBoard.CONNECTED, busy.size());
    }

    /**
     * Waits until the first {@code spares} handlers are ready in accept() (at most {@code limit}),
     * so that the first clients meet warm handlers instead of JVMs that are starting.
     */
    synchronized boolean awaitSpares(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!stopping && !filled) {
            long left = deadline - System.nanoTime();
            if (left <= 0) break;
            java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        filled = true;
        return spares.size() >= wantedSpares();
    }

    /** waitpid(pid, WNOHANG) for each handler: reaps those that exited, and starts spares in their place. */
    synchronized void reapExited() throws IOException {
        List<ChildProcess> unready = reap(starting);
        boolean reaped = !reap(busy).isEmpty() | !reap(spares).isEmpty() | !unready.isEmpty();
        if (!unready.isEmpty()) countStartFailures(unready);
        if (reaped) {
            fill();
            board.set(StatusBoard.CONNECTED, busy.size());
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

    private void countStartFailures(List<ChildProcess> unready) {
        startFailures += unready.size();
        if (startFailures < 3) return;
        ChildProcess last = unready.get(unready.size() - 1);
        String why = last.output().strip();
        out.println("echo-server: handler processes exit as they start (" + EchoServerMain.describe(last.status()) + "): "
                + (why.isEmpty() ? "no output" : why.lines().findFirst().orElse("")) + "; stopping");
        requestStop.accept(1);
    }

    /** No more handlers start from now on: the server is stopping. */
    synchronized void refuseNew() {
        stopping = true;
        notifyAll();
    }

    /** kill(SIGTERM) to every handler, then waitpid for each (at most {@code limit} each). */
    void stopAll(Duration limit) throws IOException {
        List<ChildProcess> children;
        synchronized (this) {
            stopping = true;
            children = new ArrayList<>(busy.values());
            children.addAll(spares.values());
            children.addAll(starting.values());
        }
        for (ChildProcess h : children) h.signal(Posix.SIGTERM);
        for (ChildProcess h : children) h.waitFor(limit);
        synchronized (this) {
            busy.clear();
            spares.clear();
            starting.clear();
            board.set(StatusBoard.CONNECTED, 0);
            board.set(StatusBoard.SPARES, 0);
        }
    }
}
