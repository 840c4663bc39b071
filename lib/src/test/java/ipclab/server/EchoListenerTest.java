package ipclab.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

import ipclab.child.ExitStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server's listening role on its own, in this JVM: one clear line for each way it can fail. */
class EchoListenerTest {
    @Test
    void listensOnLoopbackAndAPortInUseGivesOneLine() throws Exception {
        try (ServerSocketChannel first = Listener.listen("127.0.0.1", 0)) {
            int port = ((InetSocketAddress) first.getLocalAddress()).getPort();
            assertEquals("127.0.0.1", ((InetSocketAddress) first.getLocalAddress()).getAddress().getHostAddress());
            EchoServerMain.StartException e = assertThrows(EchoServerMain.StartException.class, () -> Listener.listen("127.0.0.1", port));
            assertEquals("cannot listen on 127.0.0.1:" + port + ": address already in use", e.getMessage());
        }
    }

    @Test
    void connectionsNotYetAcceptedAreCountedInTheListenQueue() throws Exception {
        try (ServerSocketChannel listener = Listener.listen("127.0.0.1", 0)) {
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            assertEquals(0, Listener.waitingClients(port));
            java.util.List<java.nio.channels.SocketChannel> clients = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) clients.add(java.nio.channels.SocketChannel.open(listener.getLocalAddress()));
                assertEquals(3, Listener.waitingClients(port)); // connect() returned: the handshake is done
                listener.accept().close();
                assertEquals(2, Listener.waitingClients(port));
            } finally {
                for (java.nio.channels.SocketChannel c : clients) c.close();
            }
        }
    }

    @Test
    void anUnknownHostGivesOneLine() {
        EchoServerMain.StartException e = assertThrows(EchoServerMain.StartException.class, () -> Listener.listen("no-such-host.invalid", 0));
        assertEquals("cannot listen on no-such-host.invalid: unknown host", e.getMessage());
    }

    @Test
    void theStoreFileIsCheckedInAnExistingFolderOnly(@TempDir Path dir) throws Exception {
        Listener.checkWritable(dir.resolve("echomsg.txt"));
        assertTrue(Files.exists(dir.resolve("echomsg.txt")));
        EchoServerMain.StartException e = assertThrows(EchoServerMain.StartException.class,
                () -> Listener.checkWritable(dir.resolve("missing").resolve("echomsg.txt")));
        assertEquals("cannot write the store file " + dir.resolve("missing").resolve("echomsg.txt") + ": no such folder", e.getMessage());
        assertFalse(Files.exists(dir.resolve("missing")));
    }

    @Test
    void anExitStatusIsDescribedWithoutItsPid() {
        assertEquals("was killed by SIGKILL", EchoServerMain.describe(new ExitStatus(42, -1, 9)));
        assertEquals("exited with status 3", EchoServerMain.describe(new ExitStatus(42, 3, 0)));
    }
}
