package ipclab.extension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ipclab.child.ExitStatus;
import ipclab.child.Fork;
import ipclab.child.Inheritable;
import ipclab.pipe.Fd;
import jdk.jshell.ImportSnippet;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.VarSnippet;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.magic.CellMagic;

import static ipclab.language.Messages.text;

/**
 * {@code %%fork [--timeout SECONDS]}: the cell's code runs in a child process with
 * {@code pid == 0} and in the notebook's JVM with the child's pid, as C code after {@code fork()}.
 * The notebook's variables that the code names are copied into the child; in the notebook's
 * JVM the code uses them as they are. The cell's result is the child's exit status.
 */
public final class ForkMagic implements CellMagic<ExitStatus, BaseKernel> {
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*");
    private static final Pattern LITERALS_AND_COMMENTS =
            Pattern.compile("\"\"\"[\\s\\S]*?\"\"\"|\"(?:\\\\.|[^\"\\\\])*\"|'(?:\\\\.|[^'\\\\])*'|//[^\\n]*|/\\*[\\s\\S]*?\\*/");

    @Override
    public ExitStatus eval(BaseKernel kernel, List<String> args, String body) throws Exception {
        Fork fork = Fork.code(body).timeout(parseTimeout(args));
        JShell shell = jshell(kernel);
        shell.imports().filter(i -> shell.status(i) == Snippet.Status.VALID)
                .map(ImportSnippet::source).forEach(fork::importing);
        Set<String> named = identifiers(body);
        Set<String> seen = new HashSet<>();
        List<VarSnippet> vars = new ArrayList<>(shell.variables()
                .filter(v -> shell.status(v) == Snippet.Status.VALID).toList());
        Map<String, Object> before = new HashMap<>();
        Map<String, String> types = new HashMap<>();
        for (VarSnippet v : vars) {
            String name = v.name();
            if (!named.contains(name) || name.equals("pid") || !seen.add(name)) continue;
            Object value = kernel.evalRaw(name);
            if (allClosed(value)) {
                // A later cell (a clean-up cell, usually) closed it: say where a fresh one comes from.
                System.out.println(text("fork.var-closed", name, declaration(v)));
                return null;
            }
            if (endClosed(value)) {
                // Each process closes the end it does not use, so a pair that went through a
                // fork once cannot go through another: the child would miss its end.
                System.out.println(text("fork.var-end-closed", name, declaration(v)));
                return null;
            }
            before.put(name, value);
            types.put(name, v.typeName());
            fork.with(name, v.typeName(), value);
        }
        try {
            return fork.run();
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new RuntimeException(t);
        } finally {
            writeBack(kernel, fork, before, types);
        }
    }

    private static Object slot;

    /** Hands one value to the JShell of the notebook's JVM, which reads it back with {@code slot()}. */
    public static Object slot() {
        return slot;
    }

    /** The parent's branch is the notebook's JVM going on after fork(): its assignments must stick. */
    private static void writeBack(BaseKernel kernel, Fork fork, Map<String, Object> before, Map<String, String> types) {
        for (Map.Entry<String, Object> e : fork.parentValues().entrySet()) {
            Object old = before.get(e.getKey());
            Object now = e.getValue();
            if (old == now || (isValue(old) && old.equals(now))) continue;
            slot = now;
            try {
                kernel.evalRaw(e.getKey() + " = (" + types.get(e.getKey()) + ") ipclab.extension.ForkMagic.slot();");
            } finally {
                slot = null;
            }
        }
    }

    /** The line that declares the variable, without its comment: JShell's snippet may begin with the comment of the line before. */
    private static String declaration(VarSnippet v) {
        Pattern declares = Pattern.compile("\\b" + Pattern.quote(v.name()) + "\\s*=");
        return v.source().lines()
                .map(line -> line.replaceFirst("\\s*//.*$", "").strip())
                .filter(line -> declares.matcher(line).find())
                .findFirst().orElse(v.typeName() + " " + v.name() + " = ...");
    }

    /** Something inherited (a pipe, socket pair, descriptor, mapping) or a descriptor array, all closed: nothing left to fork with. */
    static boolean allClosed(Object value) {
        if (value instanceof Inheritable i) return i.isClosed();
        if (value instanceof Fd[] fds && fds.length > 0) {
            for (Fd fd : fds) if (fd == null || fd.isOpen()) return false;
            return true;
        }
        return false;
    }

    /** A value with two ends, one of them closed in the notebook's JVM: used by a fork already. */
    static boolean endClosed(Object value) {
        return value instanceof Inheritable i && i.hasEndClosed();
    }

    private static boolean isValue(Object o) {
        return o instanceof Number || o instanceof String || o instanceof Character || o instanceof Boolean;
    }

    private static Duration parseTimeout(List<String> args) {
        if (args.isEmpty()) return Duration.ofSeconds(10);
        if (args.size() == 2 && args.get(0).equals("--timeout")) {
            try {
                double seconds = Double.parseDouble(args.get(1));
                if (seconds > 0) return Duration.ofMillis((long) (seconds * 1000));
            } catch (NumberFormatException e) {
                // Fall through to the usage line.
            }
        }
        throw new IllegalArgumentException("usage: %%fork [--timeout SECONDS], not %%fork " + String.join(" ", args));
    }

    private static Set<String> identifiers(String body) {
        Set<String> names = new HashSet<>();
        Matcher m = IDENTIFIER.matcher(LITERALS_AND_COMMENTS.matcher(body).replaceAll(" "));
        while (m.find()) names.add(m.group());
        return names;
    }

    /** JJava's JavaKernel has getJShell(); the extension API does not name that class. */
    private static JShell jshell(BaseKernel kernel) throws ReflectiveOperationException {
        return (JShell) kernel.getClass().getMethod("getJShell").invoke(kernel);
    }
}
