/* virtdeck - --dump output (format: docs/dump-format.md)
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "dump.h"
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
