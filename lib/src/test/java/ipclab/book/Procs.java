package ipclab.book;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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

    /** The pids of the processes whose command line starts with this binary. */
    static List<Long> running(Path binary) {
        List<Long> found = new ArrayList<>();
        String[] names = new File("/proc").list();
        if (names == null) return found;
        String prefix = binary.toString() + "\0";
        for (String name : names) {
            if (!name.chars().allMatch(Character::isDigit)) continue;
            try {
                String cmd = new String(Files.readAllBytes(Paths.get("/proc", name, "cmdline")), StandardCharsets.UTF_8);
                if (cmd.startsWith(prefix) || cmd.equals(binary.toString())) found.add(Long.parseLong(name));
            } catch (IOException | RuntimeException e) {
                // Gone meanwhile.
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
