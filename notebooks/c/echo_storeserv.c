/* echo_storeserv.c: the echo server that also stores what its clients send. One process per
 * client echoes; every one of them passes the bytes through one pipe to a storing process,
 * the only writer of the store file.
 * After the book's echo_storeserv.c (TCP/IP Network Programming, chapter 11, 11.2.1), which
 * builds on chapter 10's echo_mpserv.c.
 *
 * usage: echo_storeserv <port> [host]
 *   port 0 asks the OS kernel for a free port. host is 127.0.0.1 unless given (the book binds
 *   every interface). Once it listens it prints "listening on HOST:PORT". The store file is
 *   $ECHO_STORE, else echomsg.txt in the current folder (the book's name). SIGTERM stops it.
 *
 * Switches (gcc -D...); without any, this is the book's server:
 *   STORE_UNTIL_EOF             the storing process stores until end of file (the course's fix),
 *                               and closes its own copy of the pipe's write end;
 *   STORE_KEEPS_WRITE_END       with STORE_UNTIL_EOF: it keeps that copy open, so it never sees
 *                               end of file and never ends;
 *   REAP_ALL                    the SIGCHLD handler reaps every exited child, not one per signal;
 *   TRANSCRIPTION_BUFSIZ        read(clnt_sock, buf, BUFSIZ) into the 30-byte buffer: a typo of
 *                               a widely copied transcription of this listing, NOT the book's;
 *   BIND_ANY                    bind INADDR_ANY (every interface), as the book does;
 *   CHILD_KEEPS_LISTEN_SOCKET   an echo process keeps its copy of the listening socket;
 *   PARENT_KEEPS_CLIENT_SOCKET  the server keeps its copy of each connected socket.
 *
 * The book's bugs that the notebooks show are kept, each marked KEPT BUG. The course's
 * additions are marked COURSE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#define BUF_SIZE 30

#ifdef TRANSCRIPTION_BUFSIZ
/* KEPT BUG of the transcription, not of the book: BUFSIZ (8192 in glibc's stdio.h) is not
 * sizeof(buf). Whenever more than 30 bytes wait in the socket, read() writes past the end of
 * buf: undefined behaviour. What it overwrites depends on the compiler, its flags (a stack
 * protector, _FORTIFY_SOURCE) and the stack layout (randomised in part at each run), so the
 * outcome differs between machines and between runs:
 * another variable of main(), a saved register, the return address. Outcomes seen once each,
 * with 300 bytes of 'A' (not promises):
 * - Debian's gcc 12, -O1, whose defaults have neither a stack protector nor _FORTIFY_SOURCE:
 *   the echo came back whole, but fds[1] now held 0x41414141 ("AAAA"), so the copy for the
 *   store went to no descriptor (EBADF) and was lost; the echo process then died of SIGSEGV
 *   when main() returned. The server printed only "removed proc id: ...".
 * - with -fstack-protector-strong: the same, ending in "*** stack smashing detected ***".
 * - with -D_FORTIFY_SOURCE=2 (on by default in Ubuntu's gcc): read() itself checks the length
 *   against the buffer and aborts the echo process at its first read, even of 5 bytes
 *   ("*** buffer overflow detected ***"); the client gets no echo. */
#define ECHO_READ_SIZE BUFSIZ
#else
#define ECHO_READ_SIZE BUF_SIZE
#endif

/* Like the book, this listing ignores what pipe(), read() and write() return. Where
 * _FORTIFY_SOURCE is on by default (Ubuntu's gcc, so Binder's image), glibc declares them
 * warn_unused_result, and -Werror would stop the build: that one warning is silenced. */
#pragma GCC diagnostic ignored "-Wunused-result"

void error_handling(char *message);
void read_childproc(int sig);
void stop_server(int sig);

/* COURSE: SIGTERM stops the server. The handler closes the listening socket itself, so a
 * SIGTERM that lands after the loop's test and just before accept() makes accept() fail
 * (EBADF) instead of leaving it blocked. */
static volatile sig_atomic_t stopping = 0;
static int listening_sock = -1;

int main(int argc, char *argv[])
{
    int serv_sock, clnt_sock;
    struct sockaddr_in serv_adr, clnt_adr;
    int fds[2];

    pid_t pid;
    struct sigaction act;
    socklen_t adr_sz;
    int str_len, state;
    char buf[BUF_SIZE];
    char host[INET_ADDRSTRLEN];
    const char *store = getenv("ECHO_STORE"); /* COURSE */
    if (store == NULL || store[0] == '\0')
        store = "echomsg.txt";
    if (argc != 2 && argc != 3) /* COURSE: an optional host; the book: argc != 2 */
    {
        printf("Usage : %s <port> [host]\n", argv[0]);
        exit(1);
    }

    act.sa_handler = read_childproc; /* against zombies */
    sigemptyset(&act.sa_mask);
    act.sa_flags = 0; /* no SA_RESTART: SIGCHLD interrupts accept(), which returns -1 (EINTR) */
    state = sigaction(SIGCHLD, &act, 0);
    act.sa_handler = stop_server; /* COURSE */
    if (state == -1 || sigaction(SIGTERM, &act, 0) == -1) /* COURSE: the book never looks at state */
        error_handling("sigaction() error");

    serv_sock = socket(PF_INET, SOCK_STREAM, 0);
    listening_sock = serv_sock; /* COURSE: for stop_server() */
    memset(&serv_adr, 0, sizeof(serv_adr));
    serv_adr.sin_family = AF_INET;
#ifdef BIND_ANY
    /* The book's choice: every interface of the machine, so anyone who can reach the machine
     * can reach the server. A deployment decision with a security cost, not a bug. */
    serv_adr.sin_addr.s_addr = htonl(INADDR_ANY);
#else
    /* COURSE: the loopback address only, so nobody outside this machine can connect. */
    serv_adr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
#endif
    if (argc == 3 && inet_pton(AF_INET, argv[2], &serv_adr.sin_addr) != 1) /* COURSE */
        error_handling("not an IPv4 address");
    serv_adr.sin_port = htons(atoi(argv[1]));

    if (bind(serv_sock, (struct sockaddr *)&serv_adr, sizeof(serv_adr)) == -1)
        error_handling("bind() error");
    if (listen(serv_sock, 5) == -1)
        error_handling("listen() error");
    adr_sz = sizeof(serv_adr); /* COURSE: which port the OS kernel chose for port 0 */
    getsockname(serv_sock, (struct sockaddr *)&serv_adr, &adr_sz);

    pipe(fds);
    pid = fork();
    if (pid == 0)
    {
        FILE *fp;
        char msgbuf[BUF_SIZE];
        int len;
        signal(SIGTERM, SIG_DFL); /* COURSE: the book's children have no SIGTERM handler */
        /* COURSE: the book's storing process keeps its copy of the listening socket. The port
         * would then stay taken for as long as it lives, even after the server has exited;
         * closing it here leaves CHILD_KEEPS_LISTEN_SOCKET the one way to see that. */
        close(serv_sock);
        fp = fopen(store, "wt");
        if (fp == NULL) /* COURSE: the book would crash in fwrite() */
            error_handling("cannot open the store file");
#ifdef STORE_UNTIL_EOF
#ifndef STORE_KEEPS_WRITE_END
        /* read() returns 0 (end of file) only once every write end in every process is closed,
         * this process's own copy included. */
        close(fds[1]);
#endif
        while ((len = read(fds[0], msgbuf, BUF_SIZE)) > 0)
        {
            fwrite((void *)msgbuf, 1, len, fp);
            fflush(fp); /* COURSE: so a notebook can read the file while the server runs */
        }
#else
        /* KEPT BUG: 10 reads, then this process ends. A pipe is a byte stream, so 10 reads are
         * not 10 messages. After they are done nobody reads the pipe, but the server and every
         * echo process still hold its read end, so a write gets no SIGPIPE: once the pipe is
         * full (64 KiB by default) an echo process blocks in write() and its client hangs. */
        int i;
        for (i = 0; i < 10; i++)
        {
            len = read(fds[0], msgbuf, BUF_SIZE);
            fwrite((void *)msgbuf, 1, len, fp);
            fflush(fp); /* COURSE: so a notebook can read the file while the server runs */
        }
#endif
        fclose(fp);
        return 0;
    }

    inet_ntop(AF_INET, &serv_adr.sin_addr, host, sizeof(host));
    printf("listening on %s:%d\n", host, ntohs(serv_adr.sin_port)); /* COURSE */
    fflush(stdout);

    while (!stopping) /* COURSE: SIGTERM ends the loop; the book: while (1) */
    {
        adr_sz = sizeof(clnt_adr);
        clnt_sock = accept(serv_sock, (struct sockaddr *)&clnt_adr, &adr_sz);
        if (clnt_sock == -1) /* EINTR when SIGCHLD interrupted accept(); EBADF once SIGTERM closed the socket */
            continue;
        else
            puts("new client connected...");
        pid = fork();
        if (pid == 0)
        {
            signal(SIGTERM, SIG_DFL); /* COURSE: the book's children have no SIGTERM handler */
#ifndef CHILD_KEEPS_LISTEN_SOCKET
            close(serv_sock);
#endif
            /* KEPT BUG: the loop ends only on 0. read() returning -1 (an error) makes it call
             * write() with a length of -1 and read again, for as long as the error lasts. */
#ifdef TRANSCRIPTION_BUFSIZ
#pragma GCC diagnostic push
/* gcc can see that read() may write 8192 bytes into 30, the very bug this variant shows, and
 * says so: as -Wstringop-overflow, or with _FORTIFY_SOURCE as -Wattribute-warning. */
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#pragma GCC diagnostic ignored "-Wattribute-warning"
#endif
            while ((str_len = read(clnt_sock, buf, ECHO_READ_SIZE)) != 0)
#ifdef TRANSCRIPTION_BUFSIZ
#pragma GCC diagnostic pop
#endif
            {
                write(clnt_sock, buf, str_len);
                /* KEPT BUG: each piece (at most 30 bytes) goes to the pipe in its own write().
                 * Each such write is atomic, but a longer line takes several, and another echo
                 * process's pieces can come in between: lines from two clients mix in the file. */
                write(fds[1], buf, str_len);
            }

            close(clnt_sock);
            puts("client disconnected...");
            return 0;
        }
        else
        {
#ifndef PARENT_KEEPS_CLIENT_SOCKET
            /* The connection stays open while any process holds a descriptor for it: the
             * server's copy must go, or the client never sees the end after the echo process
             * exits. */
            close(clnt_sock);
#endif
        }
    }
    close(serv_sock); /* already closed by stop_server(); harmless */
    puts("server stopped"); /* COURSE */
    return 0;
}

void error_handling(char *message)
{
    fputs(message, stderr);
    fputc('\n', stderr);
    exit(1);
}

void read_childproc(int sig)
{
    pid_t pid;
    int status;
#ifdef REAP_ALL
    /* Standard signals do not queue: one SIGCHLD can stand for several exited children. */
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
        printf("removed proc id: %d \n", pid);
#else
    /* KEPT BUG: one waitpid() per signal. When several children exit before the handler runs,
     * their SIGCHLDs merge into one, and only one of them is reaped. A later signal does not
     * catch up: it reaps one child, and it stands for at least one new exit. As many zombies
     * stay until the server exits.
     * printf() is not async-signal-safe either (signal-safety(7)); both handlers keep it so
     * their output is the book's. */
    pid = waitpid(-1, &status, WNOHANG);
    printf("removed proc id: %d \n", pid);
#endif
}

void stop_server(int sig)
{
    stopping = 1;
    close(listening_sock); /* close() is async-signal-safe */
}
