/* launcher.c: runs one of the course's C programs for the notebook's JVM, under the course's
 * process hygiene. Not one of the book's programs: the library compiles it like them and
 * starts it with posix_spawn(3), because the JVM cannot fork().
 *
 * usage: ipclab-launcher ARGV0 [ARG...]
 *   with, in the environment (removed before the program starts):
 *   IPCLAB_PROGRAM     the program's binary; it sees ARGV0 as its argv[0] ("./pipe1", as from a shell)
 *   IPCLAB_LIFELINE    the descriptor of the lifeline's read end (below)
 *   IPCLAB_REPORT      the descriptor the launcher reports on (below)
 *   IPCLAB_LIMIT_MS    how long the group may live, in milliseconds (0: no limit)
 * The settings travel in the environment so that the command line, which process listings
 * show, reads "ipclab-launcher ./pipe1".
 *
 * - The program runs in a new process group of its own (setpgid), so one kill(-pgid) reaches
 *   it and every process it forks.
 * - The lifeline is the read end of a pipe whose only write end the JVM holds. However the JVM
 *   ends (a restart of the notebook's kernel (JJava), kill -9), the OS kernel closes that write end, poll()
 *   here reports end of file, and the whole group is killed. The JVM closes it on purpose to
 *   stop the program.
 * - The launcher is a child subreaper (prctl PR_SET_CHILD_SUBREAPER): a process of the group
 *   whose parent exits is re-parented to it instead of to init, and it reaps every such orphan.
 *   It exits once it has no child left, so its exit means "nothing of this run remains".
 * - After IPCLAB_LIMIT_MS milliseconds the group is killed.
 * - The program's standard output and error are a pseudo-terminal, as when the book's programs
 *   run in a terminal: stdio buffers by line there, not in blocks as on a pipe. The
 *   launcher copies it to its own standard output (the JVM's pipe). Without a pseudo-terminal
 *   the program writes to the pipe directly.
 * - The report descriptor gets one line per event: "pid N"; "timeout" if the limit struck;
 *   "exit N BYTES" or "signal N BYTES" when the program itself has ended, where BYTES counts the
 *   output copied until then (-1 without a pseudo-terminal).
 * - SIGTERM, SIGINT or SIGHUP to the launcher kill the group too. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static int report_fd = -1;

static void write_all(int fd, const char *buf, ssize_t len) {
    while (len > 0) {
        ssize_t n = write(fd, buf, (size_t) len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return; /* the JVM is gone: nobody left to tell */
        }
        buf += n;
        len -= n;
    }
}

static void report(const char *what, long value) {
    char line[64];
    int n = value < 0 ? snprintf(line, sizeof line, "%s\n", what)
                      : snprintf(line, sizeof line, "%s %ld\n", what, value);
    write_all(report_fd, line, n);
}

/* Bytes copied from the pseudo-terminal so far. */
static long long copied = 0;

/* How the program ended, and how many bytes of output came before: the JVM waits for those. */
static void report_end(const char *how, int value, int counted) {
    char line[96];
    int n = snprintf(line, sizeof line, "%s %d %lld\n", how, value, counted ? copied : -1LL);
    write_all(report_fd, line, n);
}

static long long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long) t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Copies what the program wrote to the pseudo-terminal; returns 0 once no writer is left. */
static int copy_output(int master) {
    char buf[8192];
    ssize_t n = read(master, buf, sizeof buf);
    if (n > 0) {
        write_all(STDOUT_FILENO, buf, n);
        copied += n;
        return 1;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return 1;
    return 0; /* EIO: every descriptor for the terminal's other side is closed */
}

int main(int argc, char *argv[]) {
    const char *program = getenv("IPCLAB_PROGRAM"), *life_fd = getenv("IPCLAB_LIFELINE"),
               *report_env = getenv("IPCLAB_REPORT"), *limit_ms = getenv("IPCLAB_LIMIT_MS");
    if (argc < 2 || program == NULL || life_fd == NULL || report_env == NULL || limit_ms == NULL) {
        fprintf(stderr, "usage: IPCLAB_PROGRAM=... IPCLAB_LIFELINE=FD IPCLAB_REPORT=FD IPCLAB_LIMIT_MS=N %s ARGV0 [ARG...]\n", argv[0]);
        return 2;
    }
    int lifeline = atoi(life_fd);
    report_fd = atoi(report_env);
    long long limit = atoll(limit_ms);
    long long deadline = limit > 0 ? now_ms() + limit : -1;
    fcntl(lifeline, F_SETFD, FD_CLOEXEC);
    fcntl(report_fd, F_SETFD, FD_CLOEXEC);
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

    /* Signals arrive as reads on a descriptor, so one poll() waits for everything. */
    sigset_t handled, old;
    sigemptyset(&handled);
    sigaddset(&handled, SIGCHLD);
    sigaddset(&handled, SIGTERM);
    sigaddset(&handled, SIGINT);
    sigaddset(&handled, SIGHUP);
    sigprocmask(SIG_BLOCK, &handled, &old);
    int sigfd = signalfd(-1, &handled, SFD_CLOEXEC | SFD_NONBLOCK); /* read until EAGAIN, never wait */

    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), slave = -1;
    if (master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0) {
        const char *name = ptsname(master);
        if (name != NULL) slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    }
    if (slave >= 0) {
        struct termios t;
        if (tcgetattr(slave, &t) == 0) {
            t.c_oflag &= ~OPOST; /* "\n" stays "\n", not "\r\n" */
            t.c_lflag &= ~(ECHO | ICANON | ISIG);
            tcsetattr(slave, TCSANOW, &t);
        }
    } else if (master >= 0) {
        close(master);
        master = -1;
    }
    if (master >= 0) fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);

    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "launcher: fork: %s\n", strerror(errno));
        return 1;
    }
    if (pid == 0) {
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0); /* if the launcher itself is killed */
        if (getppid() != parent) _exit(137);
        /* The program starts with every signal at its default action, as from a shell: the JVM
         * ignores SIGPIPE, and an ignored signal would stay ignored across execv(). */
        for (int s = 1; s < NSIG; s++) signal(s, SIG_DFL);
        sigprocmask(SIG_SETMASK, &old, NULL);
        if (slave >= 0) {
            dup2(slave, STDOUT_FILENO);
            dup2(slave, STDERR_FILENO);
        }
        unsetenv("IPCLAB_PROGRAM");
        unsetenv("IPCLAB_LIFELINE");
        unsetenv("IPCLAB_REPORT");
        unsetenv("IPCLAB_LIMIT_MS");
        execv(program, argv + 1);
        fprintf(stderr, "launcher: cannot run %s: %s\n", program, strerror(errno));
        _exit(127);
    }
    setpgid(pid, pid); /* also here, so the group exists whichever process runs first */
    if (slave >= 0) close(slave);
    /* Only the program reads standard input: once it is gone, a writer gets EPIPE, not a wait. */
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) {
        dup2(devnull, STDIN_FILENO);
        close(devnull);
    }
    report("pid", pid);

    int children = 1, lifeline_open = 1, killed = 0;
    while (children || master >= 0) {
        struct pollfd p[3];
        int n = 0, i_sig = -1, i_life = -1, i_out = -1;
        p[i_sig = n++] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
        if (lifeline_open) p[i_life = n++] = (struct pollfd){ .fd = lifeline, .events = POLLIN };
        if (master >= 0) p[i_out = n++] = (struct pollfd){ .fd = master, .events = POLLIN };
        int timeout = -1;
        if (deadline >= 0) {
            long long left = deadline - now_ms();
            timeout = left < 0 ? 0 : left > 60000 ? 60000 : (int) left;
        }
        if (!children) timeout = 100; /* only output left to copy: a last short wait */
        int ready = poll(p, (nfds_t) n, timeout);
        if (ready < 0 && errno != EINTR) break;
        int kill_now = 0;
        if (deadline >= 0 && now_ms() >= deadline) {
            if (children) report("timeout", -1);
            deadline = -1;
            kill_now = 1;
        }
        if (ready == 0 && !children) break; /* nothing more came */
        if (ready > 0 && (p[i_sig].revents & POLLIN)) {
            struct signalfd_siginfo info;
            while (read(sigfd, &info, sizeof info) == (ssize_t) sizeof info) {
                if (info.ssi_signo != SIGCHLD) kill_now = 1; /* SIGCHLD: reaped below */
            }
        }
        if (ready > 0 && i_life >= 0 && p[i_life].revents) {
            char c;
            ssize_t r = read(lifeline, &c, 1);
            if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN)) {
                lifeline_open = 0; /* the JVM is gone, or wants the program stopped */
                kill_now = 1;
            }
        }
        if (ready > 0 && i_out >= 0 && p[i_out].revents) {
            if (!copy_output(master)) {
                close(master);
                master = -1;
            }
        }
        if (kill_now && children) {
            killed = 1;
            kill(-pid, SIGKILL);
        }
        /* Reap every child that has exited: the program, and orphans of its group. */
        int status;
        pid_t w;
        while ((w = waitpid(-1, &status, WNOHANG)) > 0) {
            if (w == pid) {
                /* What the program wrote before it exited reaches the pseudo-terminal's other
                 * side a moment later (the OS kernel moves it asynchronously): copy until the
                 * terminal has been quiet for 20 ms (at most 500 ms), then report. */
                long long until = now_ms() + 500;
                while (master >= 0 && now_ms() < until) {
                    struct pollfd q = { .fd = master, .events = POLLIN };
                    if (poll(&q, 1, 20) <= 0) break;
                    if (!copy_output(master)) {
                        close(master);
                        master = -1;
                    }
                }
                int counted = master >= 0 || copied > 0;
                if (WIFEXITED(status)) report_end("exit", WEXITSTATUS(status), counted);
                else if (WIFSIGNALED(status)) report_end("signal", WTERMSIG(status), counted);
            }
        }
        if (w < 0 && errno == ECHILD) children = 0;
        else if (killed && children) kill(-pid, SIGKILL); /* one forked after the first kill */
    }
    return 0;
}
