package ipclab.sharedmemory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import ipclab.child.Children;
import ipclab.exercise.Check;
import org.junit.jupiter.api.Test;

/** Two child JVMs on one mapped file: the racy increment may lose updates, the two fixes never do. */
class SharedCounterTest {
    private static final int TRIALS = 10;

    @Test
    void theFileIsUniqueSharedAndRemovedOnClose() throws Exception {
        Path path;
        try (SharedCounter a = SharedCounter.create(); SharedCounter b = SharedCounter.create()) {
            path = a.path();
            assertFalse(a.path().equals(b.path()));
            assertTrue(Files.exists(path));
            try (SharedCounter other = SharedCounter.open(path)) {
                other.atomicIncrement();
                other.atomicIncrement();
            }
            assertTrue(Files.exists(path), "a second mapping's close must leave the file");
            assertEquals(2, a.get(), "a store through one mapping is seen through the other");
            // The copy %%fork makes: serialised and read back, it maps the same file and does not own it.
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(a);
            }
            try (SharedCounter copy = (SharedCounter) new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray())).readObject()) {
                copy.atomicIncrement();
            }
            assertEquals(3, a.get());
            assertTrue(Files.exists(path));
        }
        assertFalse(Files.exists(path), "close must delete the file it created");
    }

    @Test
    void racyIncrementsNeverOvercountAndTheFixesLoseNone() throws Exception {
        long lostInAll = 0;
        try (SharedCounter counter = SharedCounter.create()) {
            for (int trial = 0; trial < TRIALS; trial++) {
                RaceResult racy = CounterRace.run(counter, IncrementMode.RACY, 100_000);
                assertTrue(racy.count() <= racy.expected(), racy.toString());
                lostInAll += racy.lost();
                RaceResult atomic = CounterRace.run(counter, IncrementMode.ATOMIC, 100_000);
                assertEquals(atomic.expected(), atomic.count(), atomic.toString());
                RaceResult locked = CounterRace.run(counter, IncrementMode.LOCKED, 2_000);
                assertEquals(locked.expected(), locked.count(), locked.toString());
                System.out.println(racy + "\n" + atomic + "\n" + locked);
            }
        }
        System.out.println("lost in " + TRIALS + " racy trials: " + lostInAll);
        assertTrue(Children.all().isEmpty(), "a race left a child unreaped");
    }

    @Test
    void theCheckWantsEveryIncrement() throws Exception {
        try (SharedCounter counter = SharedCounter.create()) {
            assertThrows(RuntimeException.class, () -> Check.sharedCounter(counter, 10));      // nothing ran
            for (int i = 0; i < 10; i++) counter.atomicIncrement();
            counter.finished();
            Check.sharedCounter(counter, 10);
            counter.finished();                                                               // a second process that lost all its updates
            assertThrows(RuntimeException.class, () -> Check.sharedCounter(counter, 10));
        }
    }
}
