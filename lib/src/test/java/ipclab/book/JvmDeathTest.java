package ipclab.book;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import ipclab.posix.Posix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A C program started from a JVM dies with that JVM, even when the JVM gets SIGKILL and runs no code at all. */
class JvmDeathTest {
    @TempDir
    Path dir;

    /** Runs in a JVM of its own: starts the book's server, says which process group it leads, and waits to be killed. */
    static final class StartServer {
        public static void main(String[] args) throws Exception {
            CProcess server = CProgram.compile("echo_storeserv").withEnv("ECHO_STORE", args[0]).quiet().start("0");
            server.awaitLine("listening on", Duration.ofSeconds(20));
            System.out.println("pgid " + server.pgid());
            System.out.flush();
            Thread.sleep(120_000);
        }
    }

    @Test
    void theProgramsGroupDiesWhenItsJvmIsKilled() throws Exception {
        Process jvm = new ProcessBuilder(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"),
                StartServer.class.getName(), dir.resolve("echomsg.txt").toString())
                .redirectErrorStream(true)
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertNotNull(line, "the JVM printed nothing");
            assertTrue(line.startsWith("pgid "), line);
            long pgid = Long.parseLong(line.substring(5).trim());
            assertTrue(Procs.within(Duration.ofSeconds(10), () -> inGroup(pgid).size() == 2), "server and storing process: " + inGroup(pgid));

            assertTrue(Posix.kill(jvm.pid(), Posix.SIGKILL));
            assertTrue(jvm.waitFor(10, TimeUnit.SECONDS), "the JVM survived SIGKILL");
            assertTrue(Procs.within(Duration.ofSeconds(5), () -> inGroup(pgid).isEmpty()), "left in the group: " + inGroup(pgid));
        } finally {
            jvm.destroyForcibly();
        }
    }

    /** The processes (not zombies) of a process group, from /proc. */
    private static List<Long> inGroup(long pgid) {
        List<Long> found = new ArrayList<>();
        String[] names = new File("/proc").list();
        if (names == null) return found;
        for (String name : names) {
            if (!name.chars().allMatch(Character::isDigit)) continue;
            try {
                String stat = Files.readString(Paths.get("/proc", name, "stat"));
                String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                if (Long.parseLong(rest[2]) == pgid && !rest[0].equals("Z")) found.add(Long.parseLong(name));
            } catch (Exception e) {
                // Gone meanwhile.
            }
        }
        return found;
    }
}
