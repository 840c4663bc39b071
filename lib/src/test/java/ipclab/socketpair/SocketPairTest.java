package ipclab.socketpair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import ipclab.child.Fork;
import ipclab.pipe.Descriptors;
import org.junit.jupiter.api.Test;

/** One socket pair, real processes: a child JVM inherits sv[1] and talks both ways over it. */
class SocketPairTest {
    @Test
    void twoSocketsTwoInodesBothEndsReadableAndWritable() throws Exception {
        try (SocketPair sv = SocketPair.open()) {
            long[] inodes = sv.inodesWhenOpened();
            assertNotEquals(inodes[0], inodes[1], "a socket pair is two sockets");
            assertTrue(sv.sv0().target().startsWith("socket:["), sv.sv0().target());
            assertTrue(Descriptors.open().containsAll(List.of(sv.sv0(), sv.sv1())), "children would not inherit the ends");
            sv.sv0().write("to one");
            sv.sv1().write("to zero");
            assertEquals("to one", sv.sv1().readString());
            assertEquals("to zero", sv.sv0().readString());
        }
    }

    @Test
    void anExchangeBothWaysWithAChildJvm() throws Throwable {
        try (SocketPair sv = SocketPair.open()) {
            List<String> heard = new ArrayList<>();
            Fork fork = Fork.code("""
                    if (pid == 0) {
                        sv.sv0().close();                       // the child uses sv[1] only
                        for (int i = 1; i <= 3; i++) {
                            sv.sv1().write("ping " + i);
                            System.out.println("child got: " + sv.sv1().readString());
                        }
                    } else {
                        sv.sv1().close();                       // the parent uses sv[0] only
                        for (int i = 1; i <= 3; i++) {
                            heard.add(sv.sv0().readString());
                            sv.sv0().write("pong " + i);
                        }
                    }
                    """)
                    .with("sv", "ipclab.socketpair.SocketPair", sv)
                    .with("heard", "java.util.List<String>", heard);
            assertTrue(fork.run().success());
            assertEquals(List.of("ping 1", "ping 2", "ping 3"), heard);
            assertEquals("child got: pong 1\nchild got: pong 2\nchild got: pong 3\n", Fork.lastOutput());
            assertFalse(sv.sv1().isOpen());
            assertTrue(sv.sv0().isOpen());
        }
    }

    @Test
    void endOfFileWhenTheOtherEndClosesEverywhere() throws Throwable {
        try (SocketPair sv = SocketPair.open()) {
            Fork fork = Fork.code("""
                    if (pid == 0) {
                        sv.sv0().close();
                        sv.sv1().write("last words");
                    } else {
                        sv.sv1().close();                       // else the parent's own sv[1] keeps the socket open
                        seen = new String(sv.sv0().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                    }
                    """)
                    .with("sv", "ipclab.socketpair.SocketPair", sv)
                    .with("seen", "String", "");
            assertTrue(fork.run().success());
            assertEquals("last words", fork.parentValues().get("seen"));
            assertNull(sv.sv0().readString(), "read() returns 0 again: end of file");
        }
    }

    @Test
    void seqPacketKeepsMessageBoundaries() throws Exception {
        try (SocketPair stream = SocketPair.open(); SocketPair packets = SocketPair.openSeqPacket()) {
            for (SocketPair p : List.of(stream, packets)) {
                p.sv0().write("one");
                p.sv0().write("two");
            }
            assertEquals("onetwo", stream.sv1().readString());
            assertEquals("one", packets.sv1().readString());
            assertEquals("two", packets.sv1().readString());
            assertEquals("SOCK_SEQPACKET", packets.type());
        }
    }

    @Test
    void closingTakesTheEndsOffTheInheritedList() throws Exception {
        SocketPair sv = SocketPair.open();
        sv.close();
        assertTrue(sv.isClosed());
        assertFalse(Descriptors.open().contains(sv.sv0()));
    }
}
