package ipclab.pipe;

/**
 * What came out of a pipe that several writers shared, each writing records of one letter:
 * were the records delivered whole, or torn apart by another writer's bytes?
 */
public final class Interleaving {
    private Interleaving() {}

    /**
     * Counts the places where a record of {@code recordSize} bytes was cut by another writer:
     * every run of one letter whose length is not a whole number of records.
     */
    public static int tornRecords(byte[] data, int recordSize) {
        int torn = 0;
        int run = 0;
        for (int i = 0; i < data.length; i++) {
            run++;
            if (i + 1 == data.length || data[i + 1] != data[i]) {
                if (run % recordSize != 0) torn++;
                run = 0;
            }
        }
        return torn;
    }

    /** "200 writes of 4096 bytes: 0 torn". */
    public static String describe(byte[] data, int recordSize) {
        return String.format("%,d bytes in writes of %,d bytes: %d torn", data.length, recordSize, tornRecords(data, recordSize));
    }
}
