package ipclab.child;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Paths;

/** Where the course library lives, so a child JVM can load it. */
final class Classpath {
    private Classpath() {}

    /** Set in every child: the library a child's own children load, whatever jar this class came from. */
    static final String PROPERTY = "ipclab.library";

    private static volatile String library;

    /** The jar (or, under Maven, the classes folder) the library was loaded from. */
    static String ofLibrary() {
        String known = library;
        if (known == null) library = known = find();
        return known;
    }

    private static String find() {
        String inherited = System.getProperty(PROPERTY);
        if (inherited != null) return inherited;
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
