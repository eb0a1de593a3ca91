/* virtdeck - rates from successive counter samples
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * libvirt reports cumulative counters (CPU nanoseconds, bytes, requests).
 * Rates come from the difference of two samples of the same domain taken on
 * the monotonic clock. Rules:
 *  - no previous sample (new domain, first tick): rates unknown (NAN);
 *  - a counter that went down (the domain restarted, a disk was unplugged):
 *    that rate is unknown for this tick, the next one is fine again;
 *  - a group missing in either sample (shut off, no balloon driver): NAN;
 *  - no time between the samples (or time going back): everything NAN.
 * Memory is instantaneous and known from a single sample. */
#pragma once

#include <glib.h>
#include <stdbool.h>

struct vd_dom_counters {
    gint64 t_ms;                  /* monotonic milliseconds of the sample */
    bool have_cpu;
    guint64 cpu_ns;               /* cpu.time */
    unsigned int vcpus;           /* vcpu.current (0 unknown) */
    bool have_balloon;            /* balloon.current */
    guint64 mem_cur_kib;
    bool have_guest_mem;          /* balloon.available and balloon.unused (guest driver) */
    guint64 mem_avail_kib, mem_unused_kib;
    bool have_rss;
    guint64 mem_rss_kib;
    bool have_block;              /* sums over every disk */
    guint64 rd_bytes, wr_bytes, rd_reqs, wr_reqs;
    bool have_net;                /* sums over every interface */
    guint64 rx_bytes, tx_bytes;
};

struct vd_dom_rates {
    double cpu_pct;               /* of the domain's vCPUs, 0..100 */
    double cpu_host_pct;          /* of all host CPUs, 0..100 */
    double mem_used_kib;          /* guest view when the balloon driver reports it, else host RSS */
    double mem_total_kib;         /* what the guest has (balloon available, else current) */
    double rd_bps, wr_bps, rd_iops, wr_iops;
    double rx_bps, tx_bps;
};

struct vd_host_counters {
    gint64 t_ms;
    bool have_cpu;
    guint64 cpu_busy_ns, cpu_total_ns;   /* kernel+user, kernel+user+idle+iowait */
    bool have_mem;
    guint64 mem_total_kib, mem_free_kib, mem_buffers_kib, mem_cached_kib;
};

struct vd_host_rates {
    double cpu_pct;               /* 0..100 of all CPUs */
    double mem_used_kib;          /* total - free - buffers - cached */
    double mem_total_kib;
};

void vd_dom_rates_unknown(struct vd_dom_rates *r);
void vd_dom_rates_compute(const struct vd_dom_counters *prev, const struct vd_dom_counters *cur,
                          unsigned int host_cpus, struct vd_dom_rates *out);
void vd_host_rates_compute(const struct vd_host_counters *prev, const struct vd_host_counters *cur,
                           struct vd_host_rates *out);
