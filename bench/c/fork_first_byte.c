/* fork() + pipe(): time from fork() in the parent to the child's first byte arriving there.
   The reference figure for spawning a child JVM. Prints one sample (ms) per line. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
    int runs = argc > 1 ? atoi(argv[1]) : 200;
    for (int i = 0; i < runs; i++) {
        int fds[2];
        if (pipe(fds) == -1) { perror("pipe"); return 1; }
        double t0 = now_ms();
        pid_t pid = fork();
        if (pid == -1) { perror("fork"); return 1; }
        if (pid == 0) {
            close(fds[0]);
            char c = 'x';
            if (write(fds[1], &c, 1) != 1) _exit(1);
            _exit(0);
        }
        close(fds[1]);
        char c;
        if (read(fds[0], &c, 1) != 1) { fprintf(stderr, "no byte from child\n"); return 1; }
        double t1 = now_ms();
        close(fds[0]);
        int status;
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "child failed\n");
            return 1;
        }
        if (i >= 5) printf("%.4f\n", t1 - t0); /* the first few warm the page cache and allocator */
    }
    return 0;
}
