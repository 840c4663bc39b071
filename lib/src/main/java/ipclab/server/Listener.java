package ipclab.server;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import ipclab.language.Messages;
import ipclab.posix.Posix;

/**
 * The server's listening role: socket(2), bind(2), listen(2) on the asked address, and the check
 * that the store file can be written, each failing with one line that says why. The listening
 * socket is what every handler inherits as its descriptor 0 (see {@link HandlerPool}).
 */
final class Listener {
    /** How many connections the OS kernel queues for the handlers' accept(). */
    static final int BACKLOG = 1024;

    private Listener() {}

    /** socket(2), bind(2), listen(2). */
    static ServerSocketChannel listen(String host, int port) throws EchoServerMain.StartException {
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) throw new EchoServerMain.StartException(Messages.text("server.cannot-listen-host", host));
        ServerSocketChannel ch = null;
        try {
            ch = ServerSocketChannel.open();
            ch.bind(address, BACKLOG);
            return ch;
        } catch (BindException e) {
            EchoServerMain.close(ch);
            String why = e.getMessage() != null && e.getMessage().contains("in use") ? Messages.text("server.address-in-use") : lower(e.getMessage());
            throw new EchoServerMain.StartException(Messages.text("server.cannot-listen", host, port, why));
        } catch (IOException e) {
            EchoServerMain.close(ch);
            throw new EchoServerMain.StartException(Messages.text("server.cannot-listen", host, port, lower(e.getMessage())));
        }
    }

    /** Opens the store file for appending once, so that the storing process will be able to. */
    static void checkWritable(Path store) throws EchoServerMain.StartException {
        try (FileChannel ignored = FileChannel.open(store, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            // Opened for appending: the storing process will be able to write it.
        } catch (AccessDeniedException e) {
            throw new EchoServerMain.StartException("cannot write the store file " + store + ": permission denied");
        } catch (NoSuchFileException e) {
            throw new EchoServerMain.StartException("cannot write the store file " + store + ": no such folder");
        } catch (FileSystemException e) {
            throw new EchoServerMain.StartException("cannot write the store file " + store + ": "
                    + (e.getReason() != null ? e.getReason().toLowerCase() : e.getMessage()));
        } catch (IOException e) {
            throw new EchoServerMain.StartException("cannot write the store file " + store + ": " + e.getMessage());
        }
    }

    /**
     * How many connections wait in the listen queue of the socket listening on {@code port}:
     * connected (the OS kernel has completed the handshake) but not yet taken by accept(). Linux
     * shows it in /proc/net/tcp (and tcp6) as the receive queue of a socket in state 0A
     * (LISTEN). -1 if the files cannot be read (another system).
     */
    /**
     * poll(2) on the listening socket, with no wait: true while a connection waits in its accept
     * queue, and when poll fails (assume one waits).
     */
    static boolean clientWaits(int listenerFd) {
        try {
            return (Posix.poll(listenerFd, Posix.POLLIN, 0) & Posix.POLLIN) != 0;
        } catch (IOException e) {
            return true;
        }
    }

    static int waitingClients(int port) {
        String local = String.format(":%04X ", port);
        int waiting = 0;
        boolean read = false;
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            try (java.io.BufferedReader in = java.nio.file.Files.newBufferedReader(Path.of(table))) {
                read = true;
                in.readLine(); // the header
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    // "  sl  local_address rem_address   st tx_queue:rx_queue ...", fields split by spaces
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 4 && f[3].equals("0A") && (f[1] + " ").endsWith(local)) {
                        waiting += Integer.parseInt(f[4].substring(f[4].indexOf(':') + 1), 16);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // No such table (no IPv6, say): the other one counts.
            }
        }
        return read ? waiting : -1;
    }

    private static String lower(String s) {
        if (s == null) return "failed";
        int paren = s.indexOf(" (");
        s = paren > 0 ? s.substring(0, paren) : s;
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}
