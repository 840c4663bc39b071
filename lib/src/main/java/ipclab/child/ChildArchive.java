package ipclab.child;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import ipclab.pipe.Fd;

/**
 * What makes a child JVM start fast with the library on its class path, made once per jar
 * build and kept next to the jar (KEY names the java binary and build and the jar's size and
 * time):
 * <ul>
 *   <li>{@code ipclab-child-KEY.jar}, the library's own classes alone. Opening a jar costs a
 *       new JVM time for each entry in its index, and the library jar also carries jnr and its
 *       native stubs (2,600 entries, against 75): about 6 ms of each child's start-up. The full
 *       jar follows it on the child's class path, and is opened only by a child that needs a
 *       class from it.</li>
 *   <li>{@code ipclab-child-KEY.jsa}, a class-data-sharing archive (AppCDS) of the classes a
 *       child loads, so that a child maps them ready-parsed and verified instead of reading them
 *       out of the jar: about a quarter less start-up work. A training child that runs with
 *       {@code -XX:ArchiveClassesAtExit} makes it.</li>
 * </ul>
 *
 * <p>Anything that goes wrong only costs the speed-up: children then start from the full jar
 * alone, without an archive. The JVM checks the archive against the jars and itself, and
 * ignores one that does not match.
 */
final class ChildArchive {
    /** The JVM's notes about an archive it cannot use would land in the child's output. */
    static final String QUIET = "-Xlog:cds*=off,class+path*=off";

    /** A child's class path in place of the library jar, and the JVM options that go with it. */
    record Start(String classpath, List<String> options) {}

    private static String triedKey;
    private static Path[] pathsOf = {null, null};
    private static String realPaths;
    private static Start made;

    private ChildArchive() {}

    /**
     * How a child with the library on its class path starts: the slim jar and the library jar,
     * with the archive, creating them first if needed; the library alone when it is not a jar
     * (classes in a folder cannot be archived) or when they cannot be made.
     */
    static synchronized Start forLibrary(Path java, String libraryJar) {
        Start plain = new Start(libraryJar, List.of());
        if (!libraryJar.endsWith(".jar")) return plain;
        Path jar = Paths.get(libraryJar);
        String key;
        try {
            // The JVM's own build too, when the child runs this JVM's binary: an upgrade in place
            // keeps the path but not the archive format.
            String vm = java.equals(Paths.get(System.getProperty("java.home"), "bin", "java"))
                    ? System.getProperty("java.vm.version") : "";
            // The real paths once per binary and jar; the jar's size and time (one stat) on every
            // spawn, so a rebuilt jar gets its own files.
            if (!java.equals(pathsOf[0]) || !jar.equals(pathsOf[1])) {
                realPaths = java.toRealPath() + "|" + vm + "|" + jar.toRealPath();
                pathsOf = new Path[] {java, jar};
            }
            BasicFileAttributes built = Files.readAttributes(jar, BasicFileAttributes.class);
            key = Integer.toHexString((realPaths + "|" + built.size() + "|" + built.lastModifiedTime().toMillis()).hashCode());
        } catch (IOException e) {
            return plain;
        }
        Path slim = jar.resolveSibling("ipclab-child-" + key + ".jar");
        Path archive = jar.resolveSibling("ipclab-child-" + key + ".jsa");
        // Checked on every spawn: a JVM told to use an archive file that is missing runs with
        // no class sharing at all, not even the JDK's own, and starts twice as slowly.
        if (!key.equals(triedKey) || (made != null && !(Files.isRegularFile(archive) && Files.isRegularFile(slim)))) {
            triedKey = key;
            String classpath = Classpath.join(slim.toString(), libraryJar);
            made = makeSlimJar(jar, slim) && makeArchive(java, classpath, archive)
                    ? new Start(classpath, List.of("-XX:SharedArchiveFile=" + archive, QUIET)) : null;
            if (made != null) removeStale(jar);
        }
        return made == null ? plain : made;
    }

    /** Copies the library's own classes ({@code ipclab/...}) out of its jar, unless done already. */
    private static boolean makeSlimJar(Path jar, Path target) {
        return make(target, tmp -> {
            try (ZipFile from = new ZipFile(jar.toFile());
                 ZipOutputStream to = new ZipOutputStream(Files.newOutputStream(tmp))) {
                for (ZipEntry e : Collections.list(from.entries())) {
                    if (!e.getName().startsWith("ipclab/")) continue;
                    to.putNextEntry(new ZipEntry(e.getName()));
                    try (InputStream in = from.getInputStream(e)) {
                        in.transferTo(to);
                    }
                    to.closeEntry();
                }
            }
            return true;
        });
    }

    /** Runs the training child once, unless the archive is already there. */
    private static boolean makeArchive(Path java, String classpath, Path target) {
        return make(target, tmp -> ChildProcess.builder()
                .java(java)
                .withoutArchive(classpath)
                .jvmOption("-XX:ArchiveClassesAtExit=" + tmp)
                .jvmOption(QUIET)
                .main(Training.class)
                .showOutput(false)
                .timeout(Duration.ofSeconds(30))
                .start()
                .waitFor()
                .success());
    }

    /** Writes a file into a path it is given; false when that failed. */
    private interface Maker {
        boolean writeTo(Path tmp) throws IOException;
    }

    /**
     * Makes {@code target} through a temporary file beside it, unless it is there already, and
     * moves it in place atomically, so that JVMs starting together never open a half-written
     * file. False on failure, which costs only the speed-up.
     */
    private static boolean make(Path target, Maker maker) {
        if (Files.isRegularFile(target)) return true;
        Path tmp = target.resolveSibling(target.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            if (!maker.writeTo(tmp) || !Files.isRegularFile(tmp)) return false;
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        } finally {
            deleteQuietly(tmp); // nothing there after the move
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // A stray temporary file next to the jar is harmless.
        }
    }

    /**
     * Files made before the jar was built belong to earlier builds and never match again.
     * Newer ones may serve another JDK, or another notebook's JVM that is using them right now.
     */
    private static void removeStale(Path jar) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(jar.getParent(), "ipclab-child-*.{jsa,jar}")) {
            long built = Files.getLastModifiedTime(jar).toMillis();
            for (Path p : files) {
                if (Files.getLastModifiedTime(p).toMillis() < built) Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // Stale files cost disk space, not correctness.
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
