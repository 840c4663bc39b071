package ipclab.pipe;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The pipe ends this process opened and has not closed: what a {@code fork()} would copy into
 * a child. The JVM's own descriptors (jar files, JJava's sockets to Jupyter) are not listed: a child
 * must not hold them.
 */
public final class Descriptors {
    private static final Set<Fd> OPEN = new LinkedHashSet<>();

    private Descriptors() {}

    static synchronized void remember(Fd fd) {
        OPEN.add(fd);
    }

    static synchronized void forget(Fd fd) {
        OPEN.remove(fd);
    }

    /** The open pipe ends, oldest first. */
    public static synchronized List<Fd> open() {
        return new ArrayList<>(OPEN);
    }
}
