package ipclab.child;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Every child this JVM started and has not reaped. When the JVM shuts down (restarting the
 * notebook's kernel (JJava) sends it SIGTERM), the children are killed; if it is killed outright, each child's lifeline
 * ends it instead.
 */
public final class Children {
    private static final Set<ChildProcess> LIVE = new LinkedHashSet<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(Children::stopAll, "ipclab-children-stop"));
    }

    private Children() {}

    static synchronized void remember(ChildProcess child) {
        LIVE.add(child);
    }

    static synchronized void forget(ChildProcess child) {
        LIVE.remove(child);
    }

    /** The children not yet reaped, oldest first. */
    public static synchronized List<ChildProcess> all() {
        return new ArrayList<>(LIVE);
    }

    /** Kills and reaps every child not yet reaped; returns how many there were. */
    public static int stopAll() {
        List<ChildProcess> children = all();
        for (ChildProcess child : children) {
            try {
                child.close();
            } catch (IOException e) {
                System.err.println("ipclab: could not stop child " + child.pid() + ": " + e.getMessage());
            }
        }
        return children.size();
    }
}
