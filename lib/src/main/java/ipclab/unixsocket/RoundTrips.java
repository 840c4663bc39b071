package ipclab.unixsocket;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;

/**
 * A small measurement: {@code count} echo round trips of one short line over one connection,
 * each timed. A figure from one run on a shared machine, for comparing orders of magnitude, not
 * a benchmark (the course's benchmarks are in {@code make bench}).
 */
public record RoundTrips(String over, int count, Duration median, Duration total) {
    /** Sends {@code count} lines through {@code c} and reads each echo, at most {@code limit} in all. */
    public static RoundTrips time(String over, SocketConnection c, int count, Duration limit) throws IOException {
        if (count < 1) throw new IllegalArgumentException("count must be at least 1: " + count);
        long[] each = new long[count];
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        for (int i = 0; i < count; i++) {
            long t = System.nanoTime();
            String reply = c.echo("ping " + i, limit);                   // write(2), then read(2) of the echo
            each[i] = System.nanoTime() - t;
            if (!("ping " + i).equals(reply)) throw new IOException("round trip " + i + " over " + over + " got \"" + reply + "\"");
            if (System.nanoTime() > deadline) throw new IOException(over + ": " + i + " round trips took more than " + limit.toSeconds() + " s");
        }
        long total = System.nanoTime() - start;
        Arrays.sort(each);
        return new RoundTrips(over, count, Duration.ofNanos(each[count / 2]), Duration.ofNanos(total));
    }

    @Override
    public String toString() {
        return String.format("%s: %d round trips, median %d µs each", over, count, median.toNanos() / 1000);
    }
}
