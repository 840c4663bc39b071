package ipclab.benchmark;

import java.util.Locale;

/** The six ways two processes on one machine can exchange bytes that the benchmark compares. */
public enum Mechanism {
    /** Two pipes, one each way: pipe(2) twice. */
    PIPE("pipe", "pipe"),
    /** Two FIFOs, one each way, opened by path: mkfifo(3), open(2). */
    FIFO("fifo", "FIFO"),
    /** One pair of connected Unix domain sockets: socketpair(AF_UNIX, SOCK_STREAM, 0, sv). */
    SOCKETPAIR("socketpair", "socketpair"),
    /** A Unix domain socket at a path: bind(2), listen(2), accept(2) and connect(2). */
    UDS("uds", "Unix socket"),
    /** TCP on the loopback interface 127.0.0.1, with TCP_NODELAY. */
    TCP("tcp", "TCP"),
    /** A mapped file in /dev/shm: mmap(2) MAP_SHARED, flags raised with release stores, waited for by spinning. */
    SHM("shm", "shared memory");

    private final String label;
    private final String title;

    Mechanism(String label, String title) {
        this.label = label;
        this.title = title;
    }

    /** The short name on the benchmark's lines and the C peer's command line: {@code pipe}, {@code uds}, {@code shm}. */
    public String label() {
        return label;
    }

    /** The name on a chart: {@code Unix socket}, {@code shared memory}. */
    public String title() {
        return title;
    }

    /** The mechanism with this label (or enum name), case-insensitive. */
    public static Mechanism of(String name) {
        for (Mechanism m : values()) {
            if (m.label.equalsIgnoreCase(name) || m.name().equalsIgnoreCase(name)) return m;
        }
        throw new IllegalArgumentException("no mechanism '" + name + "': pipe, fifo, socketpair, uds, tcp or shm");
    }

    @Override
    public String toString() {
        return label.toLowerCase(Locale.ROOT);
    }
}
