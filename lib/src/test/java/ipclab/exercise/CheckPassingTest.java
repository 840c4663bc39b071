package ipclab.exercise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import ipclab.child.Fork;
import ipclab.socketpair.SocketPair;
import org.junit.jupiter.api.Test;

/** Notebook 14's exercise: the worker's side, written by the learner, serves a passed connection. */
class CheckPassingTest {
    private static String cell(String workerPart) {
        return """
                if (pid == 0) {
                    handoff.sv0().close();
                """ + workerPart + """
                } else {
                    handoff.sv1().close();
                    clientGot.clear();
                    clientGot.add(Handover.acceptSendAndAsk(handoff.sv0(), "pass me on"));
                }
                """;
    }

    private static final String SOLUTION = """
                try (Fd conn = ScmRights.receive(handoff.sv1())) {
                    String line = conn.readString();
                    conn.write(line.toUpperCase());
                }
            """;

    private static void run(String body, SocketPair handoff, List<String> clientGot) throws Throwable {
        Fork.code(body).importing("import ipclab.passing.*;")
                .classpath(System.getProperty("java.class.path"))  // jnr-posix, which the notebook's jar carries
                .with("handoff", "ipclab.socketpair.SocketPair", handoff)
                .with("clientGot", "java.util.List<String>", clientGot).run();
    }

    private static String said(Runnable check) {
        PrintStream out = System.out;
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        System.setOut(new PrintStream(said, true, StandardCharsets.UTF_8));
        try {
            check.run();
        } finally {
            System.setOut(out);
        }
        return said.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theSolutionPasses() throws Throwable {
        try (SocketPair handoff = SocketPair.open()) {
            List<String> clientGot = new ArrayList<>();
            run(cell(SOLUTION), handoff, clientGot);
            assertEquals(List.of("PASS ME ON"), clientGot);
            String out = said(() -> Check.passedDescriptor(clientGot, handoff));
            assertTrue(out.startsWith("✔ Correct. the worker answered"), out);
        }
    }

    @Test
    void theStubFailsWithAHint() throws Throwable {
        try (SocketPair handoff = SocketPair.open()) {
            List<String> clientGot = new ArrayList<>();
            String stub = "        // YOUR CODE HERE\n        throw new UnsupportedOperationException(\"TODO\");\n";
            assertThrows(Throwable.class, () -> run(cell(stub), handoff, clientGot));
            NotYetSolved e = assertThrows(NotYetSolved.class, () -> Check.passedDescriptor(clientGot, handoff));
            assertTrue(e.getMessage().contains("ScmRights.receive"), e.getMessage());
        }
    }

    @Test
    void anEchoUnchangedGetsItsOwnHint() throws Exception {
        try (SocketPair handoff = SocketPair.open()) {
            handoff.sv1().close();                     // as the solution cell leaves it in the notebook's JVM
            NotYetSolved e = assertThrows(NotYetSolved.class, () -> Check.passedDescriptor(List.of("pass me on"), handoff));
            assertTrue(e.getMessage().contains("unchanged"), e.getMessage());
        }
    }

    @Test
    void beforeTheSolutionRanTheCheckSaysWhichCellToRun() throws Exception {
        try (SocketPair handoff = SocketPair.open()) {
            NotYetSolved e = assertThrows(NotYetSolved.class, () -> Check.passedDescriptor(new ArrayList<>(), handoff));
            assertTrue(e.getMessage().contains("ex-passing-solution"), e.getMessage());
        }
    }
}
