import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import ipclab.pipe.Fd;

/**
 * The pipe bench's child, a lean JVM: {@code DrainChild DATA_FD BACK_FD WARM} reads WARM
 * bytes (untimed, so its loop gets compiled), says it is ready on BACK_FD, reads DATA_FD to end
 * of file in 64 KiB reads with Fd.read(ByteBuffer), then writes the count of bytes read after
 * the first WARM (8 bytes, little-endian) on BACK_FD.
 */
public final class DrainChild {
    public static void main(String[] args) throws Exception {
        try (Fd data = Fd.of(Integer.parseInt(args[0])); Fd back = Fd.of(Integer.parseInt(args[1]))) {
            ByteBuffer buf = ByteBuffer.allocateDirect(PipesBench.CHUNK);
            for (long left = Long.parseLong(args[2]); left > 0; buf.clear()) {
                if (left < buf.capacity()) buf.limit((int) left);
                int n = data.read(buf);
                if (n < 0) throw new java.io.EOFException("pipe closed during warm-up");
                left -= n;
            }
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
