package ipclab.sharedmemory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import ipclab.child.ChildProcess;
import ipclab.child.ExitStatus;

/**
 * Races child JVMs on one {@link SharedCounter}: each maps the counter's file and increments it
 * N times ({@link Increments}). They start together at a gate in the shared memory, so their
 * loops overlap. Every child is killed if it has not exited within the time limit.
 */
public final class CounterRace {
    private CounterRace() {}

    /** Two child JVMs, 60 s at most. */
    public static RaceResult run(SharedCounter counter, IncrementMode mode, int perProcess) throws IOException {
        return run(counter, mode, perProcess, 2, Duration.ofSeconds(60));
    }

    public static RaceResult run(SharedCounter counter, IncrementMode mode, int perProcess, int processes, Duration limit)
            throws IOException {
        if (processes < 1 || processes > 8) throw new IllegalArgumentException("1 to 8 processes, not " + processes);
        counter.reset();
        List<ChildProcess> children = new ArrayList<>();
        try {
            for (int i = 0; i < processes; i++) {
                children.add(ChildProcess.builder()
                        .main(Increments.class, counter.path().toString(), mode.name(), String.valueOf(perProcess),
                                String.valueOf(i), String.valueOf(processes))
                        .timeout(limit)
                        .start());                                   // posix_spawn(): a new JVM
            }
            for (ChildProcess child : children) {
                ExitStatus status = child.waitFor(limit);            // waitpid(), bounded: killed after the limit
                if (!status.success()) {
                    throw new IOException("a racer did not finish: " + status + " " + child.output().strip());
                }
            }
        } finally {
            for (ChildProcess child : children) child.close();       // kills and reaps any left
        }
        long longest = 0;
        for (int i = 0; i < processes; i++) longest = Math.max(longest, counter.time(i));
        return new RaceResult(mode, processes, perProcess, Integer.toUnsignedLong(counter.get()), Duration.ofNanos(longest));
    }
}
