package ipclab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.stream.Stream;

import ipclab.child.ChildProcess;
import ipclab.child.ExitStatus;
import ipclab.child.WriteTo;
import ipclab.pipe.Fd;
import ipclab.pipe.Pipe;
import ipclab.pipe.PipeTimeoutException;
import ipclab.tree.ProcessTree;
import org.junit.jupiter.api.Test;

class PipeAndSpawnTest {
    static long openFds() throws IOException {
        try (Stream<?> s = Files.list(Paths.get("/proc/self/fd"))) {
            return s.count();
        }
    }

    @Test
    void childBytesArriveIntactThenEofAndTheChildIsReaped() throws Exception {
        // One spawn first: it loads the classes and opens the lifeline, which lasts as long as the JVM.
        ChildProcess.builder().main(WriteTo.class, "1", "warm").showOutput(false).start().waitFor();
        long before = openFds();
        String text = "Who are you? 你是谁？";
        try (Pipe pipe = Pipe.open()) {
            ChildProcess child = ChildProcess.builder()
                    .main(WriteTo.class, Integer.toString(pipe.writeEnd().number()), text)
                    .inherit(pipe.writeEnd())
                    .start();
            pipe.writeEnd().close(); // the parent's copy: without this close, no EOF
            byte[] got = pipe.readEnd().readAllBytes();
            assertEquals(text, new String(got, java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, got.length);
            ExitStatus status = child.waitFor();
            assertTrue(status.success(), status.toString());
            assertNull(ProcessTree.read(child.pid()), "reaped child must leave no process entry");
        }
        assertEquals(before, openFds(), "descriptors leaked");
    }

    @Test
    void readWithAWriteEndStillOpenTimesOutInsteadOfHanging() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            pipe.readEnd().timeout(Duration.ofMillis(200));
            long t0 = System.nanoTime();
            assertThrows(PipeTimeoutException.class, () -> pipe.readEnd().readString());
            assertTrue(System.nanoTime() - t0 < 2_000_000_000L);
        }
    }

    @Test
    void closedDescriptorGivesAOneLineError() throws Exception {
        Pipe pipe = Pipe.open();
        pipe.close();
        IOException e = assertThrows(IOException.class, () -> pipe.writeEnd().write("x"));
        assertEquals("write(fd " + pipe.writeEnd().number() + "): descriptor is closed", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ChildProcess.builder().inherit(pipe.writeEnd()));
        IOException bad = assertThrows(IOException.class, () -> Fd.of(987).write("x"));
        assertTrue(bad.getMessage().startsWith("write(fd 987): Bad file descriptor"), bad.getMessage());
    }

    @Test
    void theOnePipeRaceAlwaysEndsWhoeverWins() {
        // The child may take the question between the parent's poll() and its read(); the
        // parent's read must not block then. Each trial ends in well under a second.
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            for (int i = 0; i < 40; i++) {
                String outcome = ipclab.child.OnePipeRace.trial(Duration.ZERO);
                assertTrue(outcome.equals(ipclab.child.OnePipeRace.WORKED)
                        || outcome.equals(ipclab.child.OnePipeRace.CHILD_READ_ITS_OWN), outcome);
            }
        });
    }

    @Test
    void pipeCapacityIs64KiB() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            assertEquals(65536, pipe.capacity());
        }
    }

    @Test
    void missingJavaBinaryIsAClearError() {
        IOException e = assertThrows(IOException.class, () -> ChildProcess.builder()
                .main(WriteTo.class, "1", "x").java(Paths.get("/nonexistent/java")).start());
        assertTrue(e.getMessage().startsWith("no java binary at /nonexistent/java"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }
}
