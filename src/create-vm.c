/* virtdeck - host facts and the creation transaction of a new VM
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include <libvirt/virterror.h>

#include "conn-task.h"
#include "create-vm.h"
#include "fetch.h"
#include "host-facts.h"
#include "i18n.h"
#include "storage-stream.h"
#include "util.h"
#include "vol-xml.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlXPathContext, xmlXPathFreeContext)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlXPathObject, xmlXPathFreeObject)

/* ---- XML helpers ---- */

static xmlDocPtr
parse(const char *xml)
{
    if (!xml)
        return NULL;
    return xmlReadMemory(xml, (int)strlen(xml), "libvirt.xml", NULL,
                         XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

/* Every string an XPath expression selects (attribute or element text). */
static GPtrArray *
xpath_strings(xmlDocPtr doc, const char *expr)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(xmlXPathContext) ctx = NULL;
    g_autoptr(xmlXPathObject) obj = NULL;

    if (!doc)
        return out;
    ctx = xmlXPathNewContext(doc);
    obj = xmlXPathEvalExpression(BAD_CAST expr, ctx);
    if (!obj || !obj->nodesetval)
        return out;
    for (int i = 0; i < obj->nodesetval->nodeNr; i++) {
        xmlChar *s = xmlNodeGetContent(obj->nodesetval->nodeTab[i]);
        if (s)
            g_ptr_array_add(out, vd_sanitize((char *)s));
        xmlFree(s);
    }
    return out;
}

static char *
xpath_string(xmlDocPtr doc, const char *expr)
{
    g_autoptr(GPtrArray) a = xpath_strings(doc, expr);
    return a->len ? g_strdup(a->pdata[0]) : NULL;
}

static void
add_unique(GPtrArray *a, const char *s)
{
    for (guint i = 0; i < a->len; i++)
        if (g_str_equal(a->pdata[i], s))
            return;
    g_ptr_array_add(a, g_strdup(s));
}

/* ---- facts ---- */

static bool
uri_is_local(const char *uri)
{
    const char *p = uri ? strstr(uri, "://") : NULL;
    return p && p[3] == '/';
}

/* virt types and machines of the guest arch from the capabilities. */
static void
read_capabilities(virConnectPtr vc, struct vd_host_facts *f)
{
    g_autofree char *xml = virConnectGetCapabilities(vc);
    g_autoptr(xmlDoc) doc = parse(xml);
    g_autofree char *base = NULL;
    g_autofree char *expr = NULL;
    g_autoptr(GPtrArray) types = NULL;
    g_autoptr(GPtrArray) machines = NULL;

    if (!doc)
        return;
    g_free(f->arch);
    f->arch = xpath_string(doc, "/capabilities/host/cpu/arch");
    if (!f->arch)
        f->arch = g_strdup("x86_64");
    base = g_strdup_printf("/capabilities/guest[os_type='hvm'][arch/@name='%s']/arch", f->arch);
    expr = g_strdup_printf("%s/domain/@type", base);
    types = xpath_strings(doc, expr);
    /* kvm first: the best the host offers */
    for (guint i = 0; i < types->len; i++)
        if (g_str_equal(types->pdata[i], "kvm"))
            add_unique(f->virt_types, "kvm");
    for (guint i = 0; i < types->len; i++)
        add_unique(f->virt_types, types->pdata[i]);
    g_free(expr);
    expr = g_strdup_printf("%s/machine", base);
    machines = xpath_strings(doc, expr);
    /* aliases ("pc", "q35") first */
    g_free(expr);
    expr = g_strdup_printf("%s/machine[@canonical]", base);
    {
        g_autoptr(GPtrArray) aliases = xpath_strings(doc, expr);
        for (guint i = 0; i < aliases->len; i++)
            add_unique(f->machines, aliases->pdata[i]);
    }
    for (guint i = 0; i < machines->len; i++)
        add_unique(f->machines, machines->pdata[i]);
}

static void
read_domain_caps(virConnectPtr vc, struct vd_host_facts *f)
{
    g_autofree char *xml = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autofree char *s = NULL;
    g_autoptr(GPtrArray) fw = NULL;
    g_autoptr(GPtrArray) scsi = NULL;

    f->cpu_modes[VD_CPU_DEFAULT] = true;
    if (!f->virt_types->len)
        return;
    xml = virConnectGetDomainCapabilities(vc, NULL, f->arch, NULL, f->virt_types->pdata[0], 0);
    doc = parse(xml);
    if (!doc)
        return;
    s = xpath_string(doc, "/domainCapabilities/vcpu/@max");
    f->max_vcpus = s ? (guint)g_ascii_strtoull(s, NULL, 10) : 0;
    g_free(f->default_machine);
    f->default_machine = xpath_string(doc, "/domainCapabilities/machine");
    for (int m = VD_CPU_HOST_PASSTHROUGH; m < VD_CPU_MODE_LAST; m++) {
        g_autofree char *e = g_strdup_printf("/domainCapabilities/cpu/mode[@name='%s']/@supported",
                                             vd_cpu_mode_id(m));
        g_autofree char *v = xpath_string(doc, e);
        f->cpu_modes[m] = g_strcmp0(v, "yes") == 0;
    }
    /* The plan writes <os firmware='efi'> (libvirt >= 5.2 picks the loader
     * and NVRAM template from the firmware descriptors), so UEFI is offered
     * only when that value is listed. Loader paths alone (no descriptors,
     * libvirt's built-in or qemu.conf nvram list) would make the define fail
     * with "Unable to find any firmware to satisfy 'efi'". */
    fw = xpath_strings(doc, "/domainCapabilities/os/enum[@name='firmware']/value[.='efi']");
    f->uefi = fw->len > 0;
    /* Secure Boot firmware is for q35 only (it needs SMM): asked for that
     * machine, the loader's secure enum lists yes when there is one */
    if (f->uefi) {
        g_autofree char *qxml = virConnectGetDomainCapabilities(vc, NULL, f->arch, "q35", f->virt_types->pdata[0], 0);
        g_autoptr(xmlDoc) qdoc = parse(qxml);
        g_autoptr(GPtrArray) sec = qdoc ? xpath_strings(qdoc, "/domainCapabilities/os/loader/enum[@name='secure']/value[.='yes']") : NULL;
        f->uefi_secure = sec && sec->len > 0 && f->fw_features;
        virResetLastError();
    }
    scsi = xpath_strings(doc, "/domainCapabilities/devices/disk/enum[@name='bus']/value[.='scsi']");
    f->virtio_scsi = scsi->len > 0;
    if (f->default_machine && !f->machines->len)
        g_ptr_array_add(f->machines, g_strdup(f->default_machine));
}

static void
read_pools(virConnectPtr vc, struct vd_host_facts *f)
{
    virStoragePoolPtr *pools = NULL;
    int n = virConnectListAllStoragePools(vc, &pools, 0);

    for (int i = 0; i < n; i++) {
        struct vd_fact_pool *p = vd_fact_pool_new();
        virStoragePoolInfo info;
        g_autofree char *xml = virStoragePoolGetXMLDesc(pools[i], 0);
        g_autoptr(xmlDoc) doc = parse(xml);

        p->name = vd_sanitize(virStoragePoolGetName(pools[i]));
        p->active = virStoragePoolIsActive(pools[i]) == 1;
        p->path = xpath_string(doc, "/pool/target/path");
        p->type = xpath_string(doc, "/pool/@type");
        if (p->active && virStoragePoolGetInfo(pools[i], &info) == 0) {
            p->capacity = info.capacity;
            p->available = info.available;
        }
        if (p->active) {
            virStorageVolPtr *vols = NULL;
            int nv = virStoragePoolListAllVolumes(pools[i], &vols, 0);
            for (int j = 0; j < nv; j++) {
                struct vd_fact_vol *v = vd_fact_vol_new();
                g_autofree char *vx = virStorageVolGetXMLDesc(vols[j], 0);
                g_autoptr(xmlDoc) vd = parse(vx);
                g_autofree char *cap = xpath_string(vd, "/volume/capacity");
                g_autofree char *path = virStorageVolGetPath(vols[j]);

                v->name = vd_sanitize(virStorageVolGetName(vols[j]));
                v->path = path ? vd_sanitize(path) : NULL;
                v->format = xpath_string(vd, "/volume/target/format/@type");
                v->capacity = cap ? g_ascii_strtoull(cap, NULL, 10) : 0;
                g_ptr_array_add(p->volumes, v);
                virStorageVolFree(vols[j]);
            }
            free(vols);
        }
        g_ptr_array_add(f->pools, p);
        virStoragePoolFree(pools[i]);
    }
    free(pools);
}

static void
read_networks(virConnectPtr vc, struct vd_host_facts *f, GPtrArray *net_bridges)
{
    virNetworkPtr *nets = NULL;
    int n = virConnectListAllNetworks(vc, &nets, 0);

    for (int i = 0; i < n; i++) {
        g_autofree char *br = virNetworkGetBridgeName(nets[i]);
        g_ptr_array_add(virNetworkIsActive(nets[i]) == 1 ? f->networks : f->inactive_networks,
                        vd_sanitize(virNetworkGetName(nets[i])));
        if (br)
            g_ptr_array_add(net_bridges, g_strdup(br));
        virNetworkFree(nets[i]);
    }
    free(nets);
    virResetLastError();
}

/* Real bridges: the interfaces libvirt's interface driver describes as
 * <interface type='bridge'>; the bridges of libvirt networks are not listed.
 * All of them, not only the "active" ones: the udev backend calls an
 * interface active when its operstate is up, and a bridge with no port yet
 * (a new host bridge, before its first guest) is "down" with NO-CARRIER
 * although it is up and usable. Only when the connection has no interface
 * driver at all (virConnectListAllInterfaces fails) and libvirtd runs on
 * this machine, /sys/class/net/NAME/bridge says the same thing; for a remote
 * host nothing but libvirt is asked. */
static void
read_bridges(virConnectPtr vc, struct vd_host_facts *f, GPtrArray *net_bridges)
{
    virInterfacePtr *ifs = NULL;
    int n = virConnectListAllInterfaces(vc, &ifs, 0);
    g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func(g_free);

    for (int i = 0; i < n; i++) {
        g_autofree char *xml = virInterfaceGetXMLDesc(ifs[i], 0);
        g_autoptr(xmlDoc) doc = parse(xml);
        g_autofree char *type = xpath_string(doc, "/interface/@type");
        if (g_strcmp0(type, "bridge") == 0)
            g_ptr_array_add(found, vd_sanitize(virInterfaceGetName(ifs[i])));
        virInterfaceFree(ifs[i]);
    }
    free(ifs);
    virResetLastError();
    if (n < 0 && f->local) {
        g_autoptr(GDir) d = g_dir_open("/sys/class/net", 0, NULL);
        const char *name;
        while (d && (name = g_dir_read_name(d))) {
            g_autofree char *p = g_build_filename("/sys/class/net", name, "bridge", NULL);
            if (g_file_test(p, G_FILE_TEST_IS_DIR))
                g_ptr_array_add(found, vd_sanitize(name));
        }
    }
    for (guint i = 0; i < found->len; i++) {
        bool of_net = false;
        for (guint j = 0; j < net_bridges->len; j++)
            of_net |= g_str_equal(found->pdata[i], net_bridges->pdata[j]);
        if (!of_net)
            add_unique(f->bridges, found->pdata[i]);
    }
}

static void
read_domains(virConnectPtr vc, struct vd_host_facts *f)
{
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(vc, &doms, 0);

    for (int i = 0; i < n; i++) {
        g_autofree char *xml = virDomainGetXMLDesc(doms[i], VIR_DOMAIN_XML_INACTIVE);
        g_autoptr(xmlDoc) doc = parse(xml);
        g_autoptr(GPtrArray) macs = xpath_strings(doc, "/domain/devices/interface/mac/@address");

        g_ptr_array_add(f->domains, g_strdup(virDomainGetName(doms[i])));
        for (guint j = 0; j < macs->len; j++) {
            g_autofree char *m = g_ascii_strdown(macs->pdata[j], -1);
            add_unique(f->macs, m);
        }
        virDomainFree(doms[i]);
    }
    free(doms);
}

/* All cells: total and free (with buffers and cache, which the kernel gives
 * back); nodeinfo and GetFreeMemory may count one NUMA cell only. */
static void
read_memory_stats(virConnectPtr vc, struct vd_host_facts *f)
{
    int n = 0;
    virNodeMemoryStatsPtr st;
    guint64 total = 0, avail = 0;

    if (virNodeGetMemoryStats(vc, VIR_NODE_MEMORY_STATS_ALL_CELLS, NULL, &n, 0) < 0 || n <= 0) {
        virResetLastError();
        return;
    }
    st = g_new0(virNodeMemoryStats, n);
    if (virNodeGetMemoryStats(vc, VIR_NODE_MEMORY_STATS_ALL_CELLS, st, &n, 0) == 0) {
        for (int i = 0; i < n; i++) {
            if (g_str_equal(st[i].field, VIR_NODE_MEMORY_STATS_TOTAL))
                total = st[i].value;
            else if (g_str_equal(st[i].field, VIR_NODE_MEMORY_STATS_FREE)
                     || g_str_equal(st[i].field, VIR_NODE_MEMORY_STATS_BUFFERS)
                     || g_str_equal(st[i].field, VIR_NODE_MEMORY_STATS_CACHED))
                avail += st[i].value;
        }
    }
    virResetLastError();
    g_free(st);
    if (total) {
        f->mem_kib = MAX(f->mem_kib, total);
        f->free_kib = MAX(f->free_kib, avail);
    }
}

struct vd_host_facts *
vd_host_facts_fetch(virConnectPtr vc, const char *uri, char **error)
{
    struct vd_host_facts *f = vd_host_facts_new();
    g_autoptr(GPtrArray) net_bridges = g_ptr_array_new_with_free_func(g_free);
    virNodeInfo ni;
    unsigned long long free_bytes;

    f->uri = g_strdup(uri);
    f->local = uri_is_local(uri);
    if (virNodeGetInfo(vc, &ni) < 0) {
        *error = g_strdup(virGetLastErrorMessage());
        vd_host_facts_free(f);
        return NULL;
    }
    f->cpus = ni.cpus;
    {
        /* firmware features in <os> came with libvirt 7.2: older hosts get
         * plain firmware='efi' and no Secure Boot choice */
        unsigned long lib = 0;
        f->fw_features = virConnectGetLibVersion(vc, &lib) < 0 || lib >= 7002000;
    }
    f->mem_kib = ni.memory;
    free_bytes = virNodeGetFreeMemory(vc);
    f->free_kib = free_bytes ? free_bytes / 1024 : 0;
    read_memory_stats(vc, f);
    read_capabilities(vc, f);
    read_domain_caps(vc, f);
    virResetLastError();
    read_pools(vc, f);
    read_networks(vc, f, net_bridges);
    read_bridges(vc, f, net_bridges);
    read_domains(vc, f);
    virResetLastError();
    return f;
}

static void
facts_task(virConnectPtr vc, struct vd_task *t, gpointer data)
{
    g_autofree char *err = NULL;
    const char *uri = data;
    struct vd_host_facts *f = vd_host_facts_fetch(vc, uri, &err);

    if (!f) {
        vd_task_fail(t, _("Cannot read the host's facts: %s"), err ? err : _("unknown error"));
        return;
    }
    vd_task_set_result(t, f, NULL);
}

void
vd_host_facts_request(struct vd_conn *c, vd_task_done_fn done, gpointer user)
{
    vd_conn_submit(c, VD_TASK_QUICK, NULL, facts_task, g_strdup(vd_conn_uri(c)), g_free, done, user);
}

struct vd_host_facts *
vd_host_facts_fetch_sync(const char *uri, char **error)
{
    gpointer res = NULL;
    g_autofree char *msg = NULL;

    if (!vd_conn_run_sync(uri, facts_task, (gpointer)uri, &msg, &res)) {
        if (error)
            *error = g_steal_pointer(&msg);
        return NULL;
    }
    return res;
}

/* ---- the transaction ---- */

struct create {
    char *uri;
    struct vd_plan_vm *plan;
    char *xml;                /* customized, or NULL */
    bool cli;                 /* --create: progress lines on stderr */
    GString *notes;           /* added to the success message */
};

static void
create_free(struct create *c)
{
    g_free(c->uri);
    vd_plan_vm_free(c->plan);
    g_free(c->xml);
    if (c->notes)
        g_string_free(c->notes, TRUE);
    g_free(c);
}

struct undo {
    virStorageVolPtr vol;     /* created by us */
    virStorageVolPtr boot[2]; /* network install: kernel and initrd uploaded by us */
    virDomainPtr dom;         /* defined by us */
};

/* Delete the kernel and initrd volumes (after the start or on failure).
 * False and *why (the first libvirt message, may be NULL) if one stays:
 * virStorageVolFree resets the thread's error, so it is kept here. */
static bool
delete_boot_vols(struct undo *u, char **why)
{
    bool ok = true;

    for (int i = 0; i < 2; i++) {
        if (!u->boot[i])
            continue;
        if (virStorageVolDelete(u->boot[i], 0) < 0) {
            if (ok && why)
                *why = vd_sanitize(virGetLastErrorMessage());
            ok = false;
        }
        virStorageVolFree(u->boot[i]);
        u->boot[i] = NULL;
    }
    return ok;
}

/* Undo in reverse. The failure's message is already in the task; what
 * could not be removed is added to it (*left, "" when all went). */
static void
undo_all(struct undo *u, GString *left)
{
    if (u->dom) {
        if (virDomainIsActive(u->dom) == 1)
            virDomainDestroy(u->dom);
        if (virDomainUndefineFlags(u->dom, VIR_DOMAIN_UNDEFINE_NVRAM | VIR_DOMAIN_UNDEFINE_MANAGED_SAVE) < 0
            && virDomainUndefine(u->dom) < 0)
            g_string_append_printf(left, _(" The domain could not be removed: %s."), virGetLastErrorMessage());
        virDomainFree(u->dom);
        u->dom = NULL;
    }
    g_autofree char *why = NULL;
    if (!delete_boot_vols(u, &why))
        g_string_append_printf(left, _(" The kernel and initrd volumes could not be removed: %s."),
                               why ? why : "?");
    if (u->vol) {
        /* an aborted upload stream holds the volume for a moment ("in use") */
        int rc;
        for (int i = 0; (rc = virStorageVolDelete(u->vol, 0)) < 0 && i < 50; i++)
            g_usleep(100 * 1000);
        if (rc < 0)
            g_string_append_printf(left, _(" The volume could not be removed: %s."), virGetLastErrorMessage());
        virStorageVolFree(u->vol);
        u->vol = NULL;
    }
}
#define FILL_CHUNK (1024 * 1024)

/* Zeros into the whole volume through an upload stream: cancellable
 * between chunks, with progress (percent from lo to hi). */
static bool
fill_zeros(virConnectPtr vc, struct vd_task *t, virStorageVolPtr vol, const char *name, int lo, int hi)
{
    virStorageVolInfo info;
    virStreamPtr st = NULL;
    g_autofree char *zero = NULL;
    g_autofree char *total = NULL;
    guint64 off = 0;
    gint64 last = 0;

    if (virStorageVolGetInfo(vol, &info) < 0) {
        vd_task_fail_libvirt(t, _("Could not read volume %s"), name);
        return false;
    }
    st = virStreamNew(vc, 0);
    if (!st || virStorageVolUpload(vol, st, 0, info.capacity, 0) < 0) {
        vd_task_fail_libvirt(t, _("Could not fill volume %s with zeros"), name);
        if (st)
            virStreamFree(st);
        return false;
    }
    zero = g_malloc0(FILL_CHUNK);
    total = vd_format_bytes(info.capacity);
    while (off < info.capacity) {
        size_t want = MIN((guint64)FILL_CHUNK, info.capacity - off);
        gint64 now;

        if (vd_task_cancelled(t))
            goto abort;
        for (size_t sent = 0; sent < want;) {
            int n = virStreamSend(st, zero + sent, want - sent);
            if (n < 0) {
                vd_task_fail_libvirt(t, _("Could not fill volume %s with zeros"), name);
                goto abort;
            }
            sent += n;
        }
        off += want;
        now = g_get_monotonic_time();
        if (now - last > 200 * 1000) {
            g_autofree char *done = vd_format_bytes(off);
            /* TRANSLATORS: a step of the VM creation: "filling vdi1.img with zeros, 1.2 GiB of 3 GiB" */
            g_autofree char *d = g_strdup_printf(_("filling %1$s with zeros, %2$s of %3$s"), name, done, total);
            vd_task_progress(t, lo + (int)((hi - lo) * off / info.capacity), d);
            last = now;
        }
    }
    if (virStreamFinish(st) < 0) {
        vd_task_fail_libvirt(t, _("Could not fill volume %s with zeros"), name);
        goto abort;
    }
    virStreamFree(st);
    return true;

abort:
    virStreamAbort(st);
    virStreamFree(st);
    return false;
}

static bool
define(virConnectPtr vc, struct vd_task *t, const char *xml, struct undo *u, const char *name)
{
    virDomainPtr d = virDomainDefineXMLFlags(vc, xml, VIR_DOMAIN_DEFINE_VALIDATE);

    if (d) {
        /* defined again (network install): the same domain */
        if (u->dom)
            virDomainFree(u->dom);
        u->dom = d;
    }
    if (!d) {
        vd_task_fail_libvirt(t, _("Could not define %s"), name);
        return false;
    }
    return true;
}

static bool
create_volume(virConnectPtr vc, struct vd_task *t, const struct vd_plan_vm *p, struct undo *u, bool local)
{
    unsigned int flags = 0;
    g_autofree char *xml = vd_plan_vm_volume_xml(p, &flags);
    g_autofree char *name = vd_plan_vm_volume_name(p);
    virStoragePoolPtr pool;

    if (p->disk != VD_DISK_NEW)
        return true;
    if (!xml) {
        vd_task_fail(t, _("Cannot write the XML of volume %s"), name);
        return false;
    }
    pool = virStoragePoolLookupByName(vc, p->disk_pool);
    if (!pool) {
        vd_task_fail_libvirt(t, _("Could not find pool %s"), p->disk_pool);
        return false;
    }
    /* refresh so "available" is current and a volume made meanwhile is seen */
    virStoragePoolRefresh(pool, 0);
    /* libvirt may write the allocation itself (no fallocate): no abort */
    vd_task_set_interruptible(t, false);
    u->vol = virStorageVolCreateXML(pool, xml, flags);
    vd_task_set_interruptible(t, true);
    virStoragePoolFree(pool);
    if (!u->vol) {
        vd_task_fail_libvirt(t, _("Could not create volume %1$s in pool %2$s"), name, p->disk_pool);
        return false;
    }
    /* "full": allocated, then written with zeros (vol-xml.h). Here through
     * a stream, which Esc stops; on a remote host the daemon writes them
     * (no data over the link), a call libvirt cannot interrupt. */
    if (p->prealloc == VD_PREALLOC_FULL && p->disk_format == VD_FMT_RAW) {
        bool ok;

        if (local)
            return !vd_task_cancelled(t) && fill_zeros(vc, t, u->vol, name, 20, 60);
        /* TRANSLATORS: a step of the VM creation */
        g_autofree char *d = g_strdup_printf(_("filling %s with zeros"), name);
        vd_task_progress(t, 30, d);
        vd_task_set_interruptible(t, false);
        ok = virStorageVolWipePattern(u->vol, VIR_STORAGE_VOL_WIPE_ALG_ZERO, 0) == 0;
        vd_task_set_interruptible(t, true);
        if (!ok) {
            vd_task_fail_libvirt(t, _("Could not fill volume %s with zeros"), name);
            return false;
        }
    }
    return true;
}

/* ---- network install: kernel and initrd into a pool of the host ---- */

/* xml with <uuid> set to uuid (the final definition must name the domain
 * the install definition made, or libvirt sees a second one). */
static char *
with_uuid(const char *xml, const char *uuid)
{
    g_autoptr(xmlDoc) doc = parse(xml);
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL, n, name = NULL;
    xmlChar *out = NULL;
    int len = 0;
    char *ret;

    if (!root)
        return NULL;
    for (n = root->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (xmlStrEqual(n->name, BAD_CAST "uuid")) {
            xmlNodeSetContent(n, BAD_CAST uuid);
            name = NULL;
            goto done;
        }
        if (xmlStrEqual(n->name, BAD_CAST "name"))
            name = n;
    }
    n = xmlNewDocNode(doc, NULL, BAD_CAST "uuid", BAD_CAST uuid);
    if (name)
        xmlAddNextSibling(name, n);
    else
        xmlAddChild(root, n);
done:
    xmlDocDumpMemory(doc, &out, &len);
    ret = g_strndup((const char *)out, len);
    xmlFree(out);
    return ret;
}

static void
step(struct vd_task *t, struct create *c, int percent, const char *detail)
{
    vd_task_progress(t, percent, detail);
    if (c->cli && detail)
        fprintf(stderr, "virtdeck: %s\n", detail);
}

static bool
fetch_cancelled(gpointer user)
{
    return vd_task_cancelled(user);
}

struct dl_progress {
    struct vd_task *t;
    struct create *c;
    const char *file;
    gint64 start, last_line;
};

static void
dl_progress(guint64 done, guint64 total, gpointer user)
{
    struct dl_progress *d = user;
    g_autofree char *dn = vd_format_bytes(done);
    g_autofree char *tt = total ? vd_format_bytes(total) : NULL;
    g_autofree char *detail = NULL;
    gint64 now = g_get_monotonic_time();

    if (total)
        /* TRANSLATORS: "downloading vmlinuz: 3.1 MiB of 8.0 MiB" */
        detail = g_strdup_printf(_("downloading %1$s: %2$s of %3$s"), d->file, dn, tt);
    else
        detail = g_strdup_printf(_("downloading %1$s: %2$s"), d->file, dn);
    vd_task_progress(d->t, total ? (int)MIN(100, done * 100 / total) : -1, detail);
    /* the command line gets a line a second */
    if (d->c->cli && (now - d->last_line >= G_USEC_PER_SEC || (total && done == total))) {
        d->last_line = now;
        fprintf(stderr, "virtdeck: %s\n", detail);
    }
}

/* The pool for the kernel and initrd: the disk's, else "default", else the
 * first active one. */
/* qemu reads <kernel> and <initrd> as files: only a pool of files on the
 * host will do (not LVM, iSCSI, RBD...) */
static bool
boot_pool_ok(const struct vd_fact_pool *fp)
{
    return fp && fp->active &&
           (!fp->type || !*fp->type || g_str_equal(fp->type, "dir") || g_str_equal(fp->type, "fs") ||
            g_str_equal(fp->type, "netfs"));
}

static const char *
boot_pool(const struct vd_plan_vm *p, const struct vd_host_facts *f)
{
    const struct vd_fact_pool *fp = p->disk != VD_DISK_NONE ? vd_host_facts_pool(f, p->disk_pool) : NULL;

    if (boot_pool_ok(fp))
        return fp->name;
    fp = vd_host_facts_pool(f, "default");
    if (boot_pool_ok(fp))
        return fp->name;
    for (guint i = 0; i < f->pools->len; i++) {
        fp = f->pools->pdata[i];
        if (boot_pool_ok(fp))
            return fp->name;
    }
    return NULL;
}

/* Download url and upload it into a new raw volume vol_name of pool: the
 * volume goes into u (undo) and *path gets its path on the host. */
static bool
boot_file(virConnectPtr vc, struct vd_task *t, struct create *c, struct vd_fetch *fe, virStoragePoolPtr pool,
          const char *url, const char *vol_name, int slot, struct undo *u, char **path)
{
    g_autofree char *base = g_path_get_basename(url);
    g_autofree char *tmp = NULL;
    g_autofree char *err = NULL;
    g_autofree char *vxml = NULL;
    g_autofree char *what = NULL;
    g_autofree char *sz = NULL;
    g_autoptr(GError) gerr = NULL;
    struct dl_progress d = { t, c, base, g_get_monotonic_time(), 0 };
    struct vd_vol_plan vp = { .name = vol_name, .format = VD_VOL_RAW };
    guint64 size = 0;
    gint64 t0, t1;
    int fd;
    bool ok = false;

    fd = g_file_open_tmp("virtdeck-boot-XXXXXX", &tmp, &gerr);
    if (fd < 0) {
        vd_task_fail(t, _("Cannot make a temporary file for %1$s: %2$s"), base, gerr->message);
        return false;
    }
    unlink(tmp);   /* only the descriptor keeps it: nothing is left behind */
    t0 = g_get_monotonic_time();
    if (!vd_fetch_to_fd(fe, url, fd, &size, dl_progress, &d, &err)) {
        if (vd_task_cancelled(t))
            vd_task_fail(t, "%s", _("Cancelled"));
        else
            vd_task_fail(t, "%s", err);
        goto out;
    }
    t1 = g_get_monotonic_time();
    if (size == 0) {
        vd_task_fail(t, _("%s is empty"), url);
        goto out;
    }
    vp.capacity = size;
    vxml = vd_vol_xml(&vp, &err);
    if (!vxml) {
        vd_task_fail(t, _("Cannot write the XML of volume %1$s: %2$s"), vol_name, err);
        goto out;
    }
    u->boot[slot] = virStorageVolCreateXML(pool, vxml, 0);
    if (!u->boot[slot]) {
        vd_task_fail_libvirt(t, _("Could not create volume %s for the network install"), vol_name);
        goto out;
    }
    what = g_strdup_printf(_("uploading %1$s into %2$s"), base, vol_name);
    step(t, c, 0, what);
    if (!vd_storage_upload_fd(vc, t, u->boot[slot], fd, size, what))
        goto out;
    *path = virStorageVolGetPath(u->boot[slot]);
    if (!*path) {
        vd_task_fail_libvirt(t, _("Could not read the path of volume %s"), vol_name);
        goto out;
    }
    sz = vd_format_bytes(size);
    {
        /* TRANSLATORS: "vmlinuz 7.9 MiB: downloaded in 0.12 s, uploaded in 0.30 s" */
        g_autofree char *line = g_strdup_printf(_("%1$s %2$s: downloaded in %3$.2f s, uploaded in %4$.2f s"), base, sz,
                                                (t1 - t0) / 1e6, (g_get_monotonic_time() - t1) / 1e6);
        step(t, c, 100, line);
        g_string_append_printf(c->notes, "%s%s", c->notes->len ? "; " : "", line);
    }
    ok = true;
out:
    close(fd);
    return ok;
}

/* Find the kernel and initrd of the install tree, download them and upload
 * them into volumes <name>-kernel and <name>-initrd; an override that is an
 * absolute path is a file on the host and used as it is. */
static bool
boot_files(virConnectPtr vc, struct vd_task *t, struct create *c, const struct vd_host_facts *f, struct undo *u,
           char **kernel, char **initrd)
{
    struct vd_plan_vm *p = c->plan;
    bool host_k = p->kernel && g_path_is_absolute(p->kernel);
    bool host_i = p->initrd && g_path_is_absolute(p->initrd);
    g_autoptr(vd_fetch) fe = NULL;
    g_autoptr(vd_fetch_tree) tree = NULL;
    g_autofree char *err = NULL;
    g_autofree char *kvol = NULL;
    g_autofree char *ivol = NULL;
    const char *pool_name;
    virStoragePoolPtr pool;
    bool ok;

    if (host_k)
        *kernel = g_strdup(p->kernel);
    if (host_i)
        *initrd = g_strdup(p->initrd);
    if (host_k && host_i)
        return true;
    step(t, c, -1, _("looking for the kernel and initrd of the install tree"));
    fe = vd_fetch_new(fetch_cancelled, t);
    tree = vd_fetch_find_tree(fe, p->url, p->arch, p->os_id, host_k || !p->kernel || !*p->kernel ? NULL : p->kernel,
                              host_i || !p->initrd || !*p->initrd ? NULL : p->initrd, &err);
    if (!tree) {
        if (vd_task_cancelled(t))
            vd_task_fail(t, "%s", _("Cancelled"));
        else
            vd_task_fail(t, "%s", err);
        return false;
    }
    {
        g_autofree char *line = g_strdup_printf(_("install tree: kernel %1$s, initrd %2$s (%3$s)%4$s%5$s"),
                                                tree->kernel, tree->initrd, tree->how,
                                                tree->os ? _(", OS ") : "", tree->os ? tree->os->name : "");
        step(t, c, -1, line);
    }
    /* the OS the tree says, unless the user chose one */
    if (tree->os && (!p->os_id || !*p->os_id)) {
        g_free(p->os_id);
        p->os_id = g_strdup(tree->os->id);
    }
    pool_name = boot_pool(p, f);
    if (!pool_name) {
        vd_task_fail(t, "%s", _("No active directory pool (dir, fs or netfs) on the host for the kernel and initrd"));
        return false;
    }
    pool = virStoragePoolLookupByName(vc, pool_name);
    if (!pool) {
        vd_task_fail_libvirt(t, _("Could not find pool %s"), pool_name);
        return false;
    }
    virStoragePoolRefresh(pool, 0);
    kvol = g_strdup_printf("%s-kernel", p->name);
    ivol = g_strdup_printf("%s-initrd", p->name);
    ok = (host_k || boot_file(vc, t, c, fe, pool, tree->kernel_url, kvol, 0, u, kernel))
         && (host_i || boot_file(vc, t, c, fe, pool, tree->initrd_url, ivol, 1, u, initrd));
    virStoragePoolFree(pool);
    return ok;
}

/* libvirt has no abort for a start: a cancel meanwhile takes effect when
 * it returns (false: the caller stops the guest and removes everything). */
static bool
start(struct vd_task *t, virDomainPtr dom, const char *name)
{
    bool ok;

    vd_task_set_interruptible(t, false);
    ok = virDomainCreate(dom) == 0;
    vd_task_set_interruptible(t, true);
    if (!ok)
        vd_task_fail_libvirt(t, _("Could not start %s"), name);
    return ok && !vd_task_cancelled(t);
}

static void
create_task(virConnectPtr vc, struct vd_task *t, gpointer data)
{
    struct create *c = data;
    struct vd_plan_vm *p = c->plan;
    struct undo u = { 0 };
    g_autofree char *err = NULL;
    g_autofree char *xml = NULL;
    g_autoptr(vd_host_facts) f = NULL;
    g_autoptr(GPtrArray) errors = vd_plan_errors_new();
    g_autofree char *kernel = NULL;
    g_autofree char *initrd = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN];
    g_autoptr(GString) left = NULL;

    step(t, c, 0, _("checking the host"));
    f = vd_host_facts_fetch(vc, c->uri, &err);
    if (!f) {
        vd_task_fail(t, _("Cannot read the host's facts: %s"), err ? err : _("unknown error"));
        return;
    }
    vd_plan_vm_apply_defaults(p, f);
    vd_plan_vm_fill_mac(p, f);
    if (!vd_plan_vm_validate(p, f, errors)) {
        g_autofree char *text = vd_plan_errors_text(errors);
        vd_task_fail(t, _("Cannot create %1$s: %2$s"), p->name ? p->name : "", text);
        return;
    }
    xml = c->xml ? g_strdup(c->xml) : vd_plan_vm_domain_xml(p, f, &err);
    if (!xml) {
        vd_task_fail(t, "%s", err);
        return;
    }
    /* customized XML: libvirt checks it before anything else is made */
    if (c->xml) {
        step(t, c, 10, _("defining"));
        if (!define(vc, t, xml, &u, p->name))
            goto fail;
    }
    /* network install: a wrong URL stops it before the disk is made */
    if (p->install == VD_INSTALL_URL && !boot_files(vc, t, c, f, &u, &kernel, &initrd))
        goto fail;
    step(t, c, 20, _("creating the volume"));
    if (vd_task_cancelled(t) || !create_volume(vc, t, p, &u, uri_is_local(c->uri)))
        goto fail;
    if (p->install == VD_INSTALL_URL) {
        g_autofree char *cmdline = NULL;
        g_autofree char *install = NULL;
        virDomainPtr final;

        /* the tree may have named the OS: the metadata and inst.repo follow */
        if (!c->xml) {
            g_free(xml);
            xml = vd_plan_vm_domain_xml(p, f, &err);
            if (!xml) {
                vd_task_fail(t, "%s", err);
                goto fail;
            }
        }
        cmdline = vd_plan_vm_cmdline(p);
        install = vd_plan_vm_install_xml(xml, kernel, initrd, cmdline, &err);
        if (!install) {
            vd_task_fail(t, "%s", err);
            goto fail;
        }
        /* the edited XML was defined first: the same domain, by its UUID */
        if (u.dom) {
            char *x;
            virDomainGetUUIDString(u.dom, uuid);
            x = with_uuid(install, uuid);
            if (x) {
                g_free(install);
                install = x;
            }
        }
        step(t, c, 60, _("defining the install boot (kernel and initrd)"));
        if (vd_task_cancelled(t) || !define(vc, t, install, &u, p->name))
            goto fail;
        step(t, c, 80, _("starting the installer"));
        if (vd_task_cancelled(t) || !start(t, u.dom, p->name))
            goto fail;
        /* the next boot is from the disk (or the network): the final
         * definition without the kernel; the running guest keeps its own */
        step(t, c, 90, _("defining the final boot"));
        virDomainGetUUIDString(u.dom, uuid);
        g_free(install);
        install = with_uuid(xml, uuid);
        final = install ? virDomainDefineXMLFlags(vc, install, VIR_DOMAIN_DEFINE_VALIDATE) : NULL;
        if (!final) {
            vd_task_fail_libvirt(t, _("Could not define the final configuration of %s"), p->name);
            goto fail;
        }
        virDomainFree(final);
        /* QEMU has read the kernel and initrd */
        if (!delete_boot_vols(&u, NULL))
            g_string_append_printf(c->notes, "%s%s", c->notes->len ? "; " : "",
                                   _("the kernel and initrd volumes could not be deleted"));
    } else {
        if (!u.dom) {
            step(t, c, 60, _("defining"));
            if (vd_task_cancelled(t) || !define(vc, t, xml, &u, p->name))
                goto fail;
        }
        if (p->start) {
            step(t, c, 80, _("starting"));
            if (vd_task_cancelled(t) || !start(t, u.dom, p->name))
                goto fail;
        }
    }
    vd_task_progress(t, 100, NULL);
    virDomainGetUUIDString(u.dom, uuid);
    vd_task_set_result(t, g_strdup(uuid), g_free);
    vd_task_request_refresh(t);
    if (p->install == VD_INSTALL_URL)
        /* TRANSLATORS: "... (vmlinuz 7.9 MiB: downloaded in 0.12 s, uploaded in 0.30 s; initrd.img ...)" */
        vd_task_set_message(t, _("Created and started %1$s from the install tree (%2$s)"), p->name, c->notes->str);
    else if (p->start)
        vd_task_set_message(t, _("Created and started %s"), p->name);
    else
        vd_task_set_message(t, _("Created %s"), p->name);
    virDomainFree(u.dom);
    if (u.vol)
        virStorageVolFree(u.vol);
    return;

fail:
    left = g_string_new(NULL);
    undo_all(&u, left);
    if (vd_task_cancelled(t) && !vd_task_failed(t))
        vd_task_fail(t, left->len ? _("Creation of %1$s cancelled.%2$s")
                                  : _("Creation of %1$s cancelled; what it had made was removed.%2$s"),
                     p->name, left->str);
    else if (left->len)
        vd_task_append_message(t, left->str);
    vd_task_request_refresh(t);
}

static struct create *
create_new(const char *uri, const struct vd_plan_vm *plan, const char *xml)
{
    struct create *c = g_new0(struct create, 1);

    c->uri = g_strdup(uri);
    c->plan = vd_plan_vm_copy(plan);
    c->xml = g_strdup(xml);
    c->notes = g_string_new(NULL);
    return c;
}

void
vd_create_vm(struct vd_conn *c, const struct vd_plan_vm *plan, const char *xml,
             vd_task_done_fn done, gpointer user)
{
    g_autofree char *label = g_strdup_printf(_("Creating %s"), plan->name ? plan->name : "");

    vd_conn_submit(c, VD_TASK_LONG, label, create_task, create_new(vd_conn_uri(c), plan, xml),
                   (GDestroyNotify)create_free, done, user);
}

bool
vd_create_vm_sync(const char *uri, const struct vd_plan_vm *plan, const char *xml,
                  char **message, char **uuid)
{
    struct create *c = create_new(uri, plan, xml);
    gpointer res = NULL;

    c->cli = true;
    bool ok = vd_conn_run_sync(uri, create_task, c, message, &res);

    if (uuid)
        *uuid = res;
    else
        g_free(res);
    create_free(c);
    return ok;
}
