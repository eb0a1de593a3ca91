/* Rate maths on recorded sample sequences. SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <math.h>
#include "stats.h"

#define NS 1000000000ull

static struct vd_dom_counters
sample(gint64 t_ms, guint64 cpu_s10, guint64 rd, guint64 wr, guint64 rx, guint64 tx)
{
    /* cpu_s10: CPU time in tenths of a second */
    struct vd_dom_counters c = {
        .t_ms = t_ms, .have_cpu = true, .cpu_ns = cpu_s10 * NS / 10, .vcpus = 2,
        .have_balloon = true, .mem_cur_kib = 1048576,
        .have_block = true, .rd_bytes = rd, .wr_bytes = wr, .rd_reqs = rd / 4096, .wr_reqs = wr / 4096,
        .have_net = true, .rx_bytes = rx, .tx_bytes = tx,
    };
    return c;
}

#define assert_near(a, b) g_assert_cmpfloat_with_epsilon((a), (b), 1e-9)

static void
test_steady(void)
{
    /* 2 s apart: 1.0 s of CPU on 2 vCPUs = 25 %; host of 8 CPUs = 6.25 % */
    struct vd_dom_counters a = sample(10000, 100, 0, 0, 0, 0);
    struct vd_dom_counters b = sample(12000, 110, 8192000, 4096000, 2000, 1000);
    struct vd_dom_rates r;

    vd_dom_rates_compute(&a, &b, 8, &r);
    assert_near(r.cpu_pct, 25.0);
    assert_near(r.cpu_host_pct, 6.25);
    assert_near(r.rd_bps, 4096000.0);
    assert_near(r.wr_bps, 2048000.0);
    assert_near(r.rd_iops, 1000.0);
    assert_near(r.wr_iops, 500.0);
    assert_near(r.rx_bps, 1000.0);
    assert_near(r.tx_bps, 500.0);
    g_assert_true(isnan(r.mem_used_kib));          /* no guest driver, no rss */
    assert_near(r.mem_total_kib, 1048576.0);
}

static void
test_first_sample(void)
{
    struct vd_dom_counters b = sample(12000, 110, 1, 1, 1, 1);
    struct vd_dom_rates r;

    vd_dom_rates_compute(NULL, &b, 8, &r);
    g_assert_true(isnan(r.cpu_pct));
    /* no sample at all (a domain carried over from the last snapshot) */
    vd_dom_rates_compute(&b, NULL, 8, &r);
    g_assert_true(isnan(r.cpu_pct) && isnan(r.mem_total_kib));
    vd_dom_rates_compute(NULL, &b, 8, &r);
    g_assert_true(isnan(r.rd_bps));
    g_assert_true(isnan(r.rx_bps));
    assert_near(r.mem_total_kib, 1048576.0);       /* memory needs no history */
}

static void
test_reset(void)
{
    /* the domain restarted: counters start again from small values */
    struct vd_dom_counters seq[] = {
        sample(0, 500, 900000, 900000, 5000, 5000),
        sample(2000, 3, 4096, 0, 10, 10),          /* reset */
        sample(4000, 13, 8192, 4096, 20, 30),
    };
    struct vd_dom_rates r;

    vd_dom_rates_compute(&seq[0], &seq[1], 4, &r);
    g_assert_true(isnan(r.cpu_pct));
    g_assert_true(isnan(r.rd_bps));
    g_assert_true(isnan(r.tx_bps));
    vd_dom_rates_compute(&seq[1], &seq[2], 4, &r);
    assert_near(r.cpu_pct, 25.0);                  /* 1 s of CPU / 2 s / 2 vCPUs */
    assert_near(r.rd_bps, 2048.0);
    assert_near(r.tx_bps, 10.0);
}

static void
test_wrap_one_counter(void)
{
    /* only the disk counter went back (a disk was unplugged): the others stay known */
    struct vd_dom_counters a = sample(0, 10, 5000, 5000, 100, 100);
    struct vd_dom_counters b = sample(1000, 15, 1000, 6000, 200, 300);
    struct vd_dom_rates r;

    vd_dom_rates_compute(&a, &b, 2, &r);
    g_assert_true(isnan(r.rd_bps));
    assert_near(r.wr_bps, 1000.0);
    assert_near(r.cpu_pct, 25.0);
    assert_near(r.rx_bps, 100.0);
}

static void
test_missing_groups(void)
{
    struct vd_dom_counters a = sample(0, 10, 0, 0, 0, 0);
    struct vd_dom_counters b = sample(2000, 30, 0, 0, 0, 0);
    struct vd_dom_rates r;

    /* shut off: no cpu, no block, no net in the new sample */
    b.have_cpu = b.have_block = b.have_net = false;
    vd_dom_rates_compute(&a, &b, 2, &r);
    g_assert_true(isnan(r.cpu_pct));
    g_assert_true(isnan(r.wr_iops));
    g_assert_true(isnan(r.rx_bps));
    /* guest balloon driver: used = available - unused */
    b.have_guest_mem = true;
    b.mem_avail_kib = 2000000;
    b.mem_unused_kib = 500000;
    b.have_rss = true;
    b.mem_rss_kib = 1900000;
    vd_dom_rates_compute(&a, &b, 2, &r);
    assert_near(r.mem_used_kib, 1500000.0);
    assert_near(r.mem_total_kib, 2000000.0);
    /* no guest driver: the host's view (RSS), at most what the guest has
     * (QEMU's own overhead counts in RSS) */
    b.have_guest_mem = false;
    vd_dom_rates_compute(&a, &b, 2, &r);
    assert_near(r.mem_used_kib, 1048576.0);
    b.mem_rss_kib = 700000;
    vd_dom_rates_compute(&a, &b, 2, &r);
    assert_near(r.mem_used_kib, 700000.0);
    /* vCPU count unknown: no per-vCPU percentage, host share still known */
    b.have_cpu = true;
    b.vcpus = 0;
    vd_dom_rates_compute(&a, &b, 4, &r);
    g_assert_true(isnan(r.cpu_pct));
    assert_near(r.cpu_host_pct, 25.0);
}

static void
test_time(void)
{
    struct vd_dom_counters a = sample(5000, 10, 0, 0, 0, 0);
    struct vd_dom_counters b = sample(5000, 20, 10, 10, 10, 10);
    struct vd_dom_rates r;

    vd_dom_rates_compute(&a, &b, 2, &r);           /* no time between: unknown */
    g_assert_true(isnan(r.cpu_pct));
    b.t_ms = 4000;                                 /* time went back */
    vd_dom_rates_compute(&a, &b, 2, &r);
    g_assert_true(isnan(r.rd_bps));
    /* a long gap (a stalled daemon): the average over the gap */
    b.t_ms = 65000;
    b.cpu_ns = a.cpu_ns + 60ull * NS;
    vd_dom_rates_compute(&a, &b, 2, &r);
    assert_near(r.cpu_pct, 50.0);
    /* more CPU than vCPUs x time (rounding between samples) is capped */
    b.cpu_ns = a.cpu_ns + 200ull * NS;
    vd_dom_rates_compute(&a, &b, 2, &r);
    assert_near(r.cpu_pct, 100.0);
}

static void
test_host(void)
{
    struct vd_host_counters a = { .t_ms = 0, .have_cpu = true, .cpu_busy_ns = 100 * NS, .cpu_total_ns = 1000 * NS,
                                  .have_mem = true, .mem_total_kib = 16000000, .mem_free_kib = 4000000,
                                  .mem_buffers_kib = 1000000, .mem_cached_kib = 3000000 };
    struct vd_host_counters b = a;
    struct vd_host_rates r;

    b.t_ms = 2000;
    b.cpu_busy_ns += 3 * NS;
    b.cpu_total_ns += 4 * NS;                      /* 2 CPUs x 2 s */
    vd_host_rates_compute(&a, &b, &r);
    assert_near(r.cpu_pct, 75.0);
    assert_near(r.mem_used_kib, 8000000.0);
    assert_near(r.mem_total_kib, 16000000.0);
    vd_host_rates_compute(NULL, &b, &r);
    g_assert_true(isnan(r.cpu_pct));
    b.cpu_total_ns = a.cpu_total_ns;                /* no progress: unknown, no division by 0 */
    vd_host_rates_compute(&a, &b, &r);
    g_assert_true(isnan(r.cpu_pct));
    b.have_mem = false;
    vd_host_rates_compute(&a, &b, &r);
    g_assert_true(isnan(r.mem_used_kib));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/stats/steady", test_steady);
    g_test_add_func("/stats/first-sample", test_first_sample);
    g_test_add_func("/stats/reset", test_reset);
    g_test_add_func("/stats/one-counter-back", test_wrap_one_counter);
    g_test_add_func("/stats/missing-groups", test_missing_groups);
    g_test_add_func("/stats/time", test_time);
    g_test_add_func("/stats/host", test_host);
    return g_test_run();
}
