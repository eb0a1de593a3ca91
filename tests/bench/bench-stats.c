/* For tests/bench/stats.sh: paired timings of virtdeck's statistics tick and
 * of a bare virConnectGetAllDomainStats with the same groups and flags, on
 * the same host at the same time.
 *
 *   bench-stats URI PAIRS [LABEL]
 *
 * The worker makes no ticks of its own (a refresh period of an hour); the
 * bench asks for each one (vd_conn_tick) and waits for its snapshot. Pair i
 * is a bare call and a tick 60 to 180 ms apart (random), the bare call first
 * in even pairs and second in odd ones, so a drift of the host's load (a TCG
 * guest's monitor answers in 5 to 30 ms depending on it) hits both sides
 * alike. Ticks that turned into full refreshes (every 16th, an event, a new
 * domain) are not paired and are reported apart. Prints figures; the exit
 * status says only whether it could measure.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "conn.h"

static guint64 last_gen;

static void
on_notify(struct vd_conn *c, gpointer user)
{
    struct vd_host_snap *s = vd_conn_snapshot(c);

    (void)user;
    if (s->state == VD_HOST_CONNECTED && s->refresh_us)
        last_gen = MAX(last_gen, s->generation);
    vd_host_snap_unref(s);
}

struct tick {
    guint64 us;               /* refresh_us */
    struct vd_refresh_times t;
    guint rpc;
    guint active;             /* running (or paused) domains in the snapshot */
    guint domains;
    bool full;
};

/* One tick, asked for and waited for. False if none came within 30 s. */
static bool
tick(struct vd_conn *c, GMainContext *ui, struct tick *out)
{
    guint64 gen = last_gen;
    gint64 end = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
    struct vd_host_snap *s;

    gint64 t0 = g_get_monotonic_time();

    vd_conn_tick(c);
    while (last_gen == gen && g_get_monotonic_time() < end)
        g_main_context_iteration(ui, TRUE);
    if (getenv("BENCH_DEBUG") && g_get_monotonic_time() - t0 > G_USEC_PER_SEC)
        fprintf(stderr, "a tick took %.2f s to come\n", (g_get_monotonic_time() - t0) / 1e6);
    if (last_gen == gen)
        return false;
    s = vd_conn_snapshot(c);
    out->us = s->refresh_us;
    out->t = s->times;
    out->rpc = s->rpc_last_refresh;
    out->full = s->last_refresh_full;
    out->domains = s->domains->len;
    out->active = 0;
    for (guint i = 0; i < s->domains->len; i++)
        out->active += vd_dom_is_active(s->domains->pdata[i]);
    vd_host_snap_unref(s);
    return true;
}

/* The bare call: a connection of its own, the tick's groups and flags. */
static gint64
bare(virConnectPtr vc, int *nrec)
{
    virDomainStatsRecordPtr *recs = NULL;
    unsigned int flags;
    unsigned int stats = vd_conn_tick_stats(&flags);
    gint64 t = g_get_monotonic_time();
    int n = virConnectGetAllDomainStats(vc, stats, &recs, flags);

    t = g_get_monotonic_time() - t;
    if (n < 0)
        return -1;
    virDomainStatsRecordListFree(recs);
    *nrec = n;
    return t;
}

static gint
cmp_double(gconstpointer a, gconstpointer b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Quantile q (0..1) of a, nearest rank; sorts a. */
static double
quant(GArray *a, double q)
{
    guint i;

    if (!a->len)
        return NAN;
    g_array_sort(a, cmp_double);
    i = (guint)(q * (a->len - 1) + 0.5);
    return g_array_index(a, double, MIN(i, a->len - 1));
}

static void
add(GArray *a, double v)
{
    g_array_append_val(a, v);
}

#define N_PHASES 12

int
main(int argc, char **argv)
{
    const char *uri = argc > 1 ? argv[1] : "qemu:///system";
    int pairs = argc > 2 ? atoi(argv[2]) : 60;
    const char *label = argc > 3 ? argv[3] : "";
    struct vd_conn_options o = { .refresh_ms = 3600 * 1000, .history = true, .notify_every_refresh = true };
    static const char *const phase_names[N_PHASES] = {
        "bulk", "records", "carry", "lists", "node_lag", "node", "node_wait", "addrs", "rates", "sort",
        "publish", "history",
    };
    GArray *tick_ms = g_array_new(FALSE, FALSE, sizeof(double));
    GArray *tick_pub_ms = g_array_new(FALSE, FALSE, sizeof(double));
    GArray *bare_ms = g_array_new(FALSE, FALSE, sizeof(double));
    GArray *ratio = g_array_new(FALSE, FALSE, sizeof(double));
    GArray *ratio_bulk = g_array_new(FALSE, FALSE, sizeof(double));
    GArray *full_ms = g_array_new(FALSE, FALSE, sizeof(double));
    GArray *phase[N_PHASES];
    GMainContext *ui = g_main_context_new();
    struct vd_conn *c;
    virConnectPtr vc;
    struct tick prev = { 0 }, t;
    bool have_prev = false;
    guint rpc_min = G_MAXUINT, rpc_max = 0, act_min = G_MAXUINT, act_max = 0, doms = 0;
    int rec_min = G_MAXINT, rec_max = -1;
    gint64 end, t_begin = g_get_monotonic_time();

    /* BENCH_RAW=FILE: every pair appended to FILE (label, tick ms, bare ms) */
    FILE *raw = getenv("BENCH_RAW") ? fopen(getenv("BENCH_RAW"), "a") : NULL;

    for (int i = 0; i < N_PHASES; i++)
        phase[i] = g_array_new(FALSE, FALSE, sizeof(double));
    vd_conn_global_init();
    g_main_context_push_thread_default(ui);
    vc = virConnectOpen(uri);
    if (!vc) {
        fprintf(stderr, "bench-stats: cannot open %s\n", uri);
        return 1;
    }
    c = vd_conn_new(uri, &o, ui, on_notify, NULL);
    /* the connect's own full refresh */
    end = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;
    while (!last_gen && g_get_monotonic_time() < end)
        g_main_context_iteration(ui, TRUE);
    if (!last_gen) {
        fprintf(stderr, "bench-stats: no refresh from %s\n", uri);
        return 1;
    }
    if (getenv("BENCH_DEBUG"))
        fprintf(stderr, "connected after %.2f s\n", (g_get_monotonic_time() - t_begin) / 1e6);
    /* warm up both sides */
    for (int i = 0; i < 3; i++) {
        int n;
        if (!tick(c, ui, &t) || bare(vc, &n) < 0)
            return 1;
    }
    for (int i = 0; i <= pairs; i++) {
        gint64 b = 0;
        int n = 0;
        bool ok;

        g_usleep(g_random_int_range(60, 180) * 1000);
        if (i % 2 == 0 && i < pairs) {
            b = bare(vc, &n);
            g_usleep(g_random_int_range(60, 180) * 1000);
        }
        ok = tick(c, ui, &t);
        if (i % 2 == 1) {
            g_usleep(g_random_int_range(60, 180) * 1000);
            b = bare(vc, &n);
        }
        if (!ok || b < 0) {
            fprintf(stderr, "bench-stats: pair %d failed\n", i);
            return 1;
        }
        /* this tick's snapshot has the previous tick's publish time */
        if (have_prev && !prev.full) {
            double pub = (double)t.t.prev_publish_us / 1000.0;
            double tot = prev.us / 1000.0 + pub;
            guint64 v[N_PHASES] = {
                prev.t.bulk_us, prev.t.records_us, prev.t.carry_us, prev.t.lists_us, prev.t.node_lag_us,
                prev.t.node_us, prev.t.node_wait_us, prev.t.addrs_us, prev.t.rates_us, prev.t.sort_us,
                t.t.prev_publish_us, t.t.prev_history_us,
            };
            add(tick_pub_ms, tot);
            for (int k = 0; k < N_PHASES; k++)
                add(phase[k], v[k] / 1000.0);
        }
        if (i < pairs && !t.full) {
            if (raw)
                fprintf(raw, "%s\t%.3f\t%.3f\n", label, t.us / 1000.0, b / 1000.0);
            add(tick_ms, t.us / 1000.0);
            add(bare_ms, b / 1000.0);
            add(ratio, (double)t.us / (double)b);
            add(ratio_bulk, (double)t.t.bulk_us / (double)b);
            rpc_min = MIN(rpc_min, t.rpc);
            rpc_max = MAX(rpc_max, t.rpc);
            act_min = MIN(act_min, t.active);
            act_max = MAX(act_max, t.active);
            rec_min = MIN(rec_min, n);
            rec_max = MAX(rec_max, n);
            doms = t.domains;
        } else if (i < pairs) {
            add(full_ms, t.us / 1000.0);
        }
        prev = t;
        have_prev = true;
    }

    printf("%s%s%u domains, %u..%u active (bare call: %d..%d records); %u paired quick ticks, %u full refreshes\n",
           label, *label ? ": " : "", doms, act_min, act_max, rec_min, rec_max, tick_ms->len, full_ms->len);
    printf("  calls per quick tick %u..%u\n", rpc_min, rpc_max);
    printf("  tick   median %7.2f ms  p90 %7.2f ms   (with publish: median %.2f ms)\n", quant(tick_ms, 0.5),
           quant(tick_ms, 0.9), quant(tick_pub_ms, 0.5));
    printf("  bare   median %7.2f ms  p90 %7.2f ms\n", quant(bare_ms, 0.5), quant(bare_ms, 0.9));
    printf("  ratio  of medians %.2f, median of pair ratios %.2f (p10 %.2f, p90 %.2f); "
           "tick's own bulk call / bare: median %.2f\n",
           quant(tick_ms, 0.5) / quant(bare_ms, 0.5), quant(ratio, 0.5), quant(ratio, 0.1), quant(ratio, 0.9),
           quant(ratio_bulk, 0.5));
    printf("  full refresh median %.2f ms\n", quant(full_ms, 0.5));
    printf("  phases of a quick tick, median (p90) ms:");
    for (int k = 0; k < N_PHASES; k++)
        printf("%s %s %.2f (%.2f)", k % 4 ? "," : "\n   ", phase_names[k], quant(phase[k], 0.5),
               quant(phase[k], 0.9));
    printf("\n");
    /* machine-readable: label, domains, tick median, bare median, ratio, calls */
    printf("ROW\t%s\t%u\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%u\n", label, doms, quant(tick_ms, 0.5),
           quant(tick_ms, 0.9), quant(bare_ms, 0.5), quant(bare_ms, 0.9), quant(ratio, 0.5),
           quant(tick_ms, 0.5) / quant(bare_ms, 0.5), rpc_max);
    if (getenv("BENCH_DEBUG"))
        fprintf(stderr, "done after %.2f s\n", (g_get_monotonic_time() - t_begin) / 1e6);
    if (raw)
        fclose(raw);
    vd_conn_close(c);
    virConnectClose(vc);
    return tick_ms->len ? 0 : 1;
}
