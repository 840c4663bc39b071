package ipclab.book;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Finds gcc, and compiles a C source from the library's jar into a cached binary.
 *
 * <p>A binary is named after a hash of its source, its flags and the compiler's path, so a
 * changed source or switch compiles again, and an unchanged one is reused across cells, runs of
 * the notebook and JVMs. The cache is a folder {@code ipclab-c} next to the jar (under Maven:
 * next to {@code target/classes}), or under {@code java.io.tmpdir} when that is not writable.
 */
final class Gcc {
    /** Every program compiles with these: a warning is an error, as the course promises. */
    static final List<String> FLAGS = List.of("-Wall", "-Werror", "-O1");
    /** Set to a compiler's path to use that one (a missing file means: no compiler). */
    static final String PROPERTY = "ipclab.gcc";
    private static final long COMPILE_LIMIT_SECONDS = 120;

    private Gcc() {}

    /** The gcc to use, or null when there is none. */
    static Path find() {
        String forced = System.getProperty(PROPERTY);
        if (forced != null) {
            Path p = Paths.get(forced);
            return Files.isRegularFile(p) && Files.isExecutable(p) ? p : null;
        }
        String path = System.getenv("PATH");
        if (path == null) path = "/usr/local/bin:/usr/bin:/bin";
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path p = Paths.get(dir, "gcc");
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return p;
        }
        return null;
    }

    /** The text of a resource of this package, such as {@code c/pipe1.c}; null if absent. */
    static String resource(String name) {
        try (InputStream in = Gcc.class.getResourceAsStream(name)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name + " from the library", e);
        }
    }

    /** The binary for this source and these switches, compiled now unless the cache has it. */
    static synchronized Path compile(Path gcc, String name, String source, List<String> defines) {
        List<String> flags = new ArrayList<>(FLAGS);
        for (String d : defines) flags.add("-D" + d);
        String key = hash(source + '\0' + String.join(" ", flags) + '\0' + gcc.toAbsolutePath());
        // One folder per key, and the binary under its own name: /proc/PID/comm, which ps and
        // top show, is the binary's file name.
        Path dir = cacheDir().resolve(key);
        Path binary = dir.resolve(name);
        if (Files.isExecutable(binary)) return binary;
        try {
            // Another JVM may compile the same binary at the same moment: each writes its own
            // files and renames the finished binary into place, which is atomic.
            Files.createDirectories(dir);
            String unique = "." + ProcessHandle.current().pid() + "-" + Thread.currentThread().getId();
            Path src = dir.resolve(name + ".c");
            Path srcTmp = dir.resolve(name + unique + ".c");
            Files.writeString(srcTmp, source, StandardCharsets.UTF_8);
            Files.move(srcTmp, src, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Path tmp = dir.resolve(name + unique);
            List<String> command = new ArrayList<>();
            command.add(gcc.toString());
            command.addAll(flags);
            command.addAll(List.of("-o", tmp.toString(), src.toString()));
            // ProcessBuilder is enough for a compiler: it closes the JVM's other descriptors in
            // the child, and its output is read whole.
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = in.readAllBytes();
            }
            boolean done;
            try {
                done = p.waitFor(COMPILE_LIMIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while gcc compiled " + name + ".c");
            }
            if (!done) {
                p.destroyForcibly();
                throw new IllegalStateException("gcc took longer than " + COMPILE_LIMIT_SECONDS + " s for " + name + ".c");
            }
            if (p.exitValue() != 0) {
                Files.deleteIfExists(tmp);
                throw new IllegalStateException("gcc " + String.join(" ", flags) + " " + name + ".c failed:\n"
                        + new String(out, StandardCharsets.UTF_8).strip());
            }
            Files.move(tmp, binary, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return binary;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot compile " + name + ".c in " + dir, e);
        }
    }

    private static volatile Path cacheDir;

    /** Next to the library's jar if that is writable, else a folder of this user's under java.io.tmpdir. */
    static Path cacheDir() {
        Path known = cacheDir;
        if (known != null) return known;
        Path dir = null;
        try {
            Path location = Paths.get(Gcc.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            dir = usable(location.toAbsolutePath().getParent().resolve("ipclab-c"));
        } catch (URISyntaxException | RuntimeException e) {
            // No usable location (a jar loaded in an unusual way): fall back below.
        }
        if (dir == null) {
            dir = usable(Paths.get(System.getProperty("java.io.tmpdir"), "ipclab-c-" + System.getProperty("user.name")));
        }
        if (dir == null) {
            try {
                // A shared temporary folder whose name another user has taken: a fresh private one.
                dir = Files.createTempDirectory("ipclab-c-");
            } catch (IOException e) {
                throw new UncheckedIOException("no writable folder for compiled C programs", e);
            }
        }
        cacheDir = dir;
        return dir;
    }

    /** The folder, created private to this user if need be, or null if it cannot be used safely. */
    private static Path usable(Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            // Binaries found here are executed: only a folder of this user's own will do.
            if (!Files.getOwner(dir).getName().equals(System.getProperty("user.name"))) return null;
            Path probe = Files.createTempFile(dir, ".probe", "");
            Files.delete(probe);
            return dir;
        } catch (AccessDeniedException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String hash(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
