package ipclab.book;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** pipe1, pipe2 and pipe3 compiled with real gcc and run as real processes, and the hygiene around them. */
class PipesTest {
    private static final Duration BOUND = Duration.ofSeconds(10);

    @ParameterizedTest
    @CsvSource({"pipe1,", "pipe2,", "pipe2,NO_SLEEP", "pipe3,"})
    void compilesWithWallWerror(String name, String define) {
        CProgram p = define == null ? CProgram.compile(name) : CProgram.compile(name, define);
        assertTrue(p.compiled(), p.toString());
        assertTrue(p.toString().contains("-Wall -Werror"), p.toString());
        assertTrue(p.source().contains("#define BUF_SIZE 30"), "the book's buffer size");
    }

    @Test
    void aSwitchTheSourceDoesNotKnowIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CProgram.compile("pipe2", "NOSLEEP"));
        assertTrue(e.getMessage().contains("NO_SLEEP"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CProgram.compile("pipe9"));
    }

    @Test
    void pipe1PrintsTheChildsQuestion() {
        CRun r = CProgram.compile("pipe1").quiet().run(BOUND);
        assertTrue(r.ran());
        assertEquals(0, r.status(), r.output());
        assertEquals("Who are you?\n", r.output());
        assertFalse(r.timedOut());
    }

    @Test
    void runShowsTheCommandTheOutputAndTheStatus() {
        String shown = captured(() -> CProgram.compile("pipe1").run(BOUND));
        assertEquals("$ ./pipe1\nWho are you?\nexit status 0\n", shown);
    }

    @Test
    void pipe3ExchangesBothMessagesInOrder() {
        CRun r = CProgram.compile("pipe3").quiet().run(BOUND);
        assertEquals(0, r.status(), r.output());
        // The child prints only after reading the parent's answer, which the parent writes
        // after printing its own line: the order must hold whatever the scheduler does.
        assertEquals("Parent proc output: Who are you? \nChild proc output: Thank you for your message \n", r.output());
    }

    @Test
    void pipe2WithoutSleepEndsWithinItsBoundEitherWay() {
        Duration limit = Duration.ofSeconds(6); // the parent's own sleep(3) must fit
        CRun r = CProgram.compile("pipe2", "NO_SLEEP").quiet().run(limit);
        assertTrue(r.elapsed().compareTo(limit.plusSeconds(3)) < 0, "took " + r.elapsed());
        if (r.timedOut()) {
            // The child read back its own question; the parent waited for a message that never came.
            assertTrue(r.output().contains("Child proc output: Who are you?"), r.output());
            assertFalse(r.output().contains("Parent proc output"), r.output());
        } else {
            assertEquals(0, r.status(), r.output());
            assertTrue(r.output().contains("Parent proc output: Who are you?"), r.output());
            assertTrue(r.output().contains("Child proc output: Thank you for your message"), r.output());
        }
    }

    @Test
    void aTimedOutRunKillsItsWholeGroup() throws InterruptedException {
        CProgram pipe2 = CProgram.compile("pipe2"); // the child sleeps 2 s, the parent 3 s
        long start = System.nanoTime();
        CRun r = pipe2.quiet().run(Duration.ofMillis(500));
        assertTrue(r.timedOut());
        assertEquals(9, r.signal());
        assertEquals(137, r.status());
        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(2)) < 0, "the kill came late");
        assertTrue(r.statusLine().startsWith("timed out after 0.5 s: its process group was killed"), r.statusLine());
        assertEquals(List.of(), Procs.running(pipe2.binary()), "processes of the run remain");
    }

    @Test
    void startedProgramsLiveInTheirOwnGroupAndDieWithTheirLifeline() throws InterruptedException {
        CProgram pipe2 = CProgram.compile("pipe2");
        try (CProcess p = pipe2.quiet().start()) {
            assertTrue(p.pid() > 0);
            assertEquals(p.pid(), p.pgid());
            assertTrue(Procs.within(BOUND, () -> p.processes().size() == 2), "parent and child: " + p.processes());
            long self = ProcessHandle.current().pid();
            assertTrue(p.processes().stream().noneMatch(q -> q.pid() == self));
            // What the OS kernel does when the notebook's JVM dies: the lifeline's write end closes.
            p.closeLifeline();
            assertTrue(Procs.within(BOUND, () -> p.processes().isEmpty()), "left: " + p.processes());
            assertTrue(Procs.within(BOUND, () -> !p.isAlive()));
            assertEquals(List.of(), Procs.running(pipe2.binary()));
        }
    }

    @Test
    void sigtermToTheLauncherKillsTheGroup() throws Exception {
        // What a restart of the notebook's kernel (JJava) does: jupyter_client signals the
        // JVM's process group, to which the launcher belongs (its program has a group of its own).
        for (String signal : new String[] {"TERM", "HUP", "INT"}) {
            try (CProcess p = CProgram.compile("pipe2").quiet().start()) {
                assertTrue(Procs.within(BOUND, () -> p.processes().size() == 2), p.processes().toString());
                assertTrue(ipclab.posix.Posix.kill(p.launcherPid(), Signals.number(signal)));
                assertTrue(Procs.within(BOUND, () -> p.processes().isEmpty()), signal + ": left " + p.processes());
                assertTrue(Procs.within(BOUND, () -> !p.isAlive()));
            }
        }
    }

    @Test
    void closeKillsTheGroupAndIsHarmlessTwice() throws InterruptedException {
        CProgram pipe2 = CProgram.compile("pipe2");
        CProcess p = pipe2.quiet().start();
        assertTrue(Procs.within(BOUND, () -> p.processes().size() == 2));
        p.close();
        assertTrue(p.processes().isEmpty());
        assertFalse(p.isAlive());
        p.close();
        assertFalse(p.signal("TERM"), "nothing left to signal");
    }

    @Test
    void anInterruptedWaitKillsTheGroup() throws InterruptedException {
        CProgram pipe2 = CProgram.compile("pipe2");
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread cell = new Thread(() -> {
            try {
                pipe2.quiet().run(Duration.ofSeconds(30));
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        cell.start();
        assertTrue(Procs.within(BOUND, () -> Procs.running(pipe2.binary()).size() == 2), "the run did not start");
        cell.interrupt();
        cell.join(BOUND.toMillis());
        assertFalse(cell.isAlive());
        assertTrue(thrown.get() instanceof CancellationException, String.valueOf(thrown.get()));
        assertTrue(Procs.within(BOUND, () -> Procs.running(pipe2.binary()).isEmpty()));
    }

    @Test
    void awaitLineReturnsGroupOneOrSaysWhatItWaitedFor() {
        try (CProcess p = CProgram.compile("pipe3").quiet().start()) {
            assertEquals("Thank you", p.awaitLine("Child proc output: (\\w+ \\w+)", BOUND));
            assertEquals("Parent proc output", p.awaitLine("Parent proc output", BOUND)); // no group: the match
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.awaitLine("listening on (\\d+)", BOUND));
            assertTrue(e.getMessage().contains("listening on (\\d+)"), e.getMessage());
            assertTrue(e.getMessage().contains("Who are you?"), "shows the output so far: " + e.getMessage());
            CRun r = p.waitFor(BOUND);
            assertEquals(0, r.status());
        }
    }

    @Test
    void withoutGccEveryRunPrintsOneLineAndNothingThrows() {
        String before = System.getProperty(Gcc.PROPERTY);
        System.setProperty(Gcc.PROPERTY, "/nonexistent/gcc");
        try {
            CProgram p = CProgram.compile("pipe1");
            assertFalse(p.compiled());
            assertNotNull(p.source());
            AtomicReference<CRun> run = new AtomicReference<>();
            String shown = captured(() -> run.set(p.run(BOUND)));
            assertEquals(CProgram.NO_GCC + "\n", shown);
            assertFalse(run.get().ran());
            AtomicReference<CProcess> started = new AtomicReference<>();
            shown = captured(() -> started.set(p.start()));
            assertEquals(CProgram.NO_GCC + "\n", shown);
            try (CProcess s = started.get()) {
                assertFalse(s.ran());
                assertNull(s.awaitLine("anything", BOUND));
                assertEquals(List.of(), s.processes());
                assertEquals(0, s.zombies());
                assertFalse(s.waitFor(BOUND).ran());
            }
        } finally {
            if (before == null) System.clearProperty(Gcc.PROPERTY);
            else System.setProperty(Gcc.PROPERTY, before);
        }
    }

    /** What a piece of code prints to System.out. */
    static String captured(Runnable code) {
        PrintStream saved = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            code.run();
        } finally {
            System.setOut(saved);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
