package ipclab.tree;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The processes below one process, read from {@code /proc}: pid, parent, state (Z for a
 * zombie) and command. {@link #toString()} draws the tree as text; {@link #toSvg()} as a
 * picture.
 */
public final class ProcessTree {
    /** One line of {@code /proc/PID/stat} and {@code /proc/PID/cmdline}. */
    public record Proc(long pid, long ppid, char state, String command) {
        /** Human words for the state letter. */
        public String stateName() {
            return switch (state) {
                case 'R' -> "running";
                case 'S' -> "sleeping";
                case 'D' -> "disk wait";
                case 'Z' -> "zombie";
                case 'T', 't' -> "stopped";
                default -> String.valueOf(state);
            };
        }
    }

    private final Proc root;
    private final Map<Long, List<Proc>> children;

    private ProcessTree(Proc root, Map<Long, List<Proc>> children) {
        this.root = root;
        this.children = children;
    }

    /** This process and everything it started. */
    public static ProcessTree ofThisProcess() throws IOException {
        return of(ProcessHandle.current().pid());
    }

    /** A process and all its descendants, as they are now. */
    public static ProcessTree of(long pid) throws IOException {
        Map<Long, Proc> all = new TreeMap<>();
        try (Stream<Path> entries = Files.list(Paths.get("/proc"))) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) continue;
                Proc proc = read(Long.parseLong(name));
                if (proc != null) all.put(proc.pid(), proc);
            }
        }
        Proc root = all.get(pid);
        if (root == null) throw new IOException("no process " + pid);
        Map<Long, List<Proc>> children = new TreeMap<>();
        for (Proc p : all.values()) children.computeIfAbsent(p.ppid(), k -> new ArrayList<>()).add(p);
        return new ProcessTree(root, children);
    }

    /**
     * Waits until process {@code pid} is a zombie: it has exited, and nobody has reaped it yet.
     * Re-reads {@code /proc/PID/stat} until its state is {@code Z}, for at most {@code limit};
     * returns the tree below this process at that moment.
     *
     * @throws IOException if the process is gone (already reaped) or not a zombie within the limit
     */
    public static ProcessTree awaitZombie(long pid, Duration limit) throws IOException {
        Proc[] last = new Proc[1];
        boolean zombie = poll(() -> {
            last[0] = read(pid);
            if (last[0] == null) throw new IOException("process " + pid + " is gone: it has been reaped already");
            return last[0].state() == 'Z';
        }, limit);
        if (!zombie) {
            throw new IOException("process " + pid + " was not a zombie within " + limit.toMillis()
                    + " ms; it is " + last[0].stateName());
        }
        return ofThisProcess();
    }

    /**
     * Waits until {@code condition} holds for the tree below this process, re-reading
     * {@code /proc} until then, for at most {@code limit}; returns the first tree for which it
     * holds.
     *
     * @throws IOException if it does not hold within the limit
     */
    public static ProcessTree awaitThisProcess(Predicate<ProcessTree> condition, Duration limit) throws IOException {
        ProcessTree[] last = new ProcessTree[1];
        if (!poll(() -> condition.test(last[0] = ofThisProcess()), limit)) {
            throw new IOException("the process tree did not reach the expected state within " + limit.toMillis() + " ms; it is:\n" + last[0]);
        }
        return last[0];
    }

    private interface Probe {
        boolean holds() throws IOException;
    }

    /** Tries {@code probe} until it holds or {@code limit} has passed, pausing 1 ms, then longer, up to 20 ms. */
    private static boolean poll(Probe probe, Duration limit) throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        long pauseMillis = 1;
        while (true) {
            if (probe.holds()) return true;
            if (System.nanoTime() - deadline > 0) return false;
            try {
                Thread.sleep(pauseMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for the process tree");
            }
            pauseMillis = Math.min(pauseMillis * 2, 20);
        }
    }

    /** Reads one process, or null if it vanished meanwhile. */
    public static Proc read(long pid) {
        try {
            String stat = Files.readString(Paths.get("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
            // "pid (comm) S ppid ...": comm may hold spaces and parentheses, so cut at the last ')'.
            int close = stat.lastIndexOf(')');
            String comm = stat.substring(stat.indexOf('(') + 1, close);
            String[] rest = stat.substring(close + 2).split(" ");
            byte[] raw = Files.readAllBytes(Paths.get("/proc", Long.toString(pid), "cmdline"));
            String command = new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').strip();
            return new Proc(pid, Long.parseLong(rest[1]), rest[0].charAt(0), command.isEmpty() ? "[" + comm + "]" : command);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    public Proc root() {
        return root;
    }

    /** Every process below the root, depth first. */
    public List<Proc> descendants() {
        List<Proc> out = new ArrayList<>();
        collect(root.pid(), out);
        return out;
    }

    private void collect(long pid, List<Proc> out) {
        for (Proc c : children.getOrDefault(pid, List.of())) {
            out.add(c);
            collect(c.pid(), out);
        }
    }

    /** The zombies below the root: exited children nobody has reaped yet. */
    public List<Proc> zombies() {
        return descendants().stream().filter(p -> p.state() == 'Z').toList();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        line(sb, root, "", "");
        draw(sb, root.pid(), "");
        return sb.toString();
    }

    private void draw(StringBuilder sb, long pid, String indent) {
        List<Proc> kids = children.getOrDefault(pid, List.of());
        for (int i = 0; i < kids.size(); i++) {
            boolean last = i == kids.size() - 1;
            line(sb, kids.get(i), indent, last ? "└─ " : "├─ ");
            draw(sb, kids.get(i).pid(), indent + (last ? "   " : "│  "));
        }
    }

    private static void line(StringBuilder sb, Proc p, String indent, String branch) {
        sb.append(indent).append(branch).append(p.pid()).append(' ').append(p.stateName())
                .append("  ").append(shorten(p.command())).append('\n');
    }

    /** "java … ipclab.child.ChildMain --main X": enough of a JVM's long command line to tell what it is. */
    static String shorten(String command) {
        int main = command.indexOf(" ipclab.");
        if (command.startsWith("/") || command.startsWith("java")) {
            String exe = command.split(" ", 2)[0];
            exe = exe.substring(exe.lastIndexOf('/') + 1);
            if (main > 0) return exe + " … " + command.substring(main + 1);
            if (command.contains("jjava")) return exe + " … (the JJava kernel)";
        }
        return command.length() > 70 ? command.substring(0, 69) + "…" : command;
    }

    /** Draws the tree in the cell: a picture in a notebook, text elsewhere. */
    public void show() {
        ipclab.extension.Notebook.showSvg(toSvg(), toString());
    }

    /** The tree as an SVG picture: one box per process, zombies in grey with a dashed border. */
    public String toSvg() {
        List<Proc> rows = new ArrayList<>();
        List<Integer> depths = new ArrayList<>();
        rows.add(root);
        depths.add(0);
        layout(root.pid(), 1, rows, depths);
        int rowH = 34;
        int width = 820;
        int height = rows.size() * rowH + 10;
        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" font-family=\"monospace\" font-size=\"13\">\n");
        // Its own white background, so that the picture reads the same in a light or a dark theme.
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n");
        for (int i = 0; i < rows.size(); i++) {
            Proc p = rows.get(i);
            int x = 10 + depths.get(i) * 28;
            int y = 5 + i * rowH;
            boolean zombie = p.state() == 'Z';
            if (depths.get(i) > 0) {
                int parentRow = parentRow(rows, depths, i);
                int px = 10 + depths.get(parentRow) * 28 + 10;
                svg.append("<path d=\"M").append(px).append(' ').append(5 + parentRow * rowH + 26).append(" V").append(y + 13)
                        .append(" H").append(x).append("\" fill=\"none\" stroke=\"#888\"/>\n");
            }
            svg.append("<rect x=\"").append(x).append("\" y=\"").append(y).append("\" width=\"").append(width - x - 10)
                    .append("\" height=\"26\" rx=\"4\" fill=\"").append(zombie ? "#eee" : "#e8f1fb")
                    .append("\" stroke=\"").append(zombie ? "#999" : "#4a7ab5").append('"')
                    .append(zombie ? " stroke-dasharray=\"4 3\"" : "").append("/>\n");
            svg.append("<text x=\"").append(x + 8).append("\" y=\"").append(y + 18).append("\" fill=\"#111\">")
                    .append(escape(p.pid() + "  " + p.stateName() + "  " + shorten(p.command()))).append("</text>\n");
        }
        return svg.append("</svg>\n").toString();
    }

    private void layout(long pid, int depth, List<Proc> rows, List<Integer> depths) {
        for (Proc c : children.getOrDefault(pid, List.of())) {
            rows.add(c);
            depths.add(depth);
            layout(c.pid(), depth + 1, rows, depths);
        }
    }

    private static int parentRow(List<Proc> rows, List<Integer> depths, int i) {
        for (int j = i - 1; j >= 0; j--) if (depths.get(j) == depths.get(i) - 1) return j;
        return 0;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
