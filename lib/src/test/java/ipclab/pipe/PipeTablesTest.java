package ipclab.pipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import ipclab.child.ChildProcess;
import ipclab.child.Sleep;
import org.junit.jupiter.api.Test;

class PipeTablesTest {
    private static final long SELF = ProcessHandle.current().pid();

    @Test
    void inodeIsWhatProcShowsForBothEnds() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            String r = Files.readSymbolicLink(Path.of("/proc/self/fd/" + pipe.readEnd().number())).toString();
            String w = Files.readSymbolicLink(Path.of("/proc/self/fd/" + pipe.writeEnd().number())).toString();
            assertEquals("pipe:[" + pipe.inode() + "]", r);
            assertEquals(r, w);
        }
    }

    @Test
    void isOpenOnlyWhileBothEndsAre() throws Exception {
        Pipe pipe = Pipe.open();
        assertTrue(pipe.isOpen());
        pipe.writeEnd().close();
        assertFalse(pipe.isOpen());
        pipe.inode(); // one end still names the pipe
        pipe.close();
        assertThrows(IOException.class, pipe::inode);
    }

    @Test
    void ownTableShowsBothEndsAndTheLibrarysCloseOnExecCopies() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            PipeTables.Table t = PipeTables.of(pipe).process("parent", SELF).tables().get(0);
            List<PipeTables.Entry> inherited = t.entries().stream().filter(e -> !e.closeOnExec()).toList();
            assertEquals(List.of(new PipeTables.Entry(pipe.readEnd().number(), false, false),
                    new PipeTables.Entry(pipe.writeEnd().number(), true, false)), inherited);
            // The non-blocking twins of both ends: close-on-exec, so no child inherits them.
            assertEquals(2, t.entries().size() - inherited.size());
        }
    }

    @Test
    void childHoldsOnlyTheEndItWasGiven() throws Exception {
        try (Pipe pipe = Pipe.open();
             ChildProcess child = ChildProcess.builder().main(Sleep.class, "30000").inherit(pipe.writeEnd())
                     .showOutput(false).start()) {
            PipeTables tables = PipeTables.of(pipe).process("parent", SELF).process("child", child.pid());
            assertEquals(List.of(new PipeTables.Entry(pipe.writeEnd().number(), true, false)), tables.tables().get(1).entries());
            String text = tables.toString();
            assertTrue(text.startsWith("pipe:[" + pipe.inode() + "] in the OS kernel, a buffer of 65,536 bytes\n"), text);
            assertTrue(text.contains("\nchild, pid " + child.pid() + ": fd " + pipe.writeEnd().number() + " write end\n"), text);
            String svg = tables.toSvg();
            assertTrue(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""), svg);
            assertTrue(svg.contains("fill=\"#ffffff\""), "a white background for dark themes");
            assertTrue(svg.contains("pipe:[" + pipe.inode() + "]"));
        }
    }

    @Test
    void aProcessWithoutThePipeSaysSo() throws Exception {
        try (Pipe pipe = Pipe.open();
             ChildProcess child = ChildProcess.builder().main(Sleep.class, "30000").showOutput(false).start()) {
            PipeTables tables = PipeTables.of(pipe).process("child", child.pid());
            assertTrue(tables.tables().get(0).entries().isEmpty());
            assertTrue(tables.toString().endsWith("child, pid " + child.pid() + ": no descriptor for this pipe\n"));
        }
    }

    @Test
    void aGoneProcessIsAnError() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            assertThrows(IOException.class, () -> PipeTables.of(pipe).process("nobody", Integer.MAX_VALUE));
        }
    }
}
