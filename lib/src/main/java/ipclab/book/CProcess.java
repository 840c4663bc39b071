package ipclab.book;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ipclab.child.ChildProcess;
import ipclab.pipe.TextCopy;
import ipclab.posix.Posix;
import ipclab.tree.ProcessTree;
import jnr.constants.platform.Fcntl;
import jnr.posix.SpawnFileAction;

/**
 * A C program running in its own process group, started by {@link CProgram#start}: a server a
 * notebook talks to, or any program whose run a cell wants to watch.
 *
 * <p>Between the notebook's JVM and the program stands a small launcher (compiled like the
 * programs, from {@code launcher.c} in the library). The JVM cannot fork, so it starts the
 * launcher with {@code posix_spawn(3)}; the launcher forks the program into a new process group,
 * reaps every process of the group (it is their child subreaper), and kills the whole group when
 * its lifeline from the JVM ends. The JVM holds the lifeline's only write end, so the group dies
 * with the JVM however the JVM ends (a restart of the notebook's kernel (JJava), {@code kill -9}), and
 * {@link #close()} ends it on purpose.
 *
 * <p>The program's standard output and error are a pseudo-terminal, as in the book's terminal
 * session (so stdio buffers them by line); everything written there is kept, see
 * {@link #output()}.
 *
 * <p>On a machine without gcc, {@link CProgram#start} returns a process that never ran:
 * {@link #ran()} is false, {@link #awaitLine} returns null, and the rest do nothing.
 */
public final class CProcess implements AutoCloseable {
    private static final int OUTPUT_KEEP = 1 << 20;
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final String command;
    private final boolean ran;
    private final long startNanos = System.nanoTime();
    private final PrintStream live;
    private final StringBuilder output = new StringBuilder();
    private long launcherPid = -1;
    private int lifeline = -1; // the JVM's write end; -1 once closed

    // Guarded by this; the two pump threads update them and notify.
    private long pid = -1;
    private int exitCode = -1;
    private int signal;
    private boolean mainEnded;
    private long mainEndedNanos;
    private boolean timedOut;
    private boolean launcherGone;
    private boolean outputDone;
    private long pumped; // bytes of output read so far
    private long outputAtExit = -1; // bytes the program's output had reached when it exited (-1: unknown)
    private long finishedNanos;
    private String launchError;

    private CProcess(String command, boolean ran, PrintStream live) {
        this.command = command;
        this.ran = ran;
        this.live = live;
    }

    /** A program that could not run (no gcc): inert, so the notebook's other cells still work. */
    static CProcess notRun(String command) {
        CProcess p = new CProcess(command, false, null);
        p.mainEnded = p.launcherGone = p.outputDone = true;
        return p;
    }

    /**
     * posix_spawn(3) the launcher for {@code binary args}; returns once the program's pid is
     * known. {@code limitMillis} bounds the whole group's life (0: no bound).
     */
    static CProcess launch(Path launcher, Path binary, String displayName, List<String> args, Map<String, String> env,
                           String input, long limitMillis, PrintStream live) {
        CProcess p = new CProcess(displayName, true, live);
        try {
            p.spawn(launcher, binary, args, env, input, limitMillis);
        } catch (IOException e) {
            p.close();
            throw new IllegalStateException("cannot start " + displayName + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            throw p.interrupted("starting it");
        }
        return p;
    }

    private void spawn(Path launcher, Path binary, List<String> args, Map<String, String> env, String input,
                       long limitMillis) throws IOException, InterruptedException {
        int[] life, report, out, in = null;
        long spawned;
        // The same lock as the library's child JVMs: while it is held no other child is
        // spawned, so the descriptors made inheritable here for a moment reach only the launcher.
        synchronized (ChildProcess.Builder.class) {
            life = pipeCloseOnExec();
            report = pipeCloseOnExec();
            out = pipeCloseOnExec();
            if (input != null) in = pipeCloseOnExec();
            int[] childSide = in == null ? new int[] {life[0], report[1], out[1]} : new int[] {life[0], report[1], out[1], in[0]};
            for (int fd : childSide) Posix.jnr().fcntlInt(fd, Fcntl.F_SETFD, 0);
            try {
                List<SpawnFileAction> actions = new ArrayList<>();
                if (in == null) actions.add(SpawnFileAction.open("/dev/null", 0, 0 /* O_RDONLY */, 0));
                else actions.add(SpawnFileAction.dup(in[0], 0));
                actions.add(SpawnFileAction.dup(out[1], 1));
                actions.add(SpawnFileAction.dup(out[1], 2));
                // Every other descriptor of this JVM is closed in the launcher: a pipe a Java
                // cell opened must not stay open in a C program, or its reader would never see
                // end of file.
                Set<Integer> keep = new LinkedHashSet<>(List.of(0, 1, 2, life[0], report[1]));
                for (int fd : openDescriptors()) {
                    if (!keep.contains(fd)) actions.add(SpawnFileAction.close(fd));
                }
                List<String> argv = new ArrayList<>(List.of("ipclab-launcher", command));
                argv.addAll(args);
                List<String> envp = new ArrayList<>();
                for (Map.Entry<String, String> e : env.entrySet()) {
                    if (!e.getKey().startsWith("IPCLAB_")) envp.add(e.getKey() + "=" + e.getValue());
                }
                envp.addAll(List.of("IPCLAB_PROGRAM=" + binary, "IPCLAB_LIFELINE=" + life[0], "IPCLAB_REPORT=" + report[1],
                        "IPCLAB_LIMIT_MS=" + limitMillis));
                spawned = Posix.jnr().posix_spawnp(launcher.toString(), actions, argv, envp);
            } finally {
                for (int fd : childSide) Posix.close(fd);
            }
        }
        lifeline = life[1];
        if (spawned <= 0) {
            for (int fd : new int[] {report[0], out[0]}) Posix.close(fd);
            if (in != null) Posix.close(in[1]);
            synchronized (this) {
                launcherGone = outputDone = mainEnded = true; // nothing to wait for
            }
            throw new IOException("posix_spawnp(" + launcher + ") failed");
        }
        launcherPid = spawned;
        startThread("ipclab-c-output-" + spawned, () -> pumpOutput(out[0]));
        startThread("ipclab-c-report-" + spawned, () -> readReports(report[0]));
        if (in != null) {
            int writeEnd = in[1];
            byte[] bytes = input.getBytes(StandardCharsets.UTF_8);
            startThread("ipclab-c-input-" + spawned, () -> feed(writeEnd, bytes));
        }
        // Until the pid is known, pid() and close() cannot name the group.
        synchronized (this) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (pid < 0 && !launcherGone && System.nanoTime() < deadline) {
                wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            }
            if (pid < 0) throw new IOException(launchError != null ? launchError : "the launcher did not report the program's pid");
        }
    }

    private static int[] pipeCloseOnExec() throws IOException {
        int[] fds = Posix.pipe();
        Posix.setCloseOnExec(fds[0]);
        Posix.setCloseOnExec(fds[1]);
        return fds;
    }

    private static void startThread(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
    }

    /** False when there was no C compiler, so the program never ran. */
    public boolean ran() {
        return ran;
    }

    /** The program's process id (-1 if it never ran). It leads its own process group. */
    public synchronized long pid() {
        return pid;
    }

    /** The program's process group id: its own pid, since it leads a new group. */
    public synchronized long pgid() {
        return pid;
    }

    /** True until the program's own process has exited (its children may outlive it). */
    public synchronized boolean isAlive() {
        return ran && !mainEnded;
    }

    /** Everything the program and its children wrote so far (the last MiB of it). */
    public String output() {
        synchronized (output) {
            return output.toString();
        }
    }

    /**
     * Waits until the program has written a line in which {@code regex} is found, and returns
     * that match's group 1 (or the whole match when the pattern has no group). Lines are
     * searched from the start of the output, so calling it again finds the same line again.
     *
     * @throws IllegalStateException naming the pattern and showing the output so far, when no
     *         such line came within {@code limit} or the program ended without one
     * @throws CancellationException when the waiting thread is interrupted (the cell was
     *         stopped); the process group is killed first
     */
    public String awaitLine(String regex, Duration limit) {
        if (!ran) return null;
        Pattern pattern = Pattern.compile(regex);
        long deadline = System.nanoTime() + limit.toNanos();
        boolean done = false;
        try {
            synchronized (this) {
                while (true) {
                    String found = find(pattern);
                    if (found != null) {
                        done = true;
                        return found;
                    }
                    if (outputDone) {
                        done = true;
                        throw new IllegalStateException(command + " ended (" + endedAs() + ") without writing a line matching \""
                                + regex + "\"" + outputSoFar());
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        done = true;
                        throw new IllegalStateException(command + " wrote no line matching \"" + regex + "\" within "
                                + limit.toMillis() + " ms" + (mainEnded ? " (it has exited: " + endedAs() + ")" : " (it is still running)")
                                + outputSoFar());
                    }
                    wait(Math.max(1, left / 1_000_000));
                }
            }
        } catch (InterruptedException e) {
            throw interrupted("waiting for a line matching \"" + regex + "\"");
        } finally {
            if (!done && !Thread.currentThread().isInterrupted()) close(); // stopped another way (ThreadDeath)
        }
    }

    private String find(Pattern pattern) {
        String text = output();
        int end = text.lastIndexOf('\n');
        if (end < 0) return null;
        for (String line : text.substring(0, end).split("\n", -1)) {
            Matcher m = pattern.matcher(line);
            if (m.find()) return m.groupCount() >= 1 ? m.group(1) : m.group();
        }
        return null;
    }

    private String outputSoFar() {
        String text = output();
        if (text.isEmpty()) return "; it wrote nothing";
        if (text.length() > 2000) text = "…" + text.substring(text.length() - 2000);
        return "; its output so far:\n" + text;
    }

    /**
     * The processes of the program's group as they are now (from /proc), the program first:
     * the ones still running and any that have exited but not been reaped yet (state 'Z').
     * Empty once the group is gone.
     */
    public List<ProcessTree.Proc> processes() {
        long group = pgid();
        List<ProcessTree.Proc> found = new ArrayList<>();
        if (group <= 0) return found;
        String[] names = new File("/proc").list();
        if (names == null) return found;
        for (String name : names) {
            if (name.isEmpty() || !name.chars().allMatch(Character::isDigit)) continue;
            long p = Long.parseLong(name);
            if (processGroupOf(p) != group) continue;
            ProcessTree.Proc proc = ProcessTree.read(p);
            if (proc != null) found.add(proc);
        }
        found.sort(java.util.Comparator.comparing((ProcessTree.Proc p) -> p.pid() != group).thenComparingLong(ProcessTree.Proc::pid));
        return found;
    }

    /** How many children of the program are zombies now: exited, and not yet reaped by it. */
    public int zombies() {
        long self = pid();
        if (self <= 0) return 0;
        int count = 0;
        for (ProcessTree.Proc p : processes()) {
            if (p.ppid() == self && p.state() == 'Z') count++;
        }
        return count;
    }

    /** The process group field of /proc/PID/stat, or -1 when the process is gone. */
    private static long processGroupOf(long pid) {
        try {
            String stat = Files.readString(Paths.get("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
            // "pid (comm) S ppid pgrp ...": comm may hold spaces and parentheses.
            String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(rest[2]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * kill(2) of the program's own process (not its group) with a signal named as in
     * {@code kill -TERM}: "TERM", "SIGTERM", "INT", "HUP", "KILL", "USR1", or a number.
     * Returns false when the program has already exited.
     */
    public boolean signal(String name) {
        int number = Signals.number(name);
        synchronized (this) {
            if (!ran || mainEnded || pid <= 0) return false;
            try {
                return Posix.kill(pid, number);
            } catch (IOException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
    }

    /**
     * Waits for the program's own process to exit (waitpid(2), done by the launcher), and says
     * how it ended. Processes of its group that outlive it keep running until {@link #close()}.
     * If it is still running after {@code limit}, its whole group is killed and the result says
     * {@code timedOut}.
     *
     * @throws CancellationException when the waiting thread is interrupted; the group is killed first
     */
    public CRun waitFor(Duration limit) {
        if (!ran) return new CRun(false, -1, 0, false, "", Duration.ZERO, limit);
        long deadline = System.nanoTime() + limit.toNanos();
        boolean done = false;
        try {
            synchronized (this) {
                while (!mainEnded && !launcherGone) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) break;
                    wait(Math.max(1, left / 1_000_000));
                }
                // Then everything it wrote before it exited, so the result's output is whole.
                long outputDeadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                while (mainEnded && !outputDone && pumped < outputAtExit && System.nanoTime() < outputDeadline) {
                    wait(Math.max(1, (outputDeadline - System.nanoTime()) / 1_000_000));
                }
                done = true;
                if (mainEnded) return result(false, mainEndedNanos, limit);
            }
            close();
            return result(true, System.nanoTime(), limit);
        } catch (InterruptedException e) {
            throw interrupted("waiting for it to exit");
        } finally {
            if (!done && !Thread.currentThread().isInterrupted()) close();
        }
    }

    /**
     * For {@link CProgram#run}: waits until nothing of the run remains. The launcher kills the
     * group after {@code runLimit}; after {@code backstop} this JVM does it.
     */
    CRun awaitEnd(Duration runLimit, Duration backstop) {
        long deadline = System.nanoTime() + backstop.toNanos();
        boolean done = false;
        try {
            synchronized (this) {
                while (!(launcherGone && outputDone)) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) break;
                    wait(Math.max(1, left / 1_000_000));
                }
                done = true;
                if (launcherGone && outputDone) return result(timedOut, finishedNanos, runLimit);
            }
            close();
            return result(true, System.nanoTime(), runLimit);
        } catch (InterruptedException e) {
            throw interrupted("waiting for it to end");
        } finally {
            if (!done && !Thread.currentThread().isInterrupted()) close();
        }
    }

    private synchronized CRun result(boolean cutShort, long endNanos, Duration limit) {
        int status = signal != 0 ? 128 + signal : exitCode;
        return new CRun(true, status, signal, cutShort || timedOut, output(), Duration.ofNanos(endNanos - startNanos), limit);
    }

    private String endedAs() {
        if (!mainEnded) return "still running";
        return signal != 0 ? "killed by signal " + signal + " (" + Signals.name(signal) + ")" : "exit status " + exitCode;
    }

    /** Kills the group, keeps the interrupt, and says so: what an interrupted cell gets. */
    private CancellationException interrupted(String what) {
        close();
        Thread.currentThread().interrupt();
        return new CancellationException("interrupted while " + what + ": " + command + " and its process group were killed");
    }

    /**
     * Kills the program's whole process group (SIGKILL) and waits until the launcher has reaped
     * every process of it. Harmless when it has already ended, and when called twice.
     */
    @Override
    public void close() {
        if (!ran) return;
        synchronized (this) {
            if (launcherGone && outputDone) return;
            if (pid > 0 && !launcherGone) {
                try {
                    Posix.kill(-pid, Posix.SIGKILL); // the launcher does it too; this is sooner
                } catch (IOException ignored) {
                    // The group is already gone.
                }
            }
        }
        closeLifeline();
        boolean interrupted = false;
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        synchronized (this) {
            while (!(launcherGone && outputDone) && System.nanoTime() < deadline) {
                try {
                    wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    interrupted = true; // finish closing first
                }
            }
        }
        if (!launcherGone()) {
            try {
                // The launcher did not finish: take it and the group down directly.
                if (pid() > 0) Posix.kill(-pid(), Posix.SIGKILL);
                if (launcherPid > 0) Posix.kill(launcherPid, Posix.SIGKILL);
            } catch (IOException ignored) {
                // Gone meanwhile.
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    private synchronized boolean launcherGone() {
        return launcherGone;
    }

    /** The launcher's pid: it stays in this JVM's process group, so a signal to that group reaches it. */
    long launcherPid() {
        return launcherPid;
    }

    /** Closes the JVM's end of the lifeline, as the OS kernel does when the JVM dies. */
    synchronized void closeLifeline() {
        if (lifeline < 0) return;
        try {
            Posix.close(lifeline);
        } catch (IOException ignored) {
            // Already closed.
        }
        lifeline = -1;
    }

    @Override
    public String toString() {
        synchronized (this) {
            if (!ran) return command + " (did not run)";
            return command + " (pid " + pid + ", " + (mainEnded ? endedAs() : "running") + ")";
        }
    }

    // --- the threads that copy the launcher's output and reports

    private void pumpOutput(int fd) {
        try {
            TextCopy.untilEndOfFile(fd, this::emit, n -> {
                synchronized (this) {
                    pumped += n;
                    notifyAll();
                }
            });
        } catch (IOException e) {
            emit("[ipclab: lost the program's output: " + e.getMessage() + "]\n");
        } finally {
            synchronized (this) {
                outputDone = true;
                if (launcherGone && finishedNanos == 0) finishedNanos = System.nanoTime();
                notifyAll();
            }
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
        synchronized (this) {
            notifyAll();
        }
    }

    private void readReports(int fd) {
        StringBuilder line = new StringBuilder();
        byte[] buf = new byte[256];
        try {
            int n;
            while ((n = Posix.read(fd, buf, 0, buf.length)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        onReport(line.toString());
                        line.setLength(0);
                    } else {
                        line.append((char) buf[i]);
                    }
                }
            }
        } catch (IOException e) {
            synchronized (this) {
                launchError = "lost the launcher's reports: " + e.getMessage();
            }
        } finally {
            try {
                Posix.close(fd);
            } catch (IOException ignored) {
                // Nothing more to release.
            }
            try {
                // End of file: the launcher has exited (or is about to). Reap it: waitpid(2).
                if (launcherPid > 0) Posix.waitpid(launcherPid, new int[1], 0);
            } catch (IOException ignored) {
                // Reaped elsewhere, or never a child of this JVM.
            }
            closeLifeline();
            synchronized (this) {
                launcherGone = true;
                if (!mainEnded) {
                    mainEnded = true;
                    mainEndedNanos = System.nanoTime();
                    if (signal == 0 && exitCode < 0) signal = Posix.SIGKILL; // the launcher itself was killed
                }
                if (outputDone && finishedNanos == 0) finishedNanos = System.nanoTime();
                notifyAll();
            }
        }
    }

    private synchronized void onReport(String line) {
        String[] parts = line.split(" ");
        switch (parts[0]) {
            case "pid" -> pid = Long.parseLong(parts[1]);
            case "exit", "signal" -> {
                if (parts[0].equals("exit")) exitCode = Integer.parseInt(parts[1]);
                else signal = Integer.parseInt(parts[1]);
                if (parts.length > 2) outputAtExit = Long.parseLong(parts[2]);
                mainEnded = true;
                mainEndedNanos = System.nanoTime();
            }
            case "timeout" -> timedOut = true;
            default -> { } // a later launcher's news: ignore
        }
        notifyAll();
    }

    private static void feed(int fd, byte[] bytes) {
        try {
            int off = 0;
            while (off < bytes.length) {
                int n = Posix.write(fd, bytes, off, bytes.length - off);
                if (n <= 0) break;
                off += n;
            }
        } catch (IOException e) {
            // EPIPE: the program ended without reading all of its input, as a shell pipeline allows.
        } finally {
            try {
                Posix.close(fd);
            } catch (IOException ignored) {
                // Already closed.
            }
        }
    }

    /** Every descriptor this JVM has open, from /proc/self/fd. */
    private static List<Integer> openDescriptors() throws IOException {
        String[] names = new File("/proc/self/fd").list();
        if (names == null) throw new IOException("cannot list /proc/self/fd");
        List<Integer> fds = new ArrayList<>(names.length);
        for (String name : names) fds.add(Integer.parseInt(name));
        return fds;
    }
}
