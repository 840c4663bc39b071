package ipclab.benchmark;

/** Message sizes as people write them: 32 B, 1 KiB, 64 KiB. */
final class Sizes {
    private Sizes() {}

    static String label(int bytes) {
        if (bytes >= 1024 && bytes % 1024 == 0) return bytes / 1024 + " KiB";
        return bytes + " B";
    }
}
