package ipclab.child;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

import ipclab.pipe.Fd;

/**
 * A class-data-sharing archive (AppCDS) of the library classes a child JVM loads, so that a
 * child maps them ready-parsed and verified instead of reading them out of the jar: about a
 * quarter less start-up work. It is made once per jar build, by a training child that runs
 * with {@code -XX:ArchiveClassesAtExit}, and kept next to the jar
 * ({@code ipclab-child-KEY.jsa}, KEY naming the java binary and build and the jar's size and
 * time).
 *
 * <p>Anything that goes wrong only costs the speed-up: children then start without it. The JVM
 * checks the archive against the jar and itself, and ignores one that does not match.
 */
final class ChildArchive {
    /** The JVM's notes about an archive it cannot use would land in the child's output. */
    static final String QUIET = "-Xlog:cds*=off,class+path*=off";

    private static String triedKey;
    private static Path archive;

    private ChildArchive() {}

    /**
     * The options that make a child with this class path use the archive, creating it first if
     * needed; none when the library is not a jar (classes in a folder cannot be archived).
     */
    static synchronized List<String> options(Path java, String libraryJar) {
        if (!libraryJar.endsWith(".jar")) return List.of();
        Path jar = Paths.get(libraryJar);
        String key;
        try {
            // The JVM's own build too, when the child runs this JVM's binary: an upgrade in place
            // keeps the path but not the archive format.
            String vm = java.equals(Paths.get(System.getProperty("java.home"), "bin", "java"))
                    ? System.getProperty("java.vm.version") : "";
            key = Integer.toHexString((java.toRealPath() + "|" + vm + "|" + jar.toRealPath() + "|" + Files.size(jar) + "|"
                    + Files.getLastModifiedTime(jar).toMillis()).hashCode());
        } catch (IOException e) {
            return List.of();
        }
        // Checked on every spawn: a JVM told to use an archive file that is missing runs with
        // no class sharing at all, not even the JDK's own, and starts twice as slowly.
        if (!key.equals(triedKey) || (archive != null && !Files.isRegularFile(archive))) {
            triedKey = key;
            archive = create(java, jar, jar.resolveSibling("ipclab-child-" + key + ".jsa"));
        }
        return archive == null ? List.of() : List.of("-XX:SharedArchiveFile=" + archive, QUIET);
    }

    /** Runs the training child once, unless the archive is already there; null on failure. */
    private static Path create(Path java, Path jar, Path target) {
        if (Files.isRegularFile(target)) return target;
        Path tmp = target.resolveSibling(target.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            ChildProcess training = ChildProcess.builder()
                    .java(java)
                    .withoutArchive()
                    .jvmOption("-XX:ArchiveClassesAtExit=" + tmp)
                    .jvmOption(QUIET)
                    .main(Training.class)
                    .showOutput(false)
                    .timeout(Duration.ofSeconds(30))
                    .start();
            if (!training.waitFor().success() || !Files.isRegularFile(tmp)) return null;
            // Atomic, so that kernels starting together never map a half-written file.
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            removeStale(jar);
            return target;
        } catch (IOException | RuntimeException e) {
            return null;
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // A stray temporary file next to the jar is harmless.
            }
        }
    }

    /**
     * Archives made before the jar was built belong to earlier builds and never match again.
     * Newer ones may serve another JDK, or another kernel that is using them right now.
     */
    private static void removeStale(Path jar) throws IOException {
        long built = Files.getLastModifiedTime(jar).toMillis();
        try (DirectoryStream<Path> archives = Files.newDirectoryStream(jar.getParent(), "ipclab-child-*.jsa")) {
            for (Path p : archives) {
                if (Files.getLastModifiedTime(p).toMillis() < built) Files.deleteIfExists(p);
            }
        }
    }

    /**
     * The training child: it goes through what children usually do (the lifeline, descriptor
     * reads and writes, a fork cell's copied variables), so those classes land in the archive.
     */
    static final class Training {
        public static void main(String[] args) throws Throwable {
            Fd in = Fd.of(0); // /dev/null: end of file at once
            in.read(new byte[16]);
            in.read(ByteBuffer.allocateDirect(16));
            Fd out = Fd.of(1);
            out.write("training\n");
            out.write(ByteBuffer.wrap(new byte[] {'\n'}));
            WriteTo.class.getName();
            in.close();
            Path values = Files.createTempFile("ipclab-training-", ".values");
            try {
                ForkedValues.write(new Object[] {new Fd[] {in, out}, new int[] {1}, new long[] {1}, "text", 1, 1L, true}, values);
                ForkedChild.run(Cell.class.getName(), values.toString());
            } finally {
                Files.deleteIfExists(values);
            }
        }

        /** Stands for a fork cell's compiled class. */
        static final class Cell {
            public static void run(long pid, Object[] values) {
                if (pid != 0 || values.length != 7) throw new IllegalStateException("training run went wrong");
            }
        }
    }
}
