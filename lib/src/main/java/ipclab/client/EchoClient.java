package ipclab.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A client of the echo server, for cells and tests: it needs no typed input. Every read waits
 * at most {@link #timeout()} (10 s unless set), so a server that never answers raises an
 * exception instead of hanging the notebook.
 *
 * <pre>
 *   try (EchoClient c = EchoClient.connect("127.0.0.1", port)) {
 *       c.echo("hello");                    // "hello"
 *   }
 * </pre>
 */
public final class EchoClient implements AutoCloseable {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private Duration timeout = DEFAULT_TIMEOUT;

    private EchoClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** socket(2) and connect(2) to the server, waiting at most 10 s. */
    public static EchoClient connect(String host, int port) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, port), (int) DEFAULT_TIMEOUT.toMillis());
            s.setSoTimeout((int) DEFAULT_TIMEOUT.toMillis());
            return new EchoClient(s);
        } catch (IOException e) {
            s.close();
            throw new IOException("cannot connect to " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /** Connects to 127.0.0.1. */
    public static EchoClient connect(int port) throws IOException {
        return connect("127.0.0.1", port);
    }

    public Duration timeout() {
        return timeout;
    }

    /** How long a read waits for the server before throwing {@link SocketTimeoutException}. */
    public EchoClient timeout(Duration timeout) throws IOException {
        if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be positive: " + timeout);
        this.timeout = timeout;
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        return this;
    }

    /** Sends one line (a newline is added) and returns its echo, without the newline. */
    public String echo(String line) throws IOException {
        if (line.indexOf('\n') >= 0) throw new IllegalArgumentException("one line at a time: the text holds a newline");
        byte[] sent = (line + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] got = echo(sent);
        return new String(got, 0, got.length - 1, StandardCharsets.UTF_8);
    }

    /** Sends each line and returns the echoes, in order. */
    public List<String> echoAll(List<String> lines) throws IOException {
        List<String> echoes = new ArrayList<>();
        for (String line : lines) echoes.add(echo(line));
        return echoes;
    }

    /**
     * Sends these exact bytes and returns as many bytes of echo: binary data comes back as it
     * went. A long message is sent by a second thread while this one reads the echo: the
     * server echoes as it reads, and if nobody read the echo, both sides' socket buffers would
     * fill and both would wait for ever.
     */
    public byte[] echo(byte[] bytes) throws IOException {
        if (bytes.length <= 16 * 1024) {
            send(bytes);
            return receive(bytes.length);
        }
        IOException[] failed = new IOException[1];
        Thread writer = new Thread(() -> {
            try {
                send(bytes);
            } catch (IOException e) {
                failed[0] = e;
            }
        }, "echo-client-writer");
        writer.start();
        try {
            byte[] echo = receive(bytes.length);
            writer.join();
            if (failed[0] != null) throw failed[0];
            return echo;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for the echo");
        } finally {
            if (writer.isAlive()) socket.close(); // a failed read: stop the writer too
        }
    }

    /** write(2) every byte. */
    public void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** write(2) a string's UTF-8 bytes, as they are (no newline added). */
    public void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.UTF_8));
    }

    /** read(2) until exactly {@code n} bytes arrived; throws if the server closes first or stays silent. */
    public byte[] receive(int n) throws IOException {
        byte[] buf = new byte[n];
        int got = 0;
        while (got < n) {
            int r = in.read(buf, got, n - got);
            if (r < 0) throw new IOException("the server closed the connection after " + got + " of " + n + " bytes");
            got += r;
        }
        return buf;
    }

    /** read(2) up to and including the next newline; returns the line without it. */
    public String receiveLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (line.size() == 0) throw new IOException("the server closed the connection");
                break;
            }
            if (b == '\n') break;
            line.write(b);
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    /** shutdown(SHUT_WR): tells the server "no more data" while the echoes still come back. */
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /**
     * Drops the connection with a TCP reset (SO_LINGER 0, then close(2)), as a crashed client
     * would: the server's next read fails with ECONNRESET.
     */
    public void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    /** The local port, which tells this client's connection apart on the server. */
    public int localPort() {
        return socket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    @Override
    public String toString() {
        return "echo client " + socket.getLocalSocketAddress() + " -> " + socket.getRemoteSocketAddress();
    }
}
