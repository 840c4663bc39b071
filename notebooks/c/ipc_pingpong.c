/* ipc_pingpong.c: round trips and throughput between two processes, over one IPC mechanism.
 * Not from the book: the course's notebook 15 (the IPC benchmark) and `make bench` run it beside
 * the same measurement made by two JVMs (ipclab.benchmark).
 *
 * usage: ipc_pingpong MECH SIZES ROUNDS WARMUP BYTES
 *   MECH    pipe | fifo | socketpair | uds | tcp | shm
 *   SIZES   message sizes for the round trips, comma-separated (32,1024,65536)
 *   ROUNDS  timed round trips per size, after WARMUP untimed ones
 *   BYTES   bytes sent one way for the throughput (0: none), after BYTES/4 untimed ones
 * Prints "rtt SIZE P50_NS" per size and "MiBps RATE".
 *
 * The parent process measures (it is the "ping" side); the child forked after the channel is
 * set up answers (the "pong" side). Every message is written whole and read whole: a byte
 * stream keeps no message boundaries, so a reader loops until it has SIZE bytes.
 *
 * Shared memory has no system call per message: each side copies the message into a mapped
 * /dev/shm file and raises a flag with a release store; the other side spin-waits for the flag
 * with acquire loads (pausing, then yielding the CPU, and giving up after 30 s). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (64 * 1024)
#define MAX_SIZES 8
/* Shared memory layout: flags on their own cache lines, then two message areas. */
#define PING 0
#define PONG 64
#define FULL0 128
#define FULL1 192
#define AREA_A 4096
#define AREA_B (4096 + CHUNK)
#define SHM_SIZE (4096 + 2 * CHUNK)
#ifndef SPINS_BEFORE_YIELD
#define SPINS_BEFORE_YIELD 20
#endif
#define SPIN_LIMIT_NS (30LL * 1000000000LL)

static int sizes[MAX_SIZES], nsizes;
static long rounds, warmup;
static long long total;
static char *shm;
static char name_a[108], name_b[108], name_sock[108];

static long long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) die("write");
        p += w;
        n -= (size_t) w;
    }
}

static void read_all(int fd, char *p, size_t n)
{
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r < 0) die("read");
        if (r == 0) { fprintf(stderr, "read: end of file\n"); exit(1); }
        p += r;
        n -= (size_t) r;
    }
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *) a, y = *(const long long *) b;
    return x < y ? -1 : x > y;
}

/* ---- byte streams: pipe, FIFO, socketpair, Unix domain socket, TCP ---- */

static void stream_ping(int in, int out)
{
    static char msg[CHUNK];
    long long *times = malloc(sizeof(long long) * rounds);
    memset(msg, 'x', sizeof msg);
    for (int s = 0; s < nsizes; s++) {
        for (long i = 0; i < warmup + rounds; i++) {
            long long t0 = now_ns();
            write_all(out, msg, sizes[s]);
            read_all(in, msg, sizes[s]);
            if (i >= warmup) times[i - warmup] = now_ns() - t0;
        }
        qsort(times, rounds, sizeof times[0], cmp_ll);
        printf("rtt %d %lld\n", sizes[s], times[(rounds - 1) / 2]);
    }
    free(times);
    if (total > 0) {
        char ack;
        for (int pass = 0; pass < 2; pass++) {
            long long bytes = pass == 0 ? total / 4 : total;
            long long t0 = now_ns();
            for (long long sent = 0; sent < bytes; sent += CHUNK)
                write_all(out, msg, bytes - sent < CHUNK ? (size_t) (bytes - sent) : CHUNK);
            read_all(in, &ack, 1);
            if (pass == 1) printf("MiBps %.1f\n", bytes / 1048576.0 / ((now_ns() - t0) / 1e9));
        }
    }
}

static void stream_pong(int in, int out)
{
    static char msg[CHUNK];
    for (int s = 0; s < nsizes; s++) {
        for (long i = 0; i < warmup + rounds; i++) {
            read_all(in, msg, sizes[s]);
            write_all(out, msg, sizes[s]);
        }
    }
    if (total > 0) {
        for (int pass = 0; pass < 2; pass++) {
            long long bytes = pass == 0 ? total / 4 : total, got = 0;
            while (got < bytes) {
                ssize_t r = read(in, msg, bytes - got < CHUNK ? (size_t) (bytes - got) : CHUNK);
                if (r <= 0) die("read");
                got += r;
            }
            write_all(out, "k", 1);
        }
    }
}

/* ---- shared memory ---- */

static int load_acquire(int offset)
{
    return __atomic_load_n((int *) (shm + offset), __ATOMIC_ACQUIRE);
}

static void store_release(int offset, int value)
{
    __atomic_store_n((int *) (shm + offset), value, __ATOMIC_RELEASE);
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();             /* what Thread.onSpinWait() compiles to on x86 */
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* Spins until the flag holds the value: pause, then sched_yield() (the other side may need this
   CPU), and gives up after 30 s. */
static void await_flag(int offset, int value)
{
    long spins = 0;
    long long deadline = 0;
    while (load_acquire(offset) != value) {
        cpu_relax();
        if (++spins >= SPINS_BEFORE_YIELD) sched_yield();
        if ((spins & 1023) == 0) {
            if (deadline == 0) deadline = now_ns() + SPIN_LIMIT_NS;
            else if (now_ns() > deadline) { fprintf(stderr, "shared memory: the other side never answered\n"); exit(1); }
        }
    }
}

static void shm_ping(void)
{
    static char msg[CHUNK];
    long long *times = malloc(sizeof(long long) * rounds);
    int seq = 0;
    memset(msg, 'x', sizeof msg);
    for (int s = 0; s < nsizes; s++) {
        for (long i = 0; i < warmup + rounds; i++) {
            long long t0 = now_ns();
            memcpy(shm + AREA_A, msg, sizes[s]);
            store_release(PING, ++seq);
            await_flag(PONG, seq);
            memcpy(msg, shm + AREA_B, sizes[s]);
            if (i >= warmup) times[i - warmup] = now_ns() - t0;
        }
        qsort(times, rounds, sizeof times[0], cmp_ll);
        printf("rtt %d %lld\n", sizes[s], times[(rounds - 1) / 2]);
    }
    free(times);
    if (total > 0) {
        for (int pass = 0; pass < 2; pass++) {
            long long bytes = pass == 0 ? total / 4 : total;
            long long t0 = now_ns();
            long chunk = 0;
            for (long long sent = 0; sent < bytes; sent += CHUNK, chunk++) {
                int full = chunk % 2 ? FULL1 : FULL0;
                await_flag(full, 0);
                memcpy(shm + (chunk % 2 ? AREA_B : AREA_A), msg, bytes - sent < CHUNK ? (size_t) (bytes - sent) : CHUNK);
                store_release(full, 1);
            }
            await_flag(PONG, ++seq); /* the reader has copied out every chunk */
            if (pass == 1) printf("MiBps %.1f\n", bytes / 1048576.0 / ((now_ns() - t0) / 1e9));
        }
    }
}

static void shm_pong(void)
{
    static char msg[CHUNK];
    int seq = 0;
    for (int s = 0; s < nsizes; s++) {
        for (long i = 0; i < warmup + rounds; i++) {
            await_flag(PING, ++seq);
            memcpy(msg, shm + AREA_A, sizes[s]);
            memcpy(shm + AREA_B, msg, sizes[s]);
            store_release(PONG, seq);
        }
    }
    if (total > 0) {
        for (int pass = 0; pass < 2; pass++) {
            long long bytes = pass == 0 ? total / 4 : total;
            long chunk = 0;
            for (long long got = 0; got < bytes; got += CHUNK, chunk++) {
                int full = chunk % 2 ? FULL1 : FULL0;
                await_flag(full, 1);
                memcpy(msg, shm + (chunk % 2 ? AREA_B : AREA_A), bytes - got < CHUNK ? (size_t) (bytes - got) : CHUNK);
                store_release(full, 0);
            }
            store_release(PONG, ++seq);
        }
    }
}

/* ---- setting up each mechanism, then fork ---- */

static void cleanup(void)
{
    if (name_a[0]) unlink(name_a);
    if (name_b[0]) unlink(name_b);
    if (name_sock[0]) unlink(name_sock);
}

static int wait_child(pid_t pid)
{
    int status;
    if (waitpid(pid, &status, 0) != pid) die("waitpid");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "the answering child failed (status %d)\n", status);
        return 1;
    }
    return 0;
}

static int listener(int domain, struct sockaddr *addr, socklen_t len)
{
    int fd = socket(domain, SOCK_STREAM, 0);              /* socket(2) */
    if (fd == -1) die("socket");
    if (bind(fd, addr, len) == -1) die("bind");           /* bind(2) */
    if (listen(fd, 1) == -1) die("listen");               /* listen(2) */
    return fd;
}

static void no_delay(int fd)
{
    int one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == -1) die("setsockopt");
}

int main(int argc, char *argv[])
{
    if (argc != 6) {
        fprintf(stderr, "usage: %s pipe|fifo|socketpair|uds|tcp|shm SIZES ROUNDS WARMUP BYTES\n", argv[0]);
        return 2;
    }
    const char *mech = argv[1];
    for (char *p = strtok(argv[2], ","); p && nsizes < MAX_SIZES; p = strtok(NULL, ",")) {
        sizes[nsizes] = atoi(p);
        if (sizes[nsizes] < 1 || sizes[nsizes] > CHUNK) { fprintf(stderr, "size %s: 1 to %d bytes\n", p, CHUNK); return 2; }
        nsizes++;
    }
    rounds = atol(argv[3]);
    warmup = atol(argv[4]);
    total = atoll(argv[5]);
    if (rounds < 1 || warmup < 0 || total < 0) { fprintf(stderr, "ROUNDS must be positive, WARMUP and BYTES not negative\n"); return 2; }
    atexit(cleanup);
    pid_t pid;

    if (strcmp(mech, "shm") == 0) {
        snprintf(name_a, sizeof name_a, "/ipclab-pingpong-%d", (int) getpid());
        int fd = shm_open(name_a, O_RDWR | O_CREAT | O_EXCL, 0600);   /* shm_open(3): a file in /dev/shm */
        if (fd == -1) die("shm_open");
        shm_unlink(name_a);                                           /* the mapping outlives the name */
        name_a[0] = 0;
        if (ftruncate(fd, SHM_SIZE) == -1) die("ftruncate");
        shm = mmap(NULL, SHM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (shm == MAP_FAILED) die("mmap");
        close(fd);
        fflush(stdout);
        if ((pid = fork()) == -1) die("fork");
        if (pid == 0) { shm_pong(); _exit(0); }
        shm_ping();
        return wait_child(pid);
    }

    int ping_in, ping_out, pong_in, pong_out, listen_fd = -1;
    if (strcmp(mech, "pipe") == 0) {
        int there[2], back[2];
        if (pipe(there) == -1 || pipe(back) == -1) die("pipe");
        ping_out = there[1]; pong_in = there[0];
        pong_out = back[1]; ping_in = back[0];
    } else if (strcmp(mech, "socketpair") == 0) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1) die("socketpair");
        ping_in = ping_out = sv[0];
        pong_in = pong_out = sv[1];
    } else if (strcmp(mech, "fifo") == 0) {
        snprintf(name_a, sizeof name_a, "/tmp/ipclab-pingpong-%d-a", (int) getpid());
        snprintf(name_b, sizeof name_b, "/tmp/ipclab-pingpong-%d-b", (int) getpid());
        if (mkfifo(name_a, 0600) == -1 || mkfifo(name_b, 0600) == -1) die("mkfifo");
        fflush(stdout);
        if ((pid = fork()) == -1) die("fork");
        if (pid == 0) {
            pong_in = open(name_a, O_RDONLY);       /* waits for the writer, as the writer waits for us */
            pong_out = open(name_b, O_WRONLY);
            if (pong_in == -1 || pong_out == -1) die("open");
            stream_pong(pong_in, pong_out);
            _exit(0);
        }
        ping_out = open(name_a, O_WRONLY);
        ping_in = open(name_b, O_RDONLY);
        if (ping_in == -1 || ping_out == -1) die("open");
        cleanup();                                  /* both ends are open: the names can go */
        name_a[0] = name_b[0] = 0;
        stream_ping(ping_in, ping_out);
        close(ping_out);
        return wait_child(pid);
    } else if (strcmp(mech, "uds") == 0 || strcmp(mech, "tcp") == 0) {
        int unix_domain = mech[0] == 'u';
        struct sockaddr_un un = {.sun_family = AF_UNIX};
        struct sockaddr_in in = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t len = sizeof in;
        if (unix_domain) {
            snprintf(name_sock, sizeof name_sock, "/tmp/ipclab-pingpong-%d.sock", (int) getpid());
            strcpy(un.sun_path, name_sock);
            listen_fd = listener(AF_UNIX, (struct sockaddr *) &un, sizeof un);
        } else {
            listen_fd = listener(AF_INET, (struct sockaddr *) &in, sizeof in);   /* port 0: any free port */
            if (getsockname(listen_fd, (struct sockaddr *) &in, &len) == -1) die("getsockname");
        }
        fflush(stdout);
        if ((pid = fork()) == -1) die("fork");
        if (pid == 0) {
            close(listen_fd);
            int fd = socket(unix_domain ? AF_UNIX : AF_INET, SOCK_STREAM, 0);
            if (fd == -1) die("socket");
            if (connect(fd, unix_domain ? (struct sockaddr *) &un : (struct sockaddr *) &in,
                        unix_domain ? sizeof un : sizeof in) == -1) die("connect");   /* connect(2) */
            if (!unix_domain) no_delay(fd);
            stream_pong(fd, fd);
            _exit(0);
        }
        int fd = accept(listen_fd, NULL, NULL);     /* accept(2) */
        if (fd == -1) die("accept");
        close(listen_fd);
        if (unix_domain) { unlink(name_sock); name_sock[0] = 0; }
        else no_delay(fd);                          /* small messages go out at once (no Nagle delay) */
        stream_ping(fd, fd);
        close(fd);
        return wait_child(pid);
    } else {
        fprintf(stderr, "unknown mechanism '%s': pipe, fifo, socketpair, uds, tcp or shm\n", mech);
        return 2;
    }

    fflush(stdout);
    if ((pid = fork()) == -1) die("fork");
    if (pid == 0) {
        if (ping_in != pong_in) close(ping_in);
        if (ping_out != ping_in) close(ping_out);
        stream_pong(pong_in, pong_out);
        _exit(0);
    }
    if (pong_in != ping_in) close(pong_in);
    if (pong_out != pong_in) close(pong_out);
    stream_ping(ping_in, ping_out);
    return wait_child(pid);
}
