package ipclab.exercise;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import ipclab.child.Fork;
import ipclab.socketpair.SocketPair;
import org.junit.jupiter.api.Test;

/** Notebook 10's exercise: three rounds over one socket pair, the child's side written by the learner. */
class CheckSocketpairTest {
    /** The notebook's cell, with the child's part to fill in. */
    private static String cell(String childPart) {
        return """
                if (pid == 0) {
                    channel.sv0().close();
                """ + childPart + """
                } else {
                    channel.sv1().close();
                    heard.clear();
                    for (int i = 1; i <= 3; i++) {
                        String ping = channel.sv0().readString();
                        if (ping == null) break;
                        heard.add(ping);
                        channel.sv0().write("pong " + i);
                    }
                }
                """;
    }

    private static final String SOLUTION = """
                for (int i = 1; i <= 3; i++) {
                    channel.sv1().write("ping " + i);
                    System.out.println("child got: " + channel.sv1().readString());
                }
            """;

    private static void run(String body, SocketPair channel, List<String> heard) throws Throwable {
        Fork.code(body).with("channel", "ipclab.socketpair.SocketPair", channel)
                .with("heard", "java.util.List<String>", heard).run();
    }

    @Test
    void theSolutionPasses() throws Throwable {
        try (SocketPair channel = SocketPair.open()) {
            List<String> heard = new ArrayList<>();
            run(cell(SOLUTION), channel, heard);
            PrintStream out = System.out;
            ByteArrayOutputStream said = new ByteArrayOutputStream();
            System.setOut(new PrintStream(said, true, StandardCharsets.UTF_8));
            try {
                Check.socketpairExchange(heard, channel);
            } finally {
                System.setOut(out);
            }
            assertTrue(said.toString(StandardCharsets.UTF_8).startsWith("✔ Correct. three rounds over one socket pair (socket:["), said.toString());
        }
    }

    @Test
    void theStubFails() throws Throwable {
        try (SocketPair channel = SocketPair.open()) {
            List<String> heard = new ArrayList<>();
            String stub = "        // YOUR CODE HERE\n        throw new UnsupportedOperationException(\"TODO\");\n";
            assertThrows(Throwable.class, () -> run(cell(stub), channel, heard));
            assertThrows(NotYetSolved.class, () -> Check.socketpairExchange(heard, channel));
        }
    }

    @Test
    void printingPongsWithoutReadingThemFails() throws Throwable {
        try (SocketPair channel = SocketPair.open()) {
            List<String> heard = new ArrayList<>();
            // Pauses between pings, so they mostly arrive one per read; the pongs are printed, never read.
            String faking = """
                        for (int i = 1; i <= 3; i++) {
                            channel.sv1().write("ping " + i);
                            Thread.sleep(300);
                            System.out.println("child got: pong " + i);
                        }
                    """;
            try {
                run(cell(faking), channel, heard);
            } catch (Throwable maybe) {
                // The parent may write a pong after the child has gone (EPIPE).
            }
            assertThrows(NotYetSolved.class, () -> Check.socketpairExchange(heard, channel));
        }
        // In-process: bytes left unread in sv[1] when it closes turn the reader's end of file at sv[0] into ECONNRESET.
        try (SocketPair channel = SocketPair.open()) {
            channel.sv0().write("pong 1");
            channel.sv1().close();
            IOException reset = assertThrows(IOException.class, () -> channel.sv0().readString());
            assertTrue(reset.getMessage().contains("reset"), reset.getMessage());
        }
    }

    @Test
    void aPairOpenedAfterTheExercisesOneFails() throws Throwable {
        try (SocketPair channel = SocketPair.open()) {
            List<String> heard = new ArrayList<>();
            run(cell(SOLUTION), channel, heard);
            try (SocketPair later = SocketPair.open()) {
                assertThrows(NotYetSolved.class, () -> Check.socketpairExchange(heard, channel));
            }
        }
    }
}
