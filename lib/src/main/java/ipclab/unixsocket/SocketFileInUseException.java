package ipclab.unixsocket;

import java.io.IOException;

/** bind(2) found a socket file where a server still answers: it is left alone. */
public final class SocketFileInUseException extends IOException {
    private static final long serialVersionUID = 1L;

    SocketFileInUseException(String message) {
        super(message);
    }
}
