/* virtdeck - guests' IP addresses for the domain list (connection worker only)
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "model.h"
#include "net-addr.h"
#include "util.h"

#define ADDR_PERIOD_MS 30000
#define ADDR_YOUNG_MS 90000
#define ADDR_RETRY_MS 3000
#define ADDR_MIN_MS 2000
#define ADDR_FALLBACK_MAX 32        /* domains asked one by one per refresh */
#define ADDR_BACKOFF_MAX_S 300

struct dom_nics {
    int id;                 /* the boot these MACs are from */
    GStrv macs;             /* lower case */
    bool agent;             /* has the qemu guest agent channel */
    bool net_nics;          /* has interfaces on libvirt networks (DHCP leases) */
    bool other_nics;        /* and others (bridge, direct...: no lease to find) */
    GStrv addrs;            /* last known, NULL none */
    gint64 seen_ms;         /* when this boot was first seen */
    gint64 next_fallback_ms;  /* per-domain calls not before this */
    guint backoff_s;        /* after per-domain calls that found nothing */
};

struct vd_addr_cache {
    GHashTable *doms;       /* uuid -> struct dom_nics */
    gint64 last_ms;         /* last refresh, 0 never */
    bool want_retry;        /* a young domain has no address yet */
};

static void
nics_free(gpointer p)
{
    struct dom_nics *n = p;
    g_strfreev(n->macs);
    g_strfreev(n->addrs);
    g_free(n);
}

struct vd_addr_cache *
vd_addr_cache_new(void)
{
    struct vd_addr_cache *ac = g_new0(struct vd_addr_cache, 1);
    ac->doms = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, nics_free);
    return ac;
}

void
vd_addr_cache_free(struct vd_addr_cache *ac)
{
    if (!ac)
        return;
    g_hash_table_unref(ac->doms);
    g_free(ac);
}

bool
vd_addr_due(const struct vd_addr_cache *ac, GPtrArray *doms, bool full, gint64 now_ms)
{
    gint64 since = now_ms - ac->last_ms;

    if (!ac->last_ms)
        return true;
    /* a domain that started since: its MACs and (soon) its lease */
    for (guint i = 0; i < doms->len; i++) {
        const struct vd_domain *d = doms->pdata[i];
        const struct dom_nics *n;
        if (!vd_dom_is_active(d))
            continue;
        n = g_hash_table_lookup(ac->doms, d->uuid);
        if (!n || n->id != d->id)
            return true;
    }
    if (full && since >= ADDR_MIN_MS)
        return true;
    return since >= (ac->want_retry ? ADDR_RETRY_MS : ADDR_PERIOD_MS);
}

/* MACs and the guest agent channel from a domain's XML. */
static void
parse_nics(const char *xml, struct dom_nics *n)
{
    xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
    GPtrArray *macs = g_ptr_array_new();

    for (xmlNodePtr devs = root ? root->children : NULL; devs; devs = devs->next) {
        if (devs->type != XML_ELEMENT_NODE || strcmp((const char *)devs->name, "devices") != 0)
            continue;
        for (xmlNodePtr i = devs->children; i; i = i->next) {
            bool iface = i->type == XML_ELEMENT_NODE && strcmp((const char *)i->name, "interface") == 0;
            bool chan = i->type == XML_ELEMENT_NODE && strcmp((const char *)i->name, "channel") == 0;

            if (iface) {
                xmlChar *type = xmlGetProp(i, (const xmlChar *)"type");
                if (type && strcmp((const char *)type, "network") == 0)
                    n->net_nics = true;
                else
                    n->other_nics = true;
                xmlFree(type);
            }

            for (xmlNodePtr s = (iface || chan) ? i->children : NULL; s; s = s->next) {
                xmlChar *v = NULL;
                if (s->type != XML_ELEMENT_NODE)
                    continue;
                if (iface && strcmp((const char *)s->name, "mac") == 0 &&
                    (v = xmlGetProp(s, (const xmlChar *)"address")))
                    g_ptr_array_add(macs, g_ascii_strdown((const char *)v, -1));
                if (chan && strcmp((const char *)s->name, "target") == 0 &&
                    (v = xmlGetProp(s, (const xmlChar *)"name")))
                    n->agent = n->agent || strcmp((const char *)v, "org.qemu.guest_agent.0") == 0;
                xmlFree(v);
            }
        }
    }
    xmlFreeDoc(doc);
    g_ptr_array_add(macs, NULL);
    g_strfreev(n->macs);
    n->macs = (GStrv)g_ptr_array_free(macs, FALSE);
}

/* Sorted: IPv4 before IPv6, then as text; no duplicates. */
static gint
addr_cmp(gconstpointer a, gconstpointer b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    bool x6 = strchr(x, ':') != NULL, y6 = strchr(y, ':') != NULL;

    if (x6 != y6)
        return x6 ? 1 : -1;
    return strcmp(x, y);
}

static void
add_addr(GPtrArray *a, const char *ip)
{
    g_autofree char *s = NULL;

    if (!ip || !*ip || g_str_has_prefix(ip, "127.") || strcmp(ip, "::1") == 0 ||
        g_ascii_strncasecmp(ip, "fe80:", 5) == 0)
        return;
    s = vd_sanitize(ip);
    for (guint i = 0; i < a->len; i++)
        if (strcmp(a->pdata[i], s) == 0)
            return;
    g_ptr_array_add(a, g_steal_pointer(&s));
}

static GStrv
finish_addrs(GPtrArray *a)
{
    if (!a->len) {
        g_ptr_array_unref(a);
        return NULL;
    }
    g_ptr_array_sort(a, addr_cmp);
    g_ptr_array_add(a, NULL);
    return (GStrv)g_ptr_array_free(a, FALSE);
}

/* mac -> GPtrArray of addresses, from one lease call per active network. */
static guint
collect_leases(virConnectPtr vc, GHashTable *by_mac, bool *ok)
{
    virNetworkPtr *nets = NULL;
    int n = virConnectListAllNetworks(vc, &nets, VIR_CONNECT_LIST_NETWORKS_ACTIVE);
    guint calls = 1;

    *ok = n >= 0;

    for (int i = 0; i < n; i++) {
        virNetworkDHCPLeasePtr *leases = NULL;
        int k;

        calls++;
        k = virNetworkGetDHCPLeases(nets[i], NULL, &leases, 0);
        if (k < 0)
            *ok = false;        /* not supported by this driver (test) */
        for (int j = 0; j < k; j++) {
            if (leases[j]->mac) {
                g_autofree char *mac = g_ascii_strdown(leases[j]->mac, -1);
                GPtrArray *a = g_hash_table_lookup(by_mac, mac);
                if (!a) {
                    a = g_ptr_array_new_with_free_func(g_free);
                    g_hash_table_insert(by_mac, g_steal_pointer(&mac), a);
                }
                add_addr(a, leases[j]->ipaddr);
            }
            virNetworkDHCPLeaseFree(leases[j]);
        }
        free(leases);
        virNetworkFree(nets[i]);
    }
    free(nets);
    return calls;
}

/* One virDomainInterfaceAddresses call from source src. */
static void
domain_addrs(virDomainPtr dom, unsigned int src, GPtrArray *out)
{
    virDomainInterfacePtr *ifs = NULL;
    int n = virDomainInterfaceAddresses(dom, &ifs, src, 0);

    for (int i = 0; i < n; i++) {
        for (unsigned int j = 0; j < ifs[i]->naddrs; j++)
            add_addr(out, ifs[i]->addrs[j].addr);
        virDomainInterfaceFree(ifs[i]);
    }
    free(ifs);
}

static void
dom_free(gpointer p)
{
    virDomainFree(p);
}

/* uuid -> virDomainPtr of every running domain: one call. */
static guint
list_running(virConnectPtr vc, GHashTable *ptrs)
{
    virDomainPtr *all = NULL;
    int k = virConnectListAllDomains(vc, &all, VIR_CONNECT_LIST_DOMAINS_ACTIVE);

    for (int j = 0; j < k; j++) {
        char uuid[VIR_UUID_STRING_BUFLEN];
        if (virDomainGetUUIDString(all[j], uuid) == 0)
            g_hash_table_insert(ptrs, g_strdup(uuid), all[j]);
        else
            virDomainFree(all[j]);
    }
    free(all);
    return 1;
}

guint
vd_addr_refresh(struct vd_addr_cache *ac, virConnectPtr vc, GPtrArray *doms, gint64 now_ms)
{
    g_autoptr(GHashTable) by_mac = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                                         (GDestroyNotify)g_ptr_array_unref);
    g_autoptr(GHashTable) live = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GHashTable) ptrs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                                       dom_free);
    guint calls = 0, fallbacks = 0;
    bool listed = false, running = false, leases_ok = false;

    ac->want_retry = false;
    ac->last_ms = now_ms;
    for (guint i = 0; i < doms->len; i++) {
        const struct vd_domain *d = doms->pdata[i];
        if (vd_dom_is_active(d)) {
            g_hash_table_add(live, (gpointer)d->uuid);
            running = true;
        }
    }
    /* forget domains that stopped or vanished */
    {
        GHashTableIter it;
        gpointer k;
        g_hash_table_iter_init(&it, ac->doms);
        while (g_hash_table_iter_next(&it, &k, NULL))
            if (!g_hash_table_contains(live, k))
                g_hash_table_iter_remove(&it);
    }
    if (!running)
        return 0;
    calls += collect_leases(vc, by_mac, &leases_ok);
    for (guint i = 0; i < doms->len; i++) {
        const struct vd_domain *d = doms->pdata[i];
        struct dom_nics *n;
        virDomainPtr dom;
        GPtrArray *a;

        if (!vd_dom_is_active(d))
            continue;
        n = g_hash_table_lookup(ac->doms, d->uuid);
        if (n && n->id != d->id) {
            g_hash_table_remove(ac->doms, d->uuid);
            n = NULL;
        }
        if (!listed && (!n || !n->macs)) {
            calls += list_running(vc, ptrs);
            listed = true;
        }
        dom = g_hash_table_lookup(ptrs, d->uuid);
        if (!n) {
            n = g_new0(struct dom_nics, 1);
            n->id = d->id;
            n->seen_ms = now_ms;
            g_hash_table_insert(ac->doms, g_strdup(d->uuid), n);
        }
        if (!n->macs && dom) {
            char *xml;
            calls++;
            xml = virDomainGetXMLDesc(dom, 0);
            if (xml)
                parse_nics(xml, n);
            free(xml);
        }
        a = g_ptr_array_new_with_free_func(g_free);
        for (guint m = 0; n->macs && n->macs[m]; m++) {
            GPtrArray *l = g_hash_table_lookup(by_mac, n->macs[m]);
            for (guint j = 0; l && j < l->len; j++)
                add_addr(a, l->pdata[j]);
        }
        if (a->len || !n->macs || !n->macs[0]) {
            n->backoff_s = 0;
            n->next_fallback_ms = 0;
            g_strfreev(n->addrs);
            n->addrs = finish_addrs(a);
            continue;
        }
        /* no lease: ask this domain (lease source where the driver has no
         * network lease call, the agent if it has the channel, ARP for NICs
         * outside libvirt's networks); bounded per refresh, and backing off
         * up to 5 min for a guest that never answers */
        if (now_ms < n->next_fallback_ms || fallbacks >= ADDR_FALLBACK_MAX ||
            (leases_ok && !n->agent && !n->other_nics)) {
            g_ptr_array_unref(a);
            if (leases_ok && !n->agent && !n->other_nics) {
                g_clear_pointer(&n->addrs, g_strfreev);
                if (now_ms - n->seen_ms < ADDR_YOUNG_MS)
                    ac->want_retry = true;
            }
            continue;
        }
        fallbacks++;
        if (!dom && !listed) {
            calls += list_running(vc, ptrs);
            listed = true;
            dom = g_hash_table_lookup(ptrs, d->uuid);
        }
        if (dom && !leases_ok && n->net_nics) {
            calls++;
            domain_addrs(dom, VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE, a);
        }
        if (dom && !a->len && n->agent) {
            calls++;
            domain_addrs(dom, VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT, a);
        }
        if (dom && !a->len && (n->other_nics || !leases_ok)) {
            calls++;
            domain_addrs(dom, VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_ARP, a);
        }
        if (!a->len && now_ms - n->seen_ms < ADDR_YOUNG_MS) {
            ac->want_retry = true;
        } else if (!a->len) {
            n->backoff_s = MIN(n->backoff_s ? n->backoff_s * 2 : ADDR_PERIOD_MS / 1000, ADDR_BACKOFF_MAX_S);
            n->next_fallback_ms = now_ms + (gint64)n->backoff_s * 1000;
        } else {
            n->backoff_s = 0;
        }
        g_strfreev(n->addrs);
        n->addrs = finish_addrs(a);
    }
    return calls;
}

void
vd_addr_apply(const struct vd_addr_cache *ac, GPtrArray *doms, guint n_fresh)
{
    for (guint i = 0; i < MIN(doms->len, n_fresh); i++) {
        struct vd_domain *d = doms->pdata[i];
        const struct dom_nics *n = vd_dom_is_active(d) ? g_hash_table_lookup(ac->doms, d->uuid) : NULL;

        g_strfreev(d->addrs);
        d->addrs = n && n->id == d->id ? g_strdupv(n->addrs) : NULL;
    }
}

bool
vd_addr_same(char *const *a, char *const *b)
{
    guint i = 0;

    for (; a && b && a[i] && b[i]; i++)
        if (strcmp(a[i], b[i]) != 0)
            return false;
    return (!a || !a[i]) && (!b || !b[i]);
}
