package ipclab.child;

import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Small child programs for the tests; children find them through {@link #classes()}. */
final class TestMains {
    private TestMains() {}

    /** The folder these test classes were loaded from, for a child's class path. */
    static String classes() {
        try {
            return Paths.get(TestMains.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sleeps for the given seconds (default: a minute): a child that does not exit by itself. */
    static final class Sleep {
        public static void main(String[] args) throws InterruptedException {
            System.out.println("sleeping");
            Thread.sleep(Duration.ofSeconds(args.length > 0 ? Long.parseLong(args[0]) : 60).toMillis());
        }
    }

    /** Throws from main, as a child with a bug does. */
    static final class Throw {
        public static void main(String[] args) {
            throw new IllegalStateException("boom in the child");
        }
    }

    /** Exits with the status given. */
    static final class Exit {
        public static void main(String[] args) {
            System.out.println("leaving with " + args[0]);
            System.exit(Integer.parseInt(args[0]));
        }
    }

    /** Alternates stdout and stderr lines: "out 0", "err 0", "out 1", ... and a UTF-8 line. */
    static final class Interleave {
        public static void main(String[] args) {
            int n = Integer.parseInt(args[0]);
            for (int i = 0; i < n; i++) {
                System.out.println("out " + i);
                System.err.println("err " + i);
            }
            System.out.println("你是谁？");
        }
    }

    /**
     * The intermediate process of the orphan test: a plain JVM (started without ChildProcess)
     * that spawns {@code N} sleeping children through ChildProcess, prints their pids on one
     * line, then waits to be killed.
     */
    static final class SpawnSleepers {
        public static void main(String[] args) throws Exception {
            int n = Integer.parseInt(args[0]);
            List<String> pids = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ChildProcess child = ChildProcess.builder().classpath(classes())
                        .main(Sleep.class, "120").showOutput(false).start();
                pids.add(Long.toString(child.pid()));
            }
            System.out.println("pids " + String.join(" ", pids));
            System.out.flush();
            Thread.sleep(120_000);
        }
    }
}
