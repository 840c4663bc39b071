package ipclab.cleanup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import ipclab.child.ChildProcess;
import ipclab.child.ExitStatus;
import ipclab.fifo.Fifo;
import ipclab.posix.Posix;
import ipclab.sharedmemory.SharedCounter;
import ipclab.signal.StoreFile;
import ipclab.unixsocket.SocketDir;
import ipclab.unixsocket.UnixServer;
import org.junit.jupiter.api.Test;

/**
 * A child JVM makes a FIFO, a socket directory with a listening socket in it, a shared counter
 * and a store file, and never closes them. SIGTERM: its shutdown hook removes them. SIGKILL:
 * they stay until {@link OwnedFiles#sweep()}.
 */
class OwnedFilesTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);

    private static List<Path> startMaker(ChildProcess[] child) throws Exception {
        child[0] = ChildProcess.builder()
                .classpath(System.getProperty("java.class.path"))
                .main(LeavingFilesMain.class)
                .showOutput(false)
                .timeout(LIMIT.multipliedBy(2))
                .start();
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (true) {
            String out = child[0].output();
            int at = out.indexOf("made ");
            int eol = at < 0 ? -1 : out.indexOf('\n', at);
            if (eol > 0) {
                String[] words = out.substring(at + 5, eol).split(" ");
                List<Path> paths = Arrays.stream(words, 0, 4).map(Path::of).toList();
                for (Path p : paths) assertTrue(Files.exists(p, LinkOption.NOFOLLOW_LINKS), p + " missing");
                assertTrue(Files.exists(paths.get(1).resolve("echo.sock"), LinkOption.NOFOLLOW_LINKS));
                return paths;
            }
            assertEquals(null, child[0].poll(), () -> "the child ended: " + child[0].output());
            assertTrue(System.nanoTime() < deadline, "the child printed no paths");
            Thread.sleep(10);
        }
    }

    private static boolean allGone(List<Path> paths) {
        return paths.stream().noneMatch(p -> Files.exists(p, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void sigtermRunsTheHookThatRemovesEverything() throws Exception {
        ChildProcess[] child = new ChildProcess[1];
        try {
            List<Path> paths = startMaker(child);
            child[0].signal(Posix.SIGTERM);
            ExitStatus end = child[0].waitFor(LIMIT);
            assertTrue(end != null, "the child did not exit on SIGTERM");
            assertTrue(allGone(paths), () -> "left after SIGTERM: " + paths);
        } finally {
            if (child[0] != null) child[0].close();
        }
    }

    @Test
    void afterSigkillTheFilesStayUntilTheSweep() throws Exception {
        ChildProcess[] child = new ChildProcess[1];
        List<Path> paths;
        try {
            paths = startMaker(child);
            child[0].kill();                                // kill(SIGKILL), waitpid: no hook runs
        } finally {
            if (child[0] != null) child[0].close();
        }
        for (Path p : paths) assertTrue(Files.exists(p, LinkOption.NOFOLLOW_LINKS), p + " removed without a sweep");
        List<Path> swept = OwnedFiles.sweep();
        assertTrue(allGone(paths), () -> "left after the sweep: " + paths);
        assertTrue(swept.containsAll(paths), () -> "swept " + swept + ", expected " + paths);
    }

    @Test
    void theSweepLeavesLiveOwnersAndOtherNamesAlone() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        long dead = deadPid();
        Path mine = tmp.resolve("ipclab-uds-" + ProcessHandle.current().pid() + "-999-1");
        Path notCourse = tmp.resolve("ipclab-other-" + dead + "-1-1");
        Path almost = tmp.resolve("ipclab-uds-" + dead + "-1-1.keep");
        Path deadOne = tmp.resolve("ipclab-uds-" + dead + "-1-1");
        List<Path> made = List.of(mine, notCourse, almost, deadOne);
        try {
            for (Path p : made) Files.createDirectory(p);
            List<Path> swept = OwnedFiles.sweep();
            assertTrue(Files.exists(mine), "a live JVM's directory was swept");
            assertTrue(Files.exists(notCourse), "a name of no course pattern was swept");
            assertTrue(Files.exists(almost), "a name that only starts like the course's was swept");
            assertFalse(Files.exists(deadOne), "a dead pid's directory stayed");
            assertTrue(swept.contains(deadOne));
        } finally {
            for (Path p : made) Files.deleteIfExists(p);
        }
    }

    @Test
    void closeUnregisters() throws IOException {
        Path dir;
        try (SocketDir d = SocketDir.create()) {
            dir = d.path();
            assertTrue(OwnedFiles.all().contains(dir));
        }
        assertFalse(OwnedFiles.all().contains(dir));
        try (SharedCounter c = SharedCounter.create()) {
            assertTrue(OwnedFiles.all().contains(c.path()));
            c.close();
            assertFalse(OwnedFiles.all().contains(c.path()));
        }
    }

    @Test
    void namesCarryTheirOwnersPid() {
        assertEquals(Optional.of(42L), OwnedFiles.ownerPid("ipclab-fifo-42-1-123456789"));
        assertEquals(Optional.of(42L), OwnedFiles.ownerPid("ipclab-counter-42-3"));
        assertEquals(Optional.of(42L), OwnedFiles.ownerPid("ipclab-bench-42-3.sock"));
        assertEquals(Optional.of(42L), OwnedFiles.ownerPid("ipclab-echo-42-77.status"));
        assertEquals(Optional.of(42L), OwnedFiles.ownerPid("ipclab-fork-42-8812"));
        assertEquals(Optional.empty(), OwnedFiles.ownerPid("ipclab-fork-8812"));
        assertEquals(Optional.empty(), OwnedFiles.ownerPid("ipclab-child-42.jar"));
        assertEquals(Optional.empty(), OwnedFiles.ownerPid("echo-42"));
    }

    /** A pid no process has now: one past the largest in /proc, checked. */
    private static long deadPid() {
        long max = ProcessHandle.allProcesses().mapToLong(ProcessHandle::pid).max().orElse(1000);
        for (long pid = max + 1000; ; pid++) {
            if (!Files.exists(Path.of("/proc", Long.toString(pid)))) return pid;
        }
    }
}
