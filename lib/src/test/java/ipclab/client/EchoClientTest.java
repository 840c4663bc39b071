package ipclab.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import ipclab.server.EchoServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EchoClientTest {
    @TempDir
    Path dir;

    @Test
    void theSplitTerminalClientEchoesLinesUntilQAndTheApiClientTimesOutInsteadOfHanging() throws Exception {
        try (EchoServer server = EchoServer.start(EchoServer.Options.defaults().port(0).store(dir.resolve("m.txt")))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] typed = "hello\n你好\nq\nnever sent\n".getBytes(StandardCharsets.UTF_8);
            int code = EchoClientMain.run(server.host(), server.port(), new ByteArrayInputStream(typed),
                    new PrintStream(out, true, StandardCharsets.UTF_8));
            assertEquals(0, code);
            assertEquals("hello\n你好\n", out.toString(StandardCharsets.UTF_8));
            assertEquals(2, server.awaitStoredLines(2).storedLines());

            try (EchoClient client = server.connect()) {
                client.timeout(Duration.ofMillis(300));
                client.send("no newline, and we wait for more than was sent");
                IOException e = assertThrows(IOException.class, () -> client.receive(1000));
                assertTrue(e.getMessage().contains("timed out"), e.getMessage());
            }
        }
    }

    @Test
    void connectingToAClosedPortSaysWhere() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        IOException e = assertThrows(IOException.class, () -> EchoClient.connect(port));
        assertTrue(e.getMessage().startsWith("cannot connect to 127.0.0.1:" + port + ": "), e.getMessage());
    }
}
