package ipclab.signal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

import ipclab.book.CProgram;
import ipclab.book.CRun;
import ipclab.child.ExitStatus;
import org.junit.jupiter.api.Test;

/** A signal delivered to a child, with real processes: a child JVM, and the C program of notebook 13. */
class SignalDeliveredToChildTest {
    private static final Duration LIMIT = Duration.ofSeconds(30); // a busy machine; never a test of speed
    private static final List<String> LINES = List.of("line 1", "line 2", "line 3");

    private static String printed(BooleanSupplier call, boolean[] result) {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            result[0] = call.getAsBoolean();
        } finally {
            System.setOut(old);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void sigtermDeliveredToAChildWithAHandlerFlushesAndExitsZero() throws Exception {
        try (StoringChild child = StoringChild.flushingOnTerm()) {
            child.send(LINES);
            assertTrue(child.awaitBuffered(LIMIT), "the child never had the lines in its buffer: " + child.output());
            assertEquals(0, child.store().size(), "nothing is on disk before the flush");
            assertTrue(child.terminate());                                  // kill(pid, SIGTERM)
            ExitStatus status = child.waitFor(LIMIT);
            assertTrue(status.success(), status + ": " + child.output());
            assertEquals(LINES, child.store().lines());
            assertEquals("flushed 3 in SIGTERM handler", child.store().status());
        }
    }

    @Test
    void sigtermWithoutAHandlerEndsTheJvmWith143AndLosesTheBuffer() throws Exception {
        try (StoringChild child = StoringChild.withoutHandler()) {
            child.send(LINES);
            assertTrue(child.awaitBuffered(LIMIT), "the child never had the lines in its buffer: " + child.output());
            assertTrue(child.terminate());
            ExitStatus status = child.waitFor(LIMIT);
            // The JVM's own SIGTERM handler runs the shutdown hooks and calls exit(128 + 15):
            // waitpid() sees an exit, not a death by signal.
            assertEquals(new ExitStatus(child.pid(), 143, 0), status);
            assertEquals(List.of(), child.store().lines());
            assertEquals("buffered 3", child.store().status());
        }
    }

    @Test
    void endOfFileFlushesWithoutAnySignal() throws Exception {
        try (StoringChild child = StoringChild.withoutHandler()) {
            child.send(LINES);
            child.closeInput();
            assertTrue(child.waitFor(LIMIT).success(), child.output());
            assertEquals(LINES, child.store().lines());
            assertEquals("flushed 3 in main", child.store().status());
        }
    }

    @Test
    void closeLeavesNoStoreBehind() throws Exception {
        StoringChild child = StoringChild.flushingOnTerm();
        StoreFile store = child.store();
        child.close();
        assertFalse(store.exists());
        assertTrue(store.isClosed());
    }

    @Test
    void theNotebooksJvmGetsNoHandler() {
        System.setProperty(Signals.NOTEBOOK_PROPERTY, "true");
        try {
            boolean[] installed = {true};
            String said = printed(() -> Signals.install("TERM", () -> { }), installed);
            assertFalse(installed[0]);
            assertTrue(said.startsWith("refused: no signal handler in the notebook's JVM"), said);
            assertEquals(1, said.lines().count(), said);
        } finally {
            System.clearProperty(Signals.NOTEBOOK_PROPERTY);
        }
    }

    @Test
    void signalsTheJvmKeepsAreRefusedInOneLine() {
        for (String name : List.of("QUIT", "SIGSEGV", "KILL", "USR2", "nonsense")) {
            boolean[] installed = {true};
            String said = printed(() -> Signals.install(name, () -> { }), installed);
            assertFalse(installed[0], name);
            assertEquals(1, said.lines().count(), said);
        }
        assertEquals(15, Signals.number("SIGTERM"));
        assertEquals(17, Signals.number("chld"));
    }

    @Test
    void standardSignalsMergeRealTimeSignalsQueue() {
        CProgram book = CProgram.compile("signal_merge").quiet();
        assertTrue(book.compiled(), book.toString());
        CRun run = book.run(LIMIT, "5");
        assertTrue(run.succeeded(), run.statusLine() + "\n" + run.output());
        assertTrue(run.output().contains("pending: SIGUSR1 yes, SIGRTMIN yes, SIGCHLD yes"), run.output());
        assertTrue(run.output().contains("handler calls: SIGUSR1 1, SIGRTMIN 5, SIGCHLD 1"), run.output());
        assertTrue(run.output().contains("reaped by the SIGCHLD handler: 1, zombies left: 4"), run.output());

        CRun loop = CProgram.compile("signal_merge", "REAP_ALL").quiet().run(LIMIT, "5");
        assertTrue(loop.succeeded(), loop.statusLine() + "\n" + loop.output());
        assertTrue(loop.output().contains("handler calls: SIGUSR1 1, SIGRTMIN 5, SIGCHLD 1"), loop.output());
        assertTrue(loop.output().contains("reaped by the SIGCHLD handler: 5, zombies left: 0"), loop.output());
    }

    @Test
    void badInputToTheCProgramIsOneLine() {
        CRun run = CProgram.compile("signal_merge").quiet().run(LIMIT, "0");
        assertEquals(2, run.status());
        assertEquals(1, run.output().strip().lines().count(), run.output());
    }
}
