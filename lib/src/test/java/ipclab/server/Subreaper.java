package ipclab.server;

import java.io.IOException;
import java.util.Set;
import java.util.stream.Collectors;

import ipclab.child.ChildProcess;
import ipclab.child.Children;
import ipclab.posix.Posix;
import ipclab.tree.ProcessTree;
import jnr.ffi.LibraryLoader;

/**
 * Makes the test JVM a child subreaper (prctl(PR_SET_CHILD_SUBREAPER)): a process orphaned
 * below it is adopted by it rather than by init, which on this machine never reaps orphans.
 */
final class Subreaper {
    private static final int PR_SET_CHILD_SUBREAPER = 36;

    /** libc's prctl(2), which jnr-posix does not bind. */
    public interface Prctl {
        int prctl(int option, long arg2, long arg3, long arg4, long arg5);
    }

    private Subreaper() {}

    static synchronized void become() {
        Prctl libc = LibraryLoader.create(Prctl.class).load("c");
        if (libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) throw new IllegalStateException("prctl(PR_SET_CHILD_SUBREAPER) failed");
    }

    /** waitpid(2) for every exited child this JVM adopted (not the ones a ChildProcess reaps itself). */
    static void reapOrphans() throws IOException {
        long self = ProcessHandle.current().pid();
        Set<Long> own = Children.all().stream().map(ChildProcess::pid).collect(Collectors.toSet());
        for (ProcessTree.Proc p : ProcessTree.ofThisProcess().zombies()) {
            if (p.ppid() == self && !own.contains(p.pid())) Posix.waitpid(p.pid(), new int[1], Posix.WNOHANG);
        }
    }
}
