/* pass_fd.c: a parent accepts a TCP connection and sends it to a worker it forked earlier.
 * Not from the book: the course's notebook 14 (passing descriptors) runs it beside the Java.
 * No switches.
 *
 * The worker is forked before the listening socket exists, so it inherits nothing of the
 * connection: it gets it with recvmsg() and SCM_RIGHTS over a socket pair (man 7 unix,
 * man 3 cmsg), at a number of its own. The parent is the client too, on a second socket.
 * alarm(10) bounds every wait in both processes. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *call)
{
    perror(call);
    exit(1);
}

/* What /proc/self/fd shows for a descriptor: "socket:[inode]". */
static const char *target(int fd, char *buf, size_t size)
{
    char path[64];
    ssize_t n;

    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    n = readlink(path, buf, size - 1);
    buf[n < 0 ? 0 : n] = 0;
    return buf;
}

static void send_fd(int via, int fd)
{
    char data = 'F';                               /* control data travels with data */
    struct iovec iov = { &data, 1 };
    union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } control;
    struct msghdr msg = { 0 };
    struct cmsghdr *cmsg;

    memset(&control, 0, sizeof(control));
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof(control.buf);
    cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
    if (sendmsg(via, &msg, 0) == -1)
        die("sendmsg");
}

static int receive_fd(int via)
{
    char data;
    struct iovec iov = { &data, 1 };
    union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } control;
    struct msghdr msg = { 0 };
    struct cmsghdr *cmsg;
    int fd;

    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof(control.buf);  /* room for one descriptor */
    if (recvmsg(via, &msg, 0) <= 0)
        die("recvmsg");
    cmsg = CMSG_FIRSTHDR(&msg);
    if (cmsg == NULL || cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS
            || (msg.msg_flags & MSG_CTRUNC)) {
        fprintf(stderr, "recvmsg: no descriptor arrived\n");
        exit(1);
    }
    memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
    return fd;
}

static void worker(int via)
{
    char buf[100], reply[200], where[64];
    int conn, len;

    conn = receive_fd(via);                        /* a new descriptor in this table */
    printf("worker %d: received fd %d -> %s\n", (int) getpid(), conn, target(conn, where, sizeof(where)));
    len = read(conn, buf, sizeof(buf) - 1);
    if (len <= 0)
        die("read");
    buf[len] = 0;
    len = snprintf(reply, sizeof(reply), "worker %d says: %s", (int) getpid(), buf);
    if (write(conn, reply, len) != len)
        die("write");
    close(conn);
}

int main(void)
{
    int sv[2], listener, client, conn, len, status;
    struct sockaddr_in addr;
    socklen_t addr_len = sizeof(addr);
    char buf[200], where[64];
    pid_t pid;

    setvbuf(stdout, NULL, _IONBF, 0);              /* each printf reaches the pipe at once, in order */
    alarm(10);
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
        die("socketpair");
    pid = fork();                                  /* the worker, started first */
    if (pid == -1)
        die("fork");
    if (pid == 0) {
        alarm(10);                                 /* fork() does not pass the parent's alarm on */
        close(sv[0]);
        worker(sv[1]);
        return 0;
    }
    close(sv[1]);

    listener = socket(AF_INET, SOCK_STREAM, 0);    /* only now: the worker has no copy */
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;                             /* the OS kernel picks a free port */
    if (bind(listener, (struct sockaddr *) &addr, sizeof(addr)) == -1 || listen(listener, 5) == -1)
        die("bind/listen");
    if (getsockname(listener, (struct sockaddr *) &addr, &addr_len) == -1)
        die("getsockname");

    client = socket(AF_INET, SOCK_STREAM, 0);      /* the client, in the parent for brevity */
    if (connect(client, (struct sockaddr *) &addr, sizeof(addr)) == -1)
        die("connect");
    conn = accept(listener, NULL, NULL);
    if (conn == -1)
        die("accept");
    printf("parent: accepted fd %d -> %s\n", conn, target(conn, where, sizeof(where)));
    send_fd(sv[0], conn);
    close(conn);                                   /* the worker's copy keeps the connection */

    if (write(client, "hello\n", 6) != 6)
        die("write");
    len = read(client, buf, sizeof(buf) - 1);
    if (len <= 0)
        die("read");
    buf[len] = 0;
    printf("client got: %s", buf);
    close(client);
    close(listener);
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
