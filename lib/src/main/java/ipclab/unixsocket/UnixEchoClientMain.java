package ipclab.unixsocket;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A one-shot echo client, {@code UnixEchoClientMain PATH LINE}: connect(2) to the socket file,
 * send the line, print the echo, or print the refusal as one line. It prints who it runs as
 * first ({@code as nobody: ...}).
 *
 * <p>{@link OtherUser} runs it as another user, from a copy of this one class file: that user
 * may not be able to read the course's jar. So it uses the JDK alone and no other class of the
 * library, and it sets no time limit of its own: its parent kills it after a bound.
 */
public final class UnixEchoClientMain {
    private UnixEchoClientMain() {}

    public static void main(String[] args) {
        String who = "as " + System.getProperty("user.name") + ": ";
        if (args.length != 2) {
            System.out.println("usage: UnixEchoClientMain PATH LINE");
            System.exit(2);
        }
        Path path = Path.of(args[0]);
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {    // socket(AF_UNIX, SOCK_STREAM, 0)
            try {
                ch.connect(UnixDomainSocketAddress.of(path));                           // connect(2)
            } catch (IOException e) {
                System.out.println(who + "connect(" + path + "): " + withErrno(e.getMessage()));
                System.exit(1);
            }
            ch.write(ByteBuffer.wrap((args[1] + "\n").getBytes(StandardCharsets.UTF_8)));   // write(2)
            ByteBuffer in = ByteBuffer.allocate(4096);
            StringBuilder reply = new StringBuilder();
            while (reply.indexOf("\n") < 0 && ch.read(in) > 0) {                         // read(2)
                in.flip();
                reply.append(StandardCharsets.UTF_8.decode(in));
                in.clear();
            }
            int nl = reply.indexOf("\n");
            System.out.println(who + "connected, echo \"" + (nl < 0 ? reply : reply.substring(0, nl)) + "\"");
        } catch (IOException e) {
            System.out.println(who + e.getMessage());
            System.exit(1);
        }
    }

    private static String withErrno(String message) {
        if ("Permission denied".equals(message)) return message + " (EACCES)";
        if ("Connection refused".equals(message)) return message + " (ECONNREFUSED)";
        if ("No such file or directory".equals(message)) return message + " (ENOENT)";
        return message;
    }
}
