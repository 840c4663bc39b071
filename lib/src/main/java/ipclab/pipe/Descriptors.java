package ipclab.pipe;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The pipe ends (and socket pair ends) this process opened and has not closed: what a {@code fork()} would copy into
 * a child. The JVM's own descriptors (jar files, JJava's sockets to Jupyter) are not listed: a child
 * must not hold them.
 */
public final class Descriptors {
    private static final Set<Fd> OPEN = new LinkedHashSet<>();

    private Descriptors() {}

    /**
     * Lists a descriptor among those a child started with {@code inheritOpenPipes()} (every
     * {@code %%fork} child) keeps, as a pipe's ends are; {@link Fd#close()} takes it off again.
     * For other packages' descriptors that children inherit like pipe ends (a socket pair's).
     */
    public static synchronized void remember(Fd fd) {
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
