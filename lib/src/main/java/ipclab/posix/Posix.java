package ipclab.posix;

import java.io.IOException;

import jnr.constants.platform.Fcntl;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * The libc calls the course makes, each named after the one system call it performs.
 *
 * <p>jnr-posix is loaded on first use only: a child JVM that just reads and writes inherited
 * descriptors never touches this class, which keeps its start-up near a bare JVM's.
 */
public final class Posix {
    public static final int POLLIN = 0x1;
    public static final int POLLOUT = 0x4;
    public static final int WNOHANG = 1;
    public static final int SIGKILL = 9;
    public static final int SIGTERM = 15;
    public static final int PIPE_BUF = 4096;
    /** socket(7) types for {@link #socketpair}: a byte stream, and messages kept whole in order. */
    public static final int SOCK_STREAM = jnr.constants.platform.Sock.SOCK_STREAM.intValue();
    public static final int SOCK_SEQPACKET = jnr.constants.platform.Sock.SOCK_SEQPACKET.intValue();
    /** What read and write return when a non-blocking descriptor is not ready (EAGAIN). */
    public static final int AGAIN = -1;
    private static final int EAGAIN = jnr.constants.platform.Errno.EAGAIN.intValue();
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 01;
    public static final int O_RDWR = 02;
    public static final int O_NONBLOCK = 04000;
    public static final int O_CLOEXEC = 02000000;

    /** libc's poll(2), which jnr-posix does not bind. */
    public interface PollLib {
        int poll(Pointer pollfd, long nfds, int timeoutMillis);
    }

    private static final POSIX POSIX = POSIXFactory.getNativePOSIX();
    private static final PollLib POLL = LibraryLoader.create(PollLib.class).load("c");
    /**
     * Each thread's struct pollfd, in native memory: an int[] argument would be copied in and
     * out through JNI on every call, which cost a pipe writer (one poll per write) about 0.7 us
     * per call, a few per cent of a fast transfer's time.
     */
    private static final ThreadLocal<Pointer> POLLFD =
            ThreadLocal.withInitial(() -> Memory.allocateDirect(jnr.ffi.Runtime.getSystemRuntime(), 8));

    private Posix() {}

    /** The jnr-posix binding, for the few calls this class does not wrap (posix_spawnp). */
    public static POSIX jnr() {
        return POSIX;
    }

    /** pipe(2): returns {readEnd, writeEnd}. */
    public static int[] pipe() throws IOException {
        int[] fds = new int[2];
        check(POSIX.pipe(fds), "pipe()");
        return fds;
    }

    /** socketpair(2) with AF_UNIX: returns {sv[0], sv[1]}, two connected sockets, each readable and writable. */
    public static int[] socketpair(int type) throws IOException {
        int[] sv = new int[2];
        check(POSIX.socketpair(jnr.constants.platform.AddressFamily.AF_UNIX.intValue(), type, 0, sv),
                "socketpair(AF_UNIX, " + type + ", 0)");
        return sv;
    }

    /** read(2) into buf[off, off+len). Returns 0 at end of file, as read(2) does. */
    public static int read(int fd, byte[] buf, int off, int len) throws IOException {
        while (true) {
            int n;
            if (off == 0) {
                n = POSIX.read(fd, buf, len);
            } else {
                byte[] tmp = new byte[len];
                n = POSIX.read(fd, tmp, len);
                if (n > 0) System.arraycopy(tmp, 0, buf, off, n);
            }
            if (n >= 0) return n;
            if (POSIX.errno() == EAGAIN) return AGAIN;
            if (POSIX.errno() != jnr.constants.platform.Errno.EINTR.intValue()) throw error("read(fd " + fd + ")");
        }
    }

    /** read(2) into a buffer's remaining space, advancing its position. */
    public static int read(int fd, java.nio.ByteBuffer buf) throws IOException {
        while (true) {
            int n = POSIX.read(fd, buf, buf.remaining());
            if (n >= 0) {
                // jnr-posix fills direct buffers from their position but leaves it where it was.
                buf.position(buf.position() + n);
                return n;
            }
            if (POSIX.errno() == EAGAIN) return AGAIN;
            if (POSIX.errno() != jnr.constants.platform.Errno.EINTR.intValue()) throw error("read(fd " + fd + ")");
        }
    }

    /** write(2) of buf[off, off+len). Returns how many bytes the OS kernel took. */
    public static int write(int fd, byte[] buf, int off, int len) throws IOException {
        byte[] src = off == 0 ? buf : java.util.Arrays.copyOfRange(buf, off, off + len);
        while (true) {
            int n = POSIX.write(fd, src, len);
            if (n >= 0) return n;
            if (POSIX.errno() == EAGAIN) return AGAIN;
            if (POSIX.errno() != jnr.constants.platform.Errno.EINTR.intValue()) throw error("write(fd " + fd + ")");
        }
    }

    /** write(2) of a buffer's remaining bytes, advancing its position. */
    public static int write(int fd, java.nio.ByteBuffer buf) throws IOException {
        while (true) {
            int n = POSIX.write(fd, buf, buf.remaining());
            if (n >= 0) {
                buf.position(buf.position() + n);
                return n;
            }
            if (POSIX.errno() == EAGAIN) return AGAIN;
            if (POSIX.errno() != jnr.constants.platform.Errno.EINTR.intValue()) throw error("write(fd " + fd + ")");
        }
    }

    /**
     * open(2) of {@code /proc/self/fd/FD} with O_NONBLOCK and O_CLOEXEC: a second open file
     * description of the same pipe end, whose flags are this process's alone. (Setting
     * O_NONBLOCK on the descriptor itself would change it for every child that inherits it.)
     */
    public static int openNonBlocking(int fd, boolean forWriting) throws IOException {
        int flags = (forWriting ? O_WRONLY : 0) | O_NONBLOCK | O_CLOEXEC;
        return check(POSIX.open("/proc/self/fd/" + fd, flags, 0), "open(/proc/self/fd/" + fd + ")");
    }

    /** mkfifo(3): makes a FIFO (named pipe) at {@code path} with the given permission bits. */
    public static void mkfifo(String path, int mode) throws IOException {
        check(POSIX.mkfifo(path, mode), "mkfifo(" + path + ")");
    }

    /**
     * open(2) of a path with the given flags ({@link #O_RDONLY}, {@link #O_WRONLY},
     * {@link #O_NONBLOCK}, {@link #O_CLOEXEC}). On failure the message names the flags and
     * the errno: "open(/tmp/f, O_WRONLY|O_NONBLOCK): No such device or address (ENXIO)".
     */
    public static int open(String path, int flags) throws IOException {
        while (true) {
            int fd = POSIX.open(path, flags, 0);
            if (fd >= 0) return fd;
            int errno = POSIX.errno();
            if (errno == jnr.constants.platform.Errno.EINTR.intValue()) continue;
            throw new IOException("open(" + path + ", " + flagNames(flags) + "): " + POSIX.strerror(errno)
                    + " (" + errnoName(errno) + ")");
        }
    }

    /** unlink(2): removes a name from the file system. */
    public static void unlink(String path) throws IOException {
        check(POSIX.unlink(path), "unlink(" + path + ")");
    }

    /** The symbolic name of an errno value, as in C's errno.h: "ENXIO". */
    public static String errnoName(int errno) {
        jnr.constants.platform.Errno e = jnr.constants.platform.Errno.valueOf(errno);
        return e == null || e == jnr.constants.platform.Errno.__UNKNOWN_CONSTANT__ ? "errno " + errno : e.name();
    }

    private static String flagNames(int flags) {
        StringBuilder s = new StringBuilder((flags & O_RDWR) != 0 ? "O_RDWR" : (flags & O_WRONLY) != 0 ? "O_WRONLY" : "O_RDONLY");
        if ((flags & O_NONBLOCK) != 0) s.append("|O_NONBLOCK");
        if ((flags & O_CLOEXEC) != 0) s.append("|O_CLOEXEC");
        return s.toString();
    }

    /** close(2). */
    public static void close(int fd) throws IOException {
        check(POSIX.close(fd), "close(fd " + fd + ")");
    }

    /**
     * poll(2) on one descriptor. Returns the revents bits, or 0 when the timeout passed first.
     */
    public static int poll(int fd, int events, int timeoutMillis) throws IOException {
        // struct pollfd { int fd; short events; short revents; }
        Pointer pollfd = POLLFD.get();
        while (true) {
            pollfd.putInt(0, fd);
            pollfd.putShort(4, (short) events);
            pollfd.putShort(6, (short) 0);
            int n = POLL.poll(pollfd, 1, timeoutMillis);
            if (n >= 0) return n == 0 ? 0 : pollfd.getShort(6) & 0xffff;
            if (POSIX.errno() != jnr.constants.platform.Errno.EINTR.intValue()) throw error("poll(fd " + fd + ")");
        }
    }

    /**
     * fcntl(F_GETFL), then fcntl(F_SETFL) with O_NONBLOCK added: reads and writes on this open
     * file, through any descriptor for it in any process, return EAGAIN instead of waiting.
     */
    public static void setNonBlocking(int fd) throws IOException {
        int flags = check(POSIX.fcntl(fd, Fcntl.F_GETFL), "fcntl(fd " + fd + ", F_GETFL)");
        check(POSIX.fcntlInt(fd, Fcntl.F_SETFL, flags | O_NONBLOCK), "fcntl(fd " + fd + ", F_SETFL)");
    }

    /** fcntl(F_SETFD, FD_CLOEXEC): the descriptor is closed in every program this process execs. */
    public static void setCloseOnExec(int fd) throws IOException {
        check(POSIX.fcntlInt(fd, Fcntl.F_SETFD, 1), "fcntl(fd " + fd + ", F_SETFD)");
    }

    /** fcntl(F_GETPIPE_SZ): the pipe's capacity in bytes (Linux). */
    public static int pipeCapacity(int fd) throws IOException {
        return check(POSIX.fcntl(fd, Fcntl.F_GETPIPE_SZ), "fcntl(fd " + fd + ", F_GETPIPE_SZ)");
    }

    /** waitpid(2). Returns the pid reaped, or 0 with WNOHANG when the child is still running. */
    public static int waitpid(long pid, int[] status, int options) throws IOException {
        while (true) {
            int r = POSIX.waitpid(pid, status, options);
            if (r >= 0) return r;
            if (POSIX.errno() != jnr.constants.platform.Errno.EINTR.intValue()) throw error("waitpid(" + pid + ")");
        }
    }

    /** kill(2). Returns false when the process no longer exists (ESRCH). */
    public static boolean kill(long pid, int signal) throws IOException {
        if (POSIX.kill(pid, signal) == 0) return true;
        if (POSIX.errno() == jnr.constants.platform.Errno.ESRCH.intValue()) return false;
        throw error("kill(" + pid + ", " + signal + ")");
    }

    /** getpid(2). */
    public static int getpid() {
        return POSIX.getpid();
    }

    /** The last call's errno as a one-line IOException: "read(fd 9): Bad file descriptor". */
    public static IOException error(String call) {
        int errno = POSIX.errno();
        return new IOException(call + ": " + POSIX.strerror(errno));
    }

    private static int check(int result, String call) throws IOException {
        if (result < 0) throw error(call);
        return result;
    }
}
