/* The load generator for bench_echo.py, the same for the Java and the C echo server.
 *
 *   echo_load rounds HOST PORT CLIENTS MESSAGES SIZE WARMUP
 *       CLIENTS threads, one connection each. Each first makes WARMUP round trips (so every
 *       handler is up), then the program prints "ready" and waits for a line on stdin (the
 *       caller waits until whatever the server does after new connections, such as starting
 *       handlers, is over). Then all start together: MESSAGES round trips each, SIZE
 *       bytes a message (a line: SIZE-1 letters and a newline). Prints
 *       "msgs_per_s=X rtt_p50_ms=Y rtt_p99_ms=Z" over the timed round trips.
 *   echo_load burst HOST PORT CLIENTS MESSAGES SIZE
 *       The same load on a server that has seen no client yet: CLIENTS threads start together
 *       and each connects, then makes MESSAGES round trips at once, with no warm-up. The time
 *       runs from the start to the last echo, connects included. Prints the same line.
 *   echo_load connect HOST PORT COUNT GAP_MS
 *       COUNT times, one after the other: connect, send one 32-byte line, read its echo, close;
 *       GAP_MS between them. Prints "connect_p50_ms=X connect_p90_ms=Y". */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in server;
static int messages, size, warmup;
static pthread_barrier_t ready, go;
static double *rtts; /* [client][message], milliseconds */

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int dial(void) {
    int s = socket(PF_INET, SOCK_STREAM, 0);
    int on = 1;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    if (connect(s, (struct sockaddr *) &server, sizeof server) < 0) {
        perror("echo_load: connect");
        exit(1);
    }
    return s;
}

/* One round trip: write the message, read until all of it came back. */
static void round_trip(int s, const char *msg, char *buf) {
    ssize_t off = 0;
    while (off < size) {
        ssize_t n = write(s, msg + off, (size_t) (size - off));
        if (n < 0 && errno != EINTR) {
            perror("echo_load: write");
            exit(1);
        }
        if (n > 0) off += n;
    }
    off = 0;
    while (off < size) {
        ssize_t n = read(s, buf + off, (size_t) (size - off));
        if (n == 0) {
            fprintf(stderr, "echo_load: the server closed the connection\n");
            exit(1);
        }
        if (n < 0 && errno != EINTR) {
            perror("echo_load: read");
            exit(1);
        }
        if (n > 0) off += n;
    }
    if (memcmp(msg, buf, (size_t) size) != 0) {
        fprintf(stderr, "echo_load: the echo differs from the message\n");
        exit(1);
    }
}

/* A burst client: waits for the start, connects, makes its round trips, closes. */
/* The measured part of a client: `messages` timed round trips, then the socket and buffers freed. */
static void timed_round_trips(int s, long id, char *msg, char *buf) {
    for (int m = 0; m < messages; m++) {
        double t0 = now_ms();
        round_trip(s, msg, buf);
        rtts[id * messages + m] = now_ms() - t0;
    }
    close(s);
    free(msg);
    free(buf);
}

static void *burst_client(void *arg) {
    long id = (long) arg;
    char *msg = malloc((size_t) size), *buf = malloc((size_t) size);
    for (int i = 0; i < size - 1; i++) msg[i] = (char) ('a' + (id + i) % 26);
    msg[size - 1] = '\n';
    pthread_barrier_wait(&go);
    int s = dial();
    timed_round_trips(s, id, msg, buf);
    return NULL;
}

static void *client(void *arg) {
    long id = (long) arg;
    char *msg = malloc((size_t) size), *buf = malloc((size_t) size);
    for (int i = 0; i < size - 1; i++) msg[i] = (char) ('a' + (id + i) % 26);
    msg[size - 1] = '\n';
    int s = dial();
    for (int w = 0; w < warmup; w++) round_trip(s, msg, buf);
    pthread_barrier_wait(&ready);
    pthread_barrier_wait(&go);
    timed_round_trips(s, id, msg, buf);
    return NULL;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

/* Nearest rank: the smallest sample with at least p of them at or below it. */
static double percentile(double *sorted, long n, double p) {
    long rank = (long) (p * n + 0.999999);
    if (rank < 1) rank = 1;
    return sorted[rank - 1];
}

int main(int argc, char *argv[]) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s rounds HOST PORT CLIENTS MESSAGES SIZE WARMUP | burst HOST PORT CLIENTS MESSAGES SIZE | connect HOST PORT COUNT GAP_MS\n", argv[0]);
        return 2;
    }
    memset(&server, 0, sizeof server);
    server.sin_family = AF_INET;
    server.sin_port = htons((unsigned short) atoi(argv[3]));
    if (inet_pton(AF_INET, argv[2], &server.sin_addr) != 1) {
        fprintf(stderr, "echo_load: bad address %s\n", argv[2]);
        return 2;
    }
    if (strcmp(argv[1], "rounds") == 0 && argc == 8) {
        int clients = atoi(argv[4]);
        messages = atoi(argv[5]);
        size = atoi(argv[6]);
        warmup = atoi(argv[7]) < 1 ? 1 : atoi(argv[7]);
        rtts = calloc((size_t) clients * (size_t) messages, sizeof *rtts);
        pthread_t *threads = calloc((size_t) clients, sizeof *threads);
        pthread_barrier_init(&ready, NULL, (unsigned) clients + 1);
        pthread_barrier_init(&go, NULL, (unsigned) clients + 1);
        for (long i = 0; i < clients; i++) pthread_create(&threads[i], NULL, client, (void *) i);
        pthread_barrier_wait(&ready);
        printf("ready\n");
        fflush(stdout);
        char line[16];
        if (fgets(line, sizeof line, stdin) == NULL) return 1;
        double t0 = now_ms();
        pthread_barrier_wait(&go);
        for (int i = 0; i < clients; i++) pthread_join(threads[i], NULL);
        double elapsed = now_ms() - t0;
        long n = (long) clients * messages;
        qsort(rtts, (size_t) n, sizeof *rtts, by_value);
        printf("msgs_per_s=%.0f rtt_p50_ms=%.3f rtt_p99_ms=%.3f\n", n / (elapsed / 1e3), percentile(rtts, n, 0.5),
               percentile(rtts, n, 0.99));
        return 0;
    }
    if (strcmp(argv[1], "burst") == 0 && argc == 7) {
        int clients = atoi(argv[4]);
        messages = atoi(argv[5]);
        size = atoi(argv[6]);
        rtts = calloc((size_t) clients * (size_t) messages, sizeof *rtts);
        pthread_t *threads = calloc((size_t) clients, sizeof *threads);
        pthread_barrier_init(&go, NULL, (unsigned) clients + 1);
        for (long i = 0; i < clients; i++) pthread_create(&threads[i], NULL, burst_client, (void *) i);
        double t0 = now_ms();
        pthread_barrier_wait(&go);
        for (int i = 0; i < clients; i++) pthread_join(threads[i], NULL);
        double elapsed = now_ms() - t0;
        long n = (long) clients * messages;
        qsort(rtts, (size_t) n, sizeof *rtts, by_value);
        printf("msgs_per_s=%.0f rtt_p50_ms=%.3f rtt_p99_ms=%.3f\n", n / (elapsed / 1e3), percentile(rtts, n, 0.5),
               percentile(rtts, n, 0.99));
        return 0;
    }
    if (strcmp(argv[1], "connect") == 0 && argc == 6) {
        int count = atoi(argv[4]), gap = atoi(argv[5]);
        double *t = calloc((size_t) count, sizeof *t);
        char buf[32];
        char msg[32];
        size = 32;
        memset(msg, 'c', sizeof msg);
        msg[31] = '\n';
        for (int i = 0; i < count; i++) {
            double t0 = now_ms();
            int s = dial();
            round_trip(s, msg, buf);
            t[i] = now_ms() - t0;
            close(s);
            struct timespec pause = {gap / 1000, (gap % 1000) * 1000000L};
            nanosleep(&pause, NULL);
        }
        qsort(t, (size_t) count, sizeof *t, by_value);
        printf("connect_p50_ms=%.3f connect_p90_ms=%.3f\n", percentile(t, count, 0.5), percentile(t, count, 0.9));
        return 0;
    }
    fprintf(stderr, "echo_load: bad arguments (run it without any for usage)\n");
    return 2;
}
