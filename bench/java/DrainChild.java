import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import ipclab.pipe.Fd;

/**
 * The pipe bench's child, a lean JVM: {@code DrainChild DATA_FD BACK_FD WARM TOTAL PASSES}
 * reads WARM bytes (untimed, so its loop gets compiled) and says it is ready on BACK_FD; then,
 * PASSES times, reads TOTAL bytes from DATA_FD in 64 KiB reads with Fd.read(ByteBuffer) and
 * writes the count it read (8 bytes, little-endian) on BACK_FD.
 */
public final class DrainChild {
    public static void main(String[] args) throws Exception {
        long warm = Long.parseLong(args[2]);
        long total = Long.parseLong(args[3]);
        int passes = Integer.parseInt(args[4]);
        try (Fd data = Fd.of(Integer.parseInt(args[0])); Fd back = Fd.of(Integer.parseInt(args[1]))) {
            ByteBuffer buf = ByteBuffer.allocateDirect(PipesBench.CHUNK);
            if (drain(data, buf, warm) != warm) throw new EOFException("pipe closed during warm-up");
            back.write(new byte[] {'r'});
            ByteBuffer count = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < passes; i++) {
                count.clear();
                count.putLong(drain(data, buf, total));
                back.write(count.array());
            }
        }
    }

    /** Reads exactly n bytes (fewer only at end of file); returns how many arrived. */
    private static long drain(Fd data, ByteBuffer buf, long n) throws Exception {
        long got = 0;
        while (got < n) {
            buf.clear();
            if (n - got < buf.capacity()) buf.limit((int) (n - got));
            int r = data.read(buf);
            if (r < 0) break;
            got += r;
        }
        return got;
    }
}
