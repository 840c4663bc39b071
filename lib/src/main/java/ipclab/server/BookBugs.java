package ipclab.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ipclab.child.ChildProcess;
import ipclab.pipe.Fd;
import ipclab.tree.ProcessTree;

/**
 * The book's server ({@code echo_storeserv.c}, chapter 11.2) taken apart: small child programs
 * that each reproduce one of its behaviours safely, and the bounded waits the notebook needs to
 * watch them. The child programs load nothing but the JDK.
 */
public final class BookBugs {
    private BookBugs() {}

    /** The book's {@code BUF_SIZE}: every read and every write of its echo child moves at most this many bytes. */
    public static final int BUF_SIZE = 30;

    /**
     * Waits until the child's output (stdout and stderr) matches {@code regex}, at most
     * {@code limit}. Returns the first group of the match, or the whole match if there is no
     * group; throws if the child exits or the time runs out first. Polls the output that the
     * library already collects, a few milliseconds apart: a wait for the condition itself.
     */
    public static String awaitOutput(ChildProcess child, String regex, Duration limit) throws IOException {
        Pattern pattern = Pattern.compile(regex, Pattern.MULTILINE);
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            Matcher m = pattern.matcher(child.output());
            if (m.find()) return m.groupCount() > 0 ? m.group(1) : m.group();
            if (child.poll() != null) {
                m = pattern.matcher(child.output());
                if (m.find()) return m.groupCount() > 0 ? m.group(1) : m.group();
                throw new IOException("child " + child.pid() + " ended (" + child.status() + ") before printing /" + regex + "/");
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("child " + child.pid() + " did not print /" + regex + "/ within " + limit.toMillis() + " ms");
            }
            pause();
        }
    }

    /**
     * Waits until {@code condition} holds, checking it every few milliseconds, at most
     * {@code limit}. Returns whether it held: a bounded wait for the condition itself.
     */
    public static boolean await(BooleanSupplier condition, Duration limit) throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) return false;
            pause();
        }
        return true;
    }

    /** How many times {@code regex} is found in {@code text}: lines of a program's output, say. */
    public static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) n++;
        return n;
    }

    /** Waits (at most {@code limit}) until {@code file} holds at least {@code bytes} bytes; returns its size then. */
    public static long awaitFileSize(Path file, long bytes, Duration limit) throws IOException {
        await(() -> sizeOf(file) >= bytes, limit);
        return sizeOf(file);
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The most recently started child of {@code parent} (by start time in /proc), or null if it has none. */
    public static ProcessTree.Proc newestChild(long parent) throws IOException {
        ProcessTree.Proc newest = null;
        long newestStart = -1;
        for (ProcessTree.Proc p : ProcessTree.of(parent).descendants()) {
            if (p.ppid() != parent) continue;
            long start = statField(p.pid(), 22);
            if (start > newestStart) {
                newest = p;
                newestStart = start;
            }
        }
        return newest;
    }

    /** How many sockets the process has open now: its /proc/PID/fd entries that name a socket. */
    public static int sockets(long pid) throws IOException {
        String[] fds = Paths.get("/proc", Long.toString(pid), "fd").toFile().list();
        if (fds == null) throw new IOException("no process " + pid);
        int n = 0;
        for (String fd : fds) {
            try {
                if (Files.readSymbolicLink(Paths.get("/proc", Long.toString(pid), "fd", fd)).toString().startsWith("socket:")) n++;
            } catch (IOException e) {
                // Closed between the listing and the read.
            }
        }
        return n;
    }

    /** The pids of the children {@code parent} has now (running or zombie), from /proc. */
    public static java.util.Set<Long> children(long parent) throws IOException {
        java.util.Set<Long> pids = new java.util.TreeSet<>();
        for (ProcessTree.Proc p : ProcessTree.of(parent).descendants()) if (p.ppid() == parent) pids.add(p.pid());
        return pids;
    }

    /** CPU time (user and system) the process has used so far, in seconds; -1 if it is gone. */
    public static double cpuSeconds(long pid) {
        long user = statField(pid, 14), system = statField(pid, 15);
        // /proc counts in USER_HZ ticks, 100 per second on Linux.
        return user < 0 || system < 0 ? -1 : (user + system) / 100.0;
    }

    /** Field {@code n} (1-based, as in proc(5)) of /proc/PID/stat, or -1 if the process is gone. */
    private static long statField(long pid, int n) {
        try {
            String stat = Files.readString(Paths.get("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
            // "pid (comm) state ...": comm may hold spaces and parentheses, so cut at the last ')'.
            String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(rest[n - 3]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static void pause() throws IOException {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting");
        }
    }

    /**
     * The book's storing child: {@code for (i = 0; i < 10; i++) read(fds[0], msgbuf, BUF_SIZE)},
     * then it exits. {@code TenReads FD}: ten reads of at most 30 bytes, then exit.
     */
    public static final class TenReads {
        private TenReads() {}

        public static void main(String[] args) throws IOException {
            byte[] msgbuf = new byte[BUF_SIZE];
            try (Fd in = Fd.of(Integer.parseInt(args[0]))) {
                for (int i = 0; i < 10; i++) {
                    if (in.read(msgbuf) < 0) break;
                }
            }
        }
    }

    /**
     * A storing process that reads until end of file: {@code StoreUntilEof READ_FD EXPECTED
     * [CLOSE_FD]}. It first closes {@code CLOSE_FD} if given (its copy of the pipe's write end,
     * as the storing child should {@code close(fds[1])} after {@code fork()}), then reads the
     * pipe. When it has read {@code EXPECTED} bytes it prints {@code read N bytes, all that was
     * sent}; at end of file it prints {@code end of file: stored N bytes} and exits. A copy of
     * the write end that it kept itself means end of file never comes.
     */
    public static final class StoreUntilEof {
        private StoreUntilEof() {}

        public static void main(String[] args) throws IOException {
            long expected = Long.parseLong(args[1]);
            if (args.length > 2) Fd.of(Integer.parseInt(args[2])).close();
            byte[] msgbuf = new byte[8192];
            long total = 0;
            try (Fd in = Fd.of(Integer.parseInt(args[0]))) {
                int n;
                while ((n = in.read(msgbuf)) > 0) {
                    total += n;
                    if (total == expected) System.out.println("read " + total + " bytes, all that was sent");
                }
            }
            System.out.println("end of file: stored " + total + " bytes");
        }
    }

    /**
     * The book's echo child forwarding one client's line to the pipe: {@code SmallWrites FD
     * LETTER BYTES}. It prints {@code writing}, then writes a line of {@code BYTES} copies of
     * {@code LETTER} and a newline in {@code write()} calls of at most {@link #BUF_SIZE} bytes,
     * one per {@code read(clnt_sock, buf, BUF_SIZE)} the book's child would have made.
     */
    public static final class SmallWrites {
        private SmallWrites() {}

        public static void main(String[] args) throws IOException {
            byte[] line = new byte[Integer.parseInt(args[2]) + 1];
            Arrays.fill(line, (byte) args[1].charAt(0));
            line[line.length - 1] = '\n';
            System.out.println("writing");
            System.out.flush();
            try (Fd out = Fd.of(Integer.parseInt(args[0]))) {
                for (int off = 0; off < line.length; off += BUF_SIZE) {
                    int len = Math.min(BUF_SIZE, line.length - off);
                    int done = 0;
                    while (done < len) done += out.write(line, off + done, len - done);
                }
            }
        }
    }

    /**
     * What the storing process read from two {@link SmallWrites} writers: the letters' order,
     * cut into runs of one letter. {@link #piecesWhole()} checks that every change of writer
     * falls on a boundary of that writer's 30-byte writes: no write was cut.
     */
    public record Mixed(String stream, List<String> runs, boolean piecesWhole) {
        /** Cuts {@code stream} (letters and newlines) into runs and checks the write boundaries. */
        public static Mixed of(String stream) {
            List<String> runs = new ArrayList<>();
            int[] seen = new int[128]; // bytes of each writer's line seen so far, its newline included
            boolean whole = true;
            int start = 0;
            for (int i = 0; i < stream.length(); i++) {
                char c = stream.charAt(i);
                char writer = c == '\n' ? stream.charAt(i - 1) : c;
                seen[writer]++;
                boolean lineEnds = c == '\n';
                boolean writerChanges = i + 1 < stream.length() && !lineEnds && stream.charAt(i + 1) != c && stream.charAt(i + 1) != '\n';
                if (lineEnds || writerChanges || i + 1 == stream.length()) {
                    runs.add(stream.substring(start, i + 1));
                    start = i + 1;
                    // A change of writer in the middle of a line must come after a whole write.
                    if (writerChanges && seen[writer] % BUF_SIZE != 0) whole = false;
                }
            }
            return new Mixed(stream, List.copyOf(runs), whole);
        }

        /** Runs that end a line (a newline) or stop where the other writer's bytes begin. */
        public int changes() {
            int n = 0;
            for (String r : runs) if (!r.endsWith("\n")) n++;
            return n;
        }

        /** True when the two lines were not stored one after the other. */
        public boolean mixed() {
            return changes() > 0;
        }

        /** How many bytes of {@code letter} arrived. */
        public long count(char letter) {
            return stream.chars().filter(c -> c == letter).count();
        }

        /** The first runs, each shown as its letter and length, such as {@code A×60 B×30 A×30}. */
        public String summary(int max) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < Math.min(max, runs.size()); i++) {
                String r = runs.get(i).replace("\n", "");
                if (sb.length() > 0) sb.append(' ');
                sb.append(r.isEmpty() ? "" : r.charAt(0) + "×" + r.length()).append(runs.get(i).endsWith("\n") ? "⏎" : "");
            }
            if (runs.size() > max) sb.append(" …");
            return sb.toString();
        }
    }

    /**
     * Children that exit at once, kept unreaped: the zombies of the book's one-{@code waitpid}-
     * per-signal handler. Closing kills and reaps whatever is left.
     */
    public static final class ExitingChildren implements AutoCloseable {
        private final List<ChildProcess> children;

        private ExitingChildren(List<ChildProcess> children) {
            this.children = children;
        }

        /** Starts {@code n} children that exit at once. */
        public static ExitingChildren start(int n) throws IOException {
            List<ChildProcess> started = new ArrayList<>();
            try {
                for (int i = 0; i < n; i++) started.add(ChildProcess.builder().main(ExitNow.class).start());
            } catch (IOException | RuntimeException e) {
                for (ChildProcess c : started) c.close();
                throw e;
            }
            return new ExitingChildren(started);
        }

        /** How many of these children have exited but are not reaped: zombies, read from /proc. */
        public int zombies() {
            int n = 0;
            for (ChildProcess c : children) {
                if (!c.isReaped() && ProcessTree.isZombie(c.pid())) n++;
            }
            return n;
        }

        /** Waits (at most {@code limit}) until every child not yet reaped has exited; returns the zombies. */
        public int awaitAllExited(Duration limit) throws IOException {
            long deadline = System.nanoTime() + limit.toNanos();
            while (zombies() < unreaped()) {
                if (System.nanoTime() > deadline) throw new IOException("children still running after " + limit.toMillis() + " ms");
                pause();
            }
            return zombies();
        }

        /** Children not reaped yet (running or zombie). */
        public int unreaped() {
            return (int) children.stream().filter(c -> !c.isReaped()).count();
        }

        /**
         * What one {@code waitpid(-1, &status, WNOHANG)} does, the book's handler's one call per
         * signal: reaps one exited child, if there is one (trying each child in turn with
         * {@code waitpid(pid, WNOHANG)}). Returns its pid, or 0.
         */
        public long reapOne() throws IOException {
            for (ChildProcess c : children) {
                if (!c.isReaped() && c.poll() != null) return c.pid();
            }
            return 0;
        }

        /** {@code while (waitpid(-1, &status, WNOHANG) > 0);}: reaps every exited child; returns how many. */
        public int reapAll() throws IOException {
            int n = 0;
            while (reapOne() > 0) n++;
            return n;
        }

        /** Kills and reaps every child still here. */
        @Override
        public void close() throws IOException {
            for (ChildProcess c : children) c.close();
        }

        @Override
        public String toString() {
            return children.size() + " children, " + unreaped() + " not reaped";
        }
    }

    /** A child that exits at once, for the zombie demonstration. */
    public static final class ExitNow {
        private ExitNow() {}

        public static void main(String[] args) {
            // Nothing to do: exiting is the point.
        }
    }
}
