/* virtdeck - --dump output (format: docs/dump-format.md)
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "dump.h"
#include "i18n.h"
#include "network.h"
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
        g_autofree char *addrs = d->addrs ? g_strjoinv(",", d->addrs) : NULL;
        fprintf(out, "domain\t%s\t%s\t%s\t%s\tvcpus=%u\tmemory_kib=%llu\tmax_memory_kib=%llu\t"
                     "autostart=%s\tpersistent=%s\ttype=%s\taddresses=%s\n",
                s->uri, d->name, d->uuid, vd_dom_state_id(d->state), d->vcpus, d->mem_kib,
                d->max_mem_kib, d->autostart ? "yes" : "no", d->persistent ? "yes" : "no",
                d->container ? "container" : "vm", addrs && *addrs ? addrs : "-");
    }
    if (with_stats)
        fprintf(out, "stats\t%s\tdomains=%u\trpc_last_refresh=%u\trpc_total=%" G_GUINT64_FORMAT
                     "\trpc_addresses=%u\n",
                s->uri, s->domains->len, s->rpc_last_refresh, s->rpc_total, s->rpc_last_addresses);
}

static const char *
or_dash(const char *s)
{
    return s && *s ? s : "-";
}

static void
dump_subnet(GString *l, const char *key, const struct vd_net_subnet *v)
{
    g_autofree char *cidr = vd_net_subnet_cidr(v);

    g_string_append_printf(l, "\t%s=%s", key, or_dash(cidr));
    if (v->dhcp_start && v->dhcp_end)
        g_string_append_printf(l, "\t%s_dhcp=%s-%s", key, v->dhcp_start, v->dhcp_end);
    else
        g_string_append_printf(l, "\t%s_dhcp=-", key);
}

bool
vd_dump_networks(FILE *out, FILE *err_out, const char *uri, bool with_stats)
{
    g_autofree char *err = NULL;
    g_autoptr(vd_net_list) l = vd_network_fetch_uri(uri, &err);

    if (!l) {
        fprintf(err_out, _("virtdeck: cannot list the networks of %1$s: %2$s\n"), uri, err ? err : "");
        return false;
    }
    for (guint i = 0; i < l->networks->len; i++) {
        const struct vd_network *n = l->networks->pdata[i];
        const struct vd_net_def *d = n->def;
        g_autoptr(GString) line = g_string_new(NULL);

        g_string_append_printf(line, "network\t%s\t%s\t%s\t%s\tautostart=%s\tpersistent=%s\tbridge=%s",
                               uri, n->name, n->active ? "active" : "inactive",
                               d ? vd_net_forward_id(d->forward) : "-", n->autostart ? "yes" : "no",
                               n->persistent ? "yes" : "no", d ? or_dash(d->bridge) : "-");
        if (d) {
            dump_subnet(line, "ipv4", &d->v4);
            dump_subnet(line, "ipv6", &d->v6);
        }
        g_string_append_printf(line, "\tdomain=%s\tleases=%u", d ? or_dash(d->domain) : "-", n->n_leases);
        fprintf(out, "%s\n", line->str);
        for (guint j = 0; d && j < d->v4.hosts->len; j++) {
            const struct vd_net_host *h = d->v4.hosts->pdata[j];
            fprintf(out, "dhcp-host\t%s\t%s\t%s\t%s\t%s\n", uri, n->name, or_dash(h->mac), or_dash(h->ip),
                    or_dash(h->name));
        }
    }
    for (guint i = 0; i < l->leases->len; i++) {
        const struct vd_net_lease *e = l->leases->pdata[i];
        fprintf(out, "lease\t%s\t%s\t%s\t%s/%u\t%s\texpiry=%" G_GINT64_FORMAT "\n", uri, e->network,
                or_dash(e->mac), e->ip, e->prefix, or_dash(e->hostname), e->expiry);
    }
    if (with_stats)
        fprintf(out, "network-stats\t%s\tnetworks=%u\trpc=%u\n", uri, l->networks->len, l->rpc);
    return true;
}

/* Pools and their volumes (see docs/dump-format.md for the number of
 * calls). */
bool
vd_dump_storage(FILE *out, FILE *err_out, const char *uri, bool with_stats)
{
    g_autofree char *err = NULL;
    struct vd_storage_snap *s = vd_storage_fetch_sync(uri, false, &err);
    guint n_vols = 0;

    if (!s) {
        fprintf(err_out, _("virtdeck: cannot list the storage pools of %1$s: %2$s\n"), uri, err ? err : "");
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
