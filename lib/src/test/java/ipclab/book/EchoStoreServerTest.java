package ipclab.book;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ipclab.tree.ProcessTree;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** echo_storeserv and echo_mpclient compiled with real gcc, run as real processes, talked to over real sockets. */
class EchoStoreServerTest {
    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final String LISTENING = "listening on 127\\.0\\.0\\.1:(\\d+)";

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"", "STORE_UNTIL_EOF", "STORE_UNTIL_EOF STORE_KEEPS_WRITE_END", "REAP_ALL", "TRANSCRIPTION_BUFSIZ",
            "BIND_ANY", "CHILD_KEEPS_LISTEN_SOCKET", "PARENT_KEEPS_CLIENT_SOCKET",
            "STORE_UNTIL_EOF REAP_ALL BIND_ANY CHILD_KEEPS_LISTEN_SOCKET PARENT_KEEPS_CLIENT_SOCKET TRANSCRIPTION_BUFSIZ"})
    void everyVariantCompilesWithWallWerror(String switches) {
        CProgram p = CProgram.compile("echo_storeserv", switches.isEmpty() ? new String[0] : switches.split(" "));
        assertTrue(p.compiled(), p.toString());
    }

    @Test
    void theClientCompilesWithWallWerror() {
        assertTrue(CProgram.compile("echo_mpclient").compiled());
    }

    private CProcess start(String... switches) {
        return CProgram.compile("echo_storeserv", switches).withEnv("ECHO_STORE", store().toString()).quiet().start("0");
    }

    private Path store() {
        return dir.resolve("echomsg.txt");
    }

    private static int port(CProcess server) {
        return Integer.parseInt(server.awaitLine(LISTENING, BOUND));
    }

    private static Socket connect(String host, int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(host, port), (int) BOUND.toMillis());
        s.setSoTimeout((int) BOUND.toMillis());
        return s;
    }

    /** Sends a line and reads until its echo is back whole. */
    private static String echo(Socket s, String line) throws IOException {
        byte[] sent = line.getBytes(StandardCharsets.UTF_8);
        s.getOutputStream().write(sent);
        byte[] got = new byte[sent.length];
        int off = 0;
        InputStream in = s.getInputStream();
        while (off < got.length) {
            int n = in.read(got, off, got.length - off);
            if (n < 0) break;
            off += n;
        }
        return new String(got, 0, off, StandardCharsets.UTF_8);
    }

    private String stored() {
        try {
            return Files.exists(store()) ? Files.readString(store(), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    void echoesALineAndStoresIt() throws Exception {
        try (CProcess server = start("STORE_UNTIL_EOF")) {
            int port = port(server);
            try (Socket c = connect("127.0.0.1", port)) {
                assertEquals("hello, store\n", echo(c, "hello, store\n"));
            }
            assertTrue(Procs.within(BOUND, () -> stored().equals("hello, store\n")), "stored: " + stored());
            assertTrue(server.signal("TERM"));
            CRun r = server.waitFor(BOUND);
            assertEquals(0, r.status(), r.output());
            assertTrue(r.output().contains("new client connected..."), r.output());
            assertTrue(r.output().contains("server stopped"), r.output());
            // The storing process closed its own write end: once the server and the echo
            // process are gone it sees end of file and ends too.
            assertTrue(Procs.within(BOUND, () -> server.processes().isEmpty()), "left: " + server.processes());
        }
    }

    @Test
    void theBooksStoringProcessEndsAfterTenReads() throws Exception {
        try (CProcess server = start()) {
            int port = port(server);
            StringBuilder expected = new StringBuilder();
            try (Socket c = connect("127.0.0.1", port)) {
                for (int i = 1; i <= 10; i++) {
                    String line = "message " + i + "\n";
                    assertEquals(line, echo(c, line));
                    expected.append(line);
                    // Wait until it is stored, so that each read of the storing process gets one message.
                    assertTrue(Procs.within(BOUND, () -> stored().equals(expected.toString())), "stored: " + stored());
                }
                // After its tenth read the storing process is gone; the server reaps it.
                assertTrue(Procs.within(BOUND, () -> server.processes().size() == 2), "server and echo process: " + server.processes());
                assertEquals("one more\n", echo(c, "one more\n"), "the echo still works");
            }
            assertEquals(expected.toString(), stored(), "nothing is stored after the tenth read");
        }
    }

    @Test
    void aServerBoundToEveryInterfaceAnswersOn127_0_0_2AndTheDefaultDoesNot() throws Exception {
        try (CProcess any = start("BIND_ANY"); CProcess loopback = start()) {
            int anyPort = Integer.parseInt(any.awaitLine("listening on 0\\.0\\.0\\.0:(\\d+)", BOUND));
            try (Socket c = connect("127.0.0.2", anyPort)) {
                assertEquals("via 127.0.0.2\n", echo(c, "via 127.0.0.2\n"));
            }
            int port = port(loopback);
            assertThrows(ConnectException.class, () -> connect("127.0.0.2", port).close(), "connection refused");
            try (Socket c = connect("127.0.0.1", port)) {
                assertEquals("via 127.0.0.1\n", echo(c, "via 127.0.0.1\n"));
            }
        }
    }

    @Test
    void anEchoProcessThatKeepsTheListeningSocketKeepsThePortOpenAfterTheServerExits() throws Exception {
        for (boolean keeps : new boolean[] {false, true}) {
            try (CProcess server = keeps ? start("CHILD_KEEPS_LISTEN_SOCKET") : start()) {
                int port = port(server);
                try (Socket c = connect("127.0.0.1", port)) {
                    assertEquals("hi\n", echo(c, "hi\n"));
                    server.signal("TERM");
                    assertEquals(0, server.waitFor(BOUND).status());
                    if (keeps) {
                        // The OS kernel still completes connections for the socket the echo
                        // process holds, but nobody accepts them.
                        try (Socket late = connect("127.0.0.1", port)) {
                            late.setSoTimeout(1000);
                            late.getOutputStream().write("anyone?\n".getBytes(StandardCharsets.UTF_8));
                            assertThrows(SocketTimeoutException.class, () -> late.getInputStream().read());
                        }
                    } else {
                        assertThrows(ConnectException.class, () -> connect("127.0.0.1", port).close());
                    }
                }
            }
        }
    }

    @Test
    void aServerThatKeepsTheConnectedSocketNeverLetsTheClientSeeTheEnd() throws Exception {
        for (boolean keeps : new boolean[] {false, true}) {
            try (CProcess server = keeps ? start("PARENT_KEEPS_CLIENT_SOCKET") : start()) {
                int port = port(server);
                try (Socket c = connect("127.0.0.1", port)) {
                    assertEquals("bye\n", echo(c, "bye\n"));
                    c.shutdownOutput(); // the echo process reads end of file and exits
                    assertTrue(Procs.within(BOUND, () -> server.output().contains("client disconnected...")), server.output());
                    c.setSoTimeout(2000);
                    if (keeps) {
                        assertThrows(SocketTimeoutException.class, () -> c.getInputStream().read(), "the server's copy keeps it open");
                    } else {
                        assertEquals(-1, c.getInputStream().read(), "end of file");
                    }
                }
            }
        }
    }

    @Test
    void aStoringProcessThatKeepsTheWriteEndNeverEnds() throws Exception {
        for (boolean keeps : new boolean[] {false, true}) {
            try (CProcess server = keeps ? start("STORE_UNTIL_EOF", "STORE_KEEPS_WRITE_END") : start("STORE_UNTIL_EOF")) {
                int port = port(server);
                try (Socket c = connect("127.0.0.1", port)) {
                    assertEquals("stored\n", echo(c, "stored\n"));
                }
                assertTrue(Procs.within(BOUND, () -> server.output().contains("removed proc id")), server.output());
                server.signal("TERM");
                assertEquals(0, server.waitFor(BOUND).status());
                // Now the storing process is the last holder of a write end, if it kept one.
                if (keeps) {
                    Thread.sleep(1000); // a test may wait a while to see that nothing happens
                    List<ProcessTree.Proc> left = server.processes();
                    assertEquals(1, left.size(), "the storing process: " + left);
                    assertEquals('S', left.get(0).state(), "blocked in read(): " + left);
                } else {
                    assertTrue(Procs.within(BOUND, () -> server.processes().isEmpty()), "left: " + server.processes());
                }
            }
        }
    }

    /** Connects n clients, waits until each has its echo process, then closes them all at once. */
    private static List<Long> clientsLeaveAtOnce(CProcess server, int n) throws Exception {
        int port = port(server);
        List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                Socket c = connect("127.0.0.1", port);
                clients.add(c);
                assertEquals("client " + i + "\n", echo(c, "client " + i + "\n"));
            }
        } finally {
            for (Socket c : clients) c.close();
        }
        // Settled: every echo process has exited (reaped, or a zombie); only the storing process runs.
        assertTrue(Procs.within(BOUND, () -> server.processes().stream()
                .filter(p -> p.ppid() == server.pid() && p.state() != 'Z').count() == 1
                && reaped(server).size() + server.zombies() == n), server.output() + server.processes());
        return reaped(server);
    }

    private static List<Long> reaped(CProcess server) {
        List<Long> pids = new ArrayList<>();
        Matcher m = Pattern.compile("removed proc id: (-?\\d+)").matcher(server.output());
        while (m.find()) {
            long pid = Long.parseLong(m.group(1));
            if (pid > 0) pids.add(pid);
        }
        return pids;
    }

    @Test
    void reapingInALoopLeavesNoZombieWhenClientsLeaveAtOnce() throws Exception {
        int n = 8;
        try (CProcess server = start("REAP_ALL", "STORE_UNTIL_EOF")) {
            List<Long> reaped = clientsLeaveAtOnce(server, n);
            assertEquals(n, reaped.size(), server.output());
            assertEquals(0, server.zombies());
        }
        try (CProcess server = start("STORE_UNTIL_EOF")) {
            // The book's handler: one waitpid() per signal. Signals that arrive together merge,
            // so some children may stay zombies; how many varies from run to run.
            List<Long> reaped = clientsLeaveAtOnce(server, n);
            int zombies = server.zombies();
            assertEquals(n, reaped.size() + zombies);
            System.out.println("the book's SIGCHLD handler, " + n + " clients leaving at once: " + reaped.size()
                    + " reaped, " + zombies + " zombies");
        }
    }

    @Test
    void theTranscriptionsOverflowStaysInsideTheEchoProcess() throws Exception {
        try (CProcess server = start("TRANSCRIPTION_BUFSIZ")) {
            int port = port(server);
            try (Socket c = connect("127.0.0.1", port)) {
                assertEquals("short\n", echo(c, "short\n"), "up to 30 bytes it behaves");
            }
            try (Socket c = connect("127.0.0.1", port)) {
                // Undefined behaviour in the echo process: nothing about it is asserted.
                c.getOutputStream().write("A".repeat(300).getBytes(StandardCharsets.US_ASCII));
                c.setSoTimeout(2000);
                try {
                    c.getInputStream().read(new byte[300]);
                } catch (IOException e) {
                    // Whatever happened to it.
                }
            }
            // The server is another process, with its own memory: it still serves.
            try (Socket c = connect("127.0.0.1", port)) {
                assertEquals("still here\n", echo(c, "still here\n"));
            }
        }
    }

    @Test
    void theClientSendsUntilQAndPrintsTheEchoes() throws Exception {
        try (CProcess server = start("STORE_UNTIL_EOF")) {
            int port = port(server);
            CProgram client = CProgram.compile("echo_mpclient").quiet();
            CRun r = client.withInput("hello\nq\nnever sent\n").run(BOUND, "127.0.0.1", Integer.toString(port));
            assertEquals(0, r.status(), r.output());
            assertTrue(r.output().startsWith("Message from server: hello"), r.output());
            CRun eof = client.withInput("last line, then end of input\n").run(BOUND, "127.0.0.1", Integer.toString(port));
            assertEquals(0, eof.status(), eof.output());
            assertFalse(eof.timedOut());
            assertTrue(eof.output().replace("Message from server: ", "").contains("last line, then end of input"), eof.output());
            assertTrue(Procs.within(BOUND, () -> stored().contains("last line, then end of input\n")), stored());
            assertFalse(stored().contains("never sent"), stored());
        }
    }
}
