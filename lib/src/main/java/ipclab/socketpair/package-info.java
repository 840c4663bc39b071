/**
 * Beyond the chapter: {@code socketpair(AF_UNIX, SOCK_STREAM, 0, sv)}, one full-duplex channel
 * whose two ends a child inherits as it inherits a pipe's.
 */
package ipclab.socketpair;
