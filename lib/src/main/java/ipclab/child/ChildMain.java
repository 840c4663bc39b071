package ipclab.child;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * What every spawned child JVM runs first: it starts watching its lifeline, then runs the
 * program it was given.
 *
 * <pre>
 *   ChildMain --main CLASS [ARGS...]          a class's main(String[])
 *   ChildMain --fork DIR CLASS VALUES-FILE    code compiled from a notebook cell
 * </pre>
 */
public final class ChildMain {
    private ChildMain() {}

    public static void main(String[] args) throws Throwable {
        Lifeline.watch();
        if (args.length >= 2 && args[0].equals("--main")) {
            Method main = Class.forName(args[1]).getMethod("main", String[].class);
            invoke(main, (Object) Arrays.copyOfRange(args, 2, args.length));
        } else if (args.length == 4 && args[0].equals("--fork")) {
            ForkedChild.run(args[2], args[3]); // args[1], the class folder, is on the class path
        } else {
            System.err.println("usage: ChildMain --main CLASS [ARGS...] | --fork DIR CLASS VALUES-FILE");
            System.exit(2);
        }
        System.out.flush();
        System.exit(0);
    }

    static void invoke(Method method, Object... args) throws Throwable {
        try {
            method.invoke(null, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
