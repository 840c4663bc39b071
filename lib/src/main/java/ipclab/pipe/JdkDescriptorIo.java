package ipclab.pipe;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Duration;

/**
 * A descriptor used through the JDK's file streams, which make the same read(2) and write(2)
 * calls without a native library. The JDK has no public way to adopt a descriptor number.
 * When {@code java.io} is opened to this code ({@code --add-opens java.base/java.io}), the
 * private {@code FileDescriptor(int)} constructor does it. Otherwise the number is written into
 * a fresh {@code FileDescriptor}'s field through {@code sun.misc.Unsafe}, which the JDK leaves
 * open to every program: opening a package turns off the JVM's archived module graph, and a
 * child then starts about 20 ms (CPU) slower. JDK 24 and later warn about that use of Unsafe,
 * so children on those get the option instead (see ChildProcess). (Opening {@code /dev/fd/N}
 * would create a second descriptor for the same pipe end.)
 */
final class JdkDescriptorIo extends DescriptorIo {
    // Calls block without a bound: the parent's timeout kills a child that waits for ever.
    private static final Constructor<FileDescriptor> CONSTRUCTOR;
    private static final sun.misc.Unsafe UNSAFE;
    private static final long FD_FIELD;

    static {
        try {
            if (FileDescriptor.class.getModule().isOpen("java.io", JdkDescriptorIo.class.getModule())) {
                CONSTRUCTOR = FileDescriptor.class.getDeclaredConstructor(int.class);
                CONSTRUCTOR.setAccessible(true);
                UNSAFE = null;
                FD_FIELD = -1;
            } else {
                CONSTRUCTOR = null;
                Field theUnsafe = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
                theUnsafe.setAccessible(true);
                UNSAFE = (sun.misc.Unsafe) theUnsafe.get(null);
                FD_FIELD = UNSAFE.objectFieldOffset(FileDescriptor.class.getDeclaredField("fd"));
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExceptionInInitializerError("cannot adopt descriptors: " + e);
        }
    }

    /** A JDK FileDescriptor for a number this process already has open; opens nothing. */
    static FileDescriptor adopt(int fd) {
        if (CONSTRUCTOR != null) {
            try {
                return CONSTRUCTOR.newInstance(fd);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot adopt fd " + fd + ": " + e, e);
            }
        }
        FileDescriptor descriptor = new FileDescriptor();
        UNSAFE.putInt(descriptor, FD_FIELD, fd);
        return descriptor;
    }

    private final int fd;
    private FileInputStream in;
    private FileOutputStream out;
    private FileDescriptor descriptor;

    JdkDescriptorIo(int fd) {
        this.fd = fd;
    }

    private synchronized FileDescriptor descriptor() {
        if (descriptor == null) descriptor = adopt(fd);
        return descriptor;
    }

    private synchronized FileInputStream in() throws IOException {
        if (in == null) in = new FileInputStream(descriptor());
        return in;
    }

    private synchronized FileOutputStream out() throws IOException {
        if (out == null) out = new FileOutputStream(descriptor());
        return out;
    }


    @Override
    int read(byte[] buf, int off, int len, Duration timeout) throws IOException {
        int n = in().read(buf, off, len);
        return n < 0 ? 0 : n;
    }

    @Override
    int read(ByteBuffer buf, Duration timeout) throws IOException {
        FileChannel channel = in().getChannel();
        int n = channel.read(buf);
        return n < 0 ? 0 : n;
    }

    @Override
    int write(byte[] buf, int off, int len, Duration timeout) throws IOException {
        out().write(buf, off, len);
        return len;
    }

    @Override
    int write(ByteBuffer buf, Duration timeout) throws IOException {
        return out().getChannel().write(buf);
    }

    @Override
    synchronized void close() throws IOException {
        // Closing either stream closes the shared FileDescriptor, which is one close(2).
        if (in != null) in.close();
        else out().close();
    }
}
