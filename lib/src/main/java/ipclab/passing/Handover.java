package ipclab.passing;

import java.io.IOException;
import java.net.SocketTimeoutException;

import ipclab.client.EchoClient;
import ipclab.pipe.Fd;

/**
 * The parent's side of notebook 14's exercise, in one call: what the notebook's demo cell does
 * step by step. A client connects, the parent accepts, sends the accepted socket to the worker,
 * closes its own copy, and from then on only watches the client: whatever the client gets back
 * can have come from the worker alone.
 */
public final class Handover {
    private Handover() {}

    /**
     * socket(), bind(127.0.0.1, port 0), listen(); a client's connect(); accept(); sendmsg()
     * of the accepted socket over {@code toWorker}; close() of the parent's copy; then the client
     * sends {@code line} and a newline. Returns the line the client got back, or a sentence in
     * brackets saying why none came (each wait bounded, 10 s).
     */
    public static String acceptSendAndAsk(Fd toWorker, String line) throws IOException {
        try (TcpListener listener = TcpListener.open();
             EchoClient client = EchoClient.connect(listener.port());
             Fd conn = listener.accept()) {
            ScmRights.sendmsg(toWorker, conn);
            conn.close();
            client.send(line + "\n");
            try {
                return client.receiveLine();
            } catch (SocketTimeoutException e) {
                return "(no answer in 10 s)";
            } catch (IOException e) {
                return "(the connection closed without an answer)";
            }
        }
    }
}
