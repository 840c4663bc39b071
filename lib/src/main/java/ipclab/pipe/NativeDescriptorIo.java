package ipclab.pipe;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

import ipclab.posix.Posix;

/** read(2), write(2), poll(2) and close(2) through jnr-posix. */
final class NativeDescriptorIo extends DescriptorIo {
    /** Short poll slices keep a waiting cell responsive to an interrupt. */
    private static final int SLICE_MS = 50;
    private final int fd;

    NativeDescriptorIo(int fd) {
        this.fd = fd;
    }

    @Override
    void awaitReadable(Fd owner, Duration timeout) throws IOException {
        await(Posix.POLLIN, "read", timeout);
    }

    @Override
    void awaitWritable(Fd owner, Duration timeout) throws IOException {
        await(Posix.POLLOUT, "write", timeout);
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

    @Override
    int read(byte[] buf, int off, int len) throws IOException {
        return Posix.read(fd, buf, off, len);
    }

    @Override
    int read(ByteBuffer buf) throws IOException {
        return Posix.read(fd, buf);
    }

    @Override
    int write(byte[] buf, int off, int len) throws IOException {
        return Posix.write(fd, buf, off, len);
    }

    @Override
    int write(ByteBuffer buf) throws IOException {
        return Posix.write(fd, buf);
    }

    @Override
    void close() throws IOException {
        Posix.close(fd);
    }
}
