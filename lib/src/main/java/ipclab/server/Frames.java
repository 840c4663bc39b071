package ipclab.server;

import java.nio.ByteBuffer;

/**
 * How handlers share one pipe without mixing their clients' bytes.
 *
 * <p>A write(2) of at most PIPE_BUF (4096) bytes to a pipe is atomic: concurrent writers never
 * interleave inside it. A longer write may be split and mixed with other writers' bytes. So a
 * handler never writes more than 4096 bytes at once: it cuts its client's byte stream into
 * <em>frames</em>, each one atomic write, each saying whose bytes it carries. The storing
 * process keeps one buffer per connection and writes a line to the file only when it is
 * complete, so lines of any length (up to the line limit) stay whole.
 *
 * <pre>
 *   byte 0    magic 0xEC (a frame starts here: a check that reader and writers agree)
 *   byte 1    flags: CONTINUES (the first byte is not at the start of a line), END (last frame)
 *   bytes 2-3 payload length, 0..4088, big-endian
 *   bytes 4-7 connection id, big-endian
 *   bytes 8.. payload: the client's bytes, exactly as received
 * </pre>
 */
final class Frames {
    static final int PIPE_BUF = 4096;
    static final int HEADER = 8;
    static final int MAX_PAYLOAD = PIPE_BUF - HEADER;
    static final byte MAGIC = (byte) 0xEC;
    static final int CONTINUES = 1;
    static final int END = 2;

    private Frames() {}

    /** Writes the header for a payload of {@code length} bytes at {@code buf[0..8)}. */
    static void header(ByteBuffer buf, int connection, int length, int flags) {
        buf.put(0, MAGIC);
        buf.put(1, (byte) flags);
        buf.putShort(2, (short) length);
        buf.putInt(4, connection);
    }
}
