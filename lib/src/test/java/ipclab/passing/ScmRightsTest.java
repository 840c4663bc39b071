package ipclab.passing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ipclab.child.Fork;
import ipclab.client.EchoClient;
import ipclab.pipe.Fd;
import ipclab.pipe.Pipe;
import ipclab.socketpair.SocketPair;
import org.junit.jupiter.api.Test;

/** SCM_RIGHTS over a socket pair: within one process, truncated, and to a worker JVM that serves a TCP client. */
class ScmRightsTest {
    @Test
    void aDescriptorSentToItselfArrivesAsANewNumberForTheSamePipe() throws IOException {
        try (SocketPair sv = SocketPair.open(); Pipe p = Pipe.open()) {
            ScmRights.sendmsg(sv.sv0(), p.fds()[1]);
            try (Fd copy = ScmRights.receive(sv.sv1())) {
                assertNotEquals(p.fds()[1].number(), copy.number());
                assertEquals(p.fds()[1].target(), copy.target());
                copy.write("through the copy");
                assertEquals("through the copy", p.fds()[0].readString());
            }
        }
    }

    @Test
    void withoutRoomForControlDataTheDescriptorIsDroppedAndThePipeEnds() throws IOException {
        try (SocketPair sv = SocketPair.open(); Pipe p = Pipe.open()) {
            ScmRights.sendmsg(sv.sv0(), p.fds()[1]);
            p.fds()[1].close();                          // only the copy in flight is left
            ScmRights.Received r = ScmRights.recvmsg(sv.sv1(), false);
            assertEquals(1, r.dataBytes());
            assertTrue(r.controlTruncated(), "MSG_CTRUNC");
            assertNull(r.descriptor());
            assertNull(p.fds()[0].readString(), "the OS kernel closed the write end in flight: end of file");
        }
    }

    @Test
    void receivingWhenTheSenderClosedSaysSoInOneLine() throws IOException {
        try (SocketPair sv = SocketPair.open()) {
            sv.sv0().close();
            IOException e = assertThrows(IOException.class, () -> ScmRights.receive(sv.sv1()));
            assertTrue(e.getMessage().contains("end of file"), e.getMessage());
        }
    }

    @Test
    void aListenerOnAnEphemeralPortAcceptsAndCloses() throws IOException {
        int before = TcpListener.openNow();
        try (TcpListener l = TcpListener.open(); EchoClient c = EchoClient.connect(l.port()); Fd conn = l.accept()) {
            assertTrue(l.port() > 0);
            assertTrue(conn.target().startsWith("socket:["), conn.target());
            conn.write("hi\n");
            assertEquals("hi", c.receiveLine());
            assertEquals(before + 1, TcpListener.openNow());
        }
        assertEquals(before, TcpListener.openNow());
    }

    @Test
    void aDescriptorPassedAndUsed() throws Throwable {
        try (SocketPair channel = SocketPair.open()) {
            List<String> seen = new ArrayList<>();
            Fork fork = Fork.code("""
                    if (pid == 0) {
                        channel.sv0().close();
                        try (Fd conn = ScmRights.receive(channel.sv1())) {
                            String request = conn.readString().strip();
                            conn.write("worker has you as fd " + conn.number() + " -> " + conn.target() + ": " + request + "\\n");
                            System.out.println("worker done: " + (conn.readString() == null ? "client closed" : "more"));
                        }
                    } else {
                        channel.sv1().close();
                        try (TcpListener listener = TcpListener.open();
                             EchoClient client = EchoClient.connect(listener.port());
                             Fd conn = listener.accept()) {
                            seen.add("fd " + conn.number() + " -> " + conn.target());
                            ScmRights.sendmsg(channel.sv0(), conn);
                            conn.close();
                            client.send("hello\\n");
                            seen.add(client.receiveLine());
                        }
                    }
                    """)
                    .importing("import ipclab.passing.*;").importing("import ipclab.client.*;")
                    .classpath(System.getProperty("java.class.path"))  // jnr-posix, which the notebook's jar carries
                    .with("channel", "ipclab.socketpair.SocketPair", channel)
                    .with("seen", "java.util.List<String>", seen);
            try {
                fork.run();
            } catch (Throwable t) {
                throw new AssertionError("child said: " + Fork.lastOutput(), t);
            }
            Matcher parent = Pattern.compile("fd (\\d+) -> (socket:\\[\\d+])").matcher(seen.get(0));
            assertTrue(parent.matches(), seen.get(0));
            Matcher worker = Pattern.compile("worker has you as fd (\\d+) -> (socket:\\[\\d+]): hello").matcher(seen.get(1));
            assertTrue(worker.matches(), seen.get(1));
            assertEquals(parent.group(2), worker.group(2), "the same socket in both tables");
            assertEquals("worker done: client closed\n", Fork.lastOutput());
            assertFalse(channel.sv1().isOpen());
        }
    }
}
