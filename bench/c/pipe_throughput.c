/* 1 GiB from parent to child through one pipe in 64 KiB writes and reads, as the Java bench
   does. First WARM bytes go through untimed (the JVM needs them to compile its loops; both
   sides do the same here) and the child acknowledges them; then the clock runs until the
   child reports how many bytes it read after those. Prints "BYTES SECONDS". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#define CHUNK (64 * 1024)

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) return -1;
        p += w;
        n -= (size_t) w;
    }
    return 0;
}

int main(int argc, char **argv) {
    long long total = argc > 1 ? atoll(argv[1]) : (1LL << 30);
    long long warm = argc > 2 ? atoll(argv[2]) : (256LL << 20);
    int data[2], back[2];
    if (pipe(data) == -1 || pipe(back) == -1) { perror("pipe"); return 1; }
    pid_t pid = fork();
    if (pid == -1) { perror("fork"); return 1; }
    if (pid == 0) {
        close(data[1]);
        close(back[0]);
        static char buf[CHUNK];
        char ready = 'r';
        ssize_t n;
        for (long long left = warm; left > 0; left -= n) {
            n = read(data[0], buf, left < CHUNK ? (size_t) left : CHUNK);
            if (n <= 0) _exit(1);
        }
        if (write(back[1], &ready, 1) != 1) _exit(1);
        long long got = 0;
        while ((n = read(data[0], buf, CHUNK)) > 0) got += n;
        if (n < 0) _exit(1);
        if (write_all(back[1], (char *) &got, sizeof got) != 0) _exit(1);
        _exit(0);
    }
    close(data[0]);
    close(back[1]);
    static char buf[CHUNK];
    memset(buf, 'x', sizeof buf);
    for (long long sent = 0; sent < warm; sent += CHUNK) {
        if (write_all(data[1], buf, CHUNK) != 0) { perror("write"); return 1; }
    }
    char ready;
    if (read(back[0], &ready, 1) != 1) { fprintf(stderr, "child not ready\n"); return 1; }
    double t0 = now_s();
    for (long long sent = 0; sent < total; sent += CHUNK) {
        if (write_all(data[1], buf, CHUNK) != 0) { perror("write"); return 1; }
    }
    close(data[1]);
    long long got = 0;
    size_t have = 0;
    while (have < sizeof got) {
        ssize_t n = read(back[0], (char *) &got + have, sizeof got - have);
        if (n <= 0) { fprintf(stderr, "no count from child\n"); return 1; }
        have += (size_t) n;
    }
    double t1 = now_s();
    int status;
    waitpid(pid, &status, 0);
    if (got != total) { fprintf(stderr, "child read %lld of %lld bytes\n", got, total); return 1; }
    printf("%lld %.6f\n", got, t1 - t0);
    return 0;
}
