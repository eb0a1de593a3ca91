/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "rrd-store.h"

/* A fixed "now", a multiple of one day, so every archive's rows line up with it. */
#define NOW ((time_t)1699920000)
#define STEP 2UL
#define T0 (NOW - 3600)
#define NSAMPLES 1800 /* one hour of 2 s samples: t = T0 + 2 (i + 1) */

static char *state_dir;

/* values that need all their digits: a 4-digit %g would not survive */
#define MEM1 1000012345.678
#define MEM2 2500000000.125

/* The known series: cpu ramps 0.25..29.25 inside every minute, mem steps up at
 * half time, disk_rd grows by 1000.5 a sample, disk_wr is unknown for samples 100..109, net_rx is 0,
 * net_tx is never known. */
static struct vd_rrd_sample
sample_at(int i)
{
    return (struct vd_rrd_sample){
        .cpu = (i % 30) + 0.25,
        .mem = i < NSAMPLES / 2 ? MEM1 : MEM2,
        .disk_rd = i * 1000.5 + 0.001,
        .disk_wr = i >= 100 && i < 110 ? NAN : 7.0,
        .net_rx = 0.0,
        .net_tx = NAN,
    };
}

static double
field(const struct vd_rrd_sample *s, enum vd_rrd_ds d)
{
    const double v[VD_DS_LAST] = { s->cpu, s->mem, s->disk_rd, s->disk_wr, s->net_rx, s->net_tx };
    return v[d];
}

static void
assert_value(double got, double want)
{
    if (isnan(want)) {
        g_assert_true(isnan(got));
        return;
    }
    g_assert_false(isnan(got));
    g_assert_cmpfloat_with_epsilon(got, want, 1e-9 * MAX(1.0, fabs(want)));
}

static char *
write_series(const char *name)
{
    g_autofree char *dir = g_build_filename(state_dir, "series", NULL);
    char *path = g_build_filename(dir, name, NULL);
    g_unlink(path);
    for (int i = 0; i < NSAMPLES; i++) {
        g_autoptr(GError) err = NULL;
        struct vd_rrd_sample s = sample_at(i);
        g_assert_true(vd_rrd_update(path, T0 + (time_t)(STEP * (unsigned long)(i + 1)), STEP, &s, &err));
        g_assert_no_error(err);
    }
    return path;
}

static void
test_round_trip(void)
{
    g_autofree char *path = write_series("round-trip.rrd");
    g_autoptr(GError) err = NULL;
    struct vd_rrd_series h = { 0 };

    g_assert_true(vd_rrd_fetch(path, VD_RRD_HOUR, VD_RRD_AVERAGE, NOW, &h, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(h.step, ==, STEP);
    g_assert_cmpint(h.start, ==, T0);
    g_assert_cmpuint(h.n, ==, NSAMPLES + 1); /* librrd rounds the end up by one step */
    g_assert_cmpint(h.end, ==, h.start + (time_t)h.n * (time_t)h.step);
    for (int i = 0; i < NSAMPLES; i++) {
        struct vd_rrd_sample s = sample_at(i);
        for (int d = 0; d < VD_DS_LAST; d++)
            assert_value(h.v[d][i], field(&s, d));
    }
    for (int d = 0; d < VD_DS_LAST; d++)
        g_assert_true(isnan(h.v[d][NSAMPLES])); /* the future */
    g_assert_cmpfloat(h.v[VD_DS_CPU][0], ==, 0.25);
    g_assert_cmpfloat(h.v[VD_DS_CPU][29], ==, 29.25);
    g_assert_cmpfloat(h.v[VD_DS_MEM][NSAMPLES / 2], ==, MEM2);
    g_assert_cmpfloat(h.v[VD_DS_MEM][NSAMPLES / 2 - 1], ==, MEM1);
    g_assert_true(isnan(h.v[VD_DS_DISK_WR][105]));

    /* hour MAX is served from the same one-PDP archive */
    struct vd_rrd_series hm = { 0 };
    g_assert_true(vd_rrd_fetch(path, VD_RRD_HOUR, VD_RRD_MAX, NOW, &hm, &err));
    g_assert_cmpuint(hm.step, ==, STEP);
    g_assert_cmpuint(hm.n, ==, h.n);
    g_assert_cmpfloat(hm.v[VD_DS_CPU][7], ==, h.v[VD_DS_CPU][7]);
    vd_rrd_series_clear(&hm);
    vd_rrd_series_clear(&h);
    g_assert_null(h.v[VD_DS_CPU]);

    /* day: one row per minute of 30 samples; AVERAGE and MAX differ */
    struct vd_rrd_series avg = { 0 }, max = { 0 };
    g_assert_true(vd_rrd_fetch(path, VD_RRD_DAY, VD_RRD_AVERAGE, NOW, &avg, &err));
    g_assert_true(vd_rrd_fetch(path, VD_RRD_DAY, VD_RRD_MAX, NOW, &max, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(avg.step, ==, 60);
    g_assert_cmpuint(max.step, ==, 60);
    g_assert_cmpint(avg.start, ==, NOW - 86400);
    g_assert_cmpuint(avg.n, ==, 1441);
    guint first = (guint)((T0 - avg.start) / 60); /* the minute (T0, T0 + 60] */
    g_assert_true(isnan(avg.v[VD_DS_CPU][first - 1]));
    g_assert_true(isnan(max.v[VD_DS_CPU][first - 1]));
    for (guint k = 0; k < 60; k++) {
        double mem_avg = k < 30 ? MEM1 : MEM2;
        assert_value(avg.v[VD_DS_CPU][first + k], 14.75);
        assert_value(max.v[VD_DS_CPU][first + k], 29.25);
        assert_value(avg.v[VD_DS_MEM][first + k], mem_avg);
        assert_value(max.v[VD_DS_MEM][first + k], mem_avg);
        assert_value(avg.v[VD_DS_DISK_RD][first + k], (30.0 * k + 14.5) * 1000.5 + 0.001);
        assert_value(max.v[VD_DS_DISK_RD][first + k], (30.0 * k + 29) * 1000.5 + 0.001);
        /* 10 of 30 unknown is below the xff of 0.5: still known */
        assert_value(avg.v[VD_DS_DISK_WR][first + k], 7.0);
        assert_value(avg.v[VD_DS_NET_RX][first + k], 0.0);
        g_assert_true(isnan(avg.v[VD_DS_NET_TX][first + k]));
        g_assert_true(isnan(max.v[VD_DS_NET_TX][first + k]));
    }
    g_assert_true(isnan(avg.v[VD_DS_CPU][first + 60]));
    vd_rrd_series_clear(&avg);
    vd_rrd_series_clear(&max);

    /* every range has its own resolution */
    const unsigned long want_step[VD_RRD_RANGE_LAST] = { 2, 60, 1800, 7200, 86400 };
    for (int r = 0; r < VD_RRD_RANGE_LAST; r++) {
        struct vd_rrd_series s = { 0 };
        g_assert_true(vd_rrd_fetch(path, r, VD_RRD_AVERAGE, NOW, &s, &err));
        g_assert_cmpuint(s.step, ==, want_step[r]);
        g_assert_cmpuint(s.n, >, 300);
        vd_rrd_series_clear(&s);
    }

    /* a missing file is an error with librrd's reason */
    g_assert_false(vd_rrd_fetch("/nonexistent/x.rrd", VD_RRD_HOUR, VD_RRD_AVERAGE, NOW, &h, &err));
    g_assert_error(err, VD_RRD_ERROR, VD_RRD_ERROR_FAILED);
    g_assert_nonnull(strstr(err->message, "/nonexistent/x.rrd"));
}

/* `rrdtool fetch` reads our file and prints the same numbers. */
static GHashTable *
rrdtool_fetch(const char *path, const char *cf, unsigned long res, time_t start, time_t end,
              GPtrArray **names)
{
    g_autofree char *prog = g_find_program_in_path("rrdtool");
    if (!prog) {
        g_test_message("rrdtool is not installed: apt-get install rrdtool (listed in tests/deps.sh)");
        g_test_fail();
        return NULL;
    }
    g_autofree char *r = g_strdup_printf("%lu", res);
    g_autofree char *s = g_strdup_printf("%lld", (long long)start);
    g_autofree char *e = g_strdup_printf("%lld", (long long)end);
    const char *argv[] = { prog, "fetch", path, cf, "-r", r, "-s", s, "-e", e, NULL };
    g_auto(GStrv) env = g_get_environ();
    env = g_environ_unsetenv(env, "RRDCACHED_ADDRESS");
    env = g_environ_setenv(env, "LC_ALL", "C", TRUE);
    g_autofree char *out = NULL, *errout = NULL;
    int status = 0;
    g_autoptr(GError) err = NULL;
    g_assert_true(
        g_spawn_sync(NULL, (char **)argv, env, G_SPAWN_DEFAULT, NULL, NULL, &out, &errout, &status, &err));
    g_assert_no_error(err);
    if (!g_spawn_check_wait_status(status, &err))
        g_error("rrdtool fetch failed: %s: %s", err->message, errout);

    /* "            cpu   mem ...\n\n1699916402: 2.5000000000e-01 ...\n" */
    GHashTable *rows =
        g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
    g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
    g_assert_nonnull(lines[0]);
    *names = g_ptr_array_new_with_free_func(g_free);
    g_auto(GStrv) head = g_strsplit_set(g_strstrip(lines[0]), " ", -1);
    for (int i = 0; head[i]; i++)
        if (*head[i])
            g_ptr_array_add(*names, g_strdup(head[i]));
    for (int i = 1; lines[i]; i++) {
        char *colon = strchr(lines[i], ':');
        if (!colon)
            continue;
        gint64 *ts = g_new(gint64, 1);
        *ts = g_ascii_strtoll(lines[i], NULL, 10);
        GPtrArray *vals = g_ptr_array_new_with_free_func(g_free);
        g_auto(GStrv) f = g_strsplit_set(colon + 1, " ", -1);
        for (int j = 0; f[j]; j++) {
            if (!*f[j])
                continue;
            double *v = g_new(double, 1);
            *v = g_ascii_strtod(f[j], NULL); /* "nan" and "-nan" too */
            g_ptr_array_add(vals, v);
        }
        g_hash_table_insert(rows, ts, vals);
    }
    return rows;
}

static void
compare_with_cli(const char *path, enum vd_rrd_range range, enum vd_rrd_cf cf)
{
    struct vd_rrd_series s = { 0 };
    g_autoptr(GError) err = NULL;
    g_assert_true(vd_rrd_fetch(path, range, cf, NOW, &s, &err));
    g_autoptr(GPtrArray) names = NULL;
    g_autoptr(GHashTable) rows =
        rrdtool_fetch(path, cf == VD_RRD_MAX ? "MAX" : "AVERAGE", s.step, s.start, NOW, &names);
    if (!rows) {
        vd_rrd_series_clear(&s);
        return;
    }
    g_assert_cmpuint(names->len, ==, VD_DS_LAST);
    g_assert_cmpuint(g_hash_table_size(rows), ==, s.n);
    guint known = 0;
    for (guint i = 0; i < s.n; i++) {
        gint64 ts = s.start + (gint64)((i + 1) * s.step); /* rrdtool labels a row by its end */
        GPtrArray *vals = g_hash_table_lookup(rows, &ts);
        g_assert_nonnull(vals);
        g_assert_cmpuint(vals->len, ==, VD_DS_LAST);
        for (guint c = 0; c < names->len; c++) {
            int d = 0;
            while (d < VD_DS_LAST && strcmp(vd_rrd_ds_name(d), g_ptr_array_index(names, c)) != 0)
                d++;
            g_assert_cmpint(d, <, VD_DS_LAST);
            double cli = *(double *)g_ptr_array_index(vals, c);
            assert_value(cli, s.v[d][i]); /* %.10e: relative 1e-9 is what it can show */
            known += !isnan(cli);
        }
    }
    g_assert_cmpuint(known, >, 0);
    vd_rrd_series_clear(&s);
}

static void
test_rrdtool_cli(void)
{
    g_autofree char *path = write_series("cli.rrd");
    compare_with_cli(path, VD_RRD_HOUR, VD_RRD_AVERAGE);
    compare_with_cli(path, VD_RRD_DAY, VD_RRD_AVERAGE);
    compare_with_cli(path, VD_RRD_DAY, VD_RRD_MAX);
}

static void
check_dir_name(const char *uri)
{
    g_autofree char *d = vd_rrd_host_dir(uri);
    g_autofree char *again = vd_rrd_host_dir(uri);
    g_assert_cmpstr(d, ==, again);
    g_assert_cmpuint(strlen(d), >, 0);
    g_assert_cmpuint(strlen(d), <=, 80 + 9);
    g_assert_null(strchr(d, '/'));
    g_assert_null(strstr(d, ".."));
    g_assert_cmpint(d[0], !=, '.');
    for (const char *p = d; *p; p++)
        g_assert_true(g_ascii_isalnum(*p) || strchr(".+@-_", *p));
}

static void
test_host_dir(void)
{
    const struct {
        const char *uri, *want;
    } exact[] = {
        { "qemu+ssh://root@127.0.0.1:2222/system", "qemu+ssh_root@127.0.0.1_2222_system" },
        { "qemu:///system", "qemu_system" },
        { "qemu:///session", "qemu_session" },
        { "lxc:///system", "lxc_system" },
        { "test:///abs/path.xml", "test_abs_path.xml" },
        { "qemu+tls://kvm1.example.org/system", "qemu+tls_kvm1.example.org_system" },
    };
    for (gsize i = 0; i < G_N_ELEMENTS(exact); i++) {
        g_autofree char *d = vd_rrd_host_dir(exact[i].uri);
        g_assert_cmpstr(d, ==, exact[i].want);
        check_dir_name(exact[i].uri);
    }

    /* lossy names keep a readable prefix and get a hash of the whole URI */
    const struct {
        const char *uri, *prefix;
    } hashed[] = {
        { "qemu+unix:///system?socket=/run/libvirt/libvirt-sock",
          "qemu+unix_system_socket_run_libvirt_libvirt-sock-" },
        { "qemu+ssh://[::1]/system", "qemu+ssh_1_system-" },
        { "test:///../../etc/passwd", "test_etc_passwd-" },
        { "test:///a_b", "test_a_b-" },
        { "qemu+ssh://h\xc3\xb4st/system", "qemu+ssh_h_st_system-" },
        { "qemu+ssh://evil\x1b[31m\n/system", "qemu+ssh_evil_31m_system-" },
    };
    for (gsize i = 0; i < G_N_ELEMENTS(hashed); i++) {
        g_autofree char *d = vd_rrd_host_dir(hashed[i].uri);
        g_assert_true(g_str_has_prefix(d, hashed[i].prefix));
        g_assert_cmpuint(strlen(d), ==, strlen(hashed[i].prefix) + 8);
        check_dir_name(hashed[i].uri);
    }
    const char *odd[] = { "", "..", ".", "/", "../..", "....//....", "a/../../b", "\x80\xff", "..hidden" };
    for (gsize i = 0; i < G_N_ELEMENTS(odd); i++)
        check_dir_name(odd[i]);
    g_autofree char *null_dir = vd_rrd_host_dir(NULL);
    g_assert_cmpuint(strlen(null_dir), ==, 8);

    /* long URIs are cut and hashed, different ones stay different */
    g_autofree char *l1 = g_strnfill(300, 'a'), *l2 = g_strconcat(l1, "b", NULL);
    g_autofree char *d1 = vd_rrd_host_dir(l1), *d2 = vd_rrd_host_dir(l2);
    check_dir_name(l1);
    g_assert_cmpstr(d1, !=, d2);
    g_autofree char *u1 = vd_rrd_host_dir("test:///a_b"), *u2 = vd_rrd_host_dir("test:///a/b");
    g_assert_cmpstr(u1, !=, u2);
    g_autofree char *t1 = vd_rrd_host_dir("test:///../x"), *t2 = vd_rrd_host_dir("test:///x");
    g_assert_cmpstr(t1, !=, t2);

    /* paths: under $XDG_STATE_HOME, uuid checked and lower-cased */
    g_autofree char *hp = vd_rrd_path("qemu:///system", NULL);
    g_autofree char *want_hp =
        g_build_filename(state_dir, "virtdeck", "rrd", "qemu_system", "host.rrd", NULL);
    g_assert_cmpstr(hp, ==, want_hp);
    g_autofree char *dp = vd_rrd_path("qemu:///system", "6695EB01-F6A4-8304-79AA-97F2502E193F");
    g_assert_true(g_str_has_suffix(dp, "/qemu_system/6695eb01-f6a4-8304-79aa-97f2502e193f.rrd"));
    g_assert_null(vd_rrd_path("qemu:///system", "../../../etc/passwd"));
    g_assert_null(vd_rrd_path("qemu:///system", ""));
    g_assert_null(vd_rrd_path("qemu:///system", "6695eb01-f6a4-8304-79aa-97f2502e193f/.."));
}

static void
test_past_update(void)
{
    g_autofree char *path = vd_rrd_path("test:///past", NULL);
    g_autoptr(GError) err = NULL;
    struct vd_rrd_sample a = { 10, 1, 2, 3, 4, 5 }, b = { 90, 9, 9, 9, 9, 9 };
    g_assert_true(vd_rrd_update(path, NOW - 10, STEP, &a, &err));
    g_assert_no_error(err);
    g_assert_true(g_file_test(path, G_FILE_TEST_IS_REGULAR));
    /* same time, then an earlier one: skipped, no error, value kept */
    g_assert_true(vd_rrd_update(path, NOW - 10, STEP, &b, &err));
    g_assert_no_error(err);
    g_assert_true(vd_rrd_update(path, NOW - 100, STEP, &b, &err));
    g_assert_no_error(err);
    /* and the thread's librrd error text does not leak into the next call */
    g_assert_true(vd_rrd_update(path, NOW - 8, STEP, &a, &err));
    g_assert_no_error(err);

    struct vd_rrd_series s = { 0 };
    g_assert_true(vd_rrd_fetch(path, VD_RRD_HOUR, VD_RRD_AVERAGE, NOW, &s, &err));
    guint row = (guint)((NOW - 10 - s.start) / (time_t)s.step) - 1; /* (NOW-12, NOW-10] */
    g_assert_cmpfloat(s.v[VD_DS_CPU][row], ==, 10);
    g_assert_cmpfloat(s.v[VD_DS_CPU][row + 1], ==, 10);
    g_assert_true(isnan(s.v[VD_DS_CPU][row - 1]));
    vd_rrd_series_clear(&s);

    /* real errors are reported: not an RRD file, a bad step */
    g_autofree char *junk = g_build_filename(state_dir, "junk.rrd", NULL);
    g_assert_true(g_file_set_contents(junk, "not an rrd file at all, just text", -1, NULL));
    g_assert_false(vd_rrd_update(junk, NOW, STEP, &a, &err));
    g_assert_error(err, VD_RRD_ERROR, VD_RRD_ERROR_FAILED);
    g_assert_nonnull(strstr(err->message, junk));
    g_clear_error(&err);
    g_assert_false(vd_rrd_update(path, NOW, 0, &a, &err));
    g_assert_error(err, VD_RRD_ERROR, VD_RRD_ERROR_INVALID);
    g_clear_error(&err);
    /* a directory that cannot be made */
    g_autofree char *blocked = g_build_filename(junk, "sub", "x.rrd", NULL);
    g_assert_false(vd_rrd_update(blocked, NOW, STEP, &a, &err));
    g_assert_error(err, G_FILE_ERROR, G_FILE_ERROR_NOTDIR);
}

static void
test_orphans(void)
{
    const char *uri = "qemu+ssh://root@10.0.0.9/system";
    const char *uuids[] = {
        "11111111-1111-1111-1111-111111111111",
        "22222222-2222-2222-2222-222222222222",
        "33333333-3333-3333-3333-333333333333",
    };
    struct vd_rrd_sample s = { 1, 2, 3, 4, 5, 6 };
    g_autoptr(GError) err = NULL;
    for (gsize i = 0; i < G_N_ELEMENTS(uuids); i++) {
        g_autofree char *p = vd_rrd_path(uri, uuids[i]);
        g_assert_true(vd_rrd_update(p, NOW, STEP, &s, &err));
    }
    g_autofree char *hostp = vd_rrd_path(uri, NULL);
    g_assert_true(vd_rrd_update(hostp, NOW, STEP, &s, &err));
    g_autofree char *dir = vd_rrd_dir(uri);
    g_autofree char *other = g_build_filename(dir, "notes.txt", NULL);
    g_assert_true(g_file_set_contents(other, "keep me", -1, NULL));

    g_autoptr(GHashTable) live = g_hash_table_new(g_str_hash, g_str_equal);
    g_hash_table_add(live, (gpointer)uuids[1]);
    g_autoptr(GPtrArray) orphans = vd_rrd_orphans(uri, live);
    g_assert_cmpuint(orphans->len, ==, 2);
    g_autofree char *p0 = vd_rrd_path(uri, uuids[0]), *p1 = vd_rrd_path(uri, uuids[1]),
                    *p2 = vd_rrd_path(uri, uuids[2]);
    g_assert_cmpstr(g_ptr_array_index(orphans, 0), ==, p0);
    g_assert_cmpstr(g_ptr_array_index(orphans, 1), ==, p2);

    g_assert_true(vd_rrd_prune(orphans, &err));
    g_assert_no_error(err);
    g_assert_false(g_file_test(p0, G_FILE_TEST_EXISTS));
    g_assert_false(g_file_test(p2, G_FILE_TEST_EXISTS));
    g_assert_true(g_file_test(p1, G_FILE_TEST_EXISTS));
    g_assert_true(g_file_test(hostp, G_FILE_TEST_EXISTS));
    g_assert_true(g_file_test(other, G_FILE_TEST_EXISTS));
    /* pruning again: files already gone are fine */
    g_assert_true(vd_rrd_prune(orphans, &err));
    g_assert_no_error(err);
    g_autoptr(GPtrArray) none = vd_rrd_orphans(uri, live);
    g_assert_cmpuint(none->len, ==, 0);
    g_autoptr(GPtrArray) nodir = vd_rrd_orphans("qemu+ssh://never-seen/system", live);
    g_assert_cmpuint(nodir->len, ==, 0);

    /* never deletes something that is not an RRD file */
    g_autoptr(GPtrArray) bad = g_ptr_array_new();
    g_ptr_array_add(bad, other);
    g_assert_false(vd_rrd_prune(bad, &err));
    g_assert_error(err, VD_RRD_ERROR, VD_RRD_ERROR_INVALID);
    g_assert_true(g_file_test(other, G_FILE_TEST_EXISTS));
}

#define N_THREADS 4
#define N_THREAD_SAMPLES 600

struct worker {
    char *path;
    int id;
};

static gpointer
worker_run(gpointer data)
{
    struct worker *w = data;
    for (int i = 0; i < N_THREAD_SAMPLES; i++) {
        struct vd_rrd_sample s = { w->id * 10.0 + i % 7, 1e6 * w->id, i, 0, 0, 0 };
        GError *err = NULL;
        /* every few samples a past one, to exercise librrd's per-thread error text */
        time_t t = NOW - 2 * N_THREAD_SAMPLES + 2 * (time_t)i;
        if (!vd_rrd_update(w->path, t, STEP, &s, &err) ||
            (i % 50 == 10 && !vd_rrd_update(w->path, t - 4, STEP, &s, &err))) {
            g_printerr("thread %d: %s\n", w->id, err->message);
            g_error_free(err);
            return GINT_TO_POINTER(0);
        }
    }
    return GINT_TO_POINTER(1);
}

static void
test_threads(void)
{
    struct worker w[N_THREADS];
    GThread *t[N_THREADS];
    for (int i = 0; i < N_THREADS; i++) {
        g_autofree char *uuid = g_strdup_printf("0000000%d-0000-0000-0000-000000000000", i);
        w[i] = (struct worker){ .path = vd_rrd_path("test:///threads", uuid), .id = i };
        g_unlink(w[i].path);
    }
    for (int i = 0; i < N_THREADS; i++)
        t[i] = g_thread_new("rrd", worker_run, &w[i]);
    for (int i = 0; i < N_THREADS; i++)
        g_assert_true(GPOINTER_TO_INT(g_thread_join(t[i])));
    for (int i = 0; i < N_THREADS; i++) {
        struct vd_rrd_series s = { 0 };
        g_autoptr(GError) err = NULL;
        g_assert_true(vd_rrd_fetch(w[i].path, VD_RRD_HOUR, VD_RRD_AVERAGE, NOW, &s, &err));
        guint known = 0;
        for (guint r = 0; r < s.n; r++) {
            if (isnan(s.v[VD_DS_MEM][r]))
                continue;
            known++;
            g_assert_cmpfloat(s.v[VD_DS_MEM][r], ==, 1e6 * i);
            g_assert_cmpfloat(s.v[VD_DS_CPU][r], >=, i * 10.0);
            g_assert_cmpfloat(s.v[VD_DS_CPU][r], <, i * 10.0 + 7);
        }
        g_assert_cmpuint(known, ==, N_THREAD_SAMPLES);
        vd_rrd_series_clear(&s);
        g_free(w[i].path);
    }
}

static void
remove_tree(const char *path)
{
    g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *child = g_build_filename(path, name, NULL);
        if (g_file_test(child, G_FILE_TEST_IS_DIR) && !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
            remove_tree(child);
        else
            g_unlink(child);
    }
    g_rmdir(path);
}

int
main(int argc, char **argv)
{
    /* before anything calls g_get_user_state_dir(), which caches it */
    state_dir = g_dir_make_tmp("virtdeck-rrd-XXXXXX", NULL);
    g_assert_nonnull(state_dir);
    g_setenv("XDG_STATE_HOME", state_dir, TRUE);
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rrd/round-trip", test_round_trip);
    g_test_add_func("/rrd/rrdtool-cli", test_rrdtool_cli);
    g_test_add_func("/rrd/host-dir", test_host_dir);
    g_test_add_func("/rrd/past-update", test_past_update);
    g_test_add_func("/rrd/orphans", test_orphans);
    g_test_add_func("/rrd/threads", test_threads);
    int rc = g_test_run();
    remove_tree(state_dir);
    g_free(state_dir);
    return rc;
}
