package ipclab.server;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A few counters in a small file that the server, the storing process and the cell's handle
 * all map into memory (mmap(2) with MAP_SHARED): each process writes only its own slots, and
 * every process sees the others' writes at once, without a system call. Because the OS kernel
 * keeps the mapped page, the counters survive a storing process killed by SIGKILL; that is how
 * the server knows exactly how many bytes died with it.
 */
final class StatusBoard implements AutoCloseable {
    /** Slots, 8 bytes each. The comment says which process writes the slot. */
    static final int MAGIC = 0;              // server: marks a board in use
    static final int SERVER_PID = 1;         // server
    static final int PORT = 2;               // server
    static final int CONNECTED = 3;          // server: handlers serving a client
    static final int HANDLERS_STARTED = 4;   // server
    static final int STORE_PID = 5;          // server
    static final int STORE_RESTARTS = 6;     // server
    static final int LOST = 7;               // server: bytes that died with a storing process
    static final int CONSUMED = 8;           // store: client bytes taken from the pipe
    static final int STORED = 9;             // store: client bytes written to the file
    static final int LINES = 10;             // store: lines written to the file
    static final int DISCARDED = 11;         // store: tails of lines whose start was lost
    static final int FILE_SIZE = 12;         // store: file length after its last complete write
    static final int SPLIT = 13;             // store: lines cut at the line limit
    static final int SPARES = 14;            // server: handlers waiting in accept()
    static final int STOPPED = 15;           // server: 1 once it has stopped cleanly
    static final int SLOTS = 16;
    static final long MAGIC_VALUE = 0x4543484F53544F52L; // "ECHOSTOR"

    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private final Path path;
    private final MappedByteBuffer map;

    private StatusBoard(Path path, MappedByteBuffer map) {
        this.path = path;
        this.map = map;
    }

    /** Maps the board at {@code path}, creating the file (zeroed) if it does not exist. */
    static StatusBoard map(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            if (ch.size() < SLOTS * 8L) ch.truncate(0).write(java.nio.ByteBuffer.allocate(SLOTS * 8), 0);
            // The mapping stays valid after the channel is closed, until the buffer is collected.
            return new StatusBoard(path, ch.map(FileChannel.MapMode.READ_WRITE, 0, SLOTS * 8L));
        }
    }

    Path path() {
        return path;
    }

    long get(int slot) {
        return (long) LONGS.getVolatile(map, slot * 8);
    }

    void set(int slot, long value) {
        LONGS.setVolatile(map, slot * 8, value);
    }

    long add(int slot, long delta) {
        return (long) LONGS.getAndAdd(map, slot * 8, delta) + delta;
    }

    ServerStatus snapshot() {
        return new ServerStatus((int) get(CONNECTED), get(LINES), get(STORED), get(LOST) + get(DISCARDED),
                get(SPLIT), get(HANDLERS_STARTED), get(STORE_PID), (int) get(STORE_RESTARTS), (int) get(SPARES));
    }

    @Override
    public void close() {
        // Nothing to release by hand: the JDK unmaps the buffer when it is collected.
    }
}
