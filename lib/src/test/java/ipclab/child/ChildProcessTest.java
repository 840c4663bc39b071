package ipclab.child;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import ipclab.pipe.Pipe;
import ipclab.tree.ProcessTree;
import org.junit.jupiter.api.Test;

/** The process primitive with real child JVMs: descriptors, output, timeouts, exit status. */
class ChildProcessTest {
    private static ChildProcess.Builder child(Class<?> main, String... args) {
        return ChildProcess.builder().classpath(TestMains.classes()).main(main, args).showOutput(false);
    }

    private static Set<String> descriptors(long pid) throws IOException {
        Set<String> targets = new HashSet<>();
        try (Stream<Path> fds = Files.list(Paths.get("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    targets.add(fd.getFileName() + " -> " + Files.readSymbolicLink(fd));
                } catch (IOException e) {
                    // Closed between the listing and the read: it was the listing's own descriptor.
                }
            }
        }
        return targets;
    }

    private static void assertGone(long pid) {
        assertNull(ProcessTree.read(pid), "child " + pid + " still has a process entry (running or zombie)");
    }

    @Test
    void manySpawnsLeakNoDescriptors() throws Exception {
        // The first spawn opens the lifeline pipe, which lives as long as this JVM.
        try (Pipe pipe = Pipe.open()) {
            ChildProcess.builder().main(WriteTo.class, Integer.toString(pipe.writeEnd().number()), "warm")
                    .inherit(pipe.writeEnd()).showOutput(false).start().waitFor().check();
        }
        Set<String> before = descriptors(ProcessHandle.current().pid());
        for (int i = 0; i < 15; i++) {
            try (Pipe pipe = Pipe.open()) {
                ChildProcess c = ChildProcess.builder()
                        .main(WriteTo.class, Integer.toString(pipe.writeEnd().number()), "run " + i)
                        .inherit(pipe.writeEnd()).showOutput(false).start();
                pipe.writeEnd().close();
                assertEquals("run " + i, new String(pipe.readEnd().readAllBytes(), StandardCharsets.UTF_8));
                c.waitFor().check();
                assertGone(c.pid());
            }
        }
        assertEquals(before, descriptors(ProcessHandle.current().pid()), "descriptors leaked across 15 spawns");
        assertTrue(Children.all().isEmpty(), "unreaped children: " + Children.all());
    }

    @Test
    void aChildInheritsOnlyTheDescriptorsItIsGiven() throws Exception {
        try (Pipe given = Pipe.open(); Pipe kept = Pipe.open()) {
            try (ChildProcess c = child(TestMains.Sleep.class, "30").inherit(given.readEnd()).start()) {
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (!c.output().contains("sleeping") && System.nanoTime() < deadline) Thread.sleep(5);
                Set<String> inChild = descriptors(c.pid());
                String givenTarget = Files.readSymbolicLink(Paths.get("/proc/self/fd/" + given.readEnd().number())).toString();
                String keptTarget = Files.readSymbolicLink(Paths.get("/proc/self/fd/" + kept.readEnd().number())).toString();
                assertTrue(inChild.contains(given.readEnd().number() + " -> " + givenTarget),
                        "the given end must be at the same number in the child: " + inChild);
                assertFalse(inChild.stream().anyMatch(t -> t.endsWith(keptTarget)), "the other pipe leaked into the child: " + inChild);
                assertFalse(inChild.stream().anyMatch(t -> t.endsWith(" -> " + givenTarget)
                        && !t.startsWith(given.readEnd().number() + " ")), "the given end was duplicated: " + inChild);
            }
        }
    }

    @Test
    void interleavedStdoutAndStderrArriveInOrderAsUtf8() throws Exception {
        PrintStream saved = System.out;
        ByteArrayOutputStream shown = new ByteArrayOutputStream();
        ChildProcess c;
        try {
            // The live copy goes to whatever System.out is when the child starts (the running cell).
            System.setOut(new PrintStream(shown, true, StandardCharsets.UTF_8));
            c = ChildProcess.builder().classpath(TestMains.classes()).main(TestMains.Interleave.class, "200").start();
            c.waitFor().check();
        } finally {
            System.setOut(saved);
        }
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 200; i++) expected.append("out ").append(i).append('\n').append("err ").append(i).append('\n');
        expected.append("你是谁？\n");
        assertEquals(expected.toString(), c.output());
        assertEquals(expected.toString(), shown.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aChildThatNeverExitsIsKilledAtTheTimeoutAndReaped() throws Exception {
        ChildProcess c = child(TestMains.Sleep.class, "60").timeout(Duration.ofMillis(400)).start();
        long t0 = System.nanoTime();
        ChildTimeoutException e = assertThrows(ChildTimeoutException.class, c::waitFor);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms >= 400 && ms < 3000, "waited " + ms + " ms for a 400 ms timeout");
        assertEquals("child " + c.pid() + " did not exit within 400 ms, so it was killed", e.getMessage());
        assertTrue(c.isReaped());
        assertEquals(9, c.status().signal(), c.status().toString());
        assertGone(c.pid());
        assertFalse(Children.all().contains(c));
    }

    @Test
    void aChildThatThrowsExitsNonZeroAndCheckSaysSoInOneLine() throws Exception {
        ChildProcess c = child(TestMains.Throw.class).start();
        ExitStatus status = c.waitFor();
        assertEquals(1, status.code());
        assertEquals(0, status.signal());
        assertFalse(status.success());
        ChildFailedException e = assertThrows(ChildFailedException.class, status::check);
        assertEquals("child " + c.pid() + " exited with status 1", e.getMessage());
        assertTrue(c.output().contains("IllegalStateException: boom in the child"), c.output());
        assertGone(c.pid());
    }

    @Test
    void anExitCodeIsReportedAsIs() throws Exception {
        ChildProcess c = child(TestMains.Exit.class, "3").start();
        ExitStatus status = c.waitFor();
        assertEquals(new ExitStatus(c.pid(), 3, 0), status);
        assertEquals("child " + c.pid() + " exited with status 3",
                assertThrows(ChildFailedException.class, status::check).getMessage());
        assertEquals("leaving with 3\n", c.output());
        ExitStatus ok = child(TestMains.Exit.class, "0").start().waitFor();
        assertTrue(ok.success());
        assertEquals(ok, ok.check());
    }

    @Test
    void interruptingTheWaitingThreadKillsTheChild() throws Exception {
        ChildProcess c = child(TestMains.Sleep.class, "60").start();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            try {
                c.waitFor(Duration.ofSeconds(30));
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        waiter.start();
        // Interrupt it once it waits (waitFor sleeps between its waitpid(WNOHANG) looks), not
        // after a guessed time: a busy machine may start the thread late.
        long waitDeadline = System.nanoTime() + 10_000_000_000L;
        while (waiter.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < waitDeadline) Thread.sleep(5);
        assertEquals(Thread.State.TIMED_WAITING, waiter.getState(), "the waiting thread never waited");
        assertFalse(c.isReaped(), "the child should still be running");
        long t0 = System.nanoTime();
        waiter.interrupt();
        waiter.join(3000);
        assertFalse(waiter.isAlive(), "waitFor ignored the interrupt");
        assertTrue(System.nanoTime() - t0 < 2_000_000_000L);
        assertTrue(thrown.get() instanceof InterruptedIOException, String.valueOf(thrown.get()));
        assertTrue(c.isReaped());
        assertEquals(9, c.status().signal(), c.status().toString());
        assertGone(c.pid());
    }

    @Test
    void closeKillsAndReapsARunningChild() throws Exception {
        ChildProcess c = child(TestMains.Sleep.class, "60").start();
        assertNull(c.poll());
        c.close();
        assertEquals(9, c.status().signal());
        assertGone(c.pid());
    }
}
