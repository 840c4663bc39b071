package ipclab.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import ipclab.child.ChildProcess;
import ipclab.child.ExitStatus;
import ipclab.client.EchoClient;
import ipclab.tree.ProcessTree;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The echo server with real processes and real sockets on 127.0.0.1. */
class EchoServerTest {
    @TempDir
    static Path dir;
    /** One server for the tests that only add lines of their own to its store. */
    private static EchoServer shared;

    @BeforeAll
    static void startShared() throws IOException {
        shared = EchoServer.start(EchoServer.Options.defaults().port(0).store(dir.resolve("shared.txt")));
    }

    @AfterAll
    static void stopShared() throws Exception {
        ExitStatus exit = shared.stop();
        assertTrue(exit.success(), exit + "\n" + shared.log());
        assertNoZombiesOrLeftovers();
    }

    @BeforeAll
    static void becomeSubreaper() {
        // Orphans of a server that died would be adopted by this JVM, not by init, so the
        // checks below would see them.
        Subreaper.become();
    }

    /**
     * How long the checks below give the processes to settle: a handler that retires (idle
     * spares beyond the wanted number exit) is a zombie until the server's next reaping pass,
     * which a busy machine may delay. A zombie or process that is still there after this bound
     * is left behind for good.
     */
    private static final Duration SETTLE = Duration.ofSeconds(10);

    @AfterEach
    void noZombiesOrStrayServerProcesses() throws Exception {
        ProcessTree tree = settledTree(false);
        assertEquals(List.of(), tree.zombies(), "zombies under the test JVM");
        assertEquals(List.of(), serverProcesses(tree, false), "server processes left behind (pids)");
    }

    static void assertNoZombiesOrLeftovers() throws Exception {
        ProcessTree tree = settledTree(true);
        assertEquals(List.of(), tree.zombies(), "zombies under the test JVM");
        assertEquals(List.of(), serverProcesses(tree, true), "server processes left behind (pids)");
    }

    /**
     * The tree below the test JVM once it has no zombie and no stray server process, or as it is
     * after {@link #SETTLE} if it never gets there. Orphans this JVM adopted are reaped on each look.
     */
    private static ProcessTree settledTree(boolean sharedToo) throws Exception {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (true) {
            Subreaper.reapOrphans();
            ProcessTree tree = ProcessTree.ofThisProcess();
            boolean settled = tree.zombies().isEmpty() && serverProcesses(tree, sharedToo).isEmpty();
            if (settled || System.nanoTime() > deadline) return tree;
            Thread.sleep(20);
        }
    }

    /** Server processes below the test JVM: all of them, or those not of the running shared server. */
    private static List<Long> serverProcesses(ProcessTree tree, boolean sharedToo) {
        return tree.descendants().stream()
                .filter(p -> p.command().contains("ipclab.server."))
                .filter(p -> sharedToo || shared == null || (p.pid() != shared.pid() && p.ppid() != shared.pid()))
                .map(ProcessTree.Proc::pid).toList();
    }

    /**
     * The lines the storing process has finished, each ended by its newline. The file may be read
     * while a line is being written (a long line is one write(2), its newline another, and a
     * reader may see part of a write): the unfinished tail after the last newline is not a line yet.
     */
    private static List<String> storedLines(Path store) throws IOException {
        String text = Files.readString(store, StandardCharsets.ISO_8859_1);
        String finished = text.substring(0, text.lastIndexOf('\n') + 1);
        return finished.isEmpty() ? List.of() : Arrays.asList(finished.substring(0, finished.length() - 1).split("\n", -1));
    }

    private static <T> List<T> runAll(int threads, List<Callable<T>> tasks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<T> results = new ArrayList<>();
            for (Future<T> f : pool.invokeAll(tasks, 120, TimeUnit.SECONDS)) results.add(f.get());
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void loadWithNoLossEveryLineSentIsStored() throws Exception {
        int clients = 8;
        int lines = 300;
        List<Callable<Integer>> tasks = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int id = c;
            tasks.add(() -> {
                try (EchoClient client = shared.connect()) {
                    for (int i = 0; i < lines; i++) {
                        String line = "load " + id + " " + i + " " + "x".repeat(i % 50);
                        assertEquals(line, client.echo(line));
                    }
                }
                return lines;
            });
        }
        runAll(clients, tasks);
        long before = shared.status().storedLines();
        shared.awaitStatus(s -> s.storedLines() >= before, Duration.ofSeconds(5));
        Map<String, Integer> stored = new HashMap<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        do {
            stored.clear();
            for (String l : storedLines(shared.store())) if (l.startsWith("load ")) stored.merge(l, 1, Integer::sum);
            if (stored.size() == clients * lines) break;
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        assertEquals(clients * lines, stored.size(), "distinct load lines in the store");
        for (int c = 0; c < clients; c++) {
            for (int i = 0; i < lines; i++) {
                String line = "load " + c + " " + i + " " + "x".repeat(i % 50);
                assertEquals(1, stored.getOrDefault(line, 0), "stored once: " + line);
            }
        }
    }

    @Test
    void concurrentLinesLongerThanPipeBufAreNeverMixed() throws Exception {
        int clients = 6;
        int[] lengths = {5_000, 70_000, 1 << 20}; // over PIPE_BUF, over the pipe's capacity, the line limit
        List<Callable<Integer>> tasks = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int id = c;
            tasks.add(() -> {
                byte letter = (byte) ('A' + id);
                try (EchoClient client = shared.connect()) {
                    client.timeout(Duration.ofSeconds(60));
                    for (int len : lengths) {
                        byte[] line = new byte[len + 1];
                        Arrays.fill(line, letter);
                        line[len] = '\n';
                        // Write and read at once: a 1 MiB echo does not fit in the socket buffers.
                        Thread writer = new Thread(() -> {
                            try {
                                client.send(line);
                            } catch (IOException e) {
                                throw new RuntimeException(e);
                            }
                        });
                        writer.start();
                        assertArrayEquals(line, client.receive(line.length), "echo of a " + len + "-byte line");
                        writer.join();
                    }
                }
                return id;
            });
        }
        runAll(clients, tasks);
        // 6.5 MB go through the pipe and the storing process: on a busy machine that can take a while.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<String> mine;
        do {
            mine = storedLines(shared.store()).stream()
                    .filter(l -> l.length() >= 5000 && l.charAt(0) >= 'A' && l.charAt(0) < 'A' + clients).toList();
            if (mine.size() == clients * lengths.length) break;
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        assertEquals(clients * lengths.length, mine.size(), "long lines stored");
        for (String line : mine) {
            char first = line.charAt(0);
            assertTrue(line.chars().allMatch(ch -> ch == first), "a line mixes clients' bytes: starts with " + first);
            assertTrue(line.length() == 5_000 || line.length() == 70_000 || line.length() == 1 << 20, "length " + line.length());
        }
    }

    @Test
    void binaryBytesAreEchoedAndStoredExactly() throws Exception {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        line.writeBytes("bin:".getBytes(StandardCharsets.US_ASCII));
        for (int b = 0; b < 256; b++) if (b != '\n') line.write(b);
        line.writeBytes(new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xFE, 0}); // not UTF-8
        line.write('\n');
        byte[] sent = line.toByteArray();
        try (EchoClient client = shared.connect()) {
            assertArrayEquals(sent, client.echo(sent));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            byte[] store = Files.readAllBytes(shared.store());
            if (indexOf(store, sent) >= 0) {
                int at = indexOf(store, sent);
                assertTrue(at == 0 || store[at - 1] == '\n', "the binary line starts a line");
                return;
            }
            if (System.nanoTime() > deadline) throw new AssertionError("the binary line is not in the store byte for byte");
            Thread.sleep(20);
        }
    }

    @Test
    void aClientResetMidLineDoesNotStopTheServerAndItsPartialLineIsStored() throws Exception {
        EchoClient rude = shared.connect();
        assertEquals("before reset", rude.echo("before reset"));
        rude.send("half a line, then a reset");
        assertEquals("half a line, then a reset", new String(rude.receive(25), StandardCharsets.UTF_8));
        rude.reset();
        try (EchoClient next = shared.connect()) {
            assertEquals("still serving", next.echo("still serving"));
        }
        assertTrue(shared.isRunning());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!storedLines(shared.store()).contains("half a line, then a reset")) {
            if (System.nanoTime() > deadline) throw new AssertionError("the partial line was not stored as a line");
            Thread.sleep(20);
        }
    }

    @Test
    void twoHundredConcurrentConnectionsAreServedThenIdleHandlersRetireAndAreReaped() throws Exception {
        Path store = dir.resolve("two-hundred.txt");
        try (EchoServer server = EchoServer.start(EchoServer.Options.defaults().port(0).store(store).maxClients(16).spares(2))) {
            int n = 200;
            List<EchoClient> clients = new ArrayList<>();
            for (int i = 0; i < n; i++) clients.add(server.connect()); // all connected at once: the rest wait in the backlog
            List<Callable<String>> tasks = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                EchoClient c = clients.get(i);
                String line = "client " + i;
                tasks.add(() -> {
                    c.timeout(Duration.ofSeconds(90));
                    try (c) {
                        return c.echo(line);
                    }
                });
            }
            List<String> echoes = runAll(n, tasks);
            for (int i = 0; i < n; i++) assertEquals("client " + i, echoes.get(i));
            ServerStatus s = server.awaitStoredLines(n);
            assertEquals(n, s.storedLines());
            assertTrue(s.handlersStarted() <= 16 + 2, "a handler per client at a time, at most 16: " + s);
            // After the burst, spares beyond two retire (exit) and the server reaps them.
            // A zombie has no command line, so a handler that just retired is not counted as a
            // handler but as a zombie until the server's next reaping pass: wait for both.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            ProcessTree tree = ProcessTree.of(server.pid());
            while ((handlers(tree) > 2 || !tree.zombies().isEmpty()) && System.nanoTime() < deadline) {
                Thread.sleep(200);
                tree = ProcessTree.of(server.pid());
            }
            assertEquals(2, handlers(tree), tree.toString());
            assertEquals(List.of(), tree.zombies(), "zombies under the server");
        }
    }

    @Test
    void theServerSaysItListensOnceItsSparesWaitAndClientsThatStayConnectedStillGetAHandlerEach() throws Exception {
        Path store = dir.resolve("stay-connected.txt");
        try (EchoServer server = EchoServer.start(EchoServer.Options.defaults().port(0).store(store).spares(2))) {
            assertEquals(2, server.status().spareHandlers(), server.status().toString());
            // Five clients stay connected: the two spares take two, the pool grows for the others.
            List<EchoClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 5; i++) clients.add(server.connect());
                for (int i = 0; i < 5; i++) {
                    clients.get(i).timeout(Duration.ofSeconds(60));
                    assertEquals("staying " + i, clients.get(i).echo("staying " + i));
                }
                assertEquals(5, server.awaitStatus(s -> s.connectedClients() == 5, Duration.ofSeconds(10)).connectedClients());
            } finally {
                for (EchoClient c : clients) c.close();
            }
            ServerStatus s = server.awaitStoredLines(5);
            assertEquals(5, s.storedLines());
            assertTrue(s.handlersStarted() >= 5, s.toString());
        }
    }

    private static long handlers(ProcessTree tree) {
        return tree.descendants().stream().filter(p -> p.command().contains("EchoHandler")).count();
    }

    @Test
    void aKilledStoringProcessIsNoticedRestartedAndItsLossCounted() throws Exception {
        Path store = dir.resolve("killed.txt");
        long sent = 0;
        EchoServer server = EchoServer.start(EchoServer.Options.defaults().port(0).store(store));
        try (server; EchoClient client = server.connect()) {
            for (int i = 0; i < 200; i++) {
                String line = "before " + i;
                client.echo(line);
                sent += line.length() + 1;
            }
            server.awaitStoredLines(200);
            long oldStore = server.status().storePid();
            ProcessHandle.of(oldStore).orElseThrow().destroyForcibly(); // SIGKILL
            long killedAt = System.nanoTime();
            ServerStatus s = server.awaitStatus(st -> st.storeRestarts() == 1, Duration.ofSeconds(5));
            long noticedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
            assertEquals(1, s.storeRestarts(), server.log());
            assertTrue(noticedMs < 1000, "noticed after " + noticedMs + " ms");
            assertNotEquals(oldStore, s.storePid());
            String notice = "echo-server: the storing process " + oldStore + " died (was killed by SIGKILL); ";
            long logDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5); // the log comes through a pipe, the count through memory
            while (!server.log().contains(notice) && System.nanoTime() < logDeadline) Thread.sleep(10);
            assertTrue(server.log().contains(notice), server.log());
            for (int i = 0; i < 200; i++) {
                String line = "after " + i;
                client.echo(line);
                sent += line.length() + 1;
            }
        }
        ExitStatus exit = server.stop();
        assertTrue(exit.success(), exit + "\n" + server.log());
        ServerStatus last = server.status();
        assertEquals(sent, last.storedBytes() + last.unstoredBytes(), "every byte is stored or counted as lost: " + last);
        List<String> lines = storedLines(store);
        for (int i = 0; i < 200; i++) assertTrue(lines.contains("after " + i), "after " + i);
    }

    @Test
    void noZombieRemainsAfterClientsComeAndGo() throws Exception {
        for (int i = 0; i < 20; i++) {
            try (EchoClient c = shared.connect()) {
                assertEquals("short visit " + i, c.echo("short visit " + i));
            }
        }
        // The server reaps every 10 ms, but a busy machine may delay that pass: wait for the
        // zombies to be gone, within a bound; one that stays fails the test.
        ProcessTree tree = settledTree(false);
        assertEquals(List.of(), tree.zombies().stream().filter(p -> p.ppid() == shared.pid()).toList(), "zombies under the server");
        assertEquals(List.of(), tree.zombies(), "zombies under the test JVM");
    }

    @Test
    void aPortInUseGivesOneClearLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            IOException e = assertThrows(IOException.class,
                    () -> EchoServer.start(EchoServer.Options.defaults().port(port).store(dir.resolve("in-use.txt"))));
            assertEquals("echo-server: cannot listen on 127.0.0.1:" + port + ": address already in use", e.getMessage());
        }
    }

    @Test
    void badArgumentsAndAnUnwritableStoreGiveOneClearLineAndAFailingExit() throws Exception {
        assertEquals("--port needs a number from 0 to 65535, not 'abc'",
                assertThrows(IllegalArgumentException.class, () -> EchoServer.Options.parse("--port", "abc")).getMessage());
        assertEquals("--port needs a number from 0 to 65535, not 70000",
                assertThrows(IllegalArgumentException.class, () -> EchoServer.Options.parse("--port=70000")).getMessage());
        assertEquals("--store needs a value",
                assertThrows(IllegalArgumentException.class, () -> EchoServer.Options.parse("--store")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> EchoServer.Options.parse("--colour", "red"))
                .getMessage().startsWith("unknown option '--colour' (usage: echo-server "));
        assertEquals(EchoServer.Options.defaults().port(0).store(Path.of("x.txt")),
                EchoServer.Options.parse("--port", "0", "--store", "x.txt"));

        assertEquals(new Run(2, "echo-server: --max-clients needs a number from 1 to 4096, not 0\n"), run("--max-clients", "0"));
        assertEquals(new Run(1, "echo-server: cannot write the store file /nonexistent/dir/echomsg.txt: no such folder\n"),
                run("--port", "0", "--store", "/nonexistent/dir/echomsg.txt"));
        Path readOnly = Files.createDirectory(dir.resolve("read-only"));
        readOnly.toFile().setWritable(false);
        if (!Files.isWritable(readOnly)) { // root may write anywhere
            assertEquals(new Run(1, "echo-server: cannot write the store file " + readOnly.resolve("m.txt") + ": permission denied\n"),
                    run("--port", "0", "--store", readOnly.resolve("m.txt").toString()));
        }
    }

    @Test
    void handlersThatCannotStartStopTheServerWithOneClearLineInsteadOfARespawnLoop() throws Exception {
        ChildProcess p = EchoServerMain.jvm(ChildProcess.builder())
                .jvmOption("-D" + EchoServerMain.HANDLER_JVM_OPTIONS + "=-XX:+NoSuchVmOption")
                .main(EchoServerMain.class, "--port", "0", "--store", dir.resolve("never.txt").toString())
                .classpath(System.getProperty("java.class.path")).showOutput(false).start();
        ExitStatus exit = p.waitFor(Duration.ofSeconds(30));
        assertEquals(1, exit.code(), p.output());
        // The handlers' stderr is the server's own, so a handler JVM's last line and the server's
        // line can be written into one another: look for the server's line anywhere, not as a line.
        String output = p.output();
        String stopping = "echo-server: handler processes exit as they start (exited with status 1): "
                + "Unrecognized VM option 'NoSuchVmOption'; stopping";
        assertTrue(output.contains(stopping), output);
        // A few starts (the spares start together), not a loop: the JVM complains once per handler.
        long complaints = output.replace(stopping, "").split("Unrecognized VM option", -1).length - 1;
        assertTrue(complaints >= 3 && complaints <= EchoServer.Options.defaults().spares() + 3, output);
        assertEquals(List.of(), ProcessTree.ofThisProcess().zombies(), "zombies under the test JVM");
    }

    private record Run(int code, String output) {}

    private static Run run(String... args) throws IOException {
        ChildProcess p = EchoServerMain.jvm(ChildProcess.builder()).main(EchoServerMain.class, args)
                .classpath(System.getProperty("java.class.path")).showOutput(false).start();
        ExitStatus exit = p.waitFor(Duration.ofSeconds(30));
        return new Run(exit.code(), p.output());
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }
}
