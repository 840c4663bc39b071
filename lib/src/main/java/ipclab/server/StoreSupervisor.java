package ipclab.server;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

import ipclab.language.Messages;
import ipclab.child.ChildProcess;
import ipclab.child.ExitStatus;
import ipclab.pipe.Pipe;

/**
 * The server's supervisor role: the storing process (see {@link MessageStore}). It starts it on
 * the read end of the frames pipe; when the {@link Reaper} finds it dead, it counts the bytes
 * that died with it (taken from the pipe, not yet in the file: the shared {@link StatusBoard}
 * outlives a process killed by SIGKILL), says so, and starts a new one on the same pipe. A
 * storing process that keeps exiting on its own (three times in a row, not killed by a signal)
 * is not restarted for ever: the server is asked to stop.
 */
final class StoreSupervisor {
    private final EchoServer.Options options;
    private final StatusBoard board;
    private final Pipe frames;
    private final PrintStream out;
    private final IntConsumer requestStop;
    private final Object spawning;
    private volatile boolean stopping;
    private ChildProcess store;
    private int failures;

    /** @param spawning held while a child is spawned (see {@link EchoServerMain}) */
    StoreSupervisor(EchoServer.Options options, StatusBoard board, Pipe frames, PrintStream out, IntConsumer requestStop,
            Object spawning) {
        this.options = options;
        this.board = board;
        this.frames = frames;
        this.out = out;
        this.requestStop = requestStop;
        this.spawning = spawning;
    }

    /** posix_spawn(3) of the storing JVM, which inherits the frames pipe's read end. */
    synchronized void start() throws IOException {
        start(false);
    }

    private void start(boolean restart) throws IOException {
        List<String> args = new ArrayList<>(List.of(Integer.toString(frames.readEnd().number()), options.store().toString(),
                board.path().toString(), Integer.toString(options.maxLine())));
        if (restart) args.add("--restart");
        synchronized (spawning) {
            store = ChildProcess.builder()
                    .main(MessageStore.class, args.toArray(String[]::new))
                    .inherit(frames.readEnd())
                    .jvmOption("-Xmx512m")
                    .showOutput(true)
                    .start();
        }
        board.set(StatusBoard.STORE_PID, store.pid());
    }

    /** waitpid(pid, WNOHANG): if the storing process died, restarts it on the same pipe. */
    synchronized void check() throws IOException {
        if (stopping || store.poll() == null) return;
        ExitStatus exit = store.status();
        long held = board.get(StatusBoard.CONSUMED) - board.get(StatusBoard.STORED) - board.get(StatusBoard.DISCARDED)
                - board.get(StatusBoard.LOST);
        board.add(StatusBoard.LOST, held);
        failures = exit.signal() == 0 ? failures + 1 : 0;
        if (failures >= 3) {
            out.println("echo-server: the storing process keeps failing (" + exit + "): " + EchoServerMain.lastLine(store.output()) + "; stopping");
            stopping = true;
            requestStop.accept(1);
            return;
        }
        long old = exit.pid();
        start(true);
        out.println("echo-server: " + Messages.text("server.store-died", old, EchoServerMain.describe(exit), held, store.pid()));
        out.flush();
        board.add(StatusBoard.STORE_RESTARTS, 1); // after the message, so a reader of the count also finds the message
    }

    /** It will end on its own now (end of file on the pipe): no more restarts. */
    void stopWatching() {
        stopping = true;
    }

    /**
     * Once the server has closed its write end (and every handler has exited), the storing process
     * reads to end of file, stores the rest and exits: waitpid for it, at most {@code limit}.
     * Returns null if it exited 0, otherwise one line saying how it ended.
     */
    String awaitEnd(Duration limit) throws IOException {
        ChildProcess s;
        synchronized (this) {
            stopping = true;
            s = store;
        }
        ExitStatus exit = s.waitFor(limit);
        return exit.success() ? null : "the storing process " + EchoServerMain.describe(exit) + ": " + EchoServerMain.lastLine(s.output());
    }
}
