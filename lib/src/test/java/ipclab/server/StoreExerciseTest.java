package ipclab.server;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

/** Notebook 8's graded check: it passes the model answer and fails each wrong one for its own reason. */
class StoreExerciseTest {
    /** The model answer: one buffer per client; a partial line is stored when its client leaves. */
    private static List<String> model(List<StoreExercise.Piece> pieces) {
        Map<Integer, StringBuilder> pending = new HashMap<>();
        List<String> stored = new ArrayList<>();
        for (StoreExercise.Piece piece : pieces) {
            StringBuilder line = pending.computeIfAbsent(piece.client(), k -> new StringBuilder());
            for (char ch : piece.text().toCharArray()) {
                if (ch == '\n') {
                    stored.add(line.toString());
                    line.setLength(0);
                } else {
                    line.append(ch);
                }
            }
            if (piece.last()) {
                if (line.length() > 0) stored.add(line.toString());
                pending.remove(piece.client());
            }
        }
        return stored;
    }

    /** Wrong: ignores last() and stores every unfinished line when the pieces run out. */
    private static List<String> flushAllAtTheEnd(List<StoreExercise.Piece> pieces) {
        Map<Integer, StringBuilder> pending = new LinkedHashMap<>();
        List<String> stored = new ArrayList<>();
        for (StoreExercise.Piece piece : pieces) {
            StringBuilder line = pending.computeIfAbsent(piece.client(), k -> new StringBuilder());
            for (char ch : piece.text().toCharArray()) {
                if (ch == '\n') {
                    stored.add(line.toString());
                    line.setLength(0);
                } else {
                    line.append(ch);
                }
            }
        }
        pending.values().forEach(line -> {
            if (line.length() > 0) stored.add(line.toString());
        });
        return stored;
    }

    /** Wrong: one buffer for everyone, as a store that ignores who sent a piece. */
    private static List<String> oneBuffer(List<StoreExercise.Piece> pieces) {
        StringBuilder all = new StringBuilder();
        pieces.forEach(p -> all.append(p.text()));
        return new ArrayList<>(all.toString().lines().toList());
    }

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

    private static String hint(Function<List<StoreExercise.Piece>, List<String>> store) {
        return assertThrows(StoreExercise.NotYet.class, () -> StoreExercise.check(store)).getMessage();
    }

    @Test
    void passesTheModelAnswer() {
        String out = printed(() -> StoreExercise.check(StoreExerciseTest::model));
        assertTrue(out.startsWith("✔ Correct."), out);
    }

    @Test
    void failsTheStudentsStub() {
        String hint = hint(pieces -> {
            throw new UnsupportedOperationException("TODO");
        });
        assertTrue(hint.contains("Write the body"), hint);
    }

    @Test
    void failsAStoreThatFlushesTheLineOfAClientStillConnected() {
        String hint = hint(StoreExerciseTest::flushAllAtTheEnd);
        assertTrue(hint.contains("Client 4 has not left"), hint);
    }

    @Test
    void failsAStoreWithOneBufferForAllClients() {
        String hint = hint(StoreExerciseTest::oneBuffer);
        assertTrue(hint.contains("one buffer per client"), hint);
    }
}
