/* virtdeck - connection worker: one thread per host owns its virConnectPtr
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/xmlerror.h>
#include <libxml/globals.h>

#include "auth.h"
#include "conn.h"
#include "parallel.h"
#include "conn-task.h"
#include "i18n.h"
#include "net-addr.h"
#include "rrd-store.h"
#include "stats.h"
#include "util.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomain, virDomainFree)

enum job_kind { JOB_REFRESH, JOB_TICK, JOB_ACTION, JOB_TASK, JOB_RECONNECT, JOB_WAKE, JOB_QUIT };

struct vd_task {
    struct vd_conn *c;           /* own reference; NULL in vd_conn_run_sync */
    enum vd_task_kind kind;
    char *label;                 /* translated, shown while a long task runs */
    vd_task_fn fn;
    gpointer data;
    GDestroyNotify data_free;
    vd_task_done_fn done;
    gpointer user;
    bool failed;
    bool refresh;                /* refresh the host when done */
    char *message;
    gpointer result;
    GDestroyNotify result_free;
    gint cancelled;              /* atomic */
    gint uninterruptible;        /* atomic: the call in progress cannot be stopped */
    int percent;                 /* c->lock */
    char *detail;                /* c->lock */
};

struct job {
    enum job_kind kind;
    struct vd_task *task;
    enum vd_action action;
    GStrv uuids;
    vd_action_done_fn done;
    gpointer user;
};

struct vd_conn {
    gatomicrefcount ref;
    char *uri;
    struct vd_conn_options opt;
    GMainContext *ui_ctx;
    vd_conn_notify_fn notify;
    gpointer notify_user;

    GAsyncQueue *jobs;
    GThread *thread;
    GMutex lock;                 /* protects snap */
    struct vd_host_snap *snap;
    char *job_label;             /* a long action in progress, protected by lock */
    int job_percent;             /* -1: unknown */
    bool abort_job;              /* lock: cancel the long action in progress */
    bool abort_rest;             /* lock: and the domains still queued in that action */
    GPtrArray *tasks;            /* lock: long tasks running (struct vd_task *) */

    gpointer busy_since;         /* atomic: ms (as gsize) when the current call began, NULL idle */
    gint state;                  /* atomic: enum vd_host_state of the published snap */
    gint refresh_queued;         /* atomic flag: coalesce refresh requests */
    gint notify_queued;          /* atomic flag: coalesce UI notifications */
    gint closed;                 /* atomic: libvirt closed the connection */
    gint close_reason;
    gint quit;

    /* worker thread only */
    virConnectPtr vc;
    int lifecycle_id;
    bool is_container_driver;
    bool is_test_driver;         /* test:///: domain type read from the XML once */
    bool no_rates;               /* --dump: one light stats call, no rate groups */
    GHashTable *prev;            /* uuid -> struct vd_dom_counters: the last tick's sample */
    GHashTable *next;            /* the sample being taken */
    struct vd_host_counters host_prev;
    int node_cpu_n;              /* parameters of virNodeGetCPUStats, 0: the driver has none */
    int node_mem_n;
    guint ticks_since_full;      /* quick ticks since the last full refresh */
    char *history_error;         /* the first failure to write history, shown once per snapshot */
    GHashTable *hist_prev;       /* counters at the last history write (never modified) */
    struct vd_host_counters host_hist_prev;
    gint64 hist_last_s;          /* wall-clock second of the last history write */
    GHashTable *test_types;      /* uuid -> GINT_TO_POINTER(1 + container) */
    bool was_connected;
    guint backoff_s;             /* last wait between reconnects, 0: none yet */
    gint64 retry_at_ms;          /* next connect attempt (monotonic ms) */
    GQueue deferred;             /* jobs that came in during a long action */
    guint rpc;                   /* calls during the current refresh */
    guint64 rpc_total;
    guint64 generation;
    struct vd_host_snap *work;   /* snapshot being built */
    guint n_fresh;               /* doms[0..n_fresh) are new; the rest are shared
                                    with the last snapshot and must not change */
    bool carried;                /* this refresh: carry_inactive ran ... */
    bool flags_known;            /* ... and found every running domain in the last snapshot */
    struct vd_addr_cache *addrs; /* guests' IP addresses (net-addr.h), worker only */
    guint rpc_addrs;             /* calls of the last address refresh */
    struct vd_refresh_times times;  /* of the refresh in progress */
    guint64 publish_us;          /* the last refresh's publish() */
    guint64 history_us;          /* and its record_history() */
};

static guint64
since_us(gint64 t0)
{
    return (guint64)(g_get_monotonic_time() - t0);
}

static void task_free(struct vd_task *t);
static GThreadPool *node_pool;
static void node_job_run(gpointer data, gpointer user);

static struct vd_conn *
conn_ref(struct vd_conn *c)
{
    g_atomic_ref_count_inc(&c->ref);
    return c;
}

static void
conn_unref(struct vd_conn *c)
{
    struct job *j;

    if (!g_atomic_ref_count_dec(&c->ref))
        return;
    while ((j = g_async_queue_try_pop(c->jobs)) || (j = g_queue_pop_head(&c->deferred))) {
        if (j->task)
            task_free(j->task);
        g_strfreev(j->uuids);
        g_free(j);
    }
    if (c->tasks)
        g_ptr_array_unref(c->tasks);
    g_async_queue_unref(c->jobs);
    vd_host_snap_unref(c->snap);
    g_free(c->job_label);
    g_free(c->history_error);
    if (c->hist_prev)
        g_hash_table_unref(c->hist_prev);
    if (c->prev)
        g_hash_table_unref(c->prev);
    if (c->next)
        g_hash_table_unref(c->next);
    if (c->test_types)
        g_hash_table_unref(c->test_types);
    vd_addr_cache_free(c->addrs);
    g_mutex_clear(&c->lock);
    if (c->ui_ctx)
        g_main_context_unref(c->ui_ctx);
    g_free(c->uri);
    g_free(c);
}

static void
conn_unref_cb(void *opaque)
{
    conn_unref(opaque);
}

/* ---- libvirt event loop ------------------------------------------------ */

static void
ignore_libvirt_error(void *opaque, virErrorPtr err)
{
    /* Errors are read with virGetLastError by the caller; libvirt must not
     * print them on the terminal we draw on. */
}

static void
silent_xml_error(void *ctx, const char *msg, ...)
{
    /* libxml2 (used by libvirt's test driver) prints I/O warnings to stderr,
     * which is our screen; libvirt reports the error itself. */
}

static void
silence_xml(void)
{
    xmlSetGenericErrorFunc(NULL, silent_xml_error);
    xmlThrDefSetGenericErrorFunc(NULL, silent_xml_error);
}

static gpointer
event_loop_thread(gpointer data)
{
    for (;;)
        virEventRunDefaultImpl();
    return NULL;
}

void
vd_conn_global_init(void)
{
    static gsize once;

    if (g_once_init_enter(&once)) {
        virSetErrorFunc(NULL, ignore_libvirt_error);
        silence_xml();
        virInitialize();
        virEventRegisterDefaultImpl();
        g_thread_unref(g_thread_new("vd-libvirt-events", event_loop_thread, NULL));
        node_pool = g_thread_pool_new(node_job_run, NULL, 64, FALSE, NULL);
        g_once_init_leave(&once, 1);
    }
}

/* ---- helpers ------------------------------------------------------------ */

static char *
last_error(void)
{
    const char *m = virGetLastErrorMessage();
    return vd_sanitize(m && *m ? m : _("unknown libvirt error"));
}

static void
busy_begin(struct vd_conn *c)
{
    g_atomic_pointer_set(&c->busy_since, GSIZE_TO_POINTER((gsize)vd_now_ms()));
}

static void
busy_end(struct vd_conn *c)
{
    g_atomic_pointer_set(&c->busy_since, NULL);
}

static gboolean
notify_in_ui(gpointer data)
{
    struct vd_conn *c = data;

    g_atomic_int_set(&c->notify_queued, 0);
    if (c->notify && !g_atomic_int_get(&c->quit))
        c->notify(c, c->notify_user);
    return G_SOURCE_REMOVE;
}

/* Run fn on the UI context, always through an idle source: never directly on
 * the calling (worker) thread. */
static void
post_to_ui(GMainContext *ctx, GSourceFunc fn, gpointer data, GDestroyNotify destroy)
{
    GSource *src = g_idle_source_new();

    g_source_set_priority(src, G_PRIORITY_DEFAULT);
    g_source_set_callback(src, fn, data, destroy);
    g_source_attach(src, ctx);
    g_source_unref(src);
}

static void
post_notify(struct vd_conn *c)
{
    if (!c->ui_ctx || !g_atomic_int_compare_and_exchange(&c->notify_queued, 0, 1))
        return;
    post_to_ui(c->ui_ctx, notify_in_ui, conn_ref(c), (GDestroyNotify)conn_unref);
}

/* Equal as far as the screen can tell: percentages to 0.05, amounts to 0.5 %. */
static bool
num_same(double a, double b, bool pct)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    return fabs(a - b) <= (pct ? 0.05 : MAX(fabs(a), fabs(b)) * 0.005);
}

static bool
rates_same(const struct vd_dom_rates *a, const struct vd_dom_rates *b)
{
    return num_same(a->cpu_pct, b->cpu_pct, true) && num_same(a->cpu_host_pct, b->cpu_host_pct, true) &&
           num_same(a->mem_used_kib, b->mem_used_kib, false) &&
           num_same(a->mem_total_kib, b->mem_total_kib, false) && num_same(a->rd_bps, b->rd_bps, false) &&
           num_same(a->wr_bps, b->wr_bps, false) && num_same(a->rd_iops, b->rd_iops, false) &&
           num_same(a->wr_iops, b->wr_iops, false) && num_same(a->rx_bps, b->rx_bps, false) &&
           num_same(a->tx_bps, b->tx_bps, false);
}

static bool
domain_same(const struct vd_domain *a, const struct vd_domain *b)
{
    return strcmp(a->uuid, b->uuid) == 0 && strcmp(a->name, b->name) == 0 && a->id == b->id &&
           a->state == b->state && a->reason == b->reason && a->vcpus == b->vcpus &&
           a->max_vcpus == b->max_vcpus && a->mem_kib == b->mem_kib &&
           a->max_mem_kib == b->max_mem_kib && a->autostart == b->autostart &&
           a->persistent == b->persistent && a->managed_save == b->managed_save &&
           a->container == b->container && rates_same(&a->rates, &b->rates) &&
           vd_addr_same(a->addrs, b->addrs);
}

/* Whether a refresh changed anything shown: free memory within 1 % counts
 * as unchanged, so an idle host costs no redraw. */
static bool
snap_same(const struct vd_host_snap *a, const struct vd_host_snap *b)
{
    unsigned long long df = a->free_kib > b->free_kib ? a->free_kib - b->free_kib : b->free_kib - a->free_kib;

    if (a->state != b->state || g_strcmp0(a->error, b->error) || g_strcmp0(a->hostname, b->hostname) ||
        a->domains->len != b->domains->len || df > MAX(1024, a->mem_kib / 100) ||
        !num_same(a->rates.cpu_pct, b->rates.cpu_pct, true) ||
        !num_same(a->rates.mem_used_kib, b->rates.mem_used_kib, false))
        return false;
    for (guint i = 0; i < a->domains->len; i++)
        if (a->domains->pdata[i] != b->domains->pdata[i] &&
            !domain_same(a->domains->pdata[i], b->domains->pdata[i]))
            return false;
    return true;
}

/* Publish c->work (or a copy of the current snapshot with a new state). */
static void
publish(struct vd_conn *c, struct vd_host_snap *s)
{
    struct vd_host_snap *old;
    bool changed;

    s->generation = ++c->generation;
    s->rpc_total = c->rpc_total;
    g_mutex_lock(&c->lock);
    old = c->snap;
    c->snap = s;
    g_atomic_int_set(&c->state, s->state);
    g_mutex_unlock(&c->lock);
    changed = !snap_same(old, s);
    vd_host_snap_unref(old);
    if (changed || c->opt.notify_every_refresh)
        post_notify(c);
}

static void
publish_state(struct vd_conn *c, enum vd_host_state st, const char *error)
{
    struct vd_host_snap *s;

    g_mutex_lock(&c->lock);
    s = vd_host_snap_copy(c->snap);
    g_mutex_unlock(&c->lock);
    s->state = st;
    g_free(s->error);
    s->error = error ? vd_sanitize(error) : NULL;
    publish(c, s);
}

static void
push_job(struct vd_conn *c, enum job_kind kind)
{
    struct job *j = g_new0(struct job, 1);
    j->kind = kind;
    g_async_queue_push(c->jobs, j);
}

/* ---- refresh: a constant number of calls per host ------------------------ */

static int
list_uuids(struct vd_conn *c, unsigned int flags, GHashTable *set)
{
    virDomainPtr *doms = NULL;
    int n;

    c->rpc++;
    n = virConnectListAllDomains(c->vc, &doms, flags);
    if (n < 0)
        return -1;
    for (int i = 0; i < n; i++) {
        char uuid[VIR_UUID_STRING_BUFLEN];
        if (virDomainGetUUIDString(doms[i], uuid) == 0)
            g_hash_table_add(set, g_strdup(uuid));
        virDomainFree(doms[i]);
    }
    free(doms);
    return n;
}

/* The test driver mixes VMs and containers on one connection and reports
 * every OS type as "linux": read <domain type='lxc'> once per domain. The
 * driver runs in-process, so this costs no round trip. */
static bool
test_domain_is_container(struct vd_conn *c, virDomainPtr dom, const char *uuid)
{
    gpointer v;
    char *xml;
    bool ct;

    if (!c->test_types)
        c->test_types = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    v = g_hash_table_lookup(c->test_types, uuid);
    if (v)
        return GPOINTER_TO_INT(v) == 2;
    c->rpc++;
    xml = virDomainGetXMLDesc(dom, 0);
    ct = xml && (g_str_has_prefix(xml, "<domain type='lxc'") || g_str_has_prefix(xml, "<domain type=\"lxc\""));
    free(xml);
    g_hash_table_insert(c->test_types, g_strdup(uuid), GINT_TO_POINTER(ct ? 2 : 1));
    return ct;
}

static struct vd_domain *
domain_from_ptr(struct vd_conn *c, virDomainPtr dom)
{
    static const char hex[] = "0123456789abcdef";
    struct vd_domain *d = vd_domain_new();
    unsigned int id = virDomainGetID(dom);
    unsigned char raw[VIR_UUID_BUFLEN];
    char *u = d->uuid;

    /* collate_key: set_collate_keys(), or taken from the last snapshot */
    d->name = vd_sanitize(virDomainGetName(dom));
    /* virDomainGetUUIDString formats through printf: 10x the cost of this
     * for 1000 domains per refresh */
    if (virDomainGetUUID(dom, raw) == 0) {
        for (int i = 0; i < VIR_UUID_BUFLEN; i++) {
            if (i == 4 || i == 6 || i == 8 || i == 10)
                *u++ = '-';
            *u++ = hex[raw[i] >> 4];
            *u++ = hex[raw[i] & 15];
        }
    }
    *u = '\0';
    d->id = id == (unsigned int)-1 ? -1 : (int)id;
    d->container = c->is_container_driver;
    if (c->is_test_driver)
        d->container = test_domain_is_container(c, dom, d->uuid);
    return d;
}

static void
domain_fill_info(struct vd_conn *c, virDomainPtr dom, struct vd_domain *d, struct vd_dom_counters *k)
{
    virDomainInfo info;

    c->rpc++;
    if (virDomainGetInfo(dom, &info) < 0)
        return;
    if (!k->have_cpu && info.state != VIR_DOMAIN_SHUTOFF) {
        k->have_cpu = true;
        k->cpu_ns = info.cpuTime;
    }
    if (!k->have_balloon) {
        k->have_balloon = true;
        k->mem_cur_kib = info.memory;
    }
    if (c->is_container_driver && info.state != VIR_DOMAIN_SHUTOFF) {
        /* LXC reports the memory in use (cgroup) as the current memory */
        k->have_rss = true;
        k->mem_rss_kib = info.memory;
    }
    d->state = info.state < VD_DOM_STATE_LAST ? (enum vd_dom_state)info.state : VD_DOM_NOSTATE;
    d->vcpus = d->max_vcpus = info.nrVirtCpu;
    d->mem_kib = info.memory;
    d->max_mem_kib = info.maxMem;
}

static int
domain_cmp_ptr(const struct vd_domain *x, const struct vd_domain *y)
{
    int r = g_strcmp0(x->collate_key, y->collate_key);
    return r ? r : strcmp(x->uuid, y->uuid);
}

static gint
domain_cmp(gconstpointer a, gconstpointer b)
{
    return domain_cmp_ptr(*(struct vd_domain *const *)a, *(struct vd_domain *const *)b);
}

static gint
domain_cmp_data(gconstpointer a, gconstpointer b, gpointer unused)
{
    (void)unused;
    return domain_cmp(a, b);
}

/* The sort keys domain_from_ptr left out (g_utf8_collate_key costs about a
 * microsecond: a tick takes the unchanged ones from the last snapshot). */
static void
set_collate_keys(GPtrArray *doms, guint n)
{
    for (guint i = 0; i < MIN(n, doms->len); i++) {
        struct vd_domain *d = doms->pdata[i];
        if (!d->collate_key)
            d->collate_key = g_utf8_collate_key(d->name, -1);
    }
}

/* Sort doms, whose elements from n_fresh on are already in order (carried
 * over from the last snapshot): sort the fresh ones and merge, O(n) for a
 * host with few running domains. */
static void
sort_domains(GPtrArray *doms, guint n_fresh)
{
    guint n = MIN(n_fresh, doms->len), i = 0, j = n, k = 0;
    gpointer *fresh;

    for (guint m = n + 1; m < doms->len; m++) {
        if (domain_cmp_ptr(doms->pdata[m - 1], doms->pdata[m]) > 0) {
            /* not in order after all: sort everything */
            set_collate_keys(doms, doms->len);
            g_ptr_array_sort(doms, domain_cmp);
            return;
        }
    }
    if (!n)
        return;
    set_collate_keys(doms, n);
    g_qsort_with_data(doms->pdata, (gint)n, sizeof(gpointer), domain_cmp_data, NULL);
    if (n == doms->len)
        return;
    /* merge in place: the output never overtakes the carried part it reads */
    fresh = g_memdup2(doms->pdata, n * sizeof(gpointer));
    while (i < n && j < doms->len)
        doms->pdata[k++] = domain_cmp_ptr(fresh[i], doms->pdata[j]) <= 0 ? fresh[i++] : doms->pdata[j++];
    while (i < n)
        doms->pdata[k++] = fresh[i++];
    g_free(fresh);
}

static void
counters_from_params(virTypedParameterPtr p, int np, struct vd_dom_counters *k)
{
    unsigned long long v;

    if (virTypedParamsGetULLong(p, np, "cpu.time", &v) == 1) {
        k->have_cpu = true;
        k->cpu_ns = v;
    }
    if (virTypedParamsGetULLong(p, np, "balloon.current", &v) == 1) {
        k->have_balloon = true;
        k->mem_cur_kib = v;
    }
    if (virTypedParamsGetULLong(p, np, "balloon.available", &v) == 1) {
        unsigned long long unused;
        if (virTypedParamsGetULLong(p, np, "balloon.unused", &unused) == 1) {
            k->have_guest_mem = true;
            k->mem_avail_kib = v;
            k->mem_unused_kib = unused;
        }
    }
    if (virTypedParamsGetULLong(p, np, "balloon.rss", &v) == 1) {
        k->have_rss = true;
        k->mem_rss_kib = v;
    }
    /* block.N.rd.bytes ... net.N.tx.bytes: summed over devices */
    for (int i = 0; i < np; i++) {
        const char *f = p[i].field;
        const char *rest;
        guint64 *dst = NULL;

        if (p[i].type != VIR_TYPED_PARAM_ULLONG)
            continue;
        if (g_str_has_prefix(f, "block.") && (rest = strchr(f + 6, '.'))) {
            k->have_block = true;
            if (strcmp(rest, ".rd.bytes") == 0) dst = &k->rd_bytes;
            else if (strcmp(rest, ".wr.bytes") == 0) dst = &k->wr_bytes;
            else if (strcmp(rest, ".rd.reqs") == 0) dst = &k->rd_reqs;
            else if (strcmp(rest, ".wr.reqs") == 0) dst = &k->wr_reqs;
        } else if (g_str_has_prefix(f, "net.") && (rest = strchr(f + 4, '.'))) {
            k->have_net = true;
            if (strcmp(rest, ".rx.bytes") == 0) dst = &k->rx_bytes;
            else if (strcmp(rest, ".tx.bytes") == 0) dst = &k->tx_bytes;
        }
        if (dst)
            *dst += p[i].value.ul;
    }
}

static void
remember_counters(struct vd_conn *c, const struct vd_domain *d, const struct vd_dom_counters *k)
{
    struct vd_dom_counters *copy = g_memdup2(k, sizeof *k);
    g_hash_table_replace(c->next, g_strdup(d->uuid), copy);
}

#define STATS_LIGHT (VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_VCPU | VIR_DOMAIN_STATS_BALLOON)
#define STATS_HEAVY (STATS_LIGHT | VIR_DOMAIN_STATS_CPU_TOTAL | VIR_DOMAIN_STATS_INTERFACE | \
                     VIR_DOMAIN_STATS_BLOCK)

/* Bulk stats in one call: the groups and the domains (libvirt's list flags,
 * 0: all) given. */
static int
refresh_bulk(struct vd_conn *c, GPtrArray *out, unsigned int stats, unsigned int which)
{
    virDomainStatsRecordPtr *recs = NULL;
    gint64 now = vd_now_ms();
    int n;

    gint64 t0 = g_get_monotonic_time();

    c->rpc++;
    n = virConnectGetAllDomainStats(c->vc, stats, &recs, which);
    c->times.bulk_us += since_us(t0);
    if (n < 0)
        return -1;
    t0 = g_get_monotonic_time();
    for (int i = 0; i < n; i++) {
        struct vd_domain *d = domain_from_ptr(c, recs[i]->dom);
        virTypedParameterPtr p = recs[i]->params;
        int np = recs[i]->nparams;
        int st = -1, reason = 0;
        unsigned int vc = 0, vmax = 0;
        unsigned long long cur = 0, max = 0;
        bool have_vcpu = false, have_mem = false;
        struct vd_dom_counters k = { .t_ms = now };

        virTypedParamsGetInt(p, np, "state.state", &st);
        virTypedParamsGetInt(p, np, "state.reason", &reason);
        if (virTypedParamsGetUInt(p, np, "vcpu.current", &vc) == 1)
            have_vcpu = true;
        virTypedParamsGetUInt(p, np, "vcpu.maximum", &vmax);
        if (virTypedParamsGetULLong(p, np, "balloon.maximum", &max) == 1)
            have_mem = true;
        virTypedParamsGetULLong(p, np, "balloon.current", &cur);
        counters_from_params(p, np, &k);
        if (!have_vcpu || !have_mem) {
            /* drivers without these groups (the test driver) */
            domain_fill_info(c, recs[i]->dom, d, &k);
        }
        if (st >= 0 && st < VD_DOM_STATE_LAST)
            d->state = st;
        d->reason = reason;
        if (have_vcpu) {
            d->vcpus = vc;
            d->max_vcpus = vmax ? vmax : vc;
        }
        if (have_mem) {
            d->max_mem_kib = max;
            d->mem_kib = cur ? cur : max;
        }
        k.vcpus = d->vcpus;
        remember_counters(c, d, &k);
        g_ptr_array_add(out, d);
    }
    virDomainStatsRecordListFree(recs);
    c->times.records_us += since_us(t0);
    return n;
}

/* Drivers without bulk stats (LXC): list + GetInfo per domain. */
static int
refresh_list(struct vd_conn *c, GPtrArray *out)
{
    virDomainPtr *doms = NULL;
    int n;

    c->rpc++;
    n = virConnectListAllDomains(c->vc, &doms, 0);
    if (n < 0)
        return -1;
    for (int i = 0; i < n; i++) {
        struct vd_domain *d = domain_from_ptr(c, doms[i]);
        struct vd_dom_counters k = { .t_ms = vd_now_ms() };

        domain_fill_info(c, doms[i], d, &k);
        k.vcpus = d->vcpus;
        remember_counters(c, d, &k);
        g_ptr_array_add(out, d);
        virDomainFree(doms[i]);
    }
    free(doms);
    return n;
}

/* A new snapshot with the current host fields and no domains. The
 * published snapshot is shared with readers: never modify it. */
static struct vd_host_snap *
copy_host_fields(struct vd_conn *c)
{
    struct vd_host_snap *s;

    g_mutex_lock(&c->lock);
    s = vd_host_snap_copy_host(c->snap);
    g_mutex_unlock(&c->lock);
    return s;
}

/* Host CPU and memory counters: one call each, when the driver has them. */
/* On a pool thread each, while the worker makes the domain stats call: the
 * node calls travel in the same round trip (libvirt's RPC client multiplexes
 * calls of several threads on one connection), so a tick over a slow link
 * costs one round trip, not three; one thread for both made them two round
 * trips in a row, longer than the stats call itself on a host with no
 * running domain. A job touches only c->vc, its own node_*_n count (the
 * worker leaves them alone meanwhile) and its own fields. */
enum { NODE_CPU, NODE_MEM };

struct node_job {
    struct vd_conn *c;
    int which;                /* NODE_CPU or NODE_MEM */
    struct vd_host_counters h;
    guint rpc;
    gint64 t_push, t_run, t_done;
    GMutex lock;
    GCond cond;
    bool done;
};

/* Both node calls, each on a pool thread of its own: with the worker's
 * domain stats call, three calls in flight at once. */
struct node_calls {
    struct node_job part[2];
};

static void
node_counters(struct vd_conn *c, int which, struct vd_host_counters *h, guint *rpc)
{
    virNodeCPUStats cpu[8];
    virNodeMemoryStats mem[8];
    int n;

    if (which == NODE_CPU && c->node_cpu_n > 0) {
        h->t_ms = vd_now_ms();
        n = c->node_cpu_n;
        (*rpc)++;
        if (virNodeGetCPUStats(c->vc, VIR_NODE_CPU_STATS_ALL_CPUS, cpu, &n, 0) == 0) {
            h->have_cpu = true;
            for (int i = 0; i < n; i++) {
                if (!strcmp(cpu[i].field, VIR_NODE_CPU_STATS_KERNEL) ||
                    !strcmp(cpu[i].field, VIR_NODE_CPU_STATS_USER))
                    h->cpu_busy_ns += cpu[i].value;
                if (!strcmp(cpu[i].field, VIR_NODE_CPU_STATS_KERNEL) ||
                    !strcmp(cpu[i].field, VIR_NODE_CPU_STATS_USER) ||
                    !strcmp(cpu[i].field, VIR_NODE_CPU_STATS_IDLE) ||
                    !strcmp(cpu[i].field, VIR_NODE_CPU_STATS_IOWAIT))
                    h->cpu_total_ns += cpu[i].value;
            }
        } else {
            c->node_cpu_n = 0;            /* do not ask again */
        }
    }
    if (which == NODE_MEM && c->node_mem_n > 0) {
        n = c->node_mem_n;
        (*rpc)++;
        if (virNodeGetMemoryStats(c->vc, VIR_NODE_MEMORY_STATS_ALL_CELLS, mem, &n, 0) == 0) {
            h->have_mem = true;
            for (int i = 0; i < n; i++) {
                if (!strcmp(mem[i].field, VIR_NODE_MEMORY_STATS_TOTAL))
                    h->mem_total_kib = mem[i].value;
                else if (!strcmp(mem[i].field, VIR_NODE_MEMORY_STATS_FREE))
                    h->mem_free_kib = mem[i].value;
                else if (!strcmp(mem[i].field, VIR_NODE_MEMORY_STATS_BUFFERS))
                    h->mem_buffers_kib = mem[i].value;
                else if (!strcmp(mem[i].field, VIR_NODE_MEMORY_STATS_CACHED))
                    h->mem_cached_kib = mem[i].value;
            }
        } else {
            c->node_mem_n = 0;
        }
    }
}

static void
node_job_run(gpointer data, gpointer user)
{
    struct node_job *j = data;

    (void)user;
    j->t_run = g_get_monotonic_time();
    node_counters(j->c, j->which, &j->h, &j->rpc);
    j->t_done = g_get_monotonic_time();
    g_mutex_lock(&j->lock);
    j->done = true;
    g_cond_signal(&j->cond);
    g_mutex_unlock(&j->lock);
}

static void
node_job_start(struct node_calls *nc, struct vd_conn *c)
{
    memset(nc, 0, sizeof *nc);
    for (int i = 0; i < 2; i++) {
        struct node_job *j = &nc->part[i];

        j->c = c;
        j->which = i;
        g_mutex_init(&j->lock);
        g_cond_init(&j->cond);
        j->t_push = g_get_monotonic_time();
        if ((i == NODE_CPU ? c->node_cpu_n : c->node_mem_n) <= 0) {
            j->done = true;               /* the driver has no such call */
            j->t_run = j->t_done = j->t_push;
        } else if (!node_pool) {
            node_job_run(j, NULL);
        } else {
            /* FALSE (no new thread) still queues it: an idle thread runs
             * it; from here on the job is the pool thread's until done */
            g_thread_pool_push(node_pool, j, NULL);
        }
    }
}

static void
node_job_finish(struct node_calls *nc, struct vd_host_counters *h)
{
    struct vd_conn *c = nc->part[0].c;
    gint64 t0 = g_get_monotonic_time();

    c->times.node_lag_us = c->times.node_us = 0;
    for (int i = 0; i < 2; i++) {
        struct node_job *j = &nc->part[i];

        g_mutex_lock(&j->lock);
        while (!j->done)
            g_cond_wait(&j->cond, &j->lock);
        g_mutex_unlock(&j->lock);
        g_mutex_clear(&j->lock);
        g_cond_clear(&j->cond);
        c->rpc += j->rpc;
        c->times.node_lag_us = MAX(c->times.node_lag_us, (guint64)(j->t_run - j->t_push));
        c->times.node_us = MAX(c->times.node_us, (guint64)(j->t_done - j->t_push));
    }
    *h = nc->part[NODE_MEM].h;
    h->t_ms = nc->part[NODE_CPU].h.t_ms ? nc->part[NODE_CPU].h.t_ms : vd_now_ms();
    h->have_cpu = nc->part[NODE_CPU].h.have_cpu;
    h->cpu_busy_ns = nc->part[NODE_CPU].h.cpu_busy_ns;
    h->cpu_total_ns = nc->part[NODE_CPU].h.cpu_total_ns;
    c->times.node_wait_us = since_us(t0);
}

/* The flags that only list calls know (autostart, transient, managed save),
 * for a quick tick: taken from the last snapshot. False if a domain is new. */
static bool
copy_list_flags(struct vd_conn *c, GPtrArray *doms)
{
    g_autoptr(GHashTable) old = g_hash_table_new(g_str_hash, g_str_equal);
    bool all = true;

    g_mutex_lock(&c->lock);
    for (guint i = 0; i < c->snap->domains->len; i++) {
        struct vd_domain *d = c->snap->domains->pdata[i];
        g_hash_table_insert(old, d->uuid, d);
    }
    for (guint i = 0; i < doms->len; i++) {
        struct vd_domain *d = doms->pdata[i];
        const struct vd_domain *o = g_hash_table_lookup(old, d->uuid);
        if (i >= c->n_fresh)
            continue;
        if (!o) {
            all = false;
            break;
        }
        d->autostart = o->autostart;
        d->persistent = o->persistent;
        d->managed_save = o->managed_save && !vd_dom_is_active(d);
    }
    g_mutex_unlock(&c->lock);
    return all;
}

/* History resolution: one sample every 10 s (the hour graph has 360 points;
 * Proxmox keeps one a minute). Each sample is the exact average over its 10 s,
 * from the counters of the previous write, so nothing is lost between ticks
 * and a host with 1000 running domains writes 100 files a second, not 500. */
#define VD_HISTORY_STEP 10

static void
write_sample(struct vd_conn *c, const char *uuid, time_t now, const struct vd_rrd_sample *smp)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *path = vd_rrd_path(c->uri, uuid);

    if (path && !vd_rrd_update(path, now, VD_HISTORY_STEP, smp, &err) && !c->history_error)
        c->history_error = vd_sanitize(err->message);
}

/* History: one sample per running domain and one for the host, from the
 * counters of this tick (no extra call), written by the worker, never by
 * the UI thread. cur is this tick's counter table, hk the host counters. */
static void
record_history(struct vd_conn *c, const struct vd_host_snap *s, GHashTable *cur,
               const struct vd_host_counters *hk)
{
    gint64 now = g_get_real_time() / G_USEC_PER_SEC;
    struct vd_host_rates hr;
    struct vd_rrd_sample hs;

    if (!c->opt.history || now / VD_HISTORY_STEP == c->hist_last_s / VD_HISTORY_STEP)
        return;
    if (c->hist_prev) {
        vd_host_rates_compute(&c->host_hist_prev, hk, &hr);
        hs = (struct vd_rrd_sample){ .cpu = hr.cpu_pct, .mem = hr.mem_used_kib * 1024.0,
                                     .disk_rd = NAN, .disk_wr = NAN, .net_rx = NAN, .net_tx = NAN };
        if (!isnan(hs.cpu) || !isnan(hs.mem))
            write_sample(c, NULL, (time_t)now, &hs);
        for (guint i = 0; i < s->domains->len; i++) {
            const struct vd_domain *d = s->domains->pdata[i];
            struct vd_dom_rates r;
            struct vd_rrd_sample ds;

            if (!vd_dom_is_active(d))
                continue;
            vd_dom_rates_compute(g_hash_table_lookup(c->hist_prev, d->uuid),
                                 g_hash_table_lookup(cur, d->uuid), s->cpus, &r);
            if (isnan(r.cpu_pct))
                continue;
            ds = (struct vd_rrd_sample){ .cpu = r.cpu_pct, .mem = r.mem_used_kib * 1024.0,
                                         .disk_rd = r.rd_bps, .disk_wr = r.wr_bps,
                                         .net_rx = r.rx_bps, .net_tx = r.tx_bps };
            write_sample(c, d->uuid, (time_t)now, &ds);
        }
        g_hash_table_unref(c->hist_prev);
    }
    /* the tables are never changed after their tick: share, do not copy */
    c->hist_prev = g_hash_table_ref(cur);
    c->host_hist_prev = *hk;
    c->hist_last_s = now;
}

/* Domains of a quick tick that are not running: they change only with a
 * lifecycle event (which makes a full refresh), so the last snapshot has
 * them. False when a domain that ran is gone: then a full refresh is due.
 * In the same pass the running ones take from the last snapshot what only
 * the list calls know (autostart, transient, managed save) and their sort
 * key; c->flags_known says whether every one of them was there. One hash
 * table of the running domains, none of all of them. */
static bool
carry_inactive(struct vd_conn *c, GPtrArray *doms)
{
    g_autoptr(GHashTable) fresh = g_hash_table_new(g_str_hash, g_str_equal);
    GPtrArray *old = c->snap->domains;    /* only this thread replaces c->snap */
    guint known = 0;
    bool ok = true;

    c->n_fresh = doms->len;
    c->carried = true;
    for (guint i = 0; i < doms->len; i++)
        g_hash_table_insert(fresh, ((struct vd_domain *)doms->pdata[i])->uuid, doms->pdata[i]);
    for (guint i = 0; i < old->len; i++) {
        const struct vd_domain *o = old->pdata[i];
        struct vd_domain *d = c->n_fresh ? g_hash_table_lookup(fresh, o->uuid) : NULL;

        if (d) {
            d->autostart = o->autostart;
            d->persistent = o->persistent;
            d->managed_save = o->managed_save && !vd_dom_is_active(d);
            if (!d->collate_key && o->collate_key && strcmp(d->name, o->name) == 0)
                d->collate_key = g_strdup(o->collate_key);
            known++;
            continue;
        }
        if (vd_dom_is_active(o)) {
            ok = false;
            break;
        }
        /* shared with the last snapshot: nothing below changes it */
        g_ptr_array_add(doms, vd_domain_ref(o));
    }
    c->flags_known = ok && known == c->n_fresh;
    return ok;
}

/* The domains with their stats. Running ones get every group (CPU, block,
 * interface: rates); the others only state, vcpu and balloon, because the
 * block group costs a stat() of every disk of every shut off domain (25 ms
 * for 1000 domains here). Full: 2 calls, all domains. Quick tick: 1 call for
 * the running ones, the rest from the last snapshot. --dump (no rates): 1
 * light call. */
static int
collect_domains(struct vd_conn *c, GPtrArray *doms, bool *full)
{
    int n, m;

    if (c->no_rates)
        return refresh_bulk(c, doms, STATS_LIGHT, 0);
    if (!*full) {
        gint64 t0;
        bool carried;

        n = refresh_bulk(c, doms, STATS_HEAVY, VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE);
        if (n < 0)
            return n;
        t0 = g_get_monotonic_time();
        carried = carry_inactive(c, doms);
        c->times.carry_us += since_us(t0);
        if (carried)
            return n;
        /* a running domain vanished from the quick tick: a full refresh */
        g_ptr_array_set_size(doms, 0);
        c->n_fresh = G_MAXUINT;
        g_hash_table_remove_all(c->next);
        *full = true;
    }
    n = refresh_bulk(c, doms, STATS_HEAVY, VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE);
    m = n < 0 ? n : refresh_bulk(c, doms, STATS_LIGHT, VIR_CONNECT_GET_ALL_DOMAINS_STATS_INACTIVE);
    return m < 0 ? m : n + m;
}

/* One refresh. A quick tick (the stats timer) is a constant 3 calls:
 * GetAllDomainStats, NodeGetCPUStats, NodeGetMemoryStats. A full refresh
 * (connect, events, actions, a new domain, every 15th tick) adds the three
 * list calls for autostart, transient and managed save. */
static bool
do_refresh_full(struct vd_conn *c, bool full)
{
    g_autoptr(GHashTable) autostart = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GHashTable) transient = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GHashTable) saved = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    /* as many as last time: no growing on the way (only this thread replaces c->snap) */
    GPtrArray *doms = g_ptr_array_new_full(c->snap->domains->len, (GDestroyNotify)vd_domain_unref);
    struct vd_host_counters hk = { 0 };
    struct vd_host_rates hr;
    struct vd_host_snap *s;
    struct node_calls nj;
    int n;
    gint64 t_start = g_get_monotonic_time(), t0;

    memset(&c->times, 0, sizeof c->times);
    c->times.prev_publish_us = c->publish_us;
    c->times.prev_history_us = c->history_us;
    c->rpc = 0;
    c->carried = c->flags_known = false;
    if (c->next)
        g_hash_table_unref(c->next);
    c->next = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    busy_begin(c);
    node_job_start(&nj, c);
    c->n_fresh = G_MAXUINT;
    n = collect_domains(c, doms, &full);
    if (n < 0) {
        virErrorPtr e = virGetLastError();
        if (e && (e->code == VIR_ERR_NO_SUPPORT || e->code == VIR_ERR_ARGUMENT_UNSUPPORTED)) {
            g_ptr_array_set_size(doms, 0);
            n = refresh_list(c, doms);
        }
    }
    t0 = g_get_monotonic_time();
    if (n >= 0 && !full &&
        (c->ticks_since_full >= 15 || !(c->carried ? c->flags_known : copy_list_flags(c, doms))))
        full = true;
    c->times.carry_us += since_us(t0);
    t0 = g_get_monotonic_time();
    if (n < 0 ||
        (full && (list_uuids(c, VIR_CONNECT_LIST_DOMAINS_AUTOSTART, autostart) < 0 ||
                  list_uuids(c, VIR_CONNECT_LIST_DOMAINS_TRANSIENT, transient) < 0 ||
                  list_uuids(c, VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE, saved) < 0))) {
        g_autofree char *err = last_error();
        node_job_finish(&nj, &hk);
        busy_end(c);
        g_ptr_array_unref(doms);
        c->rpc_total += c->rpc;
        if (virConnectIsAlive(c->vc) == 1)
            publish_state(c, VD_HOST_CONNECTED, err);
        return false;
    }
    if (full)
        c->times.lists_us = since_us(t0);
    node_job_finish(&nj, &hk);
    /* guests' addresses: their own calls, not the tick's (net-addr.h) */
    t0 = g_get_monotonic_time();
    if (!c->addrs)
        c->addrs = vd_addr_cache_new();
    if (vd_addr_due(c->addrs, doms, full, vd_now_ms())) {
        c->rpc_addrs = vd_addr_refresh(c->addrs, c->vc, doms, vd_now_ms());
        c->rpc_total += c->rpc_addrs;
    }
    vd_addr_apply(c->addrs, doms, c->n_fresh);
    c->times.addrs_us = since_us(t0);
    busy_end(c);

    t0 = g_get_monotonic_time();

    s = copy_host_fields(c);
    vd_host_rates_compute(c->host_prev.t_ms ? &c->host_prev : NULL, &hk, &hr);
    c->host_prev = hk;
    s->rates = hr;
    if (hk.have_mem) {
        s->free_kib = hk.mem_free_kib + hk.mem_buffers_kib + hk.mem_cached_kib;
        /* virNodeGetInfo can count less than MemTotal (here 11 of 24 GiB,
         * which showed "23 GiB free of 11 GiB"): the larger one, as free(1) */
        s->mem_kib = MAX(s->mem_kib, hk.mem_total_kib);
    }
    for (guint i = 0; i < MIN(doms->len, c->n_fresh); i++) {
        struct vd_domain *d = doms->pdata[i];
        if (full) {
            d->autostart = g_hash_table_contains(autostart, d->uuid);
            d->persistent = !g_hash_table_contains(transient, d->uuid);
            d->managed_save = g_hash_table_contains(saved, d->uuid);
        }
        /* a shut off domain keeps its last cpu.time: no rates for it; the
         * ones a quick tick carried over have no sample (NULL): unknown */
        vd_dom_rates_compute(c->prev && vd_dom_is_active(d) ? g_hash_table_lookup(c->prev, d->uuid) : NULL,
                             g_hash_table_lookup(c->next, d->uuid), s->cpus, &d->rates);
    }
    /* this sample is the next tick's previous one; vanished domains go */
    if (c->prev)
        g_hash_table_unref(c->prev);
    c->prev = g_steal_pointer(&c->next);
    c->ticks_since_full = full ? 0 : c->ticks_since_full + 1;
    c->times.rates_us = since_us(t0);
    t0 = g_get_monotonic_time();
    sort_domains(doms, c->n_fresh);
    c->times.sort_us = since_us(t0);

    g_ptr_array_unref(s->domains);
    s->domains = doms;
    s->state = VD_HOST_CONNECTED;
    g_clear_pointer(&s->error, g_free);
    s->rpc_last_refresh = c->rpc;
    s->rpc_last_addresses = c->rpc_addrs;
    s->last_refresh_full = full;
    g_free(s->history_error);
    s->history_error = g_strdup(c->history_error);
    s->times = c->times;
    s->refresh_us = since_us(t_start);
    c->rpc_total += c->rpc;
    vd_host_snap_ref(s);
    t0 = g_get_monotonic_time();
    publish(c, s);
    c->publish_us = since_us(t0);
    t0 = g_get_monotonic_time();
    record_history(c, s, c->prev, &hk);
    c->history_us = since_us(t0);
    vd_host_snap_unref(s);
    return true;
}

static bool
do_refresh(struct vd_conn *c)
{
    return do_refresh_full(c, true);
}

/* ---- connect / disconnect ------------------------------------------------ */

static void
lifecycle_cb(virConnectPtr vc, virDomainPtr dom, int event, int detail, void *opaque)
{
    vd_conn_refresh(opaque);
}

static void
close_cb(virConnectPtr vc, int reason, void *opaque)
{
    struct vd_conn *c = opaque;

    g_atomic_int_set(&c->close_reason, reason);
    g_atomic_int_set(&c->closed, 1);
    push_job(c, JOB_WAKE);
}

/* Interactive credentials (libssh2 password, key passphrase and host key;
 * anything a driver asks): the question goes to the UI through auth.c and
 * this worker waits for the answer. Without a UI (--dump) it fails cleanly
 * rather than prompt on the terminal. */
struct auth_data {
    const char *uri;
    guint64 session;
};

static int
auth_cb(virConnectCredentialPtr cred, unsigned int ncred, void *cbdata)
{
    struct auth_data *ad = cbdata;

    for (unsigned int i = 0; i < ncred; i++) {
        enum vd_auth_kind kind = VD_AUTH_SECRET;
        const char *prompt = cred[i].prompt ? cred[i].prompt : "";
        g_autofree char *fallback = NULL;
        char *answer;

        switch (cred[i].type) {
        case VIR_CRED_AUTHNAME:
        case VIR_CRED_USERNAME:
            if (cred[i].defresult && *cred[i].defresult) {
                cred[i].result = strdup(cred[i].defresult);
                cred[i].resultlen = strlen(cred[i].result);
                continue;
            }
            kind = VD_AUTH_TEXT;
            break;
        case VIR_CRED_ECHOPROMPT:
            /* libssh2 asks to accept an unknown host key this way */
            kind = strstr(prompt, "(y/n)") || strstr(prompt, "host key") ? VD_AUTH_CONFIRM : VD_AUTH_TEXT;
            break;
        case VIR_CRED_PASSPHRASE:
        case VIR_CRED_NOECHOPROMPT:
            break;
        default:
            return -1;
        }
        if (!*prompt)
            prompt = fallback = g_strdup(cred[i].challenge ? cred[i].challenge : _("Password:"));
        answer = vd_auth_ask(ad->uri, prompt, kind, ad->session);
        if (!answer)
            return -1;
        if (kind == VD_AUTH_CONFIRM && strstr(prompt, "(y/n)")) {
            bool yes = strcmp(answer, "yes") == 0;
            vd_secret_free(answer);
            answer = g_strdup(yes ? "y" : "n");
        }
        cred[i].result = strdup(answer);
        cred[i].resultlen = cred[i].result ? strlen(cred[i].result) : 0;
        vd_secret_free(answer);
        if (!cred[i].result)
            return -1;
    }
    return 0;
}

static bool
uri_is_ssh(const char *uri)
{
    return g_str_has_prefix(uri, "qemu+ssh://") || g_str_has_prefix(uri, "lxc+ssh://") ||
           g_str_has_prefix(uri, "test+ssh://");
}

static char *
effective_uri(const char *uri)
{
    g_autofree char *wrapper = NULL;
    g_autofree char *esc = NULL;

    if (!uri_is_ssh(uri) || strstr(uri, "no_tty=") || strstr(uri, "command="))
        return g_strdup(uri);
    /* in the UI, ssh asks through virtdeck's askpass helper (auth.c);
     * elsewhere it must never prompt on our terminal: BatchMode via no_tty */
    wrapper = vd_askpass_ssh_command(uri);
    if (!wrapper)
        return g_strconcat(uri, strchr(uri, '?') ? "&" : "?", "no_tty=1", NULL);
    esc = g_uri_escape_string(wrapper, "/", FALSE);
    return g_strconcat(uri, strchr(uri, '?') ? "&" : "?", "command=", esc, NULL);
}

static char *open_error(const char *uri);

static virConnectPtr
open_conn(const char *uri)
{
    static int cred_types[] = { VIR_CRED_AUTHNAME, VIR_CRED_USERNAME, VIR_CRED_PASSPHRASE,
                                VIR_CRED_NOECHOPROMPT, VIR_CRED_ECHOPROMPT };
    static gint session_seq;
    struct auth_data ad = { uri, (guint64)g_atomic_int_add(&session_seq, 1) + 1 };
    virConnectAuth auth = { cred_types, G_N_ELEMENTS(cred_types), auth_cb, &ad };
    g_autofree char *u = effective_uri(uri);

    return virConnectOpenAuth(u, &auth, 0);
}

virConnectPtr
vd_conn_open_uri(const char *uri)
{
    return open_conn(uri);
}

/* ---- one connection per URI for the synchronous helpers ------------------- */

struct shared_conn {
    GMutex lock;
    bool tried;
    virConnectPtr vc;
    char *error;
};

static GMutex shared_lock;
static GHashTable *shared_conns;        /* uri -> struct shared_conn *, NULL: off */

static void
shared_conn_free(gpointer p)
{
    struct shared_conn *e = p;

    if (e->vc)
        virConnectClose(e->vc);
    g_free(e->error);
    g_mutex_clear(&e->lock);
    g_free(e);
}

void
vd_conn_share_begin(void)
{
    g_mutex_lock(&shared_lock);
    if (!shared_conns)
        shared_conns = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, shared_conn_free);
    g_mutex_unlock(&shared_lock);
}

void
vd_conn_share_end(void)
{
    GHashTable *t;

    g_mutex_lock(&shared_lock);
    t = g_steal_pointer(&shared_conns);
    g_mutex_unlock(&shared_lock);
    if (t)
        g_hash_table_destroy(t);
}

/* A new connection, or a new reference to the shared one of uri (opened
 * once: the callers that come meanwhile wait for it, and a failure is
 * theirs too, so a password is asked once). NULL and *error on failure. */
static virConnectPtr
open_sync(const char *uri, char **error)
{
    struct shared_conn *e = NULL;
    virConnectPtr vc;

    g_mutex_lock(&shared_lock);
    if (shared_conns) {
        e = g_hash_table_lookup(shared_conns, uri);
        if (!e) {
            e = g_new0(struct shared_conn, 1);
            g_mutex_init(&e->lock);
            g_hash_table_insert(shared_conns, g_strdup(uri), e);
        }
    }
    g_mutex_unlock(&shared_lock);
    if (!e) {
        vc = open_conn(uri);
        if (vc)
            virConnectSetKeepAlive(vc, 2, 3);
        else
            *error = open_error(uri);
        return vc;
    }
    g_mutex_lock(&e->lock);
    if (!e->tried) {
        e->tried = true;
        e->vc = open_conn(uri);
        if (e->vc)
            virConnectSetKeepAlive(e->vc, 2, 3);
        else
            e->error = open_error(uri);
    }
    vc = e->vc;
    if (vc)
        virConnectRef(vc);
    else
        *error = g_strdup(e->error);
    g_mutex_unlock(&e->lock);
    return vc;
}

/* The error of a failed open, with host key refusals said plainly; the
 * answers of a host whose authentication failed are asked again. */
static char *
open_error(const char *uri)
{
    g_autofree char *err = last_error();
    char *nice = vd_auth_explain_error(uri, err);

    if (err && (strstr(err, "Permission denied") || strstr(err, "uthentication failed") ||
                strstr(err, "authentication")))
        vd_auth_forget(uri);
    if (nice)
        return nice;
    return g_steal_pointer(&err);
}

/* The host's facts: six independent calls made at once (one round trip). */
struct host_info_calls {
    virConnectPtr vc;
    char *host;
    const char *type;
    virNodeInfo ni;
    int ni_ok;
    unsigned long lib;
    int lib_ok;
    int cpu_n, mem_n;
};

static void
host_info_call(guint i, gpointer data)
{
    struct host_info_calls *h = data;

    switch (i) {
    case 0: h->host = virConnectGetHostname(h->vc); break;
    case 1: h->type = virConnectGetType(h->vc); break;
    case 2: h->ni_ok = virNodeGetInfo(h->vc, &h->ni) == 0; break;
    case 3: h->lib_ok = virConnectGetLibVersion(h->vc, &h->lib) == 0; break;
    /* the drivers want exactly their own parameter count: ask it once */
    case 4:
        if (virNodeGetCPUStats(h->vc, VIR_NODE_CPU_STATS_ALL_CPUS, NULL, &h->cpu_n, 0) < 0)
            h->cpu_n = 0;
        break;
    case 5:
        if (virNodeGetMemoryStats(h->vc, VIR_NODE_MEMORY_STATS_ALL_CELLS, NULL, &h->mem_n, 0) < 0)
            h->mem_n = 0;
        break;
    }
}

static void
fill_host_info(struct vd_conn *c, struct vd_host_snap *s)
{
    struct host_info_calls h = { .vc = c->vc };
    const char *type;

    vd_parallel(6, host_info_call, &h);
    c->rpc += 6;
    g_free(s->hostname);
    s->hostname = vd_sanitize(h.host);
    free(h.host);
    type = h.type;
    g_free(s->driver);
    s->driver = type ? vd_sanitize(type) : NULL;
    c->is_container_driver = type && g_ascii_strcasecmp(type, "LXC") == 0;
    c->is_test_driver = type && g_ascii_strcasecmp(type, "TEST") == 0;
    if (c->is_test_driver) {
        /* the test driver answers with this machine's name, which is not
         * the host it shows: name it after its file ("demo") instead */
        g_autofree char *base = g_path_get_basename(c->uri);
        char *q = strchr(base, '?');
        if (q)
            *q = '\0';
        if (g_str_has_suffix(base, ".xml"))
            base[strlen(base) - 4] = '\0';
        g_free(s->hostname);
        s->hostname = vd_sanitize(*base && strcmp(base, "/") ? base : "test");
    }
    if (h.ni_ok) {
        s->cpus = h.ni.cpus;
        s->mem_kib = h.ni.memory;
    }
    if (h.lib_ok)
        s->libvirt_version = h.lib;
    c->node_cpu_n = MIN(h.cpu_n, 8);
    c->node_mem_n = MIN(h.mem_n, 8);
}

static void
disconnect(struct vd_conn *c)
{
    if (!c->vc)
        return;
    if (c->lifecycle_id >= 0)
        virConnectDomainEventDeregisterAny(c->vc, c->lifecycle_id);
    c->lifecycle_id = -1;
    virConnectUnregisterCloseCallback(c->vc, close_cb);
    virConnectClose(c->vc);
    c->vc = NULL;
}

/* Over a slow link the list shows one round trip after the connection is
 * open: one light bulk call for every domain, before the host details and
 * the first full refresh (some 15 calls more). A driver without bulk
 * stats (lxc) or the test driver (one call per domain) skips it. */
static bool
first_look(struct vd_conn *c)
{
    GPtrArray *doms;
    GHashTable *keep = c->next;
    struct vd_host_snap *s;
    const char *uri = c->uri;

    if (g_str_has_prefix(uri, "lxc") || g_str_has_prefix(uri, "test"))
        return false;
    doms = g_ptr_array_new_with_free_func((GDestroyNotify)vd_domain_unref);
    c->next = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    if (refresh_bulk(c, doms, STATS_LIGHT, 0) < 0) {
        virResetLastError();
        g_ptr_array_unref(doms);
        doms = NULL;
    }
    g_hash_table_unref(c->next);
    c->next = keep;
    if (!doms)
        return false;
    sort_domains(doms, G_MAXUINT);
    s = copy_host_fields(c);
    g_ptr_array_unref(s->domains);
    s->domains = doms;
    s->state = VD_HOST_CONNECTED;
    g_clear_pointer(&s->error, g_free);
    publish(c, s);
    return true;
}

static bool
do_connect(struct vd_conn *c)
{
    struct vd_host_snap *s;

    publish_state(c, VD_HOST_CONNECTING, NULL);
    g_atomic_int_set(&c->closed, 0);
    busy_begin(c);
    c->rpc = 1;
    c->vc = open_conn(c->uri);
    if (!c->vc) {
        g_autofree char *err = open_error(c->uri);
        busy_end(c);
        c->rpc_total += c->rpc;
        publish_state(c, VD_HOST_DISCONNECTED, err);
        return false;
    }
    c->host_prev.t_ms = 0;
    /* first, so that a daemon that stops answering now is noticed; not
     * supported by every driver (test:///): not an error */
    if (c->opt.keepalive_interval > 0)
        virConnectSetKeepAlive(c->vc, c->opt.keepalive_interval, c->opt.keepalive_count);
    if (first_look(c)) {
        /* keep the list it showed while the details come */
        g_mutex_lock(&c->lock);
        s = vd_host_snap_copy(c->snap);
        g_mutex_unlock(&c->lock);
    } else {
        s = copy_host_fields(c);
    }
    fill_host_info(c, s);
    virConnectRegisterCloseCallback(c->vc, close_cb, conn_ref(c), conn_unref_cb);
    c->lifecycle_id = virConnectDomainEventRegisterAny(c->vc, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                       VIR_DOMAIN_EVENT_CALLBACK(lifecycle_cb),
                                                       conn_ref(c), conn_unref_cb);
    c->rpc += 3;
    busy_end(c);
    s->state = VD_HOST_CONNECTED;
    c->rpc_total += c->rpc;
    publish(c, s);
    c->was_connected = true;
    /* a refresh that fails leaves the host connected, with the error shown;
     * only the close callback (or keepalive) makes it reconnect */
    do_refresh(c);
    return true;
}

static const char *
close_reason_text(int reason)
{
    switch (reason) {
    case VIR_CONNECT_CLOSE_REASON_ERROR: return _("connection closed: I/O error");
    case VIR_CONNECT_CLOSE_REASON_EOF: return _("connection closed by the remote side");
    case VIR_CONNECT_CLOSE_REASON_KEEPALIVE: return _("connection closed: keepalive timeout (host not answering)");
    default: return _("connection closed");
    }
}

/* ---- actions -------------------------------------------------------------- */

static char *
done_message(enum vd_action a, const char *names)
{
    switch (a) {
    case VD_ACTION_START: return g_strdup_printf(_("Started %s"), names);
    case VD_ACTION_SHUTDOWN: return g_strdup_printf(_("Shutdown requested for %s"), names);
    case VD_ACTION_REBOOT: return g_strdup_printf(_("Reboot requested for %s"), names);
    case VD_ACTION_RESET: return g_strdup_printf(_("Reset %s"), names);
    case VD_ACTION_DESTROY: return g_strdup_printf(_("Forced off %s"), names);
    case VD_ACTION_SUSPEND: return g_strdup_printf(_("Paused %s"), names);
    case VD_ACTION_RESUME: return g_strdup_printf(_("Resumed %s"), names);
    case VD_ACTION_MANAGED_SAVE: return g_strdup_printf(_("Saved %s"), names);
    case VD_ACTION_RESTORE: return g_strdup_printf(_("Restored %s"), names);
    case VD_ACTION_AUTOSTART_ON: return g_strdup_printf(_("Autostart on for %s"), names);
    case VD_ACTION_AUTOSTART_OFF: return g_strdup_printf(_("Autostart off for %s"), names);
    case VD_ACTION_UNDEFINE: return g_strdup_printf(_("Undefined %s (storage kept)"), names);
    case VD_ACTION_LAST: break;
    }
    return g_strdup(names);
}

static int
run_action(virDomainPtr dom, enum vd_action a)
{
    switch (a) {
    case VD_ACTION_START:
    case VD_ACTION_RESTORE:
        return virDomainCreate(dom);
    case VD_ACTION_SHUTDOWN: return virDomainShutdown(dom);
    case VD_ACTION_REBOOT: return virDomainReboot(dom, 0);
    case VD_ACTION_RESET: return virDomainReset(dom, 0);
    case VD_ACTION_DESTROY: return virDomainDestroy(dom);
    case VD_ACTION_SUSPEND: return virDomainSuspend(dom);
    case VD_ACTION_RESUME: return virDomainResume(dom);
    case VD_ACTION_MANAGED_SAVE: return virDomainManagedSave(dom, 0);
    case VD_ACTION_AUTOSTART_ON: return virDomainSetAutostart(dom, 1);
    case VD_ACTION_AUTOSTART_OFF: return virDomainSetAutostart(dom, 0);
    case VD_ACTION_UNDEFINE: {
        unsigned int fl = VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
                          VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA | VIR_DOMAIN_UNDEFINE_KEEP_NVRAM;
        if (virDomainUndefineFlags(dom, fl) == 0)
            return 0;
        virErrorPtr e = virGetLastError();
        if (e && (e->code == VIR_ERR_INVALID_ARG || e->code == VIR_ERR_NO_SUPPORT))
            return virDomainUndefine(dom);
        return -1;
    }
    case VD_ACTION_LAST:
        break;
    }
    return -1;
}

/* ---- long actions: progress and cancel ------------------------------------ */

static bool
action_is_long(enum vd_action a)
{
    /* a save writes all guest memory, a start may restore it */
    return a == VD_ACTION_MANAGED_SAVE || a == VD_ACTION_RESTORE || a == VD_ACTION_START;
}

static char *
job_label(enum vd_action a, const char *name)
{
    switch (a) {
    case VD_ACTION_MANAGED_SAVE: return g_strdup_printf(_("Saving %s"), name);
    case VD_ACTION_RESTORE: return g_strdup_printf(_("Restoring %s"), name);
    default: return g_strdup_printf(_("Starting %s"), name);
    }
}

static void
set_job(struct vd_conn *c, char *label, int percent)
{
    g_mutex_lock(&c->lock);
    if (label) {
        g_free(c->job_label);
        c->job_label = label;
    }
    c->job_percent = percent;
    g_mutex_unlock(&c->lock);
}

static void
clear_job(struct vd_conn *c)
{
    g_mutex_lock(&c->lock);
    g_clear_pointer(&c->job_label, g_free);
    c->abort_job = false;
    g_mutex_unlock(&c->lock);
}

static bool
take_abort(struct vd_conn *c)
{
    bool a;

    g_mutex_lock(&c->lock);
    a = c->abort_job;
    c->abort_job = false;
    g_mutex_unlock(&c->lock);
    return a;
}

static bool
abort_rest(struct vd_conn *c)
{
    bool a;

    g_mutex_lock(&c->lock);
    a = c->abort_rest;
    g_mutex_unlock(&c->lock);
    return a;
}

static void handle_job(struct vd_conn *c, struct job *j);
static void job_free(struct job *j);

/* While a long action runs, the worker keeps refreshing (events still show
 * within a second); actions and reconnects wait until it is done. */
static void
serve_jobs_during_long_action(struct vd_conn *c, guint wait_ms)
{
    struct job *j = g_async_queue_timeout_pop(c->jobs, (guint64)wait_ms * 1000);

    if (!j)
        return;
    if (j->kind == JOB_REFRESH) {
        handle_job(c, j);
        job_free(j);
    } else if (j->kind == JOB_WAKE) {
        job_free(j);
    } else {
        g_queue_push_tail(&c->deferred, j);
    }
}

struct long_call {
    virDomainPtr dom;
    enum vd_action action;
    int rc;
    char *err;
    gint done;
};

static gpointer
long_call_thread(gpointer data)
{
    struct long_call *lc = data;

    silence_xml();
    lc->rc = run_action(lc->dom, lc->action);
    if (lc->rc < 0)
        lc->err = last_error();
    g_atomic_int_set(&lc->done, 1);
    return NULL;
}

/* The blocking call runs on a helper thread (the connection is thread-safe)
 * while the worker polls the job for progress and passes a cancel on with
 * virDomainAbortJob. A long save therefore never marks the host "not
 * responding". */
static int
run_long_action(struct vd_conn *c, virDomainPtr dom, enum vd_action a, const char *name, char **err)
{
    struct long_call lc = { dom, a, -1, NULL, 0 };
    GThread *t;

    set_job(c, job_label(a, name), -1);
    post_notify(c);
    t = g_thread_new("vd-long-call", long_call_thread, &lc);
    while (!g_atomic_int_get(&lc.done)) {
        virDomainJobInfo info;

        serve_jobs_during_long_action(c, 200);
        if (g_atomic_int_get(&lc.done))
            break;
        busy_begin(c);
        if (take_abort(c)) {
            c->rpc_total++;
            virDomainAbortJob(dom);
        }
        c->rpc_total++;
        if (virDomainGetJobInfo(dom, &info) == 0 && info.type != VIR_DOMAIN_JOB_NONE &&
            info.dataTotal > 0)
            /* zero pages are never "processed", but they stop being remaining */
            set_job(c, NULL, (int)((info.dataTotal - MIN(info.dataRemaining, info.dataTotal)) * 100 /
                                   info.dataTotal));
        busy_end(c);
    }
    g_thread_join(t);
    clear_job(c);
    *err = lc.err;
    return lc.rc;
}

struct action_result {
    struct vd_conn *c;
    bool ok;
    char *message;
    vd_action_done_fn done;
    gpointer user;
};

static gboolean
action_result_in_ui(gpointer data)
{
    struct action_result *r = data;

    if (r->done && !g_atomic_int_get(&r->c->quit))
        r->done(r->c, r->ok, r->message, r->user);
    return G_SOURCE_REMOVE;
}

static void
action_result_free(gpointer data)
{
    struct action_result *r = data;
    conn_unref(r->c);
    g_free(r->message);
    g_free(r);
}

static void
do_action(struct vd_conn *c, struct job *j)
{
    g_autoptr(GString) okn = g_string_new(NULL);
    g_autoptr(GString) errs = g_string_new(NULL);
    struct action_result *r = g_new0(struct action_result, 1);

    g_mutex_lock(&c->lock);
    c->abort_rest = false;
    g_mutex_unlock(&c->lock);
    for (guint i = 0; j->uuids && j->uuids[i]; i++) {
        g_autoptr(virDomain) dom = NULL;
        g_autofree char *name = NULL;
        int rc = -1;

        if (abort_rest(c)) {
            guint left = g_strv_length(j->uuids) - i;
            if (errs->len)
                g_string_append(errs, "; ");
            g_string_append_printf(errs, ngettext("%u more domain not done: cancelled",
                                                  "%u more domains not done: cancelled", left), left);
            break;
        }

        if (!c->vc) {
            g_string_append_printf(errs, "%s%s", errs->len ? "; " : "", _("not connected"));
            break;
        }
        g_autofree char *err = NULL;

        busy_begin(c);
        dom = virDomainLookupByUUIDString(c->vc, j->uuids[i]);
        busy_end(c);
        c->rpc_total += 2;
        if (dom) {
            name = vd_sanitize(virDomainGetName(dom));
            if (action_is_long(j->action)) {
                rc = run_long_action(c, dom, j->action, name, &err);
            } else {
                busy_begin(c);
                rc = run_action(dom, j->action);
                busy_end(c);
            }
        } else {
            name = g_strdup(j->uuids[i]);
        }
        if (rc == 0) {
            g_string_append_printf(okn, "%s%s", okn->len ? ", " : "", name);
        } else {
            if (!err)
                err = last_error();
            if (errs->len)
                g_string_append(errs, "; ");
            /* TRANSLATORS: domain name, libvirt's error message */
            g_string_append_printf(errs, _("%1$s: %2$s"), name, err);
        }
    }
    r->c = conn_ref(c);
    r->ok = errs->len == 0;
    r->done = j->done;
    r->user = j->user;
    if (errs->len && okn->len) {
        g_autofree char *good = done_message(j->action, okn->str);
        r->message = g_strdup_printf(_("%1$s failed: %2$s (%3$s)"), vd_action_label(j->action), errs->str, good);
    } else if (errs->len) {
        r->message = g_strdup_printf(_("%1$s failed: %2$s"), vd_action_label(j->action), errs->str);
    } else {
        r->message = done_message(j->action, okn->str);
    }
    if (c->ui_ctx)
        post_to_ui(c->ui_ctx, action_result_in_ui, r, action_result_free);
    else
        action_result_free(r);
    if (c->vc)
        do_refresh(c);
}

/* ---- the worker ------------------------------------------------------------ */

static void
job_free(struct job *j)
{
    if (j->task)
        task_free(j->task);
    g_strfreev(j->uuids);
    g_free(j);
}

static void
fail_action_not_connected(struct vd_conn *c, struct job *j)
{
    struct action_result *r = g_new0(struct action_result, 1);
    g_autofree char *err = NULL;

    g_mutex_lock(&c->lock);
    err = g_strdup(c->snap->error);
    g_mutex_unlock(&c->lock);
    r->c = conn_ref(c);
    r->done = j->done;
    r->user = j->user;
    r->message = err ? g_strdup_printf(_("%1$s failed: not connected (%2$s)"), vd_action_label(j->action), err)
                     : g_strdup_printf(_("%s failed: not connected"), vd_action_label(j->action));
    if (c->ui_ctx)
        post_to_ui(c->ui_ctx, action_result_in_ui, r, action_result_free);
    else
        action_result_free(r);
}

/* ---- tasks of core modules (conn-task.h) -------------------------------- */

static void
task_free(struct vd_task *t)
{
    if (!t)
        return;
    if (t->data_free)
        t->data_free(t->data);
    if (t->result_free)
        t->result_free(t->result);
    if (t->c)
        conn_unref(t->c);
    g_free(t->label);
    g_free(t->message);
    g_free(t->detail);
    g_free(t);
}

static gboolean
task_done_in_ui(gpointer data)
{
    struct vd_task *t = data;

    if (t->done && !g_atomic_int_get(&t->c->quit))
        t->done(t->c, !t->failed, t->message, t->result, t->user);
    return G_SOURCE_REMOVE;
}

/* On the thread that ran the task: hand the outcome to the UI. */
static void
task_finish(struct vd_conn *c, struct vd_task *t)
{
    if (t->refresh)
        vd_conn_refresh(c);
    if (!t->c)
        t->c = conn_ref(c);
    if (c->ui_ctx)
        post_to_ui(c->ui_ctx, task_done_in_ui, t, (GDestroyNotify)task_free);
    else
        task_free(t);
}

struct long_task {
    struct vd_conn *c;
    virConnectPtr vc;
    struct vd_task *t;
};

static gpointer
long_task_thread(gpointer data)
{
    struct long_task *lt = data;
    struct vd_conn *c = lt->c;

    silence_xml();
    lt->t->fn(lt->vc, lt->t, lt->t->data);
    virConnectClose(lt->vc);
    g_mutex_lock(&c->lock);
    g_ptr_array_remove(c->tasks, lt->t);
    g_mutex_unlock(&c->lock);
    post_notify(c);
    task_finish(c, lt->t);
    conn_unref(c);
    g_free(lt);
    return NULL;
}

static void
run_task(struct vd_conn *c, struct vd_task *t)
{
    if (!c->vc || g_atomic_int_get(&c->closed)) {
        g_autofree char *err = NULL;

        g_mutex_lock(&c->lock);
        err = g_strdup(c->snap->error);
        g_mutex_unlock(&c->lock);
        t->failed = true;
        g_free(t->message);
        t->message = err ? g_strdup_printf(_("Not connected: %s"), err) : g_strdup(_("Not connected"));
        task_finish(c, t);
        return;
    }
    if (t->kind == VD_TASK_LONG) {
        struct long_task *lt = g_new0(struct long_task, 1);

        lt->c = conn_ref(c);
        lt->t = t;
        t->c = conn_ref(c);
        lt->vc = c->vc;
        virConnectRef(lt->vc);
        t->percent = -1;
        g_mutex_lock(&c->lock);
        if (!c->tasks)
            c->tasks = g_ptr_array_new();
        g_ptr_array_add(c->tasks, t);
        g_mutex_unlock(&c->lock);
        post_notify(c);
        g_thread_unref(g_thread_new("vd-task", long_task_thread, lt));
        return;
    }
    busy_begin(c);
    c->rpc_total++;
    t->fn(c->vc, t, t->data);
    busy_end(c);
    task_finish(c, t);
}

void
vd_conn_submit(struct vd_conn *c, enum vd_task_kind kind, const char *label,
               vd_task_fn fn, gpointer data, GDestroyNotify data_free,
               vd_task_done_fn done, gpointer user)
{
    struct job *j = g_new0(struct job, 1);
    struct vd_task *t = g_new0(struct vd_task, 1);

    t->kind = kind;
    t->label = g_strdup(label ? label : "");
    t->fn = fn;
    t->data = data;
    t->data_free = data_free;
    t->done = done;
    t->user = user;
    t->percent = -1;
    j->kind = JOB_TASK;
    j->task = t;
    g_async_queue_push(c->jobs, j);
}

bool
vd_conn_run_sync(const char *uri, vd_task_fn fn, gpointer data, char **message, gpointer *result)
{
    struct vd_task t = { 0 };
    g_autofree char *err = NULL;
    virConnectPtr vc;
    bool ok;

    vd_conn_global_init();
    silence_xml();
    vc = open_sync(uri, &err);
    if (!vc) {
        if (message)
            *message = g_steal_pointer(&err);
        if (result)
            *result = NULL;
        return false;
    }
    t.percent = -1;
    fn(vc, &t, data);
    virConnectClose(vc);
    ok = !t.failed;
    if (message)
        *message = g_steal_pointer(&t.message);
    if (result)
        *result = g_steal_pointer(&t.result);
    else if (t.result_free)
        t.result_free(t.result);
    g_free(t.message);
    g_free(t.detail);
    return ok;
}

void
vd_task_progress(struct vd_task *t, int percent, const char *detail)
{
    struct vd_conn *c = t->c;
    bool changed;

    if (!c) {
        t->percent = percent;
        return;
    }
    g_mutex_lock(&c->lock);
    changed = t->percent != percent || g_strcmp0(t->detail, detail) != 0;
    t->percent = percent;
    g_free(t->detail);
    t->detail = detail ? vd_sanitize(detail) : NULL;
    g_mutex_unlock(&c->lock);
    if (changed)
        post_notify(c);
}

bool
vd_task_cancelled(struct vd_task *t)
{
    return g_atomic_int_get(&t->cancelled) != 0;
}

void
vd_task_append_message(struct vd_task *t, const char *text)
{
    g_autofree char *clean = vd_sanitize(text);
    char *m = g_strconcat(t->message ? t->message : "", clean, NULL);

    g_free(t->message);
    t->message = m;
}

void
vd_task_set_interruptible(struct vd_task *t, bool yes)
{
    g_atomic_int_set(&t->uninterruptible, !yes);
}

static void
task_set_failed(struct vd_task *t, char *msg)
{
    t->failed = true;
    g_free(t->message);
    t->message = vd_sanitize(msg);
    g_free(msg);
}

void
vd_task_fail(struct vd_task *t, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    task_set_failed(t, g_strdup_vprintf(fmt, ap));
    va_end(ap);
}

void
vd_task_fail_libvirt(struct vd_task *t, const char *fmt, ...)
{
    g_autofree char *what = NULL;
    g_autofree char *err = last_error();
    va_list ap;

    va_start(ap, fmt);
    what = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    task_set_failed(t, g_strdup_printf("%s: %s", what, err));
}

bool
vd_task_failed(const struct vd_task *t)
{
    return t->failed;
}

void
vd_task_set_message(struct vd_task *t, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_free(t->message);
    t->message = vd_sanitize(msg);
}

void
vd_task_set_result(struct vd_task *t, gpointer result, GDestroyNotify result_free)
{
    if (t->result_free)
        t->result_free(t->result);
    t->result = result;
    t->result_free = result_free;
}

void
vd_task_request_refresh(struct vd_task *t)
{
    t->refresh = true;
}

static void
handle_job(struct vd_conn *c, struct job *j)
{
    switch (j->kind) {
    case JOB_REFRESH:
        g_atomic_int_set(&c->refresh_queued, 0);
        if (c->vc && !g_atomic_int_get(&c->closed))
            do_refresh(c);
        break;
    case JOB_TICK:
        if (c->vc && !g_atomic_int_get(&c->closed))
            do_refresh_full(c, false);
        break;
    case JOB_ACTION:
        if (c->vc && !g_atomic_int_get(&c->closed))
            do_action(c, j);
        else
            fail_action_not_connected(c, j);
        break;
    case JOB_TASK:
        run_task(c, j->task);
        j->task = NULL;
        break;
    case JOB_RECONNECT:
        disconnect(c);
        c->backoff_s = 0;
        c->retry_at_ms = 0;
        break;
    case JOB_WAKE:
    case JOB_QUIT:
        break;
    }
}

static void
try_connect(struct vd_conn *c)
{
    if (do_connect(c)) {
        c->backoff_s = 0;
        return;
    }
    disconnect(c);
    /* 1, 2, 4 ... 30 s between attempts */
    c->backoff_s = c->backoff_s ? MIN(c->backoff_s * 2, 30) : 1;
    c->retry_at_ms = vd_now_ms() + c->backoff_s * 1000;
}

static gpointer
worker(gpointer data)
{
    struct vd_conn *c = data;

    silence_xml();
    while (!g_atomic_int_get(&c->quit)) {
        struct job *j;
        gint64 wait_ms;

        if (c->vc && g_atomic_int_get(&c->closed)) {
            const char *why = close_reason_text(g_atomic_int_get(&c->close_reason));
            disconnect(c);
            publish_state(c, VD_HOST_DISCONNECTED, why);
            c->backoff_s = 1;
            c->retry_at_ms = vd_now_ms() + 1000;
        }
        if (!c->vc && vd_now_ms() >= c->retry_at_ms) {
            try_connect(c);
            continue;
        }
        j = g_queue_pop_head(&c->deferred);
        if (!j) {
            wait_ms = c->vc ? (gint64)c->opt.refresh_ms : CLAMP(c->retry_at_ms - vd_now_ms(), 1, 60000);
            j = g_async_queue_timeout_pop(c->jobs, (guint64)wait_ms * 1000);
        }
        if (!j) {
            if (c->vc)
                do_refresh_full(c, false);    /* the stats tick */
            continue;
        }
        handle_job(c, j);
        job_free(j);
    }
    disconnect(c);
    conn_unref(c);
    return NULL;
}

/* ---- public API -------------------------------------------------------------- */

struct vd_conn *
vd_conn_new(const char *uri, const struct vd_conn_options *opt,
            GMainContext *ui_ctx, vd_conn_notify_fn notify, gpointer user)
{
    struct vd_conn *c = g_new0(struct vd_conn, 1);
    g_autofree char *tname = NULL;

    g_atomic_ref_count_init(&c->ref);
    c->uri = g_strdup(uri);
    c->opt.refresh_ms = 2000;
    c->opt.not_responding_ms = 2500;
    c->opt.keepalive_interval = 2;
    c->opt.keepalive_count = 3;
    if (opt) {
        if (opt->refresh_ms)
            c->opt.refresh_ms = opt->refresh_ms;
        if (opt->not_responding_ms)
            c->opt.not_responding_ms = opt->not_responding_ms;
        if (opt->keepalive_interval)
            c->opt.keepalive_interval = opt->keepalive_interval;
        if (opt->keepalive_count)
            c->opt.keepalive_count = opt->keepalive_count;
        c->opt.history = opt->history;
        c->opt.start_idle = opt->start_idle;
        c->opt.notify_every_refresh = opt->notify_every_refresh;
    }
    c->ui_ctx = ui_ctx ? g_main_context_ref(ui_ctx) : NULL;
    c->notify = notify;
    c->notify_user = user;
    c->jobs = g_async_queue_new();
    g_mutex_init(&c->lock);
    c->snap = vd_host_snap_new(uri);
    c->snap->state = VD_HOST_CONNECTING;
    if (c->opt.start_idle) {
        /* no connection until asked (vd_conn_reconnect) */
        c->retry_at_ms = G_MAXINT64 / 4;
        c->snap->state = VD_HOST_DISCONNECTED;
        c->snap->error = g_strdup(_("Disconnected by the user"));
        g_atomic_int_set(&c->state, VD_HOST_DISCONNECTED);
    }
    c->lifecycle_id = -1;
    vd_conn_global_init();
    tname = g_strdup_printf("vd-conn-%.16s", uri);
    c->thread = g_thread_new(tname, worker, conn_ref(c));
    return c;
}

void
vd_conn_close(struct vd_conn *c)
{
    if (!c)
        return;
    g_atomic_int_set(&c->quit, 1);
    push_job(c, JOB_QUIT);
    vd_auth_cancel_uri(c->uri);   /* a worker waiting for a password lets go */
    g_thread_unref(c->thread);
    conn_unref(c);
}

const char *
vd_conn_uri(const struct vd_conn *c)
{
    return c->uri;
}

enum vd_host_state
vd_conn_state(struct vd_conn *c)
{
    gint64 since = (gint64)GPOINTER_TO_SIZE(g_atomic_pointer_get(&c->busy_since));
    enum vd_host_state st = g_atomic_int_get(&c->state);

    if (!since)
        return st;
    /* an ssh handshake over a slow link is not "not responding" */
    if ((st == VD_HOST_CONNECTED && vd_now_ms() - since > (gint64)c->opt.not_responding_ms) ||
        (st == VD_HOST_CONNECTING && vd_now_ms() - since > 4 * (gint64)c->opt.not_responding_ms))
        return VD_HOST_NOT_RESPONDING;
    return st;
}

struct vd_host_snap *
vd_conn_snapshot(struct vd_conn *c)
{
    struct vd_host_snap *s;
    enum vd_host_state st = vd_conn_state(c);

    g_mutex_lock(&c->lock);
    s = vd_host_snap_ref(c->snap);
    g_mutex_unlock(&c->lock);
    if (st != s->state) {
        struct vd_host_snap *t = vd_host_snap_copy(s);
        vd_host_snap_unref(s);
        t->state = st;
        if (st == VD_HOST_NOT_RESPONDING && !t->error)
            t->error = g_strdup(_("no answer from libvirt; waiting"));
        s = t;
    }
    return s;
}

bool
vd_conn_job(struct vd_conn *c, char **label, int *percent)
{
    bool active;

    g_mutex_lock(&c->lock);
    active = c->job_label != NULL;
    if (active) {
        *label = g_strdup(c->job_label);
        *percent = c->job_percent;
    } else if (c->tasks && c->tasks->len) {
        struct vd_task *t = g_ptr_array_index(c->tasks, 0);
        active = true;
        *label = t->detail ? g_strdup_printf("%s (%s)", t->label, t->detail) : g_strdup(t->label);
        *percent = t->percent;
    }
    g_mutex_unlock(&c->lock);
    return active;
}

enum vd_job_cancel
vd_conn_job_cancel(struct vd_conn *c)
{
    enum vd_job_cancel r = VD_JOB_CANCEL_NOW;

    g_mutex_lock(&c->lock);
    if (c->job_label) {
        r = c->abort_job ? VD_JOB_CANCELLING : VD_JOB_CANCEL_NOW;
    } else if (c->tasks && c->tasks->len) {
        struct vd_task *t = g_ptr_array_index(c->tasks, 0);
        bool late = g_atomic_int_get(&t->uninterruptible);
        if (g_atomic_int_get(&t->cancelled))
            r = late ? VD_JOB_CANCELLING_AFTER_STEP : VD_JOB_CANCELLING;
        else if (late)
            r = VD_JOB_CANCEL_AFTER_STEP;
    }
    g_mutex_unlock(&c->lock);
    return r;
}

bool
vd_conn_abort_job(struct vd_conn *c)
{
    bool active;

    g_mutex_lock(&c->lock);
    active = c->job_label != NULL;
    if (active)
        c->abort_job = c->abort_rest = true;
    for (guint i = 0; c->tasks && i < c->tasks->len; i++) {
        struct vd_task *t = g_ptr_array_index(c->tasks, i);
        g_atomic_int_set(&t->cancelled, 1);
        active = true;
    }
    g_mutex_unlock(&c->lock);
    return active;
}

void
vd_conn_refresh(struct vd_conn *c)
{
    if (g_atomic_int_compare_and_exchange(&c->refresh_queued, 0, 1))
        push_job(c, JOB_REFRESH);
}

void
vd_conn_tick(struct vd_conn *c)
{
    push_job(c, JOB_TICK);
}

unsigned int
vd_conn_tick_stats(unsigned int *flags)
{
    *flags = VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE;
    return STATS_HEAVY;
}

void
vd_conn_reconnect(struct vd_conn *c)
{
    push_job(c, JOB_RECONNECT);
}

void
vd_conn_action(struct vd_conn *c, enum vd_action a, const char *const *uuids, guint n_uuids,
               vd_action_done_fn done, gpointer user)
{
    struct job *j = g_new0(struct job, 1);

    j->kind = JOB_ACTION;
    j->action = a;
    j->uuids = g_new0(char *, n_uuids + 1);
    for (guint i = 0; i < n_uuids; i++)
        j->uuids[i] = g_strdup(uuids[i]);
    j->done = done;
    j->user = user;
    g_async_queue_push(c->jobs, j);
}

struct vd_host_snap *
vd_conn_fetch_once(const char *uri, char **error)
{
    struct vd_conn *c = g_new0(struct vd_conn, 1);
    struct vd_host_snap *s = NULL;

    g_atomic_ref_count_init(&c->ref);
    c->uri = g_strdup(uri);
    c->jobs = g_async_queue_new();
    g_mutex_init(&c->lock);
    c->snap = vd_host_snap_new(uri);
    c->lifecycle_id = -1;
    c->no_rates = true;
    /* the event loop makes keepalive work: a daemon that stops answering
     * during the refresh ends --dump with an error instead of a hang */
    vd_conn_global_init();
    silence_xml();
    c->vc = open_sync(uri, error);
    if (c->vc) {
        s = vd_host_snap_copy(c->snap);
        fill_host_info(c, s);
        c->rpc_total += c->rpc + 1;
        s->state = VD_HOST_CONNECTED;
        publish(c, s);
        if (do_refresh(c)) {
            g_mutex_lock(&c->lock);
            s = vd_host_snap_ref(c->snap);
            g_mutex_unlock(&c->lock);
        } else {
            s = NULL;
            g_mutex_lock(&c->lock);
            *error = g_strdup(c->snap->error ? c->snap->error : _("refresh failed"));
            g_mutex_unlock(&c->lock);
        }
        virConnectClose(c->vc);
        c->vc = NULL;
    }
    conn_unref(c);
    return s;
}
