package ipclab.sharedmemory;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A child program: {@code Increments FILE MODE N INDEX PROCESSES} maps the shared counter in
 * FILE, waits at the start gate until all PROCESSES racers are ready (at most 20 s), increments
 * the count N times in MODE, records how long its loop took in slot INDEX, and exits. Exit
 * status 3: the others never came. It loads nothing but the JDK and this package.
 */
public final class Increments {
    private Increments() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: Increments FILE racy|atomic|locked N INDEX PROCESSES");
            System.exit(2);
        }
        IncrementMode mode = IncrementMode.valueOf(args[1].toUpperCase());
        int n = Integer.parseInt(args[2]);
        int index = Integer.parseInt(args[3]);
        int processes = Integer.parseInt(args[4]);
        try (SharedCounter counter = SharedCounter.open(Path.of(args[0]))) {
            // JVMs start at different speeds: without the gate, a racer could finish before the other began.
            try {
                counter.startTogether(processes, Duration.ofSeconds(20));
            } catch (IllegalStateException e) {
                System.err.println("Increments: " + e.getMessage());
                System.exit(3);
            }
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) mode.increment(counter);
            counter.time(index, System.nanoTime() - start);
            counter.finished();
        }
    }
}
