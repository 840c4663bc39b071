package ipclab.server;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The server's reaper role, the fixed SIGCHLD handler: every 10 ms, waitpid(pid, WNOHANG) for
 * each child, so every exited child is reaped, however many exited at once (the book's handler
 * reaps one per signal, and signals that arrive together are merged). Handlers are the
 * {@link HandlerPool}'s to reap and replace; the storing process is the {@link StoreSupervisor}'s.
 */
final class Reaper implements Runnable {
    static final Duration EVERY = Duration.ofMillis(10);

    private final HandlerPool handlers;
    private final StoreSupervisor store;
    private final BooleanSupplier stopping;
    private final PrintStream out;

    Reaper(HandlerPool handlers, StoreSupervisor store, BooleanSupplier stopping, PrintStream out) {
        this.handlers = handlers;
        this.store = store;
        this.stopping = stopping;
        this.out = out;
    }

    @Override
    public void run() {
        while (!stopping.getAsBoolean()) {
            try {
                handlers.reapExited();
                if (!stopping.getAsBoolean()) store.check();
            } catch (IOException e) {
                out.println("echo-server: " + e.getMessage());
            }
            try {
                Thread.sleep(EVERY.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
