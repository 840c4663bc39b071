package ipclab.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A client that watches a server instead of trusting it: it says how many bytes came back and
 * how the wait ended (all of them, the server closed the connection, or silence for a given
 * time), where {@link EchoClient} would throw. For servers with bugs, such as the book's.
 */
public final class ProbeClient implements AutoCloseable {
    private static final Duration CONNECT_LIMIT = Duration.ofSeconds(10);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    /** How a wait for bytes ended. */
    public enum Ending {
        /** Every byte asked for came. */
        ALL,
        /** The server closed its side: read(2) returned 0. */
        CLOSED,
        /** No byte came for the whole silence the caller allowed. */
        SILENT
    }

    /** What came back, and how the wait ended. */
    public record Received(byte[] bytes, Ending ending) {
        public int count() {
            return bytes.length;
        }

        public String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return bytes.length + " bytes, then " + switch (ending) {
                case ALL -> "nothing more was expected";
                case CLOSED -> "the server closed the connection";
                case SILENT -> "silence";
            };
        }
    }

    private ProbeClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** socket(2) and connect(2), waiting at most 10 s; throws {@link java.net.ConnectException} when refused. */
    public static ProbeClient connect(String host, int port) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, port), (int) CONNECT_LIMIT.toMillis());
            return new ProbeClient(s);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** write(2) every byte. A server that stops reading can make this block: see {@link #exchange}. */
    public void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** write(2) a string's UTF-8 bytes, as they are. */
    public void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * read(2) until {@code expected} bytes came, the server closed the connection, or no byte
     * came for {@code silence}.
     */
    public Received receive(int expected, Duration silence) throws IOException {
        byte[] buf = new byte[expected];
        int got = 0;
        Ending ending = Ending.ALL;
        socket.setSoTimeout((int) Math.max(1, silence.toMillis()));
        try {
            while (got < expected) {
                int r = in.read(buf, got, expected - got);
                if (r < 0) {
                    ending = Ending.CLOSED;
                    break;
                }
                got += r;
            }
        } catch (SocketTimeoutException e) {
            ending = Ending.SILENT;
        }
        return new Received(Arrays.copyOf(buf, got), ending);
    }

    /**
     * Sends {@code bytes} from a second thread while this one reads the echo, as
     * {@link #receive} does. A server that stops reading would block a plain {@link #send}
     * for ever once the socket buffers are full; here, if the writer is still blocked when the
     * reading ends, the connection is closed, which ends the write.
     */
    public Received exchange(byte[] bytes, Duration silence) throws IOException {
        IOException[] failed = new IOException[1];
        Thread writer = new Thread(() -> {
            try {
                send(bytes);
            } catch (IOException e) {
                failed[0] = e;
            }
        }, "probe-client-writer");
        writer.setDaemon(true);
        writer.start();
        Received r = receive(bytes.length, silence);
        try {
            writer.join(r.ending() == Ending.ALL ? silence.toMillis() : 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            socket.close();
            throw new InterruptedIOException("interrupted while sending");
        }
        if (writer.isAlive()) socket.close();
        else if (failed[0] != null && r.ending() == Ending.ALL) throw failed[0];
        return r;
    }

    /**
     * One connection per message, all connected first, then all sending at once, each from its
     * own thread while it reads its echo ({@link #exchange}). Returns what each got back, in
     * the order of {@code messages}.
     */
    public static List<Received> exchangeTogether(String host, int port, List<byte[]> messages, Duration silence) throws IOException {
        List<ProbeClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < messages.size(); i++) clients.add(connect(host, port));
            List<Thread> threads = new ArrayList<>();
            Object[] results = new Object[messages.size()];
            for (int i = 0; i < messages.size(); i++) {
                int k = i;
                Thread t = new Thread(() -> {
                    try {
                        results[k] = clients.get(k).exchange(messages.get(k), silence);
                    } catch (IOException e) {
                        results[k] = e;
                    }
                }, "probe-client-" + i);
                t.setDaemon(true);
                threads.add(t);
            }
            for (Thread t : threads) t.start();
            List<Received> received = new ArrayList<>();
            for (int i = 0; i < threads.size(); i++) {
                try {
                    threads.get(i).join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while the clients were sending");
                }
                if (results[i] instanceof IOException e) throw e;
                received.add((Received) results[i]);
            }
            return received;
        } finally {
            for (ProbeClient c : clients) c.close();
        }
    }

    /** shutdown(SHUT_WR): "no more data from me"; the server's read(2) then returns 0. */
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /**
     * Reads and drops whatever still comes, until the server closes the connection (true) or
     * {@code limit} passes without that (false).
     */
    public boolean awaitClose(Duration limit) throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        byte[] buf = new byte[4096];
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) return false;
            socket.setSoTimeout((int) Math.max(1, left));
            try {
                if (in.read(buf) < 0) return true;
            } catch (SocketTimeoutException e) {
                return false;
            }
        }
    }

    /** The local port, which tells this client's connection apart on the server. */
    public int localPort() {
        return socket.getLocalPort();
    }

    public boolean isClosed() {
        return socket.isClosed();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    @Override
    public String toString() {
        return "probe client " + socket.getLocalSocketAddress() + " -> " + socket.getRemoteSocketAddress();
    }
}
