package ipclab.extension;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ipclab.pipe.Pipe;
import ipclab.socketpair.SocketPair;
import org.junit.jupiter.api.Test;

/** Which notebook values %%fork refuses to fork with: those with no descriptor left open. */
class ForkMagicClosedTest {
    @Test
    void aSocketPairCountsAsClosedOnlyWhenBothEndsAre() throws Exception {
        SocketPair sv = SocketPair.open();
        assertFalse(ForkMagic.allClosed(sv));
        sv.sv1().close();
        assertFalse(ForkMagic.allClosed(sv), "one end is still open: the cell's own code decides");
        sv.close();
        assertTrue(ForkMagic.allClosed(sv));
    }

    @Test
    void aPipeAsBefore() throws Exception {
        Pipe p = Pipe.open();
        assertFalse(ForkMagic.allClosed(p));
        p.close();
        assertTrue(ForkMagic.allClosed(p));
    }
}
