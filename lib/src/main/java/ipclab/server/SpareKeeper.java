package ipclab.server;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The server's growing role: it decides when the {@link HandlerPool} starts more handlers than
 * its spares. A handler serves one client at a time, then takes the next from the listen queue
 * (a pre-forked server), so a burst of short clients is served by the handlers that are
 * already warm, one client after another. Starting a JVM costs a couple of tenths of a second
 * of CPU, taken from the handlers that serve the burst; so the pool grows only when clients
 * have waited in the listen queue {@link #WAIT_LIMIT} while no handler came free (clients that
 * stay connected, say). It then starts one handler, then two, four, ... (as Apache's prefork
 * server does), up to the cap on handler processes, until no client waits.
 *
 * <p>Whether a client waits is one poll(2) on the listening socket, readable while its accept
 * queue holds a connection. How many wait is read from /proc/net/tcp only when the pool is about
 * to grow: parsing that table every {@link #EVERY} cost the server's JVM a fifth of a second of
 * CPU (most of it compiling the parser) in a burst of 16 clients, taken from the handlers.
 */
final class SpareKeeper implements Runnable {
    static final Duration EVERY = Duration.ofMillis(50);
    /** How long clients wait, with no handler coming free, before the pool grows. */
    static final Duration WAIT_LIMIT = Duration.ofMillis(500);
    private static final int MOST_AT_ONCE = 16;

    private final HandlerPool pool;
    private final int listenerFd;
    private final int port;
    private final BooleanSupplier stopping;
    private long waitingSince; // System.nanoTime() since when clients wait and no handler is free; 0: none wait
    private int step = 1;

    SpareKeeper(HandlerPool pool, int listenerFd, int port, BooleanSupplier stopping) {
        this.pool = pool;
        this.listenerFd = listenerFd;
        this.port = port;
        this.stopping = stopping;
    }

    @Override
    public void run() {
        while (!stopping.getAsBoolean()) {
            check();
            try {
                Thread.sleep(EVERY.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void check() {
        if (pool.free() > 0) { // a handler is in accept() or starting: it will take the next client
            waitingSince = 0;
            return;
        }
        if (!Listener.clientWaits(listenerFd)) {
            waitingSince = 0;
            step = 1;
            return;
        }
        long now = System.nanoTime();
        if (waitingSince == 0 || pool.lastFreed() > waitingSince) { // the clock starts, or starts again
            waitingSince = now;
            return;
        }
        if (now - waitingSince < WAIT_LIMIT.toNanos()) return;
        int waiting = Listener.waitingClients(port); // -1: unknown, so one step
        pool.grow(waiting <= 0 ? step : Math.min(step, waiting));
        step = Math.min(step * 2, MOST_AT_ONCE);
        waitingSince = 0;
    }
}
