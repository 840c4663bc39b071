/* TOTAL bytes from parent to child through one pipe in 64 KiB writes and reads, as the Java
   bench does. First WARM bytes go through untimed (the JVM needs them to compile its loops;
   both sides do the same here) and the child says it is ready; then, PASSES times, the clock
   runs from the parent's first write until the child reports it has read all TOTAL bytes.
   Prints "BYTES SECONDS" per pass. */
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

static int read_all(int fd, char *p, size_t n) {
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r <= 0) return -1;
        p += r;
        n -= (size_t) r;
    }
    return 0;
}

/* Reads exactly n bytes in reads of at most CHUNK; returns how many arrived. */
static long long drain(int fd, char *buf, long long n) {
    long long got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf, n - got < CHUNK ? (size_t) (n - got) : CHUNK);
        if (r <= 0) break;
        got += r;
    }
    return got;
}

int main(int argc, char **argv) {
    long long total = argc > 1 ? atoll(argv[1]) : (1LL << 30);
    long long warm = argc > 2 ? atoll(argv[2]) : (512LL << 20);
    int passes = argc > 3 ? atoi(argv[3]) : 3;
    int data[2], back[2];
    if (pipe(data) == -1 || pipe(back) == -1) { perror("pipe"); return 1; }
    pid_t pid = fork();
    if (pid == -1) { perror("fork"); return 1; }
    if (pid == 0) {
        close(data[1]);
        close(back[0]);
        static char buf[CHUNK];
        char ready = 'r';
        if (drain(data[0], buf, warm) != warm) _exit(1);
        if (write(back[1], &ready, 1) != 1) _exit(1);
        for (int i = 0; i < passes; i++) {
            long long got = drain(data[0], buf, total);
            if (write_all(back[1], (char *) &got, sizeof got) != 0) _exit(1);
        }
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
    for (int i = 0; i < passes; i++) {
        double t0 = now_s();
        for (long long sent = 0; sent < total; sent += CHUNK) {
            if (write_all(data[1], buf, CHUNK) != 0) { perror("write"); return 1; }
        }
        long long got = 0;
        if (read_all(back[0], (char *) &got, sizeof got) != 0) { fprintf(stderr, "no count from child\n"); return 1; }
        double t1 = now_s();
        if (got != total) { fprintf(stderr, "child read %lld of %lld bytes\n", got, total); return 1; }
        printf("%lld %.6f\n", got, t1 - t0);
    }
    close(data[1]);
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "child failed\n");
        return 1;
    }
    return 0;
}
