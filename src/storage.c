/* virtdeck - storage pools and volumes of one host
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "i18n.h"
#include "util.h"
#include "conn-task.h"
#include "parallel.h"
#include "storage.h"
#include "storage-stream.h"

#ifndef STREAM_BUF
#define STREAM_BUF (1u << 20)   /* 1 MiB per stream packet: as fast as virsh (256 KiB), 4 MiB measured slower */
#endif
#define USERS_MAX_AGE_US (10 * G_USEC_PER_SEC)

/* ---- snapshots ---------------------------------------------------------- */

static void
user_free(gpointer p)
{
    struct vd_vol_user *u = p;
    g_free(u->domain);
    g_free(u->target);
    g_free(u);
}

static void
volume_free(gpointer p)
{
    struct vd_volume *v = p;
    g_free(v->name);
    g_free(v->key);
    g_free(v->path);
    g_free(v->format);
    g_free(v->type);
    if (v->users)
        g_ptr_array_unref(v->users);
    g_free(v);
}

static void
pool_free(gpointer p)
{
    struct vd_pool *pl = p;
    g_free(pl->name);
    g_free(pl->uuid);
    g_free(pl->type);
    g_free(pl->target);
    g_free(pl->source);
    g_free(pl->error);
    g_ptr_array_unref(pl->volumes);
    g_free(pl);
}

static void
snap_clear(gpointer p)
{
    struct vd_storage_snap *s = p;
    g_ptr_array_unref(s->pools);
    g_free(s->error);
}

static struct vd_storage_snap *
snap_new(void)
{
    struct vd_storage_snap *s = g_atomic_rc_box_new0(struct vd_storage_snap);
    s->pools = g_ptr_array_new_with_free_func(pool_free);
    return s;
}

struct vd_storage_snap *
vd_storage_snap_ref(struct vd_storage_snap *s)
{
    return g_atomic_rc_box_acquire(s);
}

void
vd_storage_snap_unref(struct vd_storage_snap *s)
{
    if (s)
        g_atomic_rc_box_release_full(s, snap_clear);
}

const char *
vd_pool_state_label(enum vd_pool_state s)
{
    switch (s) {
    case VD_POOL_INACTIVE: return C_("pool state", "inactive");
    case VD_POOL_BUILDING: return C_("pool state", "building");
    case VD_POOL_RUNNING: return C_("pool state", "active");
    case VD_POOL_DEGRADED: return C_("pool state", "degraded");
    case VD_POOL_INACCESSIBLE: return C_("pool state", "inaccessible");
    }
    return "?";
}

const char *
vd_pool_state_id(enum vd_pool_state s)
{
    static const char *const ids[] = { "inactive", "building", "active", "degraded", "inaccessible" };
    return (unsigned)s < G_N_ELEMENTS(ids) ? ids[s] : "-";
}

static void
add_names(GPtrArray *names, const struct vd_volume *v)
{
    for (guint i = 0; v->users && i < v->users->len; i++) {
        const struct vd_vol_user *u = g_ptr_array_index(v->users, i);
        bool seen = false;
        for (guint j = 0; j < names->len && !seen; j++)
            seen = strcmp(g_ptr_array_index(names, j), u->domain) == 0;
        if (!seen)
            g_ptr_array_add(names, u->domain);
    }
}

static char *
join_names(GPtrArray *names)
{
    char *r = NULL;
    if (names->len) {
        g_ptr_array_add(names, NULL);
        r = g_strjoinv(", ", (char **)names->pdata);
    }
    g_ptr_array_unref(names);
    return r;
}

char *
vd_volume_users(const struct vd_volume *v)
{
    GPtrArray *names = g_ptr_array_new();
    add_names(names, v);
    return join_names(names);
}

char *
vd_pool_users(const struct vd_pool *p)
{
    GPtrArray *names = g_ptr_array_new();
    for (guint i = 0; i < p->volumes->len; i++)
        add_names(names, g_ptr_array_index(p->volumes, i));
    return join_names(names);
}

const struct vd_pool *
vd_storage_snap_pool(const struct vd_storage_snap *s, const char *name)
{
    for (guint i = 0; s && name && i < s->pools->len; i++) {
        const struct vd_pool *p = g_ptr_array_index(s->pools, i);
        if (strcmp(p->name, name) == 0)
            return p;
    }
    return NULL;
}

const struct vd_volume *
vd_pool_volume(const struct vd_pool *p, const char *name)
{
    for (guint i = 0; p && name && i < p->volumes->len; i++) {
        const struct vd_volume *v = g_ptr_array_index(p->volumes, i);
        if (strcmp(v->name, name) == 0)
            return v;
    }
    return NULL;
}

/* ---- XML ---------------------------------------------------------------- */

struct xdoc {
    xmlDocPtr doc;
    xmlXPathContextPtr ctx;
};

static bool
xdoc_open(struct xdoc *d, const char *xml)
{
    d->doc = xml ? xmlReadMemory(xml, (int)strlen(xml), "libvirt.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING) : NULL;
    d->ctx = d->doc ? xmlXPathNewContext(d->doc) : NULL;
    return d->ctx != NULL;
}

static void
xdoc_close(struct xdoc *d)
{
    if (d->ctx)
        xmlXPathFreeContext(d->ctx);
    if (d->doc)
        xmlFreeDoc(d->doc);
}

/* sanitized string value of expr relative to node (or the document) */
static char *
xstr(struct xdoc *d, xmlNodePtr node, const char *expr)
{
    d->ctx->node = node ? node : xmlDocGetRootElement(d->doc);
    xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, d->ctx);
    char *r;
    if (!o)
        return g_strdup("");
    xmlChar *s = xmlXPathCastToString(o);
    r = vd_sanitize((const char *)s);
    xmlFree(s);
    xmlXPathFreeObject(o);
    return r;
}

/* unsanitized: for matching paths against each other */
static char *
xraw(struct xdoc *d, xmlNodePtr node, const char *expr)
{
    d->ctx->node = node ? node : xmlDocGetRootElement(d->doc);
    xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, d->ctx);
    if (!o)
        return g_strdup("");
    xmlChar *s = xmlXPathCastToString(o);
    char *r = g_strdup((const char *)s);
    xmlFree(s);
    xmlXPathFreeObject(o);
    return r;
}

static guint64
xu64(struct xdoc *d, const char *expr)
{
    g_autofree char *s = xraw(d, NULL, expr);
    return g_ascii_strtoull(s, NULL, 10);
}

/* ---- which domains use which volume ------------------------------------- */

/* key: a disk source path, or "\001pool\001volume" for <source pool= volume=>;
 * value: GPtrArray of struct vd_vol_user */
static GHashTable *
users_new(void)
{
    return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
}

static void
users_add(GHashTable *h, const char *key, const char *dom, bool active, const char *target)
{
    GPtrArray *a = g_hash_table_lookup(h, key);
    if (!a) {
        a = g_ptr_array_new_with_free_func(user_free);
        g_hash_table_insert(h, g_strdup(key), a);
    }
    struct vd_vol_user *u = g_new0(struct vd_vol_user, 1);
    u->domain = vd_sanitize(dom);
    u->active = active;
    u->target = vd_sanitize(target);
    g_ptr_array_add(a, u);
}

/* One pass: every domain and its XML (live for running ones). */
static GHashTable *
users_compute(virConnectPtr vc, guint *calls)
{
    GHashTable *h = users_new();
    virDomainPtr *doms = NULL, *act = NULL;
    int n = virConnectListAllDomains(vc, &doms, 0);
    int n_act = virConnectListAllDomains(vc, &act, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
    (*calls) += 2;
    /* running ones by UUID (a local call): no IsActive per domain */
    GHashTable *running = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (int i = 0; i < n_act; i++) {
        char u[VIR_UUID_STRING_BUFLEN];
        if (virDomainGetUUIDString(act[i], u) == 0)
            g_hash_table_add(running, g_strdup(u));
        virDomainFree(act[i]);
    }
    free(act);
    for (int i = 0; i < n; i++) {
        char u[VIR_UUID_STRING_BUFLEN];
        int active = virDomainGetUUIDString(doms[i], u) == 0 && g_hash_table_contains(running, u);
        char *xml = virDomainGetXMLDesc(doms[i], 0);
        struct xdoc d;
        (*calls)++;
        if (xdoc_open(&d, xml)) {
            const char *name = virDomainGetName(doms[i]);
            d.ctx->node = xmlDocGetRootElement(d.doc);
            xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST "/domain/devices/disk", d.ctx);
            for (int k = 0; o && o->nodesetval && k < o->nodesetval->nodeNr; k++) {
                xmlNodePtr disk = o->nodesetval->nodeTab[k];
                g_autofree char *file = xraw(&d, disk, "string(source/@file)");
                g_autofree char *dev = xraw(&d, disk, "string(source/@dev)");
                g_autofree char *pool = xraw(&d, disk, "string(source/@pool)");
                g_autofree char *vol = xraw(&d, disk, "string(source/@volume)");
                g_autofree char *target = xraw(&d, disk, "string(target/@dev)");
                if (*file)
                    users_add(h, file, name, active == 1, target);
                if (*dev)
                    users_add(h, dev, name, active == 1, target);
                if (*pool && *vol) {
                    g_autofree char *key = g_strdup_printf("\001%s\001%s", pool, vol);
                    users_add(h, key, name, active == 1, target);
                }
            }
            if (o)
                xmlXPathFreeObject(o);
        }
        xdoc_close(&d);
        free(xml);
        virDomainFree(doms[i]);
    }
    free(doms);
    g_hash_table_unref(running);
    return h;
}

static GPtrArray *
users_for(GHashTable *h, const char *pool, const char *vol, const char *path)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(user_free);
    g_autofree char *key = g_strdup_printf("\001%s\001%s", pool, vol);
    const char *keys[] = { path, key };
    for (unsigned k = 0; h && k < G_N_ELEMENTS(keys); k++) {
        GPtrArray *a = keys[k] && *keys[k] ? g_hash_table_lookup(h, keys[k]) : NULL;
        for (guint i = 0; a && i < a->len; i++) {
            const struct vd_vol_user *u = g_ptr_array_index(a, i);
            struct vd_vol_user *c = g_new0(struct vd_vol_user, 1);
            c->domain = g_strdup(u->domain);
            c->active = u->active;
            c->target = g_strdup(u->target);
            g_ptr_array_add(out, c);
        }
    }
    return out;
}

/* ---- fetching ------------------------------------------------------------ */

static int
cmp_pool(gconstpointer a, gconstpointer b)
{
    return g_utf8_collate((*(struct vd_pool *const *)a)->name, (*(struct vd_pool *const *)b)->name);
}

static int
cmp_vol(gconstpointer a, gconstpointer b)
{
    return g_utf8_collate((*(struct vd_volume *const *)a)->name, (*(struct vd_volume *const *)b)->name);
}

static bool
in_list(virStoragePoolPtr *list, int n, const char *uuid)
{
    char u[VIR_UUID_STRING_BUFLEN];
    for (int i = 0; i < n; i++)
        if (virStoragePoolGetUUIDString(list[i], u) == 0 && strcmp(u, uuid) == 0)
            return true;
    return false;
}

static struct vd_volume *
volume_from(virStorageVolPtr v, const char *pool, GHashTable *users, guint *calls)
{
    char *xml = virStorageVolGetXMLDesc(v, 0);
    struct xdoc d;
    g_atomic_int_inc((gint *)calls);
    if (!xdoc_open(&d, xml)) {
        xdoc_close(&d);
        free(xml);
        return NULL;
    }
    struct vd_volume *vol = g_new0(struct vd_volume, 1);
    g_autofree char *rawpath = xraw(&d, NULL, "string(/volume/target/path)");
    g_autofree char *rawname = xraw(&d, NULL, "string(/volume/name)");
    vol->name = vd_sanitize(rawname);
    vol->key = xstr(&d, NULL, "string(/volume/key)");
    vol->path = vd_sanitize(rawpath);
    vol->format = xstr(&d, NULL, "string(/volume/target/format/@type)");
    vol->type = xstr(&d, NULL, "string(/volume/@type)");
    vol->capacity = xu64(&d, "string(/volume/capacity)");
    vol->allocation = xu64(&d, "string(/volume/allocation)");
    vol->users = users_for(users, pool, rawname, rawpath);
    xdoc_close(&d);
    free(xml);
    return vol;
}

/* The calls of one fetch, made at once where they do not depend on each
 * other (parallel.h): the 4 pool lists, then per pool its XML and volume
 * list, then per pool its volumes' XML. Over a slow link that is 4 round
 * trips whatever the number of pools and volumes. */
struct fetch_run {
    virConnectPtr vc;
    GHashTable *users;          /* read only meanwhile */
    guint calls;                /* atomic */
    virStoragePoolPtr *lists[4];        /* all, active, autostart, persistent */
    int counts[4];
    char *list_error;           /* of the "all" list */
    struct vd_pool **pools;     /* per pool of "all", NULL: its XML failed */
};

struct vols_run {
    struct fetch_run *f;
    const char *pool;
    virStorageVolPtr *vols;
    struct vd_volume **out;
};

static void
fetch_list(guint i, gpointer data)
{
    static const unsigned flags[] = { 0, VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE,
                                      VIR_CONNECT_LIST_STORAGE_POOLS_AUTOSTART,
                                      VIR_CONNECT_LIST_STORAGE_POOLS_PERSISTENT };
    struct fetch_run *f = data;

    f->counts[i] = virConnectListAllStoragePools(f->vc, &f->lists[i], flags[i]);
    g_atomic_int_inc((gint *)&f->calls);
    if (i == 0 && f->counts[i] < 0)
        f->list_error = vd_sanitize(virGetLastErrorMessage());
}

static void
fetch_volume(guint i, gpointer data)
{
    struct vols_run *r = data;

    r->out[i] = volume_from(r->vols[i], r->pool, r->f->users, &r->f->calls);
}

static void
fetch_pool(guint i, gpointer data)
{
    struct fetch_run *f = data;
    virStoragePoolPtr pool = f->lists[0][i];
    char *xml = virStoragePoolGetXMLDesc(pool, 0);
    struct xdoc d;

    g_atomic_int_inc((gint *)&f->calls);
    if (!xdoc_open(&d, xml)) {
        xdoc_close(&d);
        free(xml);
        return;
    }
    struct vd_pool *p = g_new0(struct vd_pool, 1);
    g_autofree char *rawname = xraw(&d, NULL, "string(/pool/name)");
    g_autofree char *rawuuid = xraw(&d, NULL, "string(/pool/uuid)");
    p->name = vd_sanitize(rawname);
    p->uuid = vd_sanitize(rawuuid);
    p->type = xstr(&d, NULL, "string(/pool/@type)");
    p->capacity = xu64(&d, "string(/pool/capacity)");
    p->allocation = xu64(&d, "string(/pool/allocation)");
    p->available = xu64(&d, "string(/pool/available)");
    p->target = xstr(&d, NULL, "string(/pool/target/path)");
    g_autofree char *host = xstr(&d, NULL, "string(/pool/source/host/@name)");
    g_autofree char *dir = xstr(&d, NULL, "string(/pool/source/dir/@path)");
    g_autofree char *sname = xstr(&d, NULL, "string(/pool/source/name)");
    g_autofree char *dev = xstr(&d, NULL, "string(/pool/source/device/@path)");
    if (*host)
        p->source = g_strdup_printf("%s:%s", host, *dir ? dir : sname);
    else if (*sname)
        p->source = g_strdup(sname);
    else
        p->source = g_strdup(dev);
    xdoc_close(&d);
    free(xml);
    p->state = in_list(f->lists[1], f->counts[1], rawuuid) ? VD_POOL_RUNNING : VD_POOL_INACTIVE;
    p->autostart = in_list(f->lists[2], f->counts[2], rawuuid);
    p->persistent = f->counts[3] < 0 || in_list(f->lists[3], f->counts[3], rawuuid);
    p->volumes = g_ptr_array_new_with_free_func(volume_free);
    if (p->state == VD_POOL_RUNNING) {
        struct vols_run r = { f, rawname, NULL, NULL };
        int nv = virStoragePoolListAllVolumes(pool, &r.vols, 0);
        g_atomic_int_inc((gint *)&f->calls);
        if (nv < 0)
            p->error = vd_sanitize(virGetLastErrorMessage());
        if (nv > 0) {
            r.out = g_new0(struct vd_volume *, nv);
            vd_parallel((guint)nv, fetch_volume, &r);
            for (int k = 0; k < nv; k++) {
                if (r.out[k])
                    g_ptr_array_add(p->volumes, r.out[k]);
                virStorageVolFree(r.vols[k]);
            }
            g_free(r.out);
        }
        free(r.vols);
        g_ptr_array_sort(p->volumes, cmp_vol);
    } else {
        p->capacity = p->allocation = p->available = 0;
    }
    f->pools[i] = p;
}

static struct vd_storage_snap *
fetch(virConnectPtr vc, GHashTable *users, guint *calls)
{
    struct vd_storage_snap *s = snap_new();
    struct fetch_run f = { .vc = vc, .users = users };
    int n_all;

    vd_parallel(4, fetch_list, &f);
    n_all = MAX(f.counts[0], 0);
    if (f.list_error)
        s->error = g_steal_pointer(&f.list_error);
    f.pools = g_new0(struct vd_pool *, n_all + 1);
    vd_parallel((guint)n_all, fetch_pool, &f);
    for (int i = 0; i < n_all; i++)
        if (f.pools[i])
            g_ptr_array_add(s->pools, f.pools[i]);
    g_free(f.pools);
    for (unsigned l = 0; l < G_N_ELEMENTS(f.lists); l++) {
        for (int i = 0; i < f.counts[l]; i++)
            virStoragePoolFree(f.lists[l][i]);
        free(f.lists[l]);
    }
    *calls += f.calls;
    g_ptr_array_sort(s->pools, cmp_pool);
    s->loaded = true;
    return s;
}

struct sync_fetch {
    bool with_users;
};

static void
sync_fetch_task(virConnectPtr vc, struct vd_task *t, gpointer data)
{
    struct sync_fetch *sf = data;
    guint calls = 0;
    GHashTable *users = sf->with_users ? users_compute(vc, &calls) : NULL;
    struct vd_storage_snap *s = fetch(vc, users, &calls);
    s->calls = calls;
    if (users)
        g_hash_table_unref(users);
    if (s->error)
        vd_task_fail(t, "%s", s->error);
    vd_task_set_result(t, s, (GDestroyNotify)vd_storage_snap_unref);
}

struct vd_storage_snap *
vd_storage_fetch_sync(const char *uri, bool with_users, char **error)
{
    struct sync_fetch sf = { with_users };
    gpointer result = NULL;
    char *msg = NULL;
    bool ok = vd_conn_run_sync(uri, sync_fetch_task, &sf, &msg, &result);
    if (!ok) {
        if (error)
            *error = g_steal_pointer(&msg);
        vd_storage_snap_unref(result);
        g_free(msg);
        return NULL;
    }
    g_free(msg);
    return result;
}

/* ---- the watcher --------------------------------------------------------- */

struct vd_storage {
    gatomicrefcount ref;
    struct vd_conn *c;
    vd_storage_notify_fn notify;
    gpointer user;
    gint closed;
    gint fetch_queued;
    gint force_users;
    GMutex lock;
    struct vd_storage_snap *snap;     /* lock */
    /* worker thread only (quick tasks run one at a time) */
    virConnectPtr ev_vc;
    int ev_lifecycle, ev_refresh;
    GHashTable *users;
    gint64 users_time;
};

static struct vd_storage *
storage_ref(struct vd_storage *st)
{
    g_atomic_ref_count_inc(&st->ref);
    return st;
}

static void
storage_unref(gpointer p)
{
    struct vd_storage *st = p;
    if (!st || !g_atomic_ref_count_dec(&st->ref))
        return;
    vd_storage_snap_unref(st->snap);
    if (st->users)
        g_hash_table_unref(st->users);
    if (st->ev_vc)
        virConnectClose(st->ev_vc);
    g_mutex_clear(&st->lock);
    g_free(st);
}

static void queue_fetch(struct vd_storage *st, bool force_users);

static void
pool_event_cb(virConnectPtr vc G_GNUC_UNUSED, virStoragePoolPtr pool G_GNUC_UNUSED,
              int event G_GNUC_UNUSED, int detail G_GNUC_UNUSED, void *opaque)
{
    queue_fetch(opaque, false);
}

static void
pool_refresh_cb(virConnectPtr vc G_GNUC_UNUSED, virStoragePoolPtr pool G_GNUC_UNUSED, void *opaque)
{
    queue_fetch(opaque, false);
}

static void
events_deregister(struct vd_storage *st)
{
    if (!st->ev_vc)
        return;
    if (st->ev_lifecycle >= 0)
        virConnectStoragePoolEventDeregisterAny(st->ev_vc, st->ev_lifecycle);
    if (st->ev_refresh >= 0)
        virConnectStoragePoolEventDeregisterAny(st->ev_vc, st->ev_refresh);
    virConnectClose(st->ev_vc);
    st->ev_vc = NULL;
    st->ev_lifecycle = st->ev_refresh = -1;
}

/* After a reconnect the worker has a new connection: register there. */
static void
events_register(struct vd_storage *st, virConnectPtr vc)
{
    if (st->ev_vc == vc)
        return;
    events_deregister(st);
    virResetLastError();
    st->ev_lifecycle = virConnectStoragePoolEventRegisterAny(
        vc, NULL, VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE, VIR_STORAGE_POOL_EVENT_CALLBACK(pool_event_cb),
        storage_ref(st), storage_unref);
    if (st->ev_lifecycle < 0)
        storage_unref(st);
    st->ev_refresh = virConnectStoragePoolEventRegisterAny(
        vc, NULL, VIR_STORAGE_POOL_EVENT_ID_REFRESH, VIR_STORAGE_POOL_EVENT_CALLBACK(pool_refresh_cb),
        storage_ref(st), storage_unref);
    if (st->ev_refresh < 0)
        storage_unref(st);
    virConnectRef(vc);
    st->ev_vc = vc;
}

static void
fetch_task(virConnectPtr vc, struct vd_task *t, gpointer data)
{
    struct vd_storage *st = data;
    guint calls = 0;

    g_atomic_int_set(&st->fetch_queued, 0);
    if (g_atomic_int_get(&st->closed))
        return;
    events_register(st, vc);
    gint64 now = g_get_monotonic_time();
    if (g_atomic_int_get(&st->force_users) || !st->users ||
        now - st->users_time > USERS_MAX_AGE_US) {
        g_atomic_int_set(&st->force_users, 0);
        if (st->users)
            g_hash_table_unref(st->users);
        st->users = users_compute(vc, &calls);
        st->users_time = now;
    }
    struct vd_storage_snap *s = fetch(vc, st->users, &calls);
    s->calls = calls;
    vd_task_set_result(t, s, (GDestroyNotify)vd_storage_snap_unref);
}

static void
fetch_done(struct vd_conn *c G_GNUC_UNUSED, bool ok, const char *message, gpointer result, gpointer user)
{
    struct vd_storage *st = user;
    struct vd_storage_snap *s = result;

    if (g_atomic_int_get(&st->closed))
        return;
    if (!s) {
        /* not connected: keep the pools shown, say why */
        s = snap_new();
        s->error = g_strdup(message && *message ? message : _("Not connected"));
        (void)ok;
    } else {
        vd_storage_snap_ref(s);
    }
    g_mutex_lock(&st->lock);
    struct vd_storage_snap *old = st->snap;
    st->snap = s;
    g_mutex_unlock(&st->lock);
    vd_storage_snap_unref(old);
    if (st->notify)
        st->notify(st, st->user);
}

static void
queue_fetch(struct vd_storage *st, bool force_users)
{
    if (force_users)
        g_atomic_int_set(&st->force_users, 1);
    if (g_atomic_int_get(&st->closed) || !g_atomic_int_compare_and_exchange(&st->fetch_queued, 0, 1))
        return;
    vd_conn_submit(st->c, VD_TASK_QUICK, NULL, fetch_task, storage_ref(st), storage_unref, fetch_done, st);
}

struct vd_storage *
vd_storage_open(struct vd_conn *c, vd_storage_notify_fn notify, gpointer user)
{
    struct vd_storage *st = g_new0(struct vd_storage, 1);
    g_atomic_ref_count_init(&st->ref);
    g_mutex_init(&st->lock);
    st->c = c;
    st->notify = notify;
    st->user = user;
    st->ev_lifecycle = st->ev_refresh = -1;
    st->snap = snap_new();
    queue_fetch(st, true);
    return st;
}

static void
close_task(virConnectPtr vc G_GNUC_UNUSED, struct vd_task *t G_GNUC_UNUSED, gpointer data)
{
    events_deregister(data);
}

void
vd_storage_close(struct vd_storage *st)
{
    if (!st)
        return;
    g_atomic_int_set(&st->closed, 1);
    st->notify = NULL;
    /* the worker deregisters the events; the last reference goes with it */
    vd_conn_submit(st->c, VD_TASK_QUICK, NULL, close_task, st, storage_unref, NULL, NULL);
}

void
vd_storage_abandon(struct vd_storage *st)
{
    if (!st)
        return;
    g_atomic_int_set(&st->closed, 1);
    st->notify = NULL;
    storage_unref(st);
}

struct vd_storage_snap *
vd_storage_snapshot(struct vd_storage *st)
{
    g_mutex_lock(&st->lock);
    struct vd_storage_snap *s = vd_storage_snap_ref(st->snap);
    g_mutex_unlock(&st->lock);
    return s;
}

void
vd_storage_refresh(struct vd_storage *st)
{
    queue_fetch(st, true);
}

/* ---- actions -------------------------------------------------------------- */

enum act_kind { ACT_POOL_CREATE, ACT_POOL_OP, ACT_VOL_CREATE, ACT_VOL_DELETE, ACT_VOL_RESIZE,
                ACT_VOL_CLONE, ACT_UPLOAD, ACT_DOWNLOAD };

struct act {
    struct vd_storage *st;     /* may be NULL (sync transfers) */
    enum act_kind kind;
    char *pool, *vol, *xml, *file, *new_name, *backing_path, *backing_format;
    enum vd_pool_op op;
    bool build, start, autostart, wipe, shrink;
    guint64 capacity;
    struct vd_vol_plan plan;
    vd_task_done_fn done;
    gpointer user;
};

static void
act_free(gpointer p)
{
    struct act *a = p;
    if (a->st)
        storage_unref(a->st);
    g_free(a->pool);
    g_free(a->vol);
    g_free(a->xml);
    g_free(a->file);
    g_free(a->new_name);
    g_free(a->backing_path);
    g_free(a->backing_format);
    g_free((char *)a->plan.name);
    g_free(a);
}

static void
act_done(struct vd_conn *c, bool ok, const char *message, gpointer result, gpointer user)
{
    struct act *a = user;
    if (a->done)
        a->done(c, ok, message, result, a->user);
    if (a->st && !g_atomic_int_get(&a->st->closed))
        queue_fetch(a->st, true);
}

static struct act *
act_new(struct vd_storage *st, enum act_kind kind, const char *pool, const char *vol,
        vd_task_done_fn done, gpointer user)
{
    struct act *a = g_new0(struct act, 1);
    a->st = st ? storage_ref(st) : NULL;
    a->kind = kind;
    a->pool = g_strdup(pool);
    a->vol = g_strdup(vol);
    a->done = done;
    a->user = user;
    return a;
}

static void act_task(virConnectPtr vc, struct vd_task *t, gpointer data);

static void
act_submit(struct act *a, enum vd_task_kind kind, const char *label)
{
    vd_conn_submit(a->st->c, kind, label, act_task, a, act_free, act_done, a);
}

static char *
pool_users_now(virConnectPtr vc, virStoragePoolPtr pool, const char *pool_name, bool running_only)
{
    guint calls = 0;
    GHashTable *h = users_compute(vc, &calls);
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    virStorageVolPtr *vols = NULL;
    int nv = virStoragePoolIsActive(pool) == 1 ? virStoragePoolListAllVolumes(pool, &vols, 0) : 0;
    for (int i = 0; i < nv; i++) {
        char *path = virStorageVolGetPath(vols[i]);
        GPtrArray *u = users_for(h, pool_name, virStorageVolGetName(vols[i]), path);
        for (guint k = 0; k < u->len; k++) {
            const struct vd_vol_user *vu = g_ptr_array_index(u, k);
            bool seen = false;
            if (running_only && !vu->active)
                continue;
            for (guint j = 0; j < names->len && !seen; j++)
                seen = strcmp(g_ptr_array_index(names, j), vu->domain) == 0;
            if (!seen)
                g_ptr_array_add(names, g_strdup(vu->domain));
        }
        g_ptr_array_unref(u);
        free(path);
        virStorageVolFree(vols[i]);
    }
    free(vols);
    g_hash_table_unref(h);
    char *r = NULL;
    if (names->len) {
        g_ptr_array_add(names, NULL);
        r = g_strjoinv(", ", (char **)names->pdata);
    }
    g_ptr_array_unref(names);
    return r;
}

static GPtrArray *
vol_users_now(virConnectPtr vc, const char *pool, virStorageVolPtr vol)
{
    guint calls = 0;
    GHashTable *h = users_compute(vc, &calls);
    char *path = virStorageVolGetPath(vol);
    GPtrArray *u = users_for(h, pool, virStorageVolGetName(vol), path);
    free(path);
    g_hash_table_unref(h);
    return u;
}

static char *
user_names(GPtrArray *u)
{
    GPtrArray *names = g_ptr_array_new();
    for (guint i = 0; i < u->len; i++) {
        const struct vd_vol_user *vu = g_ptr_array_index(u, i);
        bool seen = false;
        for (guint j = 0; j < names->len && !seen; j++)
            seen = strcmp(g_ptr_array_index(names, j), vu->domain) == 0;
        if (!seen)
            g_ptr_array_add(names, vu->domain);
    }
    return join_names(names);
}

static void
do_pool_create(virConnectPtr vc, struct vd_task *t, struct act *a)
{
    virStoragePoolPtr p = virStoragePoolDefineXML(vc, a->xml, 0);
    if (!p) {
        vd_task_fail_libvirt(t, _("Could not define the pool"));
        return;
    }
    g_autofree char *name = vd_sanitize(virStoragePoolGetName(p));
    if (a->build && virStoragePoolBuild(p, 0) < 0)
        vd_task_fail_libvirt(t, _("Pool %s defined, but building it failed"), name);
    else if (a->start && virStoragePoolCreate(p, 0) < 0)
        vd_task_fail_libvirt(t, _("Pool %s defined, but starting it failed"), name);
    else if (a->autostart && virStoragePoolSetAutostart(p, 1) < 0)
        vd_task_fail_libvirt(t, _("Pool %s defined, but setting autostart failed"), name);
    else
        vd_task_set_message(t, a->start ? _("Pool %s created and started") : _("Pool %s defined"), name);
    virStoragePoolFree(p);
}

static void
do_pool_op(virConnectPtr vc, struct vd_task *t, struct act *a)
{
    g_autofree char *name = vd_sanitize(a->pool);
    virStoragePoolPtr p = virStoragePoolLookupByName(vc, a->pool);
    if (!p) {
        vd_task_fail_libvirt(t, _("Pool %s not found"), name);
        return;
    }
    int active = virStoragePoolIsActive(p);
    switch (a->op) {
    case VD_POOL_BUILD:
        if (virStoragePoolBuild(p, 0) < 0)
            vd_task_fail_libvirt(t, _("Could not build pool %s"), name);
        else
            vd_task_set_message(t, _("Pool %s built"), name);
        break;
    case VD_POOL_START:
        if (virStoragePoolCreate(p, 0) < 0)
            vd_task_fail_libvirt(t, _("Could not start pool %s"), name);
        else
            vd_task_set_message(t, _("Pool %s started"), name);
        break;
    case VD_POOL_STOP:
    case VD_POOL_DELETE:
    case VD_POOL_DELETE_STORAGE: {
        g_autofree char *users = pool_users_now(vc, p, a->pool, false);
        if (users) {
            if (a->op == VD_POOL_STOP)
                vd_task_fail(t, _("Pool %s is in use by %s: not stopped"), name, users);
            else
                vd_task_fail(t, _("Pool %s is in use by %s: not deleted"), name, users);
            break;
        }
        if (a->op == VD_POOL_STOP) {
            if (virStoragePoolDestroy(p) < 0)
                vd_task_fail_libvirt(t, _("Could not stop pool %s"), name);
            else
                vd_task_set_message(t, _("Pool %s stopped"), name);
            break;
        }
        if (a->op == VD_POOL_DELETE_STORAGE) {
            /* the directory goes only when empty: its volumes first */
            if (active != 1 && virStoragePoolCreate(p, 0) == 0)
                active = 1;
            virStorageVolPtr *vols = NULL;
            int nv = active == 1 ? virStoragePoolListAllVolumes(p, &vols, 0) : 0;
            bool failed = false;
            for (int i = 0; i < nv; i++) {
                if (!failed && virStorageVolDelete(vols[i], 0) < 0) {
                    g_autofree char *vn = vd_sanitize(virStorageVolGetName(vols[i]));
                    vd_task_fail_libvirt(t, _("Could not delete volume %s of pool %s"), vn, name);
                    failed = true;
                }
                virStorageVolFree(vols[i]);
            }
            free(vols);
            if (failed)
                break;
        }
        if (active == 1 && virStoragePoolDestroy(p) < 0) {
            vd_task_fail_libvirt(t, _("Could not stop pool %s"), name);
            break;
        }
        if (a->op == VD_POOL_DELETE_STORAGE && virStoragePoolDelete(p, 0) < 0) {
            vd_task_fail_libvirt(t, _("Pool %s stopped, but deleting its storage failed"), name);
            break;
        }
        if (virStoragePoolIsPersistent(p) == 1 && virStoragePoolUndefine(p) < 0)
            vd_task_fail_libvirt(t, _("Could not undefine pool %s"), name);
        else if (a->op == VD_POOL_DELETE_STORAGE)
            vd_task_set_message(t, _("Pool %s and its storage deleted"), name);
        else
            vd_task_set_message(t, _("Pool %s deleted (its storage was kept)"), name);
        break;
    }
    case VD_POOL_REFRESH:
        if (virStoragePoolRefresh(p, 0) < 0)
            vd_task_fail_libvirt(t, _("Could not refresh pool %s"), name);
        else
            vd_task_set_message(t, _("Pool %s refreshed"), name);
        break;
    case VD_POOL_AUTOSTART_ON:
    case VD_POOL_AUTOSTART_OFF:
        if (virStoragePoolSetAutostart(p, a->op == VD_POOL_AUTOSTART_ON) < 0)
            vd_task_fail_libvirt(t, _("Could not change autostart of pool %s"), name);
        else if (a->op == VD_POOL_AUTOSTART_ON)
            vd_task_set_message(t, _("Pool %s starts with the host"), name);
        else
            vd_task_set_message(t, _("Pool %s no longer starts with the host"), name);
        break;
    }
    virStoragePoolFree(p);
}

static virStorageVolPtr
lookup_vol(virConnectPtr vc, struct vd_task *t, const char *pool, const char *vol, virStoragePoolPtr *pool_out)
{
    g_autofree char *pn = vd_sanitize(pool);
    g_autofree char *vn = vd_sanitize(vol);
    virStoragePoolPtr p = virStoragePoolLookupByName(vc, pool);
    if (!p) {
        vd_task_fail_libvirt(t, _("Pool %s not found"), pn);
        return NULL;
    }
    virStorageVolPtr v = virStorageVolLookupByName(p, vol);
    if (!v)
        vd_task_fail_libvirt(t, _("Volume %s not found in pool %s"), vn, pn);
    if (pool_out && v)
        *pool_out = p;
    else
        virStoragePoolFree(p);
    return v;
}

static void
do_vol_create(virConnectPtr vc, struct vd_task *t, struct act *a)
{
    g_autofree char *pn = vd_sanitize(a->pool);
    g_autofree char *vn = vd_sanitize(a->plan.name);
    g_autofree char *err = NULL;
    g_autofree char *xml = vd_vol_xml(&a->plan, &err);
    if (!xml) {
        vd_task_fail(t, "%s", err);
        return;
    }
    virStoragePoolPtr p = virStoragePoolLookupByName(vc, a->pool);
    if (!p) {
        vd_task_fail_libvirt(t, _("Pool %s not found"), pn);
        return;
    }
    virStorageVolPtr v = virStorageVolCreateXML(p, xml, vd_vol_plan_create_flags(&a->plan));
    if (!v) {
        vd_task_fail_libvirt(t, _("Could not create volume %s"), vn);
    } else {
        if (vd_vol_plan_needs_zero_fill(&a->plan) &&
            virStorageVolWipePattern(v, VIR_STORAGE_VOL_WIPE_ALG_ZERO, 0) < 0)
            vd_task_fail_libvirt(t, _("Volume %s created, but writing zeros failed"), vn);
        else
            vd_task_set_message(t, _("Volume %s created in pool %s"), vn, pn);
        virStorageVolFree(v);
    }
    virStoragePoolFree(p);
}

static void
do_vol_delete(virConnectPtr vc, struct vd_task *t, struct act *a)
{
    g_autofree char *vn = vd_sanitize(a->vol);
    virStorageVolPtr v = lookup_vol(vc, t, a->pool, a->vol, NULL);
    if (!v)
        return;
    GPtrArray *u = vol_users_now(vc, a->pool, v);
    g_autofree char *users = user_names(u);
    g_ptr_array_unref(u);
    if (users)
        vd_task_fail(t, _("Volume %s is in use by %s: not deleted"), vn, users);
    else if (a->wipe && virStorageVolWipe(v, 0) < 0)
        vd_task_fail_libvirt(t, _("Could not wipe volume %s (not deleted)"), vn);
    else if (virStorageVolDelete(v, 0) < 0)
        vd_task_fail_libvirt(t, _("Could not delete volume %s"), vn);
    else
        vd_task_set_message(t, a->wipe ? _("Volume %s wiped and deleted") : _("Volume %s deleted"), vn);
    virStorageVolFree(v);
}

static void
do_vol_resize(virConnectPtr vc, struct vd_task *t, struct act *a)
{
    g_autofree char *vn = vd_sanitize(a->vol);
    g_autofree char *size = vd_format_bytes(a->capacity);
    virStorageVolInfo info;
    virStorageVolPtr v = lookup_vol(vc, t, a->pool, a->vol, NULL);
    if (!v)
        return;
    if (virStorageVolGetInfo(v, &info) < 0) {
        vd_task_fail_libvirt(t, _("Could not read volume %s"), vn);
        virStorageVolFree(v);
        return;
    }
    bool shrinking = a->capacity < info.capacity;
    GPtrArray *u = vol_users_now(vc, a->pool, v);
    const struct vd_vol_user *running = NULL;
    for (guint i = 0; i < u->len && !running; i++)
        if (((struct vd_vol_user *)g_ptr_array_index(u, i))->active)
            running = g_ptr_array_index(u, i);
    if (a->capacity == info.capacity) {
        vd_task_set_message(t, _("Volume %s already has %s"), vn, size);
    } else if (shrinking && !a->shrink) {
        vd_task_fail(t, _("%s is smaller than volume %s: shrinking needs confirmation"), size, vn);
    } else if (running && shrinking) {
        vd_task_fail(t, _("Volume %s is a disk of running domain %s: it can only grow"), vn, running->domain);
    } else if (running) {
        virDomainPtr d = virDomainLookupByName(vc, running->domain);
        char *path = virStorageVolGetPath(v);
        if (!d || !path || virDomainBlockResize(d, path, a->capacity, VIR_DOMAIN_BLOCK_RESIZE_BYTES) < 0)
            vd_task_fail_libvirt(t, _("Could not grow disk %s of running domain %s"), vn, running->domain);
        else
            vd_task_set_message(t, _("Disk %s of running domain %s grown to %s"), vn, running->domain, size);
        free(path);
        if (d)
            virDomainFree(d);
    } else if (virStorageVolResize(v, a->capacity, shrinking ? VIR_STORAGE_VOL_RESIZE_SHRINK : 0) < 0) {
        vd_task_fail_libvirt(t, _("Could not resize volume %s"), vn);
    } else {
        vd_task_set_message(t, _("Volume %s resized to %s"), vn, size);
    }
    g_ptr_array_unref(u);
    virStorageVolFree(v);
}

/* ---- clone: the copy runs on a helper thread, we watch the new volume ---- */

struct clone_call {
    virStoragePoolPtr pool;
    virStorageVolPtr src;
    char *xml;
    virStorageVolPtr result;
    char *err;
    gint done;
};

static gpointer
clone_thread(gpointer data)
{
    struct clone_call *cc = data;
    cc->result = virStorageVolCreateXMLFrom(cc->pool, cc->xml, cc->src, 0);
    if (!cc->result)
        cc->err = g_strdup(virGetLastErrorMessage());
    g_atomic_int_set(&cc->done, 1);
    return NULL;
}

static void
do_vol_clone(virConnectPtr vc G_GNUC_UNUSED, struct vd_task *t, struct act *a)
{
    g_autofree char *vn = vd_sanitize(a->vol);
    g_autofree char *nn = vd_sanitize(a->new_name);
    virStoragePoolPtr p = NULL;
    virStorageVolPtr v = lookup_vol(vc, t, a->pool, a->vol, &p);
    if (!v)
        return;
    virStorageVolInfo info;
    char *sxml = virStorageVolGetXMLDesc(v, 0);
    struct xdoc d;
    enum vd_vol_format f = VD_VOL_RAW;
    if (xdoc_open(&d, sxml)) {
        g_autofree char *fmt = xraw(&d, NULL, "string(/volume/target/format/@type)");
        vd_vol_format_parse(fmt, &f);
    }
    xdoc_close(&d);
    free(sxml);
    if (virStorageVolGetInfo(v, &info) < 0) {
        vd_task_fail_libvirt(t, _("Could not read volume %s"), vn);
        goto out;
    }
    struct vd_vol_plan plan = { .name = a->new_name, .format = f, .capacity = info.capacity };
    g_autofree char *err = NULL;
    struct clone_call cc = { .pool = p, .src = v };
    cc.xml = vd_vol_xml(&plan, &err);
    if (!cc.xml) {
        vd_task_fail(t, "%s", err);
        goto out;
    }
    gint64 start = g_get_monotonic_time();
    GThread *th = g_thread_new("vd-clone", clone_thread, &cc);
    virStorageVolPtr nv = NULL;
    while (!g_atomic_int_get(&cc.done)) {
        g_usleep(300 * 1000);
        if (g_atomic_int_get(&cc.done))
            break;
        /* progress where libvirt lets us see it: the new file's allocation */
        if (!nv)
            nv = virStorageVolLookupByName(p, a->new_name);
        virStorageVolInfo ni;
        int pct = -1;
        if (nv && virStorageVolGetInfo(nv, &ni) == 0 && info.allocation > 0)
            pct = (int)MIN(99, ni.allocation * 100 / info.allocation);
        g_autofree char *detail = g_strdup_printf(_("%d s"), (int)((g_get_monotonic_time() - start) / G_USEC_PER_SEC));
        vd_task_progress(t, pct, detail);
        virResetLastError();
    }
    g_thread_join(th);
    if (nv)
        virStorageVolFree(nv);
    if (!cc.result) {
        vd_task_fail(t, _("Could not clone volume %s: %s"), vn, cc.err ? cc.err : "?");
    } else {
        vd_task_set_message(t, _("Volume %s cloned to %s"), vn, nn);
        virStorageVolFree(cc.result);
    }
    g_free(cc.err);
    g_free(cc.xml);
out:
    virStorageVolFree(v);
    virStoragePoolFree(p);
}

/* ---- upload and download ---------------------------------------------- */

struct meter {
    struct vd_task *t;
    guint64 total;
    gint64 start, last;
    const char *what;         /* shown before the speed (a step of a longer task), may be NULL */
};

static void
meter_update(struct meter *m, guint64 done, bool force)
{
    gint64 now = g_get_monotonic_time();
    if (!force && now - m->last < 250 * 1000)
        return;
    m->last = now;
    double secs = (now - m->start) / 1e6;
    double speed = secs > 0 ? done / secs : 0;
    int pct = m->total ? (int)MIN(100, done * 100 / m->total) : -1;
    g_autofree char *sp = vd_format_bytes((guint64)speed);
    g_autofree char *detail = NULL;
    if (speed > 0 && m->total > done) {
        guint64 left = (guint64)((m->total - done) / speed);
        detail = g_strdup_printf(_("%s/s, %u:%02u left"), sp, (unsigned)(left / 60), (unsigned)(left % 60));
    } else {
        detail = g_strdup_printf(_("%s/s"), sp);
    }
    if (m->what) {
        /* TRANSLATORS: "uploading vmlinuz: 12 MiB/s, 0:02 left" */
        g_autofree char *d = g_strdup_printf(_("%1$s: %2$s"), m->what, detail);
        vd_task_progress(m->t, pct, d);
        return;
    }
    vd_task_progress(m->t, pct, detail);
}

/* The stream loop of an upload: size bytes of fd into v. Fails t and
 * returns false on error or cancel (the stream is aborted). */
static bool
upload_fd(virConnectPtr vc, struct vd_task *t, virStorageVolPtr v, int fd, guint64 size, bool sparse,
          const char *fn, const char *vn, struct meter *m)
{
    virStreamPtr st = virStreamNew(vc, 0);
    char *buf = NULL;
    guint64 off = 0;
    bool ok = true, done = false;

    if (!st || virStorageVolUpload(v, st, 0, size, sparse ? VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM : 0) < 0) {
        vd_task_fail_libvirt(t, _("Could not upload to volume %s"), vn);
        goto out;
    }
    buf = g_malloc(STREAM_BUF);
    m->start = g_get_monotonic_time();
    while (off < size && ok) {
        if (vd_task_cancelled(t)) {
            virStreamAbort(st);
            vd_task_fail(t, _("Upload to %s cancelled"), vn);
            goto out;
        }
        /* holes of the local file are sent as holes */
        off_t data = sparse ? lseek(fd, off, SEEK_DATA) : (off_t)off;
        if (data < 0 && errno == ENXIO)
            data = size;
        if (data >= 0 && (guint64)data > off) {
            if (virStreamSendHole(st, (guint64)data - off, 0) < 0) {
                ok = false;
                break;
            }
            off = data;
            meter_update(m, off, false);
            continue;
        }
        off_t hole = sparse ? lseek(fd, off, SEEK_HOLE) : (off_t)size;
        guint64 end = hole > 0 && (guint64)hole > off ? MIN((guint64)hole, size) : size;
        while (off < end) {
            size_t want = MIN((guint64)STREAM_BUF, end - off);
            ssize_t r = pread(fd, buf, want, off);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0) {
                virStreamAbort(st);
                vd_task_fail(t, _("Reading %s failed: %s"), fn, r < 0 ? g_strerror(errno) : _("file shrank"));
                goto out;
            }
            for (ssize_t sent = 0; sent < r;) {
                int n = virStreamSend(st, buf + sent, r - sent);
                if (n < 0) {
                    ok = false;
                    break;
                }
                sent += n;
            }
            if (!ok)
                break;
            off += r;
            meter_update(m, off, false);
            if (vd_task_cancelled(t))
                break;
        }
    }
    if (!ok) {
        vd_task_fail_libvirt(t, _("Upload to volume %s failed"), vn);
        virStreamAbort(st);
        goto out;
    }
    if (vd_task_cancelled(t)) {
        virStreamAbort(st);
        vd_task_fail(t, _("Upload to %s cancelled"), vn);
        goto out;
    }
    if (virStreamFinish(st) < 0) {
        vd_task_fail_libvirt(t, _("Upload to volume %s failed"), vn);
        goto out;
    }
    meter_update(m, size, true);
    done = true;
out:
    g_free(buf);
    if (st)
        virStreamFree(st);
    return done;
}

bool
vd_storage_upload_fd(virConnectPtr vc, struct vd_task *t, virStorageVolPtr v, int fd, guint64 size,
                     const char *what)
{
    g_autofree char *vn = vd_sanitize(virStorageVolGetName(v));
    struct meter m = { t, size, g_get_monotonic_time(), 0, what };

    return upload_fd(vc, t, v, fd, size, false, what ? what : "", vn, &m);
}

static void
do_upload(virConnectPtr vc, struct vd_task *t, struct act *a)
{
    g_autofree char *vn = vd_sanitize(a->vol);
    g_autofree char *fn = vd_sanitize(a->file);
    int fd = open(a->file, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
        vd_task_fail(t, _("Cannot read %s: %s"), fn, fd < 0 ? g_strerror(errno) : _("not a regular file"));
        if (fd >= 0)
            close(fd);
        return;
    }
    virStorageVolPtr v = lookup_vol(vc, t, a->pool, a->vol, NULL);
    virStorageVolInfo info;
    if (!v)
        goto out;
    if (virStorageVolGetInfo(v, &info) < 0) {
        vd_task_fail_libvirt(t, _("Could not read volume %s"), vn);
        goto out;
    }
    if ((guint64)sb.st_size > info.capacity) {
        g_autofree char *fs = vd_format_bytes(sb.st_size);
        g_autofree char *vs = vd_format_bytes(info.capacity);
        vd_task_fail(t, _("%s (%s) is larger than volume %s (%s): resize the volume first"), fn, fs, vn, vs);
        goto out;
    }
    /* Holes are sent as holes only into a volume with nothing allocated:
     * the daemon skips over a hole without writing, so older data of the
     * volume would show through (virsh vol-upload --sparse has the same
     * trap). And only for files with holes: the daemon's hole checks cost
     * 10-20 % on dense data. */
    bool sparse = (guint64)sb.st_blocks * 512 < (guint64)sb.st_size && info.allocation == 0;
    struct meter m = { t, sb.st_size, g_get_monotonic_time(), 0, NULL };
    if (upload_fd(vc, t, v, fd, sb.st_size, sparse, fn, vn, &m)) {
        guint64 size = sb.st_size;
        double secs = (g_get_monotonic_time() - m.start) / 1e6;
        g_autofree char *sz = vd_format_bytes(size);
        g_autofree char *sp = vd_format_bytes(secs > 0 ? (guint64)(size / secs) : size);
        vd_task_set_message(t, _("Uploaded %s into %s (%s in %.1f s, %s/s)"), fn, vn, sz, secs, sp);
    }
out:
    if (v)
        virStorageVolFree(v);
    close(fd);
}

static void
do_download(virConnectPtr vc, struct vd_task *t, struct act *a)
{
    g_autofree char *vn = vd_sanitize(a->vol);
    g_autofree char *fn = vd_sanitize(a->file);
    virStreamPtr st = NULL;
    char *buf = NULL;
    int fd = -1;
    bool created = false, ok = false;
    virStorageVolInfo info;
    virStorageVolPtr v = lookup_vol(vc, t, a->pool, a->vol, NULL);
    if (!v)
        return;
    /* the stream carries the volume's file: its physical size; a sparse
     * stream (holes not sent) when less than that is allocated */
    virStorageVolInfo used;
    if (virStorageVolGetInfoFlags(v, &info, VIR_STORAGE_VOL_GET_PHYSICAL) < 0 &&
        virStorageVolGetInfo(v, &info) < 0) {
        vd_task_fail_libvirt(t, _("Could not read volume %s"), vn);
        goto out;
    }
    bool sparse = virStorageVolGetInfo(v, &used) < 0 || used.allocation < info.allocation;
    fd = open(a->file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        vd_task_fail(t, _("Cannot write %s: %s"), fn, g_strerror(errno));
        goto out;
    }
    created = true;
    st = virStreamNew(vc, 0);
    if (!st || virStorageVolDownload(v, st, 0, 0, sparse ? VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM : 0) < 0) {
        vd_task_fail_libvirt(t, _("Could not download volume %s"), vn);
        goto out;
    }
    buf = g_malloc(STREAM_BUF);
    struct meter m = { t, info.allocation, g_get_monotonic_time(), 0 };
    guint64 off = 0;
    for (;;) {
        if (vd_task_cancelled(t)) {
            virStreamAbort(st);
            vd_task_fail(t, _("Download of %s cancelled"), vn);
            goto out;
        }
        int got = sparse ? virStreamRecvFlags(st, buf, STREAM_BUF, VIR_STREAM_RECV_STOP_AT_HOLE)
                         : virStreamRecv(st, buf, STREAM_BUF);
        if (got == 0)
            break;
        if (got == -3) {
            long long len = 0;
            if (virStreamRecvHole(st, &len, 0) < 0 || len < 0 || lseek(fd, len, SEEK_CUR) < 0) {
                virStreamAbort(st);
                vd_task_fail_libvirt(t, _("Download of volume %s failed"), vn);
                goto out;
            }
            off += len;
        } else if (got < 0) {
            vd_task_fail_libvirt(t, _("Download of volume %s failed"), vn);
            virStreamAbort(st);
            goto out;
        } else {
            if (!vd_write_all(fd, buf, got)) {
                virStreamAbort(st);
                vd_task_fail(t, _("Writing %s failed: %s"), fn, g_strerror(errno));
                goto out;
            }
            off += got;
        }
        meter_update(&m, off, false);
    }
    if (virStreamFinish(st) < 0) {
        vd_task_fail_libvirt(t, _("Download of volume %s failed"), vn);
        goto out;
    }
    /* a trailing hole: give the file its full length */
    if (ftruncate(fd, off) < 0 || close(fd) < 0) {
        fd = -1;
        vd_task_fail(t, _("Writing %s failed: %s"), fn, g_strerror(errno));
        goto out;
    }
    fd = -1;
    ok = true;
    {
        double secs = (g_get_monotonic_time() - m.start) / 1e6;
        g_autofree char *sz = vd_format_bytes(off);
        g_autofree char *sp = vd_format_bytes(secs > 0 ? (guint64)(off / secs) : off);
        vd_task_set_message(t, _("Downloaded %s into %s (%s in %.1f s, %s/s)"), vn, fn, sz, secs, sp);
    }
out:
    if (fd >= 0)
        close(fd);
    if (created && !ok)
        unlink(a->file);   /* no partial file left behind */
    g_free(buf);
    if (st)
        virStreamFree(st);
    virStorageVolFree(v);
}

static void
act_task(virConnectPtr vc, struct vd_task *t, gpointer data)
{
    struct act *a = data;
    switch (a->kind) {
    case ACT_POOL_CREATE: do_pool_create(vc, t, a); break;
    case ACT_POOL_OP: do_pool_op(vc, t, a); break;
    case ACT_VOL_CREATE: do_vol_create(vc, t, a); break;
    case ACT_VOL_DELETE: do_vol_delete(vc, t, a); break;
    case ACT_VOL_RESIZE: do_vol_resize(vc, t, a); break;
    case ACT_VOL_CLONE: do_vol_clone(vc, t, a); break;
    case ACT_UPLOAD: do_upload(vc, t, a); break;
    case ACT_DOWNLOAD: do_download(vc, t, a); break;
    }
    /* domains may have changed (a disk grown) */
    if (a->kind == ACT_VOL_RESIZE)
        vd_task_request_refresh(t);
}

void
vd_storage_pool_create(struct vd_storage *st, const char *xml, bool build, bool start, bool autostart,
                       vd_task_done_fn done, gpointer user)
{
    struct act *a = act_new(st, ACT_POOL_CREATE, NULL, NULL, done, user);
    a->xml = g_strdup(xml);
    a->build = build;
    a->start = start;
    a->autostart = autostart;
    act_submit(a, VD_TASK_QUICK, NULL);
}

void
vd_storage_pool_op(struct vd_storage *st, const char *pool, enum vd_pool_op op, vd_task_done_fn done,
                   gpointer user)
{
    struct act *a = act_new(st, ACT_POOL_OP, pool, NULL, done, user);
    a->op = op;
    /* building or deleting a disk/logical pool can take a while */
    if (op == VD_POOL_BUILD || op == VD_POOL_DELETE_STORAGE) {
        g_autofree char *pn = vd_sanitize(pool);
        g_autofree char *label = g_strdup_printf(op == VD_POOL_BUILD ? _("Building pool %s")
                                                                     : _("Deleting pool %s"), pn);
        act_submit(a, VD_TASK_LONG, label);
    } else {
        act_submit(a, VD_TASK_QUICK, NULL);
    }
}

void
vd_storage_vol_create(struct vd_storage *st, const char *pool, const struct vd_vol_plan *plan,
                      vd_task_done_fn done, gpointer user)
{
    struct act *a = act_new(st, ACT_VOL_CREATE, pool, NULL, done, user);
    a->plan = *plan;
    a->plan.name = g_strdup(plan->name);
    a->backing_path = g_strdup(plan->backing_path);
    a->backing_format = g_strdup(plan->backing_format);
    a->plan.backing_path = a->backing_path;
    a->plan.backing_format = a->backing_format;
    g_autofree char *vn = vd_sanitize(plan->name);
    g_autofree char *label = g_strdup_printf(_("Creating volume %s"), vn);
    /* preallocation and zero filling take time: a long task */
    act_submit(a, plan->prealloc == VD_PREALLOC_OFF ? VD_TASK_QUICK : VD_TASK_LONG, label);
}

void
vd_storage_vol_delete(struct vd_storage *st, const char *pool, const char *vol, bool wipe,
                      vd_task_done_fn done, gpointer user)
{
    struct act *a = act_new(st, ACT_VOL_DELETE, pool, vol, done, user);
    a->wipe = wipe;
    g_autofree char *vn = vd_sanitize(vol);
    g_autofree char *label = g_strdup_printf(_("Wiping volume %s"), vn);
    act_submit(a, wipe ? VD_TASK_LONG : VD_TASK_QUICK, label);
}

void
vd_storage_vol_resize(struct vd_storage *st, const char *pool, const char *vol, guint64 capacity, bool shrink,
                      vd_task_done_fn done, gpointer user)
{
    struct act *a = act_new(st, ACT_VOL_RESIZE, pool, vol, done, user);
    a->capacity = capacity;
    a->shrink = shrink;
    act_submit(a, VD_TASK_QUICK, NULL);
}

void
vd_storage_vol_clone(struct vd_storage *st, const char *pool, const char *vol, const char *new_name,
                     vd_task_done_fn done, gpointer user)
{
    struct act *a = act_new(st, ACT_VOL_CLONE, pool, vol, done, user);
    a->new_name = g_strdup(new_name);
    g_autofree char *vn = vd_sanitize(vol);
    g_autofree char *label = g_strdup_printf(_("Cloning volume %s"), vn);
    act_submit(a, VD_TASK_LONG, label);
}

void
vd_storage_vol_upload(struct vd_storage *st, const char *pool, const char *vol, const char *file,
                      vd_task_done_fn done, gpointer user)
{
    struct act *a = act_new(st, ACT_UPLOAD, pool, vol, done, user);
    a->file = g_strdup(file);
    g_autofree char *vn = vd_sanitize(vol);
    g_autofree char *label = g_strdup_printf(_("Uploading to %s"), vn);
    act_submit(a, VD_TASK_LONG, label);
}

void
vd_storage_vol_download(struct vd_storage *st, const char *pool, const char *vol, const char *file,
                        vd_task_done_fn done, gpointer user)
{
    struct act *a = act_new(st, ACT_DOWNLOAD, pool, vol, done, user);
    a->file = g_strdup(file);
    g_autofree char *vn = vd_sanitize(vol);
    g_autofree char *label = g_strdup_printf(_("Downloading %s"), vn);
    act_submit(a, VD_TASK_LONG, label);
}

bool
vd_storage_transfer_sync(const char *uri, bool upload, const char *pool, const char *vol, const char *file,
                         char **error)
{
    struct act *a = act_new(NULL, upload ? ACT_UPLOAD : ACT_DOWNLOAD, pool, vol, NULL, NULL);
    a->file = g_strdup(file);
    char *msg = NULL;
    bool ok = vd_conn_run_sync(uri, act_task, a, &msg, NULL);
    if (!ok && error)
        *error = g_steal_pointer(&msg);
    g_free(msg);
    act_free(a);
    return ok;
}
