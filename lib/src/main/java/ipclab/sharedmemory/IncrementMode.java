package ipclab.sharedmemory;

import java.io.IOException;

/** How a process increments the shared count: the race, and its two fixes. */
public enum IncrementMode {
    /** A load, then a store: not atomic. */
    RACY,
    /** One atomic {@code getAndAdd} on the mapped memory. */
    ATOMIC,
    /** The load and the store under an {@code fcntl(2)} record lock. */
    LOCKED;

    void increment(SharedCounter counter) throws IOException {
        switch (this) {
            case RACY -> counter.racyIncrement();
            case ATOMIC -> counter.atomicIncrement();
            case LOCKED -> counter.lockedIncrement();
        }
    }

    String label() {
        return name().toLowerCase();
    }
}
