package ipclab.server;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.reflect.Constructor;

/**
 * A descriptor this process inherited, by number, as a JDK {@link FileDescriptor}: how the lean
 * handler and storing processes reach their pipe end without loading a native library.
 * (The child JVM opens {@code java.io} for this; see {@code ChildProcess}.)
 */
final class Inherited {
    private Inherited() {}

    static FileDescriptor descriptor(int fd) throws IOException {
        try {
            Constructor<FileDescriptor> c = FileDescriptor.class.getDeclaredConstructor(int.class);
            c.setAccessible(true);
            return c.newInstance(fd);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IOException("cannot adopt inherited fd " + fd + " (run with --add-opens java.base/java.io=ALL-UNNAMED): " + e);
        }
    }
}
