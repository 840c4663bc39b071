package ipclab.fifo;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import ipclab.cleanup.OwnedFiles;
import ipclab.pipe.Fd;
import ipclab.posix.Posix;

/**
 * A FIFO, or named pipe ({@code man 7 fifo}): a pipe with a name in the file system. Any
 * process that may open the path reaches the same pipe, related or not; the bytes still pass
 * through a buffer in the OS kernel, never through the disk.
 *
 * <p>{@link #mkfifo()} makes one in a new directory of its own under the system's temporary
 * directory, so two learners on one machine never meet by accident. The FIFO stays on disk
 * after every process has closed it, like any file; {@link #close()} removes it (unlink(2)),
 * with its directory, and closes the descriptors opened through this object.
 *
 * <p>open(2) of a FIFO waits until the other end is opened too. {@link #openForReading} and
 * {@link #openForWriting} make that wait in a thread of their own and give up after a bound,
 * so a notebook cell never hangs.
 */
public final class Fifo implements AutoCloseable {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Set<Fifo> ON_DISK = new LinkedHashSet<>();
    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;

    private final Path dir;
    private final Path path;
    private final List<Fd> opened = new ArrayList<>();
    private boolean removed;

    private Fifo(Path dir, Path path) {
        this.dir = dir;
        this.path = path;
    }

    /**
     * mkfifo(3) with mode 0600 (read and write for this user alone), at a new path: a fresh
     * directory named after this process's pid and a counter, holding one FIFO named
     * {@code fifo}.
     */
    public static Fifo mkfifo() throws IOException {
        Path dir = Files.createTempDirectory("ipclab-fifo-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet() + "-");
        Path path = dir.resolve("fifo");
        try {
            Posix.mkfifo(path.toString(), 0600);
        } catch (IOException e) {
            Files.deleteIfExists(dir);
            throw e;
        }
        Fifo fifo = new Fifo(dir, path);
        synchronized (ON_DISK) {
            ON_DISK.add(fifo);
        }
        OwnedFiles.register(dir);       // removed when the JVM exits, if close() never runs
        return fifo;
    }

    /** The FIFO's path: all that another process needs to reach it. */
    public Path path() {
        return path;
    }

    /** True while the FIFO's name is in the file system (until {@link #close()}, or someone else's unlink). */
    public boolean exists() {
        return Files.exists(path, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * stat(2) of the path, shown the way {@code ls -l} shows it: type and permissions, owner,
     * size, path. A FIFO's type letter is {@code p}, and its size is always 0: its bytes are
     * in the OS kernel, not on the disk.
     */
    public String ls() throws IOException {
        PosixFileAttributes a = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        char type = (mode & S_IFMT) == S_IFIFO ? 'p' : a.isDirectory() ? 'd' : a.isRegularFile() ? '-' : '?';
        return type + PosixFilePermissions.toString(a.permissions()) + " " + a.owner().getName() + " "
                + a.size() + " " + path;
    }

    /**
     * open(2) with O_RDONLY: returns once some process has the FIFO open for writing, or
     * throws {@link FifoTimeoutException} after {@code limit}.
     */
    public Fd openForReading(Duration limit) throws IOException {
        return openWaiting(false, limit);
    }

    /**
     * open(2) with O_WRONLY: returns once some process has the FIFO open for reading, or
     * throws {@link FifoTimeoutException} after {@code limit}.
     */
    public Fd openForWriting(Duration limit) throws IOException {
        return openWaiting(true, limit);
    }

    /**
     * open(2) with O_WRONLY|O_NONBLOCK: never waits. With no reader it fails at once with
     * ENXIO ({@code man 7 fifo}); the IOException's message says so.
     */
    public Fd openForWritingNonBlocking() throws IOException {
        ensureOnDisk();
        return remember(Posix.open(path.toString(), Posix.O_WRONLY | Posix.O_NONBLOCK | Posix.O_CLOEXEC));
    }

    private Fd openWaiting(boolean forWriting, Duration limit) throws IOException {
        if (limit.isNegative() || limit.isZero()) throw new IllegalArgumentException("limit must be positive: " + limit);
        ensureOnDisk();
        String p = path.toString();
        int flags = (forWriting ? Posix.O_WRONLY : Posix.O_RDONLY) | Posix.O_CLOEXEC;
        // The blocking open(2) runs in a thread of its own: the caller waits for it with a bound.
        CompletableFuture<Integer> done = new CompletableFuture<>();
        Thread opener = new Thread(() -> {
            try {
                done.complete(Posix.open(p, flags));
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }, "ipclab-fifo-open");
        opener.setDaemon(true);
        opener.start();
        try {
            return remember(done.get(limit.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            giveUp(done);
            throw new FifoTimeoutException(p, forWriting, limit);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            giveUp(done);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("open(" + p + ") interrupted");
        }
    }

    /**
     * Ends a waiting open(2): this process opens the FIFO for a moment with O_RDWR, which on
     * Linux never waits and counts as both a reader and a writer ({@code man 7 fifo}; POSIX
     * leaves it undefined), so the opener's call returns, whether it is already waiting or has
     * not yet started; then it closes both.
     */
    private void giveUp(CompletableFuture<Integer> done) throws IOException {
        int partner = Posix.open(path.toString(), Posix.O_RDWR | Posix.O_NONBLOCK | Posix.O_CLOEXEC);
        try {
            Integer fd = done.get(10, TimeUnit.SECONDS);
            Posix.close(fd);
        } catch (ExecutionException | TimeoutException | InterruptedException e) {
            // The opener failed or is still waiting: nothing of it to close here.
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
        } finally {
            Posix.close(partner);
        }
    }

    private synchronized Fd remember(int number) {
        Fd fd = Fd.of(number);
        opened.add(fd);
        return fd;
    }

    private void ensureOnDisk() throws IOException {
        synchronized (this) {
            if (removed) throw new IOException(path + " was removed (close() unlinked it): make a new FIFO");
        }
    }

    /** The descriptors opened through this object and not yet closed. */
    public synchronized List<Fd> openDescriptors() {
        return opened.stream().filter(Fd::isOpen).toList();
    }

    /** Every FIFO made by {@link #mkfifo()} in this process and not yet removed. */
    public static List<Fifo> onDisk() {
        synchronized (ON_DISK) {
            return new ArrayList<>(ON_DISK);
        }
    }

    /** The descriptors still open through any FIFO of this process. */
    public static List<Fd> allOpenDescriptors() {
        List<Fd> all = new ArrayList<>();
        for (Fifo f : onDisk()) all.addAll(f.openDescriptors());
        return all;
    }

    /**
     * The directories {@link #mkfifo()} made for this process that are still in the system's
     * temporary directory, read from the file system itself: what a clean-up should leave at 0.
     */
    public static List<Path> directoriesLeft() throws IOException {
        String prefix = "ipclab-fifo-" + ProcessHandle.current().pid() + "-";
        try (var entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return entries.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
        }
    }

    /**
     * Closes the descriptors opened through this object, then unlink(2)s the FIFO and removes
     * its directory. Other processes that have it open keep their pipe until they close it;
     * the name is gone at once. Closing twice is harmless.
     */
    @Override
    public void close() throws IOException {
        List<Fd> fds;
        synchronized (this) {
            if (removed) return;
            removed = true;
            fds = new ArrayList<>(opened);
            opened.clear();
        }
        try {
            for (Fd fd : fds) fd.close();
            if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) Posix.unlink(path.toString());
            Files.deleteIfExists(dir);
            OwnedFiles.unregister(dir);
        } finally {
            synchronized (ON_DISK) {
                ON_DISK.remove(this);
            }
        }
    }

    @Override
    public String toString() {
        return "fifo " + path + (removed ? " (removed)" : "");
    }

    static String describe(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
    }
}
