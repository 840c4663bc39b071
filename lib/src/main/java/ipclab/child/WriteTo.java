package ipclab.child;

import java.io.IOException;

import ipclab.pipe.Fd;

/**
 * A tiny child program: {@code WriteTo FD TEXT} writes TEXT to the inherited descriptor FD and
 * exits. It is pipe1's child, and it loads nothing but the JDK.
 */
public final class WriteTo {
    private WriteTo() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: WriteTo FD TEXT");
            System.exit(2);
        }
        try (Fd fd = Fd.of(Integer.parseInt(args[0]))) {
            fd.write(args[1]);
        }
    }
}
