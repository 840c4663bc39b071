package ipclab.exercise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import ipclab.child.ChildFailedException;
import ipclab.child.Fork;
import ipclab.signal.StoreFile;
import org.junit.jupiter.api.Test;

/** Notebook 13's exercise: the storing child's side, written by the learner, run as %%fork runs it. */
class CheckFlushOnTermTest {
    private static String cell(String childPart) {
        return """
                if (pid == 0) {
                    BufferedStore store = BufferedStore.open(exStore);
                """ + childPart + """
                } else {
                    if (exStore.awaitBuffered(pid, 3, Duration.ofSeconds(30)))
                        Signals.kill(pid, "TERM");
                }
                """;
    }

    static final String SOLUTION = """
                Signals.install("TERM", store::flushAndClose);
                store.addAll(List.of("line 1", "line 2", "line 3"));
                store.awaitClosed(Duration.ofSeconds(30));
            """;

    private static void run(String body, StoreFile store) throws Throwable {
        Fork.code(body).importing("import ipclab.signal.*;").importing("import java.time.Duration;")
                .with("exStore", "ipclab.signal.StoreFile", store).run();
    }

    private static String check(StoreFile store) throws Exception {
        PrintStream out = System.out;
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        System.setOut(new PrintStream(said, true, StandardCharsets.UTF_8));
        try {
            Check.flushOnTerm(store);
        } finally {
            System.setOut(out);
        }
        return said.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theSolutionPassesAndAgainWhenRunTwice() throws Throwable {
        try (StoreFile store = StoreFile.create()) {
            run(cell(SOLUTION), store);
            String said = check(store);
            assertTrue(said.startsWith("✔ Correct. the SIGTERM handler flushed the three lines"), said);
            run(cell(SOLUTION), store);   // the store file starts empty on each run
            assertEquals(said, check(store));
        }
    }

    @Test
    void theStubFails() throws Throwable {
        try (StoreFile store = StoreFile.create()) {
            String stub = "        // YOUR CODE HERE\n        throw new UnsupportedOperationException(\"TODO\");\n";
            ChildFailedException e = assertThrows(ChildFailedException.class, () -> run(cell(stub), store));
            assertTrue(e.getMessage().contains("UnsupportedOperationException"), e.getMessage());
            assertThrows(NotYetSolved.class, () -> Check.flushOnTerm(store));
        }
    }

    @Test
    void withoutTheHandlerSigtermLosesTheLines() throws Throwable {
        try (StoreFile store = StoreFile.create()) {
            String noHandler = """
                        store.addAll(List.of("line 1", "line 2", "line 3"));
                        store.awaitClosed(Duration.ofSeconds(30));
                    """;
            ChildFailedException e = assertThrows(ChildFailedException.class, () -> run(cell(noHandler), store));
            assertTrue(e.getMessage().contains("status 143"), e.getMessage());
            NotYetSolved hint = assertThrows(NotYetSolved.class, () -> Check.flushOnTerm(store));
            assertTrue(hint.getMessage().contains("TERM handler"), hint.getMessage());
        }
    }

    @Test
    void flushingInTheMainThreadIsNotTheAnswer() throws Throwable {
        try (StoreFile store = StoreFile.create()) {
            String flushAtOnce = """
                        store.addAll(List.of("line 1", "line 2", "line 3"));
                        store.flushAndClose();
                    """;
            run(cell(flushAtOnce), store);
            NotYetSolved hint = assertThrows(NotYetSolved.class, () -> Check.flushOnTerm(store));
            assertTrue(hint.getMessage().contains("not a SIGTERM handler"), hint.getMessage());
        }
    }
}
