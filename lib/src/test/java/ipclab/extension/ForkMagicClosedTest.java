package ipclab.extension;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ipclab.pipe.Pipe;
import ipclab.socketpair.SocketPair;
import org.junit.jupiter.api.Test;

/** Which notebook values %%fork refuses to fork with: those with no descriptor left open. */
class ForkMagicClosedTest {
    @Test
    void aSocketPairWithAnEndClosedIsNotForkedWithAgain() throws Exception {
        SocketPair sv = SocketPair.open();
        assertFalse(ForkMagic.allClosed(sv));
        assertFalse(ForkMagic.endClosed(sv));
        sv.sv1().close();
        assertFalse(ForkMagic.allClosed(sv), "one end is still open");
        assertTrue(ForkMagic.endClosed(sv), "a pair missing an end is not forked with again");
        sv.close();
        assertTrue(ForkMagic.allClosed(sv));
    }

    @Test
    void aPipeAsBefore() throws Exception {
        Pipe p = Pipe.open();
        assertFalse(ForkMagic.allClosed(p));
        p.close();
        assertTrue(ForkMagic.allClosed(p));
        assertFalse(ForkMagic.endClosed(p), "only socket pairs are refused for a missing end");
    }
}
