package ipclab.child;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import ipclab.pipe.Fd;
import ipclab.pipe.Pipe;
import org.junit.jupiter.api.Test;

/** Code written for a child, run through Fork: compile errors, copied variables, failures. */
class ForkTest {
    @Test
    void aCompileErrorNamesTheLineOfTheCellCode() {
        String body = """
                int a = 1;
                if (pid == 0) {
                    int b = a +;
                }
                """;
        ForkCompileException e = assertThrows(ForkCompileException.class, () -> Fork.code(body).run());
        assertTrue(e.getMessage().startsWith("child code does not compile: line 3: "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(Children.all().isEmpty(), "a child was started for code that does not compile");
    }

    @Test
    void variablesAreCopiedSoTheChildsChangesStayInTheChild() throws Throwable {
        int[] counter = {1};
        try (Pipe pipe = Pipe.open()) {
            Fork fork = Fork.code("""
                    if (pid == 0) {
                        counter[0] = 42;                       // the child's copies
                        n = 7;
                        fds[1].write("child saw " + counter[0] + " " + n);
                    } else {
                        fds[1].close();
                        seen = new String(fds[0].readAllBytes(), StandardCharsets.UTF_8);
                    }
                    """)
                    .with("counter", "int[]", counter)
                    .with("n", "int", 1)
                    .with("fds", "Fd[]", pipe.fds())
                    .with("seen", "String", "");
            assertTrue(fork.run().success());
            assertEquals("child saw 42 7", fork.parentValues().get("seen"));
            assertEquals(1, fork.parentValues().get("n"), "the child's assignment reached the parent");
        }
        assertEquals(1, counter[0], "the child's change to the array reached the parent's array");
    }

    /** What the child sees of every kind of copied value, sent back through a pipe. */
    private static String childSees(Pipe pipe, Object extra) throws Throwable {
        Fork fork = Fork.code("""
                if (pid == 0) {
                    String seen = s + "|" + i + "|" + j + "|" + z + "|" + d + "|" + c + "|" + Arrays.toString(ints) + "|"
                            + Arrays.toString(longs) + "|" + new String(bytes, StandardCharsets.UTF_8) + "|"
                            + Arrays.toString(strings) + "|" + (nothing == null) + "|" + extra;
                    w.write(seen);
                    fds[1].close();
                    w.close(); // the same descriptor as fds[1]: one object in the child, so no second close(2)
                } else {
                    fds[1].close();
                    got = new String(fds[0].readAllBytes(), StandardCharsets.UTF_8);
                }
                """)
                .with("s", "String", "你好").with("i", "int", 7).with("j", "long", 1L << 40).with("z", "boolean", true)
                .with("d", "double", 2.5).with("c", "char", 'x').with("ints", "int[]", new int[] {1, 2})
                .with("longs", "long[]", new long[] {3}).with("bytes", "byte[]", "bytes".getBytes(StandardCharsets.UTF_8))
                .with("strings", "String[]", new String[] {"a", null}).with("nothing", "Object", null)
                .with("extra", "Object", extra).with("fds", "Fd[]", pipe.fds()).with("w", "Fd", pipe.writeEnd())
                .with("got", "String", "");
        assertTrue(fork.run().success());
        return (String) fork.parentValues().get("got");
    }

    @Test
    void everyKindOfValueArrivesIntactWithOrWithoutSerialization() throws Throwable {
        String expected = "你好|7|1099511627776|true|2.5|x|[1, 2]|[3]|bytes|[a, null]|true|";
        try (Pipe pipe = Pipe.open()) {
            assertEquals(expected + "plain", childSees(pipe, "plain"));
        }
        try (Pipe pipe = Pipe.open()) {
            // A list is not one of the kinds written field by field: everything goes through serialization.
            assertEquals(expected + "[a, b]", childSees(pipe, new java.util.ArrayList<>(java.util.List.of("a", "b"))));
        }
    }

    @Test
    void theChildsBytesReachTheParentThroughAnInheritedPipe() throws Throwable {
        String[] seen = new String[1];
        try (Pipe pipe = Pipe.open()) {
            Fork.code("""
                    if (pid == 0) fds[1].write("Who are you? " + fds[1].number());
                    else { fds[1].close(); seen[0] = new String(fds[0].readAllBytes(), StandardCharsets.UTF_8); }
                    """).with("fds", "Fd[]", pipe.fds()).with("seen", "String[]", seen).run();
            assertEquals("Who are you? " + pipe.writeEnd().number(), seen[0],
                    "the descriptor number must name the same pipe in the child");
        }
    }

    @Test
    void aChildThatThrowsFailsTheRunWithTheCellLine() throws Throwable {
        ChildFailedException e = assertThrows(ChildFailedException.class, () -> Fork.code("""
                if (pid == 0) {
                    throw new IllegalStateException("no");
                }
                """).run());
        assertTrue(e.getMessage().matches("child \\d+ exited with status 1: it threw java.lang.IllegalStateException: no at line 2 of the cell"),
                e.getMessage());
        assertTrue(Fork.lastOutput().contains("threw java.lang.IllegalStateException: no at line 2 of the cell"), Fork.lastOutput());
        assertTrue(Children.all().isEmpty());
    }

    @Test
    void aChildThatOverrunsTheTimeoutIsKilled() {
        long t0 = System.nanoTime();
        ChildTimeoutException e = assertThrows(ChildTimeoutException.class, () -> Fork.code("""
                if (pid == 0) Thread.sleep(60_000);
                """).timeout(Duration.ofMillis(500)).run());
        assertTrue(e.getMessage().endsWith("did not exit within 500 ms, so it was killed"), e.getMessage());
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L);
        assertTrue(Children.all().isEmpty());
    }

    @Test
    void fdIsCopiedAsItsNumber() throws Throwable {
        try (Pipe pipe = Pipe.open()) {
            Fd[] fds = pipe.fds();
            int[] parentSaw = new int[1];
            Fork.code("if (pid != 0) n[0] = fds[0].number();")
                    .with("fds", "Fd[]", fds).with("n", "int[]", parentSaw).run();
            assertEquals(pipe.readEnd().number(), parentSaw[0]);
        }
    }
}
