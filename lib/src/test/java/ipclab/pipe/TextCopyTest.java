package ipclab.pipe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ipclab.posix.Posix;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TextCopyTest {
    @Test
    void aCharacterSplitBetweenTwoWritesArrivesWhole() throws Exception {
        int[] fds = Posix.pipe();
        byte[] text = "管道 pipe\n".getBytes(StandardCharsets.UTF_8);
        Thread writer = new Thread(() -> {
            try {
                Posix.write(fds[1], text, 0, 1);             // the first byte of 管 alone
                Thread.sleep(50);                             // so that the reader sees it alone
                Posix.write(fds[1], text, 1, text.length - 1);
                Posix.close(fds[1]);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        writer.start();
        StringBuilder got = new StringBuilder();
        AtomicLong bytes = new AtomicLong();
        TextCopy.untilEndOfFile(fds[0], got::append, bytes::addAndGet);
        writer.join();
        assertEquals("管道 pipe\n", got.toString());
        assertEquals(text.length, bytes.get());
    }
}
