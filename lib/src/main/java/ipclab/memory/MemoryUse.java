package ipclab.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import ipclab.language.Messages;

/**
 * What a process and all its descendants use, read from {@code /proc/PID/smaps_rollup} (Linux 4.14+).
 *
 * <p>Two sums. The resident set (RSS) counts every page a process has in memory, so the JDK's
 * files, mapped by every JVM, count once per JVM. The proportional set size (PSS) divides each
 * shared page among the processes that map it, so the PSS of all processes adds up to what they
 * use together: that is the figure to hold against a memory limit.
 *
 * @param processes how many processes were read (those that exited meanwhile are left out)
 * @param pssBytes the sum of their PSS
 * @param rssBytes the sum of their resident sets
 */
public record MemoryUse(int processes, long pssBytes, long rssBytes) {
    private static final long MIB = 1 << 20;

    /** The process {@code pid} alone, read now. */
    public static MemoryUse of(long pid) {
        long[] r = rollup(pid);
        return r == null ? new MemoryUse(0, 0, 0) : new MemoryUse(1, r[0], r[1]);
    }

    /** The process {@code pid} and its descendants, read now. */
    public static MemoryUse ofTree(long pid) {
        List<Long> pids = new ArrayList<>();
        pids.add(pid);
        ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(d -> pids.add(d.pid())));
        int n = 0;
        long pss = 0;
        long rss = 0;
        for (long p : pids) {
            long[] r = rollup(p);
            if (r == null) continue;
            n++;
            pss += r[0];
            rss += r[1];
        }
        return new MemoryUse(n, pss, rss);
    }

    /** {Pss, Rss} in bytes, or null if the process has gone (or cannot be read). */
    private static long[] rollup(long pid) {
        try {
            long pss = -1;
            long rss = -1;
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"))) {
                if (line.startsWith("Pss:")) pss = kib(line);
                else if (line.startsWith("Rss:")) rss = kib(line);
            }
            return pss < 0 || rss < 0 ? null : new long[] {pss, rss};
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static long kib(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
    }

    public long pssMib() {
        return pssBytes / MIB;
    }

    public long rssMib() {
        return rssBytes / MIB;
    }

    /** {@code 7 processes: 180 MiB (PSS, shared pages counted once; 290 MiB resident counting them in each)}. */
    @Override
    public String toString() {
        return Messages.text(processes == 1 ? "memory.use.one" : "memory.use.many", processes, pssMib(), rssMib());
    }
}
