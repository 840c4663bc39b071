package ipclab.exercise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** The multiple-choice check: the spellings a learner may use, and one friendly line otherwise. */
class CheckTest {
    /** What the check printed to stdout. */
    private static String printed(Runnable check) {
        PrintStream before = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            check.run();
        } finally {
            System.setOut(before);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String hint(String question, Object answer) {
        return assertThrows(NotYetSolved.class, () -> Check.choice(question, answer)).getMessage();
    }

    @Test
    void acceptsTheRightLetterAsCharOrStringInEitherCase() {
        for (Object answer : new Object[] {'C', "C", 'c', "c", " C ", "c\n"}) {
            String out = printed(() -> Check.choice("ipc-memory", answer));
            assertTrue(out.startsWith("✔ Correct. "), answer + " -> " + out);
            assertEquals(1, out.strip().lines().count(), out);
        }
    }

    @Test
    void everyQuestionPassesWithItsLetterAndFailsWithTheOthers() {
        String[][] questions = {{"ipc-memory", "C"}, {"ipc-kernel", "B"}, {"pipe-owner", "B"}, {"pipe-one-way", "A"}};
        for (String[] q : questions) {
            assertTrue(printed(() -> Check.choice(q[0], q[1])).startsWith("✔ Correct."), q[0]);
            for (char wrong = 'A'; wrong <= 'D'; wrong++) {
                if (wrong == q[1].charAt(0)) continue;
                String hint = hint(q[0], Character.toLowerCase(wrong));
                assertTrue(hint.startsWith("Not " + wrong + ". ") && hint.length() > 20 && !hint.contains("null"), hint);
            }
        }
    }

    @Test
    void noAnswerYetSaysWhatToWrite() {
        String hint = hint("ipc-memory", null);
        assertTrue(hint.startsWith("No answer yet") && hint.contains("q1 = 'X';"), hint);
        assertTrue(hint("pipe-one-way", null).contains("q3b = 'X';"));
    }

    @Test
    void somethingOtherThanOneLetterFromAToDGetsOneFriendlyLine() {
        assertTrue(hint("ipc-kernel", 'E').startsWith("E is not one of the choices"), hint("ipc-kernel", 'E'));
        assertTrue(hint("ipc-kernel", "e").startsWith("E is not one of the choices"));
        assertTrue(hint("ipc-kernel", "BC").startsWith("Answer with just one letter"), hint("ipc-kernel", "BC"));
        assertTrue(hint("ipc-kernel", "").startsWith("Answer with just one letter"));
        assertTrue(hint("ipc-kernel", '2').startsWith("Answer with just one letter"));
        assertTrue(hint("ipc-kernel", 2).startsWith("Answer with one letter in quotes"), hint("ipc-kernel", 2));
        for (Object bad : new Object[] {'E', 'X', "BC", 2, null}) assertEquals(1, hint("ipc-kernel", bad).lines().count());
    }

    @Test
    void aHintHasNoStackTrace() {
        assertEquals(0, assertThrows(NotYetSolved.class, () -> Check.choice("ipc-memory", 'A')).getStackTrace().length);
    }

    @Test
    void anUnknownQuestionIsTheNotebooksMistake() {
        assertThrows(IllegalArgumentException.class, () -> Check.choice("no-such-question", 'A'));
    }
}
