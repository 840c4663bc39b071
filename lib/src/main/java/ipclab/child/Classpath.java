package ipclab.child;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Paths;

/** Where the course library lives, so a child JVM can load it. */
final class Classpath {
    private Classpath() {}

    /** The jar (or, under Maven, the classes folder) this class was loaded from. */
    static String ofLibrary() {
        try {
            return Paths.get(ChildMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException | RuntimeException e) {
            return System.getProperty("java.class.path", ".");
        }
    }

    static String join(String... parts) {
        return String.join(File.pathSeparator, parts);
    }
}
