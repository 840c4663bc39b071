package ipclab.server;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

/**
 * A handler process: it serves one client at a time. The book forks it after {@code accept()};
 * a JVM takes tens of milliseconds to start where {@code fork()} takes a tenth of one, so the
 * server starts a few handlers ahead of time instead (a <em>pre-forked</em> server). Each spare
 * handler inherits the listening socket as its descriptor 0 ({@code System.inheritedChannel()},
 * the inetd pattern) and blocks in {@code accept()}; the OS kernel gives each new connection to
 * exactly one of them. The handler tells the server through the events pipe that it is busy
 * (so the server knows when every handler is), and serves its client: it echoes every byte
 * and forwards the same bytes to the storing process in frames (see {@link Frames} and
 * {@link Forwarder}). When the client leaves, it goes back to {@code accept()} for the next
 * one. A handler that has waited there {@link #RETIRE_AFTER_MILLIS} ms while the server had more
 * spares than it asked for exits (and the server reaps it), so a pool that grew for clients that
 * waited (see {@link SpareKeeper}) shrinks after them.
 *
 * <p>Before its first {@code accept()}, it runs its echo loop a couple of thousand times over a
 * loopback connection to itself, so the JIT compiler has done its work before the first client
 * arrives. {@code EchoHandler ID FRAME-PIPE-FD EVENT-PIPE-FD BOARD-FILE SPARES}, with the
 * listening socket as fd 0. It loads nothing but the JDK.
 */
public final class EchoHandler {
    /** Events, 8 bytes each: handler id, then one of these. */
    static final int READY = 0;    // warmed up, about to accept() for the first time
    static final int ACCEPTED = 1; // took a client
    static final int FREE = 2;     // its client left; back in accept()
    private static final int WARM_UP_ROUNDS = 3000;
    /** A handler retires after this many clients, so no process lives for ever. */
    private static final int MAX_CLIENTS_PER_HANDLER = 1000;
    static final long RETIRE_AFTER_MILLIS = 5000;
    private static volatile Forwarder current;
    private static volatile long idleSince; // when it entered accept(); 0 while it serves

    private EchoHandler() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 5) {
            System.err.println("usage: EchoHandler ID FRAME-PIPE-FD EVENT-PIPE-FD BOARD-FILE SPARES (with the listening socket as fd 0)");
            System.exit(2);
        }
        int id = Integer.parseInt(args[0]);
        Channel inherited = System.inheritedChannel();
        if (!(inherited instanceof ServerSocketChannel listener)) {
            System.err.println("echo handler: descriptor 0 is not a listening socket");
            System.exit(2);
            return;
        }
        StatusBoard board = StatusBoard.map(Paths.get(args[3]));
        int spares = Integer.parseInt(args[4]);
        // SIGTERM (the server stopping): hand over what is still batched before the JVM exits.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Forwarder f = current;
            if (f != null) f.flushQuietly();
        }, "echo-flush-on-exit"));
        warmUp();
        Thread retire = new Thread(() -> retireWhenIdle(listener, board, spares), "echo-retire");
        retire.setDaemon(true);
        retire.start();
        try (FileOutputStream events = new FileOutputStream(Inherited.descriptor(Integer.parseInt(args[2])));
             FileOutputStream pipeOut = new FileOutputStream(Inherited.descriptor(Integer.parseInt(args[1])))) {
            event(events, id, READY);
            for (int served = 1; ; served++) {
                SocketChannel client;
                idleSince = System.nanoTime();
                try {
                    client = listener.accept();
                } catch (IOException e) {
                    return; // it retired (closed its copy of the listening socket)
                }
                idleSince = 0;
                event(events, id, ACCEPTED);
                try (Forwarder forwarder = new Forwarder(pipeOut, id)) {
                    current = forwarder;
                    serve(client, forwarder);
                }
                if (served >= MAX_CLIENTS_PER_HANDLER) return;
                event(events, id, FREE);
            }
        }
    }

    /**
     * Closes this process's copy of the listening socket (the others keep theirs), which ends
     * its accept(), once it has waited long enough while the server has spares to spare. A
     * client that accept() returned at that moment is still served.
     */
    private static void retireWhenIdle(ServerSocketChannel listener, StatusBoard board, int spares) {
        long limit = TimeUnit.MILLISECONDS.toNanos(RETIRE_AFTER_MILLIS);
        while (true) {
            try {
                Thread.sleep(RETIRE_AFTER_MILLIS / 5);
            } catch (InterruptedException e) {
                return;
            }
            long since = idleSince;
            if (since != 0 && System.nanoTime() - since > limit && board.get(StatusBoard.SPARES) > spares) {
                try {
                    listener.close();
                } catch (IOException ignored) {
                    // Closed already.
                }
                return;
            }
        }
    }

    private static void event(FileOutputStream events, int id, int event) throws IOException {
        ByteBuffer record = ByteBuffer.allocate(8).putInt(id).putInt(event).flip();
        events.getChannel().write(record); // 8 bytes: one atomic write(2)
    }

    /**
     * read(2) from the client, write(2) the echo back, hand the bytes to the forwarder; until
     * EOF. The socket is used through its descriptor as a plain file, which costs the JVM less
     * per call than the channel does.
     */
    static void serve(SocketChannel client, Forwarder forwarder) throws IOException {
        // Reads are bounded by the buffer (a widely copied transcription of the book's server
        // reads BUFSIZ bytes into its 30-byte array).
        byte[] buf = new byte[Frames.MAX_PAYLOAD];
        try {
            client.setOption(StandardSocketOptions.TCP_NODELAY, true); // an echo goes out at once, not after the next ACK
            java.io.FileDescriptor fd = Inherited.descriptor(EchoServerMain.fdOf(client));
            FileInputStream in = new FileInputStream(fd);
            FileOutputStream out = new FileOutputStream(fd);
            boolean echoing = true;
            int n;
            // One call per round, so the warm-up compiles exactly the code a client runs.
            while ((n = echoOnce(in, out, buf, echoing, forwarder)) != 0) echoing = n > 0;
        } finally {
            forwarder.end();
            client.close(); // one close(2); the streams share the channel's descriptor and are not closed apart
        }
    }

    /**
     * One read(2), its echo and its frame. Returns 0 at end of file or reset, else the bytes
     * read, negated once the echo failed (EPIPE: nobody reads the echo any more, but the bytes
     * still get stored).
     */
    private static int echoOnce(FileInputStream in, FileOutputStream out, byte[] buf, boolean echoing, Forwarder forwarder)
            throws IOException {
        int n;
        try {
            n = in.read(buf, 0, buf.length);
        } catch (IOException reset) {
            return 0; // ECONNRESET: the client is gone; what it sent before is stored.
        }
        if (n < 0) return 0;
        if (echoing) {
            try {
                out.write(buf, 0, n);
            } catch (IOException brokenPipe) {
                echoing = false;
            }
        }
        forwarder.forward(buf, n);
        return echoing ? n : -n;
    }

    /** Runs the echo loop over a loopback connection to itself, frames going to /dev/null. */
    private static void warmUp() {
        try (ServerSocketChannel l = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             SocketChannel near = SocketChannel.open(l.getLocalAddress());
             SocketChannel far = l.accept();
             FileOutputStream devNull = new FileOutputStream("/dev/null");
             Forwarder forwarder = new Forwarder(devNull, 0)) {
            Thread client = new Thread(() -> {
                ByteBuffer msg = ByteBuffer.allocateDirect(32);
                try {
                    for (int i = 0; i < WARM_UP_ROUNDS; i++) {
                        msg.clear();
                        while (msg.hasRemaining()) near.write(msg);
                        msg.clear();
                        while (msg.hasRemaining()) if (near.read(msg) < 0) return;
                    }
                    near.shutdownOutput();
                } catch (IOException ignored) {
                    // Warm-up only: a failure costs speed, not correctness.
                }
            }, "echo-warm-up");
            client.start();
            serve(far, forwarder);
            client.join();
        } catch (IOException | InterruptedException e) {
            // Warm-up only.
        }
    }
}
