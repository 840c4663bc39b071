package ipclab.cleanup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The files and directories this JVM created for the course and has not removed yet. Each
 * class that leaves a name in the file system (a FIFO, a socket directory, a {@code /dev/shm}
 * file, a store file) registers it on creation and unregisters it on close.
 *
 * <p>Two ways a notebook's JVM ends without its clean-up cell:
 * <ul>
 *   <li>it exits (a restart or shutdown of the Jupyter kernel sends a shutdown request, then
 *   SIGTERM): the JVM runs its shutdown hooks, and the one here removes every registered name;</li>
 *   <li>it is killed with SIGKILL: no hook runs, the names stay. {@link #sweep()}, called when
 *   the course's extension loads in the next notebook JVM, removes them: only names of the
 *   course's own patterns, owned by this user, whose pid is of a process that no longer exists
 *   (or is no JVM of this user, or started after the name was made).</li>
 * </ul>
 */
public final class OwnedFiles {
    /**
     * The course's names, each carrying its creator's pid as group 1: FIFO, socket and store
     * directories, a {@code %%fork} cell's compiled classes and the echo server's status file in
     * the temporary directory; the shared
     * counter's and the benchmark's files in {@code /dev/shm} (or the temporary directory when
     * there is no {@code /dev/shm}).
     */
    static final List<Pattern> PATTERNS = List.of(
            Pattern.compile("ipclab-fifo-(\\d+)-\\d+-\\d+"),
            Pattern.compile("ipclab-uds-(\\d+)-\\d+-\\d+"),
            Pattern.compile("ipclab-store-(\\d+)-\\d+-\\d+"),
            Pattern.compile("ipclab-fork-(\\d+)-\\d+"),
            Pattern.compile("ipclab-counter-(\\d+)-\\d+"),
            Pattern.compile("ipclab-bench-(\\d+)-\\d+(\\.sock)?"),
            Pattern.compile("ipclab-echo-(\\d+)-\\d+\\.status"));

    private static final Set<Path> OWNED = new LinkedHashSet<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(OwnedFiles::removeAll, "ipclab-owned-files-remove"));
    }

    private OwnedFiles() {}

    /** This JVM made {@code path} and removes it itself; if it does not, the JVM's exit does. */
    public static synchronized void register(Path path) {
        OWNED.add(path.toAbsolutePath());
    }

    /** {@code path} was removed (or handed on): the exit leaves it alone. Unknown paths are ignored. */
    public static synchronized void unregister(Path path) {
        OWNED.remove(path.toAbsolutePath());
    }

    /** The names registered and not yet unregistered, oldest first. */
    public static synchronized List<Path> all() {
        return new ArrayList<>(OWNED);
    }

    /** Removes every registered name (a directory with everything in it); returns how many there were. */
    public static int removeAll() {
        List<Path> owned = all();
        for (Path p : owned) {
            try {
                removeTree(p);
            } catch (IOException | RuntimeException e) {
                System.err.println("ipclab: could not remove " + p + ": " + e.getMessage());
            }
            unregister(p);
        }
        return owned.size();
    }

    /**
     * Removes the course's files that a JVM killed outright left in {@code /dev/shm} and the
     * system's temporary directory; returns what it removed. Never touches a name of another
     * pattern, of another user, or of a process that still runs as a JVM of this user.
     */
    public static List<Path> sweep() {
        List<Path> removed = new ArrayList<>();
        for (Path dir : List.of(Path.of("/dev/shm"), Path.of(System.getProperty("java.io.tmpdir")))) {
            if (!Files.isDirectory(dir)) continue;
            List<Path> entries;
            try (Stream<Path> s = Files.list(dir)) {
                entries = s.toList();
            } catch (IOException | RuntimeException e) {
                continue;
            }
            for (Path p : entries) {
                try {
                    if (!leftByDeadJvm(p)) continue;
                    removeTree(p);
                    removed.add(p);
                } catch (IOException | RuntimeException e) {
                    // Removed meanwhile, or not ours to remove: leave it.
                }
            }
        }
        return removed;
    }

    /** The pid a course name carries, or empty if the name is none of the course's. */
    static Optional<Long> ownerPid(String name) {
        for (Pattern pattern : PATTERNS) {
            Matcher m = pattern.matcher(name);
            if (m.matches()) {
                try {
                    return Optional.of(Long.parseLong(m.group(1)));
                } catch (NumberFormatException tooLong) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /** A course name of this user whose pid no longer stands for the JVM that made it. */
    static boolean leftByDeadJvm(Path p) throws IOException {
        Optional<Long> pid = ownerPid(p.getFileName().toString());
        if (pid.isEmpty()) return false;
        int uid = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        if (uid != ownUid()) return false;
        if (pid.get() == ProcessHandle.current().pid()) return false;
        Instant made = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant();
        return !jvmOfThisUserSince(pid.get(), made);
    }

    /**
     * True when {@code pid} is a running (not zombie) JVM of this user that started before
     * {@code made}: the process that may still use the name. Anything else (gone, exited,
     * another program, another user, a pid reused later) cannot be the name's maker.
     */
    static boolean jvmOfThisUserSince(long pid, Instant made) {
        Path proc = Path.of("/proc", Long.toString(pid));
        try {
            String stat = Files.readString(proc.resolve("stat"), StandardCharsets.UTF_8);
            int close = stat.lastIndexOf(')');
            String comm = stat.substring(stat.indexOf('(') + 1, close);
            char state = stat.charAt(close + 2);
            if (state == 'Z' || state == 'X') return false;
            if ((Integer) Files.getAttribute(proc, "unix:uid") != ownUid()) return false;
            if (!comm.equals("java")) return false;
            Optional<Instant> started = ProcessHandle.of(pid).flatMap(h -> h.info().startInstant());
            // The name's time is no earlier than its maker's start; a second of slack for clock rounding.
            return started.isEmpty() || !started.get().isAfter(made.plusSeconds(1));
        } catch (IOException | RuntimeException e) {
            return false;          // no /proc/PID: the process is gone
        }
    }

    private static int ownUid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }

    /**
     * unlink(2) of each entry, deepest first, then rmdir(2); symbolic links are removed, never
     * followed. Tried three times: another process (a server unlinking its socket file as it
     * stops) may remove or add an entry meanwhile.
     */
    static void removeTree(Path p) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                removeTreeOnce(p);
                return;
            } catch (IOException | UncheckedIOException e) {
                if (attempt == 3) throw e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
            }
        }
    }

    private static void removeTreeOnce(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return;
        List<Path> all = new ArrayList<>();
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> s = Files.walk(p)) {
                s.sorted(Comparator.reverseOrder()).forEach(all::add);
            }
        } else {
            all.add(p);
        }
        for (Path each : all) Files.deleteIfExists(each);
    }
}
