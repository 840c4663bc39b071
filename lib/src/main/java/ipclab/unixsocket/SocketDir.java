package ipclab.unixsocket;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A directory of its own for socket files, under the system's temporary directory, named after
 * this process's pid and a counter, so that two learners on one machine never pick the same
 * path. {@link #close()} removes it with everything in it.
 *
 * <p>Its mode is {@code rwx--x--x} (0711): other users may pass through it to a file whose name
 * they know (search permission, {@code x}), but not list it. connect(2) to a socket file needs
 * search permission on every directory of its path as well as write permission on the file
 * ({@code man 7 unix}, path_resolution(7)), so in a directory of mode 0700 another user would
 * be refused by the directory before the socket file's own mode mattered.
 */
public final class SocketDir implements AutoCloseable {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final String PREFIX = "ipclab-uds-";

    private final Path dir;
    private boolean removed;

    private SocketDir(Path dir) {
        this.dir = dir;
    }

    /** mkdir(2) of a fresh directory, then chmod(2) to 0711. */
    public static SocketDir create() throws IOException {
        Path dir = Files.createTempDirectory(PREFIX + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet() + "-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));   // chmod(dir, 0711)
        return new SocketDir(dir);
    }

    public Path path() {
        return dir;
    }

    /** A path in this directory; nothing is created. */
    public Path resolve(String name) {
        return dir.resolve(name);
    }

    /** stat(2) of the directory itself, as {@code ls -ld} shows it: {@code drwx--x--x root root /tmp/...}. */
    public String ls() throws IOException {
        return UnixServer.ls(dir, dir.toString());
    }

    /** stat(2) of a file in this directory, as {@code ls -l} shows it: {@code srw------- root root echo.sock}. */
    public String ls(String name) throws IOException {
        return UnixServer.ls(dir.resolve(name), name);
    }

    /** chmod(2) of a file in this directory, with permissions written as {@code ls -l} writes them ({@code "rw-rw-rw-"}). */
    public void chmod(String name, String permissions) throws IOException {
        Files.setPosixFilePermissions(dir.resolve(name), PosixFilePermissions.fromString(permissions));   // chmod(2)
    }

    /** True until {@link #close()}. */
    public synchronized boolean isOpen() {
        return !removed;
    }

    /** The names in the directory now (socket files left over show here). */
    public List<String> list() throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * The directories made by {@link #create()} for this process that are still on disk, read
     * from the file system itself: what a clean-up should leave at 0.
     */
    public static List<Path> directoriesLeft() throws IOException {
        String prefix = PREFIX + ProcessHandle.current().pid() + "-";
        try (Stream<Path> entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return entries.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
        }
    }

    /** Removes the directory and everything left in it (unlink(2) each entry, rmdir(2)). Twice is harmless. */
    @Override
    public void close() throws IOException {
        synchronized (this) {
            if (removed) return;
            removed = true;
        }
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(all::add);
        }
        for (Path p : all) Files.deleteIfExists(p);
    }

    @Override
    public String toString() {
        return "socket directory " + dir + (removed ? " (removed)" : "");
    }
}
