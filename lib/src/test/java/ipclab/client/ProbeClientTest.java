package ipclab.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The watching client against small servers in this JVM, each misbehaving in one way. */
class ProbeClientTest {
    private static final Duration SHORT = Duration.ofMillis(300);
    private static final Duration LONG = Duration.ofSeconds(10);

    /** A server thread that runs {@code body} on its one connection. */
    private interface Body {
        void serve(Socket s) throws Exception;
    }

    private static ServerSocket serve(Body body) throws IOException {
        ServerSocket listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            try {
                while (true) {
                    Socket s = listening.accept();
                    Thread h = new Thread(() -> {
                        try (s) {
                            body.serve(s);
                        } catch (Exception e) {
                            // The test closed the connection or the server.
                        }
                    });
                    h.setDaemon(true);
                    h.start();
                }
            } catch (IOException e) {
                // The test closed the listening socket.
            }
        });
        t.setDaemon(true);
        t.start();
        return listening;
    }

    private static void echo(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        byte[] buf = new byte[30];
        for (int n; (n = in.read(buf)) > 0; ) out.write(buf, 0, n);
    }

    @Test
    void anEchoComesBackWhole() throws Exception {
        try (ServerSocket server = serve(ProbeClientTest::echo);
             ProbeClient c = ProbeClient.connect("127.0.0.1", server.getLocalPort())) {
            byte[] sent = new byte[200_000];
            for (int i = 0; i < sent.length; i++) sent[i] = (byte) i;
            ProbeClient.Received r = c.exchange(sent, LONG);
            assertEquals(ProbeClient.Ending.ALL, r.ending());
            assertArrayEquals(sent, r.bytes());
            assertEquals("200000 bytes, then nothing more was expected", r.toString());
        }
    }

    @Test
    void aServerThatClosesOrFallsSilentIsReportedNotThrown() throws Exception {
        try (ServerSocket closing = serve(s -> s.getOutputStream().write("hi".getBytes()));
             ProbeClient c = ProbeClient.connect("127.0.0.1", closing.getLocalPort())) {
            ProbeClient.Received r = c.receive(10, LONG);
            assertEquals(ProbeClient.Ending.CLOSED, r.ending());
            assertEquals("hi", r.text());
        }
        try (ServerSocket silent = serve(s -> Thread.sleep(60_000));
             ProbeClient c = ProbeClient.connect("127.0.0.1", silent.getLocalPort())) {
            assertEquals("0 bytes, then silence", c.receive(10, SHORT).toString());
            assertFalse(c.awaitClose(SHORT));
        }
    }

    @Test
    void aServerThatStopsReadingDoesNotBlockTheSender() throws Exception {
        try (ServerSocket deaf = serve(s -> Thread.sleep(60_000));
             ProbeClient c = ProbeClient.connect("127.0.0.1", deaf.getLocalPort())) {
            // Far more than the socket buffers hold: the writer thread blocks, and is released by closing.
            ProbeClient.Received r = c.exchange(new byte[64 << 20], SHORT);
            assertEquals(ProbeClient.Ending.SILENT, r.ending());
            assertTrue(c.isClosed());
        }
    }

    @Test
    void awaitCloseSeesTheEndAfterAHalfClose() throws Exception {
        try (ServerSocket server = serve(ProbeClientTest::echo);
             ProbeClient c = ProbeClient.connect("127.0.0.1", server.getLocalPort())) {
            c.send("bye\n");
            c.shutdownOutput();
            assertTrue(c.awaitClose(LONG));
        }
    }

    @Test
    void exchangeTogetherKeepsEachClientsEcho() throws Exception {
        try (ServerSocket server = serve(ProbeClientTest::echo)) {
            List<byte[]> messages = new ArrayList<>();
            for (char letter : "ABC".toCharArray()) messages.add(String.valueOf(letter).repeat(50_000).getBytes());
            List<ProbeClient.Received> echoes = ProbeClient.exchangeTogether("127.0.0.1", server.getLocalPort(), messages, LONG);
            for (int i = 0; i < messages.size(); i++) assertArrayEquals(messages.get(i), echoes.get(i).bytes());
        }
    }

    @Test
    void refusedConnectionsThrowConnectException() throws Exception {
        int port;
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = gone.getLocalPort();
        }
        assertThrows(ConnectException.class, () -> ProbeClient.connect("127.0.0.1", port));
    }
}
