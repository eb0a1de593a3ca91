/* virtdeck - migrating a domain between connected hosts (see migrate.h)
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "conn-task.h"
#include "i18n.h"
#include "migrate.h"
#include "util.h"

struct vd_migration {
    gatomicrefcount ref;
    GMutex lock;
    char *uuid;
    char *name;
    char *dest_uri;
    char *dest_label;
    struct vd_migrate_opts o;
    char *address;
    bool running;
    guint64 downtime_ms, bandwidth_mibs;        /* in force */
    guint64 want_downtime_ms, want_bandwidth;   /* asked by the UI, 0: nothing new */
};

static struct vd_migration *
mig_ref(struct vd_migration *m)
{
    g_atomic_ref_count_inc(&m->ref);
    return m;
}

void
vd_migration_unref(struct vd_migration *m)
{
    if (!m || !g_atomic_ref_count_dec(&m->ref))
        return;
    g_mutex_clear(&m->lock);
    g_free(m->uuid);
    g_free(m->name);
    g_free(m->dest_uri);
    g_free(m->dest_label);
    g_free(m->address);
    g_free(m);
}

unsigned int
vd_migrate_flags(const struct vd_migrate_opts *o)
{
    unsigned int f = 0;

    switch (o->mode) {
    case VD_MIGRATE_LIVE:
        f |= VIR_MIGRATE_LIVE;
        break;
    case VD_MIGRATE_OFFLINE:
        /* only the definition moves: it must be persistent there */
        f |= VIR_MIGRATE_OFFLINE | VIR_MIGRATE_PERSIST_DEST;
        break;
    case VD_MIGRATE_SUSPENDED:
        f |= VIR_MIGRATE_PAUSED;
        break;
    }
    if (o->persistent)
        f |= VIR_MIGRATE_PERSIST_DEST;
    if (o->undefine_source)
        f |= VIR_MIGRATE_UNDEFINE_SOURCE;
    if (o->compressed && o->mode != VD_MIGRATE_OFFLINE)
        f |= VIR_MIGRATE_COMPRESSED;
    if (o->unsafe)
        f |= VIR_MIGRATE_UNSAFE;
    if (o->copy_storage && o->mode != VD_MIGRATE_OFFLINE)
        f |= VIR_MIGRATE_NON_SHARED_DISK;
    return f;
}

char *
vd_migrate_default_address(const char *dest_uri)
{
    g_autoptr(GUri) u = g_uri_parse(dest_uri, G_URI_FLAGS_NON_DNS, NULL);
    const char *h = u ? g_uri_get_host(u) : NULL;

    if (!h || !*h || strcmp(h, "localhost") == 0)
        return NULL;
    return strchr(h, ':') ? g_strdup_printf("tcp://[%s]", h) : g_strdup_printf("tcp://%s", h);
}

void
vd_migration_set_downtime(struct vd_migration *m, guint64 ms)
{
    g_mutex_lock(&m->lock);
    m->want_downtime_ms = ms;
    g_mutex_unlock(&m->lock);
}

void
vd_migration_set_bandwidth(struct vd_migration *m, guint64 mibs)
{
    g_mutex_lock(&m->lock);
    m->want_bandwidth = mibs;
    g_mutex_unlock(&m->lock);
}

bool
vd_migration_running(struct vd_migration *m, guint64 *downtime_ms, guint64 *bandwidth_mibs)
{
    bool r;

    g_mutex_lock(&m->lock);
    r = m->running;
    if (downtime_ms)
        *downtime_ms = m->downtime_ms;
    if (bandwidth_mibs)
        *bandwidth_mibs = m->bandwidth_mibs;
    g_mutex_unlock(&m->lock);
    return r;
}

/* ---- the task ------------------------------------------------------------ */

struct call {
    virDomainPtr dom;
    virConnectPtr dconn;
    virTypedParameterPtr params;
    int nparams;
    unsigned int flags;
    bool ok;
    char *error;
    gint done;
};

static gpointer
migrate_thread(gpointer data)
{
    struct call *c = data;
    virDomainPtr ddom = virDomainMigrate3(c->dom, c->dconn, c->params, (unsigned int)c->nparams, c->flags);

    c->ok = ddom != NULL;
    if (ddom)
        virDomainFree(ddom);
    else
        c->error = vd_sanitize(virGetLastErrorMessage());
    g_atomic_int_set(&c->done, 1);
    return NULL;
}

static void
apply_limits(struct vd_migration *m, virDomainPtr dom)
{
    guint64 dt, bw;

    g_mutex_lock(&m->lock);
    dt = m->want_downtime_ms;
    bw = m->want_bandwidth;
    m->want_downtime_ms = m->want_bandwidth = 0;
    g_mutex_unlock(&m->lock);
    if (dt && virDomainMigrateSetMaxDowntime(dom, dt, 0) == 0) {
        g_mutex_lock(&m->lock);
        m->downtime_ms = dt;
        g_mutex_unlock(&m->lock);
    }
    if (bw && virDomainMigrateSetMaxSpeed(dom, bw, 0) == 0) {
        g_mutex_lock(&m->lock);
        m->bandwidth_mibs = bw;
        g_mutex_unlock(&m->lock);
    }
}

static void
report_progress(struct vd_task *t, virDomainPtr dom)
{
    virTypedParameterPtr p = NULL;
    int np = 0, type = VIR_DOMAIN_JOB_NONE;
    unsigned long long total = 0, remaining = 0, processed = 0, bps = 0, downtime = 0;
    g_autofree char *done_s = NULL;
    g_autofree char *total_s = NULL;
    g_autoptr(GString) d = g_string_new(NULL);
    int pct = -1;

    if (virDomainGetJobStats(dom, &type, &p, &np, 0) < 0) {
        virResetLastError();
        return;
    }
    if (type == VIR_DOMAIN_JOB_NONE) {
        virTypedParamsFree(p, np);
        return;
    }
    virTypedParamsGetULLong(p, np, VIR_DOMAIN_JOB_DATA_TOTAL, &total);
    virTypedParamsGetULLong(p, np, VIR_DOMAIN_JOB_DATA_REMAINING, &remaining);
    virTypedParamsGetULLong(p, np, VIR_DOMAIN_JOB_DATA_PROCESSED, &processed);
    virTypedParamsGetULLong(p, np, VIR_DOMAIN_JOB_MEMORY_BPS, &bps);
    virTypedParamsGetULLong(p, np, VIR_DOMAIN_JOB_DOWNTIME, &downtime);
    virTypedParamsFree(p, np);
    if (total) {
        /* zero pages are never "processed": the percentage from what remains */
        pct = (int)(100.0 * (double)(total - MIN(remaining, total)) / (double)total);
        done_s = vd_format_kib(processed / 1024);
        total_s = vd_format_kib(total / 1024);
        /* TRANSLATORS: migration progress: data sent of the total */
        g_string_append_printf(d, _("%1$s of %2$s"), done_s, total_s);
    }
    if (bps) {
        g_autofree char *b = vd_format_kib(bps / 1024);
        g_string_append_printf(d, "%s%s/s", d->len ? ", " : "", b);
    }
    if (downtime)
        /* TRANSLATORS: expected pause of the guest when it switches hosts */
        g_string_append_printf(d, _("%1$sdowntime %2$llu ms"), d->len ? ", " : "", downtime);
    vd_task_progress(t, pct, d->len ? d->str : NULL);
}

static void
migrate_task(virConnectPtr vc, struct vd_task *t, gpointer data)
{
    struct vd_migration *m = data;
    struct call c = { 0 };
    int maxp = 0;
    GThread *th;
    bool aborted = false;

    c.dom = virDomainLookupByUUIDString(vc, m->uuid);
    if (!c.dom) {
        vd_task_fail_libvirt(t, _("Could not migrate %s"), m->name);
        goto out;
    }
    c.dconn = vd_conn_open_uri(m->dest_uri);
    if (!c.dconn) {
        vd_task_fail_libvirt(t, _("Could not migrate %1$s: cannot connect to %2$s"), m->name, m->dest_label);
        goto out;
    }
    c.flags = vd_migrate_flags(&m->o);
    if (m->o.mode != VD_MIGRATE_OFFLINE && m->address && *m->address)
        virTypedParamsAddString(&c.params, &c.nparams, &maxp, VIR_MIGRATE_PARAM_URI, m->address);
    if (m->o.bandwidth_mibs && m->o.mode != VD_MIGRATE_OFFLINE)
        virTypedParamsAddULLong(&c.params, &c.nparams, &maxp, VIR_MIGRATE_PARAM_BANDWIDTH, m->o.bandwidth_mibs);
    g_mutex_lock(&m->lock);
    m->running = true;
    m->bandwidth_mibs = m->o.bandwidth_mibs;
    if (m->o.max_downtime_ms)
        m->want_downtime_ms = m->o.max_downtime_ms;
    g_mutex_unlock(&m->lock);
    th = g_thread_new("vd-migrate", migrate_thread, &c);
    while (!g_atomic_int_get(&c.done)) {
        g_usleep(200 * 1000);
        if (g_atomic_int_get(&c.done))
            break;
        if (vd_task_cancelled(t) && !aborted) {
            aborted = true;
            virDomainAbortJob(c.dom);
        }
        if (m->o.mode != VD_MIGRATE_OFFLINE) {
            apply_limits(m, c.dom);
            report_progress(t, c.dom);
        }
    }
    g_thread_join(th);
    if (!c.ok) {
        if (aborted)
            vd_task_fail(t, _("Migration of %s cancelled"), m->name);
        else
            vd_task_fail(t, _("Could not migrate %1$s to %2$s: %3$s"), m->name, m->dest_label,
                         c.error ? c.error : _("unknown error"));
    } else {
        vd_task_set_message(t, _("Migrated %1$s to %2$s"), m->name, m->dest_label);
    }
    vd_task_request_refresh(t);
out:
    g_mutex_lock(&m->lock);
    m->running = false;
    g_mutex_unlock(&m->lock);
    g_free(c.error);
    virTypedParamsFree(c.params, c.nparams);
    if (c.dconn)
        virConnectClose(c.dconn);
    if (c.dom)
        virDomainFree(c.dom);
}

struct vd_migration *
vd_migrate_start(struct vd_conn *src, const char *uuid, const char *name, const char *dest_uri,
                 const char *dest_label, const struct vd_migrate_opts *opts,
                 vd_task_done_fn done, gpointer user)
{
    struct vd_migration *m = g_new0(struct vd_migration, 1);
    g_autofree char *label = NULL;

    g_atomic_ref_count_init(&m->ref);
    g_mutex_init(&m->lock);
    m->uuid = g_strdup(uuid);
    m->name = g_strdup(name);
    m->dest_uri = g_strdup(dest_uri);
    m->dest_label = g_strdup(dest_label ? dest_label : dest_uri);
    m->o = *opts;
    m->address = opts->address && *opts->address ? g_strdup(opts->address)
                                                 : vd_migrate_default_address(dest_uri);
    m->o.address = NULL;
    m->running = true;      /* until the task says otherwise */
    label = g_strdup_printf(_("Migrating %1$s to %2$s"), name, m->dest_label);
    vd_conn_submit(src, VD_TASK_LONG, label, migrate_task, mig_ref(m),
                   (GDestroyNotify)vd_migration_unref, done, user);
    return m;
}
