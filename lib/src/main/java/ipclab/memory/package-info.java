/**
 * The memory a learner has, and what the course's processes use of it. {@link ipclab.memory.MemoryLimit}
 * reads the limit of this process's memory cgroup (cgroup v1 {@code memory.limit_in_bytes}, cgroup
 * v2 {@code memory.max}): the limit that Binder, a container or a test puts on the notebook's JVM
 * and everything it starts. {@link ipclab.memory.HandlerBudget} turns that limit into the echo
 * server's cap on handler processes. {@link ipclab.memory.MemoryUse} adds up what a process and its
 * descendants use, counting shared pages once (PSS, {@code /proc/PID/smaps_rollup}).
 */
package ipclab.memory;
