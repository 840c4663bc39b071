package ipclab.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;

import ipclab.child.ChildProcess;
import ipclab.child.Sleep;
import ipclab.child.WriteTo;
import org.junit.jupiter.api.Test;

/** The waits on the process tree: for a condition itself, with a bound, never for a guessed time. */
class ProcessTreeTest {
    @Test
    void awaitZombieReturnsOnceTheExitedChildIsAZombieAndFailsOnceItIsReaped() throws IOException {
        try (ChildProcess child = ChildProcess.builder().main(WriteTo.class, "1", "bye").showOutput(false).start()) {
            ProcessTree tree = ProcessTree.awaitZombie(child.pid(), Duration.ofSeconds(30));
            assertTrue(tree.zombies().stream().anyMatch(p -> p.pid() == child.pid()), tree.toString());
            assertTrue(tree.toString().contains(child.pid() + " zombie"), tree.toString());
            assertEquals(0, child.waitFor().code());
            IOException gone = assertThrows(IOException.class, () -> ProcessTree.awaitZombie(child.pid(), Duration.ofSeconds(5)));
            assertTrue(gone.getMessage().contains("reaped already"), gone.getMessage());
            assertTrue(ProcessTree.ofThisProcess().descendants().stream().noneMatch(p -> p.pid() == child.pid()));
        }
    }

    @Test
    void awaitZombieGivesUpAtItsBoundOnAChildThatKeepsRunning() throws IOException {
        try (ChildProcess child = ChildProcess.builder().main(Sleep.class, "60000").showOutput(false).start()) {
            long started = System.nanoTime();
            IOException late = assertThrows(IOException.class, () -> ProcessTree.awaitZombie(child.pid(), Duration.ofMillis(300)));
            assertTrue(late.getMessage().contains("was not a zombie within 300 ms"), late.getMessage());
            assertTrue(System.nanoTime() - started < Duration.ofSeconds(10).toNanos());
        }
    }

    @Test
    void awaitThisProcessWaitsForAConditionOnTheTree() throws IOException {
        try (ChildProcess child = ChildProcess.builder().main(WriteTo.class, "1", "bye").showOutput(false).start()) {
            // About this test's child only: the tests share one JVM, and processes that earlier
            // tests left (orphans this JVM adopted as a subreaper) may be zombies below it too.
            ProcessTree tree = ProcessTree.awaitThisProcess(t -> isZombie(t, child.pid()), Duration.ofSeconds(30));
            assertTrue(isZombie(tree, child.pid()), tree.toString());
            child.waitFor();
            assertThrows(IOException.class, () -> ProcessTree.awaitThisProcess(t -> isZombie(t, child.pid()), Duration.ofMillis(100)));
        }
    }

    private static boolean isZombie(ProcessTree tree, long pid) {
        return tree.zombies().stream().anyMatch(p -> p.pid() == pid);
    }

    @Test
    void thePictureHasItsOwnBackgroundAndReadableText() throws IOException {
        String svg = ProcessTree.ofThisProcess().toSvg();
        assertTrue(svg.contains("fill=\"#fff\"") && svg.contains("font-size=\"13\""), svg);
    }
}
