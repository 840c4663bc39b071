package ipclab.signal;

import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import ipclab.posix.Posix;

import static ipclab.language.Messages.text;

/**
 * Installs a Java signal handler in this JVM, and sends signals to other processes.
 *
 * <p>HotSpot catches the signal itself: its C handler adds one to a counter for that signal
 * number ({@code pending_signals[sig]} in {@code os::signal_notify}) and wakes its "Signal
 * Dispatcher" thread, which takes the counter down by one per call and starts a new thread,
 * named like {@code "SIGTERM handler"}, to run the Java handler. So the Java handler runs once
 * per signal the OS kernel delivered to the JVM, in a thread of its own, some time after the
 * delivery; standard signals that the OS kernel merged before delivery stay merged.
 *
 * <p>The JVM refuses some signals ({@code "Signal already used by VM or OS"}): on Linux, JDK 17,
 * SIGQUIT (its thread dump), SIGILL, SIGFPE and SIGSEGV, and SIGKILL and SIGSTOP, which no
 * process can catch. It accepts SIGBUS, SIGUSR2, SIGPIPE and SIGXFSZ, whose old handler is then
 * HotSpot's own (SIGUSR2 suspends and resumes its threads), so this class refuses those too.
 *
 * <p>Never in the notebook's JVM: there {@link #install} prints one line and installs nothing.
 * SIGTERM, SIGINT and SIGHUP are where the JVM runs its shutdown hooks (and exits with
 * 128 + the signal's number); Jupyter sends SIGTERM to the notebook's kernel (JJava) when a
 * shutdown takes too long. A handler there would outlive the cell and every re-run of it.
 */
public final class Signals {
    /** Set to "true" by the course's JJava extension in the notebook's JVM, and nowhere else. */
    public static final String NOTEBOOK_PROPERTY = "ipclab.notebook";

    private static final Map<String, Integer> NUMBERS = Map.ofEntries(
            Map.entry("HUP", 1), Map.entry("INT", 2), Map.entry("QUIT", 3), Map.entry("ILL", 4),
            Map.entry("TRAP", 5), Map.entry("ABRT", 6), Map.entry("BUS", 7), Map.entry("FPE", 8),
            Map.entry("KILL", 9), Map.entry("USR1", 10), Map.entry("SEGV", 11), Map.entry("USR2", 12),
            Map.entry("PIPE", 13), Map.entry("ALRM", 14), Map.entry("TERM", 15), Map.entry("CHLD", 17),
            Map.entry("CONT", 18), Map.entry("STOP", 19), Map.entry("TSTP", 20), Map.entry("XFSZ", 25),
            Map.entry("WINCH", 28));
    /** Refused by the JVM itself, or caught by no process at all. */
    private static final Set<String> JVM_REFUSES = Set.of("QUIT", "ILL", "FPE", "SEGV", "KILL", "STOP");
    /** Accepted by the JVM, but the handler replaced would be HotSpot's own. */
    private static final Set<String> JVM_OWNS = Set.of("BUS", "USR2", "PIPE", "XFSZ");

    private Signals() {}

    /** "TERM", "SIGTERM", "term" → "TERM". */
    static String shortName(String name) {
        String n = name.strip().toUpperCase(Locale.ROOT);
        if (n.startsWith("SIG")) n = n.substring(3);
        if (!NUMBERS.containsKey(n)) {
            throw new IllegalArgumentException(text("signal.unknown", name));
        }
        return n;
    }

    /** "TERM" or "SIGTERM" → 15, as on Linux x86-64 and arm64 (signal(7)). */
    public static int number(String name) {
        return NUMBERS.get(shortName(name));
    }

    /** True in the notebook's JVM (the course's JJava extension says so), false in a child JVM. */
    public static boolean inNotebookJvm() {
        return Boolean.getBoolean(NOTEBOOK_PROPERTY);
    }

    /**
     * {@code sigaction(sig, ...)} for Java: from now on, each delivery of the signal runs
     * {@code action} in a new thread named like {@code "SIGTERM handler"}. Returns true once
     * installed; otherwise prints one line saying why not (the notebook's JVM, a signal the JVM
     * keeps, an unknown name) and returns false.
     */
    public static boolean install(String name, Runnable action) {
        String n;
        try {
            n = shortName(name);
        } catch (IllegalArgumentException e) {
            System.out.println(e.getMessage());
            return false;
        }
        if (inNotebookJvm()) {
            System.out.println(text("signal.refused.notebook", n));
            return false;
        }
        if (JVM_REFUSES.contains(n)) {
            System.out.println(text("signal.refused.jvm", n));
            return false;
        }
        if (JVM_OWNS.contains(n)) {
            System.out.println(text("signal.refused.hotspot", n));
            return false;
        }
        Runnable guarded = () -> {
            try {
                action.run();
            } catch (RuntimeException | Error e) {
                System.out.println(text("signal.handler-threw", n, e));
            }
        };
        try {
            sun.misc.Signal.handle(new sun.misc.Signal(n), signal -> guarded.run());
        } catch (IllegalArgumentException e) {
            System.out.println(text("signal.refused.other", n, e.getMessage()));
            return false;
        }
        return true;
    }

    /** kill(2): sends the signal to {@code pid}. Returns false when that process no longer exists. */
    public static boolean kill(long pid, String name) throws IOException {
        if (pid <= 0) throw new IllegalArgumentException(text("signal.kill.not-one-process", pid));
        return Posix.kill(pid, number(name));
    }
}
