/* signal_merge.c: a standard signal that is already pending is merged, a real-time signal is
 * queued. Not from the book: the course's notebook 13 (signals) runs it beside the notebook's
 * JVM, to show why the SIGCHLD handler of echo_storeserv.c must reap in a loop.
 *
 * usage: signal_merge [N]    (N from 1 to 50, 5 by default)
 *
 * While SIGUSR1, SIGRTMIN and SIGCHLD are blocked (sigprocmask), the process sends itself N
 * SIGUSR1 and N SIGRTMIN with kill(), and N children exit. Then it unblocks them and counts how
 * often each handler ran. The OS kernel keeps one "pending" bit per standard signal, so the N
 * SIGUSR1 and the N SIGCHLD each become one; it keeps a queue for real-time signals, so SIGRTMIN
 * is handled N times (man 7 signal: "Standard signals do not queue"). Blocking makes the
 * outcome the same on every run; without it, merging happens only when signals come faster
 * than the handler runs, so sometimes.
 *
 * Switch (gcc -D...):
 *   REAP_ALL  the SIGCHLD handler reaps in a loop, while (waitpid(-1, &status, WNOHANG) > 0),
 *             as echo_storeserv.c's REAP_ALL does; without it, one waitpid() per call, as the
 *             book's read_childproc(). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CHILDREN 50

/* Handlers only count: printf() is not async-signal-safe (signal-safety(7)), main() prints. */
static volatile sig_atomic_t usr1_calls = 0, rt_calls = 0, chld_calls = 0, reaped = 0;

static void on_usr1(int sig) { usr1_calls++; }
static void on_rt(int sig) { rt_calls++; }

static void on_chld(int sig)
{
    int status;
    chld_calls++;
#ifdef REAP_ALL
    while (waitpid(-1, &status, WNOHANG) > 0)   /* every exited child this one signal stands for */
        reaped++;
#else
    if (waitpid(-1, &status, WNOHANG) > 0)      /* the book's handler: one child per signal */
        reaped++;
#endif
}

static void handle(int sig, void (*handler)(int))
{
    struct sigaction act;
    act.sa_handler = handler;
    sigemptyset(&act.sa_mask);
    act.sa_flags = 0;
    if (sigaction(sig, &act, NULL) == -1) {
        perror("sigaction");
        exit(1);
    }
}

int main(int argc, char *argv[])
{
    int n = argc > 1 ? atoi(argv[1]) : 5, i;
    pid_t pids[MAX_CHILDREN];
    sigset_t block, old, pending;
    siginfo_t info;

    if (argc > 2 || n < 1 || n > MAX_CHILDREN) {
        fprintf(stderr, "usage: %s [N], N from 1 to %d\n", argv[0], MAX_CHILDREN);
        return 2;
    }
    handle(SIGUSR1, on_usr1);
    handle(SIGRTMIN, on_rt);
    handle(SIGCHLD, on_chld);

    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigaddset(&block, SIGRTMIN);
    sigaddset(&block, SIGCHLD);
    sigprocmask(SIG_BLOCK, &block, &old);
    printf("blocked SIGUSR1, SIGRTMIN (%d) and SIGCHLD with sigprocmask()\n", SIGRTMIN);

    for (i = 0; i < n; i++) {
        kill(getpid(), SIGUSR1);
        kill(getpid(), SIGRTMIN);
    }
    printf("sent myself %d SIGUSR1 and %d SIGRTMIN with kill()\n", n, n);

    fflush(stdout); /* or each child would write the parent's buffered lines again */
    for (i = 0; i < n; i++) {
        pids[i] = fork();
        if (pids[i] == -1) {
            perror("fork");
            return 1;
        }
        if (pids[i] == 0)
            _exit(0);
    }
    /* WNOWAIT: wait until each child has exited, but leave it a zombie for the handler. */
    for (i = 0; i < n; i++)
        waitid(P_PID, pids[i], &info, WEXITED | WNOWAIT);
    printf("%d children exited: each exit generated a SIGCHLD\n", n);

    sigpending(&pending);
    printf("pending: SIGUSR1 %s, SIGRTMIN %s, SIGCHLD %s\n", sigismember(&pending, SIGUSR1) ? "yes" : "no",
           sigismember(&pending, SIGRTMIN) ? "yes" : "no", sigismember(&pending, SIGCHLD) ? "yes" : "no");

    /* Pending signals are delivered as they are unblocked, before sigprocmask() returns here. */
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("unblocked: handler calls: SIGUSR1 %d, SIGRTMIN %d, SIGCHLD %d\n", (int) usr1_calls, (int) rt_calls,
           (int) chld_calls);
    printf("children reaped by the SIGCHLD handler: %d, zombies left: %d\n", (int) reaped, n - (int) reaped);

    while (waitpid(-1, NULL, 0) > 0) /* main reaps what the handler left, so no zombie outlives us */
        ;
    return 0;
}
