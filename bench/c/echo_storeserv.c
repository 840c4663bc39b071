/* The book's echo_storeserv.c (TCP/IP Network Programming, 11.2) with its bugs fixed, as the
 * C yardstick of bench/bench_echo.py (make bench): one forked handler per client, and a storing
 * child that reads every handler's bytes from one pipe and is the only writer of the store file.
 *
 * Changed from the book:
 * - the buffer is BUF_SIZE = 4096 bytes (PIPE_BUF), not the book's 30, so that a tiny buffer does
 *   not slow the yardstick down; every read is bounded by it;
 * - the storing child stores until end of file instead of stopping after 10 reads;
 * - SIGCHLD reaps every exited child with a waitpid(-1, WNOHANG) loop (the book's handler reaps
 *   one child per signal, and signals that arrive together are merged) and calls only
 *   async-signal-safe functions (the book's calls printf);
 * - a read error on the client's socket ends the handler (the book's loop stops only at end of
 *   file), and SIGPIPE is ignored, so a write to a client that has gone fails with EPIPE and ends
 *   the handler too;
 * - it binds 127.0.0.1 instead of INADDR_ANY (a deployment choice, not a bug: the bench needs no
 *   other interface), listens with a backlog of 1024 instead of 5, as the Java server does, and
 *   sets TCP_NODELAY on each connection, as the Java handlers do;
 * - SIGTERM stops it: the handlers get SIGTERM, the storing child reads to end of file.
 * As in the book, accept() interrupted by a signal is simply retried.
 *
 * Not changed, because the book's design has no way to: a handler forwards each read to the pipe
 * as it comes, in one write() of at most PIPE_BUF bytes, which is atomic; but a line that arrives
 * in several reads is forwarded in several writes, and another handler's write can land between
 * them, so lines from concurrent clients can mix in the store. bench_echo.py sends 32-byte
 * messages and checks the store only on the Java side, so the bench does not depend on it.
 *
 * usage: echo_storeserv PORT STORE-FILE    (prints "listening on 127.0.0.1:PORT"; SIGTERM stops it) */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define BUF_SIZE 4096

static volatile sig_atomic_t stopping;
static int serv = -1;

static void reap(int sig) {
    int saved = errno;
    (void) sig;
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
    errno = saved;
}

static void on_term(int sig) {
    (void) sig;
    stopping = 1;
    close(serv); /* async-signal-safe; a SIGTERM that lands just before accept() cannot leave it blocked */
}

static int write_all(int fd, const char *buf, ssize_t len) {
    while (len > 0) {
        ssize_t n = write(fd, buf, (size_t) len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        buf += n;
        len -= n;
    }
    return 0;
}

int main(int argc, char *argv[]) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s PORT STORE-FILE\n", argv[0]);
        return 2;
    }
    struct sigaction act;
    memset(&act, 0, sizeof act);
    act.sa_handler = reap;
    act.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigemptyset(&act.sa_mask);
    sigaction(SIGCHLD, &act, NULL);
    act.sa_handler = on_term;
    act.sa_flags = 0; /* no SA_RESTART: SIGTERM interrupts accept() */
    sigaction(SIGTERM, &act, NULL);
    signal(SIGPIPE, SIG_IGN);

    serv = socket(PF_INET, SOCK_STREAM, 0);
    int on = 1;
    setsockopt(serv, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons((unsigned short) atoi(argv[1]));
    if (bind(serv, (struct sockaddr *) &addr, sizeof addr) < 0 || listen(serv, 1024) < 0) {
        perror("echo_storeserv: bind/listen");
        return 1;
    }
    socklen_t alen = sizeof addr;
    getsockname(serv, (struct sockaddr *) &addr, &alen);

    int fds[2];
    if (pipe(fds) < 0) {
        perror("echo_storeserv: pipe");
        return 1;
    }
    pid_t store = fork();
    if (store == 0) {
        FILE *fp = fopen(argv[2], "a");
        char buf[BUF_SIZE];
        ssize_t n;
        close(serv);
        close(fds[1]);
        if (fp == NULL) {
            perror("echo_storeserv: store file");
            _exit(1);
        }
        signal(SIGTERM, SIG_IGN); /* it stops at end of file, after the last handler */
        while ((n = read(fds[0], buf, sizeof buf)) != 0) {
            if (n < 0) {
                if (errno == EINTR) continue;
                break;
            }
            fwrite(buf, 1, (size_t) n, fp);
        }
        fclose(fp);
        _exit(0);
    }
    close(fds[0]);
    printf("listening on 127.0.0.1:%d\n", ntohs(addr.sin_port));
    fflush(stdout);

    while (!stopping) {
        int clnt = accept(serv, NULL, NULL);
        if (clnt < 0) continue; /* EINTR from SIGCHLD, or EBADF once SIGTERM closed the socket */
        setsockopt(clnt, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        pid_t pid = fork();
        if (pid < 0) {
            close(clnt);
            continue;
        }
        if (pid == 0) {
            char buf[BUF_SIZE];
            ssize_t n;
            close(serv);
            signal(SIGTERM, SIG_DFL);
            while ((n = read(clnt, buf, sizeof buf)) != 0) {
                if (n < 0) {
                    if (errno == EINTR) continue;
                    break;
                }
                if (write_all(clnt, buf, n) < 0) break;
                if (write_all(fds[1], buf, n) < 0) break;
            }
            close(clnt);
            _exit(0);
        }
        close(clnt);
    }
    /* Stop: the handlers (same process group) get SIGTERM; the storing child reads to end of file. */
    signal(SIGTERM, SIG_IGN);
    kill(0, SIGTERM);
    close(fds[1]);
    while (wait(NULL) > 0 || errno == EINTR) {
    }
    return 0;
}
