/**
 * Signals between processes ({@code man 7 signal}): a handler installed in a child JVM
 * ({@link ipclab.signal.Signals}, over {@code sun.misc.Signal}), a storing process that flushes
 * its buffer and exits 0 on {@code SIGTERM} ({@link ipclab.signal.StoringChild},
 * {@link ipclab.signal.StoringProcess}, {@link ipclab.signal.BufferedStore}), and the file it
 * stores into ({@link ipclab.signal.StoreFile}). The notebook's own JVM never gets a handler:
 * {@link ipclab.signal.Signals#install} refuses there.
 */
package ipclab.signal;
