/* echo_mpclient.c: the echo client that splits its work between two processes. After
 * connect(), fork(): the child writes the lines it reads from standard input to the server,
 * the parent prints whatever the server sends back. Neither waits for the other, so the
 * client can send its next line before the echo of the last one has arrived.
 * After the book's echo_mpclient.c (TCP/IP Network Programming, chapter 10, 10.5: splitting
 * I/O), the client the book pairs with echo_storeserv.c in chapter 11.
 *
 * usage: echo_mpclient <host> <port>
 *   Reads lines from standard input; a line "q" (or "Q"), or the end of the input, quits.
 *   Quitting half-closes the connection (shutdown(SHUT_WR)): the server sees end of file,
 *   and the parent still prints the echoes on their way until the server closes its side.
 * No switches.
 *
 * Changed from the book, each marked COURSE: the end of the input quits (the book's loop
 * ignores fgets() returning NULL and would send its last line again forever), a read leaves
 * room for the terminating '\0', and a failed read ends the reading loop like end of file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#define BUF_SIZE 30

/* Like the book, this listing ignores what write() returns. Where _FORTIFY_SOURCE is on by
 * default (Ubuntu's gcc, so Binder's image), glibc declares it warn_unused_result, and
 * -Werror would stop the build: that one warning is silenced. */
#pragma GCC diagnostic ignored "-Wunused-result"

void error_handling(char *message);
void read_routine(int sock, char *buf);
void write_routine(int sock, char *buf);

int main(int argc, char *argv[])
{
    int sock;
    pid_t pid;
    char buf[BUF_SIZE];
    struct sockaddr_in serv_adr;
    if (argc != 3)
    {
        printf("Usage : %s <IP> <port>\n", argv[0]);
        exit(1);
    }

    sock = socket(PF_INET, SOCK_STREAM, 0);
    memset(&serv_adr, 0, sizeof(serv_adr));
    serv_adr.sin_family = AF_INET;
    serv_adr.sin_addr.s_addr = inet_addr(argv[1]);
    serv_adr.sin_port = htons(atoi(argv[2]));

    if (connect(sock, (struct sockaddr *)&serv_adr, sizeof(serv_adr)) == -1)
        error_handling("connect() error!");

    pid = fork(); /* two processes, each with its own copy of the socket's descriptor */
    if (pid == 0)
        write_routine(sock, buf);
    else
        read_routine(sock, buf);

    close(sock);
    return 0;
}

void read_routine(int sock, char *buf)
{
    while (1)
    {
        /* COURSE: BUF_SIZE - 1. The book reads BUF_SIZE bytes, and then buf[str_len] = 0
         * writes one byte past the end of buf whenever a read fills it. */
        int str_len = read(sock, buf, BUF_SIZE - 1);
        if (str_len <= 0) /* COURSE: the book tests == 0, so a failed read (-1) would loop */
            return;

        buf[str_len] = 0;
        /* One read is not one line: a long echo can arrive in pieces, each printed with its
         * own prefix. */
        printf("Message from server: %s", buf);
    }
}

void write_routine(int sock, char *buf)
{
    while (1)
    {
        /* COURSE: the end of the input quits, like "q". */
        if (fgets(buf, BUF_SIZE, stdin) == NULL || !strcmp(buf, "q\n") || !strcmp(buf, "Q\n"))
        {
            /* Half-close: no more data from this side, but the parent can still read the echo. */
            shutdown(sock, SHUT_WR);
            return;
        }
        write(sock, buf, strlen(buf));
    }
}

void error_handling(char *message)
{
    fputs(message, stderr);
    fputc('\n', stderr);
    exit(1);
}
