/* pipe2.c: one pipe used in both directions, and why that needs a sleep().
 * After the book's pipe2.c (TCP/IP Network Programming, chapter 11, 11.1.2).
 * Switch: -DNO_SLEEP leaves out the child's sleep(2), the line the book asks the reader to
 *         comment out.
 *
 * Both processes read from the same pipe, and a pipe does not know who wrote a byte: whoever
 * calls read() first gets it. The child writes "Who are you?" and must give the parent time to
 * read it before it reads the answer itself.
 * KEPT BUG (with -DNO_SLEEP): the child can read back its own question. The parent then waits
 * in read() for a message that never comes, and the program never ends. Whether it happens
 * depends on the scheduler, so it differs from run to run. */
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
    char str1[] = "Who are you?";
    char str2[] = "Thank you for your message";
    char buf[BUF_SIZE];
    pid_t pid;

    pipe(fds);
    pid = fork();
    if (pid == 0)
    {
        write(fds[1], str1, sizeof(str1));
#ifndef NO_SLEEP
        sleep(2); /* a guess at how long the parent needs, not synchronisation */
#endif
        read(fds[0], buf, BUF_SIZE);
        printf("Child proc output: %s \n", buf);
    }
    else
    {
        read(fds[0], buf, BUF_SIZE);
        printf("Parent proc output: %s \n", buf);
        write(fds[1], str2, sizeof(str2));
        sleep(3); /* the book's: so a terminal's prompt does not come back before the child prints */
    }
    return 0;
}
