package ipclab.server;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import ipclab.language.Messages;

/**
 * The notebook's exercise: store lines from pieces that arrive interleaved, the way the storing
 * process gets frames from many handlers on one pipe, without ever mixing two clients' lines.
 */
public final class StoreExercise {
    /** Part of one client's byte stream, as one frame carries it; {@code last} when the client left. */
    public record Piece(int client, String text, boolean last) {
        @Override
        public String toString() {
            return "client " + client + ": \"" + text.replace("\n", "\\n") + "\"" + (last ? " (left)" : "");
        }
    }

    /** The check failed: one hint, no stack trace. */
    public static final class NotYet extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotYet(String hint) {
            super(hint, null, false, false);
        }
    }

    private StoreExercise() {}

    /**
     * Four clients' pieces in the order a pipe might deliver them. Client 4 is still connected
     * when they end, in the middle of a line: that line is not complete yet, so it is not stored.
     */
    public static List<Piece> pieces() {
        return List.of(
                new Piece(1, "hello fr", false),
                new Piece(2, "good mor", false),
                new Piece(1, "om one\nsecond li", false),
                new Piece(3, "a whole line\n", false),
                new Piece(4, "four is still typ", false),
                new Piece(2, "ning from two\n", false),
                new Piece(1, "ne from one\n", false),
                new Piece(3, "and a partial one", true),
                new Piece(2, "two says bye\n", true),
                new Piece(1, "", true));
    }

    /** The unfinished line of client 4, which has not left: storing it would be a mistake. */
    private static final String STILL_TYPING = "four is still typ";

    /** What the store must hold, in some order that keeps each client's own order. */
    private static Map<Integer, List<String>> expected() {
        Map<Integer, List<String>> lines = new LinkedHashMap<>();
        lines.put(1, List.of("hello from one", "second line from one"));
        lines.put(2, List.of("good morning from two", "two says bye"));
        lines.put(3, List.of("a whole line", "and a partial one"));
        return lines;
    }

    /** Runs {@code store} on {@link #pieces()} and prints a pass line, or throws one hint. */
    public static void check(Function<List<Piece>, List<String>> store) {
        List<String> got;
        try {
            got = store.apply(pieces());
        } catch (UnsupportedOperationException e) {
            throw new NotYet(Messages.text("store.exercise.no-body"));
        }
        if (got == null || got.isEmpty()) throw new NotYet(Messages.text("store.exercise.no-lines"));
        Map<Integer, List<String>> want = expected();
        Map<String, Integer> owner = new HashMap<>();
        want.forEach((client, lines) -> lines.forEach(l -> owner.put(l, client)));
        for (String line : got) {
            if (line.equals(STILL_TYPING)) {
                throw new NotYet(Messages.text("store.exercise.still-typing", STILL_TYPING));
            }
            if (line.contains("\n")) throw new NotYet(Messages.text("store.exercise.newline", line.replace("\n", "\\n")));
            if (!owner.containsKey(line)) {
                throw new NotYet(Messages.text("store.exercise.mixed", line));
            }
        }
        for (Map.Entry<Integer, List<String>> e : want.entrySet()) {
            List<String> mine = new ArrayList<>();
            for (String line : got) if (owner.get(line).equals(e.getKey())) mine.add(line);
            if (!mine.equals(e.getValue())) {
                String missing = e.getValue().stream().filter(l -> !mine.contains(l)).findFirst().orElse(null);
                throw new NotYet(missing != null && missing.equals("and a partial one")
                        ? Messages.text("store.exercise.partial")
                        : Messages.text("store.exercise.order", e.getKey(), e.getValue(), mine));
            }
        }
        if (got.size() != owner.size()) throw new NotYet(Messages.text("store.exercise.twice", got.size(), owner.size()));
        System.out.println(Messages.text("check.pass", Messages.text("store.exercise.pass")));
    }
}
