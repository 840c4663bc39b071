package ipclab.pipe;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which descriptors of which processes name one pipe, read from the live system: each
 * process's descriptor table in {@code /proc/PID/fd} (a link {@code pipe:[inode]} per pipe end)
 * and each descriptor's flags in {@code /proc/PID/fdinfo/FD} (read or write end, close-on-exec).
 * Nothing here is remembered from the library's own bookkeeping: the picture is what the OS
 * kernel reports at the moment each table is read.
 *
 * <pre>{@code
 * PipeTables.of(pipe)
 *         .process("parent (the notebook's JVM)", ProcessHandle.current().pid())
 *         .process("child", child.pid())
 *         .show();                     // a picture in the cell, with the same facts as text
 * }</pre>
 */
public final class PipeTables {
    /** One descriptor that names the pipe: its number, which end, and whether exec closes it. */
    public record Entry(int fd, boolean writeEnd, boolean closeOnExec) {
        String describe() {
            return "fd " + fd + " " + (writeEnd ? "write end" : "read end") + (closeOnExec ? " (close-on-exec)" : "");
        }
    }

    /** One process's descriptors that name the pipe, lowest number first. */
    public record Table(String label, long pid, List<Entry> entries) {}

    private static final Pattern PIPE_LINK = Pattern.compile("pipe:\\[(\\d+)\\]");
    /** fdinfo's flags: the access mode is the low two bits; O_CLOEXEC is 02000000 (octal). */
    private static final int O_ACCMODE = 3;
    private static final int O_WRONLY = 1;
    private static final int O_CLOEXEC = 02000000;

    private final long inode;
    private final int capacity;
    private final List<Table> tables = new ArrayList<>();

    private PipeTables(long inode, int capacity) {
        this.inode = inode;
        this.capacity = capacity;
    }

    /** Starts a picture of this pipe; it must still be open in this process (one end will do). */
    public static PipeTables of(Pipe pipe) throws IOException {
        long inode = pipe.inode();
        return new PipeTables(inode, pipe.capacity());
    }

    /** For tests and for pipes this process does not hold: the pipe with this inode number. */
    public static PipeTables ofInode(long inode) {
        return new PipeTables(inode, -1);
    }

    /** Reads one process's descriptor table now and keeps the descriptors that name the pipe. */
    public PipeTables process(String label, long pid) throws IOException {
        Path dir = Path.of("/proc", Long.toString(pid));
        String[] names = dir.resolve("fd").toFile().list();
        if (names == null) throw new IOException("cannot read " + dir.resolve("fd") + ": no process " + pid + ", or not ours");
        List<Entry> entries = new ArrayList<>();
        for (String name : names) {
            int fd = Integer.parseInt(name);
            if (pipeInode(dir.resolve("fd").resolve(name)) != inode) continue;
            int flags = flags(dir.resolve("fdinfo").resolve(name));
            if (flags < 0) continue; // closed between the two reads
            entries.add(new Entry(fd, (flags & O_ACCMODE) == O_WRONLY, (flags & O_CLOEXEC) != 0));
        }
        entries.sort((a, b) -> Integer.compare(a.fd(), b.fd()));
        tables.add(new Table(label, pid, List.copyOf(entries)));
        return this;
    }

    /** The pipe's inode number, as {@code pipe:[inode]} shows it. */
    public long inode() {
        return inode;
    }

    /** The tables read so far, in the order they were read. */
    public List<Table> tables() {
        return List.copyOf(tables);
    }

    /** The inode of the pipe a {@code /proc/PID/fd/N} link names, or -1 if it names no pipe (or is gone). */
    static long pipeInode(Path link) {
        try {
            Matcher m = PIPE_LINK.matcher(Files.readSymbolicLink(link).toString());
            return m.matches() ? Long.parseLong(m.group(1)) : -1;
        } catch (IOException | RuntimeException gone) {
            return -1;
        }
    }

    /** The octal {@code flags:} line of {@code /proc/PID/fdinfo/N}, or -1 if the descriptor is gone. */
    private static int flags(Path fdinfo) {
        try {
            for (String line : Files.readAllLines(fdinfo, StandardCharsets.UTF_8)) {
                if (line.startsWith("flags:")) return Integer.parseInt(line.substring(6).trim(), 8);
            }
        } catch (IOException | RuntimeException gone) {
            // Closed meanwhile.
        }
        return -1;
    }

    /**
     * One line for the pipe, then one line per process:
     * {@code child, pid 4242: fd 70 write end}, or {@code ... no descriptor for this pipe}.
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append("pipe:[").append(inode).append("] in the OS kernel");
        if (capacity > 0) sb.append(String.format(", a buffer of %,d bytes", capacity));
        sb.append('\n');
        for (Table t : tables) {
            sb.append(t.label()).append(", pid ").append(t.pid()).append(": ");
            if (t.entries().isEmpty()) sb.append("no descriptor for this pipe");
            else sb.append(String.join(", ", t.entries().stream().map(Entry::describe).toList()));
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Draws the picture in the cell: SVG in a notebook, the text of {@link #toString()} elsewhere. */
    public void show() {
        ipclab.extension.Notebook.showSvg(toSvg(), toString());
    }

    // Layout: processes stacked on the left, each a small descriptor table; the OS kernel on the
    // right with the pipe; one arrow per descriptor, in the direction the bytes flow.
    private static final int W = 800;
    private static final int ROW = 26;
    private static final int LEFT = 20;
    private static final int TABLE_W = 370;
    private static final int KERNEL_X = 480;
    private static final String WRITE = "#c0561b";
    private static final String READ = "#1f5fa8";
    private static final String MUTED = "#8a8a8a";

    /** The tables as an SVG picture, readable on light and dark themes (it draws its own white background). */
    public String toSvg() {
        List<int[]> rows = new ArrayList<>(); // {y of row centre, table index, entry index}
        StringBuilder body = new StringBuilder();
        int y = 20;
        for (int t = 0; t < tables.size(); t++) {
            Table table = tables.get(t);
            int rowsHere = Math.max(1, table.entries().size());
            int h = 34 + rowsHere * ROW + 10;
            body.append(rect(LEFT, y, TABLE_W, h, "#f4f7fb", "#4a6b8a", false));
            body.append(text(LEFT + 12, y + 22, 14, "#1a1a1a", "bold", table.label() + ", pid " + table.pid()));
            if (table.entries().isEmpty()) {
                body.append(text(LEFT + 12, y + 34 + 18, 13, MUTED, "normal", "no descriptor for this pipe"));
            }
            for (int e = 0; e < table.entries().size(); e++) {
                Entry entry = table.entries().get(e);
                int ry = y + 34 + e * ROW;
                String colour = entry.closeOnExec() ? MUTED : entry.writeEnd() ? WRITE : READ;
                body.append(rect(LEFT + 10, ry, TABLE_W - 20, ROW - 4, "#ffffff", colour, entry.closeOnExec()));
                body.append(text(LEFT + 20, ry + 16, 13, "#1a1a1a", "normal",
                        "fd " + entry.fd() + "   " + (entry.writeEnd() ? "write end" : "read end")
                                + (entry.closeOnExec() ? ", close-on-exec" : "")));
                rows.add(new int[] {ry + (ROW - 4) / 2, t, e});
            }
            y += h + 16;
        }
        int height = Math.max(y + 18, 210);
        int pipeH = 70;
        int pipeY = (height - pipeH) / 2;
        int pipeX = KERNEL_X + 70;
        int pipeW = W - pipeX - 30;
        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(W).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(W).append(' ').append(height)
                .append("\" font-family=\"monospace\">\n");
        svg.append("<rect x=\"0\" y=\"0\" width=\"").append(W).append("\" height=\"").append(height).append("\" fill=\"#ffffff\"/>\n");
        svg.append("<defs>")
                .append(marker("w", WRITE)).append(marker("r", READ)).append(marker("m", MUTED))
                .append("</defs>\n");
        // The OS kernel's side of the picture.
        svg.append(rect(KERNEL_X, 8, W - KERNEL_X - 10, height - 16, "#fbf7ee", "#9a8a5a", false));
        svg.append(text(KERNEL_X + 12, 30, 14, "#1a1a1a", "bold", "the OS kernel"));
        svg.append(rect(pipeX, pipeY, pipeW, pipeH, "#ffffff", "#1a1a1a", false));
        svg.append(text(pipeX + 12, pipeY + 24, 14, "#1a1a1a", "bold", "pipe:[" + inode + "]"));
        svg.append(text(pipeX + 12, pipeY + 48, 13, "#1a1a1a", "normal",
                capacity > 0 ? String.format("buffer of %,d bytes", capacity) : "buffer"));
        svg.append(body);
        // One arrow per descriptor: into the pipe from a write end, out of it to a read end.
        for (int[] r : rows) {
            Entry entry = tables.get(r[1]).entries().get(r[2]);
            int x1 = LEFT + TABLE_W - 10;
            int yIn = pipeY + 14 + (entry.writeEnd() ? 0 : pipeH - 28);
            String colour = entry.closeOnExec() ? MUTED : entry.writeEnd() ? WRITE : READ;
            String id = entry.closeOnExec() ? "m" : entry.writeEnd() ? "w" : "r";
            String dash = entry.closeOnExec() ? " stroke-dasharray=\"5 4\"" : "";
            String path = entry.writeEnd()
                    ? "M" + x1 + " " + r[0] + " C" + (x1 + 90) + " " + r[0] + " " + (pipeX - 90) + " " + yIn + " " + (pipeX - 2) + " " + yIn
                    : "M" + (pipeX - 2) + " " + yIn + " C" + (pipeX - 90) + " " + yIn + " " + (x1 + 90) + " " + r[0] + " " + (x1 + 2) + " " + r[0];
            svg.append("<path d=\"").append(path).append("\" fill=\"none\" stroke=\"").append(colour)
                    .append("\" stroke-width=\"2\"").append(dash).append(" marker-end=\"url(#").append(id).append(")\"/>\n");
        }
        svg.append(text(KERNEL_X + 12, height - 40, 13, WRITE, "normal", "→ into the pipe: write end"));
        svg.append(text(KERNEL_X + 12, height - 22, 13, READ, "normal", "← out of the pipe: read end"));
        svg.append(text(LEFT, height - 8, 13, MUTED, "normal", "dashed: close-on-exec, so no child inherits it"));
        return svg.append("</svg>\n").toString();
    }

    private static String marker(String id, String colour) {
        return "<marker id=\"" + id + "\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">"
                + "<path d=\"M0 0 L10 5 L0 10 z\" fill=\"" + colour + "\"/></marker>";
    }

    private static String rect(int x, int y, int w, int h, String fill, String stroke, boolean dashed) {
        return "<rect x=\"" + x + "\" y=\"" + y + "\" width=\"" + w + "\" height=\"" + h + "\" rx=\"5\" fill=\"" + fill
                + "\" stroke=\"" + stroke + "\" stroke-width=\"1.5\"" + (dashed ? " stroke-dasharray=\"5 4\"" : "") + "/>\n";
    }

    private static String text(int x, int y, int size, String colour, String weight, String s) {
        return "<text x=\"" + x + "\" y=\"" + y + "\" font-size=\"" + size + "\" fill=\"" + colour + "\" font-weight=\"" + weight
                + "\">" + s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "</text>\n";
    }
}
