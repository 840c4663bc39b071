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

/**
 * The checks behind the exercise cells. Each prints one short line when the exercise is
 * solved and otherwise throws {@link NotYetSolved} with one hint. Nothing goes to stderr.
 */
public final class Check {
    /**
     * One multiple-choice question: the notebook variable that holds the learner's answer (named
     * in the hints), the right letter, why it is right, and a hint for each wrong letter.
     */
    private record Choice(String variable, char answer, String why, Map<Character, String> hints) {}

    private static final Map<String, Choice> CHOICES = Map.of(
            "ipc-memory", new Choice("q1", 'C',
                    "IPC needs memory that both processes can reach, and a process's own memory is its alone.",
                    Map.of('A', "Threads share a heap; processes do not. What would two processes need to share?",
                            'B', "fork() gives the child a copy of the parent's memory: after it, a change to an ordinary variable in one copy is invisible in the other.",
                            'D', "A file is one way to share, but the question is what IPC needs in terms of memory.")),
            "ipc-kernel", new Choice("q2", 'B',
                    "Only the OS kernel can reach into two processes' worlds: it owns the pipe's buffer and both descriptor tables.",
                    Map.of('A', "Speed is not the reason: a pipe copies bytes twice, through the OS kernel.",
                            'C', "The JVM forbids nothing here: two C programs meet the same wall. What keeps a process out of another's memory?",
                            'D', "Java has pipes only because the operating system provides them.")),
            "pipe-owner", new Choice("q3a", 'B',
                    "The OS kernel owns the pipe; fork() copies the descriptors (posix_spawn here passes on those it is told to keep), so both processes refer to the one pipe.",
                    Map.of('A', "If the child got its own pipe, how would the parent's bytes reach it?",
                            'C', "Look at /proc/<pid>/fd: both processes show the same pipe:[inode].",
                            'D', "A pipe has no owner process: it lives until the last descriptor to it is closed.")),
            "pipe-one-way", new Choice("q3b", 'A',
                    "Bytes in a pipe have no addressee: whoever calls read() first takes them, even the process that wrote them.",
                    Map.of('B', "Both ends can be held by both processes; nothing forbids the write. What goes wrong after it?",
                            'C', "A pipe holds 64 KiB by default; pipe2's messages are a few bytes.",
                            'D', "A pipe never reorders bytes. Who reads them, though?")));

    private Check() {}

    /**
     * A multiple-choice answer: one letter from A to D, as a {@code char} or a one-letter
     * {@code String}, in either case ({@code 'C'}, {@code "C"}, {@code 'c'}, {@code "c"}). The
     * notebook declares the answer variable as {@code Object}, so that each of these compiles.
     */
    public static void choice(String question, Object answer) {
        Choice c = CHOICES.get(question);
        if (c == null) throw new IllegalArgumentException("no question named '" + question + "'; one of " + CHOICES.keySet());
        String example = c.variable() + " = 'X';  with your letter in place of X";
        if (answer == null) {
            throw new NotYetSolved("No answer yet: in the answer cell above, write one letter in quotes, as in  " + example
                    + ", run that cell, then run this check again.");
        }
        String text = answer instanceof Character ch ? String.valueOf(ch)
                : answer instanceof String s ? s.strip()
                : null;
        if (text == null) {
            throw new NotYetSolved("Answer with one letter in quotes, as in  " + example + ", not with the "
                    + answer.getClass().getSimpleName() + " " + answer + ".");
        }
        if (text.length() != 1 || !Character.isLetter(text.charAt(0))) {
            throw new NotYetSolved("Answer with just one letter, A, B, C or D, as in  " + example + ", not \"" + text + "\".");
        }
        char given = Character.toUpperCase(text.charAt(0));
        if (given < 'A' || given > 'D') {
            throw new NotYetSolved(given + " is not one of the choices: answer with one of the letters A, B, C or D.");
        }
        if (given == c.answer()) {
            pass(c.why());
            return;
        }
        throw new NotYetSolved("Not " + given + ". " + c.hints().get(given));
    }

    /** Two pipes, three rounds: the parent heard the child's three pings, the child printed three pongs. */
    public static void exchange(List<String> heard) {
        List<String> pings = List.of("ping 1", "ping 2", "ping 3");
        if (heard == null || heard.isEmpty()) {
            throw new NotYetSolved("The parent heard nothing: in the parent's branch, read each ping from the child's pipe and add it to heard.");
        }
        if (!heard.equals(pings)) {
            throw new NotYetSolved("The parent heard " + heard + " but expected " + pings
                    + ". If two pings arrived in one read, the child did not wait for each pong before sending the next ping.");
        }
        String child = Fork.lastOutput();
        for (int i = 1; i <= 3; i++) {
            if (!child.contains("pong " + i)) {
                throw new NotYetSolved("The child never printed 'pong " + i + "': it should read each reply from the parent's pipe and print it.");
            }
        }
        pass("three rounds over two pipes, each message read by the process it was meant for.");
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
            throw new NotYetSolved("toParent and toChild are the same pipe (pipe:[" + one + "]): run the exercise's setup cell, which opens two.");
        }
        if (toParent.writeEnd().bytesWritten() > 0) {
            throw new NotYetSolved("The parent wrote into toParent, the child's pipe to the parent. With one pipe both ways, a process can read back its own message, as in pipe2: "
                    + "answer through toChild. Then run the setup cell for fresh pipes, and your solution again.");
        }
        if (toChild.readEnd().bytesRead() > 0) {
            throw new NotYetSolved("The parent read from toChild, its own pipe to the child: read the pings from toParent. "
                    + "Then run the setup cell for fresh pipes, and your solution again.");
        }
        if (toParent.readEnd().bytesRead() == 0) {
            throw new NotYetSolved("The parent never read from toParent (pipe:[" + one + "]): read each ping there and add it to heard.");
        }
        if (toChild.writeEnd().bytesWritten() == 0) {
            throw new NotYetSolved("The parent never wrote into toChild (pipe:[" + other + "]): answer each ping there.");
        }
        List<String> pings = List.of("ping 1", "ping 2", "ping 3");
        if (heard == null || !heard.equals(pings)) {
            throw new NotYetSolved("The parent heard " + heard + " but expected " + pings
                    + ". If two pings arrived in one read, the child did not wait for each pong before sending the next ping.");
        }
        String child = Fork.lastOutput();
        int from = 0;
        for (int i = 1; i <= 3; i++) {
            int at = child.indexOf("pong " + i, from);
            if (at < 0) {
                throw new NotYetSolved("The child never printed 'pong " + i + "' (after the earlier pongs): it should read each reply from toChild and print it.");
            }
            from = at;
        }
        // The pongs the parent wrote must have been read, by the child: a child that printed
        // "pong i" without reading leaves them in toChild. (Once the pipe is closed this cannot
        // be seen any more; the notebook runs the check before its clean-up cell.)
        if (toChild.readEnd().isOpen() && (Posix.poll(toChild.readEnd().number(), Posix.POLLIN, 0) & Posix.POLLIN) != 0) {
            throw new NotYetSolved("The parent's pongs are still in toChild (pipe:[" + other + "]): the child printed them without reading them. "
                    + "In the child's branch, read each reply from toChild. Then run the setup cell for fresh pipes, and your solution again.");
        }
        pass("three rounds over two pipes (pipe:[" + one + "] up, pipe:[" + other + "] down), each message read by the process it was meant for.");
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
            throw new NotYetSolved("The parent still holds the write end, so its own read can never see end of file: close it in the parent's branch.");
        }
        if (!pipe.readEnd().isOpen()) {
            throw new NotYetSolved("The parent closed its read end, so it cannot read the child's lines: close only the end it does not use.");
        }
        String received;
        try {
            pipe.readEnd().timeout(Duration.ofSeconds(2));
            received = new String(pipe.readEnd().readAllBytes(), StandardCharsets.UTF_8);
        } catch (PipeTimeoutException e) {
            throw new NotYetSolved("The read never reached end of file: some process still holds a write end.");
        }
        if (!received.equals("line 1\nline 2\nline 3\n")) {
            throw new NotYetSolved("The parent should read exactly the child's three lines, then end of file; it got \""
                    + received.replace("\n", "\\n") + "\"");
        }
        verdict = "all three lines and then end of file: every write end was closed.";
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
            throw new NotYetSolved("Another socket pair was opened after the exercise's one: run the setup cell (ex-socketpair-setup), then your solution, then this check.");
        }
        if (channel.sv1().bytesRead() > 0 || channel.sv1().bytesWritten() > 0) {
            throw new NotYetSolved("The parent used sv[1], the child's end: run the setup cell for a fresh pair, and your solution again.");
        }
        List<String> pings = List.of("ping 1", "ping 2", "ping 3");
        if (heard == null || heard.isEmpty()) {
            throw new NotYetSolved("The parent heard nothing: in the child's branch, write \"ping 1\" into channel.sv1(), read the reply from channel.sv1() and print it, three times.");
        }
        if (!heard.equals(pings)) {
            throw new NotYetSolved("The parent heard " + heard + " but expected " + pings
                    + ". SOCK_STREAM keeps no message boundaries: the child must wait for each pong before it sends the next ping.");
        }
        String child = Fork.lastOutput();
        int from = 0;
        for (int i = 1; i <= 3; i++) {
            int at = child.indexOf("child got: pong " + i, from);
            if (at < 0) {
                throw new NotYetSolved("The child never printed 'child got: pong " + i + "' (after the earlier pongs): read each reply from channel.sv1() and print it.");
            }
            from = at;
        }
        // The child has exited, and the parent closed its sv[1]: a read at sv[0] ends at once.
        // Linux reports ECONNRESET there, not end of file, when sv[1] was closed with bytes
        // still unread in it (net/unix/af_unix.c, unix_release_sock): pongs the child never read.
        String unread = UNREAD_PONGS.computeIfAbsent(channel, Check::pongsLeftUnread);
        if (!unread.isEmpty()) throw new NotYetSolved(unread);
        pass("three rounds over one socket pair (" + pair + "), each message read at the other end only.");
    }

    /**
     * Notebook 14: the worker received the accepted socket over {@code handoff} and answered the
     * client on it. The parent closed its copy right after sending it and never wrote to it, so
     * an answer in upper case can only have come through the worker's received descriptor.
     */
    public static void passedDescriptor(List<String> clientGot, SocketPair handoff) {
        String asked = "pass me on";
        if (handoff.sv1().isOpen()) {
            throw new NotYetSolved("The exchange has not run with this pair yet: run your solution cell (ex-passing-solution), then this check.");
        }
        if (clientGot == null || clientGot.isEmpty()) {
            throw new NotYetSolved("The client got nothing: run your solution cell; if it failed, run the setup cell (ex-passing-setup) first for a fresh pair.");
        }
        String got = clientGot.get(clientGot.size() - 1);
        if (got.startsWith("(")) {
            throw new NotYetSolved("The client got no answer " + got + ": in the worker's branch, take the connection with ScmRights.receive(handoff.sv1()), read the client's line from it and write it back in upper case.");
        }
        if (got.equals(asked)) {
            throw new NotYetSolved("The worker sent the line back unchanged: write it back in upper case, with its newline.");
        }
        if (!got.equals(asked.toUpperCase(java.util.Locale.ROOT))) {
            throw new NotYetSolved("The client got \"" + got + "\" but expected \"PASS ME ON\": write back exactly the line the client sent, in upper case, with its newline.");
        }
        pass("the worker answered \"PASS ME ON\" on the connection it received, which the parent had closed on its side.");
    }

    /** What {@link #socketpairExchange} found at sv[0] for each pair: the error is reported only once by the OS kernel. */
    private static final Map<SocketPair, String> UNREAD_PONGS = Collections.synchronizedMap(new WeakHashMap<>());

    private static String pongsLeftUnread(SocketPair channel) {
        if (!channel.sv0().isOpen() || channel.sv1().isOpen()) return "";
        Duration usual = channel.sv0().timeout();
        channel.sv0().timeout(Duration.ofSeconds(2));
        try {
            String more = channel.sv0().readString();
            return more == null ? "" : "The child wrote more after the three pings (\"" + more + "\"): send exactly ping 1, ping 2 and ping 3.";
        } catch (IOException e) {
            return "The child printed pongs it never read: they were still in sv[1] when it exited (the parent's next read got "
                    + e.getMessage() + "). Read each reply from channel.sv1(). Then run the setup cell for a fresh pair, and your solution again.";
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
            throw new NotYetSolved("This counter is closed (the clean-up cell closed it): run the exercise's first cell for a fresh one, then the fork cell.");
        }
        long count = Integer.toUnsignedLong(counter.get());
        int finished = counter.finishedCount();
        if (finished == 0) {
            throw new NotYetSolved(count == 0
                    ? "No process has run the loop to its end yet: write the increment in the fork cell, run it, then run this check."
                    : "Some increments ran, but no process reached the end of its loop: did the loop body throw?");
        }
        long expected = (long) finished * perProcess;
        if (count < expected) {
            throw new NotYetSolved(String.format("%,d processes × %,d increments should give %,d, the count is %,d: %,d updates lost."
                    + " A load and a store are two steps; make the increment one atomic step on the shared memory (SharedCounter.INT.getAndAdd), or hold a lock across processes.",
                    finished, perProcess, expected, count, expected - count));
        }
        if (count > expected) {
            throw new NotYetSolved(String.format("The count, %,d, is more than %,d processes × %,d: add exactly 1 per pass of the loop.",
                    count, finished, perProcess));
        }
        pass(String.format("%,d processes × %,d increments = %,d, and the count is %,d: no update lost.", finished, perProcess, expected, count));
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
            throw new NotYetSolved("This FIFO or its read end is gone (the clean-up cell closed it): run the exercise's setup cell again, then your solution.");
        }
        long writers = fifo.openDescriptors().stream().filter(fd -> !fd.equals(reader)).count();
        String received;
        try {
            reader.timeout(Duration.ofSeconds(5));
            received = new String(reader.readAllBytes(), StandardCharsets.UTF_8);
        } catch (PipeTimeoutException e) {
            throw new NotYetSolved(writers > 0
                    ? "The read never reached end of file: the notebook's JVM still holds a write end of the FIFO (spare). Close it in the solution cell."
                    : "The read never reached end of file: some process still holds a write end of the FIFO.");
        }
        if (!received.equals("line 1\nline 2\nline 3\n")) {
            throw new NotYetSolved("The reader should get exactly the writer's three lines, then end of file; it got \""
                    + received.replace("\n", "\\n") + "\" (run the setup cell again for a fresh FIFO)");
        }
        verdict = "the three lines and then end of file: the last write end of the FIFO was closed.";
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
            throw new NotYetSolved("This store was removed (the clean-up cell removed it): run the exercise's setup cell, then your solution.");
        }
        String status = store.status();
        List<String> onDisk = store.lines();
        List<String> expected = List.of("line 1", "line 2", "line 3");
        if (status.isEmpty() || status.equals("opened") || status.equals("buffered 0")) {
            throw new NotYetSolved("The child stored nothing: run your solution cell (after the setup cell), with store.addAll(...) of the three lines.");
        }
        if (status.startsWith("buffered ")) {
            throw new NotYetSolved("The child had " + status.substring("buffered ".length()) + " lines in its buffer, but the file holds "
                    + onDisk.size() + ": it ended before flushing. Install a TERM handler that calls store.flushAndClose(), and let the child wait for it (store.awaitClosed).");
        }
        String thread = status.replaceFirst("^flushed \\d+ in ", "");
        if (!thread.equals("SIGTERM handler")) {
            throw new NotYetSolved("The lines reached the file, but thread \"" + thread + "\" flushed them, not a SIGTERM handler: flush in the handler only, so that nothing is lost when SIGTERM comes.");
        }
        if (!onDisk.equals(expected)) {
            throw new NotYetSolved("The file should hold line 1, line 2 and line 3, one per line; it holds " + onDisk + ".");
        }
        pass("the SIGTERM handler flushed the three lines to " + store.path().getFileName() + " before the child exited.");
    }

    /**
     * The Unix socket exercise: a killed server left a stale socket file at {@code path}; the
     * learner's server must be bound there again, by {@code UnixServer.bind}, after removing
     * the stale file. The check connects to the path as a client, lets the learner's server
     * accept, and sends one line through.
     */
    public static void staleSocket(java.nio.file.Path path, ipclab.unixsocket.UnixServer server) throws IOException {
        if (server == null) {
            throw new NotYetSolved("No server yet: in the solution cell, remove the stale file if nobody answers there, then set exServer = UnixServer.bind(exPath).");
        }
        if (!server.isOpen()) {
            throw new NotYetSolved("This server is closed (the clean-up cell closed it): run the exercise's setup cell, then your solution, then this check.");
        }
        if (!server.path().equals(path)) {
            throw new NotYetSolved("The server is bound at " + server.path() + ", not at exPath (" + path.getFileName() + "): bind exPath itself.");
        }
        if (server.replacedStale()) {
            throw new NotYetSolved("UnixServer.bindReplacingStale did the work: decide yourself with SocketFileState.of(exPath), unlink the stale file (Files.delete), then UnixServer.bind(exPath).");
        }
        try (ipclab.unixsocket.SocketConnection client = ipclab.unixsocket.SocketConnection.unix(path);
             ipclab.unixsocket.SocketConnection accepted = server.accept(Duration.ofSeconds(10))) {
            if (accepted == null) {
                throw new NotYetSolved("A client connected to exPath, but your server accepted nothing in 10 s: is exServer the server bound there?");
            }
            client.writeLine("Who are you?");
            String got = accepted.readLine(Duration.ofSeconds(10));
            accepted.writeLine(got);
            String back = client.readLine(Duration.ofSeconds(10));
            if (!"Who are you?".equals(back)) {
                throw new NotYetSolved("A line sent through exPath came back as \"" + back + "\": run the setup cell again, then your solution.");
            }
        } catch (IOException e) {
            throw new NotYetSolved("Connecting to exPath failed (" + e.getMessage() + "): run the setup cell again, then your solution.");
        }
        pass("the stale socket file was removed, and a client reaches your server at " + path.getFileName() + ".");
    }

    private static void pass(String why) {
        System.out.println("✔ Correct. " + why);
    }
}
