package ipclab.signal;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import ipclab.child.ChildProcess;
import ipclab.child.ExitStatus;
import ipclab.pipe.Pipe;

import static ipclab.language.Messages.text;

/**
 * The notebook's side of a {@link StoringProcess}: a child JVM started with {@code posix_spawn}
 * whose standard input is the read end of a pipe. {@link #send} writes lines into the pipe,
 * {@link #awaitBuffered} waits (with a bound) until the child has them in its buffer,
 * {@link #terminate()} is {@code kill(pid, SIGTERM)}, and {@link #close()} reaps the child,
 * closes the pipe and removes the store.
 */
public final class StoringChild implements AutoCloseable {
    private final StoreFile store;
    private final Pipe pipe;
    private final ChildProcess child;
    private int sent;

    private StoringChild(StoreFile store, Pipe pipe, ChildProcess child) {
        this.store = store;
        this.pipe = pipe;
        this.child = child;
    }

    /** Starts a storing child that installs a SIGTERM handler first: it flushes, then exits 0. */
    public static StoringChild flushingOnTerm() throws IOException {
        return start(true);
    }

    /** Starts a storing child with no handler of its own: SIGTERM gets the JVM's. */
    public static StoringChild withoutHandler() throws IOException {
        return start(false);
    }

    private static StoringChild start(boolean handler) throws IOException {
        StoreFile store = StoreFile.create();
        Pipe pipe = Pipe.open();                                       // pipe(fds)
        ChildProcess child;
        try {
            child = ChildProcess.builder()
                    .main(StoringProcess.class, store.directory(), handler ? "flush-on-term" : "no-handler")
                    .stdin(pipe.readEnd())                              // dup2(fds[0], 0) in the child
                    .showOutput(false)
                    .timeout(Duration.ofSeconds(30))
                    .start();                                           // posix_spawn()
            pipe.readEnd().close();                                     // the child reads; this JVM only writes
        } catch (IOException | RuntimeException e) {
            pipe.close();
            store.close();
            throw e;
        }
        return new StoringChild(store, pipe, child);
    }

    /** The child's process id. */
    public long pid() {
        return child.pid();
    }

    /** The store the child writes. */
    public StoreFile store() {
        return store;
    }

    /** write(fds[1], line + "\n"): one line for the child to store. */
    public void send(String line) throws IOException {
        if (!pipe.writeEnd().isOpen()) throw new IOException(text("signal.pipe-closed"));
        pipe.writeEnd().write(line + "\n");
        sent++;
    }

    /** Sends each line in turn. */
    public void send(List<String> lines) throws IOException {
        for (String line : lines) send(line);
    }

    /** close(fds[1]): the child's next read returns 0, end of file, and it flushes and exits 0. */
    public void closeInput() throws IOException {
        pipe.writeEnd().close();
    }

    /**
     * Waits until the child has every line sent so far in its buffer, at most {@code limit}.
     * Returns false when it has not (it ended, or the limit struck).
     */
    public boolean awaitBuffered(Duration limit) throws InterruptedException {
        return store.awaitBuffered(child.pid(), sent, limit);
    }

    /** kill(pid, SIGTERM). Returns false when the child has been reaped already. */
    public boolean terminate() throws IOException {
        return child.signal(15);
    }

    /** waitpid(pid): how the child ended; it is killed (SIGKILL) if it overruns {@code limit}. */
    public ExitStatus waitFor(Duration limit) throws IOException {
        return child.waitFor(limit);
    }

    /** Everything the child wrote to its standard output and error. */
    public String output() {
        return child.output();
    }

    /** Kills the child if it still runs and reaps it, closes the pipe, removes the store. */
    @Override
    public void close() throws IOException {
        try {
            child.close();
        } finally {
            pipe.close();
            store.close();
        }
    }
}
