/* virtdeck - SPDX-License-Identifier: GPL-2.0-or-later
 *
 * delay-proxy: a TCP forwarder that delays every chunk by a fixed time in
 * each direction, to make a slow link on loopback for the lab (issue 8).
 *
 *   delay-proxy LISTEN-ADDR:PORT TARGET-ADDR:PORT DELAY-MS
 *
 * e.g. `delay-proxy 127.0.0.1:2223 127.0.0.1:2222 75` puts 150 ms of round
 * trip time in front of the lab sshd. Each chunk read is stamped with the
 * time it may be written (now + DELAY-MS) and queued; a single poll() loop
 * writes whatever is due. Reading goes on while earlier chunks wait, so the
 * delay adds latency but does not serialize throughput (up to QUEUE_MAX bytes
 * in flight per direction). An EOF is delayed like data and then passed on
 * as a half close (shutdown SHUT_WR); an error on either side closes both.
 * IPv4 only; the lab needs nothing else. Built by tests/lab/lab.sh with cc.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK_MAX 65536
#define QUEUE_MAX (8 * 1024 * 1024)
#define CONN_MAX 256

struct chunk {
    struct chunk *next;
    int64_t due_ms;             /* when it may be written */
    size_t len, off;            /* len 0: EOF marker */
    char data[];
};

struct dir {                    /* one direction: read from `from`, write to `to` */
    int from, to;
    struct chunk *head, *tail;
    size_t queued;
    int read_eof;               /* EOF read from `from`, marker queued */
    int done;                   /* EOF passed on to `to` */
};

struct conn {
    int used;
    struct dir d[2];            /* 0: client -> target, 1: target -> client */
};

static struct conn conns[CONN_MAX];
static int64_t delay_ms;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int parse_addr(const char *s, struct sockaddr_in *sa)
{
    char host[64];
    const char *colon = strrchr(s, ':');
    char *end;
    long port;

    if (!colon || (size_t) (colon - s) >= sizeof(host))
        return -1;
    memcpy(host, s, (size_t) (colon - s));
    host[colon - s] = '\0';
    port = strtol(colon + 1, &end, 10);
    if (*end || port <= 0 || port > 65535)
        return -1;
    memset(sa, 0, sizeof(*sa));
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t) port);
    return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

static void set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static void conn_close(struct conn *c)
{
    int i;
    for (i = 0; i < 2; i++) {
        struct chunk *ch = c->d[i].head, *next;
        for (; ch; ch = next) {
            next = ch->next;
            free(ch);
        }
    }
    close(c->d[0].from);
    close(c->d[0].to);
    memset(c, 0, sizeof(*c));
}

static void enqueue(struct dir *d, const char *buf, size_t len)
{
    struct chunk *ch = malloc(sizeof(*ch) + len);
    if (!ch) {
        perror("delay-proxy: malloc");
        exit(1);
    }
    ch->next = NULL;
    ch->due_ms = now_ms() + delay_ms;
    ch->len = len;
    ch->off = 0;
    memcpy(ch->data, buf, len);
    if (d->tail)
        d->tail->next = ch;
    else
        d->head = ch;
    d->tail = ch;
    d->queued += len;
}

/* read once from d->from; returns -1 on a fatal error */
static int dir_read(struct dir *d)
{
    static char buf[CHUNK_MAX];
    ssize_t n = read(d->from, buf, sizeof(buf));
    if (n > 0) {
        enqueue(d, buf, (size_t) n);
        return 0;
    }
    if (n == 0) {
        d->read_eof = 1;
        enqueue(d, buf, 0);
        return 0;
    }
    return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
}

/* write what is due to d->to; returns -1 on a fatal error */
static int dir_write(struct dir *d, int64_t now)
{
    while (d->head && d->head->due_ms <= now) {
        struct chunk *ch = d->head;
        if (ch->len == 0) {
            shutdown(d->to, SHUT_WR);
            d->done = 1;
        } else {
            ssize_t n = write(d->to, ch->data + ch->off, ch->len - ch->off);
            if (n < 0)
                return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
            ch->off += (size_t) n;
            d->queued -= (size_t) n;
            if (ch->off < ch->len)
                return 0;
        }
        d->head = ch->next;
        if (!d->head)
            d->tail = NULL;
        free(ch);
    }
    return 0;
}

static void accept_one(int lfd, const struct sockaddr_in *target)
{
    int cfd, tfd, i, one = 1;
    struct conn *c = NULL;

    cfd = accept(lfd, NULL, NULL);
    if (cfd < 0)
        return;
    for (i = 0; i < CONN_MAX; i++) {
        if (!conns[i].used) {
            c = &conns[i];
            break;
        }
    }
    tfd = socket(AF_INET, SOCK_STREAM, 0);
    if (!c || tfd < 0 || connect(tfd, (const struct sockaddr *) target, sizeof(*target)) < 0) {
        fprintf(stderr, "delay-proxy: %s\n", c ? strerror(errno) : "too many connections");
        if (tfd >= 0)
            close(tfd);
        close(cfd);
        return;
    }
    setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    setsockopt(tfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    set_nonblock(cfd);
    set_nonblock(tfd);
    c->used = 1;
    c->d[0].from = cfd;
    c->d[0].to = tfd;
    c->d[1].from = tfd;
    c->d[1].to = cfd;
}

int main(int argc, char **argv)
{
    struct sockaddr_in listen_sa, target_sa;
    struct pollfd pfd[1 + 2 * CONN_MAX];
    int lfd, one = 1;
    char *end;

    if (argc != 4 || parse_addr(argv[1], &listen_sa) || parse_addr(argv[2], &target_sa)) {
        fprintf(stderr, "usage: delay-proxy LISTEN-ADDR:PORT TARGET-ADDR:PORT DELAY-MS\n");
        return 2;
    }
    delay_ms = strtol(argv[3], &end, 10);
    if (*end || delay_ms < 0 || delay_ms > 60000) {
        fprintf(stderr, "delay-proxy: DELAY-MS must be 0..60000\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        bind(lfd, (struct sockaddr *) &listen_sa, sizeof(listen_sa)) < 0 || listen(lfd, 64) < 0) {
        fprintf(stderr, "delay-proxy: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    set_nonblock(lfd);

    for (;;) {
        int64_t now = now_ms(), next_due = -1;
        int n = 1, i, j, timeout;

        pfd[0].fd = lfd;
        pfd[0].events = POLLIN;
        for (i = 0; i < CONN_MAX; i++) {
            struct conn *c = &conns[i];
            if (!c->used)
                continue;
            for (j = 0; j < 2; j++) {
                struct dir *d = &c->d[j];
                /* slot 2i+j+1 watches d->from for reading, d->to for writing */
                pfd[n].fd = -1;
                pfd[n].events = 0;
                if (!d->read_eof && d->queued < QUEUE_MAX) {
                    pfd[n].fd = d->from;
                    pfd[n].events |= POLLIN;
                }
                n++;
                pfd[n].fd = -1;
                pfd[n].events = 0;
                if (d->head) {
                    if (d->head->due_ms <= now) {
                        pfd[n].fd = d->to;
                        pfd[n].events = POLLOUT;
                    } else if (next_due < 0 || d->head->due_ms < next_due) {
                        next_due = d->head->due_ms;
                    }
                }
                n++;
            }
        }
        timeout = next_due < 0 ? -1 : (int) (next_due - now);
        if (poll(pfd, (nfds_t) n, timeout) < 0 && errno != EINTR) {
            perror("delay-proxy: poll");
            return 1;
        }
        now = now_ms();
        n = 1;
        for (i = 0; i < CONN_MAX; i++) {
            struct conn *c = &conns[i];
            int bad = 0;
            if (!c->used)
                continue;
            for (j = 0; j < 2; j++, n += 2) {
                struct dir *d = &c->d[j];
                if (pfd[n].fd >= 0 && (pfd[n].revents & (POLLIN | POLLHUP | POLLERR)))
                    bad |= dir_read(d);
                if (pfd[n + 1].fd >= 0 && pfd[n + 1].revents)
                    bad |= dir_write(d, now);
            }
            if (bad || (c->d[0].done && c->d[1].done))
                conn_close(c);
        }
        if (pfd[0].revents & POLLIN)
            accept_one(lfd, &target_sa);
    }
}
