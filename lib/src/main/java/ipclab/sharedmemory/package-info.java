/**
 * Shared memory between processes: a file under {@code /dev/shm} that several processes map with
 * {@code mmap(2)} {@code MAP_SHARED}, so that a store by one is seen by the others with no copy
 * through the OS kernel, and with none of a pipe's end of file, wake-up or message boundary.
 *
 * <ul>
 *   <li>{@link ipclab.sharedmemory.SharedCounter}: a counter in a uniquely named, mapped file,
 *       deleted on close; incremented racily (a load, then a store), atomically
 *       ({@code VarHandle.getAndAdd} on the mapping), or under an {@code fcntl(2)} record lock
 *       ({@code FileChannel.lock});</li>
 *   <li>{@link ipclab.sharedmemory.CounterRace}: child JVMs ({@link ipclab.sharedmemory.Increments})
 *       that increment one counter at the same time, and what they left
 *       ({@link ipclab.sharedmemory.RaceResult}): the count, the updates lost, the time.</li>
 * </ul>
 *
 * <p>Through the JDK, not jnr-posix: jnr-posix has no {@code mmap}, and its {@code fcntl} passes
 * only {@code int} arguments, not the {@code struct flock} that a record lock needs.
 */
package ipclab.sharedmemory;
