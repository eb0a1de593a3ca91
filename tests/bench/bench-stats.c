/* For tests/bench/stats.sh: run a connection worker for a while and report
 * the calls and the time of its statistics ticks and full refreshes, next to
 * the time of a bare virConnectGetAllDomainStats of the same groups.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <libvirt/libvirt.h>

#include "conn.h"

static GArray *tick_us, *full_us;
static guint tick_rpc_min = G_MAXUINT, tick_rpc_max, full_rpc_min = G_MAXUINT, full_rpc_max;
static guint64 last_gen;

static void
on_notify(struct vd_conn *c, gpointer user)
{
    struct vd_host_snap *s = vd_conn_snapshot(c);

    if (s->state == VD_HOST_CONNECTED && s->generation != last_gen && s->refresh_us) {
        last_gen = s->generation;
        if (s->last_refresh_full) {
            g_array_append_val(full_us, s->refresh_us);
            full_rpc_min = MIN(full_rpc_min, s->rpc_last_refresh);
            full_rpc_max = MAX(full_rpc_max, s->rpc_last_refresh);
        } else {
            g_array_append_val(tick_us, s->refresh_us);
            tick_rpc_min = MIN(tick_rpc_min, s->rpc_last_refresh);
            tick_rpc_max = MAX(tick_rpc_max, s->rpc_last_refresh);
        }
    }
    vd_host_snap_unref(s);
}

static gint
cmp_u64(gconstpointer a, gconstpointer b)
{
    guint64 x = *(const guint64 *)a, y = *(const guint64 *)b;
    return x < y ? -1 : x > y;
}

static double
median_ms(GArray *a)
{
    if (!a->len)
        return 0;
    g_array_sort(a, cmp_u64);
    return g_array_index(a, guint64, a->len / 2) / 1000.0;
}

/* The bare call, same groups and domains as a statistics tick, on a
 * connection of its own. Made between the worker's ticks during the whole
 * run, so both see the same conditions (a TCG guest's monitor answers in
 * 5 to 30 ms depending on the load: figures taken at different times do
 * not compare). */
static virConnectPtr bare_vc;
static GArray *bare;

static gboolean
bare_call(gpointer user)
{
    virDomainStatsRecordPtr *recs = NULL;
    gint64 t = g_get_monotonic_time();
    guint64 us;
    int n = virConnectGetAllDomainStats(bare_vc, VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_VCPU |
                                        VIR_DOMAIN_STATS_BALLOON | VIR_DOMAIN_STATS_CPU_TOTAL |
                                        VIR_DOMAIN_STATS_INTERFACE | VIR_DOMAIN_STATS_BLOCK,
                                        &recs, VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE);
    us = (guint64)(g_get_monotonic_time() - t);
    if (n >= 0) {
        virDomainStatsRecordListFree(recs);
        g_array_append_val(bare, us);
    }
    return G_SOURCE_CONTINUE;
}

int
main(int argc, char **argv)
{
    const char *uri = argc > 1 ? argv[1] : "qemu:///system";
    int secs = argc > 2 ? atoi(argv[2]) : 10;
    struct vd_conn_options o = { .refresh_ms = 1000 };
    GMainContext *ui = g_main_context_new();
    struct vd_conn *c;
    GSource *src = NULL;
    gint64 end;

    tick_us = g_array_new(FALSE, FALSE, sizeof(guint64));
    full_us = g_array_new(FALSE, FALSE, sizeof(guint64));
    bare = g_array_new(FALSE, FALSE, sizeof(guint64));
    vd_conn_global_init();
    g_main_context_push_thread_default(ui);
    bare_vc = virConnectOpen(uri);
    c = vd_conn_new(uri, &o, ui, on_notify, NULL);
    if (bare_vc) {
        /* ticks come every 1000 ms: the bare call in between */
        g_usleep(500000);
        src = g_timeout_source_new(1000);
        g_source_set_callback(src, bare_call, NULL, NULL);
        g_source_attach(src, ui);
    }
    end = g_get_monotonic_time() + (gint64)secs * G_USEC_PER_SEC;
    while (g_get_monotonic_time() < end)
        g_main_context_iteration(ui, TRUE);
    vd_conn_refresh(c);    /* one full refresh by request, as an event does */
    end = g_get_monotonic_time() + G_USEC_PER_SEC;
    while (g_get_monotonic_time() < end)
        g_main_context_iteration(ui, TRUE);
    if (src)
        g_source_destroy(src);

    printf("ticks %u: calls %u..%u, median %.2f ms\n", tick_us->len, tick_rpc_min, tick_rpc_max,
           median_ms(tick_us));
    printf("full refreshes %u: calls %u..%u, median %.2f ms\n", full_us->len, full_rpc_min, full_rpc_max,
           median_ms(full_us));
    printf("bare GetAllDomainStats (running domains, same groups, between the ticks): %u, median %.2f ms\n",
           bare->len, median_ms(bare));
    return tick_us->len ? 0 : 1;
}
