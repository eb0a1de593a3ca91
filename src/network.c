/* virtdeck - virtual networks of a host: list, actions, DHCP hosts and leases
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "conn-task.h"
#include "i18n.h"
#include "network.h"
#include "parallel.h"
#include "util.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(virNetwork, virNetworkFree)

/* ---- the list ------------------------------------------------------------ */

static void
lease_free(struct vd_net_lease *l)
{
    if (!l)
        return;
    g_free(l->network);
    g_free(l->mac);
    g_free(l->ip);
    g_free(l->hostname);
    g_free(l);
}

static void
network_free(struct vd_network *n)
{
    if (!n)
        return;
    g_free(n->name);
    vd_net_def_free(n->def);
    g_free(n);
}

static void
list_clear(struct vd_net_list *l)
{
    g_ptr_array_unref(l->networks);
    g_ptr_array_unref(l->leases);
}

static struct vd_net_list *
list_new(void)
{
    struct vd_net_list *l = g_atomic_rc_box_new0(struct vd_net_list);

    l->networks = g_ptr_array_new_with_free_func((GDestroyNotify)network_free);
    l->leases = g_ptr_array_new_with_free_func((GDestroyNotify)lease_free);
    return l;
}

struct vd_net_list *
vd_net_list_ref(struct vd_net_list *l)
{
    return g_atomic_rc_box_acquire(l);
}

void
vd_net_list_unref(struct vd_net_list *l)
{
    if (l)
        g_atomic_rc_box_release_full(l, (GDestroyNotify)list_clear);
}

const struct vd_network *
vd_net_list_find(const struct vd_net_list *l, const char *name)
{
    for (guint i = 0; l && name && i < l->networks->len; i++) {
        const struct vd_network *n = l->networks->pdata[i];
        if (strcmp(n->name, name) == 0)
            return n;
    }
    return NULL;
}

GPtrArray *
vd_net_list_defs(const struct vd_net_list *l)
{
    GPtrArray *a = g_ptr_array_new();

    for (guint i = 0; l && i < l->networks->len; i++) {
        const struct vd_network *n = l->networks->pdata[i];
        if (n->def)
            g_ptr_array_add(a, n->def);
    }
    return a;
}

static gint
network_cmp(gconstpointer a, gconstpointer b)
{
    const struct vd_network *x = *(struct vd_network *const *)a, *y = *(struct vd_network *const *)b;
    return g_utf8_collate(x->name, y->name);
}

/* The leases of an active network, into *out (struct vd_net_lease *). */
static void
get_leases(virNetworkPtr net, struct vd_network *n, GPtrArray *out)
{
    virNetworkDHCPLeasePtr *leases = NULL;
    int k = virNetworkGetDHCPLeases(net, NULL, &leases, 0);

    for (int i = 0; i < k; i++) {
        struct vd_net_lease *e = g_new0(struct vd_net_lease, 1);

        e->network = g_strdup(n->name);
        e->mac = leases[i]->mac ? vd_sanitize(leases[i]->mac) : NULL;
        e->ip = vd_sanitize(leases[i]->ipaddr);
        e->prefix = leases[i]->prefix;
        e->family = leases[i]->type == VIR_IP_ADDR_TYPE_IPV6 ? 6 : 4;
        e->hostname = leases[i]->hostname ? vd_sanitize(leases[i]->hostname) : NULL;
        e->expiry = leases[i]->expirytime;
        g_ptr_array_add(out, e);
        virNetworkDHCPLeaseFree(leases[i]);
    }
    free(leases);
    n->n_leases = k > 0 ? (guint)k : 0;
}

/* The calls of one fetch, made at once where they do not depend on each
 * other (parallel.h): the 4 lists, then per network its XML and (active
 * ones) its leases. Over a slow link: 2 round trips. */
struct net_fetch {
    virConnectPtr vc;
    virNetworkPtr *lists[4];    /* all, active, autostart, persistent */
    int counts[4];
    char *errors[4];
    GHashTable *sets[4];        /* names of lists 1..3 */
    struct vd_network **nets;   /* per network of the "all" list */
    GPtrArray **leases;         /* per network, NULL when inactive */
    guint rpc;                  /* atomic */
};

static void
net_list(guint i, gpointer data)
{
    static const unsigned flags[] = { 0, VIR_CONNECT_LIST_NETWORKS_ACTIVE, VIR_CONNECT_LIST_NETWORKS_AUTOSTART,
                                      VIR_CONNECT_LIST_NETWORKS_PERSISTENT };
    struct net_fetch *f = data;

    g_atomic_int_inc((gint *)&f->rpc);
    f->counts[i] = virConnectListAllNetworks(f->vc, &f->lists[i], flags[i]);
    if (f->counts[i] < 0)
        f->errors[i] = g_strdup(virGetLastErrorMessage());
}

static void
net_xml(guint i, gpointer data)
{
    struct net_fetch *f = data;
    struct vd_network *e = f->nets[i];
    char *xml;

    g_atomic_int_inc((gint *)&f->rpc);
    xml = virNetworkGetXMLDesc(f->lists[0][i], 0);
    if (xml) {
        char *perr = NULL;
        e->def = vd_net_def_parse(xml, &perr);
        g_free(perr);
        free(xml);
    }
}

static void
net_leases(guint i, gpointer data)
{
    struct net_fetch *f = data;

    if (!f->nets[i]->active)
        return;
    g_atomic_int_inc((gint *)&f->rpc);
    f->leases[i] = g_ptr_array_new();
    get_leases(f->lists[0][i], f->nets[i], f->leases[i]);
}

static void
net_item(guint i, gpointer data)
{
    /* the XML and the leases need only the lists: both at once */
    struct net_fetch *f = data;
    guint n = (guint)f->counts[0];

    if (i < n)
        net_xml(i, f);
    else
        net_leases(i - n, f);
}

/* 4 list calls, then per network its XML and (active ones) the leases. The
 * flags come with the lists (virNetworkIsActive etc. would be calls). */
static struct vd_net_list *
fetch(virConnectPtr vc, char **err)
{
    g_autoptr(vd_net_list) l = list_new();
    struct net_fetch f = { .vc = vc };
    guint n;

    vd_parallel(4, net_list, &f);
    for (guint k = 0; k < 4; k++) {
        if (f.counts[k] < 0 && !*err)
            *err = g_steal_pointer(&f.errors[k]);
        g_free(f.errors[k]);
        f.sets[k] = g_hash_table_new(g_str_hash, g_str_equal);
        for (int i = 0; k > 0 && i < f.counts[k]; i++)
            g_hash_table_add(f.sets[k], (gpointer)virNetworkGetName(f.lists[k][i]));
    }
    n = *err ? 0 : (guint)f.counts[0];
    f.nets = g_new0(struct vd_network *, n + 1);
    f.leases = g_new0(GPtrArray *, n + 1);
    /* name, UUID and flags need no call */
    for (guint i = 0; i < n; i++) {
        struct vd_network *e = g_new0(struct vd_network, 1);
        const char *raw = virNetworkGetName(f.lists[0][i]);

        e->name = vd_sanitize(raw);
        virNetworkGetUUIDString(f.lists[0][i], e->uuid);
        e->active = g_hash_table_contains(f.sets[1], raw);
        e->autostart = g_hash_table_contains(f.sets[2], raw);
        e->persistent = g_hash_table_contains(f.sets[3], raw);
        f.nets[i] = e;
    }
    vd_parallel(2 * n, net_item, &f);
    for (guint i = 0; i < n; i++) {
        g_ptr_array_add(l->networks, f.nets[i]);
        if (f.leases[i]) {
            g_ptr_array_extend_and_steal(l->leases, f.leases[i]);
        }
    }
    g_free(f.nets);
    g_free(f.leases);
    for (guint k = 0; k < 4; k++) {
        for (int i = 0; i < f.counts[k]; i++)
            virNetworkFree(f.lists[k][i]);
        free(f.lists[k]);
        g_hash_table_unref(f.sets[k]);
    }
    l->rpc += f.rpc;
    if (*err)
        return NULL;
    g_ptr_array_sort(l->networks, network_cmp);
    return g_steal_pointer(&l);
}

static void
fetch_task(virConnectPtr vc, struct vd_task *t, gpointer data)
{
    g_autofree char *err = NULL;
    struct vd_net_list *l = fetch(vc, &err);

    if (!l) {
        vd_task_fail(t, _("Could not list the networks: %s"), err ? err : "");
        return;
    }
    vd_task_set_result(t, l, (GDestroyNotify)vd_net_list_unref);
}

void
vd_network_fetch(struct vd_conn *c, vd_task_done_fn done, gpointer user)
{
    vd_conn_submit(c, VD_TASK_QUICK, NULL, fetch_task, NULL, NULL, done, user);
}

struct vd_net_list *
vd_network_fetch_uri(const char *uri, char **err)
{
    gpointer result = NULL;
    char *msg = NULL;

    if (!vd_conn_run_sync(uri, fetch_task, NULL, &msg, &result)) {
        *err = msg;
        return NULL;
    }
    g_free(msg);
    return result;
}

/* ---- actions --------------------------------------------------------------- */

struct op {
    char *name;
    enum vd_net_op op;
    char *xml;
    bool start, autostart;
    struct vd_net_host *old, *host;
    int host_cmd;
};

static void
op_free(struct op *o)
{
    g_free(o->name);
    g_free(o->xml);
    vd_net_host_free(o->old);
    vd_net_host_free(o->host);
    g_free(o);
}

static virNetworkPtr
lookup(virConnectPtr vc, struct vd_task *t, const char *name)
{
    virNetworkPtr n = virNetworkLookupByName(vc, name);

    if (!n)
        vd_task_fail_libvirt(t, _("Network %s not found"), name);
    return n;
}

static void
op_task(virConnectPtr vc, struct vd_task *t, gpointer data)
{
    struct op *o = data;
    g_autoptr(virNetwork) n = lookup(vc, t, o->name);

    if (!n)
        return;
    switch (o->op) {
    case VD_NET_OP_START:
        if (virNetworkCreate(n) < 0)
            vd_task_fail_libvirt(t, _("Could not start the network %s"), o->name);
        else
            vd_task_set_message(t, _("Network %s started"), o->name);
        break;
    case VD_NET_OP_STOP:
        if (virNetworkDestroy(n) < 0)
            vd_task_fail_libvirt(t, _("Could not stop the network %s"), o->name);
        else
            vd_task_set_message(t, _("Network %s stopped"), o->name);
        break;
    case VD_NET_OP_AUTOSTART_ON:
    case VD_NET_OP_AUTOSTART_OFF:
        if (virNetworkSetAutostart(n, o->op == VD_NET_OP_AUTOSTART_ON) < 0)
            vd_task_fail_libvirt(t, _("Could not change autostart of the network %s"), o->name);
        else
            vd_task_set_message(t, o->op == VD_NET_OP_AUTOSTART_ON ? _("Network %s starts with the host")
                                                                    : _("Network %s no longer starts with the host"),
                                o->name);
        break;
    case VD_NET_OP_DELETE: {
        int active = virNetworkIsActive(n), persistent = virNetworkIsPersistent(n);

        if (active == 1 && virNetworkDestroy(n) < 0) {
            vd_task_fail_libvirt(t, _("Could not stop the network %s"), o->name);
            break;
        }
        if (persistent == 1 && virNetworkUndefine(n) < 0) {
            vd_task_fail_libvirt(t, _("Could not delete the network %s"), o->name);
            break;
        }
        vd_task_set_message(t, _("Network %s deleted"), o->name);
        break;
    }
    case VD_NET_OP_LAST:
        break;
    }
    /* a network change may change the domains' addresses */
    vd_task_request_refresh(t);
}

void
vd_network_op(struct vd_conn *c, const char *name, enum vd_net_op op, vd_task_done_fn done, gpointer user)
{
    struct op *o = g_new0(struct op, 1);

    o->name = g_strdup(name);
    o->op = op;
    vd_conn_submit(c, VD_TASK_QUICK, NULL, op_task, o, (GDestroyNotify)op_free, done, user);
}

static void
create_task(virConnectPtr vc, struct vd_task *t, gpointer data)
{
    struct op *o = data;
    g_autoptr(virNetwork) n = virNetworkDefineXML(vc, o->xml);

    if (!n) {
        vd_task_fail_libvirt(t, _("Could not define the network %s"), o->name);
        return;
    }
    if (o->autostart && virNetworkSetAutostart(n, 1) < 0) {
        vd_task_fail_libvirt(t, _("Network %s defined, but autostart could not be set"), o->name);
        return;
    }
    if (o->start && virNetworkCreate(n) < 0) {
        vd_task_fail_libvirt(t, _("Network %s defined, but it could not be started"), o->name);
        return;
    }
    vd_task_set_message(t, o->start ? _("Network %s created and started") : _("Network %s created"), o->name);
}

void
vd_network_create(struct vd_conn *c, const char *xml, bool start, bool autostart, vd_task_done_fn done,
                  gpointer user)
{
    struct op *o = g_new0(struct op, 1);
    g_autofree char *perr = NULL;
    g_autoptr(vd_net_def) d = vd_net_def_parse(xml, &perr);

    o->name = g_strdup(d && d->name ? d->name : "?");
    o->xml = g_strdup(xml);
    o->start = start;
    o->autostart = autostart;
    vd_conn_submit(c, VD_TASK_QUICK, NULL, create_task, o, (GDestroyNotify)op_free, done, user);
}

/* ---- static DHCP hosts --------------------------------------------------- */

static bool
update_host(virNetworkPtr n, struct vd_task *t, unsigned int cmd, const struct vd_net_host *h,
            unsigned int flags)
{
    g_autofree char *xml = vd_net_host_xml(h);

    /* parentIndex -1: the first <ip> that has DHCP, i.e. the IPv4 subnet */
    if (virNetworkUpdate(n, cmd, VIR_NETWORK_SECTION_IP_DHCP_HOST, -1, xml, flags) < 0) {
        vd_task_fail_libvirt(t, _("Could not update the static hosts of %s"), virNetworkGetName(n));
        return false;
    }
    return true;
}

static void
host_task(virConnectPtr vc, struct vd_task *t, gpointer data)
{
    struct op *o = data;
    g_autoptr(virNetwork) n = lookup(vc, t, o->name);
    unsigned int flags = 0;
    int active, persistent;

    if (!n)
        return;
    active = virNetworkIsActive(n);
    persistent = virNetworkIsPersistent(n);
    if (active == 1)
        flags |= VIR_NETWORK_UPDATE_AFFECT_LIVE;
    if (persistent == 1)
        flags |= VIR_NETWORK_UPDATE_AFFECT_CONFIG;
    if (!flags)
        flags = VIR_NETWORK_UPDATE_AFFECT_CURRENT;
    switch (o->host_cmd) {
    case VIR_NETWORK_UPDATE_COMMAND_ADD_LAST:
        if (update_host(n, t, VIR_NETWORK_UPDATE_COMMAND_ADD_LAST, o->host, flags))
            vd_task_set_message(t, _("Static host %1$s (%2$s) added to %3$s"), o->host->ip, o->host->mac, o->name);
        break;
    case VIR_NETWORK_UPDATE_COMMAND_DELETE:
        if (update_host(n, t, VIR_NETWORK_UPDATE_COMMAND_DELETE, o->host, flags))
            vd_task_set_message(t, _("Static host %1$s (%2$s) removed from %3$s"), o->host->ip, o->host->mac,
                                o->name);
        break;
    case VIR_NETWORK_UPDATE_COMMAND_MODIFY:
        /* libvirt finds the entry to modify by its MAC: a new MAC is a
         * different entry */
        if (o->old->mac && o->host->mac && g_ascii_strcasecmp(o->old->mac, o->host->mac) == 0) {
            if (!update_host(n, t, VIR_NETWORK_UPDATE_COMMAND_MODIFY, o->host, flags))
                break;
        } else if (!update_host(n, t, VIR_NETWORK_UPDATE_COMMAND_DELETE, o->old, flags) ||
                   !update_host(n, t, VIR_NETWORK_UPDATE_COMMAND_ADD_LAST, o->host, flags)) {
            break;
        }
        vd_task_set_message(t, _("Static host %1$s (%2$s) changed in %3$s"), o->host->ip, o->host->mac, o->name);
        break;
    }
}

static struct vd_net_host *
host_dup(const struct vd_net_host *h)
{
    return h ? vd_net_host_new(h->mac, h->name, h->ip) : NULL;
}

static void
submit_host(struct vd_conn *c, const char *network, int cmd, const struct vd_net_host *old,
            const struct vd_net_host *h, vd_task_done_fn done, gpointer user)
{
    struct op *o = g_new0(struct op, 1);

    o->name = g_strdup(network);
    o->host_cmd = cmd;
    o->old = host_dup(old);
    o->host = host_dup(h);
    vd_conn_submit(c, VD_TASK_QUICK, NULL, host_task, o, (GDestroyNotify)op_free, done, user);
}

void
vd_network_host_add(struct vd_conn *c, const char *network, const struct vd_net_host *h, vd_task_done_fn done,
                    gpointer user)
{
    submit_host(c, network, VIR_NETWORK_UPDATE_COMMAND_ADD_LAST, NULL, h, done, user);
}

void
vd_network_host_change(struct vd_conn *c, const char *network, const struct vd_net_host *old,
                       const struct vd_net_host *h, vd_task_done_fn done, gpointer user)
{
    submit_host(c, network, VIR_NETWORK_UPDATE_COMMAND_MODIFY, old, h, done, user);
}

void
vd_network_host_remove(struct vd_conn *c, const char *network, const struct vd_net_host *h,
                       vd_task_done_fn done, gpointer user)
{
    submit_host(c, network, VIR_NETWORK_UPDATE_COMMAND_DELETE, NULL, h, done, user);
}

/* ---- who uses a network -------------------------------------------------- */

/* Whether the domain XML has <interface type='network'><source network=NAME>. */
static bool
xml_uses_network(const char *xml, const char *network)
{
    xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
    bool found = false;

    for (xmlNodePtr devs = root ? root->children : NULL; devs && !found; devs = devs->next) {
        if (devs->type != XML_ELEMENT_NODE || strcmp((const char *)devs->name, "devices") != 0)
            continue;
        for (xmlNodePtr i = devs->children; i && !found; i = i->next) {
            if (i->type != XML_ELEMENT_NODE || strcmp((const char *)i->name, "interface") != 0)
                continue;
            for (xmlNodePtr s = i->children; s && !found; s = s->next) {
                xmlChar *v;
                if (s->type != XML_ELEMENT_NODE || strcmp((const char *)s->name, "source") != 0)
                    continue;
                v = xmlGetProp(s, (const xmlChar *)"network");
                found = v && strcmp((const char *)v, network) == 0;
                xmlFree(v);
            }
        }
    }
    xmlFreeDoc(doc);
    return found;
}

static void
users_task(virConnectPtr vc, struct vd_task *t, gpointer data)
{
    const char *network = data;
    virDomainPtr *doms = NULL;
    GPtrArray *names = g_ptr_array_new();
    int n = virConnectListAllDomains(vc, &doms, 0);

    if (n < 0) {
        g_ptr_array_unref(names);
        vd_task_fail_libvirt(t, "%s", _("Could not list the domains"));
        return;
    }
    for (int i = 0; i < n; i++) {
        /* the inactive config too: a shut off domain would fail to start */
        char *live = virDomainGetXMLDesc(doms[i], 0);
        char *cfg = virDomainIsActive(doms[i]) == 1 ? virDomainGetXMLDesc(doms[i], VIR_DOMAIN_XML_INACTIVE) : NULL;

        if ((live && xml_uses_network(live, network)) || (cfg && xml_uses_network(cfg, network)))
            g_ptr_array_add(names, vd_sanitize(virDomainGetName(doms[i])));
        free(live);
        free(cfg);
        virDomainFree(doms[i]);
    }
    free(doms);
    g_ptr_array_add(names, NULL);
    vd_task_set_result(t, g_ptr_array_free(names, FALSE), (GDestroyNotify)g_strfreev);
}

void
vd_network_users(struct vd_conn *c, const char *network, vd_task_done_fn done, gpointer user)
{
    vd_conn_submit(c, VD_TASK_QUICK, NULL, users_task, g_strdup(network), g_free, done, user);
}

/* ---- host bridges -------------------------------------------------------- */

static bool
xml_root_is(const char *xml, const char *root_name, const char *type)
{
    xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "iface.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
    xmlChar *v = root ? xmlGetProp(root, (const xmlChar *)"type") : NULL;
    bool r = root && strcmp((const char *)root->name, root_name) == 0 && v && strcmp((const char *)v, type) == 0;

    xmlFree(v);
    xmlFreeDoc(doc);
    return r;
}

static void
bridges_task(virConnectPtr vc, struct vd_task *t, gpointer data)
{
    g_autoptr(GHashTable) own = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    GPtrArray *out = g_ptr_array_new();
    virInterfacePtr *ifs = NULL;
    virNetworkPtr *nets = NULL;
    int n;

    /* the bridges libvirt's own networks made (virbr0...) are not offered */
    n = virConnectListAllNetworks(vc, &nets, VIR_CONNECT_LIST_NETWORKS_ACTIVE);
    for (int i = 0; i < n; i++) {
        char *br = virNetworkGetBridgeName(nets[i]);
        if (br)
            g_hash_table_add(own, g_strdup(br));
        free(br);
        virNetworkFree(nets[i]);
    }
    free(nets);
    /* not only "active" ones: a bridge with no port yet is down (NO-CARRIER) */
    n = virConnectListAllInterfaces(vc, &ifs, 0);
    for (int i = 0; i < n; i++) {
        const char *name = virInterfaceGetName(ifs[i]);
        char *xml = g_hash_table_contains(own, name) ? NULL : virInterfaceGetXMLDesc(ifs[i], 0);

        if (xml && xml_root_is(xml, "interface", "bridge"))
            g_ptr_array_add(out, vd_sanitize(name));
        free(xml);
        virInterfaceFree(ifs[i]);
    }
    free(ifs);
    if (n < 0)
        vd_task_set_message(t, _("The host does not list its interfaces: type the bridge name"));
    g_ptr_array_add(out, NULL);
    vd_task_set_result(t, g_ptr_array_free(out, FALSE), (GDestroyNotify)g_strfreev);
}

void
vd_network_bridges(struct vd_conn *c, vd_task_done_fn done, gpointer user)
{
    vd_conn_submit(c, VD_TASK_QUICK, NULL, bridges_task, NULL, NULL, done, user);
}

/* ---- lifecycle events ---------------------------------------------------- */

struct vd_net_watch {
    gatomicrefcount ref;
    GMainContext *ctx;
    void (*changed)(gpointer user);
    gpointer user;
    gint dead;              /* atomic: unwatched, never call changed again */
    gint queued;            /* atomic: a notification is on its way */
    int id;                 /* worker only: registration id, -1 none */
    virConnectPtr vc;       /* worker only: where it is registered (not a reference) */
};

static struct vd_net_watch *
watch_ref(struct vd_net_watch *w)
{
    g_atomic_ref_count_inc(&w->ref);
    return w;
}

static void
watch_unref(gpointer p)
{
    struct vd_net_watch *w = p;

    if (w && g_atomic_ref_count_dec(&w->ref)) {
        g_main_context_unref(w->ctx);
        g_free(w);
    }
}

static gboolean
watch_in_ui(gpointer data)
{
    struct vd_net_watch *w = data;

    g_atomic_int_set(&w->queued, 0);
    if (!g_atomic_int_get(&w->dead))
        w->changed(w->user);
    return G_SOURCE_REMOVE;
}

static void
net_event_cb(virConnectPtr vc, virNetworkPtr net, int event, int detail, void *opaque)
{
    struct vd_net_watch *w = opaque;
    GSource *src;

    if (g_atomic_int_get(&w->dead) || !g_atomic_int_compare_and_exchange(&w->queued, 0, 1))
        return;
    src = g_idle_source_new();
    g_source_set_callback(src, watch_in_ui, watch_ref(w), watch_unref);
    g_source_attach(src, w->ctx);
    g_source_unref(src);
}

static void
watch_task(virConnectPtr vc, struct vd_task *t, gpointer data)
{
    struct vd_net_watch *w = data;

    if (g_atomic_int_get(&w->dead))
        return;
    w->id = virConnectNetworkEventRegisterAny(vc, NULL, VIR_NETWORK_EVENT_ID_LIFECYCLE,
                                              VIR_NETWORK_EVENT_CALLBACK(net_event_cb), watch_ref(w), watch_unref);
    if (w->id < 0) {
        watch_unref(w);
        vd_task_fail_libvirt(t, "%s", _("Network events are not available"));
        return;
    }
    w->vc = vc;
}

static void
unwatch_task(virConnectPtr vc, struct vd_task *t, gpointer data)
{
    struct vd_net_watch *w = data;

    /* after a reconnect the registration died with the old connection */
    if (w->id >= 0 && w->vc == vc)
        virConnectNetworkEventDeregisterAny(vc, w->id);
    w->id = -1;
}

struct vd_net_watch *
vd_network_watch(struct vd_conn *c, GMainContext *ctx, void (*changed)(gpointer user), gpointer user)
{
    struct vd_net_watch *w = g_new0(struct vd_net_watch, 1);

    g_atomic_ref_count_init(&w->ref);
    w->ctx = g_main_context_ref(ctx);
    w->changed = changed;
    w->user = user;
    w->id = -1;
    vd_conn_submit(c, VD_TASK_QUICK, NULL, watch_task, watch_ref(w), watch_unref, NULL, NULL);
    return w;
}

void
vd_network_unwatch(struct vd_conn *c, struct vd_net_watch *w)
{
    if (!w)
        return;
    g_atomic_int_set(&w->dead, 1);
    /* the task owns the last reference */
    vd_conn_submit(c, VD_TASK_QUICK, NULL, unwatch_task, w, watch_unref, NULL, NULL);
}

char *
vd_net_lease_expiry_text(gint64 expiry, gint64 now)
{
    gint64 left = expiry - now;

    if (expiry <= 0)
        return g_strdup(_("never"));
    if (left <= 0)
        return g_strdup(_("expired"));
    if (left < 60)
        return g_strdup_printf(_("in %d s"), (int)left);
    if (left < 3600 * 2)
        return g_strdup_printf(_("in %d min"), (int)(left / 60));
    return g_strdup_printf(_("in %d h"), (int)(left / 3600));
}
