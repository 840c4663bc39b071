package ipclab.pipe;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

import ipclab.posix.Posix;

/**
 * read(2), write(2), poll(2) and close(2) through jnr-posix.
 *
 * <p>poll() saying "readable" is no promise: a child holding the same pipe end may take the
 * bytes first (pipe2's very race), and a blocking read(2) would then wait for ever. So a pipe
 * end made by {@link Pipe#open()} gets a private non-blocking twin (a second open file
 * description of the same end, never inherited); reads and writes go through the twin and
 * simply poll again when they find nothing. The twin closes with the descriptor, so end of
 * file and broken-pipe semantics are unchanged.
 */
final class NativeDescriptorIo extends DescriptorIo {
    /** Short poll slices keep a waiting cell responsive to an interrupt. */
    private static final int SLICE_MS = 50;
    private final int fd;
    private int twin = -1;

    NativeDescriptorIo(int fd) {
        this.fd = fd;
    }

    @Override
    void privateNonBlocking(boolean forWriting) throws IOException {
        twin = Posix.openNonBlocking(fd, forWriting);
    }

    private void await(int events, String call, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Fd.checkInterrupt(call, fd);
            long left = (deadline - System.nanoTime()) / 1_000_000;
            int revents = Posix.poll(fd, events, (int) Math.max(0, Math.min(SLICE_MS, left)));
            if (revents != 0) {
                if ((revents & 0x20) != 0) throw new IOException(call + "(fd " + fd + "): Bad file descriptor");
                return; // ready, or hung up / error, which the call itself will report
            }
            if (left <= 0) throw new PipeTimeoutException(call, fd, timeout);
        }
    }

    // With a twin, try the call first and wait only when it finds nothing; without one, a
    // blocking call is made only once poll() said it would not block.
    @Override
    int read(byte[] buf, int off, int len, Duration timeout) throws IOException {
        if (twin < 0) {
            await(Posix.POLLIN, "read", timeout);
            return Posix.read(fd, buf, off, len);
        }
        int n;
        while ((n = Posix.read(twin, buf, off, len)) == Posix.AGAIN) await(Posix.POLLIN, "read", timeout);
        return n;
    }

    @Override
    int read(ByteBuffer buf, Duration timeout) throws IOException {
        if (twin < 0) {
            await(Posix.POLLIN, "read", timeout);
            return Posix.read(fd, buf);
        }
        int n;
        while ((n = Posix.read(twin, buf)) == Posix.AGAIN) await(Posix.POLLIN, "read", timeout);
        return n;
    }

    @Override
    int write(byte[] buf, int off, int len, Duration timeout) throws IOException {
        if (twin < 0) {
            await(Posix.POLLOUT, "write", timeout);
            return Posix.write(fd, buf, off, len);
        }
        int n;
        while ((n = Posix.write(twin, buf, off, len)) == Posix.AGAIN) await(Posix.POLLOUT, "write", timeout);
        return n;
    }

    @Override
    int write(ByteBuffer buf, Duration timeout) throws IOException {
        if (twin < 0) {
            await(Posix.POLLOUT, "write", timeout);
            return Posix.write(fd, buf);
        }
        int n;
        while ((n = Posix.write(twin, buf)) == Posix.AGAIN) await(Posix.POLLOUT, "write", timeout);
        return n;
    }

    @Override
    void close() throws IOException {
        if (twin >= 0) Posix.close(twin);
        Posix.close(fd);
    }
}
