package ipclab.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import ipclab.child.ChildProcess;
import ipclab.child.ChildTimeoutException;
import ipclab.pipe.Pipe;
import org.junit.jupiter.api.Test;

/** The book's server taken apart: its child programs, with real child JVMs and pipes. */
class BookBugsTest {
    private static final Duration LONG = Duration.ofSeconds(30);

    @Test
    void mixedCutsRunsAndChecksWriteBoundaries() {
        String a30 = "A".repeat(30);
        String b30 = "B".repeat(30);
        BookBugs.Mixed clean = BookBugs.Mixed.of(a30 + "AA\n" + b30 + "\n");
        assertFalse(clean.mixed());
        assertTrue(clean.piecesWhole());
        assertEquals(32, clean.count('A'));

        BookBugs.Mixed mixed = BookBugs.Mixed.of(a30 + b30 + "A\n" + "B\n");
        assertTrue(mixed.mixed());
        assertTrue(mixed.piecesWhole());
        assertEquals(2, mixed.changes());
        assertEquals("A×30 B×30 A×1⏎ B×1⏎", mixed.summary(10));

        BookBugs.Mixed torn = BookBugs.Mixed.of("A".repeat(20) + b30 + "A".repeat(10) + "\nB\n");
        assertFalse(torn.piecesWhole(), "a change of writer after 20 bytes cuts a 30-byte write");
    }

    @Test
    void smallWritesArriveWholeWhateverTheOrder() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            String fd = String.valueOf(pipe.writeEnd().number());
            ChildProcess a = ChildProcess.builder().main(BookBugs.SmallWrites.class, fd, "A", "100000").inherit(pipe.writeEnd()).showOutput(false).start();
            ChildProcess b = ChildProcess.builder().main(BookBugs.SmallWrites.class, fd, "B", "100000").inherit(pipe.writeEnd()).showOutput(false).start();
            pipe.writeEnd().close();
            BookBugs.awaitOutput(a, "writing", LONG);
            BookBugs.awaitOutput(b, "writing", LONG);
            pipe.readEnd().timeout(LONG);
            BookBugs.Mixed m = BookBugs.Mixed.of(new String(pipe.readEnd().readAllBytes(), StandardCharsets.US_ASCII));
            a.waitFor().check();
            b.waitFor().check();
            assertEquals(100_000, m.count('A'));
            assertEquals(100_000, m.count('B'));
            assertTrue(m.piecesWhole());
        }
    }

    @Test
    void storeSeesEndOfFileOnlyWhenItClosedItsOwnWriteEnd() throws Exception {
        byte[] data = new byte[100_000];
        for (boolean closesItsCopy : new boolean[] {true, false}) {
            try (Pipe pipe = Pipe.open()) {
                ChildProcess.Builder builder = ChildProcess.builder().inherit(pipe.readEnd(), pipe.writeEnd()).showOutput(false);
                String r = String.valueOf(pipe.readEnd().number());
                String w = String.valueOf(pipe.writeEnd().number());
                ChildProcess store = (closesItsCopy
                        ? builder.main(BookBugs.StoreUntilEof.class, r, String.valueOf(data.length), w)
                        : builder.main(BookBugs.StoreUntilEof.class, r, String.valueOf(data.length))).start();
                pipe.readEnd().close();
                pipe.writeEnd().timeout(LONG).writeAll(data);
                pipe.writeEnd().close();
                assertEquals("100000", BookBugs.awaitOutput(store, "read (\\d+) bytes, all that was sent", LONG));
                if (closesItsCopy) {
                    assertEquals("100000", BookBugs.awaitOutput(store, "end of file: stored (\\d+) bytes", LONG));
                    store.waitFor(LONG).check();
                } else {
                    assertThrows(ChildTimeoutException.class, () -> store.waitFor(Duration.ofMillis(500)));
                    assertFalse(store.output().contains("end of file"));
                }
            }
        }
    }

    @Test
    void oneWaitpidPerSignalLeavesTheOthersZombies() throws Exception {
        try (BookBugs.ExitingChildren five = BookBugs.ExitingChildren.start(5)) {
            assertEquals(5, five.awaitAllExited(LONG));
            assertTrue(five.reapOne() > 0);
            assertEquals(4, five.zombies());
            assertEquals(4, five.reapAll());
            assertEquals(0, five.zombies());
            assertEquals(0, five.unreaped());
            assertEquals(0, five.reapOne());
        }
    }

    @Test
    void waitsCountsAndProcReadings() throws Exception {
        assertTrue(BookBugs.await(() -> true, Duration.ofMillis(1)));
        assertFalse(BookBugs.await(() -> false, Duration.ofMillis(50)));
        assertEquals(2, BookBugs.count("client disconnected...\nremoved proc id: 7 \nclient disconnected...\n", "client disconnected"));
        assertEquals(1, BookBugs.count("removed proc id: 0 \nremoved proc id: 12 \n", "removed proc id: [1-9]"));

        java.nio.file.Path file = java.nio.file.Files.createTempFile("bookbugs-", ".txt");
        try {
            java.nio.file.Files.write(file, new byte[100]);
            assertEquals(100, BookBugs.awaitFileSize(file, 50, LONG));
            assertEquals(100, BookBugs.awaitFileSize(file, 1000, Duration.ofMillis(50)), "a bounded wait returns the size it found");
        } finally {
            java.nio.file.Files.delete(file);
        }

        long self = ProcessHandle.current().pid();
        assertTrue(BookBugs.cpuSeconds(self) > 0);
        assertEquals(-1, BookBugs.cpuSeconds(Long.MAX_VALUE));
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            assertTrue(BookBugs.sockets(self) >= 1);
        }
        try (ChildProcess child = ChildProcess.builder().main(BookBugs.ExitNow.class).showOutput(false).start()) {
            assertTrue(BookBugs.children(self).contains(child.pid()));
            assertEquals(child.pid(), BookBugs.newestChild(self).pid());
        }
    }

    @Test
    void awaitOutputGivesUpWhenTheChildEnds() throws Exception {
        try (ChildProcess quiet = ChildProcess.builder().main(BookBugs.ExitNow.class).showOutput(false).start()) {
            IOException e = assertThrows(IOException.class, () -> BookBugs.awaitOutput(quiet, "never", LONG));
            assertTrue(e.getMessage().contains("ended"), e.getMessage());
        }
    }
}
