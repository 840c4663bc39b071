package ipclab.server;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * One client's handler process. The book forks it after {@code accept()}; a JVM takes tens of
 * milliseconds to start where {@code fork()} takes a tenth of one, so the server starts a few
 * handlers ahead of time instead (a <em>pre-forked</em> server). Each spare handler inherits
 * the listening socket as its descriptor 0 ({@code System.inheritedChannel()}, the inetd
 * pattern) and blocks in {@code accept()}; the kernel gives each new connection to exactly one
 * of them. The handler closes its copy of the listening socket, tells the server through the
 * events pipe that it is busy (so the server starts the next spare), and serves that one
 * client: it echoes every byte and forwards the same bytes to the storing process in frames
 * (see {@link Frames}).
 *
 * <p>{@code EchoHandler CONNECTION-ID FRAME-PIPE-FD EVENT-PIPE-FD}, with the listening socket as
 * fd 0. It loads nothing but the JDK.
 */
public final class EchoHandler {
    /** Event: this handler accepted its client. 8 bytes: connection id, then the event. */
    static final int ACCEPTED = 1;

    private EchoHandler() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: EchoHandler CONNECTION-ID FRAME-PIPE-FD EVENT-PIPE-FD (with the listening socket as fd 0)");
            System.exit(2);
        }
        int connection = Integer.parseInt(args[0]);
        Channel inherited = System.inheritedChannel();
        if (!(inherited instanceof ServerSocketChannel listener)) {
            System.err.println("echo handler: descriptor 0 is not a listening socket");
            System.exit(2);
            return;
        }
        SocketChannel client;
        try (FileOutputStream events = new FileOutputStream(Inherited.descriptor(Integer.parseInt(args[2])))) {
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // the server closed the listening socket: it is stopping
            }
            listener.close();
            ByteBuffer event = ByteBuffer.allocate(8).putInt(connection).putInt(ACCEPTED).flip();
            events.getChannel().write(event); // 8 bytes: one atomic write(2)
        }
        try (FileOutputStream pipeOut = new FileOutputStream(Inherited.descriptor(Integer.parseInt(args[1])))) {
            serve(connection, client, pipeOut.getChannel());
        }
    }

    /** read(2) from the client, write(2) the echo back, write(2) one frame to the pipe; until EOF. */
    static void serve(int connection, SocketChannel client, FileChannel pipe) throws IOException {
        // One direct buffer holds the frame: header, then the bytes just read. The read is
        // bounded by the buffer (the book read BUFSIZ bytes into a 30-byte array).
        ByteBuffer frame = ByteBuffer.allocateDirect(Frames.PIPE_BUF);
        boolean atLineStart = true;
        boolean echoing = true;
        try {
            while (true) {
                frame.limit(Frames.PIPE_BUF).position(Frames.HEADER);
                int n;
                try {
                    n = client.read(frame);
                } catch (IOException reset) {
                    break; // ECONNRESET: the client is gone; what it sent before is forwarded.
                }
                if (n < 0) break;
                if (echoing) {
                    frame.flip().position(Frames.HEADER);
                    try {
                        while (frame.hasRemaining()) client.write(frame);
                    } catch (IOException brokenPipe) {
                        echoing = false; // EPIPE: nobody reads the echo any more, but the bytes still get stored.
                    }
                }
                Frames.header(frame, connection, n, atLineStart ? 0 : Frames.CONTINUES);
                atLineStart = frame.get(Frames.HEADER + n - 1) == '\n';
                frame.limit(Frames.HEADER + n).position(0);
                while (frame.hasRemaining()) pipe.write(frame); // <= PIPE_BUF: one atomic write(2)
            }
        } finally {
            frame.clear();
            Frames.header(frame, connection, 0, Frames.END | (atLineStart ? 0 : Frames.CONTINUES));
            frame.limit(Frames.HEADER);
            while (frame.hasRemaining()) pipe.write(frame);
            client.close();
        }
    }
}
