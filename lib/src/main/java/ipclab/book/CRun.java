package ipclab.book;

import java.time.Duration;

/**
 * How one run of a C program ended: an immutable value, so a cell can keep it and compare runs.
 *
 * @param ran      false when the program did not run at all (no C compiler on this machine)
 * @param status   the exit status as a shell shows it: the program's exit code, or 128 + N when
 *                 signal N killed it; -1 when it did not run
 * @param signal   the signal that killed the program, or 0 when it exited by itself
 * @param timedOut true when the time limit struck first and its process group was killed
 * @param output   everything the program and its children wrote to standard output and error
 * @param elapsed  from the start until the run ended
 * @param limit    the time it was given
 */
public record CRun(boolean ran, int status, int signal, boolean timedOut, String output, Duration elapsed, Duration limit) {

    /** True when the program ran, exited by itself with status 0 and was not cut short. */
    public boolean succeeded() {
        return ran && status == 0 && signal == 0 && !timedOut;
    }

    /**
     * The line a cell prints after the output: "exit status 0", "killed by signal 11 (SIGSEGV)",
     * or, when the limit struck, "timed out after 5 s: its process group was killed".
     */
    public String statusLine() {
        if (!ran) return "did not run";
        String ended = signal != 0 ? "killed by signal " + signal + " (" + Signals.name(signal) + ")" : "exit status " + status;
        if (!timedOut) return ended;
        String cut = "timed out after " + seconds(limit) + ": its process group was killed";
        return signal == 9 ? cut + " (SIGKILL)" : cut + "; the program itself had ended with " + ended;
    }

    /** "5 s", "0.5 s": the limit as a cell wrote it. */
    private static String seconds(Duration d) {
        long tenths = Math.round(d.toMillis() / 100.0);
        return tenths % 10 == 0 ? tenths / 10 + " s" : tenths / 10 + "." + tenths % 10 + " s";
    }

    @Override
    public String toString() {
        return statusLine();
    }
}
