package ipclab.extension;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.VarSnippet;
import org.dflib.jjava.jupyter.kernel.BaseKernel;

/**
 * Learners run cells again. When a cell such as {@code Pipe pipe = Pipe.open();} runs a second
 * time, JShell gives {@code pipe} a new value and the old one is no longer reachable from the
 * notebook, but its descriptors would stay open (and an old child would stay unreaped, an old
 * server running). This closes the course resource that a variable held before, once the new
 * value is in place, unless some variable of the notebook still holds it (directly, or as an
 * element of an array, a collection or a map).
 *
 * <p>Only the library's own {@link AutoCloseable} types are closed (pipes, descriptors, child
 * processes, servers, clients): closing is what their {@code close()} means for each, and
 * closing twice is harmless. A learner's own objects are left alone.
 */
final class ReplacedResources {
    private final JShell shell;
    private final ClassLoader loader;
    private final Method classFullName;
    /** What each variable held after the last snippet: a re-run re-uses the name, not the value. */
    private final Map<String, Object> lastSeen = new HashMap<>();

    private ReplacedResources(JShell shell, ClassLoader loader, Method classFullName) {
        this.shell = shell;
        this.loader = loader;
        this.classFullName = classFullName;
    }

    /** Listens to the notebook's JShell; does nothing where JJava's internals are not as expected. */
    static void install(BaseKernel kernel) {
        try {
            JShell shell = (JShell) kernel.getClass().getMethod("getJShell").invoke(kernel);
            Object evaluator = kernel.getClass().getMethod("getEvaluator").invoke(kernel);
            ClassLoader loader = (ClassLoader) evaluator.getClass().getMethod("getClassLoader").invoke(evaluator);
            // Snippet.classFullName() names the wrapper class whose static field holds a
            // variable's value; the notebook's JVM opens jdk.jshell to JJava's class path.
            Method classFullName = Snippet.class.getDeclaredMethod("classFullName");
            classFullName.setAccessible(true);
            ReplacedResources replaced = new ReplacedResources(shell, loader, classFullName);
            shell.onSnippetEvent(replaced::onEvent);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // Another JJava version: cells still run; re-running one may then leave an old
            // resource open until the notebook's clean-up cell or the end of the JVM.
        }
    }

    /**
     * JShell reports events after a snippet has run. A re-declared variable keeps its snippet's
     * id and wrapper class, so the old value cannot be read afterwards: it is remembered here.
     */
    private void onEvent(SnippetEvent event) {
        if (event.status() != Snippet.Status.VALID) return;
        Map<String, Object> now = new HashMap<>();
        for (VarSnippet v : shell.variables().filter(v -> shell.status(v) == Snippet.Status.VALID).toList()) {
            now.put(v.name(), valueOf(v));
        }
        List<AutoCloseable> replaced = new ArrayList<>();
        for (Map.Entry<String, Object> e : now.entrySet()) {
            Object before = lastSeen.put(e.getKey(), e.getValue());
            if (before != null && before != e.getValue() && before instanceof AutoCloseable r && isCourseType(before)) {
                replaced.add(r);
            }
        }
        if (replaced.isEmpty()) return;
        Map<Object, Boolean> held = heldBy(now.values());
        for (AutoCloseable resource : replaced) {
            if (held.containsKey(resource)) continue;
            try {
                resource.close();
            } catch (Exception e) {
                // Already gone (a child reaped, a pipe end closed): nothing is left to release.
            }
        }
    }

    private static boolean isCourseType(Object value) {
        return value.getClass().getName().startsWith("ipclab.");
    }

    /** Every object the notebook's variables hold, one level into arrays, collections and maps. */
    private static Map<Object, Boolean> heldBy(Collection<Object> values) {
        Map<Object, Boolean> held = new IdentityHashMap<>();
        for (Object value : values) {
            if (value == null) continue;
            held.put(value, Boolean.TRUE);
            if (value instanceof Object[] array) for (Object o : array) if (o != null) held.put(o, Boolean.TRUE);
            if (value instanceof Collection<?> c) for (Object o : c) if (o != null) held.put(o, Boolean.TRUE);
            if (value instanceof Map<?, ?> m) for (Object o : m.values()) if (o != null) held.put(o, Boolean.TRUE);
        }
        return held;
    }

    private Object valueOf(VarSnippet snippet) {
        try {
            Class<?> wrapper = Class.forName((String) classFullName.invoke(snippet), false, loader);
            Field field = wrapper.getDeclaredField(snippet.name());
            field.setAccessible(true);
            return field.get(null);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
    }
}
