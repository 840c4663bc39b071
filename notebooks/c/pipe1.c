/* pipe1.c: one pipe, one message from the child to the parent.
 * After the book's pipe1.c (TCP/IP Network Programming, chapter 11, listing 11.1: 11.1.1).
 * No switches.
 *
 * pipe() gives this process both ends of one pipe; fork() copies the two descriptors (not the
 * pipe) into the child. The child writes through fds[1], the parent reads through fds[0]. */
#include <stdio.h>
#include <unistd.h>
#define BUF_SIZE 30

/* Like the book, this listing ignores what pipe(), read() and write() return. Where
 * _FORTIFY_SOURCE is on by default (Ubuntu's gcc, so Binder's image), glibc declares them
 * warn_unused_result, and -Werror would stop the build: that one warning is silenced. */
#pragma GCC diagnostic ignored "-Wunused-result"

int main(int argc, char *argv[])
{
    int fds[2];
    char str[] = "Who are you?";
    char buf[BUF_SIZE];
    pid_t pid;

    pipe(fds);
    pid = fork();
    if (pid == 0)
    {
        /* sizeof(str) counts the terminating '\0', so the parent receives a C string. */
        write(fds[1], str, sizeof(str));
    }
    else
    {
        read(fds[0], buf, BUF_SIZE);
        puts(buf);
    }
    return 0;
}
