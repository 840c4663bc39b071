package ipclab.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ipclab.server.EchoServer;

class MemoryLimitTest {
    private static final long MIB = 1 << 20;
    private static final String V1_MOUNTS = "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
            + "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
    private static final String V2_MOUNTS = "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n";

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text + "\n");
    }

    @Test
    void v1ReadsTheSmallestLimitOnTheWayUp(@TempDir Path root) throws IOException {
        Path mem = root.resolve("sys/fs/cgroup/memory");
        write(mem.resolve("memory.limit_in_bytes"), "9223372036854771712");
        write(mem.resolve("binder/memory.limit_in_bytes"), Long.toString(2048 * MIB));
        write(mem.resolve("binder/user/memory.limit_in_bytes"), "9223372036854771712");
        MemoryLimit limit = MemoryLimit.read("4:memory:/binder/user\n0::/\n", V1_MOUNTS, root);
        assertEquals(2048, limit.mib());
        assertEquals("memory limit: 2048 MiB (cgroup v1 memory.limit_in_bytes)", limit.toString());
    }

    @Test
    void v1WithoutALimitSaysSo(@TempDir Path root) throws IOException {
        write(root.resolve("sys/fs/cgroup/memory/a/memory.limit_in_bytes"), "9223372036854771712");
        write(root.resolve("sys/fs/cgroup/memory/memory.limit_in_bytes"), "9223372036854771712");
        MemoryLimit limit = MemoryLimit.read("9:name=systemd:/\n4:memory:/a\n", V1_MOUNTS, root);
        assertFalse(limit.isSet());
        assertTrue(limit.toString().startsWith("memory limit: no limit set (cgroup v1 memory.limit_in_bytes)"), limit.toString());
        assertEquals(HandlerBudget.CEILING, HandlerBudget.of(limit).maxHandlers());
    }

    @Test
    void v1InACgroupNamespaceReadsTheMountsRoot(@TempDir Path root) throws IOException {
        // Inside a container, /proc/self/cgroup may name a path the mount does not show.
        write(root.resolve("sys/fs/cgroup/memory/memory.limit_in_bytes"), Long.toString(1024 * MIB));
        String mounts = "35 31 0:32 /kubepods/pod1 /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory\n";
        assertEquals(1024, MemoryLimit.read("4:memory:/somewhere/else\n", mounts, root).mib());
        assertEquals(1024, MemoryLimit.read("4:memory:/kubepods/pod1\n", mounts, root).mib());
    }

    @Test
    void v2ReadsMemoryMax(@TempDir Path root) throws IOException {
        write(root.resolve("sys/fs/cgroup/user.slice/memory.max"), "max");
        write(root.resolve("sys/fs/cgroup/user.slice/jupyter/memory.max"), Long.toString(1000 * MIB));
        MemoryLimit limit = MemoryLimit.read("0::/user.slice/jupyter\n", V2_MOUNTS, root);
        assertEquals(1000, limit.mib());
        assertEquals("cgroup v2 memory.max", limit.source());
        write(root.resolve("sys/fs/cgroup/user.slice/jupyter/memory.max"), "max");
        assertFalse(MemoryLimit.read("0::/user.slice/jupyter\n", V2_MOUNTS, root).isSet());
    }

    @Test
    void noCgroupAtAll(@TempDir Path root) {
        MemoryLimit limit = MemoryLimit.read("", "", root);
        assertFalse(limit.isSet());
        assertEquals("no memory cgroup", limit.source());
    }

    @Test
    void thisProcessGivesOneLine() {
        String line = MemoryLimit.ofThisProcess().toString();
        assertTrue(line.matches("memory limit: (\\d+ MiB|no limit set) \\(.*\\).*"), line);
        assertFalse(line.contains("\n"));
    }

    @Test
    void budgetFollowsTheLimit() {
        assertEquals(32, HandlerBudget.forBytes(1024 * MIB).maxHandlers());
        assertEquals(64, HandlerBudget.forBytes(2048 * MIB).maxHandlers());
        assertEquals(1, HandlerBudget.forBytes(256 * MIB).maxHandlers());
        assertTrue(HandlerBudget.forBytes(1024 * MIB).maxHandlers() * HandlerBudget.PER_HANDLER_BYTES + HandlerBudget.SERVER_BYTES
                + HandlerBudget.NOTEBOOK_JVM_BYTES < 1024 * MIB);
        assertEquals("32 handlers at most (for a memory limit of 1024 MiB)", HandlerBudget.forBytes(1024 * MIB).toString());
    }

    @Test
    void sizes() {
        assertEquals(1L << 30, HandlerBudget.parseSize("1g"));
        assertEquals(512 * MIB, HandlerBudget.parseSize("512M"));
        assertEquals(512 * MIB, HandlerBudget.parseSize("512mb"));
        assertEquals(4096, HandlerBudget.parseSize("4k"));
        assertEquals(1000, HandlerBudget.parseSize("1000"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EchoServer.Options.parse("--memory", "lots"));
        assertEquals("--memory needs a size in bytes, or with k, m or g, such as 1g or 512m, not 'lots'", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> HandlerBudget.parseSize("-1g"));
    }

    @Test
    void theServerOptionDerivesTheCap() {
        assertEquals(32, EchoServer.Options.parse("--memory", "1g").maxClients());
        assertEquals(10, EchoServer.Options.parse("--memory", "1g", "--max-clients", "10").maxClients());
        assertEquals(32, EchoServer.Options.parse("--max-clients=100", "--memory=1g").maxClients());
        assertEquals(100, EchoServer.Options.parse("--max-clients", "100").maxClients());
        assertEquals(HandlerBudget.ofThisProcess().maxHandlers(), EchoServer.Options.defaults().maxClients());
    }

    @Test
    void useOfThisProcess() {
        MemoryUse use = MemoryUse.ofTree(ProcessHandle.current().pid());
        assertTrue(use.processes() >= 1);
        assertTrue(use.pssBytes() > 0 && use.pssBytes() <= use.rssBytes(), use.toString());
        assertEquals(0, MemoryUse.ofTree(Long.MAX_VALUE / 2).processes());
        MemoryUse one = MemoryUse.of(ProcessHandle.current().pid());
        assertEquals(1, one.processes());
        assertTrue(one.toString().startsWith("1 process: "), one.toString());
    }
}
