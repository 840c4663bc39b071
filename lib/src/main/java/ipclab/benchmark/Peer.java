package ipclab.benchmark;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

import ipclab.pipe.Fd;

/**
 * One side of a measurement, run in a child JVM: {@code ping} times the round trips and the
 * throughput and prints them as the C peer does ({@code rtt SIZE P50_NS}, {@code MiBps RATE});
 * {@code pong} answers. The same protocol as {@code notebooks/c/ipc_pingpong.c}:
 *
 * <pre>
 *   Peer ping|pong MECH ENDPOINT SIZES ROUNDS WARMUP BYTES
 *   ENDPOINT  pipe: IN_FD,OUT_FD   socketpair: FD   fifo: PATH_THERE,PATH_BACK
 *             uds: SOCKET_PATH     tcp: PORT (pong: 0)     shm: FILE
 *             ping over uds or tcp: "stdin", and it reads the path or port from standard input
 *             (pong prints "listening on PATH_OR_PORT" once it listens)
 * </pre>
 *
 * <p>No message allocates: each side reuses its buffers. Pipes, FIFOs and socket pairs go
 * through the JDK's file streams for messages up to 8 KiB and through a FileChannel with a direct
 * buffer above (see {@link StreamEnds}); sockets through SocketChannel with a direct buffer.
 */
public final class Peer {
    static final int CHUNK = Workload.MAX_SIZE;
    /** Throughput: one untimed pass of a quarter of the bytes, then three timed; the fastest is printed. */
    static final int PASSES = 4;
    // Shared memory layout, as in ipc_pingpong.c: flags on their own cache lines, then two areas.
    static final int PING = 0, PONG = 64, FULL0 = 128, FULL1 = 192, AREA_A = 4096, AREA_B = 4096 + CHUNK;
    static final int SHM_SIZE = 4096 + 2 * CHUNK;
    /** Pause this many times, then give the CPU away on every further try (as the C peer does). */
    static final int SPINS_BEFORE_YIELD = 20;
    static final long SPIN_LIMIT_NANOS = 30_000_000_000L;
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private final int[] sizes;
    private final int rounds;
    private final int warmup;
    private final long bytes;
    private final ByteBuffer msg = ByteBuffer.allocateDirect(CHUNK);

    private Peer(String[] a) {
        sizes = Arrays.stream(a[3].split(",")).mapToInt(Integer::parseInt).toArray();
        rounds = Integer.parseInt(a[4]);
        warmup = Integer.parseInt(a[5]);
        bytes = Long.parseLong(a[6]);
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 7 || !(args[0].equals("ping") || args[0].equals("pong"))) {
            System.err.println("usage: Peer ping|pong MECH ENDPOINT SIZES ROUNDS WARMUP BYTES");
            System.exit(2);
        }
        boolean ping = args[0].equals("ping");
        Peer peer = new Peer(args);
        Mechanism mech = Mechanism.of(args[1]);
        String endpoint = args[2];
        if (mech == Mechanism.SHM) {
            peer.sharedMemory(ping, Path.of(endpoint));
            return;
        }
        Ends ends;
        switch (mech) {
            case PIPE -> {
                String[] fds = endpoint.split(",");
                // inherited from the parent, as after fork()
                ends = new StreamEnds(Fd.of(Integer.parseInt(fds[0])).fileDescriptor(), Fd.of(Integer.parseInt(fds[1])).fileDescriptor());
            }
            case SOCKETPAIR -> {
                FileDescriptor both = Fd.of(Integer.parseInt(endpoint)).fileDescriptor();
                ends = new StreamEnds(both, both);
            }
            case FIFO -> {
                String[] paths = endpoint.split(",");
                // open(2) of a FIFO waits for the other end: ping opens the way there first, as pong does.
                if (ping) {
                    FileOutputStream out = StreamEnds.openForWriting(Path.of(paths[0]));   // open(there, O_WRONLY)
                    ends = new StreamEnds(new FileInputStream(paths[1]), out);             // open(back, O_RDONLY)
                } else {
                    FileInputStream in = new FileInputStream(paths[0]);
                    ends = new StreamEnds(in, StreamEnds.openForWriting(Path.of(paths[1])));
                }
            }
            case UDS, TCP -> {
                SocketChannel both = connect(mech, ping, endpoint);
                ends = new ChannelEnds(both, both);
            }
            default -> throw new IllegalStateException(mech.toString());
        }
        try (ends) {
            if (ping) peer.streamPing(ends);
            else peer.streamPong(ends);
        }
    }

    /** ping: connect(2); pong: socket, bind, listen, accept(2). TCP gets TCP_NODELAY, as in C. */
    private static SocketChannel connect(Mechanism mech, boolean ping, String endpoint) throws IOException {
        SocketChannel ch;
        if (ping) {
            if (endpoint.equals("stdin")) {
                endpoint = new java.io.BufferedReader(new java.io.InputStreamReader(System.in)).readLine();
                if (endpoint == null) throw new IOException("no address on standard input");
            }
            ch = mech == Mechanism.UDS
                    ? SocketChannel.open(UnixDomainSocketAddress.of(endpoint))                                  // connect(2)
                    : SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(endpoint)));
        } else {
            try (ServerSocketChannel server = mech == Mechanism.UDS
                    ? ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                    : ServerSocketChannel.open(StandardProtocolFamily.INET)) {
                server.bind(mech == Mechanism.UDS ? UnixDomainSocketAddress.of(endpoint)
                        : new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);        // bind(2), listen(2)
                System.out.println("listening on " + (mech == Mechanism.TCP
                        ? Integer.toString(((InetSocketAddress) server.getLocalAddress()).getPort()) : endpoint));
                System.out.flush();
                ch = server.accept();                                                            // accept(2)
                if (mech == Mechanism.UDS) Files.deleteIfExists(Path.of(endpoint));
            }
        }
        if (mech == Mechanism.TCP) ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        return ch;
    }

    private void streamPing(Ends ends) throws IOException {
        long[] times = new long[rounds];
        for (int size : sizes) {
            for (int i = 0; i < warmup + rounds; i++) {
                long t = roundTrip(ends, size);
                if (i >= warmup) times[i - warmup] = t;
            }
            printMedian(size, times);
        }
        if (bytes > 0) {
            double best = 0;
            for (int pass = 0; pass < PASSES; pass++) {
                long total = pass == 0 ? bytes / 4 : bytes;
                long t0 = System.nanoTime();
                for (long sent = 0; sent < total; sent += CHUNK) ends.writeFully((int) Math.min(CHUNK, total - sent));
                ends.readFully(1);
                if (pass > 0) best = Math.max(best, rate(total, System.nanoTime() - t0));
            }
            printRate(best);
        }
    }

    private void streamPong(Ends ends) throws IOException {
        for (int size : sizes) {
            for (int i = 0; i < warmup + rounds; i++) echo(ends, size);
        }
        if (bytes > 0) {
            for (int pass = 0; pass < PASSES; pass++) {
                long total = pass == 0 ? bytes / 4 : bytes;
                for (long got = 0; got < total; ) {
                    int n = ends.read((int) Math.min(CHUNK, total - got));   // read(2)
                    if (n < 0) throw new IOException("end of file after " + got + " of " + total + " bytes");
                    got += n;
                }
                ends.writeFully(1);
            }
        }
    }

    /*
     * One round trip per call, on both sides. A loop in a method that runs once is compiled only
     * after tens of thousands of iterations (on-stack replacement) and runs in the interpreter
     * until then, clock readings included; a method called a few hundred times is compiled, so
     * the timed round trips run compiled code, as the C program's loop does.
     */

    /** ping: writes the message, reads it back; returns the nanoseconds between the two clock readings. */
    private static long roundTrip(Ends ends, int size) throws IOException {
        long t0 = System.nanoTime();                                        // clock_gettime(CLOCK_MONOTONIC)
        ends.writeFully(size);
        ends.readFully(size);
        return System.nanoTime() - t0;
    }

    /** pong: reads the message whole, writes it back. */
    private static void echo(Ends ends, int size) throws IOException {
        ends.readFully(size);
        ends.writeFully(size);
    }

    private void sharedMemory(boolean ping, Path file) throws IOException {
        MappedByteBuffer shm;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {   // open(2)
            shm = ch.map(FileChannel.MapMode.READ_WRITE, 0, SHM_SIZE);                                     // mmap(2) MAP_SHARED
        }
        int seq = 0;
        long[] times = new long[rounds];
        for (int size : sizes) {
            for (int i = 0; i < warmup + rounds; i++) {
                if (ping) {
                    long t0 = System.nanoTime();
                    shm.put(AREA_A, msg, 0, size);
                    INT.setRelease(shm, PING, ++seq);
                    await(shm, PONG, seq);
                    msg.put(0, shm, AREA_B, size);
                    if (i >= warmup) times[i - warmup] = System.nanoTime() - t0;
                } else {
                    await(shm, PING, ++seq);
                    msg.put(0, shm, AREA_A, size);
                    shm.put(AREA_B, msg, 0, size);
                    INT.setRelease(shm, PONG, seq);
                }
            }
            if (ping) printMedian(size, times);
        }
        if (bytes > 0) {
            double best = 0;
            for (int pass = 0; pass < PASSES; pass++) {
                long total = pass == 0 ? bytes / 4 : bytes;
                long t0 = System.nanoTime();
                long chunk = 0;
                for (long moved = 0; moved < total; moved += CHUNK, chunk++) {
                    int full = chunk % 2 == 0 ? FULL0 : FULL1, area = chunk % 2 == 0 ? AREA_A : AREA_B;
                    int n = (int) Math.min(CHUNK, total - moved);
                    if (ping) {
                        await(shm, full, 0);
                        shm.put(area, msg, 0, n);
                        INT.setRelease(shm, full, 1);
                    } else {
                        await(shm, full, 1);
                        msg.put(0, shm, area, n);
                        INT.setRelease(shm, full, 0);
                    }
                }
                if (ping) {
                    await(shm, PONG, ++seq);   // the reader has copied out every chunk
                    if (pass > 0) best = Math.max(best, rate(total, System.nanoTime() - t0));
                } else {
                    INT.setRelease(shm, PONG, ++seq);
                }
            }
            if (ping) printRate(best);
        }
    }

    /**
     * Waits until the int at {@code offset} holds {@code value}: acquire loads, Thread.onSpinWait()
     * (the CPU's pause instruction), then Thread.yield() (sched_yield(2)) on every further try, in
     * case the other side needs this CPU. Never without a bound: it gives up after 30 s.
     */
    static void await(ByteBuffer shm, int offset, int value) {
        int spins = 0;
        long deadline = 0;
        while ((int) INT.getAcquire(shm, offset) != value) {
            Thread.onSpinWait();
            if (++spins >= SPINS_BEFORE_YIELD) Thread.yield();
            if ((spins & 1023) == 0) {
                if (deadline == 0) deadline = System.nanoTime() + SPIN_LIMIT_NANOS;
                else if (System.nanoTime() > deadline) throw new IllegalStateException("shared memory: the other side never answered");
            }
        }
    }

    private static void printMedian(int size, long[] times) {
        Arrays.sort(times);
        System.out.println("rtt " + size + " " + times[(times.length - 1) / 2]);
    }

    private static double rate(long total, long nanos) {
        return total / 1048576.0 / (nanos / 1e9);
    }

    private static void printRate(double mibps) {
        System.out.println("MiBps " + String.format("%.1f", mibps));
    }

    /**
     * Where a stream peer reads and writes its message (the first SIZE bytes of a buffer
     * allocated once): each {@code read} and each pass of a loop is one read(2) or write(2).
     */
    private abstract static class Ends implements AutoCloseable {
        /** One read(2) of at most {@code max} bytes; -1 at end of file. */
        abstract int read(int max) throws IOException;

        /** One read(2) into bytes [off, off + len) of a message of {@code size} bytes; -1 at end of file. */
        abstract int readAt(int off, int len, int size) throws IOException;

        /** write(2) until all {@code size} bytes are written. */
        abstract void writeFully(int size) throws IOException;

        /** read(2) until all {@code size} bytes have arrived. */
        final void readFully(int size) throws IOException {
            for (int got = 0; got < size; ) {
                int n = readAt(got, size - got, size);
                if (n < 0) throw new IOException("end of file: the other side has gone");
                got += n;
            }
        }

        @Override
        public abstract void close() throws IOException;
    }

    /** A socket: the JDK's SocketChannel, with a direct buffer. */
    private static final class ChannelEnds extends Ends {
        private final ReadableByteChannel in;
        private final WritableByteChannel out;
        private final ByteBuffer msg = ByteBuffer.allocateDirect(CHUNK);

        ChannelEnds(ReadableByteChannel in, WritableByteChannel out) {
            this.in = in;
            this.out = out;
        }

        @Override
        int read(int max) throws IOException {
            return in.read(msg.clear().limit(max));                             // read(2)
        }

        @Override
        int readAt(int off, int len, int size) throws IOException {
            return in.read(msg.limit(off + len).position(off));                 // read(2)
        }

        @Override
        void writeFully(int size) throws IOException {
            msg.clear().limit(size);
            while (msg.hasRemaining()) out.write(msg);                          // write(2)
        }

        @Override
        public void close() throws IOException {
            in.close();
            out.close();
        }
    }

    /**
     * A pipe end, FIFO or socket pair: the JDK's file streams. A message of up to {@link #SMALL}
     * bytes goes through {@code FileInputStream.read} / {@code FileOutputStream.write} on a byte
     * array: one JNI call each, whose native code makes the read(2) or write(2) on a buffer on
     * its stack and copies. The other JDK way, {@code FileChannel} with a direct buffer, surrounds
     * the same system call with bookkeeping (a position lock, the begin/end that make it
     * interruptible, a second native call that registers the thread for an asynchronous close).
     * A larger message still goes that way: the stream would allocate a buffer for each call and
     * copy the bytes through it.
     */
    private static final class StreamEnds extends Ends {
        /** The stack buffer of the JDK's stream reads and writes (BUF_SIZE in io_util.c). */
        static final int SMALL = 8192;
        private final FileInputStream in;
        private final FileOutputStream out;
        private final FileChannel inChannel, outChannel;
        private final byte[] small = new byte[SMALL];
        private final ByteBuffer msg = ByteBuffer.allocateDirect(CHUNK);

        StreamEnds(FileInputStream in, FileOutputStream out) {
            this.in = in;
            this.out = out;
            inChannel = in.getChannel();
            outChannel = out.getChannel();
        }

        /** Opens nothing: the streams use descriptors this process already has. */
        StreamEnds(FileDescriptor in, FileDescriptor out) {
            this(new FileInputStream(in), new FileOutputStream(out));
        }

        /**
         * open(path, O_WRONLY) of a FIFO the parent made. FileOutputStream adds O_CREAT and
         * O_TRUNC; the path is checked to be there and not a regular file first, and open(2)
         * ignores O_TRUNC on a FIFO.
         */
        static FileOutputStream openForWriting(Path fifo) throws IOException {
            if (!Files.exists(fifo) || Files.isRegularFile(fifo)) throw new IOException(fifo + ": no such FIFO");
            return new FileOutputStream(fifo.toFile());
        }

        @Override
        int read(int max) throws IOException {
            return readAt(0, max, max);
        }

        @Override
        int readAt(int off, int len, int size) throws IOException {
            if (size <= SMALL) return in.read(small, off, len);                 // read(2)
            return inChannel.read(msg.limit(off + len).position(off));          // read(2)
        }

        @Override
        void writeFully(int size) throws IOException {
            if (size <= SMALL) {
                out.write(small, 0, size);                                      // write(2), as often as it takes
                return;
            }
            msg.clear().limit(size);
            while (msg.hasRemaining()) outChannel.write(msg);                   // write(2)
        }

        @Override
        public void close() throws IOException {
            in.close();    // close(2), once when both streams share the descriptor
            out.close();
        }
    }
}
