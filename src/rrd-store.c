/* virtdeck - persistent statistics history in RRD files (librrd)
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "rrd-store.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <rrd.h>
#include <string.h>
#include <sys/stat.h>

#include "i18n.h"

G_DEFINE_QUARK(vd-rrd-error-quark, vd_rrd_error)

static const char *const ds_names[VD_DS_LAST] = {
    [VD_DS_CPU] = "cpu",         [VD_DS_MEM] = "mem",       [VD_DS_DISK_RD] = "disk_rd",
    [VD_DS_DISK_WR] = "disk_wr", [VD_DS_NET_RX] = "net_rx", [VD_DS_NET_TX] = "net_tx",
};

static const char *const cf_names[VD_RRD_CF_LAST] = {
    [VD_RRD_AVERAGE] = "AVERAGE",
    [VD_RRD_MAX] = "MAX",
};

/* Resolution and span of each range's archive, in seconds. */
static const struct {
    unsigned long res, span;
} ranges[VD_RRD_RANGE_LAST] = {
    [VD_RRD_HOUR] = { 0, 3600 }, /* 0: the base step */
    [VD_RRD_DAY] = { 60, 86400 },
    [VD_RRD_WEEK] = { 1800, 7 * 86400 },
    [VD_RRD_MONTH] = { 7200, 31 * 86400 },
    [VD_RRD_YEAR] = { 86400, 366 * 86400 },
};

#define HOST_DIR_MAX 80

const char *
vd_rrd_ds_name(enum vd_rrd_ds ds)
{
    return ds < VD_DS_LAST ? ds_names[ds] : "";
}

/* ---- per-file serialisation ---------------------------------------------
 * librrd locks with fcntl(F_SETLK): those locks belong to the process, so two
 * threads of virtdeck are not kept apart by them (and closing one descriptor
 * drops the other thread's lock). Stripe mutexes over the path instead. */
#define N_STRIPES 64
static GMutex stripes[N_STRIPES];

/* librrd sets a few globals lazily without a lock (rrd_set_to_DNAN/DINF, the
 * seed in rrd_random, the key behind rrd_get_context): benign, but do it once
 * here so that two workers never race on them. */
static void
librrd_init_once(void)
{
    static gsize done;
    if (g_once_init_enter(&done)) {
        (void)rrd_set_to_DNAN();
        (void)rrd_set_to_DINF();
        (void)rrd_random();
        (void)rrd_get_context();
        g_once_init_leave(&done, 1);
    }
}

static GMutex *
lock_file(const char *path)
{
    librrd_init_once();
    GMutex *m = &stripes[g_str_hash(path) % N_STRIPES];
    g_mutex_lock(m);
    return m;
}

/* librrd keeps its error text per thread (rrd_get_context() is a pthread key);
 * it is not cleared by rrd_update_r or rrd_fetch_r and a stale text makes a later
 * update report failure, so clear before each call and read right after it. */
static char *
take_rrd_error(void)
{
    const char *msg = rrd_get_error();
    char *copy = g_strdup(msg && *msg ? msg : _("unknown librrd error"));
    rrd_clear_error();
    return copy;
}

/* ---- names and paths ------------------------------------------------------ */

static bool
plain_char(char c)
{
    return g_ascii_isalnum(c) || c == '.' || c == '+' || c == '@' || c == '-';
}

char *
vd_rrd_host_dir(const char *uri)
{
    if (!uri)
        uri = "";
    bool lossy = false;
    GString *s = g_string_new(NULL);
    for (const char *p = uri; *p; p++) {
        char c = *p;
        if (!plain_char(c) && c != ':' && c != '/')
            lossy = true;
        if (c == '.' && (s->len == 0 || s->str[s->len - 1] == '.' || s->str[s->len - 1] == '_')) {
            c = '_'; /* never a leading '.', never ".." */
            lossy = true;
        }
        if (!plain_char(c))
            c = '_';
        if (c == '_' && (s->len == 0 || s->str[s->len - 1] == '_'))
            continue;
        g_string_append_c(s, c);
    }
    while (s->len && s->str[s->len - 1] == '_')
        g_string_truncate(s, s->len - 1);
    if (s->len == 0)
        lossy = true;
    if (s->len > HOST_DIR_MAX) {
        g_string_truncate(s, HOST_DIR_MAX);
        lossy = true;
    }
    if (lossy) {
        g_autofree char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, uri, -1);
        g_string_append_printf(s, "%s%.8s", s->len ? "-" : "", sum);
    }
    return g_string_free(s, FALSE);
}

char *
vd_rrd_dir(const char *uri)
{
    g_autofree char *host = vd_rrd_host_dir(uri);
    return g_build_filename(g_get_user_state_dir(), "virtdeck", "rrd", host, NULL);
}

char *
vd_rrd_path(const char *uri, const char *uuid)
{
    g_autofree char *dir = vd_rrd_dir(uri);
    if (!uuid)
        return g_build_filename(dir, "host.rrd", NULL);
    if (!g_uuid_string_is_valid(uuid))
        return NULL;
    g_autofree char *lower = g_ascii_strdown(uuid, -1);
    g_autofree char *base = g_strconcat(lower, ".rrd", NULL);
    return g_build_filename(dir, base, NULL);
}

/* ---- create and update ------------------------------------------------------ */

static unsigned long
pdp_per_row(enum vd_rrd_range r, unsigned long step)
{
    unsigned long n = ranges[r].res ? (ranges[r].res + step / 2) / step : 1;
    return n ? n : 1;
}

static unsigned long
rows_for(enum vd_rrd_range r, unsigned long step)
{
    unsigned long res = pdp_per_row(r, step) * step;
    return (ranges[r].span + res - 1) / res;
}

static bool
create_file(const char *path, time_t t, unsigned long step, GError **error)
{
    g_autofree char *dir = g_path_get_dirname(path);
    if (g_mkdir_with_parents(dir, 0700) != 0) {
        int e = errno;
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                    _("Cannot create the history directory %1$s: %2$s"), dir, g_strerror(e));
        return false;
    }
    g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func(g_free);
    unsigned long hb = MAX(5 * step, 30);
    for (int d = 0; d < VD_DS_LAST; d++)
        g_ptr_array_add(args, g_strdup_printf("DS:%s:GAUGE:%lu:0:U", ds_names[d], hb));
    for (int r = 0; r < VD_RRD_RANGE_LAST; r++) {
        unsigned long pdp = pdp_per_row(r, step), rows = rows_for(r, step);
        g_ptr_array_add(args, g_strdup_printf("RRA:AVERAGE:0.5:%lu:%lu", pdp, rows));
        if (pdp > 1) /* with one PDP per row MAX would equal AVERAGE */
            g_ptr_array_add(args, g_strdup_printf("RRA:MAX:0.5:%lu:%lu", pdp, rows));
    }
    rrd_clear_error();
    /* last update one step before the first sample, so that it fills its step */
    if (rrd_create_r(path, step, t - (time_t)step, (int)args->len, (const char **)args->pdata) != 0) {
        g_autofree char *msg = take_rrd_error();
        g_set_error(error, VD_RRD_ERROR, VD_RRD_ERROR_FAILED, _("Cannot create the history file %1$s: %2$s"),
                    path, msg);
        return false;
    }
    return true;
}

static void
append_value(GString *s, double v)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    g_string_append_c(s, ':');
    if (isfinite(v))
        g_string_append(s, g_ascii_dtostr(buf, sizeof buf, v)); /* never the locale's comma */
    else
        g_string_append_c(s, 'U');
}

bool
vd_rrd_update(const char *path, time_t t, unsigned long step, const struct vd_rrd_sample *s,
              GError **error)
{
    g_return_val_if_fail(path && s, false);
    if (step == 0 || t <= (time_t)step) {
        g_set_error(error, VD_RRD_ERROR, VD_RRD_ERROR_INVALID,
                    _("Invalid time or step for the history file %1$s"), path);
        return false;
    }
    g_autoptr(GString) line = g_string_new(NULL);
    g_string_printf(line, "%lld", (long long)t);
    const double v[VD_DS_LAST] = { s->cpu, s->mem, s->disk_rd, s->disk_wr, s->net_rx, s->net_tx };
    for (int d = 0; d < VD_DS_LAST; d++)
        append_value(line, v[d]);
    const char *argv[] = { line->str };

    GMutex *m = lock_file(path);
    bool ok = true;
    if (!g_file_test(path, G_FILE_TEST_EXISTS))
        ok = create_file(path, t, step, error);
    if (ok) {
        rrd_clear_error();
        /* RRD_SKIP_PAST_UPDATES: a time not later than the last update is
         * dropped without an error instead of failing the whole call */
        if (rrd_updatex_r(path, NULL, RRD_SKIP_PAST_UPDATES, 1, argv) != 0) {
            g_autofree char *msg = take_rrd_error();
            g_set_error(error, VD_RRD_ERROR, VD_RRD_ERROR_FAILED,
                        _("Cannot write the history file %1$s: %2$s"), path, msg);
            ok = false;
        }
    }
    g_mutex_unlock(m);
    return ok;
}

/* ---- fetch ------------------------------------------------------------------ */

void
vd_rrd_series_clear(struct vd_rrd_series *s)
{
    if (!s)
        return;
    for (int d = 0; d < VD_DS_LAST; d++)
        g_clear_pointer(&s->v[d], g_free);
    memset(s, 0, sizeof *s);
}

static void
free_ds_names(char **names, unsigned long cnt)
{
    for (unsigned long i = 0; i < cnt; i++)
        rrd_freemem(names[i]);
    rrd_freemem(names);
}

bool
vd_rrd_fetch(const char *path, enum vd_rrd_range r, enum vd_rrd_cf cf, time_t now,
             struct vd_rrd_series *out, GError **error)
{
    g_return_val_if_fail(path && out && r < VD_RRD_RANGE_LAST && cf < VD_RRD_CF_LAST, false);
    memset(out, 0, sizeof *out);
    /* Ask for the finest resolution over the whole span: librrd picks the archive
     * that covers the span with the closest step, i.e. this range's archive. */
    time_t start = now - (time_t)ranges[r].span, end = now;
    unsigned long step = 1, ds_cnt = 0;
    char **names = NULL;
    rrd_value_t *data = NULL;

    GMutex *m = lock_file(path);
    rrd_clear_error();
    int rc = rrd_fetch_r(path, cf_names[cf], &start, &end, &step, &ds_cnt, &names, &data);
    if (rc != 0) {
        g_autofree char *msg = take_rrd_error();
        g_set_error(error, VD_RRD_ERROR, VD_RRD_ERROR_FAILED, _("Cannot read the history file %1$s: %2$s"),
                    path, msg);
    }
    g_mutex_unlock(m);
    if (rc != 0)
        return false;

    guint n = step ? (guint)((end - start) / (time_t)step) : 0;
    out->start = start;
    out->end = start + (time_t)n * (time_t)step;
    out->step = step;
    out->n = n;
    for (int d = 0; d < VD_DS_LAST; d++) {
        out->v[d] = g_new(double, n ? n : 1);
        long col = -1;
        for (unsigned long i = 0; i < ds_cnt; i++)
            if (strcmp(names[i], ds_names[d]) == 0)
                col = (long)i;
        for (guint i = 0; i < n; i++)
            out->v[d][i] = col < 0 ? NAN : data[(size_t)i * ds_cnt + (size_t)col];
    }
    free_ds_names(names, ds_cnt);
    rrd_freemem(data);
    return true;
}

/* ---- orphans ---------------------------------------------------------------- */

static gint
cmp_paths(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

GPtrArray *
vd_rrd_orphans(const char *uri, GHashTable *live_uuids)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *dir = vd_rrd_dir(uri);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    if (!d)
        return out;
    const char *name;
    while ((name = g_dir_read_name(d))) {
        if (!g_str_has_suffix(name, ".rrd"))
            continue;
        g_autofree char *uuid = g_strndup(name, strlen(name) - 4);
        if (!g_uuid_string_is_valid(uuid))
            continue; /* host.rrd and anything not ours */
        g_autofree char *lower = g_ascii_strdown(uuid, -1);
        if (live_uuids &&
            (g_hash_table_contains(live_uuids, lower) || g_hash_table_contains(live_uuids, uuid)))
            continue;
        g_ptr_array_add(out, g_build_filename(dir, name, NULL));
    }
    g_ptr_array_sort(out, cmp_paths);
    return out;
}

bool
vd_rrd_prune(GPtrArray *paths, GError **error)
{
    bool ok = true;
    for (guint i = 0; paths && i < paths->len; i++) {
        const char *p = g_ptr_array_index(paths, i);
        if (!p || !g_str_has_suffix(p, ".rrd")) {
            if (ok)
                g_set_error(error, VD_RRD_ERROR, VD_RRD_ERROR_INVALID,
                            _("Not a history file, not deleted: %1$s"), p ? p : "");
            ok = false;
            continue;
        }
        GMutex *m = lock_file(p);
        int rc = g_unlink(p), e = errno;
        g_mutex_unlock(m);
        if (rc != 0 && e != ENOENT) {
            if (ok)
                g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                            _("Cannot delete the history file %1$s: %2$s"), p, g_strerror(e));
            ok = false;
        }
    }
    return ok;
}
