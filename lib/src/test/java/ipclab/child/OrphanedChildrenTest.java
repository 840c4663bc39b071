package ipclab.child;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import ipclab.posix.Posix;
import ipclab.tree.ProcessTree;
import jnr.ffi.LibraryLoader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Children never outlive their parent, even when it is killed with SIGKILL and runs no
 * shutdown hook: each child's lifeline pipe reaches end of file and the child halts.
 */
class OrphanedChildrenTest {
    private static final int PR_SET_CHILD_SUBREAPER = 36;

    /** libc's prctl(2). */
    public interface Prctl {
        int prctl(int option, long arg2, long arg3, long arg4, long arg5);
    }

    /**
     * PID 1 here does not reap orphans. As a child subreaper, this JVM adopts the orphans of
     * the process it kills, so it can reap them and read how they ended.
     */
    @BeforeAll
    static void becomeSubreaper() {
        Prctl libc = LibraryLoader.create(Prctl.class).load("c");
        assertEquals(0, libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "prctl(PR_SET_CHILD_SUBREAPER)");
    }

    @Test
    void childrenOfAKilledParentAreGoneWithinTwoSeconds() throws Exception {
        Process parent = new ProcessBuilder(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"),
                TestMains.SpawnSleepers.class.getName(), "3")
                .redirectErrorStream(true)
                .start();
        List<Long> pids = new ArrayList<>();
        Map<Long, ExitStatus> reaped = new HashMap<>();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertNotNull(line, "the intermediate JVM printed nothing");
            assertTrue(line.startsWith("pids "), "unexpected output from the intermediate JVM: " + line);
            for (String p : line.substring(5).trim().split(" ")) pids.add(Long.parseLong(p));
            assertEquals(3, pids.size());
            for (long pid : pids) {
                ProcessTree.Proc proc = ProcessTree.read(pid);
                assertNotNull(proc, "child " + pid + " should be running before the kill");
                assertEquals(parent.pid(), proc.ppid(), "child " + pid + "'s parent");
                assertFalse(proc.state() == 'Z', "child " + pid + " already exited");
            }

            long killedAt = System.nanoTime();
            assertTrue(Posix.kill(parent.pid(), Posix.SIGKILL));
            assertTrue(parent.waitFor(5, TimeUnit.SECONDS), "the intermediate JVM survived SIGKILL");
            // Its children are now ours (we are the subreaper): wait for each to end, by pid.
            long deadline = killedAt + 2_000_000_000L;
            while (reaped.size() < pids.size() && System.nanoTime() < deadline) {
                for (long pid : pids) {
                    if (reaped.containsKey(pid)) continue;
                    int[] raw = new int[1];
                    if (Posix.waitpid(pid, raw, Posix.WNOHANG) == pid) reaped.put(pid, ExitStatus.decode(pid, raw[0]));
                }
                Thread.sleep(5);
            }
            long tookMs = (System.nanoTime() - killedAt) / 1_000_000;
            assertEquals(pids.size(), reaped.size(), "children still running 2 s after their parent's SIGKILL: "
                    + pids.stream().filter(p -> !reaped.containsKey(p)).toList());
            for (long pid : pids) {
                // 137: the lifeline's Runtime.halt, taken when the parent's end of the pipe closed.
                assertEquals(137, reaped.get(pid).code(), "child " + pid + " ended as " + reaped.get(pid));
                assertNull(ProcessTree.read(pid), "child " + pid + " left a process entry");
            }
            assertTrue(tookMs < 2000, "took " + tookMs + " ms");
        } finally {
            parent.destroyForcibly();
            parent.waitFor(5, TimeUnit.SECONDS);
            for (long pid : pids) {
                if (reaped.containsKey(pid)) continue;
                Posix.kill(pid, Posix.SIGKILL);
                Posix.waitpid(pid, new int[1], 0);
            }
        }
    }
}
