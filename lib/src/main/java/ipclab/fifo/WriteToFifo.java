package ipclab.fifo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A tiny child program: {@code WriteToFifo PATH LINE...} opens the FIFO at PATH by its name,
 * writes each LINE (with a newline) and exits. It inherits no descriptor for the FIFO: the path
 * is all it knows. It loads nothing but the JDK.
 */
public final class WriteToFifo {
    private WriteToFifo() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: WriteToFifo PATH LINE...");
            System.exit(2);
        }
        // open(path, O_WRONLY): waits here until some process opens the FIFO for reading.
        try (FileChannel fifo = FileChannel.open(Path.of(args[0]), StandardOpenOption.WRITE)) {
            for (int i = 1; i < args.length; i++) {
                ByteBuffer line = ByteBuffer.wrap((args[i] + "\n").getBytes(StandardCharsets.UTF_8));
                while (line.hasRemaining()) fifo.write(line);   // write(2)
            }
        } // close(2): with the last writer gone, the reader sees end of file
    }
}
