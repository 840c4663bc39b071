package ipclab.unixsocket;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import ipclab.exercise.Check;
import ipclab.exercise.NotYetSolved;
import org.junit.jupiter.api.Test;

/** The Unix socket exercise's check, as the notebook runs it, over a file left by a killed server process. */
class CheckStaleSocketTest {
    @Test
    void noServerOrTheCarefulBindIsNotSolvedAndTheLearnersOwnUnlinkAndBindIs() throws IOException {
        try (SocketDir dir = SocketDir.create()) {
            Path exPath = dir.resolve("exercise.sock");
            EchoServerProcess.unix(exPath).kill();                         // the setup: a stale file
            assertThrows(NotYetSolved.class, () -> Check.staleSocket(exPath, null));
            try (UnixServer careful = UnixServer.bindReplacingStale(exPath)) {
                NotYetSolved e = assertThrows(NotYetSolved.class, () -> Check.staleSocket(exPath, careful));
                assertTrue(e.getMessage().contains("bindReplacingStale"), e.getMessage());
            }
            EchoServerProcess.unix(exPath).kill();
            // The solution.
            if (SocketFileState.of(exPath) == SocketFileState.STALE) Files.delete(exPath);
            UnixServer exServer = UnixServer.bind(exPath);
            PrintStream old = System.out;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            try {
                Check.staleSocket(exPath, exServer);
                Check.staleSocket(exPath, exServer);                       // run again: still correct
            } finally {
                System.setOut(old);
            }
            String printed = out.toString(StandardCharsets.UTF_8);
            assertTrue(printed.startsWith("✔ Correct. the stale socket file was removed"), printed);
            exServer.close();
            NotYetSolved closed = assertThrows(NotYetSolved.class, () -> Check.staleSocket(exPath, exServer));
            assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
        }
    }
}
