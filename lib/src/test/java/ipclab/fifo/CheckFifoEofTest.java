package ipclab.fifo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import ipclab.child.ChildProcess;
import ipclab.exercise.Check;
import ipclab.exercise.NotYetSolved;
import ipclab.pipe.Fd;
import org.junit.jupiter.api.Test;

/** The FIFO exercise's check, as the notebook runs it: fails while a spare write end is open, passes once it is closed. */
class CheckFifoEofTest {
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static String printed(ThrowingRunnable r) throws IOException {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        } finally {
            System.setOut(old);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static ChildProcess writer(Fifo fifo) throws IOException {
        return ChildProcess.builder().main(WriteToFifo.class, fifo.path().toString(), "line 1", "line 2", "line 3").start();
    }

    @Test
    void aSpareWriteEndLeftOpenIsNotSolved() throws IOException {
        try (Fifo fifo = Fifo.mkfifo(); ChildProcess child = writer(fifo)) {
            Fd in = fifo.openForReading(Duration.ofSeconds(30));
            fifo.openForWriting(Duration.ofSeconds(5));
            NotYetSolved e = assertThrows(NotYetSolved.class, () -> Check.fifoEof(fifo, in));
            assertTrue(e.getMessage().contains("spare"), e.getMessage());
        }
    }

    @Test
    void closingTheSpareWriteEndSolvesIt() throws IOException {
        try (Fifo fifo = Fifo.mkfifo(); ChildProcess child = writer(fifo)) {
            Fd in = fifo.openForReading(Duration.ofSeconds(30));
            Fd spare = fifo.openForWriting(Duration.ofSeconds(5));
            spare.close();
            in.timeout(Duration.ofSeconds(30));
            String first = printed(() -> Check.fifoEof(fifo, in));   // throws NotYetSolved if not
            assertTrue(first.startsWith("✔ Correct."), first);
            assertEquals(first, printed(() -> Check.fifoEof(fifo, in)), "run again: the same verdict");
        }
    }
}
