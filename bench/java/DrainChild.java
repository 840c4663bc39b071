import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import ipclab.pipe.Fd;

/**
 * The pipe bench's child, a lean JVM: {@code DrainChild DATA_FD BACK_FD} says it is ready on
 * BACK_FD, reads DATA_FD to end of file in 64 KiB reads with Fd.read(ByteBuffer), then writes
 * the byte count (8 bytes, little-endian) on BACK_FD.
 */
public final class DrainChild {
    public static void main(String[] args) throws Exception {
        try (Fd data = Fd.of(Integer.parseInt(args[0])); Fd back = Fd.of(Integer.parseInt(args[1]))) {
            ByteBuffer buf = ByteBuffer.allocateDirect(PipesBench.CHUNK);
            back.write(new byte[] {'r'});
            long got = 0;
            int n;
            while ((n = data.read(buf)) >= 0) {
                got += n;
                buf.clear();
            }
            ByteBuffer count = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(got);
            back.write(count.array());
        }
    }
}
