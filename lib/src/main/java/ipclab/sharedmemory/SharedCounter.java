package ipclab.sharedmemory;

import ipclab.child.Inheritable;
import ipclab.cleanup.OwnedFiles;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A counter in a file under {@code /dev/shm} (a tmpfs: the file's pages are kept in memory, or
 * swap, never written to a disk's file system), mapped with {@code mmap(2)} {@code MAP_SHARED}, which is what
 * {@link FileChannel#map} with {@code READ_WRITE} calls. Every process that maps the file sees
 * the same pages: a store by one is seen by the others, with no copy through the OS kernel.
 *
 * <p>Layout (native byte order, every slot aligned): the count at offset 0; at offset 4 how many
 * processes finished their increments; at offset 8 how many are ready to start (the start
 * gate of {@link CounterRace}); from offset 16 one {@code long} per racing process, the
 * nanoseconds its loop took.
 *
 * <p>{@link #create()} makes a uniquely named file (this JVM's pid and a counter) and deletes it
 * on {@link #close()}. {@link #open(Path)}, and a copy made by serialisation (what
 * {@code %%fork} hands to its child), map an existing file and leave it in place on close.
 */
public final class SharedCounter implements AutoCloseable, Serializable, Inheritable {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * An {@code int} view of a byte buffer: {@code getAndAdd}, {@code compareAndSet} and the
     * other atomic modes work on a direct (here: mapped) buffer at offsets divisible by 4; at any
     * other offset they throw {@code IllegalStateException}.
     */
    public static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    static final int COUNT = 0, FINISHED = 4, READY = 8, TIMES = 16;
    /** Room for the slots above and up to 8 racing processes' times. */
    static final int SIZE = TIMES + 8 * 8;

    private static final AtomicInteger NEXT = new AtomicInteger();
    /** The files this JVM created and has not deleted yet. */
    private static final Set<Path> CREATED = ConcurrentHashMap.newKeySet();

    private final String path;
    private transient boolean owner;
    private transient FileChannel channel;
    private transient MappedByteBuffer memory;

    private SharedCounter(Path path, boolean owner) throws IOException {
        this.path = path.toString();
        this.owner = owner;
        map();
    }

    /** Creates {@code /dev/shm/ipclab-counter-<pid>-<n>} (zeroed), maps it, and deletes it on close. */
    public static SharedCounter create() throws IOException {
        Path dir = Path.of("/dev/shm");
        if (!Files.isDirectory(dir)) dir = Path.of(System.getProperty("java.io.tmpdir")); // no tmpfs there: a plain file maps the same way
        Path file = dir.resolve("ipclab-counter-" + ProcessHandle.current().pid() + "-" + NEXT.incrementAndGet());
        Files.write(file, new byte[SIZE], StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            SharedCounter counter = new SharedCounter(file, true);
            CREATED.add(file);
            OwnedFiles.register(file);  // removed when the JVM exits, if close() never runs
            return counter;
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    /** Maps an existing counter file, as a second process does; close unmaps it and leaves the file. */
    public static SharedCounter open(Path file) throws IOException {
        return new SharedCounter(file, false);
    }

    private void map() throws IOException {
        channel = FileChannel.open(Path.of(path), StandardOpenOption.READ, StandardOpenOption.WRITE);  // open(2)
        memory = channel.map(FileChannel.MapMode.READ_WRITE, 0, SIZE);                             // mmap(2) MAP_SHARED
    }

    @Serial
    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        owner = false;          // the copy in another process maps the same file; it never deletes it
        if (Files.exists(Path.of(path))) map();   // gone (closed by its creator): this copy stays closed
    }

    public Path path() {
        return Path.of(path);
    }

    /** This process's mapping of the file: the same pages as every other process's. */
    public MappedByteBuffer memory() {
        ensureOpen();
        return memory;
    }

    public boolean isOpen() {
        return channel != null && channel.isOpen();
    }

    /** The count, read with a volatile load. */
    public int get() {
        return (int) INT.getVolatile(memory(), COUNT);
    }

    /** Stores a value in the count, with a volatile store: seen by every process that maps the file. */
    public void set(int value) {
        INT.setVolatile(memory(), COUNT, value);
    }

    /** Sets every slot to 0: the count, the finished and ready tallies, the times. */
    public void reset() {
        MappedByteBuffer m = memory();
        for (int offset = 0; offset < SIZE; offset += 8) LONG.setVolatile(m, offset, 0L);
    }

    /**
     * Two steps, a load and then a store: another process's increment between them is lost.
     * (Opaque accesses: each load and store really reaches the shared memory, so the compiler
     * cannot keep the count in a register; the pair is still not atomic.)
     */
    public void racyIncrement() {
        MappedByteBuffer m = memory;
        int value = (int) INT.getOpaque(m, COUNT);
        INT.setOpaque(m, COUNT, value + 1);
    }

    /** One atomic read-modify-write on the shared memory (on x86, {@code lock xadd}). */
    public void atomicIncrement() {
        INT.getAndAdd(memory, COUNT, 1);
    }

    /**
     * The racy load and store, done while holding an exclusive {@code fcntl(2)} record lock on the
     * count's 4 bytes ({@code F_SETLKW}: waits while another process holds it). Record locks
     * belong to a process, so they exclude other processes, not this JVM's other threads.
     */
    public void lockedIncrement() throws IOException {
        try (FileLock lock = channel.lock(COUNT, 4, false)) {      // fcntl(fd, F_SETLKW, {F_WRLCK, 0, 4})
            racyIncrement();
        }                                                          // fcntl(fd, F_SETLK, {F_UNLCK, 0, 4})
    }

    /** Counts this process as finished: the check of the exercise compares the count with it. */
    public void finished() {
        INT.getAndAdd(memory(), FINISHED, 1);
    }

    /** How many processes called {@link #finished()} since the last reset. */
    public int finishedCount() {
        return (int) INT.getVolatile(memory(), FINISHED);
    }

    /**
     * A start gate: returns once {@code processes} processes have called it (this round), so that
     * their loops overlap; a process whose JVM started sooner would otherwise finish alone. It
     * waits at most {@code limit}, yielding its CPU between looks, then throws. Rounds follow one
     * another: the second pair of callers waits for each other, not for the first pair.
     */
    public void startTogether(int processes, Duration limit) {
        int me = (int) INT.getAndAdd(memory(), READY, 1) + 1;
        int target = ((me - 1) / processes + 1) * processes;
        long deadline = System.nanoTime() + limit.toNanos();
        while (readyCount() < target) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("waited " + limit.toSeconds() + " s at the start gate: the other process never came");
            }
            Thread.yield();
        }
    }

    /** {@link #startTogether(int, Duration)} with a limit of 15 s. */
    public void startTogether(int processes) {
        startTogether(processes, Duration.ofSeconds(15));
    }

    int readyCount() {
        return (int) INT.getVolatile(memory, READY);
    }

    void time(int index, long nanos) {
        LONG.setVolatile(memory, TIMES + 8 * index, nanos);
    }

    long time(int index) {
        return (long) LONG.getVolatile(memory, TIMES + 8 * index);
    }

    private void ensureOpen() {
        if (!isOpen()) throw new IllegalStateException("the shared counter " + path + " is closed: create a new one");
    }

    /** Unmaps (when the buffer is collected: the JDK has no public munmap), closes, and deletes the file if this object created it. */
    @Override
    public void close() throws IOException {
        if (channel == null || !channel.isOpen()) return;
        channel.close();
        if (owner) {
            Files.deleteIfExists(Path.of(path));           // unlink(2)
            CREATED.remove(Path.of(path));
            OwnedFiles.unregister(Path.of(path));
        }
    }

    /** The files this JVM created with {@link #create()} that are still on disk: empty once every counter is closed. */
    public static List<Path> leftBehind() {
        return CREATED.stream().filter(Files::exists).sorted().toList();
    }

    @Override
    public String toString() {
        return "SharedCounter[" + path + (isOpen() ? "" : ", closed") + "]";
    }

    @Override
    public boolean isClosed() {
        return !isOpen();
    }
}
