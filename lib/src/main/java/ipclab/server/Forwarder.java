package ipclab.server;

import java.io.FileOutputStream;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A handler's side of the pipe to the storing process. It wraps each read's bytes in a frame
 * (see {@link Frames}) and batches frames: one write(2) carries several frames, never more
 * than PIPE_BUF bytes, so each write stays atomic. A batch goes out when the next frame would
 * not fit, when it holds half of PIPE_BUF, or when its first frame is {@link #LINGER_MILLIS} ms
 * old. If no more frames come to push it out, a small thread that looks every
 * {@link #CHECK_MILLIS} ms does. Under load this saves most of the pipe writes and most of the
 * storing process's wake-ups; a lone line reaches the store within {@link #CHECK_MILLIS} ms.
 */
final class Forwarder implements AutoCloseable {
    static final long LINGER_MILLIS = 5;
    static final long CHECK_MILLIS = 20;
    private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(LINGER_MILLIS);
    private static final long CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(CHECK_MILLIS);
    private static final byte[] NOTHING = new byte[0];

    private final FileOutputStream pipe;
    private final int connection;
    private final ReentrantLock lock = new ReentrantLock();
    private final byte[] batch = new byte[Frames.PIPE_BUF];
    private int size;
    private long firstAt;
    private boolean atLineStart = true;
    private final Thread flusher;
    private volatile boolean closed;

    Forwarder(FileOutputStream pipe, int connection) {
        this.pipe = pipe;
        this.connection = connection;
        this.flusher = new Thread(this::flushLoop, "echo-forwarder");
        flusher.setDaemon(true);
        flusher.start();
    }

    /** Frames {@code bytes[0..n)} (n <= {@link Frames#MAX_PAYLOAD}) for the storing process. */
    void forward(byte[] bytes, int n) throws IOException {
        int flags = atLineStart ? 0 : Frames.CONTINUES;
        atLineStart = bytes[n - 1] == '\n';
        lock.lock();
        try {
            if (Frames.PIPE_BUF - size < Frames.HEADER + n) flush();
            if (size == 0) firstAt = System.nanoTime();
            append(bytes, n, flags);
            if (size >= Frames.PIPE_BUF / 2 || System.nanoTime() - firstAt >= LINGER_NANOS) flush();
        } finally {
            lock.unlock();
        }
    }

    /** The last frame: the client is gone. */
    void end() throws IOException {
        lock.lock();
        try {
            if (Frames.PIPE_BUF - size < Frames.HEADER) flush();
            append(NOTHING, 0, Frames.END | (atLineStart ? 0 : Frames.CONTINUES));
            flush();
        } finally {
            lock.unlock();
        }
    }

    private void append(byte[] bytes, int n, int flags) {
        byte[] b = batch;
        int at = size;
        b[at] = Frames.MAGIC;
        b[at + 1] = (byte) flags;
        b[at + 2] = (byte) (n >>> 8);
        b[at + 3] = (byte) n;
        b[at + 4] = (byte) (connection >>> 24);
        b[at + 5] = (byte) (connection >>> 16);
        b[at + 6] = (byte) (connection >>> 8);
        b[at + 7] = (byte) connection;
        System.arraycopy(bytes, 0, b, at + Frames.HEADER, n);
        size = at + Frames.HEADER + n;
    }

    /** write(2) the batch (the lock is held): at most PIPE_BUF bytes, so no other handler's bytes get inside it. */
    private void flush() throws IOException {
        if (size == 0) return;
        try {
            pipe.write(batch, 0, size);
        } finally {
            size = 0;
        }
    }

    /** Writes whatever is batched; for the JVM's way out. */
    void flushQuietly() {
        lock.lock();
        try {
            flush();
        } catch (IOException ignored) {
            // The JVM is exiting: the storing process is gone or the pipe is full for good.
        } finally {
            lock.unlock();
        }
    }

    /** Every CHECK_MILLIS: a batch that waited LINGER_MILLIS with no frame after it goes out. */
    private void flushLoop() {
        while (!closed) {
            LockSupport.parkNanos(this, CHECK_NANOS);
            if (lock.tryLock()) {
                try {
                    if (size > 0 && System.nanoTime() - firstAt >= LINGER_NANOS) flush();
                } catch (IOException ignored) {
                    // The main thread meets the same error on its next write and ends the connection.
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(flusher);
    }
}
