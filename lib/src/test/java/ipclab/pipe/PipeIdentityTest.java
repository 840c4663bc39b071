package ipclab.pipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;

import org.junit.jupiter.api.Test;

/** Which pipe a descriptor reaches, and which ends a process really used. */
class PipeIdentityTest {
    @Test
    void bothEndsOfOnePipeNameOneInodeAndTwoPipesTwo() throws Exception {
        try (Pipe one = Pipe.open(); Pipe other = Pipe.open()) {
            assertTrue(one.readEnd().target().matches("pipe:\\[\\d+\\]"), one.readEnd().target());
            assertEquals(one.readEnd().target(), one.writeEnd().target());
            assertEquals("pipe:[" + one.inode() + "]", one.writeEnd().target());
            assertNotEquals(one.inode(), other.inode());
        }
    }

    @Test
    void theInodeWhenOpenedIsKnownAfterClose() throws Exception {
        Pipe pipe = Pipe.open();
        long inode = pipe.inode();
        assertEquals(inode, pipe.inodeWhenOpened());
        pipe.close();
        assertEquals(inode, pipe.inodeWhenOpened(), "the inode is remembered after close");
        assertThrows(IOException.class, pipe::inode);
        assertThrows(IOException.class, pipe.readEnd()::target);
    }

    @Test
    void eachEndCountsTheBytesThisProcessMovedThroughIt() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            assertEquals(0, pipe.writeEnd().bytesWritten());
            assertEquals(0, pipe.readEnd().bytesRead());
            pipe.writeEnd().write("ping 1");
            pipe.writeEnd().write(java.nio.ByteBuffer.wrap(new byte[] {'!'}));
            assertEquals(7, pipe.writeEnd().bytesWritten());
            assertEquals("ping 1!", pipe.readEnd().readString());
            assertEquals(7, pipe.readEnd().bytesRead());
            assertEquals(0, pipe.readEnd().bytesWritten());
            assertEquals(0, pipe.writeEnd().bytesRead());
        }
    }
}
