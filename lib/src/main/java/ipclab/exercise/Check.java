package ipclab.exercise;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

import ipclab.child.Fork;
import ipclab.pipe.Pipe;
import ipclab.pipe.PipeTimeoutException;
import ipclab.posix.Posix;
import ipclab.sharedmemory.SharedCounter;
import ipclab.socketpair.SocketPair;

import static ipclab.language.Messages.text;

/**
 * The checks behind the exercise cells. Each prints one short line when the exercise is
 * solved and otherwise throws {@link NotYetSolved} with one hint. Nothing goes to stderr.
 */
public final class Check {
    /**
     * One multiple-choice question: the notebook variable that holds the learner's answer (named
     * in the hints) and the right letter. Why it is right and a hint for each wrong letter are
     * the messages {@code check.choice.QUESTION.why} and {@code check.choice.QUESTION.X}.
     */
    private record Choice(String variable, char answer) {}

    private static final Map<String, Choice> CHOICES = Map.of(
            "ipc-memory", new Choice("q1", 'C'),
            "ipc-kernel", new Choice("q2", 'B'),
            "pipe-owner", new Choice("q3a", 'B'),
            "pipe-one-way", new Choice("q3b", 'A'));

    private Check() {}

    /**
     * A multiple-choice answer: one letter from A to D, as a {@code char} or a one-letter
     * {@code String}, in either case ({@code 'C'}, {@code "C"}, {@code 'c'}, {@code "c"}). The
     * notebook declares the answer variable as {@code Object}, so that each of these compiles.
     */
    public static void choice(String question, Object answer) {
        Choice c = CHOICES.get(question);
        if (c == null) throw new IllegalArgumentException(text("check.choice.unknown", question, CHOICES.keySet()));
        String example = text("check.choice.example", c.variable());
        if (answer == null) {
            throw new NotYetSolved(text("check.choice.no-answer", example));
        }
        String text = answer instanceof Character ch ? String.valueOf(ch)
                : answer instanceof String s ? s.strip()
                : null;
        if (text == null) {
            throw new NotYetSolved(text("check.choice.not-a-letter", example, answer.getClass().getSimpleName(), answer));
        }
        if (text.length() != 1 || !Character.isLetter(text.charAt(0))) {
            throw new NotYetSolved(text("check.choice.one-letter", example, text));
        }
        char given = Character.toUpperCase(text.charAt(0));
        if (given < 'A' || given > 'D') {
            throw new NotYetSolved(text("check.choice.not-a-choice", given));
        }
        if (given == c.answer()) {
            pass(text("check.choice." + question + ".why"));
            return;
        }
        throw new NotYetSolved(text("check.choice.wrong", given, text("check.choice." + question + "." + given)));
    }

    /** Two pipes, three rounds: the parent heard the child's three pings, the child printed three pongs. */
    public static void exchange(List<String> heard) {
        List<String> pings = List.of("ping 1", "ping 2", "ping 3");
        if (heard == null || heard.isEmpty()) {
            throw new NotYetSolved(text("check.exchange.heard-nothing"));
        }
        if (!heard.equals(pings)) {
            throw new NotYetSolved(text("check.exchange.heard-wrong", heard, pings));
        }
        String child = Fork.lastOutput();
        for (int i = 1; i <= 3; i++) {
            if (!child.contains("pong " + i)) {
                throw new NotYetSolved(text("check.exchange.no-pong", i));
            }
        }
        pass(text("check.exchange.pass"));
    }

    /** The pipes {@link #eof} has read to the end, and what it found: a pipe can be read only once. */
    private static final Map<Pipe, String> EOF_CHECKED = Collections.synchronizedMap(new WeakHashMap<>());

    /**
     * Two pipes, three rounds, and proof that both pipes carried traffic the right way: the
     * parent heard the child's three pings, the child printed the three pongs, the parent read
     * only from {@code toParent} and wrote only into {@code toChild}, those are two pipes, not
     * one ({@code /proc/self/fd} names two different pipe inodes for them), and no pong is left
     * unread in {@code toChild} while it is open (a child that prints pongs it never read fails).
     * (Every pipe end the notebook holds is inherited by a {@code %%fork} child, so the child's
     * descriptors alone cannot tell a one-pipe solution from a two-pipe one; which ends the
     * parent's reads and writes went through can.)
     */
    public static void exchange(List<String> heard, Pipe toParent, Pipe toChild) throws IOException {
        // Only what this process recorded is used, so the check gives the same verdict after the
        // pipes have been closed (by the clean-up cell, or by the solution itself).
        long one = toParent.inodeWhenOpened();
        long other = toChild.inodeWhenOpened();
        if (toParent == toChild || one == other) {
            throw new NotYetSolved(text("check.exchange.same-pipe", one));
        }
        if (toParent.writeEnd().bytesWritten() > 0) {
            throw new NotYetSolved(text("check.exchange.wrote-to-parent"));
        }
        if (toChild.readEnd().bytesRead() > 0) {
            throw new NotYetSolved(text("check.exchange.read-to-child"));
        }
        if (toParent.readEnd().bytesRead() == 0) {
            throw new NotYetSolved(text("check.exchange.never-read", one));
        }
        if (toChild.writeEnd().bytesWritten() == 0) {
            throw new NotYetSolved(text("check.exchange.never-wrote", other));
        }
        List<String> pings = List.of("ping 1", "ping 2", "ping 3");
        if (heard == null || !heard.equals(pings)) {
            throw new NotYetSolved(text("check.exchange.heard-wrong", heard, pings));
        }
        String child = Fork.lastOutput();
        int from = 0;
        for (int i = 1; i <= 3; i++) {
            int at = child.indexOf("pong " + i, from);
            if (at < 0) {
                throw new NotYetSolved(text("check.exchange.no-pong-in-order", i));
            }
            from = at;
        }
        // The pongs the parent wrote must have been read, by the child: a child that printed
        // "pong i" without reading leaves them in toChild. (Once the pipe is closed this cannot
        // be seen any more; the notebook runs the check before its clean-up cell.)
        if (toChild.readEnd().isOpen() && (Posix.poll(toChild.readEnd().number(), Posix.POLLIN, 0) & Posix.POLLIN) != 0) {
            throw new NotYetSolved(text("check.exchange.pongs-unread", other));
        }
        pass(text("check.exchange.pass-two-pipes", one, other));
    }

    /**
     * Reads the pipe to end of file, as the parent would, and checks that the child's three lines
     * arrived and that the read ended: no write end was left open. Run again on a pipe it has
     * already read, it repeats its verdict (there is nothing left to read a second time).
     */
    public static void eof(Pipe pipe) throws IOException {
        String verdict = EOF_CHECKED.get(pipe);
        if (verdict != null) {
            pass(verdict);
            return;
        }
        if (pipe.writeEnd().isOpen()) {
            throw new NotYetSolved(text("check.eof.write-end-open"));
        }
        if (!pipe.readEnd().isOpen()) {
            throw new NotYetSolved(text("check.eof.read-end-closed"));
        }
        String received;
        try {
            pipe.readEnd().timeout(Duration.ofSeconds(2));
            received = new String(pipe.readEnd().readAllBytes(), StandardCharsets.UTF_8);
        } catch (PipeTimeoutException e) {
            throw new NotYetSolved(text("check.eof.no-eof"));
        }
        if (!received.equals("line 1\nline 2\nline 3\n")) {
            throw new NotYetSolved(text("check.eof.wrong-lines", received.replace("\n", "\\n")));
        }
        verdict = text("check.eof.pass");
        EOF_CHECKED.put(pipe, verdict);
        pass(verdict);
    }

    /**
     * Three rounds over one socket pair: the parent (sv[0]) heard the child's three pings, one
     * per read, and the child printed the three pongs in order. The parent's reads and writes
     * all went through sv[0], none through sv[1], and no other socket pair was opened in the
     * notebook's JVM after {@code channel}: the one pair carried both directions.
     */
    public static void socketpairExchange(List<String> heard, SocketPair channel) {
        long[] inodes = channel.inodesWhenOpened();
        String pair = "socket:[" + inodes[0] + "] and socket:[" + inodes[1] + "]";
        if (channel.serial() != SocketPair.openedSoFar()) {
            throw new NotYetSolved(text("check.socketpair.another-pair"));
        }
        if (channel.sv1().bytesRead() > 0 || channel.sv1().bytesWritten() > 0) {
            throw new NotYetSolved(text("check.socketpair.parent-used-sv1"));
        }
        List<String> pings = List.of("ping 1", "ping 2", "ping 3");
        if (heard == null || heard.isEmpty()) {
            throw new NotYetSolved(text("check.socketpair.heard-nothing"));
        }
        if (!heard.equals(pings)) {
            throw new NotYetSolved(text("check.socketpair.heard-wrong", heard, pings));
        }
        String child = Fork.lastOutput();
        int from = 0;
        for (int i = 1; i <= 3; i++) {
            int at = child.indexOf("child got: pong " + i, from);
            if (at < 0) {
                throw new NotYetSolved(text("check.socketpair.no-pong", i));
            }
            from = at;
        }
        // The child has exited, and the parent closed its sv[1]: a read at sv[0] ends at once.
        // Linux reports ECONNRESET there, not end of file, when sv[1] was closed with bytes
        // still unread in it (net/unix/af_unix.c, unix_release_sock): pongs the child never read.
        String unread = UNREAD_PONGS.computeIfAbsent(channel, Check::pongsLeftUnread);
        if (!unread.isEmpty()) throw new NotYetSolved(unread);
        pass(text("check.socketpair.pass", pair));
    }

    /**
     * Notebook 14: the worker received the accepted socket over {@code handoff} and answered the
     * client on it. The parent closed its copy right after sending it and never wrote to it, so
     * an answer in upper case can only have come through the worker's received descriptor.
     */
    public static void passedDescriptor(List<String> clientGot, SocketPair handoff) {
        String asked = "pass me on";
        if (handoff.sv1().isOpen()) {
            throw new NotYetSolved(text("check.passing.not-run"));
        }
        if (clientGot == null || clientGot.isEmpty()) {
            throw new NotYetSolved(text("check.passing.got-nothing"));
        }
        String got = clientGot.get(clientGot.size() - 1);
        if (got.startsWith("(")) {
            throw new NotYetSolved(text("check.passing.no-answer", got));
        }
        if (got.equals(asked)) {
            throw new NotYetSolved(text("check.passing.unchanged"));
        }
        if (!got.equals(asked.toUpperCase(java.util.Locale.ROOT))) {
            throw new NotYetSolved(text("check.passing.wrong", got));
        }
        pass(text("check.passing.pass"));
    }

    /** What {@link #socketpairExchange} found at sv[0] for each pair: the error is reported only once by the OS kernel. */
    private static final Map<SocketPair, String> UNREAD_PONGS = Collections.synchronizedMap(new WeakHashMap<>());

    private static String pongsLeftUnread(SocketPair channel) {
        if (!channel.sv0().isOpen() || channel.sv1().isOpen()) return "";
        Duration usual = channel.sv0().timeout();
        channel.sv0().timeout(Duration.ofSeconds(2));
        try {
            String more = channel.sv0().readString();
            return more == null ? "" : text("check.socketpair.wrote-more", more);
        } catch (IOException e) {
            return text("check.socketpair.pongs-unread", e.getMessage());
        } finally {
            channel.sv0().timeout(usual);
        }
    }

    /**
     * The shared-memory exercise: each process that ran the increment loop to its end called
     * {@code finished()}, so the count must be exactly {@code perProcess} times that number. Run
     * again, it checks the same counter again (a run of the fork cell adds to it; the tally of
     * finished processes grows with it).
     */
    public static void sharedCounter(SharedCounter counter, int perProcess) {
        if (!counter.isOpen()) {
            throw new NotYetSolved(text("check.counter.closed"));
        }
        long count = Integer.toUnsignedLong(counter.get());
        int finished = counter.finishedCount();
        if (finished == 0) {
            throw new NotYetSolved(count == 0 ? text("check.counter.none-finished") : text("check.counter.loop-threw"));
        }
        long expected = (long) finished * perProcess;
        if (count < expected) {
            throw new NotYetSolved(text("check.counter.lost", finished, perProcess, expected, count, expected - count));
        }
        if (count > expected) {
            throw new NotYetSolved(text("check.counter.too-many", count, finished, perProcess));
        }
        pass(text("check.counter.pass", finished, perProcess, expected, count));
    }

    /** The FIFOs {@link #fifoEof} has read to the end, and its verdict: a FIFO's bytes can be read only once. */
    private static final Map<ipclab.fifo.Fifo, String> FIFO_EOF_CHECKED = Collections.synchronizedMap(new WeakHashMap<>());

    /**
     * Reads the FIFO through {@code reader} to end of file and checks that the writer's three
     * lines arrived and that the read ended: no write end of the FIFO was left open in the
     * notebook's JVM. Run again, it repeats its verdict.
     */
    public static void fifoEof(ipclab.fifo.Fifo fifo, ipclab.pipe.Fd reader) throws IOException {
        String verdict = FIFO_EOF_CHECKED.get(fifo);
        if (verdict != null) {
            pass(verdict);
            return;
        }
        if (!fifo.exists() || !reader.isOpen()) {
            throw new NotYetSolved(text("check.fifo.gone"));
        }
        long writers = fifo.openDescriptors().stream().filter(fd -> !fd.equals(reader)).count();
        String received;
        try {
            reader.timeout(Duration.ofSeconds(5));
            received = new String(reader.readAllBytes(), StandardCharsets.UTF_8);
        } catch (PipeTimeoutException e) {
            throw new NotYetSolved(writers > 0 ? text("check.fifo.spare-open") : text("check.fifo.no-eof"));
        }
        if (!received.equals("line 1\nline 2\nline 3\n")) {
            throw new NotYetSolved(text("check.fifo.wrong-lines", received.replace("\n", "\\n")));
        }
        verdict = text("check.fifo.pass");
        FIFO_EOF_CHECKED.put(fifo, verdict);
        pass(verdict);
    }

    /**
     * The signals exercise: the child's three lines reached the store file, and the thread that
     * flushed them was the JVM's {@code "SIGTERM handler"}. The child's status file says how far
     * it got; run again, the check reads the same files again.
     */
    public static void flushOnTerm(ipclab.signal.StoreFile store) throws IOException {
        if (!store.exists()) {
            throw new NotYetSolved(text("check.signal.removed"));
        }
        String status = store.status();
        List<String> onDisk = store.lines();
        List<String> expected = List.of("line 1", "line 2", "line 3");
        if (status.isEmpty() || status.equals("opened") || status.equals("buffered 0")) {
            throw new NotYetSolved(text("check.signal.nothing"));
        }
        if (status.startsWith("buffered ")) {
            throw new NotYetSolved(text("check.signal.not-flushed", status.substring("buffered ".length()), onDisk.size()));
        }
        String thread = status.replaceFirst("^flushed \\d+ in ", "");
        if (!thread.equals("SIGTERM handler")) {
            throw new NotYetSolved(text("check.signal.wrong-thread", thread));
        }
        if (!onDisk.equals(expected)) {
            throw new NotYetSolved(text("check.signal.wrong-lines", onDisk));
        }
        pass(text("check.signal.pass", store.path().getFileName()));
    }

    /**
     * The Unix socket exercise: a killed server left a stale socket file at {@code path}; the
     * learner's server must be bound there again, by {@code UnixServer.bind}, after removing
     * the stale file. The check connects to the path as a client, lets the learner's server
     * accept, and sends one line through.
     */
    public static void staleSocket(java.nio.file.Path path, ipclab.unixsocket.UnixServer server) throws IOException {
        if (server == null) {
            throw new NotYetSolved(text("check.uds.no-server"));
        }
        if (!server.isOpen()) {
            throw new NotYetSolved(text("check.uds.closed"));
        }
        if (!server.path().equals(path)) {
            throw new NotYetSolved(text("check.uds.wrong-path", server.path(), path.getFileName()));
        }
        if (server.replacedStale()) {
            throw new NotYetSolved(text("check.uds.replacing-stale"));
        }
        try (ipclab.unixsocket.SocketConnection client = ipclab.unixsocket.SocketConnection.unix(path);
             ipclab.unixsocket.SocketConnection accepted = server.accept(Duration.ofSeconds(10))) {
            if (accepted == null) {
                throw new NotYetSolved(text("check.uds.nothing-accepted"));
            }
            client.writeLine("Who are you?");
            String got = accepted.readLine(Duration.ofSeconds(10));
            accepted.writeLine(got);
            String back = client.readLine(Duration.ofSeconds(10));
            if (!"Who are you?".equals(back)) {
                throw new NotYetSolved(text("check.uds.wrong-echo", back));
            }
        } catch (IOException e) {
            throw new NotYetSolved(text("check.uds.connect-failed", e.getMessage()));
        }
        pass(text("check.uds.pass", path.getFileName()));
    }

    private static void pass(String why) {
        System.out.println(text("check.pass", why));
    }
}
