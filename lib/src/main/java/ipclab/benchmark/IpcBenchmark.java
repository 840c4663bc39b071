package ipclab.benchmark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ipclab.book.CProgram;
import ipclab.book.CRun;
import ipclab.child.ChildProcess;
import ipclab.child.ExitStatus;
import ipclab.fifo.Fifo;
import ipclab.pipe.Fd;
import ipclab.pipe.Pipe;
import ipclab.socketpair.SocketPair;

/**
 * Measures one mechanism twice, with the same protocol: between two child JVMs started the way
 * the course starts every child ({@link ChildProcess}, which is posix_spawn(3) with the course's
 * JVM options), and between a C process and the child it forks ({@code notebooks/c/ipc_pingpong.c}).
 *
 * <p>This JVM only sets the channel up (pipes, socket pair, FIFOs, the shared file) and hands it
 * to the two children; neither the set-up nor the JVMs' start-up is timed. The "ping" side
 * times each round trip and the one-way transfer and prints the figures; this JVM reads them.
 */
public final class IpcBenchmark {
    private static final AtomicInteger NEXT = new AtomicInteger();
    private static final Pattern LISTENING = Pattern.compile("^listening on (\\S+)$", Pattern.MULTILINE);
    private static volatile List<String> lastJvmOptions = List.of();

    private IpcBenchmark() {}

    /** Two child JVMs, ping and pong, over this mechanism. */
    public static Measurement java(Mechanism mech, Workload workload) throws IOException {
        long deadline = System.nanoTime() + workload.limit().toNanos();
        String unique = ProcessHandle.current().pid() + "-" + NEXT.incrementAndGet();
        List<AutoCloseable> held = new ArrayList<>();
        List<ChildProcess> children = new ArrayList<>();
        Path file = null;
        try {
            ChildProcess ping, pong;
            switch (mech) {
                case PIPE -> {
                    Pipe there = Pipe.open(), back = Pipe.open();                          // pipe(2), twice
                    held.add(there);
                    held.add(back);
                    pong = start(children, workload, "pong", mech, there.readEnd().number() + "," + back.writeEnd().number(),
                            there.readEnd(), back.writeEnd());
                    ping = start(children, workload, "ping", mech, back.readEnd().number() + "," + there.writeEnd().number(),
                            back.readEnd(), there.writeEnd());
                    there.close();   // only the children hold the pipes now
                    back.close();
                }
                case SOCKETPAIR -> {
                    SocketPair pair = SocketPair.open();                                   // socketpair(AF_UNIX, SOCK_STREAM, 0, sv)
                    held.add(pair);
                    pong = start(children, workload, "pong", mech, Integer.toString(pair.sv1().number()), pair.sv1());
                    ping = start(children, workload, "ping", mech, Integer.toString(pair.sv0().number()), pair.sv0());
                    pair.close();
                }
                case FIFO -> {
                    Fifo there = Fifo.mkfifo(), back = Fifo.mkfifo();                      // mkfifo(3), twice
                    held.add(there);
                    held.add(back);
                    String paths = there.path() + "," + back.path();
                    pong = start(children, workload, "pong", mech, paths);
                    ping = start(children, workload, "ping", mech, paths);
                }
                case UDS, TCP -> {
                    // Both JVMs start at once; ping learns where to connect on its standard input
                    // once pong listens (for TCP, on the port the OS kernel chose for it).
                    file = mech == Mechanism.UDS ? Path.of(System.getProperty("java.io.tmpdir"), "ipclab-bench-" + unique + ".sock") : null;
                    Pipe go = Pipe.open();
                    held.add(go);
                    pong = start(children, workload, "pong", mech, file != null ? file.toString() : "0");
                    ping = start(children, workload, "ping", mech, "stdin", go.readEnd());
                    Matcher listening = awaitLine(pong, LISTENING, deadline);
                    go.writeEnd().write(listening.group(1) + "\n");
                    go.close();
                }
                case SHM -> {
                    file = sharedFile(unique);
                    pong = start(children, workload, "pong", mech, file.toString());
                    ping = start(children, workload, "ping", mech, file.toString());
                }
                default -> throw new IllegalStateException(mech.toString());
            }
            ExitStatus pingEnd = ping.waitFor(remaining(deadline));
            ExitStatus pongEnd = pong.waitFor(remaining(deadline));
            if (!pingEnd.success() || !pongEnd.success()) {
                throw new IOException(mech + ": the Java peers failed (" + pingEnd + ", " + pongEnd + "): "
                        + lastLines(ping.output() + pong.output()));
            }
            return Measurement.parse(mech, "java", ping.output());
        } finally {
            for (ChildProcess child : children) child.close();   // kills one still running (after a failure)
            for (AutoCloseable h : held) {
                try {
                    h.close();
                } catch (Exception e) {
                    System.err.println("ipclab: " + e.getMessage());
                }
            }
            if (file != null) Files.deleteIfExists(file);
        }
    }

    /**
     * The C peer, {@code ipc_pingpong MECH SIZES ROUNDS WARMUP BYTES}, compiled by the course
     * ({@link CProgram}); empty when this machine has no gcc.
     */
    public static Optional<Measurement> c(Mechanism mech, Workload workload) throws IOException {
        CProgram program = CProgram.compile("ipc_pingpong").quiet();
        if (!program.compiled()) return Optional.empty();
        List<String> args = new ArrayList<>(List.of(mech.label()));
        args.addAll(Arrays.asList(workload.arguments()));
        CRun run = program.run(workload.limit(), args.toArray(String[]::new));
        if (!run.succeeded()) throw new IOException(mech + ": the C peer failed (" + run.statusLine() + "): " + lastLines(run.output()));
        return Optional.of(Measurement.parse(mech, "c", run.output()));
    }

    /** True when this machine has gcc, so that {@link #c} measures. */
    public static boolean hasC() {
        return CProgram.compile("ipc_pingpong").compiled();
    }

    /**
     * The options the last Java peer's JVM was started with, as its {@code /proc/PID/cmdline}
     * showed them (everything between {@code java} and {@code -cp}); empty before the first run.
     */
    public static List<String> childJvmOptions() {
        return lastJvmOptions;
    }

    /**
     * The files a measurement of this JVM made and has not removed: shared files in /dev/shm,
     * Unix socket files, FIFOs. Empty once every measurement has ended, however it ended.
     */
    public static List<Path> leftBehind() throws IOException {
        String prefix = "ipclab-bench-" + ProcessHandle.current().pid() + "-";
        List<Path> left = new ArrayList<>();
        for (Path dir : List.of(Path.of("/dev/shm"), Path.of(System.getProperty("java.io.tmpdir")))) {
            if (!Files.isDirectory(dir)) continue;
            try (var files = Files.list(dir)) {
                files.filter(f -> f.getFileName().toString().startsWith(prefix)).forEach(left::add);
            }
        }
        for (Fifo fifo : Fifo.onDisk()) left.add(fifo.path());
        return left;
    }

    private static ChildProcess start(List<ChildProcess> children, Workload workload, String role, Mechanism mech,
                                      String endpoint, Fd... inherit) throws IOException {
        List<String> args = new ArrayList<>(List.of(role, mech.label(), endpoint));
        args.addAll(Arrays.asList(workload.arguments()));
        ChildProcess.Builder builder = ChildProcess.builder()
                .main(Peer.class, args.toArray(String[]::new));                   // posix_spawn(3) a JVM
        if (endpoint.equals("stdin")) builder.stdin(inherit[0]);                   // dup2(fd, 0) in the child
        else builder.inherit(inherit);
        ChildProcess child = builder
                .showOutput(false)
                .timeout(workload.limit())
                .start();
        children.add(child);
        if (role.equals("ping")) lastJvmOptions = jvmOptions(child.pid());
        return child;
    }

    /**
     * The child's options from /proc/PID/cmdline: everything between {@code java} and
     * {@code -cp}. Read again for up to a second while it still shows the parent's command
     * line (the moment between the spawn and the exec); empty if the child has gone.
     */
    private static List<String> jvmOptions(long pid) {
        long deadline = System.nanoTime() + 1_000_000_000L;
        while (true) {
            try {
                byte[] raw = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
                List<String> argv = Arrays.asList(new String(raw, StandardCharsets.UTF_8).split("\0"));
                int cp = argv.indexOf("-cp");
                if (argv.contains(Peer.class.getName()) && cp > 1) return List.copyOf(argv.subList(1, cp));
                if (System.nanoTime() > deadline) return List.of();
                Thread.sleep(5);
            } catch (IOException e) {
                return List.of();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.of();
            }
        }
    }

    /** The shared file both peers map: zeroed, in /dev/shm (tmpfs), named after this process. */
    private static Path sharedFile(String unique) throws IOException {
        Path dir = Path.of("/dev/shm");
        if (!Files.isDirectory(dir)) dir = Path.of(System.getProperty("java.io.tmpdir"));
        Path file = dir.resolve("ipclab-bench-" + unique);
        Files.write(file, new byte[Peer.SHM_SIZE], StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return file;
    }

    /** Waits, within the deadline, until the child has printed a line matching the pattern. */
    private static Matcher awaitLine(ChildProcess child, Pattern line, long deadline) throws IOException {
        while (true) {
            Matcher m = line.matcher(child.output());
            if (m.find()) return m;
            if (child.poll() != null) throw new IOException("the Java peer ended before it listened: " + lastLines(child.output()));
            if (System.nanoTime() > deadline) throw new IOException("the Java peer did not listen in time");
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting for the Java peer");
            }
        }
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
    }

    private static String lastLines(String output) {
        String s = output.strip();
        return s.length() > 600 ? "..." + s.substring(s.length() - 600) : s;
    }
}
