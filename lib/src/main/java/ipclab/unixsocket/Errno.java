package ipclab.unixsocket;

import java.io.IOException;
import java.util.Map;

/**
 * The JDK reports a failed socket call as an IOException whose message is strerror(errno)
 * ("Permission denied"); this puts the call and the errno's name beside it, the way the course
 * prints every failed system call: {@code connect(/tmp/.../echo.sock): Permission denied (EACCES)}.
 */
final class Errno {
    private static final Map<String, String> NAMES = Map.of(
            "Permission denied", "EACCES",
            "Connection refused", "ECONNREFUSED",
            "No such file or directory", "ENOENT",
            "Address already in use", "EADDRINUSE",
            "Resource temporarily unavailable", "EAGAIN",
            "Connection reset by peer", "ECONNRESET",
            "Broken pipe", "EPIPE");

    private Errno() {}

    static String describe(String call, IOException e) {
        String m = String.valueOf(e.getMessage());
        for (Map.Entry<String, String> n : NAMES.entrySet()) {
            if (m.contains(n.getKey())) return call + ": " + n.getKey() + " (" + n.getValue() + ")";
        }
        return call + ": " + m;
    }

    static IOException wrap(String call, IOException e) {
        return new IOException(describe(call, e), e);
    }
}
