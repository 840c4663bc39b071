/* fifo_writer.c: opens a FIFO by its path and writes one line into it.
 * Not from the book: the course's notebook 9 (named pipes) runs it beside the notebook's JVM.
 * No switches.
 *
 * The program inherits no descriptor of the FIFO: the path on its command line is all it knows.
 * open() with O_WRONLY waits until some process has the FIFO open for reading (man 7 fifo). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    char line[100];
    int fd, len;

    if (argc != 2) {
        fprintf(stderr, "usage: %s FIFO\n", argv[0]);
        return 2;
    }
    fd = open(argv[1], O_WRONLY);          /* waits here for a reader */
    if (fd == -1) {
        perror("open");
        return 1;
    }
    len = snprintf(line, sizeof(line), "hello from C, pid %d\n", (int) getpid());
    if (write(fd, line, len) != len) {     /* at most PIPE_BUF bytes: written whole */
        perror("write");
        return 1;
    }
    close(fd);                             /* the last writer gone: the reader sees end of file */
    return 0;
}
