package ipclab.child;

import java.io.IOException;
import java.util.Arrays;

import ipclab.pipe.Fd;

/**
 * A child program for the PIPE_BUF experiment: {@code WriteRecords FD LETTER SIZE COUNT} makes
 * COUNT write(2) calls of SIZE copies of LETTER each to the inherited descriptor FD.
 */
public final class WriteRecords {
    private WriteRecords() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: WriteRecords FD LETTER SIZE COUNT");
            System.exit(2);
        }
        byte[] record = new byte[Integer.parseInt(args[2])];
        Arrays.fill(record, (byte) args[1].charAt(0));
        try (Fd fd = Fd.of(Integer.parseInt(args[0]))) {
            for (int i = Integer.parseInt(args[3]); i > 0; i--) fd.write(record); // one write(2) each
        }
    }
}
