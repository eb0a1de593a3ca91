/* virtdeck - immutable host snapshots
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "i18n.h"
#include "model.h"

static const char *const dom_state_ids[VD_DOM_STATE_LAST] = {
    "nostate", "running", "blocked", "paused", "shutdown", "shutoff", "crashed", "pmsuspended",
};
static const char *const dom_state_names[VD_DOM_STATE_LAST] = {
    N_("no state"), N_("running"), N_("blocked"), N_("paused"),
    N_("shutting down"), N_("shut off"), N_("crashed"), N_("suspended (PM)"),
};
static const char *const host_state_ids[VD_HOST_STATE_LAST] = {
    "connecting", "connected", "not-responding", "disconnected",
};
static const char *const host_state_names[VD_HOST_STATE_LAST] = {
    N_("connecting"), N_("connected"), N_("not responding"), N_("disconnected"),
};

const char *
vd_dom_state_id(enum vd_dom_state s)
{
    return (unsigned)s < VD_DOM_STATE_LAST ? dom_state_ids[s] : "unknown";
}

const char *
vd_dom_state_name(enum vd_dom_state s)
{
    return (unsigned)s < VD_DOM_STATE_LAST ? _(dom_state_names[s]) : _("unknown");
}

const char *
vd_host_state_id(enum vd_host_state s)
{
    return (unsigned)s < VD_HOST_STATE_LAST ? host_state_ids[s] : "unknown";
}

const char *
vd_host_state_name(enum vd_host_state s)
{
    return (unsigned)s < VD_HOST_STATE_LAST ? _(host_state_names[s]) : _("unknown");
}

bool
vd_dom_is_active(const struct vd_domain *d)
{
    return d->id >= 0 && d->state != VD_DOM_SHUTOFF;
}

struct vd_domain *
vd_domain_new(void)
{
    struct vd_domain *d = g_atomic_rc_box_new0(struct vd_domain);
    d->id = -1;
    vd_dom_rates_unknown(&d->rates);
    return d;
}

struct vd_domain *
vd_domain_copy(const struct vd_domain *d)
{
    struct vd_domain *c = (g_atomic_rc_box_dup)(sizeof *d, d);
    c->name = g_strdup(d->name);
    c->collate_key = g_strdup(d->collate_key);
    c->addrs = g_strdupv(d->addrs);
    return c;
}

struct vd_domain *
vd_domain_ref(const struct vd_domain *d)
{
    return g_atomic_rc_box_acquire((struct vd_domain *)d);
}

static void
domain_clear(gpointer p)
{
    struct vd_domain *d = p;
    g_free(d->name);
    g_free(d->collate_key);
    g_strfreev(d->addrs);
}

void
vd_domain_unref(struct vd_domain *d)
{
    if (d)
        g_atomic_rc_box_release_full(d, domain_clear);
}

struct vd_host_snap *
vd_host_snap_new(const char *uri)
{
    struct vd_host_snap *s = g_atomic_rc_box_new0(struct vd_host_snap);
    s->uri = g_strdup(uri);
    s->rates.cpu_pct = s->rates.mem_used_kib = s->rates.mem_total_kib = NAN;
    s->domains = g_ptr_array_new_with_free_func((GDestroyNotify)vd_domain_unref);
    return s;
}

struct vd_host_snap *
vd_host_snap_copy_host(const struct vd_host_snap *s)
{
    struct vd_host_snap *c = vd_host_snap_new(s->uri);
    GPtrArray *doms = c->domains;

    g_free(c->uri);
    *c = *s;
    c->uri = g_strdup(s->uri);
    c->hostname = g_strdup(s->hostname);
    c->driver = g_strdup(s->driver);
    c->error = g_strdup(s->error);
    c->history_error = g_strdup(s->history_error);
    c->domains = doms;
    return c;
}

struct vd_host_snap *
vd_host_snap_copy(const struct vd_host_snap *s)
{
    struct vd_host_snap *c = vd_host_snap_copy_host(s);

    for (guint i = 0; i < s->domains->len; i++)
        g_ptr_array_add(c->domains, vd_domain_ref(s->domains->pdata[i]));
    return c;
}

struct vd_host_snap *
vd_host_snap_ref(struct vd_host_snap *s)
{
    return g_atomic_rc_box_acquire(s);
}

static void
snap_clear(gpointer p)
{
    struct vd_host_snap *s = p;
    g_free(s->uri);
    g_free(s->hostname);
    g_free(s->driver);
    g_free(s->error);
    g_free(s->history_error);
    g_ptr_array_unref(s->domains);
}

void
vd_host_snap_unref(struct vd_host_snap *s)
{
    if (s)
        g_atomic_rc_box_release_full(s, snap_clear);
}

const struct vd_domain *
vd_host_snap_find(const struct vd_host_snap *s, const char *uuid)
{
    for (guint i = 0; i < s->domains->len; i++) {
        const struct vd_domain *d = s->domains->pdata[i];
        if (strcmp(d->uuid, uuid) == 0)
            return d;
    }
    return NULL;
}

const char *
vd_host_snap_label(const struct vd_host_snap *s)
{
    return s->hostname && *s->hostname ? s->hostname : s->uri;
}
