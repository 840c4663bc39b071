package ipclab.signal;

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.FileDescriptor;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * A child JVM's program: the echo server's storing process, with a buffer. It reads lines from
 * its standard input (a pipe from the notebook's JVM) into a {@link BufferedStore} until end of
 * file, then flushes and exits 0.
 *
 * <pre>
 *   StoringProcess STORE-DIRECTORY flush-on-term|no-handler
 * </pre>
 *
 * With {@code flush-on-term} it first installs a SIGTERM handler that flushes the buffer and
 * exits 0. Without it, SIGTERM gets the JVM's own handler: the shutdown hooks run, the JVM
 * exits with status 143 (128 + 15), and the buffered lines are lost.
 */
public final class StoringProcess {
    private StoringProcess() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !(args[1].equals("flush-on-term") || args[1].equals("no-handler"))) {
            System.out.println("usage: StoringProcess STORE-DIRECTORY flush-on-term|no-handler");
            System.exit(2);
        }
        BufferedStore store = BufferedStore.open(StoreFile.at(args[0]));
        if (args[1].equals("flush-on-term")) {
            Signals.install("TERM", () -> {
                store.flushAndClose();   // write(2) what is buffered, close(2)
                System.exit(0);          // exit(0): the main thread may be blocked in read(2)
            });
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(new FileInputStream(FileDescriptor.in), StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) store.add(line);   // read(0, ...) until end of file
        store.flushAndClose();
    }
}
