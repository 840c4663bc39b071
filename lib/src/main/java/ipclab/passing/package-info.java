/**
 * Beyond the chapter: passing an open descriptor to another process with {@code sendmsg(2)} and
 * {@code recvmsg(2)} over a Unix socket ({@code SCM_RIGHTS}, man 7 unix). The receiver gets a new
 * descriptor, at a number of its own, for the same open file description: how a pre-forked
 * server hands a connection it accepted to a worker it started earlier.
 */
package ipclab.passing;
