package ipclab.child;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** pipe2's race: whoever reads first gets the question, and nothing else can happen. */
class OnePipeRaceTest {
    @Test
    void aTallyListsEveryOutcomeAndCountsEveryTrial() throws Exception {
        for (Duration nap : List.of(Duration.ZERO, Duration.ofMillis(100))) {
            Map<String, Integer> tally = OnePipeRace.tally(nap, 4);
            assertEquals(OnePipeRace.OUTCOMES, List.copyOf(tally.keySet()), tally.toString());
            assertEquals(4, tally.values().stream().mapToInt(Integer::intValue).sum(), tally.toString());
        }
        assertTrue(Children.all().isEmpty(), "a trial left a child unreaped");
    }
}
