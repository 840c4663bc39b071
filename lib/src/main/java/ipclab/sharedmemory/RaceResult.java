package ipclab.sharedmemory;

import java.time.Duration;

/**
 * What one race gave: PROCESSES processes each incremented the shared count N times in MODE;
 * the count they left, and the longest of their loops' times (JVM start-up excluded).
 */
public record RaceResult(IncrementMode mode, int processes, int perProcess, long count, Duration loopTime) {
    public long expected() {
        return (long) processes * perProcess;
    }

    public long lost() {
        return expected() - count;
    }

    /** Nanoseconds per increment, over all processes' increments in the longest loop's time. */
    public double nanosPerIncrement() {
        return (double) loopTime.toNanos() / expected();
    }

    @Override
    public String toString() {
        return String.format("%-6s %d × %,d increments: count = %,d of %,d, lost %,d (%.1f %%), loop time %,d ms (%.0f ns per increment)",
                mode.label(), processes, perProcess, count, expected(), lost(), 100.0 * lost() / expected(),
                loopTime.toMillis(), nanosPerIncrement());
    }
}
