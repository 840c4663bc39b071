package ipclab.benchmark;

import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How much one measurement does: the message sizes of the round trips, how many round trips per
 * size are timed after how many untimed ones, and how many bytes go one way for the throughput
 * (three times after a quarter as many untimed, keeping the fastest). Immutable; each {@code with} method returns a copy.
 */
public final class Workload {
    /** The largest message: one 64 KiB chunk, the size of a Linux pipe's buffer. */
    public static final int MAX_SIZE = 64 * 1024;

    private final int[] sizes;
    private final int rounds;
    private final int warmup;
    private final long bytes;
    private final Duration limit;

    private Workload(int[] sizes, int rounds, int warmup, long bytes, Duration limit) {
        if (sizes.length == 0 || sizes.length > 8) throw new IllegalArgumentException("give 1 to 8 message sizes");
        for (int s : sizes) {
            if (s < 1 || s > MAX_SIZE) throw new IllegalArgumentException("message size " + s + ": 1 to " + MAX_SIZE + " bytes");
        }
        if (rounds < 1) throw new IllegalArgumentException("rounds must be positive: " + rounds);
        if (warmup < 0) throw new IllegalArgumentException("warmup must not be negative: " + warmup);
        if (bytes < 0) throw new IllegalArgumentException("bytes must not be negative: " + bytes);
        if (limit.isNegative() || limit.isZero()) throw new IllegalArgumentException("limit must be positive: " + limit);
        this.sizes = sizes.clone();
        this.rounds = rounds;
        this.warmup = warmup;
        this.bytes = bytes;
        this.limit = limit;
    }

    /** 32 B, 1 KiB and 64 KiB; 500 timed round trips after 2000 untimed; 16 MiB of throughput; 30 s per measurement. */
    public static Workload small() {
        return new Workload(new int[] {32, 1024, 64 * 1024}, 500, 2000, 16L << 20, Duration.ofSeconds(30));
    }

    public Workload withSizes(int... sizes) {
        return new Workload(sizes, rounds, warmup, bytes, limit);
    }

    public Workload withRounds(int rounds) {
        return new Workload(sizes, rounds, warmup, bytes, limit);
    }

    public Workload withWarmup(int warmup) {
        return new Workload(sizes, rounds, warmup, bytes, limit);
    }

    /** Bytes sent one way for the throughput; 0 measures none. */
    public Workload withBytes(long bytes) {
        return new Workload(sizes, rounds, warmup, bytes, limit);
    }

    /** How long one measurement (both processes, start to end) may take before they are killed. */
    public Workload withLimit(Duration limit) {
        return new Workload(sizes, rounds, warmup, bytes, limit);
    }

    public int[] sizes() {
        return sizes.clone();
    }

    public int rounds() {
        return rounds;
    }

    public int warmup() {
        return warmup;
    }

    public long bytes() {
        return bytes;
    }

    public Duration limit() {
        return limit;
    }

    /** The sizes as the command line takes them: {@code 32,1024,65536}. */
    String sizeList() {
        return Arrays.stream(sizes).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    /** The arguments after the mechanism, the same for the C peer and the Java peers. */
    String[] arguments() {
        return new String[] {sizeList(), Integer.toString(rounds), Integer.toString(warmup), Long.toString(bytes)};
    }

    @Override
    public String toString() {
        return "sizes " + sizeList() + ", " + rounds + " round trips after " + warmup + " untimed, "
                + (bytes >> 20) + " MiB one way";
    }
}
