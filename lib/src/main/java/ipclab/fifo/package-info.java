/**
 * Named pipes (FIFOs, {@code man 7 fifo}): a pipe with a name in the file system, so that
 * processes that share no descriptor can reach it by its path. {@link ipclab.fifo.Fifo} makes
 * one ({@code mkfifo(3)}), opens its ends with a bound ({@code open(2)}), and removes it
 * ({@code unlink(2)}); {@link ipclab.fifo.WriteToFifo} is a child program that knows only the path.
 */
package ipclab.fifo;
