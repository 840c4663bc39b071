package ipclab.exercise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import ipclab.pipe.Pipe;
import org.junit.jupiter.api.Test;

class CheckEofTest {
    private static String printed(ThrowingRunnable r) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(old);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void writeEndLeftOpenIsNotSolved() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            pipe.writeEnd().write("line 1\nline 2\nline 3\n");
            NotYetSolved e = assertThrows(NotYetSolved.class, () -> Check.eof(pipe));
            assertTrue(e.getMessage().contains("close it in the parent's branch"), e.getMessage());
        }
    }

    @Test
    void closedReadEndGetsAHintNotAStackTrace() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            pipe.writeEnd().close();
            pipe.readEnd().close();
            NotYetSolved e = assertThrows(NotYetSolved.class, () -> Check.eof(pipe));
            assertTrue(e.getMessage().contains("read end"), e.getMessage());
        }
    }

    @Test
    void solvedPipePassesAndACheckRunAgainRepeatsTheVerdict() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            pipe.writeEnd().write("line 1\nline 2\nline 3\n");
            pipe.writeEnd().close();
            String first = printed(() -> Check.eof(pipe));
            assertTrue(first.startsWith("✔ Correct."), first);
            assertEquals(first, printed(() -> Check.eof(pipe)), "the pipe is empty now; the verdict stands");
        }
    }

    @Test
    void anotherPipeIsCheckedAfresh() throws Exception {
        try (Pipe solved = Pipe.open(); Pipe open = Pipe.open()) {
            solved.writeEnd().write("line 1\nline 2\nline 3\n");
            solved.writeEnd().close();
            printed(() -> Check.eof(solved));
            assertThrows(NotYetSolved.class, () -> Check.eof(open));
        }
    }
}
