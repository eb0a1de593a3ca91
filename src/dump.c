/* virtdeck - --dump output (format: docs/dump-format.md)
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "dump.h"
#include "i18n.h"
#include "storage.h"
#include "util.h"

/* Fields are separated by one TAB; text fields are already sanitized (no
 * controls, so no TAB or newline inside a field). */
void
vd_dump_host(FILE *out, const struct vd_host_snap *s, bool with_stats)
{
    g_autofree char *lib = vd_format_version(s->libvirt_version);

    fprintf(out, "host\t%s\t%s\t%s\t%s\tcpus=%u\tmemory_kib=%llu\tlibvirt=%s\n",
            s->uri, s->hostname ? s->hostname : "-", vd_host_state_id(s->state),
            s->driver ? s->driver : "-", s->cpus, s->mem_kib, *lib ? lib : "-");
    for (guint i = 0; i < s->domains->len; i++) {
        const struct vd_domain *d = s->domains->pdata[i];
        fprintf(out, "domain\t%s\t%s\t%s\t%s\tvcpus=%u\tmemory_kib=%llu\tmax_memory_kib=%llu\t"
                     "autostart=%s\tpersistent=%s\ttype=%s\n",
                s->uri, d->name, d->uuid, vd_dom_state_id(d->state), d->vcpus, d->mem_kib,
                d->max_mem_kib, d->autostart ? "yes" : "no", d->persistent ? "yes" : "no",
                d->container ? "container" : "vm");
    }
    if (with_stats)
        fprintf(out, "stats\t%s\tdomains=%u\trpc_last_refresh=%u\trpc_total=%" G_GUINT64_FORMAT "\n",
                s->uri, s->domains->len, s->rpc_last_refresh, s->rpc_total);
}

/* Pools and their volumes, on a connection of its own (see
 * docs/dump-format.md for the number of calls). */
bool
vd_dump_storage(FILE *out, const char *uri, bool with_stats)
{
    g_autofree char *err = NULL;
    struct vd_storage_snap *s = vd_storage_fetch_sync(uri, false, &err);
    guint n_vols = 0;

    if (!s) {
        fprintf(stderr, _("virtdeck: cannot list the storage pools of %1$s: %2$s\n"), uri, err ? err : "");
        return false;
    }
    for (guint i = 0; i < s->pools->len; i++) {
        const struct vd_pool *p = s->pools->pdata[i];
        fprintf(out, "pool\t%s\t%s\t%s\t%s\tautostart=%s\tpersistent=%s\tcapacity=%" G_GUINT64_FORMAT
                     "\tallocation=%" G_GUINT64_FORMAT "\tavailable=%" G_GUINT64_FORMAT "\ttarget=%s\n",
                uri, p->name, p->type, vd_pool_state_id(p->state), p->autostart ? "yes" : "no",
                p->persistent ? "yes" : "no", p->capacity, p->allocation, p->available,
                *p->target ? p->target : "-");
    }
    for (guint i = 0; i < s->pools->len; i++) {
        const struct vd_pool *p = s->pools->pdata[i];
        for (guint j = 0; j < p->volumes->len; j++, n_vols++) {
            const struct vd_volume *v = p->volumes->pdata[j];
            fprintf(out, "volume\t%s\t%s\t%s\t%s\tcapacity=%" G_GUINT64_FORMAT "\tallocation=%" G_GUINT64_FORMAT
                         "\tpath=%s\n",
                    uri, p->name, v->name, *v->format ? v->format : "-", v->capacity, v->allocation,
                    *v->path ? v->path : "-");
        }
    }
    if (with_stats)
        fprintf(out, "storage-stats\t%s\tpools=%u\tvolumes=%u\trpc=%u\n", uri, s->pools->len, n_vols, s->calls);
    vd_storage_snap_unref(s);
    return true;
}
