package ipclab.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

import ipclab.language.Messages;

/**
 * The memory limit of this process's memory cgroup: what it and every process it starts may use
 * together before the OS kernel's OOM killer picks one of them to kill.
 *
 * <p>An {@code rlimit} ({@code ulimit -v}) is no such limit: it bounds one process's address space,
 * and a JVM reserves far more address space than it uses. The cgroup limit is what Binder and
 * containers set. It is read from {@code /proc/self/cgroup} (which cgroup this process is in) and
 * {@code /proc/self/mountinfo} (where that cgroup's files are):
 * <ul>
 *   <li>cgroup v1: {@code memory.limit_in_bytes} of the {@code memory} controller's cgroup;</li>
 *   <li>cgroup v2: {@code memory.max} of the unified cgroup ({@code max} means no limit).</li>
 * </ul>
 * A cgroup's parents limit it too, so the smallest limit on the way up to the root counts.
 *
 * @param bytes the limit, or empty where none is set
 * @param source where it was read, such as {@code cgroup v1 memory.limit_in_bytes}
 */
public record MemoryLimit(OptionalLong bytes, String source) {
    private static final long MIB = 1 << 20;
    /** cgroup v1 writes "no limit" as a huge number (LONG_MAX rounded down to a page). */
    private static final long NO_LIMIT_V1 = 1L << 62;

    /** The limit of the memory cgroup this process is in. */
    public static MemoryLimit ofThisProcess() {
        try {
            return read(Files.readString(Path.of("/proc/self/cgroup")), Files.readString(Path.of("/proc/self/mountinfo")), Path.of("/"));
        } catch (IOException | RuntimeException e) {
            return new MemoryLimit(OptionalLong.empty(), "no cgroup information (" + e.getMessage() + ")");
        }
    }

    /**
     * Reads the limit given the texts of {@code /proc/self/cgroup} and {@code /proc/self/mountinfo};
     * the mount points are looked up below {@code root} ({@code /}, or a folder in a test).
     */
    public static MemoryLimit read(String procCgroup, String mountinfo, Path root) {
        String v1 = null;
        String v2 = null;
        for (String line : procCgroup.split("\n")) {
            String[] f = line.strip().split(":", 3);
            if (f.length < 3) continue;
            if (f[0].equals("0") && f[1].isEmpty()) v2 = f[2];
            else if (java.util.List.of(f[1].split(",")).contains("memory")) v1 = f[2];
        }
        if (v1 != null) {
            Path dir = cgroupDir(mountinfo, root, v1, false);
            if (dir != null) return walkUp(dir, mountRootOf(mountinfo, root, false), "memory.limit_in_bytes", "cgroup v1");
        }
        if (v2 != null) {
            Path dir = cgroupDir(mountinfo, root, v2, true);
            if (dir != null) return walkUp(dir, mountRootOf(mountinfo, root, true), "memory.max", "cgroup v2");
        }
        return new MemoryLimit(OptionalLong.empty(), "no memory cgroup");
    }

    /** The smallest limit from {@code dir} up to {@code top}, both included. */
    private static MemoryLimit walkUp(Path dir, Path top, String file, String version) {
        long smallest = Long.MAX_VALUE;
        boolean read = false;
        for (Path d = dir; d != null && d.startsWith(top); d = d.getParent()) {
            Path f = d.resolve(file);
            if (!Files.isReadable(f)) continue;
            try {
                String v = Files.readString(f).strip();
                read = true;
                if (!v.equals("max")) {
                    long n = Long.parseLong(v);
                    if (n < NO_LIMIT_V1) smallest = Math.min(smallest, n);
                }
            } catch (IOException | NumberFormatException e) {
                // An unreadable level sets no limit we can see; the others still count.
            }
        }
        String source = version + " " + file;
        if (!read) return new MemoryLimit(OptionalLong.empty(), "no " + source + " readable");
        return new MemoryLimit(smallest == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(smallest), source);
    }

    /** Mount point of the v1 memory controller (or of cgroup2), as a folder below {@code root}. */
    private static Path mountRootOf(String mountinfo, Path root, boolean v2) {
        String[] m = mount(mountinfo, v2);
        return m == null ? null : root.resolve(m[1].substring(1));
    }

    /** The folder of the cgroup {@code path}, below the mount whose root contains it. */
    private static Path cgroupDir(String mountinfo, Path root, String path, boolean v2) {
        String[] m = mount(mountinfo, v2);
        if (m == null) return null;
        String mountRoot = m[0];
        String rel;
        if (mountRoot.equals("/")) rel = path;
        else if (path.equals(mountRoot) || path.startsWith(mountRoot + "/")) rel = path.substring(mountRoot.length());
        else rel = "/"; // a cgroup namespace: this process sees its own cgroup as the mount's root
        Path mountPoint = root.resolve(m[1].substring(1));
        Path dir = rel.equals("/") || rel.isEmpty() ? mountPoint : mountPoint.resolve(rel.substring(1));
        return Files.isDirectory(dir) ? dir : mountPoint;
    }

    /**
     * {root, mount point} of the first cgroup mount with the memory controller (v1) or of type
     * cgroup2, from mountinfo lines "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS ... - TYPE SOURCE SUPEROPTIONS".
     */
    private static String[] mount(String mountinfo, boolean v2) {
        for (String line : mountinfo.split("\n")) {
            int dash = line.indexOf(" - ");
            if (dash < 0) continue;
            String[] left = line.substring(0, dash).split(" ");
            String[] right = line.substring(dash + 3).split(" ");
            if (left.length < 5 || right.length < 3) continue;
            boolean match = v2 ? right[0].equals("cgroup2")
                    : right[0].equals("cgroup") && java.util.List.of(right[2].split(",")).contains("memory");
            if (match) return new String[] {unescape(left[3]), unescape(left[4])};
        }
        return null;
    }

    /** mountinfo writes a space in a path as \040. */
    private static String unescape(String s) {
        return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }

    /** True where a limit is set. */
    public boolean isSet() {
        return bytes.isPresent();
    }

    /** The limit in MiB, rounded down; -1 where none is set. */
    public long mib() {
        return bytes.isPresent() ? bytes.getAsLong() / MIB : -1;
    }

    /** The machine's memory, from {@code MemTotal} in {@code /proc/meminfo}, in bytes; -1 if unknown. */
    public static long machineBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (IOException | NumberFormatException e) {
            // Not Linux, or /proc is hidden: unknown.
        }
        return -1;
    }

    /**
     * One line, such as {@code memory limit: 2048 MiB (cgroup v1 memory.limit_in_bytes)} or
     * {@code memory limit: no limit set (cgroup v1 memory.limit_in_bytes); the machine has 24105 MiB}.
     */
    @Override
    public String toString() {
        if (isSet()) return Messages.text("memory.limit.set", mib(), sourceText());
        long machine = machineBytes();
        return Messages.text("memory.limit.none", sourceText()) + (machine > 0 ? Messages.text("memory.limit.machine", machine / MIB) : "");
    }

    /** {@link #source}, in the notebook's language where it is not a file's name. */
    private String sourceText() {
        String info = "no cgroup information (", readable = " readable";
        if (source.equals("no memory cgroup")) return Messages.text("memory.source.no-cgroup");
        if (source.startsWith(info) && source.endsWith(")"))
            return Messages.text("memory.source.no-info", source.substring(info.length(), source.length() - 1));
        if (source.startsWith("no ") && source.endsWith(readable))
            return Messages.text("memory.source.unreadable", source.substring(3, source.length() - readable.length()));
        return source;
    }
}
