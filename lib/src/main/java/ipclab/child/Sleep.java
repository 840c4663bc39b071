package ipclab.child;

/** A child program that just waits: {@code Sleep MILLIS}. Something to stop, or to see in a tree. */
public final class Sleep {
    private Sleep() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 1) {
            System.err.println("usage: Sleep MILLIS");
            System.exit(2);
        }
        Thread.sleep(Long.parseLong(args[0]));
    }
}
