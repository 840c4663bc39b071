/**
 * Unix domain sockets with a name in the file system ({@code man 7 unix}): the chapter's echo
 * server on a socket file instead of a TCP port. {@link ipclab.unixsocket.UnixServer} binds a
 * path and unlinks it on close, and tells a stale socket file from one in use;
 * {@link ipclab.unixsocket.SocketConnection} is one connected stream, over a path or over
 * 127.0.0.1; {@link ipclab.unixsocket.EchoServerProcess} runs the echo server in a child JVM;
 * {@link ipclab.unixsocket.OtherUser} runs a client as another user, to show file permissions
 * at work; {@link ipclab.unixsocket.SocketDir} is a private directory for the socket files.
 *
 * <p>jnr-posix has no {@code socket()}, {@code bind()} or {@code connect()} for {@code AF_UNIX}
 * addresses (only {@code socketpair()}), so those are the JDK's: JEP 380 (JDK 16) added
 * {@link java.net.UnixDomainSocketAddress} to {@link java.nio.channels.SocketChannel} and
 * {@link java.nio.channels.ServerSocketChannel}, and {@code jdk.net.ExtendedSocketOptions.SO_PEERCRED}.
 */
package ipclab.unixsocket;
