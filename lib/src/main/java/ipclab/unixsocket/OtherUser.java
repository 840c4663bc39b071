package ipclab.unixsocket;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A client process ({@link UnixEchoClientMain}) that runs as another user, to show file
 * permissions at work on a socket file.
 *
 * <p>Root passes every permission check on files (the capability CAP_DAC_OVERRIDE,
 * capabilities(7)), so a notebook whose JVM runs as root (as in a container, or CI) could never
 * be refused. Then the client runs as the user {@code nobody}: {@code setpriv --reuid --regid
 * --clear-groups} (util-linux) drops root's user, group and supplementary groups, and with them
 * its capabilities, before it executes {@code java}. The JVM cannot change the user of one of its
 * own threads (setuid(2) changes the whole process), and the notebook's JVM must stay root, so
 * this has to be another process.
 *
 * <p>A notebook's JVM that is not root (on Binder) has no other user to become; it runs the
 * client as itself, and {@link #tryRefused} takes the owner's own write permission away for
 * the moment of the try.
 *
 * <p>The other user may not be able to read the course's jar (say, under a home directory of
 * mode 0700), so the client's one class file is copied next to the socket file, into a folder
 * that user can read, and removed afterwards.
 */
public final class OtherUser {
    private static final long LIMIT_SECONDS = 30;

    private OtherUser() {}

    /** True if this process runs as root: stat(2) of /proc/self, which belongs to the process's user. */
    public static boolean isRoot() throws IOException {
        return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    }

    /** Who the client runs as: {@code nobody} when this process is root, else this process's own user. */
    public static String name() throws IOException {
        return isRoot() ? "nobody" : System.getProperty("user.name");
    }

    /**
     * Runs the client against the socket file at {@code socket}, sending {@code line}, and
     * returns the one line it printed: {@code as nobody: connected, echo "..."} or
     * {@code as nobody: connect(PATH): Permission denied (EACCES)}.
     */
    public static String connect(Path socket, String line) throws IOException {
        Path dir = socket.getParent();
        Path classes = Files.createTempDirectory(dir, "client-");
        try {
            copyClientClass(classes);
            Files.setPosixFilePermissions(classes, PosixFilePermissions.fromString("rwxr-xr-x"));
            List<String> command = new ArrayList<>();
            if (isRoot()) {
                int[] ids = nobodyIds();
                command.addAll(List.of("setpriv", "--reuid=" + ids[0], "--regid=" + ids[1], "--clear-groups"));
            }
            command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:-UsePerfData", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-Dfile.encoding=UTF-8",
                    "-cp", classes.toString(), UnixEchoClientMain.class.getName(), socket.toString(), line));
            Process p;
            try {
                p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();   // fork + exec
            } catch (IOException e) {
                return "could not start the client (" + command.get(0) + "): " + e.getMessage()
                        + (isRoot() ? "; setpriv is in util-linux" : "");
            }
            try {
                p.getOutputStream().close();
                if (!p.waitFor(LIMIT_SECONDS, TimeUnit.SECONDS)) {                    // waitpid(2), bounded
                    p.destroyForcibly().waitFor();
                    return "the client did not finish within " + LIMIT_SECONDS + " s, so it was killed";
                }
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                return out.isEmpty() ? "the client printed nothing (exit status " + p.exitValue() + ")" : out;
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting for the client; it was killed");
            }
        } finally {
            removeTree(classes);
        }
    }

    /**
     * A client that may not connect: as root, the client as {@code nobody} against the file's
     * mode as it is (it must not grant write permission to others); not as root, the client as
     * this user, with the owner's write permission taken away (chmod u-w) for the moment and
     * given back afterwards. Returns the client's line.
     */
    public static String tryRefused(Path socket, String line) throws IOException {
        if (isRoot()) return connect(socket, line);
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(socket, LinkOption.NOFOLLOW_LINKS);
        Set<PosixFilePermission> less = PosixFilePermissions.fromString(PosixFilePermissions.toString(mode));
        less.remove(PosixFilePermission.OWNER_WRITE);
        Files.setPosixFilePermissions(socket, less);                                 // chmod u-w
        try {
            return connect(socket, line);
        } finally {
            Files.setPosixFilePermissions(socket, mode);                             // chmod back
        }
    }

    private static void copyClientClass(Path classes) throws IOException {
        String resource = UnixEchoClientMain.class.getName().replace('.', '/') + ".class";
        Path target = classes.resolve(resource);
        Files.createDirectories(target.getParent());
        try (InputStream in = UnixEchoClientMain.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new IOException("cannot find " + resource + " on the class path");
            Files.copy(in, target);
        }
        for (Path p = target.getParent(); !p.equals(classes.getParent()); p = p.getParent()) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
    }

    /** nobody's uid and primary gid, from /etc/passwd (65534 for both on Debian and Ubuntu). */
    private static int[] nobodyIds() throws IOException {
        for (String l : Files.readAllLines(Path.of("/etc/passwd"))) {
            String[] f = l.split(":");
            if (f.length > 3 && f[0].equals("nobody")) return new int[] {Integer.parseInt(f[2]), Integer.parseInt(f[3])};
        }
        return new int[] {65534, 65534};
    }

    /** Removes the client's copied class folder: unlink(2) each file, rmdir(2) each folder, deepest first. */
    private static void removeTree(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
