package ipclab.child;

/**
 * How a child ended, decoded from the status word that waitpid(2) fills in: either it exited
 * with a code ({@code WIFEXITED}) or a signal killed it ({@code WIFSIGNALED}).
 */
public record ExitStatus(long pid, int code, int signal) {
    static ExitStatus decode(long pid, int status) {
        int signal = status & 0x7f;
        return signal == 0 ? new ExitStatus(pid, (status >> 8) & 0xff, 0) : new ExitStatus(pid, -1, signal);
    }

    /** True when the child called exit(0). */
    public boolean success() {
        return signal == 0 && code == 0;
    }

    /** Returns this status, or throws {@link ChildFailedException} unless the child exited 0. */
    public ExitStatus check() throws ChildFailedException {
        if (!success()) throw new ChildFailedException("child " + pid + " " + describe());
        return this;
    }

    private String describe() {
        if (signal == 0) return "exited with status " + code;
        String name = switch (signal) {
            case 9 -> "SIGKILL";
            case 15 -> "SIGTERM";
            case 2 -> "SIGINT";
            case 6 -> "SIGABRT";
            case 11 -> "SIGSEGV";
            case 13 -> "SIGPIPE";
            default -> "signal " + signal;
        };
        return "was killed by " + name;
    }

    @Override
    public String toString() {
        return "child " + pid + " " + describe();
    }
}
