/* pipe3.c: two pipes, one for each direction, and no sleep() needed.
 * After the book's pipe3.c (TCP/IP Network Programming, chapter 11, 11.1.2).
 * No switches.
 *
 * fds1 carries the child's question to the parent, fds2 the parent's answer to the child.
 * Each process reads only from the pipe the other one writes, so nobody can read back its own
 * message, and each read() simply waits until the other side has written. */
#include <stdio.h>
#include <unistd.h>
#define BUF_SIZE 30

/* Like the book, this listing ignores what pipe(), read() and write() return. Where
 * _FORTIFY_SOURCE is on by default (Ubuntu's gcc, so Binder's image), glibc declares them
 * warn_unused_result, and -Werror would stop the build: that one warning is silenced. */
#pragma GCC diagnostic ignored "-Wunused-result"

int main(int argc, char *argv[])
{
    int fds1[2], fds2[2];
    char str1[] = "Who are you?";
    char str2[] = "Thank you for your message";
    char buf[BUF_SIZE];
    pid_t pid;

    pipe(fds1), pipe(fds2);
    pid = fork();
    if (pid == 0)
    {
        write(fds1[1], str1, sizeof(str1));
        read(fds2[0], buf, BUF_SIZE);
        printf("Child proc output: %s \n", buf);
    }
    else
    {
        read(fds1[0], buf, BUF_SIZE);
        printf("Parent proc output: %s \n", buf);
        write(fds2[1], str2, sizeof(str2));
    }
    return 0;
}
