package ipclab.book;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/** What the tests look up in /proc, and their one way to wait for a condition with a bound. */
final class Procs {
    private Procs() {}

    /** The pids of the running processes (not zombies) that execute this binary. */
    static List<Long> running(Path binary) {
        List<Long> found = new ArrayList<>();
        String[] names = new File("/proc").list();
        if (names == null) return found;
        for (String name : names) {
            if (!name.chars().allMatch(Character::isDigit)) continue;
            try {
                // A zombie has no executable left to name: it has exited, so it does not count.
                if (Files.readSymbolicLink(Paths.get("/proc", name, "exe")).equals(binary)) found.add(Long.parseLong(name));
            } catch (IOException | RuntimeException e) {
                // Gone meanwhile, or not ours to read.
            }
        }
        return found;
    }

    /** Polls the condition every 20 ms until it holds or the bound passes; returns whether it held. */
    static boolean within(Duration bound, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) return false;
            Thread.sleep(20);
        }
        return true;
    }
}
