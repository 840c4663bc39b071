package ipclab.pipe;

import ipclab.posix.Posix;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Copies what a process writes into a pipe, as UTF-8 text, to wherever the notebook's JVM shows
 * it, piece by piece as it arrives: a child's output must appear in the cell while the child runs.
 */
public final class TextCopy {
    private TextCopy() {
    }

    /**
     * read(2)s {@code fd} until end of file, handing each decoded piece to {@code text} and each
     * read's byte count to {@code bytes}, then close(2)s it. A character split between two reads
     * is decoded whole; bytes that are not UTF-8 become U+FFFD. Returns normally at end of file.
     *
     * @throws IOException if a read fails; the descriptor is closed all the same
     */
    public static void untilEndOfFile(int fd, Consumer<String> text, LongConsumer bytes) throws IOException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        ByteBuffer in = ByteBuffer.allocate(8192);
        CharBuffer out = CharBuffer.allocate(8192);
        try {
            while (true) {
                int n = Posix.read(fd, in.array(), in.position(), in.remaining());
                boolean end = n <= 0;
                if (!end) in.position(in.position() + n);
                in.flip();
                decoder.decode(in, out, end);
                if (end) decoder.flush(out);
                in.compact();
                out.flip();
                if (out.hasRemaining()) text.accept(out.toString());
                out.clear();
                bytes.accept(end ? 0 : n);
                if (end) return;
            }
        } finally {
            try {
                Posix.close(fd);
            } catch (IOException ignored) {
                // Already closed: nothing more to release.
            }
        }
    }
}
