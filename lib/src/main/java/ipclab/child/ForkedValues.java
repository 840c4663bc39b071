package ipclab.child;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

import ipclab.pipe.Fd;

/**
 * The file that carries a fork cell's variables into the child. Values of the everyday kinds
 * (descriptors, strings, boxed primitives and arrays of them) are written field by field;
 * anything else goes through Java serialization. The first use of
 * {@code ObjectInputStream} in a fresh JVM costs the child about 30 ms (its filters are built
 * from lambdas, and a constructor accessor is generated), which most cells never need.
 */
final class ForkedValues {
    private static final int SIMPLE = 0x49504331; // "IPC1"
    private static final int SERIALIZED = 0x49504332; // "IPC2"

    private ForkedValues() {}

    static void write(Object[] values, Path file) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            if (simple(values)) {
                out.writeInt(SIMPLE);
                out.writeInt(values.length);
                for (Object v : values) writeValue(out, v);
            } else {
                out.writeInt(SERIALIZED);
                out.flush();
                ObjectOutputStream objects = new ObjectOutputStream(out);
                objects.writeObject(values);
                objects.flush();
            }
        }
    }

    static Object[] read(Path file) throws IOException, ClassNotFoundException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            int format = in.readInt();
            if (format == SERIALIZED) return (Object[]) new ObjectInputStream(in).readObject();
            if (format != SIMPLE) throw new IOException("not a values file: " + file);
            Object[] values = new Object[in.readInt()];
            Map<Integer, Fd> fds = new HashMap<>(); // one Fd object per descriptor, as serialization keeps
            for (int i = 0; i < values.length; i++) values[i] = readValue(in, fds);
            return values;
        }
    }

    /**
     * True when every value is of a kind written here, every descriptor is open (a closed one
     * keeps its state only through serialization), and no array is shared between variables
     * (serialization would keep the sharing).
     */
    private static boolean simple(Object[] values) {
        Map<Object, Boolean> seen = new IdentityHashMap<>();
        for (Object v : values) {
            if (v == null || v instanceof String || v instanceof Integer || v instanceof Long || v instanceof Boolean
                    || v instanceof Double || v instanceof Character || v instanceof Byte || v instanceof Short
                    || v instanceof Float) {
                continue;
            }
            if (v instanceof Fd fd) {
                if (!fd.isOpen()) return false;
                continue;
            }
            if (seen.put(v, Boolean.TRUE) != null) return false;
            if (v instanceof Fd[] fds) {
                for (Fd fd : fds) {
                    if (fd != null && !fd.isOpen()) return false;
                }
            } else if (!(v instanceof int[] || v instanceof long[] || v instanceof byte[] || v instanceof double[]
                    || v instanceof boolean[] || v instanceof char[] || v instanceof String[])) {
                return false;
            }
        }
        return true;
    }

    private static void writeValue(DataOutputStream out, Object v) throws IOException {
        if (v == null) {
            out.writeByte('N');
        } else if (v instanceof String s) {
            out.writeByte('S');
            writeString(out, s);
        } else if (v instanceof Integer x) {
            out.writeByte('I');
            out.writeInt(x);
        } else if (v instanceof Long x) {
            out.writeByte('J');
            out.writeLong(x);
        } else if (v instanceof Boolean x) {
            out.writeByte('Z');
            out.writeBoolean(x);
        } else if (v instanceof Double x) {
            out.writeByte('D');
            out.writeDouble(x);
        } else if (v instanceof Character x) {
            out.writeByte('C');
            out.writeChar(x);
        } else if (v instanceof Byte x) {
            out.writeByte('B');
            out.writeByte(x);
        } else if (v instanceof Short x) {
            out.writeByte('H');
            out.writeShort(x);
        } else if (v instanceof Float x) {
            out.writeByte('F');
            out.writeFloat(x);
        } else if (v instanceof Fd fd) {
            out.writeByte('d');
            out.writeInt(fd.number());
        } else if (v instanceof Fd[] a) {
            out.writeByte('a');
            out.writeInt(a.length);
            for (Fd fd : a) out.writeInt(fd == null ? -1 : fd.number());
        } else if (v instanceof int[] a) {
            out.writeByte('i');
            out.writeInt(a.length);
            for (int x : a) out.writeInt(x);
        } else if (v instanceof long[] a) {
            out.writeByte('j');
            out.writeInt(a.length);
            for (long x : a) out.writeLong(x);
        } else if (v instanceof byte[] a) {
            out.writeByte('b');
            out.writeInt(a.length);
            out.write(a);
        } else if (v instanceof double[] a) {
            out.writeByte('x');
            out.writeInt(a.length);
            for (double x : a) out.writeDouble(x);
        } else if (v instanceof boolean[] a) {
            out.writeByte('z');
            out.writeInt(a.length);
            for (boolean x : a) out.writeBoolean(x);
        } else if (v instanceof char[] a) {
            out.writeByte('c');
            out.writeInt(a.length);
            for (char x : a) out.writeChar(x);
        } else if (v instanceof String[] a) {
            out.writeByte('s');
            out.writeInt(a.length);
            for (String s : a) {
                out.writeBoolean(s != null);
                if (s != null) writeString(out, s);
            }
        } else {
            throw new IllegalArgumentException("not a simple value: " + v.getClass());
        }
    }

    private static Object readValue(DataInputStream in, Map<Integer, Fd> fds) throws IOException {
        int tag = in.readUnsignedByte();
        switch (tag) {
            case 'N': return null;
            case 'S': return readString(in);
            case 'I': return in.readInt();
            case 'J': return in.readLong();
            case 'Z': return in.readBoolean();
            case 'D': return in.readDouble();
            case 'C': return in.readChar();
            case 'B': return in.readByte();
            case 'H': return in.readShort();
            case 'F': return in.readFloat();
            case 'd': return fd(in.readInt(), fds);
            case 'a': {
                Fd[] a = new Fd[in.readInt()];
                for (int i = 0; i < a.length; i++) a[i] = fd(in.readInt(), fds);
                return a;
            }
            case 'i': {
                int[] a = new int[in.readInt()];
                for (int i = 0; i < a.length; i++) a[i] = in.readInt();
                return a;
            }
            case 'j': {
                long[] a = new long[in.readInt()];
                for (int i = 0; i < a.length; i++) a[i] = in.readLong();
                return a;
            }
            case 'b': {
                byte[] a = new byte[in.readInt()];
                in.readFully(a);
                return a;
            }
            case 'x': {
                double[] a = new double[in.readInt()];
                for (int i = 0; i < a.length; i++) a[i] = in.readDouble();
                return a;
            }
            case 'z': {
                boolean[] a = new boolean[in.readInt()];
                for (int i = 0; i < a.length; i++) a[i] = in.readBoolean();
                return a;
            }
            case 'c': {
                char[] a = new char[in.readInt()];
                for (int i = 0; i < a.length; i++) a[i] = in.readChar();
                return a;
            }
            case 's': {
                String[] a = new String[in.readInt()];
                for (int i = 0; i < a.length; i++) a[i] = in.readBoolean() ? readString(in) : null;
                return a;
            }
            default: throw new IOException("corrupt values file: tag " + tag);
        }
    }

    private static Fd fd(int number, Map<Integer, Fd> fds) {
        if (number < 0) return null;
        Fd fd = fds.get(number);
        if (fd == null) {
            fd = Fd.of(number);
            fds.put(number, fd);
        }
        return fd;
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static String readString(DataInputStream in) throws IOException {
        byte[] utf8 = new byte[in.readInt()];
        in.readFully(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }
}
