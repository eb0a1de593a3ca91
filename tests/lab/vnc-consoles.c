/* virtdeck - lab helper: open VNC consoles of several domains of one host
 * through virtdeck's core (a libvirt connection + one vd_vnc per console),
 * print "ready N" when all show a frame, hold them open for SECS seconds.
 * Used by tests/lab/console-vnc.sh to count the SSH sessions to the host.
 * usage: vnc-consoles URI SECS DOMAIN...
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/conn.h"
#include "src/vnc-client.h"

#define MAX_CONSOLES 8

static GMainLoop *loop;
static struct vd_conn *conn;
static int n_wanted, n_ready, n_failed;
static bool is_ready[MAX_CONSOLES];
static struct vd_vnc *clients[MAX_CONSOLES];

static void
on_event(struct vd_vnc *v, gpointer user)
{
    int i = GPOINTER_TO_INT(user);
    g_autofree char *msg = NULL;
    struct vd_vnc_frame f;
    enum vd_vnc_state st = vd_vnc_get_state(v, NULL, &msg);

    if (st == VD_VNC_FAILED || st == VD_VNC_CLOSED) {
        printf("console %d: %s\n", i, msg ? msg : "closed");
        n_failed++;
        g_main_loop_quit(loop);
        return;
    }
    vd_vnc_frame_lock(v, &f);
    if (f.px && !is_ready[i]) {
        is_ready[i] = true;
        n_ready++;
        printf("console %d: %dx%d\n", i, f.width, f.height);
    }
    vd_vnc_frame_unlock(v);
    if (n_ready == n_wanted) {
        printf("ready %d\n", n_ready);
        n_ready++; /* once */
    }
}

static void
on_lookup(struct vd_conn *c, bool ok, const char *message, gpointer result, gpointer user)
{
    int i = GPOINTER_TO_INT(user);

    if (!ok) {
        printf("console %d: %s\n", i, message);
        n_failed++;
        g_main_loop_quit(loop);
        return;
    }
    clients[i] = vd_vnc_open(vd_conn_uri(c), result, NULL, g_main_context_get_thread_default(), on_event,
                             GINT_TO_POINTER(i));
}

static char **names;

static void
on_notify(struct vd_conn *c, gpointer user)
{
    static bool started;
    g_autoptr(vd_host_snap) snap = vd_conn_snapshot(c);

    if (started || snap->state != VD_HOST_CONNECTED || !snap->domains->len)
        return;
    started = true;
    for (int i = 0; i < n_wanted; i++) {
        const char *uuid = NULL;
        for (guint j = 0; j < snap->domains->len; j++) {
            const struct vd_domain *d = g_ptr_array_index(snap->domains, j);
            if (strcmp(d->name, names[i]) == 0)
                uuid = d->uuid;
        }
        if (!uuid) {
            printf("console %d: no domain %s\n", i, names[i]);
            n_failed++;
            g_main_loop_quit(loop);
            return;
        }
        vd_vnc_lookup(c, uuid, on_lookup, GINT_TO_POINTER(i));
    }
}

static gboolean
quit(gpointer user)
{
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

int
main(int argc, char **argv)
{
    GMainContext *ctx;
    GSource *t;

    if (argc < 4 || argc - 3 > MAX_CONSOLES) {
        fprintf(stderr, "usage: vnc-consoles URI SECS DOMAIN...\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    vd_conn_global_init();
    ctx = g_main_context_new();
    g_main_context_push_thread_default(ctx);
    loop = g_main_loop_new(ctx, FALSE);
    names = argv + 3;
    n_wanted = argc - 3;
    conn = vd_conn_new(argv[1], NULL, ctx, on_notify, NULL);
    t = g_timeout_source_new_seconds((guint)atoi(argv[2]));
    g_source_set_callback(t, quit, NULL, NULL);
    g_source_attach(t, ctx);
    g_main_loop_run(loop);
    for (int i = 0; i < n_wanted; i++)
        vd_vnc_close(clients[i]);
    vd_conn_close(conn);
    printf("done: %d failed\n", n_failed);
    return n_failed ? 1 : 0;
}
