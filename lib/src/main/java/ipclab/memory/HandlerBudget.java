package ipclab.memory;

import java.util.OptionalLong;

import ipclab.language.Messages;

/**
 * How many handler processes the echo server may run within a memory limit: what is left of the
 * limit once the notebook's JVM, the server's own processes and some headroom are set aside,
 * divided by what one handler costs.
 *
 * <pre>
 *   handlers = (limit − notebook's JVM − server and storing process − limit/10) / per handler,
 *              at least 1, at most 64
 * </pre>
 *
 * <p>The figures, measured on the course machines (JDK 17; see docs/teaching.md, "Memory"):
 * <ul>
 *   <li>a handler JVM ({@code -Xmx16m}, serial collector, client compiler) is charged about
 *       10.5 MiB to its memory cgroup while it serves a client of short lines (its resident set
 *       is about 38 MiB, but most of that is the JDK's files, shared by every JVM and counted
 *       once); 16 MiB leaves room for its heap to grow with long lines;</li>
 *   <li>the server and the storing process together, 90 to 100 MiB (PSS 82 and 16 MiB): {@link #SERVER_BYTES};</li>
 *   <li>the notebook's JVM, which shares the learner's limit: 150 to 210 MiB of PSS with its
 *       {@code -Xmx192m}, and about 25 MiB for JJava's launcher JVM, which starts it: {@link #NOTEBOOK_JVM_BYTES};</li>
 *   <li>a tenth of the limit as headroom, for the OS kernel's own use on the processes' behalf
 *       (page tables, socket buffers) and the file pages that the cgroup is also charged for.</li>
 * </ul>
 * Where no limit is set, the cap is {@link #CEILING}: the machine's memory is not the learner's to take.
 *
 * @param limitBytes the limit the cap was derived from, or empty where none is set
 * @param maxHandlers the cap on handler processes
 */
public record HandlerBudget(OptionalLong limitBytes, int maxHandlers) {
    private static final long MIB = 1 << 20;
    /** Budgeted for one handler process. */
    public static final long PER_HANDLER_BYTES = 16 * MIB;
    /** Budgeted for the server's own JVM and its storing process. */
    public static final long SERVER_BYTES = 96 * MIB;
    /** Set aside for the notebook's JVM, which shares the limit with the server it starts. */
    public static final long NOTEBOOK_JVM_BYTES = 300 * MIB;
    /** The cap never goes above this: more clients wait for a free handler. */
    public static final int CEILING = 64;

    private static volatile HandlerBudget ofThisProcess;

    public HandlerBudget {
        if (maxHandlers < 1) throw new IllegalArgumentException("a budget needs at least one handler, not " + maxHandlers);
    }

    /** The budget for the limit of this process's memory cgroup (read once). */
    public static HandlerBudget ofThisProcess() {
        HandlerBudget b = ofThisProcess;
        if (b == null) ofThisProcess = b = of(MemoryLimit.ofThisProcess());
        return b;
    }

    /** The budget for a limit: {@link #forBytes} where one is set, {@link #CEILING} where none is. */
    public static HandlerBudget of(MemoryLimit limit) {
        return limit.isSet() ? forBytes(limit.bytes().getAsLong()) : new HandlerBudget(OptionalLong.empty(), CEILING);
    }

    /** The budget for a limit of {@code bytes}. */
    public static HandlerBudget forBytes(long bytes) {
        if (bytes <= 0) throw new IllegalArgumentException(Messages.text("memory.size.not-positive", bytes));
        long left = bytes - NOTEBOOK_JVM_BYTES - SERVER_BYTES - bytes / 10;
        long n = left / PER_HANDLER_BYTES;
        return new HandlerBudget(OptionalLong.of(bytes), (int) Math.max(1, Math.min(CEILING, n)));
    }

    /**
     * A size such as {@code 1g}, {@code 512m}, {@code 1048576k} or {@code 1073741824} (bytes),
     * as for {@code -Xmx}; throws {@link IllegalArgumentException} with one line otherwise.
     */
    public static long parseSize(String text) {
        String t = text.strip().toLowerCase(java.util.Locale.ROOT);
        long unit = 1;
        if (t.endsWith("b")) t = t.substring(0, t.length() - 1);   // 512mb, 1gb
        if (t.endsWith("k")) unit = 1 << 10;
        else if (t.endsWith("m")) unit = MIB;
        else if (t.endsWith("g")) unit = 1L << 30;
        if (unit != 1) t = t.substring(0, t.length() - 1);
        try {
            long n = Long.parseLong(t);
            if (n <= 0 || n > Long.MAX_VALUE / unit) throw new NumberFormatException();
            return n * unit;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(Messages.text("memory.size.bad", text));
        }
    }

    /** {@code 32 handlers at most (for a memory limit of 1024 MiB)}, or {@code 64 handlers at most (no memory limit set)}. */
    @Override
    public String toString() {
        return limitBytes.isPresent() ? Messages.text("memory.budget.set", maxHandlers, limitBytes.getAsLong() / MIB)
                : Messages.text("memory.budget.none", maxHandlers);
    }
}
