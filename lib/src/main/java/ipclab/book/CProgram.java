package ipclab.book;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One of the chapter's C programs, compiled with gcc, ready to run from a notebook cell beside
 * its Java stand-in: the C program really calls {@code fork()}, which the JVM cannot.
 *
 * <pre>{@code
 * CProgram pipe1 = CProgram.compile("pipe1");                   // gcc -Wall -Werror -O1, cached
 * pipe1.run(Duration.ofSeconds(5));                             // "$ ./pipe1", its output, "exit status 0"
 * CProgram v = CProgram.compile("echo_storeserv", "REAP_ALL");  // a variant: -DREAP_ALL
 * try (CProcess s = v.withEnv("ECHO_STORE", "/tmp/store.txt").start("0")) {
 *     String port = s.awaitLine("listening on 127\\.0\\.0\\.1:(\\d+)", Duration.ofSeconds(10));
 * }
 * }</pre>
 *
 * <p>The sources are the course's {@code notebooks/c/*.c}, packed into the library's jar. Each
 * run happens in a new process group, bounded in time; when it overruns, when the cell is
 * interrupted, or when the notebook's JVM ends, the whole group is killed (see
 * {@link CProcess}).
 *
 * <p>A value of this class is immutable: {@link #withInput}, {@link #withEnv} and
 * {@link #quiet} return a new one, so a cell can derive a variant without changing the
 * program another cell uses.
 *
 * <p>Without gcc on the PATH, {@link #compile} still returns a program; {@link #run} and
 * {@link #start} then print one line saying so and return a result whose {@code ran()} is
 * false, so the notebook's other cells still run.
 */
public final class CProgram {
    /** The one line a cell prints on a machine without a C compiler. */
    public static final String NO_GCC = "gcc not found: the C programs need a C compiler (apt-get install gcc libc6-dev); the Java cells still run";
    static final Duration DEFAULT_LIMIT = Duration.ofSeconds(10);
    /** A started program that nobody stops still ends: after half an hour. */
    static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(30);
    private static final Pattern DEFINE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(=[^\\s]*)?");
    private static final Pattern CONDITION = Pattern.compile("^\\s*#\\s*(ifdef|ifndef|if|elif)\\b(.*)$", Pattern.MULTILINE);
    private static final Pattern DEFINED = Pattern.compile("defined\\s*\\(?\\s*([A-Za-z_][A-Za-z0-9_]*)");

    private final String name;
    private final List<String> defines;
    private final String source;
    private final Path binary; // null: no compiler
    private final Path launcher;
    private final String input;
    private final Map<String, String> env;
    private final boolean quiet;

    private CProgram(String name, List<String> defines, String source, Path binary, Path launcher, String input,
                     Map<String, String> env, boolean quiet) {
        this.name = name;
        this.defines = defines;
        this.source = source;
        this.binary = binary;
        this.launcher = launcher;
        this.input = input;
        this.env = env;
        this.quiet = quiet;
    }

    /**
     * Compiles {@code notebooks/c/NAME.c} with {@code gcc -Wall -Werror -O1}, plus
     * {@code -DX} for each switch X (such as {@code "NO_SLEEP"} or {@code "REAP_ALL"}). A binary
     * compiled before from the same source and switches is reused.
     *
     * @throws IllegalArgumentException for a program the course does not have, or a switch its
     *         source does not know (a typo would otherwise compile the book's version silently)
     */
    public static CProgram compile(String name, String... defines) {
        String source = Gcc.resource("c/" + name + ".c");
        if (name.contains("/") || source == null) {
            throw new IllegalArgumentException("no C program " + name + " in the course; there are: " + String.join(", ", names()));
        }
        List<String> ds = new ArrayList<>();
        Set<String> known = switches(source);
        for (String d : defines) {
            if (!DEFINE.matcher(d).matches()) throw new IllegalArgumentException("not a switch: \"" + d + "\" (expected NAME or NAME=VALUE)");
            String macro = d.contains("=") ? d.substring(0, d.indexOf('=')) : d;
            if (!known.contains(macro)) {
                throw new IllegalArgumentException(name + ".c has no switch " + macro
                        + (known.isEmpty() ? " (it has none)" : "; its switches: " + String.join(", ", known)));
            }
            ds.add(d);
        }
        Path gcc = Gcc.find();
        if (gcc == null) return new CProgram(name, List.copyOf(ds), source, null, null, null, Map.of(), false);
        Path binary = Gcc.compile(gcc, name, source, ds);
        Path launcher = Gcc.compile(gcc, "launcher", Gcc.resource("launcher.c"), List.of());
        return new CProgram(name, List.copyOf(ds), source, binary, launcher, null, Map.of(), false);
    }

    /** The course's C programs, by name. */
    public static List<String> names() {
        return List.of("bread", "pipe1", "pipe2", "pipe3", "echo_storeserv", "echo_mpclient", "fifo_writer", "pass_fd", "signal_merge", "ipc_pingpong");
    }

    /** The macros the source tests with #ifdef, #ifndef or defined(...): its switches. */
    private static Set<String> switches(String source) {
        Set<String> found = new TreeSet<>();
        Matcher m = CONDITION.matcher(source);
        while (m.find()) {
            String rest = m.group(2).strip();
            if (m.group(1).startsWith("ifn") || m.group(1).equals("ifdef")) {
                found.add(rest.split("[\\s/]", 2)[0]);
            } else {
                Matcher d = DEFINED.matcher(rest);
                while (d.find()) found.add(d.group(1));
            }
        }
        return found;
    }

    /** The program's name, such as {@code "pipe1"}. */
    public String name() {
        return name;
    }

    /** The switches it was compiled with, such as {@code [NO_SLEEP]}. */
    public List<String> defines() {
        return defines;
    }

    /** False when there was no C compiler: then nothing runs. */
    public boolean compiled() {
        return binary != null;
    }

    /** The compiled binary (in the library's cache folder), or null without a compiler. */
    public Path binary() {
        return binary;
    }

    /** The C source, to show in a cell. */
    public String source() {
        return source;
    }

    /** The same program, with this text as its standard input (else it reads /dev/null). */
    public CProgram withInput(String text) {
        return new CProgram(name, defines, source, binary, launcher, text, env, quiet);
    }

    /** The same program, with one more environment variable (such as {@code ECHO_STORE}). */
    public CProgram withEnv(String key, String value) {
        if (key.isEmpty() || key.contains("=")) throw new IllegalArgumentException("not an environment variable name: " + key);
        Map<String, String> more = new LinkedHashMap<>(env);
        more.put(key, value);
        return new CProgram(name, defines, source, binary, launcher, input, Collections.unmodifiableMap(more), quiet);
    }

    /** The same program, printing nothing in the cell: its output is only kept in the result. */
    public CProgram quiet() {
        return new CProgram(name, defines, source, binary, launcher, input, env, true);
    }

    /** {@link #run(Duration, String...)} with a limit of 10 s. */
    public CRun run(String... args) {
        return run(DEFAULT_LIMIT, args);
    }

    /**
     * Runs the program with these arguments and waits until it and every process it forked
     * have ended; after {@code limit} the whole process group is killed. Unless {@link #quiet},
     * the cell shows the command line ({@code $ ./pipe1}), the output as it comes, and how it
     * ended ({@link CRun#statusLine()}).
     *
     * @throws java.util.concurrent.CancellationException when the cell is interrupted; the
     *         process group is killed first
     */
    public CRun run(Duration limit, String... args) {
        PrintStream out = System.out;
        if (binary == null) {
            out.println(NO_GCC);
            return new CRun(false, -1, 0, false, "", Duration.ZERO, limit);
        }
        if (!quiet) out.println(commandLine(args, false));
        CProcess p = CProcess.launch(launcher, binary, "./" + name, List.of(args), environment(), input,
                limit.toMillis(), quiet ? null : out);
        CRun r = p.awaitEnd(limit, limit.plusSeconds(5));
        if (!quiet) {
            if (!r.output().isEmpty() && !r.output().endsWith("\n")) out.println();
            out.println(r.statusLine());
        }
        return r;
    }

    /** {@link #start(Duration, String...)} with a lifetime of 30 minutes. */
    public CProcess start(String... args) {
        return start(DEFAULT_LIFETIME, args);
    }

    /**
     * Starts the program in the background in its own process group and returns at once (once
     * its pid is known). Close the result to kill the group; it is killed anyway after
     * {@code lifetime}, or when the notebook's JVM ends. Unless {@link #quiet}, the cell shows
     * the command line ({@code $ ./echo_storeserv 0 &}); the output is kept, see
     * {@link CProcess#output()}.
     */
    public CProcess start(Duration lifetime, String... args) {
        if (binary == null) {
            System.out.println(NO_GCC);
            return CProcess.notRun("./" + name);
        }
        if (!quiet) System.out.println(commandLine(args, true));
        return CProcess.launch(launcher, binary, "./" + name, List.of(args), environment(), input, lifetime.toMillis(), null);
    }

    private Map<String, String> environment() {
        Map<String, String> all = new LinkedHashMap<>(System.getenv());
        all.putAll(env);
        return all;
    }

    /** The shell command this run stands for: {@code $ printf 'hi\n' | ./echo_mpclient 127.0.0.1 5000}. */
    String commandLine(String[] args, boolean background) {
        StringBuilder sb = new StringBuilder("$ ");
        for (Map.Entry<String, String> e : env.entrySet()) sb.append(e.getKey()).append('=').append(quote(e.getValue())).append(' ');
        if (input != null) {
            String printable = input.replace("\\", "\\\\").replace("%", "%%").replace("\n", "\\n").replace("\t", "\\t");
            sb.insert(2, "printf " + quote(printable) + " | ");
        }
        sb.append("./").append(name);
        for (String a : args) sb.append(' ').append(quote(a));
        if (background) sb.append(" &");
        if (!defines.isEmpty()) sb.append("    # compiled with -D").append(String.join(" -D", defines));
        return sb.toString();
    }

    private static String quote(String s) {
        if (!s.isEmpty() && s.chars().allMatch(c -> Character.isLetterOrDigit(c) || "-_./:=@,+".indexOf(c) >= 0)) return s;
        return "'" + s.replace("'", "'\\''") + "'";
    }

    @Override
    public String toString() {
        return name + " (gcc " + String.join(" ", Gcc.FLAGS) + (defines.isEmpty() ? "" : " -D" + String.join(" -D", defines))
                + (binary == null ? "; not compiled: no gcc)" : ")");
    }
}
