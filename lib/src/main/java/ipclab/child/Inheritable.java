package ipclab.child;

/**
 * What a child inherits across {@code %%fork}: descriptors (a pipe, a socket pair, one
 * descriptor) or a mapping. The cell magic asks it whether there is anything left to fork with,
 * so that a cell run after the clean-up says which cell to run again instead of failing.
 */
public interface Inheritable {
    /** Every descriptor or mapping this holds is closed in this process. */
    boolean isClosed();

    /**
     * Some, not all, of its ends are closed here: a fork has used it already, and each process
     * closed the end it does not use. Only values with two ends that a fork splits answer yes.
     */
    default boolean hasEndClosed() {
        return false;
    }
}
