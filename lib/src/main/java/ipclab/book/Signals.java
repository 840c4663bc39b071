package ipclab.book;

import java.util.Locale;
import java.util.Map;

/** Signal names and numbers as on Linux x86-64 and arm64 (signal(7)). */
final class Signals {
    private static final Map<String, Integer> NUMBERS = Map.ofEntries(
            Map.entry("HUP", 1), Map.entry("INT", 2), Map.entry("QUIT", 3), Map.entry("ILL", 4),
            Map.entry("TRAP", 5), Map.entry("ABRT", 6), Map.entry("BUS", 7), Map.entry("FPE", 8),
            Map.entry("KILL", 9), Map.entry("USR1", 10), Map.entry("SEGV", 11), Map.entry("USR2", 12),
            Map.entry("PIPE", 13), Map.entry("ALRM", 14), Map.entry("TERM", 15), Map.entry("CHLD", 17),
            Map.entry("CONT", 18), Map.entry("STOP", 19), Map.entry("TSTP", 20));

    private Signals() {}

    /** "TERM", "SIGTERM", "term" or "15" → 15. */
    static int number(String name) {
        String n = name.strip().toUpperCase(Locale.ROOT);
        if (n.startsWith("SIG")) n = n.substring(3);
        if (!n.isEmpty() && n.chars().allMatch(Character::isDigit)) return Integer.parseInt(n);
        Integer number = NUMBERS.get(n);
        if (number == null) throw new IllegalArgumentException("unknown signal " + name + ": try TERM, INT, HUP, KILL, USR1 or CHLD");
        return number;
    }

    /** 11 → "SIGSEGV". */
    static String name(int number) {
        for (Map.Entry<String, Integer> e : NUMBERS.entrySet()) {
            if (e.getValue() == number) return "SIG" + e.getKey();
        }
        return "signal " + number;
    }
}
