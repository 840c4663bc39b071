package ipclab.client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The terminal client, {@code echo-client [--host 127.0.0.1] [--port 9190]}. Chapter 10's
 * client splits reading and writing over two processes with fork(); this one splits them over
 * two threads. One thread reads lines from stdin and writes them to the socket; the other reads
 * the echoes and prints them, so neither waits for the other. On
 * {@code q} or end of input it half-closes the connection (shutdown(SHUT_WR)), prints the
 * echoes still on their way, and exits.
 */
public final class EchoClientMain {
    static final String USAGE = "echo-client [--host 127.0.0.1] [--port 9190]";

    private EchoClientMain() {}

    public static void main(String[] args) {
        String host = "127.0.0.1";
        int port = 9190;
        try {
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                String value = null;
                int eq = arg.indexOf('=');
                if (arg.startsWith("--") && eq > 0) {
                    value = arg.substring(eq + 1);
                    arg = arg.substring(0, eq);
                } else if (i + 1 < args.length) {
                    value = args[++i];
                }
                switch (arg) {
                    case "--host" -> host = required(arg, value);
                    case "--port" -> port = port(required(arg, value));
                    default -> throw new IllegalArgumentException("unknown option '" + arg + "' (usage: " + USAGE + ")");
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println("echo-client: " + e.getMessage());
            System.exit(2);
        }
        try {
            System.exit(run(host, port, System.in, System.out));
        } catch (IOException e) {
            System.err.println("echo-client: " + e.getMessage());
            System.exit(1);
        }
    }

    private static String required(String option, String value) {
        if (value == null || value.isBlank()) throw new IllegalArgumentException(option + " needs a value");
        return value;
    }

    private static int port(String value) {
        try {
            int p = Integer.parseInt(value.strip());
            if (p < 1 || p > 65535) throw new NumberFormatException();
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--port needs a number from 1 to 65535, not '" + value + "'");
        }
    }

    /**
     * Runs the split client on {@code stdin}/{@code stdout}; returns the exit code. Also what an
     * interactive notebook cell calls with {@code System.in}.
     */
    public static int run(String host, int port, InputStream stdin, PrintStream stdout) throws IOException {
        try (Socket socket = new Socket()) {
            try {
                socket.connect(new InetSocketAddress(host, port), 10_000);
            } catch (IOException e) {
                throw new IOException("cannot connect to " + host + ":" + port + ": " + e.getMessage());
            }
            socket.setTcpNoDelay(true);
            InputStream fromServer = socket.getInputStream();
            Thread reader = new Thread(() -> {
                // The reading half: print every echo until the server closes its side.
                byte[] buf = new byte[4096];
                try {
                    for (int n; (n = fromServer.read(buf)) > 0; ) {
                        stdout.write(buf, 0, n);
                        stdout.flush();
                    }
                } catch (IOException e) {
                    stdout.println("echo-client: " + e.getMessage());
                }
            }, "echo-client-reader");
            reader.start();
            // The writing half: stdin to the socket, line by line.
            OutputStream toServer = socket.getOutputStream();
            BufferedReader lines = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8));
            for (String line; (line = lines.readLine()) != null; ) {
                if (line.equals("q") || line.equals("Q")) break;
                toServer.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                toServer.flush();
            }
            socket.shutdownOutput(); // EOF to the server; its echoes still arrive
            try {
                reader.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 0;
        }
    }
}
