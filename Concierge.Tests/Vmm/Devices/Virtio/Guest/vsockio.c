/*
 * vsockio: a tiny socat for AF_VSOCK streams, built static at test time for the busybox guest
 * (busybox has no vsock tool and the guest has no python).
 *
 *   vsockio connect CID PORT   connect, then copy stdin -> socket and socket -> stdout
 *   vsockio listen PORT        accept one connection (prints VSOCKIO-LISTENING PORT), then the same
 *
 * When stdin ends the socket's sending side is shut down; the program exits once the peer
 * has closed its side and everything it sent reached stdout.
 */
#include <linux/vm_sockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static void pump(int from, int to)
{
    static char buffer[1 << 16];
    for (;;) {
        ssize_t got = read(from, buffer, sizeof buffer);
        if (got < 0) {
            perror("vsockio: read");
            exit(3);
        }
        if (got == 0)
            return;
        for (ssize_t done = 0; done < got;) {
            ssize_t put = write(to, buffer + done, (size_t)(got - done));
            if (put < 0) {
                perror("vsockio: write");
                exit(3);
            }
            done += put;
        }
    }
}

int main(int argc, char **argv)
{
    struct sockaddr_vm address;
    memset(&address, 0, sizeof address);
    address.svm_family = AF_VSOCK;
    int fd = socket(AF_VSOCK, SOCK_STREAM, 0);
    if (fd < 0) {
        perror("vsockio: socket");
        return 2;
    }
    if (argc == 4 && strcmp(argv[1], "connect") == 0) {
        address.svm_cid = (unsigned)strtoul(argv[2], NULL, 10);
        address.svm_port = (unsigned)strtoul(argv[3], NULL, 10);
        /* The default 2 s connect timeout is too short for a nested, emulated test machine. */
        struct timeval timeout = { .tv_sec = 60, .tv_usec = 0 };
        setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_CONNECT_TIMEOUT, &timeout, sizeof timeout);
        if (connect(fd, (struct sockaddr *)&address, sizeof address) < 0) {
            perror("vsockio: connect");
            return 2;
        }
    } else if (argc == 3 && strcmp(argv[1], "listen") == 0) {
        address.svm_cid = VMADDR_CID_ANY;
        address.svm_port = (unsigned)strtoul(argv[2], NULL, 10);
        if (bind(fd, (struct sockaddr *)&address, sizeof address) < 0 || listen(fd, 1) < 0) {
            perror("vsockio: bind/listen");
            return 2;
        }
        fprintf(stderr, "VSOCKIO-LISTENING %s\n", argv[2]);
        int connection = accept(fd, NULL, NULL);
        if (connection < 0) {
            perror("vsockio: accept");
            return 2;
        }
        close(fd);
        fd = connection;
    } else {
        fprintf(stderr, "usage: vsockio connect CID PORT | vsockio listen PORT\n");
        return 1;
    }
    pid_t child = fork();
    if (child < 0) {
        perror("vsockio: fork");
        return 2;
    }
    if (child == 0) {
        pump(0, fd);
        shutdown(fd, SHUT_WR);
        _exit(0);
    }
    pump(fd, 1);
    int status = 0;
    waitpid(child, &status, 0);
    close(fd);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 3;
}
