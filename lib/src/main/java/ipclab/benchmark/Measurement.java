package ipclab.benchmark;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one measurement found: for each message size the median (p50) round-trip time, and the
 * one-way throughput. Immutable.
 *
 * @param mechanism what carried the bytes
 * @param side      {@code "java"} (two child JVMs) or {@code "c"} (a C process and its forked child)
 * @param rttNanos  message size in bytes → p50 round trip in nanoseconds, in the order measured
 * @param mibps     MiB per second one way, or 0 when none was measured
 */
public record Measurement(Mechanism mechanism, String side, Map<Integer, Long> rttNanos, double mibps) {
    public Measurement {
        rttNanos = Collections.unmodifiableMap(new LinkedHashMap<>(rttNanos));
    }

    /** The p50 round trip for this message size, in microseconds; NaN if it was not measured. */
    public double rttMicros(int size) {
        Long ns = rttNanos.get(size);
        return ns == null ? Double.NaN : ns / 1000.0;
    }

    /**
     * Reads the peer's lines, {@code rtt SIZE P50_NS} and {@code MiBps RATE}, which the C peer
     * and the Java peer print alike; other lines are ignored.
     */
    static Measurement parse(Mechanism mechanism, String side, String output) {
        Map<Integer, Long> rtt = new LinkedHashMap<>();
        double rate = 0;
        for (String line : output.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length == 3 && f[0].equals("rtt")) rtt.put(Integer.parseInt(f[1]), Long.parseLong(f[2]));
            else if (f.length == 2 && f[0].equals("MiBps")) rate = Double.parseDouble(f[1]);
        }
        return new Measurement(mechanism, side, rtt, rate);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(String.format("%-13s %-4s", mechanism.title(), side));
        for (Map.Entry<Integer, Long> e : rttNanos.entrySet()) {
            b.append(String.format("  rtt %5s %8.2f µs", Sizes.label(e.getKey()), e.getValue() / 1000.0));
        }
        if (mibps > 0) b.append(String.format("  %8.0f MiB/s", mibps));
        return b.toString();
    }
}
