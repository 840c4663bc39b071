package ipclab.child;

/** A child did not exit in time and was killed. */
public final class ChildTimeoutException extends ChildFailedException {
    private static final long serialVersionUID = 1L;

    ChildTimeoutException(String message) {
        super(message);
    }
}
