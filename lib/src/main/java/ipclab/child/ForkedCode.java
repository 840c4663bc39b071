package ipclab.child;

import java.io.IOException;
import java.io.NotSerializableException;
import java.io.Serializable;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import ipclab.cleanup.OwnedFiles;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;

import ipclab.language.Language;
import ipclab.language.Messages;

/**
 * Code from a notebook cell, compiled into a class whose {@code run(long pid, Object[] values)}
 * holds the cell's lines, so that one body can run in two processes, as after {@code fork()}:
 * in the child with {@code pid == 0} and copies of the variables, and in the parent with the
 * child's pid and the variables themselves.
 */
final class ForkedCode implements AutoCloseable {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static JavaCompiler compiler;
    private static StandardJavaFileManager files;

    /** A variable the code uses: its name, its type as source text, and its value. */
    record Variable(String name, String type, Object value) {}

    private final Path dir;
    private final String className;
    private final List<Variable> variables;

    private ForkedCode(Path dir, String className, List<Variable> variables) {
        this.dir = dir;
        this.className = className;
        this.variables = variables;
    }

    /** Compiles {@code body}; a compile error names the line of the body it is on. */
    static ForkedCode compile(String body, List<String> imports, List<Variable> variables) throws IOException {
        String className = "ForkCell" + COUNTER.incrementAndGet();
        StringBuilder src = new StringBuilder();
        for (String i : imports) src.append(i.strip()).append('\n');
        src.append("public final class ").append(className).append(" {\n");
        src.append("  @SuppressWarnings(\"unchecked\")\n");
        src.append("  public static void run(long pid, Object[] values) throws Throwable {\n");
        for (int i = 0; i < variables.size(); i++) {
            Variable v = variables.get(i);
            src.append("    ").append(v.type()).append(' ').append(v.name())
                    .append(" = (").append(v.type()).append(") values[").append(i).append("];\n");
        }
        // The parent's side writes its variables back, so that, as after fork(), the parent
        // goes on with whatever its own branch did to them.
        src.append("    try {\n");
        int firstLine = (int) src.chars().filter(c -> c == '\n').count() + 1;
        src.append(body).append("\n    } finally {\n");
        for (int i = 0; i < variables.size(); i++) {
            src.append("      values[").append(i).append("] = ").append(variables.get(i).name()).append(";\n");
        }
        src.append("    }\n  }\n  public static final int FIRST_LINE = ").append(firstLine).append(";\n}\n");

        Path dir = Files.createTempDirectory("ipclab-fork-" + ProcessHandle.current().pid() + "-");
        OwnedFiles.register(dir);       // removed when the JVM exits, if the cell never ends
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        JavaFileObject source = new SimpleJavaFileObject(
                java.net.URI.create("string:///" + className + ".java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return src;
            }
        };
        boolean ok;
        synchronized (ForkedCode.class) {
            StandardJavaFileManager fm = fileManager();
            fm.setLocation(StandardLocation.CLASS_OUTPUT, List.of(dir.toFile()));
            // String concatenation compiled inline: the JDK's default (invokedynamic) costs each
            // child JVM milliseconds of bootstrap the first time the cell joins two strings.
            List<String> options = List.of("-classpath", classpathForCompiler(), "-proc:none", "-nowarn", "-g:lines,source",
                    "-XDstringConcat=inline");
            ok = compiler.getTask(null, fm, diagnostics, options, null, List.of(source)).call();
        }
        if (!ok) {
            deleteTree(dir);
            List<Diagnostic<? extends JavaFileObject>> errors = diagnostics.getDiagnostics().stream()
                    .filter(d -> d.getKind() == Diagnostic.Kind.ERROR).toList();
            Diagnostic<? extends JavaFileObject> first = errors.get(0);
            long line = first.getLineNumber() - firstLine + 1;
            String where = line >= 1 ? Messages.text("fork.compile.line", line) : Messages.text("fork.compile.type");
            String more = errors.size() > 1 ? Messages.text("fork.compile.more", errors.size() - 1) : "";
            // javac has its own messages in Chinese (the JDK's compiler resources): in the language of the notebook.
            throw new ForkCompileException(Messages.text("fork.compile", where,
                    first.getMessage(Language.locale()).lines().findFirst().orElse(""), more));
        }
        ForkedCode code = new ForkedCode(dir, className, variables);
        code.writeValues();
        return code;
    }

    Path dir() {
        return dir;
    }

    /** The child's command line after {@code ChildMain}; the child needs {@link #dir()} on its class path. */
    List<String> childArgs() {
        return List.of("--fork", dir.toString(), className, dir.resolve("values.ser").toString());
    }

    /**
     * Runs the body here, in the parent, with the child's pid and the variables themselves.
     * Returns the variables' values as the parent's branch left them, even if it threw.
     */
    Object[] runInParent(long childPid, Object[][] after) throws Throwable {
        Object[] values = values();
        after[0] = values;
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, ForkedCode.class.getClassLoader())) {
            Method run = loader.loadClass(className).getMethod("run", long.class, Object[].class);
            ChildMain.invoke(run, childPid, values);
        }
        return values;
    }

    List<Variable> variables() {
        return variables;
    }

    private Object[] values() {
        return variables.stream().map(Variable::value).toArray();
    }

    /** The copies a child receives, as fork() copies memory: only values that can be copied. */
    private void writeValues() throws IOException {
        Object[] values = values();
        for (Variable v : variables) {
            if (v.value() != null && !(v.value() instanceof Serializable)) {
                throw new NotSerializableException("variable " + v.name() + " (" + v.type()
                        + ") cannot be copied into a child process: its class is not Serializable");
            }
        }
        ForkedValues.write(values, dir.resolve("values.ser"));
    }

    @Override
    public void close() {
        deleteTree(dir);
    }

    private static StandardJavaFileManager fileManager() throws IOException {
        if (compiler == null) {
            compiler = ToolProvider.getSystemJavaCompiler();
            if (compiler == null) throw new IOException("this Java runtime has no compiler: run the notebook's kernel (JJava) on a JDK, not a JRE");
            files = compiler.getStandardFileManager(null, Locale.ENGLISH, null);
        }
        return files;
    }

    private static String classpathForCompiler() {
        return Classpath.join(Classpath.ofLibrary(), System.getProperty("java.class.path", ""));
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            List<Path> all = new ArrayList<>(paths.sorted(Comparator.reverseOrder()).toList());
            for (Path p : all) Files.deleteIfExists(p);
        } catch (IOException e) {
            // A temp folder left behind is not worth failing the cell for: the JVM's exit removes it.
            return;
        }
        OwnedFiles.unregister(dir);
    }
}
