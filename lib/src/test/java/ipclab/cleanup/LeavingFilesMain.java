package ipclab.cleanup;

import ipclab.fifo.Fifo;
import ipclab.sharedmemory.SharedCounter;
import ipclab.signal.StoreFile;
import ipclab.unixsocket.SocketDir;
import ipclab.unixsocket.UnixServer;

/**
 * A child JVM for {@link OwnedFilesTest}: makes a FIFO, a socket directory with a listening
 * socket, a shared counter and a store file, prints their paths on one line, closes none of
 * them, and sleeps until it is signalled.
 */
public final class LeavingFilesMain {
    private LeavingFilesMain() {}

    public static void main(String[] args) throws Exception {
        Fifo fifo = Fifo.mkfifo();
        SocketDir dir = SocketDir.create();
        UnixServer server = UnixServer.bind(dir.resolve("echo.sock"));
        SharedCounter counter = SharedCounter.create();
        StoreFile store = StoreFile.create();
        System.out.println("made " + fifo.path().getParent() + " " + dir.path() + " " + counter.path()
                + " " + store.path().getParent() + " " + server);
        Thread.sleep(120_000);
    }
}
