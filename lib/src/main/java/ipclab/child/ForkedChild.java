package ipclab.child;

import java.lang.reflect.Method;
import java.nio.file.Paths;

/**
 * The child's half of {@link ForkedCode}, kept apart from it so that a child never loads the
 * compiler's classes ({@code javax.tools}), which ForkedCode's own code names: verifying that
 * class would load them, and every fork cell's child would pay for it.
 */
final class ForkedChild {
    private ForkedChild() {}

    /**
     * Reads the copied values, loads the cell's class (its folder is on this JVM's class path,
     * so no class loader has to be built), and runs it with pid 0.
     */
    static void run(String className, String valuesFile) throws Throwable {
        Object[] values = ForkedValues.read(Paths.get(valuesFile));
        Class<?> cell = Class.forName(className);
        Method run = cell.getMethod("run", long.class, Object[].class);
        try {
            ChildMain.invoke(run, 0L, values);
        } catch (Throwable t) {
            System.out.flush();
            int first = cell.getField("FIRST_LINE").getInt(null);
            System.err.println("child " + ProcessHandle.current().pid() + " threw " + t + where(t, className, first));
            System.err.flush();
            System.exit(1);
        }
    }

    /** " at line N of the cell" for the first stack frame in the cell's code. */
    private static String where(Throwable t, String className, int firstLine) {
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().equals(className)) return " at line " + (e.getLineNumber() - firstLine + 1) + " of the cell";
        }
        return "";
    }
}
