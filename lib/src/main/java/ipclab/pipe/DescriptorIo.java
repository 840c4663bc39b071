package ipclab.pipe;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * How a descriptor's system calls are made in this process: through jnr-posix in the notebook's JVM,
 * or through the JDK's own file streams in a lean child JVM (system property
 * {@code ipclab.lean=true}), where loading a native library would cost about 250 ms.
 */
abstract class DescriptorIo {
    static final boolean LEAN = Boolean.getBoolean("ipclab.lean");

    static DescriptorIo forThisProcess(int fd) {
        return LEAN ? new JdkDescriptorIo(fd) : new NativeDescriptorIo(fd);
    }

    /** Gives this process its own non-blocking way to the descriptor, if it can have one. */
    void privateNonBlocking(boolean forWriting) throws IOException {
    }

    /**
     * Waits at most {@code timeout} where waits can be bounded (null in a child JVM: no bound);
     * returns 0 at end of file.
     */
    abstract int read(byte[] buf, int off, int len, Duration timeout) throws IOException;

    /** Returns 0 at end of file. */
    abstract int read(ByteBuffer buf, Duration timeout) throws IOException;

    abstract int write(byte[] buf, int off, int len, Duration timeout) throws IOException;

    abstract int write(ByteBuffer buf, Duration timeout) throws IOException;

    abstract void close() throws IOException;
}
