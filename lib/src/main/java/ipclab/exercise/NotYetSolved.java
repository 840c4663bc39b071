package ipclab.exercise;

/**
 * An exercise's check failed. It carries one hint and no stack trace: the learner needs the
 * hint, not the checker's call chain.
 */
public final class NotYetSolved extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotYetSolved(String hint) {
        super(hint, null, false, false);
    }
}
