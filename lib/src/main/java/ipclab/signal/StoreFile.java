package ipclab.signal;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import ipclab.child.Inheritable;

/**
 * A store file on disk, in a fresh directory of its own, and a small status file beside it in
 * which the storing process says how far it got ({@link BufferedStore}). The notebook's JVM
 * makes it, a child JVM writes it, and {@link #close()} removes both files and the directory.
 * The directory is named after this JVM's pid, a counter and random digits, so two learners on
 * one machine never meet.
 *
 * <p>Only the path crosses to a child ({@code %%fork} copies it): no descriptor is inherited.
 */
public final class StoreFile implements AutoCloseable, Serializable, Inheritable {
    private static final long serialVersionUID = 1L;
    static final String PREFIX = "ipclab-store-";
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private final String dir;

    private StoreFile(String dir) {
        this.dir = dir;
    }

    /** mkdir of a fresh directory in the system's temporary directory, and an empty store file in it. */
    public static StoreFile create() throws IOException {
        Path tmp = Paths.get(System.getProperty("java.io.tmpdir"));
        String name = PREFIX + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet() + "-"
                + ThreadLocalRandom.current().nextInt(100_000);
        Path d = Files.createDirectory(tmp.resolve(name));
        Files.createFile(d.resolve("store.txt"));
        return new StoreFile(d.toString());
    }

    /** The store in {@code directory}, made by {@link #create()} in another process. */
    static StoreFile at(String directory) {
        return new StoreFile(directory);
    }

    /** Its directory, for a child's command line. */
    String directory() {
        return dir;
    }

    /** The store file: what the storing process has written, and only that. */
    public Path path() {
        return Paths.get(dir, "store.txt");
    }

    Path statusPath() {
        return Paths.get(dir, "status");
    }

    /** True until {@link #close()} removed it. */
    public boolean exists() {
        return Files.isDirectory(Paths.get(dir));
    }

    /** The lines on disk now (the OS kernel's page cache: what write(2) has handed over). */
    public List<String> lines() throws IOException {
        if (!Files.exists(path())) return List.of();
        return Files.readAllLines(path(), StandardCharsets.UTF_8);
    }

    /** The store file's size on disk now, in bytes (0 once removed). */
    public long size() throws IOException {
        return Files.exists(path()) ? Files.size(path()) : 0;
    }

    /** The storing process's last word: "buffered 3", "flushed 3 in SIGTERM handler", or "" before it wrote any. */
    public String status() {
        try {
            return Files.exists(statusPath()) ? Files.readString(statusPath(), StandardCharsets.UTF_8).strip() : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits until the storing process has buffered {@code lines} lines (its status file says so),
     * or has ended, or {@code limit} has passed, whichever comes first; never longer. Returns
     * true when the lines are buffered. {@code pid} is the storing process: once it has exited
     * (it is then a zombie or gone) there is nothing more to wait for.
     */
    public boolean awaitBuffered(long pid, int lines, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            if (bufferedAtLeast(lines)) return true;
            if (!running(pid) || System.nanoTime() - deadline > 0) return bufferedAtLeast(lines);
            Thread.sleep(10);
        }
    }

    private boolean bufferedAtLeast(int lines) {
        String s = status();
        if (!s.startsWith("buffered ")) return false;
        try {
            return Integer.parseInt(s.substring("buffered ".length())) >= lines;
        } catch (NumberFormatException halfWritten) {
            return false;
        }
    }

    /** The process exists and has not exited: /proc/PID/stat says neither zombie nor gone. */
    static boolean running(long pid) {
        try {
            String stat = Files.readString(Paths.get("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Removes the store file, its status file and their directory. Harmless when done already. */
    @Override
    public void close() throws IOException {
        Files.deleteIfExists(path());
        Files.deleteIfExists(statusPath());
        Files.deleteIfExists(Paths.get(dir));
    }

    @Override
    public boolean isClosed() {
        return !exists();
    }

    /** Store directories of this JVM still on disk: 0 after the notebook's clean-up cell. */
    public static List<Path> directoriesLeft() throws IOException {
        List<Path> left = new ArrayList<>();
        Path tmp = Paths.get(System.getProperty("java.io.tmpdir"));
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tmp, PREFIX + ProcessHandle.current().pid() + "-*")) {
            for (Path p : ds) left.add(p);
        }
        return left;
    }

    @Override
    public String toString() {
        return path().toString();
    }
}
