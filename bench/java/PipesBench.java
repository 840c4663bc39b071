import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Paths;
import java.time.Duration;

import ipclab.child.ChildProcess;
import ipclab.child.ExitStatus;
import ipclab.child.Fork;
import ipclab.child.WriteTo;
import ipclab.pipe.Fd;
import ipclab.pipe.Pipe;

/**
 * The JVM side of {@code make bench}, run by bench_pipes.py in one warm parent JVM:
 *
 * <pre>
 *   PipesBench spawn RUNS WARMUP   ms from ChildProcess start() to the child's first byte, one per line
 *   PipesBench fork RUNS WARMUP    ms from Fork.run() to the parent side reading the child's byte
 *   PipesBench pipe BYTES WARM N   "BYTES SECONDS" N times: BYTES parent -> lean child in 64 KiB
 *                                  chunks, timed after WARM untimed bytes and the child's ready byte
 * </pre>
 */
public final class PipesBench {
    static final int CHUNK = 64 * 1024;

    public static void main(String[] args) throws Throwable {
        switch (args[0]) {
            case "spawn" -> spawn(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            case "fork" -> fork(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            case "pipe" -> pipe(Long.parseLong(args[1]), Long.parseLong(args[2]), Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException("usage: PipesBench spawn|fork|pipe ...");
        }
    }

    /** The course's smallest child, WriteTo, writing into a pipe the parent reads. */
    static void spawn(int runs, int warmup) throws Exception {
        byte[] one = new byte[1];
        for (int i = 0; i < warmup + runs; i++) {
            try (Pipe pipe = Pipe.open()) {
                long t0 = System.nanoTime();
                ChildProcess child = ChildProcess.builder()
                        .main(WriteTo.class, Integer.toString(pipe.writeEnd().number()), "x")
                        .inherit(pipe.writeEnd())
                        .showOutput(false)
                        .start();
                pipe.writeEnd().close();
                if (pipe.readEnd().read(one) != 1) throw new IllegalStateException("no byte from child " + child.pid());
                long t1 = System.nanoTime();
                child.waitFor().check();
                if (i >= warmup) System.out.println((t1 - t0) / 1e6);
            }
        }
    }

    /** A cell's code run through Fork: the child writes one byte, the parent side reads it. */
    static void fork(int runs, int warmup) throws Throwable {
        String body = """
                if (pid == 0) {
                    fds[1].write("x");
                } else {
                    fds[1].close();
                    if (fds[0].read(new byte[1]) != 1) throw new IllegalStateException("no byte from child");
                    readAt[0] = System.nanoTime();
                }
                """;
        for (int i = 0; i < warmup + runs; i++) {
            try (Pipe pipe = Pipe.open()) {
                long[] readAt = new long[1];
                long t0 = System.nanoTime();
                ExitStatus status = Fork.code(body)
                        .with("fds", "Fd[]", pipe.fds())
                        .with("readAt", "long[]", readAt)
                        .run();
                if (!status.success()) throw new IllegalStateException(status.toString());
                if (i >= warmup) System.out.println((readAt[0] - t0) / 1e6);
            }
        }
    }

    /**
     * TOTAL bytes through Fd.write(ByteBuffer) to a child reading with Fd.read(ByteBuffer), PASSES
     * times in one pair of JVMs, after WARM untimed bytes; prints "BYTES SECONDS" per pass.
     */
    static void pipe(long total, long warm, int passes) throws Exception {
        String classes = Paths.get(PipesBench.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        try (Pipe data = Pipe.open(); Pipe back = Pipe.open()) {
            ChildProcess child = ChildProcess.builder()
                    .classpath(classes)
                    .main(DrainChild.class, Integer.toString(data.readEnd().number()), Integer.toString(back.writeEnd().number()),
                            Long.toString(warm), Long.toString(total), Integer.toString(passes))
                    .inherit(data.readEnd(), back.writeEnd())
                    .timeout(Duration.ofSeconds(120))
                    .showOutput(true)
                    .start();
            data.readEnd().close();
            back.writeEnd().close();
            Fd out = data.writeEnd().timeout(Duration.ofSeconds(30));
            Fd in = back.readEnd().timeout(Duration.ofSeconds(30));

            ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);
            while (chunk.hasRemaining()) chunk.put((byte) 'x');
            // Untimed: both JVMs compile their loops on these, as they would in any long transfer.
            send(out, chunk, warm);
            if (in.read(new byte[1]) != 1) throw new IllegalStateException("child never said it was ready");
            ByteBuffer count = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < passes; i++) {
                long t0 = System.nanoTime();
                send(out, chunk, total);
                count.clear();
                while (count.hasRemaining()) {
                    if (in.read(count) < 0) throw new IllegalStateException("child sent no byte count");
                }
                long t1 = System.nanoTime();
                long got = count.flip().getLong();
                if (got != total) throw new IllegalStateException("child read " + got + " of " + total + " bytes");
                System.out.println(got + " " + (t1 - t0) / 1e9);
            }
            out.close();
            child.waitFor().check();
        }
    }

    private static void send(Fd out, ByteBuffer chunk, long bytes) throws Exception {
        for (long sent = 0; sent < bytes; sent += CHUNK) {
            chunk.clear();
            while (chunk.hasRemaining()) out.write(chunk);
        }
    }
}
