/**
 * The files on disk this JVM owns (FIFOs, socket directories, {@code /dev/shm} files, store
 * files), removed when the JVM exits without its clean-up cell having run, and swept at the next
 * start when the JVM was killed outright ({@link ipclab.cleanup.OwnedFiles}).
 */
package ipclab.cleanup;
