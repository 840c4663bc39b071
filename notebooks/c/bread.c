/*
 * bread.c: the "bread" story of chapter 11.1 with a real fork().
 *
 * The parent sets bread = 0 and forks. The child sets its bread to 1 and exits; the parent
 * waits for it with waitpid() and looks at its own bread, which is still 0. Both print the
 * address of bread: the same (virtual) address in both processes, because fork() copies the
 * whole address space, yet two values, because the OS kernel maps that address to a page of each
 * process's own once one of them writes to it (copy-on-write).
 *
 * Written for the course after the chapter's idea; the book has no such program.
 * Build: gcc -Wall -Werror -o bread bread.c
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    int bread = 0;
    pid_t pid;
    int status;

    printf("parent (pid %d): bread = %d at %p\n", (int)getpid(), bread, (void *)&bread);
    /* stdout's buffer is memory too, and fork() copies it. On a pipe or a file, stdio keeps
       lines in that buffer until it is full or flushed; a line still there at fork() would be
       printed by both processes. (In a terminal stdio writes at each newline, but flushing is
       right everywhere.) */
    fflush(stdout);

    pid = fork();
    if (pid == -1) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        bread = 1; /* the child buys a loaf: it writes to its own copy */
        printf("child  (pid %d): bread = %d at %p\n", (int)getpid(), bread, (void *)&bread);
        return 0;
    }
    if (waitpid(pid, &status, 0) == -1) { /* reap the child: it has exited, its output is written */
        perror("waitpid");
        return 1;
    }
    printf("parent (pid %d): child %d exited with status %d; bread = %d at %p\n",
           (int)getpid(), (int)pid, WIFEXITED(status) ? WEXITSTATUS(status) : -1, bread, (void *)&bread);
    return 0;
}
