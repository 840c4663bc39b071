package ipclab.passing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import ipclab.pipe.Fd;
import ipclab.posix.Posix;
import jnr.posix.CmsgHdr;
import jnr.posix.MsgHdr;

import static ipclab.language.Messages.text;

/**
 * Sends and receives open descriptors over a Unix domain socket (a {@link ipclab.socketpair.SocketPair}'s
 * end): {@code sendmsg(2)} and {@code recvmsg(2)} with a control message of level
 * {@code SOL_SOCKET} and type {@code SCM_RIGHTS} (man 7 unix, man 3 cmsg).
 *
 * <p>What travels is not the number: the OS kernel takes a reference to the sender's open file
 * description, and {@code recvmsg} installs a new descriptor for it in the receiver's table, at
 * a number free there, as {@code dup(2)} would within one process. Each message carries one byte
 * of ordinary data too: over a SOCK_STREAM socket "you must send or receive at least one byte of
 * nonancillary data in the same sendmsg(2) or recvmsg(2) call" (man 7 unix).
 *
 * <p>Waits are bounded: {@link #recvmsg} first polls for at most {@link #TIMEOUT_MILLIS}.
 */
public final class ScmRights {
    /** SOL_SOCKET on Linux (asm-generic/socket.h). */
    public static final int SOL_SOCKET = 1;
    /** SCM_RIGHTS (linux/socket.h): the control message carries descriptors. */
    public static final int SCM_RIGHTS = 1;
    /** msg_flags bit: some control data did not fit and was discarded (recvmsg(2)). */
    public static final int MSG_CTRUNC = 0x8;
    /** How long {@link #recvmsg} waits for a message before giving up. */
    public static final int TIMEOUT_MILLIS = 10_000;

    /**
     * What one {@code recvmsg(2)} returned: the bytes of ordinary data, whether the OS kernel
     * set {@code MSG_CTRUNC}, and the descriptor it installed here (null if none).
     */
    public record Received(int dataBytes, boolean controlTruncated, Fd descriptor) {}

    private ScmRights() {}

    /**
     * sendmsg(2) of one data byte with an SCM_RIGHTS control message carrying {@code fd}. The
     * sender's own descriptor stays open: close it once the receiver has its copy, or keep it.
     */
    public static void sendmsg(Fd via, Fd fd) throws IOException {
        if (!via.isOpen()) throw new IOException(text("passing.closed-here", "sendmsg", via));
        if (!fd.isOpen()) throw new IOException(text("passing.nothing-to-send", fd));
        MsgHdr msg = Posix.jnr().allocateMsgHdr();
        ByteBuffer data = ByteBuffer.allocateDirect(1);
        data.put(0, (byte) 'F');
        msg.setIov(new ByteBuffer[] {data});
        CmsgHdr control = msg.allocateControl(Integer.BYTES);
        control.setLevel(SOL_SOCKET);
        control.setType(SCM_RIGHTS);
        ByteBuffer number = ByteBuffer.allocateDirect(Integer.BYTES).order(ByteOrder.nativeOrder());
        number.putInt(0, fd.number());
        control.setData(number);
        while (true) {
            int n = Posix.jnr().sendmsg(via.number(), msg, 0);
            if (n >= 0) return;
            if (Posix.jnr().errno() != jnr.constants.platform.Errno.EINTR.intValue()) {
                throw Posix.error("sendmsg(" + via + ", SCM_RIGHTS " + fd + ")");
            }
        }
    }

    /**
     * recvmsg(2) of one message, with room for one descriptor's control data or, with
     * {@code roomForDescriptor} false, none: then a descriptor sent along is not installed here
     * (MSG_CTRUNC), and the OS kernel drops its reference.
     */
    public static Received recvmsg(Fd via, boolean roomForDescriptor) throws IOException {
        if (!via.isOpen()) throw new IOException(text("passing.closed-here", "recvmsg", via));
        if (Posix.poll(via.number(), Posix.POLLIN, TIMEOUT_MILLIS) == 0) {
            throw new IOException(text("passing.nothing-arrived", via, TIMEOUT_MILLIS / 1000));
        }
        MsgHdr msg = Posix.jnr().allocateMsgHdr();
        ByteBuffer data = ByteBuffer.allocateDirect(1);
        msg.setIov(new ByteBuffer[] {data});
        if (roomForDescriptor) msg.allocateControl(Integer.BYTES);
        int n;
        while (true) {
            n = Posix.jnr().recvmsg(via.number(), msg, 0);
            if (n >= 0) break;
            if (Posix.jnr().errno() != jnr.constants.platform.Errno.EINTR.intValue()) throw Posix.error("recvmsg(" + via + ")");
        }
        Fd received = null;
        CmsgHdr[] controls = roomForDescriptor ? msg.getControls() : new CmsgHdr[0];
        for (CmsgHdr c : controls) {
            if (c.getLevel() == SOL_SOCKET && c.getType() == SCM_RIGHTS) {
                ByteBuffer d = c.getData().order(ByteOrder.nativeOrder());
                if (d.remaining() >= Integer.BYTES) received = Fd.of(d.getInt(d.position()));
            }
        }
        return new Received(n, (msg.getFlags() & MSG_CTRUNC) != 0, received);
    }

    /** recvmsg(2) with room for one descriptor: the new descriptor the OS kernel installed here. */
    public static Fd receive(Fd via) throws IOException {
        Received r = recvmsg(via, true);
        if (r.descriptor() != null) return r.descriptor();
        if (r.dataBytes() == 0) throw new IOException(text("passing.eof-no-descriptor", via));
        throw new IOException(text("passing.no-descriptor", via));
    }
}
