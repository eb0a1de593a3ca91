/* virtdeck - rates from successive counter samples
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <math.h>

#include "stats.h"

void
vd_dom_rates_unknown(struct vd_dom_rates *r)
{
    r->cpu_pct = r->cpu_host_pct = NAN;
    r->mem_used_kib = r->mem_total_kib = NAN;
    r->rd_bps = r->wr_bps = r->rd_iops = r->wr_iops = NAN;
    r->rx_bps = r->tx_bps = NAN;
}

/* (b - a) per second over dt seconds; NAN when the counter went back. */
static double
per_s(guint64 a, guint64 b, double dt)
{
    return b >= a ? (double)(b - a) / dt : NAN;
}

static void
memory(const struct vd_dom_counters *c, struct vd_dom_rates *out)
{
    if (c->have_guest_mem && c->mem_avail_kib >= c->mem_unused_kib) {
        out->mem_used_kib = (double)(c->mem_avail_kib - c->mem_unused_kib);
        out->mem_total_kib = (double)c->mem_avail_kib;
        return;
    }
    if (c->have_balloon)
        out->mem_total_kib = (double)c->mem_cur_kib;
    /* the host's view; QEMU's own overhead can make it exceed the guest size */
    if (c->have_rss)
        out->mem_used_kib = c->have_balloon ? (double)MIN(c->mem_rss_kib, c->mem_cur_kib) : (double)c->mem_rss_kib;
}

void
vd_dom_rates_compute(const struct vd_dom_counters *prev, const struct vd_dom_counters *cur,
                     unsigned int host_cpus, struct vd_dom_rates *out)
{
    double dt;

    vd_dom_rates_unknown(out);
    if (!cur)
        return;
    memory(cur, out);
    if (!prev || cur->t_ms <= prev->t_ms)
        return;
    dt = (double)(cur->t_ms - prev->t_ms) / 1000.0;
    if (prev->have_cpu && cur->have_cpu && cur->cpu_ns >= prev->cpu_ns) {
        /* nanoseconds of CPU per second of wall time = CPUs busy */
        double busy = (double)(cur->cpu_ns - prev->cpu_ns) / 1e9 / dt;
        if (cur->vcpus)
            out->cpu_pct = MIN(100.0, busy * 100.0 / cur->vcpus);
        if (host_cpus)
            out->cpu_host_pct = MIN(100.0, busy * 100.0 / host_cpus);
    }
    if (prev->have_block && cur->have_block) {
        out->rd_bps = per_s(prev->rd_bytes, cur->rd_bytes, dt);
        out->wr_bps = per_s(prev->wr_bytes, cur->wr_bytes, dt);
        out->rd_iops = per_s(prev->rd_reqs, cur->rd_reqs, dt);
        out->wr_iops = per_s(prev->wr_reqs, cur->wr_reqs, dt);
    }
    if (prev->have_net && cur->have_net) {
        out->rx_bps = per_s(prev->rx_bytes, cur->rx_bytes, dt);
        out->tx_bps = per_s(prev->tx_bytes, cur->tx_bytes, dt);
    }
}

void
vd_host_rates_compute(const struct vd_host_counters *prev, const struct vd_host_counters *cur,
                      struct vd_host_rates *out)
{
    out->cpu_pct = out->mem_used_kib = out->mem_total_kib = NAN;
    if (cur->have_mem) {
        guint64 avail = cur->mem_free_kib + cur->mem_buffers_kib + cur->mem_cached_kib;
        out->mem_total_kib = (double)cur->mem_total_kib;
        out->mem_used_kib = cur->mem_total_kib >= avail ? (double)(cur->mem_total_kib - avail) : 0.0;
    }
    if (prev && prev->have_cpu && cur->have_cpu && cur->t_ms > prev->t_ms &&
        cur->cpu_total_ns > prev->cpu_total_ns && cur->cpu_busy_ns >= prev->cpu_busy_ns) {
        double busy = (double)(cur->cpu_busy_ns - prev->cpu_busy_ns);
        double total = (double)(cur->cpu_total_ns - prev->cpu_total_ns);
        out->cpu_pct = MIN(100.0, busy * 100.0 / total);
    }
}
