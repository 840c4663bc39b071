package ipclab.child;

import java.io.File;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import ipclab.language.Language;
import ipclab.language.Messages;
import ipclab.pipe.Descriptors;
import ipclab.pipe.Fd;
import ipclab.pipe.TextCopy;
import ipclab.posix.Posix;
import jnr.posix.SpawnFileAction;

/**
 * A child JVM started with {@code posix_spawn(3)}: the JVM's stand-in for {@code fork()}.
 *
 * <p>The JVM cannot fork (a forked copy would lack its garbage collector and compiler threads),
 * so a child is a new JVM. Like a forked child it inherits descriptors, at the same numbers:
 * the ones the builder names, and no others. Its standard output and error share one pipe, so
 * their lines stay in the order the child wrote them; the parent copies them into the notebook
 * cell that waits for the child.
 *
 * <p>A child is never reaped behind the learner's back: until {@link #waitFor()} (which is
 * waitpid(2)) or {@link #close()}, an exited child stays a zombie, as in C.
 */
public final class ChildProcess implements AutoCloseable {
    private static final int OUTPUT_KEEP = 1 << 20;

    private long pid; // set once by start(), before anyone else sees this object
    private final Duration timeout;
    private final Thread pump;
    private final StringBuilder output = new StringBuilder();
    private final PrintStream live;
    private volatile ExitStatus status;

    /** Starts copying the child's output from {@code outputFd}; the child itself is spawned next. */
    private ChildProcess(int outputFd, Duration timeout, PrintStream live) {
        this.timeout = timeout;
        this.live = live;
        this.pump = new Thread(() -> pump(outputFd), "ipclab-output");
        pump.setDaemon(true);
        pump.start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The child's process id, as {@code fork()} returns it to the parent. */
    public long pid() {
        return pid;
    }

    /** The exit status once the child has been reaped, else null. */
    public ExitStatus status() {
        return status;
    }

    /** True while the child has not been reaped (it may have exited and be a zombie). */
    public boolean isReaped() {
        return status != null;
    }

    /** Everything the child wrote to stdout and stderr so far (the last MiB of it). */
    public String output() {
        synchronized (output) {
            return output.toString();
        }
    }

    /** waitpid(pid, WNOHANG): reaps the child if it has exited; returns its status or null. */
    public synchronized ExitStatus poll() throws IOException {
        if (status != null) return status;
        int[] raw = new int[1];
        if (Posix.waitpid(pid, raw, Posix.WNOHANG) == pid) reaped(ExitStatus.decode(pid, raw[0]));
        return status;
    }

    /** waitpid(2), waiting at most the builder's timeout; the child is killed if it overruns. */
    public ExitStatus waitFor() throws IOException {
        return waitFor(timeout);
    }

    /**
     * waitpid(2): waits for the child to exit and reaps it, so it leaves no zombie. If it does
     * not exit within {@code limit}, or the cell is interrupted, it is killed and reaped, and
     * the wait throws.
     */
    public ExitStatus waitFor(Duration limit) throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        long pauseMicros = 100;
        try {
            while (poll() == null) {
                if (System.nanoTime() > deadline) {
                    kill();
                    throw new ChildTimeoutException(Messages.text("child.timeout", pid, limit.toMillis()));
                }
                Thread.sleep(pauseMicros / 1000, (int) (pauseMicros % 1000) * 1000);
                pauseMicros = Math.min(pauseMicros * 2, 10_000);
            }
        } catch (InterruptedException e) {
            kill();
            throw new InterruptedIOException("interrupted while waiting for child " + pid + "; it was killed");
        }
        return status;
    }

    /** kill(SIGKILL) and reap: the child is gone when this returns. */
    public synchronized ExitStatus kill() throws IOException {
        if (status != null) return status;
        Posix.kill(pid, Posix.SIGKILL);
        int[] raw = new int[1];
        Posix.waitpid(pid, raw, 0);
        reaped(ExitStatus.decode(pid, raw[0]));
        return status;
    }

    /** kill(2) with any signal, without reaping. Returns false if the process is gone. */
    public boolean signal(int signal) throws IOException {
        return status == null && Posix.kill(pid, signal);
    }

    /** Kills the child if it still runs, and reaps it. */
    @Override
    public void close() throws IOException {
        if (poll() == null) kill();
    }

    @Override
    public String toString() {
        return status == null ? "child " + pid + " (running or not yet reaped)" : status.toString();
    }

    private void reaped(ExitStatus exit) {
        status = exit;
        Children.forget(this);
        try {
            // The output pipe reaches end of file once the child and anything it spawned are gone.
            pump.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void pump(int fd) {
        try {
            TextCopy.untilEndOfFile(fd, this::emit, n -> { });
        } catch (IOException e) {
            emit("[ipclab: lost the child's output: " + e.getMessage() + "]\n");
        }
    }

    private void emit(String text) {
        if (text.isEmpty()) return;
        synchronized (output) {
            output.append(text);
            if (output.length() > OUTPUT_KEEP) output.delete(0, output.length() - OUTPUT_KEEP);
        }
        if (live != null) {
            live.print(text);
            live.flush();
        }
    }

    /** Says what the child runs and what it inherits. Every setter returns this builder. */
    public static final class Builder {
        private static final List<String> UNUSED_INTRINSICS = List.of(
                "-XX:-UseAESIntrinsics", "-XX:-UseAESCTRIntrinsics", "-XX:-UseGHASHIntrinsics",
                "-XX:-UseBASE64Intrinsics", "-XX:-UseSHA", "-XX:-UseMD5Intrinsics");
        private final List<String> program = new ArrayList<>();
        private final Set<Fd> inherited = new LinkedHashSet<>();
        private final List<String> jvmOptions = new ArrayList<>();
        private Duration timeout = Duration.ofSeconds(30);
        private boolean showOutput = true;
        private Fd stdin;
        private Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        private String classpath = Classpath.ofLibrary();
        private boolean archive = true;

        private Builder() {}

        /** Runs {@code mainClass.main(args)} in the child. */
        public Builder main(String mainClass, String... args) {
            program.clear();
            program.add("--main");
            program.add(Objects.requireNonNull(mainClass, "mainClass"));
            program.addAll(List.of(args));
            return this;
        }

        public Builder main(Class<?> mainClass, String... args) {
            return main(mainClass.getName(), args);
        }

        Builder program(List<String> args) {
            program.clear();
            program.addAll(args);
            return this;
        }

        /** The child inherits these descriptors, at the same numbers. */
        public Builder inherit(Fd... fds) {
            for (Fd fd : fds) {
                if (!fd.isOpen()) throw new IllegalArgumentException("cannot hand " + fd + " to a child: it is closed");
                inherited.add(fd);
            }
            return this;
        }

        /** The child inherits every pipe end this process has open, as after {@code fork()}. */
        public Builder inheritOpenPipes() {
            inherited.addAll(Descriptors.open());
            return this;
        }

        /**
         * The child's descriptor 0 becomes a copy of {@code fd} (dup2), instead of /dev/null. A
         * socket there is what {@code System.inheritedChannel()} returns in the child.
         */
        public Builder stdin(Fd fd) {
            if (!fd.isOpen()) throw new IllegalArgumentException("cannot hand " + fd + " to a child: it is closed");
            this.stdin = fd;
            return this;
        }

        /** How long {@link #waitFor()} waits before killing the child. */
        public Builder timeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be positive: " + timeout);
            this.timeout = timeout;
            return this;
        }

        /** Whether the child's output is copied into the running cell as it arrives (default) or only kept. */
        public Builder showOutput(boolean show) {
            this.showOutput = show;
            return this;
        }

        /** Adds an option to the child JVM's command line, such as {@code -Xmx32m}. */
        public Builder jvmOption(String option) {
            jvmOptions.add(option);
            return this;
        }

        /** Which {@code java} binary starts the child; by default the one running this JVM (in a notebook, the notebook's JVM). */
        public Builder java(Path java) {
            this.java = java;
            return this;
        }

        /**
         * Adds a folder or jar to the child's class path, after the library's own, for child
         * programs that live outside the library (a course's own classes, a benchmark's).
         */
        public Builder classpath(String entry) {
            if (entry.isBlank()) throw new IllegalArgumentException("class path entry is empty");
            this.classpath = Classpath.join(classpath, entry);
            return this;
        }

        /** For the archive's own training run, which must not wait for the archive: this exact class path. */
        Builder withoutArchive(String classpath) {
            this.archive = false;
            this.classpath = classpath;
            return this;
        }

        /** JDK 24 and later warn on sun.misc.Unsafe memory access; another binary's version is unknown. */
        private boolean unsafeAdoptionIsQuiet() {
            return ownJava() && Runtime.version().feature() < 24;
        }

        /** The child runs this JVM's own binary, so this JVM's version is the child's. */
        private boolean ownJava() {
            return java.equals(Paths.get(System.getProperty("java.home"), "bin", "java"));
        }

        /** A fork cell's code, or a main class of this package: both reach descriptors through Fd. */
        private boolean ownProgram() {
            return program.get(0).equals("--fork")
                    || (program.get(0).equals("--main") && program.get(1).startsWith(ChildMain.class.getPackageName() + "."));
        }

        /** posix_spawn(3) the child. */
        public ChildProcess start() throws IOException {
            if (program.isEmpty()) throw new IllegalStateException("say what the child runs: main(...)");
            if (!Files.isExecutable(java)) {
                throw new IOException("no java binary at " + java + ": install a JDK 17+ or pass java(path)");
            }
            if (stdin != null && !stdin.isOpen()) throw new IOException("cannot hand " + stdin + " to a child: it is closed");
            for (Fd fd : inherited) {
                if (!fd.isOpen()) throw new IOException("cannot hand " + fd + " to a child: it is closed");
            }
            int lifeline = Lifeline.readEnd();
            List<String> argv = new ArrayList<>();
            argv.add(java.toString());
            argv.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Xshare:auto"));
            // G1, because on JDK 17 only G1 maps the JDK's archived heap (its module graph and
            // class mirrors); with SerialGC a child starts about a third slower.
            if (jvmOptions.stream().noneMatch(o -> o.startsWith("-XX:+Use") && o.endsWith("GC"))) argv.add("-XX:+UseG1GC");
            // Options checked from JDK 17 through 25; another binary's version is unknown.
            if (ownJava() && Runtime.version().feature() <= 25) {
                // Map the JDK's class archive at the address it was built for. Recent JDK 17
                // builds move it to a random address by default (for address-space
                // randomisation), which means patching every pointer in it: about 10 ms of each
                // child's start-up.
                argv.addAll(List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0"));
                // A JVM writes the machine code of its crypto and Base64 intrinsics while it
                // starts, whether or not the program ever encrypts: about 6 ms of each child's
                // start-up on a machine with AVX-512. Children here move bytes through
                // descriptors; one that does use AES or SHA still works, on plain Java code.
                argv.addAll(UNUSED_INTRINSICS);
            }
            String library = Classpath.ofLibrary();
            String childClasspath = classpath;
            if (archive) { // the builder's class path starts with the library's
                ChildArchive.Start start = ChildArchive.forLibrary(java, library);
                childClasspath = start.classpath() + classpath.substring(library.length());
                argv.addAll(start.options());
            }
            // Opening a package costs the child the archived module graph (about 20 ms of
            // start-up), and the library's own child programs adopt descriptors without it.
            // Other programs may reach FileDescriptor(int) by reflection, so they keep it, and
            // so do JVMs that would warn about the library's way (see JdkDescriptorIo).
            if (!ownProgram() || !unsafeAdoptionIsQuiet()) argv.add("--add-opens=java.base/java.io=ALL-UNNAMED");
            argv.addAll(List.of(
                    "-Dipclab.lean=true", "-D" + Lifeline.PROPERTY + "=" + lifeline, "-D" + Classpath.PROPERTY + "=" + library,
                    "-Dfile.encoding=UTF-8", "-Dsun.stdout.encoding=UTF-8", "-Dsun.stderr.encoding=UTF-8",
                    Language.childOption()));
            argv.addAll(jvmOptions);
            argv.addAll(List.of("-cp", childClasspath, ChildMain.class.getName()));
            argv.addAll(program);

            int[] out = Posix.pipe();
            // The thread that copies the child's output starts before the child does: starting a
            // thread waits until it runs, and a JVM that is starting keeps the CPUs busy (that
            // wait took up to 4 ms after the spawn, against 0.1 ms before it).
            ChildProcess child = new ChildProcess(out[0], timeout, showOutput ? System.out : null);
            long pid;
            try {
                List<SpawnFileAction> actions = new ArrayList<>();
                if (stdin == null) actions.add(SpawnFileAction.open("/dev/null", 0, 0 /* O_RDONLY */, 0));
                else actions.add(SpawnFileAction.dup(stdin.number(), 0));
                actions.add(SpawnFileAction.dup(out[1], 1));
                actions.add(SpawnFileAction.dup(out[1], 2));
                Set<Integer> keep = new LinkedHashSet<>(List.of(0, 1, 2, lifeline));
                for (Fd fd : inherited) keep.add(fd.number());
                for (int fd : openDescriptors()) {
                    if (!keep.contains(fd)) actions.add(SpawnFileAction.close(fd));
                }
                synchronized (Builder.class) {
                    pid = Posix.jnr().posix_spawnp(java.toString(), actions, argv, environment());
                }
                if (pid <= 0) throw new IOException("posix_spawnp(" + java + ") failed: " + Posix.error("posix_spawnp").getMessage());
            } finally {
                // The output thread sees end of file once the child's copies close too (at once
                // if there is no child), and then closes its end.
                Posix.close(out[1]);
            }
            child.pid = pid;
            child.pump.setName("ipclab-output-" + pid);
            Children.remember(child);
            return child;
        }

        private static List<String> environment() {
            List<String> env = new ArrayList<>();
            for (Map.Entry<String, String> e : System.getenv().entrySet()) env.add(e.getKey() + "=" + e.getValue());
            return env;
        }

        /** Every descriptor this process has open, from /proc/self/fd. */
        private static Collection<Integer> openDescriptors() throws IOException {
            // java.io.File: a plain directory read, a quarter of a millisecond less than a Stream per spawn.
            String[] names = new File("/proc/self/fd").list();
            if (names == null) throw new IOException("cannot list /proc/self/fd");
            List<Integer> fds = new ArrayList<>(names.length);
            for (String name : names) fds.add(Integer.parseInt(name));
            return fds;
        }
    }
}
