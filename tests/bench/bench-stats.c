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

int
main(int argc, char **argv)
{
    const char *uri = argc > 1 ? argv[1] : "qemu:///system";
    int secs = argc > 2 ? atoi(argv[2]) : 10;
    struct vd_conn_options o = { .refresh_ms = 1000 };
    GMainContext *ui = g_main_context_new();
    GArray *bare = g_array_new(FALSE, FALSE, sizeof(guint64));
    struct vd_conn *c;
    virConnectPtr vc;
    gint64 end;

    tick_us = g_array_new(FALSE, FALSE, sizeof(guint64));
    full_us = g_array_new(FALSE, FALSE, sizeof(guint64));
    vd_conn_global_init();
    g_main_context_push_thread_default(ui);
    c = vd_conn_new(uri, &o, ui, on_notify, NULL);
    end = g_get_monotonic_time() + (gint64)secs * G_USEC_PER_SEC;
    while (g_get_monotonic_time() < end)
        g_main_context_iteration(ui, TRUE);
    vd_conn_refresh(c);    /* one full refresh by request, as an event does */
    end = g_get_monotonic_time() + G_USEC_PER_SEC;
    while (g_get_monotonic_time() < end)
        g_main_context_iteration(ui, TRUE);

    /* the bare call, same groups and domains as a statistics tick */
    vc = virConnectOpen(uri);
    for (int i = 0; vc && i < 10; i++) {
        virDomainStatsRecordPtr *recs = NULL;
        gint64 t = g_get_monotonic_time();
        guint64 us;
        int n = virConnectGetAllDomainStats(vc, VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_VCPU |
                                            VIR_DOMAIN_STATS_BALLOON | VIR_DOMAIN_STATS_CPU_TOTAL |
                                            VIR_DOMAIN_STATS_INTERFACE | VIR_DOMAIN_STATS_BLOCK,
                                            &recs, VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE);
        us = (guint64)(g_get_monotonic_time() - t);
        if (n >= 0)
            virDomainStatsRecordListFree(recs);
        g_array_append_val(bare, us);
    }
    printf("ticks %u: calls %u..%u, median %.2f ms\n", tick_us->len, tick_rpc_min, tick_rpc_max,
           median_ms(tick_us));
    printf("full refreshes %u: calls %u..%u, median %.2f ms\n", full_us->len, full_rpc_min, full_rpc_max,
           median_ms(full_us));
    printf("bare GetAllDomainStats (running domains, same groups): median %.2f ms\n", median_ms(bare));
    return tick_us->len ? 0 : 1;
}
