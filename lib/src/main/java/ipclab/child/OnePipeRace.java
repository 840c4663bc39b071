package ipclab.child;

import java.io.IOException;
import java.time.Duration;

import ipclab.pipe.Pipe;
import ipclab.pipe.PipeTimeoutException;

/**
 * The book's pipe2.c, run as an experiment: parent and child talk both ways over ONE pipe.
 * The child writes a question, optionally sleeps, then reads; the parent reads, then answers.
 * Without the sleep, the child usually reads its own question back and the parent waits in
 * vain; here the parent's wait is bounded, so a trial always ends.
 */
public final class OnePipeRace {
    /** The parent read the question and the child read the answer. */
    public static final String WORKED = "exchange worked";
    /** The child took its own question back; the parent's read found nothing. */
    public static final String CHILD_READ_ITS_OWN = "child read its own message, parent waited in vain";

    private OnePipeRace() {}

    /** One run of pipe2 with the child sleeping {@code childSleep} between its write and read. */
    public static String trial(Duration childSleep) throws IOException {
        try (Pipe pipe = Pipe.open();
             ChildProcess child = ChildProcess.builder()
                     .main(Child.class, "" + pipe.readEnd().number(), "" + pipe.writeEnd().number(), "" + childSleep.toMillis())
                     .inherit(pipe.readEnd(), pipe.writeEnd())
                     .showOutput(false)
                     .start()) {
            // Wait for the question in short slices: if the child exits meanwhile, it has read
            // its own question back, and the verdict needs no long timeout (or a guess at one).
            pipe.readEnd().timeout(Duration.ofMillis(20));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (true) {
                try {
                    String got = pipe.readEnd().readString();
                    pipe.writeEnd().write("Thank you for your message");
                    child.waitFor(Duration.ofSeconds(10)).check();
                    return got.equals("Who are you?") ? WORKED : "parent read \"" + got + "\"";
                } catch (PipeTimeoutException nothingYet) {
                    if (child.poll() != null) return CHILD_READ_ITS_OWN;
                    if (System.nanoTime() > deadline) throw new ChildTimeoutException("pipe2 trial: no answer in 10 s");
                }
            }
        }
    }

    /** pipe2.c's child: {@code Child READ_FD WRITE_FD SLEEP_MS}. */
    public static final class Child {
        private Child() {}

        public static void main(String[] args) throws Exception {
            ipclab.pipe.Fd in = ipclab.pipe.Fd.of(Integer.parseInt(args[0]));
            ipclab.pipe.Fd out = ipclab.pipe.Fd.of(Integer.parseInt(args[1]));
            out.write("Who are you?");
            Thread.sleep(Long.parseLong(args[2]));
            System.out.println("Child proc output: " + in.readString());
        }
    }
}
