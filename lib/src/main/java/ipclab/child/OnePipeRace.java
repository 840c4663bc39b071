package ipclab.child;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ipclab.pipe.Pipe;
import ipclab.pipe.PipeTimeoutException;

/**
 * The book's pipe2.c, run as an experiment: parent and child talk both ways over ONE pipe.
 * The child writes a question, optionally sleeps, then reads; the parent reads, then answers.
 *
 * <p>Bytes in a pipe go to whichever {@code read()} takes them first. So a trial ends in one of
 * two ways, and the scheduler decides which: the parent's read gets the question (and the
 * child's read then gets the answer), or the child's own read gets its question back (and the
 * parent's read would wait for ever; here it is bounded). A sleep before the child's read makes
 * the first more likely, never certain.
 */
public final class OnePipeRace {
    /** The parent's read got the question, and the child's read got the parent's answer. */
    public static final String WORKED = "parent got the question";
    /** The child's read took its own question back; the parent's read found nothing. */
    public static final String CHILD_READ_ITS_OWN = "child got its own question back";
    /** Every outcome a trial reports when both processes behave as pipe2.c does. */
    public static final List<String> OUTCOMES = List.of(WORKED, CHILD_READ_ITS_OWN);

    private static final String QUESTION = "Who are you?";
    private static final String ANSWER = "Thank you for your message";

    private OnePipeRace() {}

    /**
     * One run of pipe2 with the child sleeping {@code childSleep} between its write and read.
     * Returns one of {@link #OUTCOMES}, or a description of anything else that happened (which
     * would be a bug: nothing else can happen).
     */
    public static String trial(Duration childSleep) throws IOException {
        try (Pipe pipe = Pipe.open();
             ChildProcess child = ChildProcess.builder()
                     .main(Child.class, "" + pipe.readEnd().number(), "" + pipe.writeEnd().number(), "" + childSleep.toMillis())
                     .inherit(pipe.readEnd(), pipe.writeEnd())
                     .showOutput(false)
                     .start()) {
            // Wait for the question in short slices: if the child exits meanwhile, its read got
            // the question, and the verdict needs no long timeout (or a guess at one).
            pipe.readEnd().timeout(Duration.ofMillis(20));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (true) {
                try {
                    String got = pipe.readEnd().readString();
                    pipe.writeEnd().write(ANSWER);
                    child.waitFor(Duration.ofSeconds(10)).check();
                    if (!got.equals(QUESTION)) return "parent read \"" + got + "\"";
                    return childSaid(child, ANSWER) ? WORKED : "child printed " + quoted(child.output());
                } catch (PipeTimeoutException nothingYet) {
                    ExitStatus exited = child.poll();
                    if (exited != null) {
                        exited.check();
                        return childSaid(child, QUESTION) ? CHILD_READ_ITS_OWN : "child printed " + quoted(child.output());
                    }
                    if (System.nanoTime() > deadline) throw new ChildTimeoutException("pipe2 trial: no answer in 10 s");
                }
            }
        }
    }

    /**
     * {@code trials} runs of {@link #trial}: how often each outcome happened, every outcome of
     * {@link #OUTCOMES} listed (with 0 if it did not happen), anything unexpected after them.
     */
    public static Map<String, Integer> tally(Duration childSleep, int trials) throws IOException {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String outcome : OUTCOMES) counts.put(outcome, 0);
        for (int i = 0; i < trials; i++) counts.merge(trial(childSleep), 1, Integer::sum);
        return counts;
    }

    private static boolean childSaid(ChildProcess child, String read) {
        return child.output().equals("Child proc output: " + read + System.lineSeparator());
    }

    private static String quoted(String output) {
        return "\"" + output.replace("\n", "\\n") + "\"";
    }

    /** pipe2.c's child: {@code Child READ_FD WRITE_FD SLEEP_MS}. */
    public static final class Child {
        private Child() {}

        public static void main(String[] args) throws Exception {
            ipclab.pipe.Fd in = ipclab.pipe.Fd.of(Integer.parseInt(args[0]));
            ipclab.pipe.Fd out = ipclab.pipe.Fd.of(Integer.parseInt(args[1]));
            out.write(QUESTION);
            long sleep = Long.parseLong(args[2]);
            if (sleep > 0) Thread.sleep(sleep); // the book's sleep(2): a guess at timing, which is the point
            System.out.println("Child proc output: " + in.readString());
        }
    }
}
