package ipclab.child;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Objects;

/**
 * {@code fork()} for Java code: one body of code that runs in two processes.
 *
 * <pre>{@code
 * Fork.code("""
 *     if (pid == 0) fds[1].write("Who are you?");     // the child
 *     else System.out.println(fds[0].readString());   // the parent
 *     """).with("fds", "Fd[]", fds).run();
 * }</pre>
 *
 * The child is a new JVM (see {@link ChildProcess}): it gets copies of the variables, inherits
 * every open pipe end at the same number, and sees {@code pid == 0}. The parent runs the same
 * body in this JVM with the real variables and {@code pid} set to the child's pid, then waits
 * for the child, copying its output into the cell. In a notebook the {@code %%fork} cell magic
 * does all of this for the cell's code.
 */
public final class Fork {
    private static final List<String> IMPORTS = List.of(
            "import java.util.*;", "import java.io.*;", "import java.nio.file.*;", "import java.time.*;",
            "import java.util.concurrent.*;", "import java.nio.charset.StandardCharsets;",
            "import ipclab.pipe.*;", "import ipclab.child.*;");

    private final String body;
    private final List<ForkedCode.Variable> variables = new ArrayList<>();
    private final List<String> imports = new ArrayList<>(IMPORTS);
    private Duration timeout = Duration.ofSeconds(10);
    private final List<String> classpath = new ArrayList<>();
    private final Map<String, Object> parentValues = new LinkedHashMap<>();
    private static volatile String lastOutput = "";

    private Fork(String body) {
        this.body = Objects.requireNonNull(body, "body");
    }

    /** The code both processes run; {@code pid} is 0 in the child. */
    public static Fork code(String body) {
        return new Fork(body);
    }

    /** Makes a variable visible to the code, declared with the given type. */
    public Fork with(String name, String type, Object value) {
        if (name.equals("pid")) throw new IllegalArgumentException("'pid' is the fork's own variable; choose another name");
        variables.add(new ForkedCode.Variable(name, type, value));
        return this;
    }

    /** Makes a variable visible to the code, declared with its value's class. */
    public Fork with(String name, Object value) {
        Objects.requireNonNull(value, "value of " + name + ": give its type with with(name, type, value)");
        return with(name, value.getClass().getCanonicalName(), value);
    }

    /** Adds an import line, such as {@code import java.util.regex.*;}. */
    public Fork importing(String importLine) {
        imports.add(importLine);
        return this;
    }

    /**
     * Adds a class path entry for the child, after the library's. A notebook's library is one
     * jar that carries jnr-posix; under Maven a test adds the dependencies this way.
     */
    public Fork classpath(String entry) {
        classpath.add(entry);
        return this;
    }

    /** How long the parent waits for the child after its own part is done (default 10 s). */
    public Fork timeout(Duration timeout) {
        this.timeout = timeout;
        return this;
    }

    /**
     * Compiles the code, spawns the child, runs the parent's part, then waits for the child and
     * reaps it. Throws if the code does not compile, if either side throws, or if the child
     * exits non-zero or overruns the timeout (it is killed then).
     */
    public ExitStatus run() throws Throwable {
        try (ForkedCode code = ForkedCode.compile(body, imports, variables);
             ChildProcess child = childBuilder(code).start()) {
            Object[][] after = new Object[1][];
            try {
                code.runInParent(child.pid(), after);
                ExitStatus status = child.waitFor();
                if (!status.success()) {
                    // The cell's error line says why, not only that the child failed: the child's
                    // own line ("child N threw ...") is in its output, above the error.
                    String prefix = "child " + child.pid() + " threw ";
                    String threw = child.output().lines().filter(l -> l.startsWith(prefix)).findFirst()
                            .map(l -> ": it threw " + l.substring(prefix.length())).orElse("");
                    throw new ChildFailedException(status + threw);
                }
                return status;
            } finally {
                child.close();
                lastOutput = child.output();
                parentValues.clear();
                for (int i = 0; i < variables.size(); i++) parentValues.put(variables.get(i).name(), after[0][i]);
            }
        }
    }

    private ChildProcess.Builder childBuilder(ForkedCode code) {
        ChildProcess.Builder b = ChildProcess.builder()
                .program(code.childArgs())
                .classpath(code.dir().toString())
                .inheritOpenPipes()
                .timeout(timeout);
        for (String entry : classpath) b.classpath(entry);
        return b;
    }

    /**
     * After {@link #run()}: each variable's value as the parent's branch left it. The child's
     * changes never show here; it had copies.
     */
    public Map<String, Object> parentValues() {
        return Collections.unmodifiableMap(parentValues);
    }

    /** What the child of the last {@link #run()} wrote to its stdout and stderr. */
    public static String lastOutput() {
        return lastOutput;
    }
}
