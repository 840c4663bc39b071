package ipclab.unixsocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Unix domain sockets with real processes: the echo server runs in a child JVM. */
class UnixSocketTest {
    private static final Duration LIMIT = Duration.ofSeconds(20);
    private SocketDir dir;
    private Path sock;

    @BeforeEach
    void makeDir() throws IOException {
        dir = SocketDir.create();
        sock = dir.resolve("echo.sock");
    }

    @AfterEach
    void removeDir() throws IOException {
        Path d = dir.path();
        dir.close();
        assertFalse(Files.exists(d), "the socket directory is gone");
    }

    private Object inode(Path p) throws IOException {
        return Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void theServerObjectUnlinksItsSocketFileOnClose() throws IOException {
        UnixServer server = UnixServer.bind(sock);
        assertTrue(server.ls().startsWith("s"), server.ls());
        assertEquals(SocketFileState.LIVE, SocketFileState.of(sock));
        server.close();
        assertEquals(SocketFileState.ABSENT, SocketFileState.of(sock));
        server.close(); // twice is harmless
    }

    @Test
    void theChildServerEchoesReportsItsPeerAndUnlinksWhenItsInputEnds() throws IOException {
        EchoServerProcess server = EchoServerProcess.unix(sock);
        try (server) {
            assertEquals("listening on " + sock, server.listening());
            assertTrue(dir.ls("echo.sock").startsWith("srw------- "), dir.ls("echo.sock"));
            assertTrue(dir.ls().startsWith("drwx--x--x "), dir.ls());
            try (SocketConnection c = server.connect()) {
                assertEquals("Who are you?", c.echo("Who are you?", LIMIT));
                String user = System.getProperty("user.name");
                assertTrue(c.peerText().startsWith("user " + user + ", group "), c.peerText());
            }
            assertTrue(server.nextLine(LIMIT).startsWith("connection from user " + System.getProperty("user.name") + ", group "));
        }
        assertEquals(0, server.status().code(), server.status() + ": " + server.output());
        assertFalse(Files.exists(sock, LinkOption.NOFOLLOW_LINKS), "the server unlinked its socket file");
    }

    @Test
    void aSecondServerOnALivePathGetsOneClearErrorAndLeavesTheFileAlone() throws IOException {
        try (EchoServerProcess first = EchoServerProcess.unix(sock)) {
            Object before = inode(sock);
            IOException e = assertThrows(IOException.class, () -> EchoServerProcess.unix(sock));
            assertTrue(e.getMessage().contains("in use, a server answers there"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
            assertEquals(before, inode(sock), "the live server's file was not replaced");
            // In this JVM too: the careful bind refuses, the plain bind fails with EADDRINUSE.
            assertThrows(SocketFileInUseException.class, () -> UnixServer.bindReplacingStale(sock));
            IOException plain = assertThrows(IOException.class, () -> UnixServer.bind(sock));
            assertTrue(plain.getMessage().contains("(EADDRINUSE)"), plain.getMessage());
            assertEquals(before, inode(sock));
            try (SocketConnection c = first.connect()) {
                assertEquals("still here", c.echo("still here", LIMIT));
            }
        }
        assertFalse(Files.exists(sock, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aStaleFileLeftByAKilledServerIsDetectedUnlinkedAndBound() throws IOException {
        EchoServerProcess killed = EchoServerProcess.unix(sock);
        killed.kill();                                                   // kill -9: no clean-up runs
        assertTrue(Files.exists(sock, LinkOption.NOFOLLOW_LINKS), "a killed server leaves its socket file");
        assertEquals(SocketFileState.STALE, SocketFileState.of(sock));
        IOException plain = assertThrows(IOException.class, () -> UnixServer.bind(sock));
        assertTrue(plain.getMessage().contains("Address already in use (EADDRINUSE)"), plain.getMessage());
        try (EchoServerProcess next = EchoServerProcess.unix(sock)) {
            assertTrue(next.listening().contains("a stale socket file was there: unlinked it"), next.listening());
            try (SocketConnection c = next.connect()) {
                assertEquals("hello again", c.echo("hello again", LIMIT));
            }
        }
        assertFalse(Files.exists(sock, LinkOption.NOFOLLOW_LINKS));
        // And in this JVM: the careful bind replaces a stale file too.
        EchoServerProcess.unix(sock).kill();
        try (UnixServer s = UnixServer.bindReplacingStale(sock)) {
            assertTrue(s.replacedStale());
            assertEquals(SocketFileState.LIVE, SocketFileState.of(sock));
        }
    }

    @Test
    void somethingThatIsNotASocketIsNeverRemoved() throws IOException {
        Files.writeString(sock, "not a socket");
        assertEquals(SocketFileState.NOT_A_SOCKET, SocketFileState.of(sock));
        IOException e = assertThrows(IOException.class, () -> UnixServer.bindReplacingStale(sock));
        assertTrue(e.getMessage().contains("not a socket"), e.getMessage());
        assertEquals("not a socket", Files.readString(sock));
    }

    @Test
    void acceptWaitsWithABound() throws IOException {
        try (UnixServer server = UnixServer.bind(sock)) {
            long t = System.nanoTime();
            assertNull(server.accept(Duration.ofMillis(200)));
            assertTrue(System.nanoTime() - t >= 150_000_000L);
        }
    }

    @Test
    void connectingWhereNothingListensIsOneLine() {
        IOException e = assertThrows(IOException.class, () -> SocketConnection.unix(sock));
        assertEquals("connect(" + sock + "): No such file or directory (ENOENT)", e.getMessage());
    }

    @Test
    void theSameEchoOverTcpOnLoopback() throws IOException {
        try (EchoServerProcess tcp = EchoServerProcess.tcp(); SocketConnection c = tcp.connect()) {
            assertTrue(tcp.address().startsWith("127.0.0.1:"), tcp.address());
            assertEquals("over TCP", c.echo("over TCP", LIMIT));
            assertTrue(c.peerText().startsWith("unknown: a TCP socket has no SO_PEERCRED"), c.peerText());
            RoundTrips r = RoundTrips.time("TCP", c, 50, LIMIT);
            assertEquals(50, r.count());
        }
    }

    @Test
    void anotherUserIsRefusedByTheSocketFilesModeAndAdmittedWhenItAllows() throws IOException {
        try (EchoServerProcess server = EchoServerProcess.unix(sock)) {
            String refused = OtherUser.tryRefused(sock, "let me in");
            assertEquals("as " + OtherUser.name() + ": connect(" + sock + "): Permission denied (EACCES)", refused);
            assertTrue(dir.ls("echo.sock").startsWith("srw------- "), "the mode is as before: " + dir.ls("echo.sock"));
            dir.chmod("echo.sock", "rw-rw-rw-");
            assertEquals("as " + OtherUser.name() + ": connected, echo \"let me in\"", OtherUser.connect(sock, "let me in"));
            assertTrue(server.nextLine(LIMIT).startsWith("connection from user " + OtherUser.name() + ", group "));
        }
        assertEquals(java.util.List.of(), dir.list(), "the client's class folder is gone too");
    }

    @Test
    void rootItselfIsNotRefused() throws IOException {
        assumeTrue(OtherUser.isRoot(), "only as root");
        try (EchoServerProcess server = EchoServerProcess.unix(sock, "---------"); SocketConnection c = server.connect()) {
            assertEquals("root passes", c.echo("root passes", LIMIT));
        }
    }
}
