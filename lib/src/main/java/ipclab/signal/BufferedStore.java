package ipclab.signal;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;

import static ipclab.language.Messages.text;

/**
 * The storing process's side of a {@link StoreFile}: lines go into a {@link BufferedWriter}
 * (8192 characters in memory) and reach the file only at {@link #flushAndClose()}, as stdio's
 * {@code fwrite()} does without {@code fflush()}. A process that dies before that loses them.
 * Each step is also written to the status file, so the notebook's JVM can tell how far it got.
 *
 * <p>Thread-safe: a signal handler runs in a thread of its own, beside the thread that stores.
 */
public final class BufferedStore {
    private final StoreFile file;
    private final BufferedWriter out;
    private int count;
    private boolean closed;

    private BufferedStore(StoreFile file, BufferedWriter out) {
        this.file = file;
        this.out = out;
    }

    /**
     * open(store.txt, O_WRONLY|O_TRUNC), as the book's storing process does with
     * {@code fopen(store, "wt")}: each run starts with an empty file, and a buffer in front of it.
     */
    public static BufferedStore open(StoreFile file) throws IOException {
        if (!file.exists()) throw new IOException(text("signal.store.removed", file));
        BufferedStore store = new BufferedStore(file, Files.newBufferedWriter(file.path(), StandardCharsets.UTF_8,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING));
        store.status("opened");
        return store;
    }

    /** Appends one line to the buffer (not to the file). */
    public synchronized void add(String line) throws IOException {
        if (closed) throw new IOException(text("signal.store.closed"));
        out.write(line);
        out.newLine();
        count++;
        status("buffered " + count);
    }

    /** Buffers every line, then says so in the status file. */
    public void addAll(List<String> lines) throws IOException {
        for (String line : lines) add(line);
    }

    /** Lines buffered or stored so far. */
    public synchronized int count() {
        return count;
    }

    /** True once {@link #flushAndClose()} ran. */
    public synchronized boolean isClosed() {
        return closed;
    }

    /**
     * write(2) of everything buffered, then close(2), and the status file says which thread did
     * it ({@code "SIGTERM handler"} when a handler did). Harmless when called twice.
     */
    public synchronized void flushAndClose() {
        if (closed) return;
        try {
            out.close(); // flushes first
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        closed = true;
        status("flushed " + count + " in " + Thread.currentThread().getName());
        notifyAll();
    }

    /**
     * Waits until {@link #flushAndClose()} has run (in a signal handler, say), at most
     * {@code limit}. Returns false when the limit struck first.
     */
    public synchronized boolean awaitClosed(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!closed) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return false;
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    private void status(String s) {
        try {
            Files.writeString(file.statusPath(), s + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
