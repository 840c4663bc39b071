package ipclab.exercise;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import ipclab.child.Fork;
import ipclab.pipe.Pipe;
import org.junit.jupiter.api.Test;

/** Notebook 4's exercise: three rounds that must go over two pipes, one each way. */
class CheckExchangeTest {
    private static final String TWO_PIPES = """
            if (pid == 0) {
                for (int i = 1; i <= 3; i++) {
                    toParent.writeEnd().write("ping " + i);
                    System.out.println("child got: " + toChild.readEnd().readString());
                }
            } else {
                heard.clear();
                for (int i = 1; i <= 3; i++) {
                    heard.add(toParent.readEnd().readString());
                    toChild.writeEnd().write("pong " + i);
                }
            }
            """;

    private static void run(String body, Pipe toParent, Pipe toChild, List<String> heard) throws Throwable {
        Fork.code(body).with("toParent", "Pipe", toParent).with("toChild", "Pipe", toChild)
                .with("heard", "List<String>", heard).run();
    }

    @Test
    void twoPipesOneEachWayPass() throws Throwable {
        try (Pipe toParent = Pipe.open(); Pipe toChild = Pipe.open()) {
            List<String> heard = new ArrayList<>();
            run(TWO_PIPES, toParent, toChild, heard);
            run(TWO_PIPES, toParent, toChild, heard); // a cell run again hears three pings, not six
            PrintStream out = System.out;
            ByteArrayOutputStream said = new ByteArrayOutputStream();
            System.setOut(new PrintStream(said, true, StandardCharsets.UTF_8));
            try {
                Check.exchange(heard, toParent, toChild);
            } finally {
                System.setOut(out);
            }
            assertTrue(said.toString(StandardCharsets.UTF_8).startsWith("✔ Correct. three rounds over two pipes"), said.toString());
        }
    }

    @Test
    void theParentAnsweringThroughTheChildsPipeFailsEvenWhenTheMessagesArrive() throws Throwable {
        try (Pipe toParent = Pipe.open(); Pipe toChild = Pipe.open()) {
            List<String> heard = new ArrayList<>(List.of("ping 1", "ping 2", "ping 3"));
            toParent.writeEnd().write("pong 1");            // the parent writing where it reads
            toParent.readEnd().readString();
            toChild.writeEnd().write("pong 1");
            NotYetSolved e = assertThrows(NotYetSolved.class, () -> Check.exchange(heard, toParent, toChild));
            assertTrue(e.getMessage().startsWith("The parent wrote into toParent"), e.getMessage());
            assertTrue(e.getStackTrace().length == 0, "a hint carries no stack trace");
        }
    }

    @Test
    void anUntouchedExerciseFails() throws Throwable {
        try (Pipe toParent = Pipe.open(); Pipe toChild = Pipe.open()) {
            NotYetSolved e = assertThrows(NotYetSolved.class, () -> Check.exchange(new ArrayList<>(), toParent, toChild));
            assertTrue(e.getMessage().startsWith("The parent never read from toParent"), e.getMessage());
        }
    }

    @Test
    void theVerdictStaysTheSameAfterTheCleanUpCellClosedThePipes() throws Throwable {
        Pipe toParent = Pipe.open();
        Pipe toChild = Pipe.open();
        List<String> heard = new ArrayList<>();
        run(TWO_PIPES, toParent, toChild, heard);
        toParent.close();
        toChild.close();
        PrintStream out = System.out;
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        System.setOut(new PrintStream(said, true, StandardCharsets.UTF_8));
        try {
            Check.exchange(heard, toParent, toChild);
        } finally {
            System.setOut(out);
        }
        assertTrue(said.toString(StandardCharsets.UTF_8).startsWith("✔ Correct."), said.toString());
        Pipe unused = Pipe.open();
        unused.close();
        NotYetSolved e = assertThrows(NotYetSolved.class, () -> Check.exchange(List.of(), unused, unused));
        assertTrue(e.getMessage().startsWith("toParent and toChild are the same pipe"), e.getMessage());
    }
}
