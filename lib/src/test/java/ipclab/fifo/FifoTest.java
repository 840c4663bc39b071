package ipclab.fifo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import ipclab.child.ChildProcess;
import ipclab.pipe.Fd;
import org.junit.jupiter.api.Test;

class FifoTest {
    @Test
    void mkfifoMakesAFifoThatCloseRemoves() throws IOException {
        Path path;
        Path dir;
        try (Fifo fifo = Fifo.mkfifo()) {
            path = fifo.path();
            dir = path.getParent();
            assertTrue(fifo.exists());
            assertTrue(fifo.ls().startsWith("prw------- "), fifo.ls());
            assertTrue(Fifo.onDisk().contains(fifo));
        }
        assertFalse(Files.exists(path));
        assertFalse(Files.exists(dir));
        assertTrue(Fifo.onDisk().stream().noneMatch(f -> f.path().equals(path)));
    }

    @Test
    void writingWithoutAReaderFailsWithEnxio() throws IOException {
        try (Fifo fifo = Fifo.mkfifo()) {
            IOException e = assertThrows(IOException.class, fifo::openForWritingNonBlocking);
            assertTrue(e.getMessage().contains("ENXIO"), e.getMessage());
        }
    }

    @Test
    void openWithoutAPartnerGivesUpAfterItsBound() throws IOException {
        try (Fifo fifo = Fifo.mkfifo()) {
            long start = System.nanoTime();
            FifoTimeoutException r = assertThrows(FifoTimeoutException.class, () -> fifo.openForReading(Duration.ofMillis(300)));
            assertTrue(r.getMessage().contains("O_RDONLY) waited 300 ms: no process opened the FIFO for writing"), r.getMessage());
            FifoTimeoutException w = assertThrows(FifoTimeoutException.class, () -> fifo.openForWriting(Duration.ofMillis(300)));
            assertTrue(w.getMessage().contains("O_WRONLY) waited 300 ms"), w.getMessage());
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(20).toNanos());
            assertEquals(0, fifo.openDescriptors().size(), "the given-up opens leave nothing open");
            // The FIFO still works afterwards: no stale partner is left holding it.
            assertThrows(IOException.class, fifo::openForWritingNonBlocking);
        }
    }

    @Test
    void aChildJvmWritesByNameAndItsExitIsEndOfFile() throws IOException {
        try (Fifo fifo = Fifo.mkfifo();
                ChildProcess child = ChildProcess.builder()
                        .main(WriteToFifo.class, fifo.path().toString(), "one", "two")
                        .start()) {
            Fd in = fifo.openForReading(Duration.ofSeconds(30));
            in.timeout(Duration.ofSeconds(30));
            String got = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertEquals("one\ntwo\n", got);
            assertEquals(0, child.waitFor().code());
            assertTrue(fifo.exists(), "the FIFO stays on disk after both sides closed");
            in.close();
        }
    }

    @Test
    void aWriteEndHeldByTheReaderKeepsEndOfFileAway() throws IOException {
        try (Fifo fifo = Fifo.mkfifo();
                ChildProcess child = ChildProcess.builder()
                        .main(WriteToFifo.class, fifo.path().toString(), "x")
                        .start()) {
            Fd in = fifo.openForReading(Duration.ofSeconds(30));
            Fd spare = fifo.openForWriting(Duration.ofSeconds(5));
            assertEquals(0, child.waitFor().code());
            in.timeout(Duration.ofMillis(300));
            assertThrows(ipclab.pipe.PipeTimeoutException.class, in::readAllBytes);
            spare.close();
            in.timeout(Duration.ofSeconds(5));
            assertEquals(0, in.readAllBytes().length);
        }
    }
}
