package ipclab.server;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * The storing process: the book's child that reads the pipe and writes {@code echomsg.txt}, and
 * the only process that writes that file. It reads frames from the pipe (see {@link Frames}),
 * keeps each connection's unfinished line apart, and appends a line to the file only once it is
 * complete, so concurrent clients' lines never mix. It stops at end of file, that is when the
 * last write end of the pipe is closed, after storing every partial line it still holds.
 *
 * <p>{@code MessageStore PIPE-READ-FD STORE-FILE BOARD-FILE MAX-LINE [--restart]}. It loads
 * nothing but the JDK.
 */
public final class MessageStore {
    private static final int READ_SIZE = 1 << 20; // >= the pipe's capacity: a read never cuts a frame
    private static final int OUT_SIZE = 256 << 10;

    /** One connection's line so far. */
    private static final class Pending {
        byte[] bytes = new byte[256];
        int length;
        boolean discarding; // its start died with an earlier storing process: drop up to the next newline

        void append(byte[] src, int off, int len) {
            if (length + len > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, Math.max(length + len, bytes.length * 2));
            }
            System.arraycopy(src, off, bytes, length, len);
            length += len;
        }
    }

    private final FileChannel file;
    private final StatusBoard board;
    private final int maxLine;
    private final Map<Integer, Pending> pending = new HashMap<>();
    private final ByteBuffer out = ByteBuffer.allocate(OUT_SIZE);
    private long outClientBytes;
    private long outLines;
    private long outSplit;

    private MessageStore(FileChannel file, StatusBoard board, int maxLine) {
        this.file = file;
        this.board = board;
        this.maxLine = maxLine;
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 4) {
            System.err.println("usage: MessageStore PIPE-READ-FD STORE-FILE BOARD-FILE MAX-LINE [--restart]");
            System.exit(2);
        }
        boolean restart = args.length > 4 && args[4].equals("--restart");
        StatusBoard board = StatusBoard.map(Paths.get(args[2]));
        try (FileInputStream pipe = new FileInputStream(Inherited.descriptor(Integer.parseInt(args[0])));
             FileChannel file = openStore(Paths.get(args[1]), board, restart)) {
            new MessageStore(file, board, Integer.parseInt(args[3])).run(pipe);
        }
    }

    private static FileChannel openStore(Path path, StatusBoard board, boolean restart) throws IOException {
        FileChannel file = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        if (restart && file.size() > board.get(StatusBoard.FILE_SIZE)) {
            // The previous storing process was killed inside a write(2): cut the torn line off.
            // Its bytes were never counted as stored, so they are already counted as lost.
            file.truncate(board.get(StatusBoard.FILE_SIZE));
        }
        file.position(file.size());
        board.set(StatusBoard.FILE_SIZE, file.size());
        return file;
    }

    private void run(FileInputStream in) throws IOException {
        FileChannel pipe = in.getChannel();
        ByteBuffer buf = ByteBuffer.allocate(READ_SIZE);
        byte[] a = buf.array();
        while (true) {
            int n = pipe.read(buf);
            if (n < 0) break;
            int end = buf.position();
            // Count what was taken from the pipe first, so a kill from here on is accounted for.
            long payload = 0;
            int p = 0;
            while (p + Frames.HEADER <= end) {
                int len = ((a[p + 2] & 0xff) << 8) | (a[p + 3] & 0xff);
                if (p + Frames.HEADER + len > end) break;
                payload += len;
                p += Frames.HEADER + len;
            }
            board.add(StatusBoard.CONSUMED, payload);
            int complete = p;
            p = 0;
            while (p < complete) {
                if (a[p] != Frames.MAGIC) {
                    throw new IOException("the pipe holds a damaged frame at byte " + p + " of a read: writers and reader disagree");
                }
                int flags = a[p + 1];
                int len = ((a[p + 2] & 0xff) << 8) | (a[p + 3] & 0xff);
                int connection = ((a[p + 4] & 0xff) << 24) | ((a[p + 5] & 0xff) << 16) | ((a[p + 6] & 0xff) << 8) | (a[p + 7] & 0xff);
                frame(connection, flags, a, p + Frames.HEADER, len);
                p += Frames.HEADER + len;
            }
            // A partial frame cannot happen with reads this large, but is kept for the next read if it does.
            buf.limit(end).position(complete);
            buf.compact();
            if (out.position() > 0 && (in.available() == 0 || out.position() > OUT_SIZE / 2)) flush();
        }
        // End of file: every writer is gone. A line a client never finished is still a line.
        for (Pending line : pending.values()) {
            if (line.length > 0 && !line.discarding) emit(line.bytes, 0, line.length, false);
        }
        pending.clear();
        flush();
    }

    private void frame(int connection, int flags, byte[] a, int off, int len) throws IOException {
        Pending line = pending.get(connection);
        if (line == null) {
            line = new Pending();
            // A connection first seen in mid-line had its start read by a storing process that died.
            line.discarding = (flags & Frames.CONTINUES) != 0;
            pending.put(connection, line);
        }
        int end = off + len;
        while (off < end) {
            int nl = indexOf(a, off, end, (byte) '\n');
            int stop = nl < 0 ? end : nl + 1;
            if (line.discarding) {
                board.add(StatusBoard.DISCARDED, stop - off);
                if (nl >= 0) line.discarding = false;
                off = stop;
                continue;
            }
            int room = maxLine - line.length;
            int take = nl < 0 ? stop - off : nl - off; // bytes before the newline
            if (take > room) {
                // Over the line limit: store what fits as one line, then go on with the rest.
                line.append(a, off, room);
                emit(line.bytes, 0, line.length, false);
                outSplit++;
                line.length = 0;
                off += room;
                continue;
            }
            if (nl < 0) {
                line.append(a, off, take);
            } else if (line.length == 0) {
                emit(a, off, take, true); // a whole line in one frame: no copy
            } else {
                line.append(a, off, take);
                emit(line.bytes, 0, line.length, true);
                line.length = 0;
            }
            off = stop;
        }
        if ((flags & Frames.END) != 0) {
            // A partial last line at disconnect is stored as a line.
            if (line.length > 0 && !line.discarding) emit(line.bytes, 0, line.length, false);
            pending.remove(connection);
        }
    }

    /** Appends one line to the output buffer: its bytes, then a newline. */
    private void emit(byte[] a, int off, int len, boolean hasNewline) throws IOException {
        if (out.remaining() < len + 1) flush();
        if (out.remaining() < len + 1) {
            writeFully(ByteBuffer.wrap(a, off, len));
            writeFully(ByteBuffer.wrap(new byte[] {'\n'}));
        } else {
            out.put(a, off, len).put((byte) '\n');
        }
        outClientBytes += len + (hasNewline ? 1 : 0);
        outLines++;
    }

    /** write(2) the buffered lines to the file, then publish the counts. */
    private void flush() throws IOException {
        out.flip();
        writeFully(out);
        out.clear();
        board.set(StatusBoard.FILE_SIZE, file.position());
        board.add(StatusBoard.STORED, outClientBytes);
        board.add(StatusBoard.LINES, outLines);
        if (outSplit > 0) board.add(StatusBoard.SPLIT, outSplit);
        outClientBytes = 0;
        outLines = 0;
        outSplit = 0;
    }

    private void writeFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) file.write(b);
    }

    private static int indexOf(byte[] a, int from, int to, byte b) {
        for (int i = from; i < to; i++) if (a[i] == b) return i;
        return -1;
    }
}
