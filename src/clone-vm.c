/* virtdeck - cloning a VM, like virt-clone: new name, new MACs, disks copied
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <config.h>

#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include <libvirt/virterror.h>

#include "clone-vm.h"
#include "conn-task.h"
#include "i18n.h"
#include "plan-vm.h"
#include "util.h"

char *
vd_clone_volume_name(const char *src_vol, const char *old_name, const char *new_name,
                     const char *target, bool linked)
{
    const char *dot = strrchr(src_vol, '.');
    const char *hit = old_name && *old_name ? strstr(src_vol, old_name) : NULL;
    g_autofree char *ext = g_strdup(linked ? ".qcow2" : dot && dot != src_vol ? dot : "");

    if (hit) {
        g_autofree char *head = g_strndup(src_vol, hit - src_vol);
        const char *tail = hit + strlen(old_name);
        g_autofree char *tail_noext = NULL;
        if (linked) {
            const char *td = strrchr(tail, '.');
            tail_noext = td ? g_strndup(tail, td - tail) : g_strdup(tail);
            return g_strconcat(head, new_name, tail_noext, ext, NULL);
        }
        return g_strconcat(head, new_name, tail, NULL);
    }
    return g_strconcat(new_name, "-", target ? target : "disk", ext, NULL);
}

static void
remove_nodes(xmlXPathContextPtr ctx, const char *expr)
{
    xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, ctx);

    for (int i = 0; o && o->nodesetval && i < o->nodesetval->nodeNr; i++) {
        xmlNodePtr n = o->nodesetval->nodeTab[i];
        if (n->type == XML_ATTRIBUTE_NODE) {
            xmlRemoveProp((xmlAttrPtr)n);
        } else {
            xmlUnlinkNode(n);
            xmlFreeNode(n);
        }
        o->nodesetval->nodeTab[i] = NULL;
    }
    xmlXPathFreeObject(o);
}

static char *
dump(xmlDocPtr doc)
{
    xmlChar *buf = NULL;
    int len = 0;
    char *out;

    xmlDocDumpMemoryEnc(doc, &buf, &len, "UTF-8");
    out = g_strdup(buf && strchr((char *)buf, '\n') ? strchr((char *)buf, '\n') + 1 : (char *)buf);
    xmlFree(buf);
    return out;
}

char *
vd_clone_domain_xml(const char *src_xml, const char *new_name, char **error)
{
    xmlDocPtr doc = src_xml ? xmlReadMemory(src_xml, (int)strlen(src_xml), "d.xml", NULL,
                                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)
                            : NULL;
    xmlXPathContextPtr ctx;
    xmlXPathObjectPtr o;
    char *out;

    if (!doc || !xmlDocGetRootElement(doc) || !xmlStrEqual(xmlDocGetRootElement(doc)->name, BAD_CAST "domain")) {
        if (doc)
            xmlFreeDoc(doc);
        if (error)
            *error = g_strdup(_("The source's XML cannot be read"));
        return NULL;
    }
    ctx = xmlXPathNewContext(doc);
    o = xmlXPathEvalExpression(BAD_CAST "/domain/name", ctx);
    if (o && o->nodesetval && o->nodesetval->nodeNr == 1)
        xmlNodeSetContent(o->nodesetval->nodeTab[0], NULL), xmlNodeAddContent(o->nodesetval->nodeTab[0], BAD_CAST new_name);
    xmlXPathFreeObject(o);
    remove_nodes(ctx, "/domain/uuid");
    remove_nodes(ctx, "/domain/devices/interface/mac");
    remove_nodes(ctx, "/domain/devices/graphics[@autoport='no']/@port");
    remove_nodes(ctx, "/domain/devices/graphics/@port");
    remove_nodes(ctx, "/domain/os/nvram");
    remove_nodes(ctx, "/domain/devices/interface/target");
    {
        o = xmlXPathEvalExpression(BAD_CAST "/domain/devices/graphics[@type='vnc' or @type='spice']", ctx);
        for (int i = 0; o && o->nodesetval && i < o->nodesetval->nodeNr; i++)
            xmlSetProp(o->nodesetval->nodeTab[i], BAD_CAST "autoport", BAD_CAST "yes");
        xmlXPathFreeObject(o);
    }
    xmlXPathFreeContext(ctx);
    out = dump(doc);
    xmlFreeDoc(doc);
    return out;
}

/* ---- the task ---- */

struct clone {
    char *src;                /* UUID or name */
    char *name;
    bool linked;
};

static void
clone_free(struct clone *c)
{
    g_free(c->src);
    g_free(c->name);
    g_free(c);
}

static char *
node_attr(xmlNodePtr n, const char *child, const char *attr)
{
    for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, BAD_CAST child)) {
            xmlChar *v = xmlGetProp(c, BAD_CAST attr);
            char *out = v ? g_strdup((char *)v) : NULL;
            xmlFree(v);
            return out;
        }
    }
    return NULL;
}

static xmlNodePtr
node_child(xmlNodePtr n, const char *name)
{
    for (xmlNodePtr c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, BAD_CAST name))
            return c;
    return xmlNewChild(n, NULL, BAD_CAST name, NULL);
}

/* Poll the new volume's allocation while libvirt copies. */
struct copy_watch {
    virStorageVolPtr src;
    virStoragePoolPtr pool;
    char *name;
    struct vd_task *t;
    int base, span;           /* percent range of this disk */
    gint stop;
};

static gpointer
watch_copy(gpointer data)
{
    struct copy_watch *w = data;
    virStorageVolInfo si;
    unsigned long long total = 0;

    if (virStorageVolGetInfo(w->src, &si) == 0)
        total = si.allocation ? si.allocation : si.capacity;
    while (!g_atomic_int_get(&w->stop)) {
        virStorageVolPtr v;
        g_usleep(300 * 1000);
        v = virStorageVolLookupByName(w->pool, w->name);
        if (v) {
            virStorageVolInfo vi;
            if (total && virStorageVolGetInfo(v, &vi) == 0) {
                int pct = (int)MIN(100, vi.allocation * 100 / total);
                g_autofree char *done = vd_format_kib(vi.allocation / 1024);
                vd_task_progress(w->t, w->base + w->span * pct / 100, done);
            }
            virStorageVolFree(v);
        }
        virResetLastError();
    }
    return NULL;
}

static char *
vol_format(virStorageVolPtr v)
{
    g_autofree char *xml = virStorageVolGetXMLDesc(v, 0);
    const char *p = xml ? strstr(xml, "<format type='") : NULL;

    if (!p)
        return g_strdup("raw");
    p += strlen("<format type='");
    return g_strndup(p, strcspn(p, "'"));
}

static char *
new_vol_xml(const char *name, unsigned long long capacity, const char *format, const char *backing,
            const char *backing_fmt)
{
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr vol = xmlNewNode(NULL, BAD_CAST "volume"), n;
    char cap[32];
    char *out;

    xmlDocSetRootElement(doc, vol);
    xmlNewTextChild(vol, NULL, BAD_CAST "name", BAD_CAST name);
    g_snprintf(cap, sizeof cap, "%llu", capacity);
    n = xmlNewTextChild(vol, NULL, BAD_CAST "capacity", BAD_CAST cap);
    xmlNewProp(n, BAD_CAST "unit", BAD_CAST "bytes");
    n = xmlNewChild(vol, NULL, BAD_CAST "target", NULL);
    xmlNewProp(xmlNewChild(n, NULL, BAD_CAST "format", NULL), BAD_CAST "type", BAD_CAST format);
    if (backing) {
        n = xmlNewChild(vol, NULL, BAD_CAST "backingStore", NULL);
        xmlNewTextChild(n, NULL, BAD_CAST "path", BAD_CAST backing);
        xmlNewProp(xmlNewChild(n, NULL, BAD_CAST "format", NULL), BAD_CAST "type", BAD_CAST backing_fmt);
    }
    out = dump(doc);
    xmlFreeDoc(doc);
    return out;
}

/* Copy (or link) one disk; rewrite its <source>. */
static bool
clone_disk(virConnectPtr vc, struct vd_task *t, struct clone *c, const char *old_name, xmlNodePtr disk,
           GPtrArray *made, int base, int span)
{
    g_autofree char *type = (char *)xmlGetProp(disk, BAD_CAST "type");
    g_autofree char *target = node_attr(disk, "target", "dev");
    g_autofree char *src_pool = node_attr(disk, "source", "pool");
    g_autofree char *src_vol = node_attr(disk, "source", "volume");
    g_autofree char *src_file = node_attr(disk, "source", "file");
    g_autofree char *src_dev = node_attr(disk, "source", "dev");
    g_autofree char *fmt = NULL;
    g_autofree char *name = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *path = NULL;
    g_autofree char *src_path = NULL;
    virStorageVolPtr src = NULL, nv = NULL;
    virStoragePoolPtr pool = NULL;
    virStorageVolInfo info;
    xmlNodePtr s;

    if (g_strcmp0(type, "volume") == 0 && src_pool && src_vol) {
        pool = virStoragePoolLookupByName(vc, src_pool);
        src = pool ? virStorageVolLookupByName(pool, src_vol) : NULL;
    } else if (src_file || src_dev) {
        src = virStorageVolLookupByPath(vc, src_file ? src_file : src_dev);
        pool = src ? virStoragePoolLookupByVolume(src) : NULL;
    } else {
        /* no source (an empty drive): nothing to copy */
        return true;
    }
    if (!src || !pool) {
        vd_task_fail(t, _("Disk %1$s of %2$s is not a volume of a storage pool: it cannot be copied"),
                     target ? target : "?", old_name);
        goto fail;
    }
    virStoragePoolRefresh(pool, 0);
    fmt = vol_format(src);
    src_path = virStorageVolGetPath(src);
    if (virStorageVolGetInfo(src, &info) < 0) {
        vd_task_fail_libvirt(t, _("Could not read volume %s"), virStorageVolGetName(src));
        goto fail;
    }
    name = vd_clone_volume_name(virStorageVolGetName(src), old_name, c->name, target, c->linked);
    for (int i = 2; i < 100; i++) {
        virStorageVolPtr other = virStorageVolLookupByName(pool, name);
        if (!other)
            break;
        virStorageVolFree(other);
        g_free(name);
        {
            g_autofree char *stem = g_strdup_printf("%s-%d", c->name, i);
            name = vd_clone_volume_name(virStorageVolGetName(src), old_name, stem, target, c->linked);
        }
    }
    virResetLastError();
    if (c->linked) {
        xml = new_vol_xml(name, info.capacity, "qcow2", src_path, fmt);
        nv = virStorageVolCreateXML(pool, xml, 0);
    } else {
        struct copy_watch w = { .src = src, .pool = pool, .name = name, .t = t, .base = base, .span = span };
        GThread *th;

        xml = new_vol_xml(name, info.capacity, fmt, NULL, NULL);
        th = g_thread_new("vd-clone-watch", watch_copy, &w);
        nv = virStorageVolCreateXMLFrom(pool, xml, src, 0);
        g_atomic_int_set(&w.stop, 1);
        g_thread_join(th);
    }
    if (!nv) {
        vd_task_fail_libvirt(t, _("Could not create volume %1$s in pool %2$s"), name, virStoragePoolGetName(pool));
        goto fail;
    }
    g_ptr_array_add(made, nv);
    path = virStorageVolGetPath(nv);
    /* point the clone's disk at the new volume */
    s = node_child(disk, "source");
    if (g_strcmp0(type, "volume") == 0) {
        xmlSetProp(s, BAD_CAST "volume", BAD_CAST name);
    } else {
        xmlSetProp(s, BAD_CAST (src_file ? "file" : "dev"), BAD_CAST path);
    }
    xmlSetProp(node_child(disk, "driver"), BAD_CAST "type", BAD_CAST(c->linked ? "qcow2" : fmt));
    virStorageVolFree(src);
    virStoragePoolFree(pool);
    return true;

fail:
    if (src)
        virStorageVolFree(src);
    if (pool)
        virStoragePoolFree(pool);
    return false;
}

static void
clone_task(virConnectPtr vc, struct vd_task *t, gpointer data)
{
    struct clone *c = data;
    virDomainPtr src = virDomainLookupByUUIDString(vc, c->src), dom = NULL, other;
    g_autoptr(GPtrArray) made = g_ptr_array_new();
    g_autofree char *why = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *err = NULL;
    g_autofree char *old_name = NULL;
    xmlDocPtr doc = NULL;
    xmlXPathContextPtr ctx = NULL;
    xmlXPathObjectPtr disks = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN];
    int n;

    if (!src) {
        virResetLastError();
        src = virDomainLookupByName(vc, c->src);
    }
    if (!src) {
        vd_task_fail_libvirt(t, _("Could not find %s"), c->src);
        return;
    }
    old_name = g_strdup(virDomainGetName(src));
    if (!vd_plan_name_valid(c->name, &why)) {
        vd_task_fail(t, _("Cannot clone %1$s: %2$s"), old_name, why);
        goto out;
    }
    if ((other = virDomainLookupByName(vc, c->name))) {
        virDomainFree(other);
        vd_task_fail(t, _("A domain named %s already exists on this host"), c->name);
        goto out;
    }
    virResetLastError();
    if (virDomainIsActive(src) == 1) {
        vd_task_fail(t, _("Shut %s down first: a running guest's disks cannot be copied safely"), old_name);
        goto out;
    }
    {
        g_autofree char *src_xml = virDomainGetXMLDesc(src, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
        xml = vd_clone_domain_xml(src_xml, c->name, &err);
    }
    if (!xml) {
        vd_task_fail(t, "%s", err);
        goto out;
    }
    doc = xmlReadMemory(xml, (int)strlen(xml), "d.xml", NULL, XML_PARSE_NONET);
    ctx = xmlXPathNewContext(doc);
    disks = xmlXPathEvalExpression(BAD_CAST "/domain/devices/disk[@device='disk' or not(@device)]"
                                            "[not(readonly) and not(shareable)]", ctx);
    n = disks && disks->nodesetval ? disks->nodesetval->nodeNr : 0;
    for (int i = 0; i < n; i++) {
        g_autofree char *label = g_strdup_printf(_("disk %1$d of %2$d"), i + 1, n);
        vd_task_progress(t, 90 * i / n, label);
        if (vd_task_cancelled(t) || !clone_disk(vc, t, c, old_name, disks->nodesetval->nodeTab[i], made,
                                                90 * i / n, 90 / n))
            goto undo;
    }
    g_free(xml);
    {
        xmlChar *buf = NULL;
        int len = 0;
        xmlDocDumpMemoryEnc(doc, &buf, &len, "UTF-8");
        xml = g_strdup((char *)buf);
        xmlFree(buf);
    }
    vd_task_progress(t, 95, _("defining"));
    if (vd_task_cancelled(t))
        goto undo;
    dom = virDomainDefineXMLFlags(vc, xml, VIR_DOMAIN_DEFINE_VALIDATE);
    if (!dom) {
        vd_task_fail_libvirt(t, _("Could not define %s"), c->name);
        goto undo;
    }
    virDomainGetUUIDString(dom, uuid);
    virDomainFree(dom);
    vd_task_set_result(t, g_strdup(uuid), g_free);
    vd_task_set_message(t, c->linked ? _("Cloned %1$s as %2$s (linked disks)") : _("Cloned %1$s as %2$s"),
                        old_name, c->name);
    vd_task_request_refresh(t);
    for (guint i = 0; i < made->len; i++)
        virStorageVolFree(made->pdata[i]);
    goto out;

undo:
    if (vd_task_cancelled(t) && !vd_task_failed(t))
        vd_task_fail(t, "%s", _("Cancelled"));
    for (guint i = made->len; i-- > 0;) {
        virStorageVolDelete(made->pdata[i], 0);
        virStorageVolFree(made->pdata[i]);
    }
out:
    if (disks)
        xmlXPathFreeObject(disks);
    if (ctx)
        xmlXPathFreeContext(ctx);
    if (doc)
        xmlFreeDoc(doc);
    virDomainFree(src);
}

static struct clone *
clone_new(const char *src, const char *name, bool linked)
{
    struct clone *c = g_new0(struct clone, 1);

    c->src = g_strdup(src);
    c->name = g_strdup(name);
    c->linked = linked;
    return c;
}

void
vd_clone_vm(struct vd_conn *c, const char *src_uuid, const char *new_name, bool linked,
            vd_task_done_fn done, gpointer user)
{
    g_autofree char *label = g_strdup_printf(_("Cloning as %s"), new_name ? new_name : "");

    vd_conn_submit(c, VD_TASK_LONG, label, clone_task, clone_new(src_uuid, new_name, linked),
                   (GDestroyNotify)clone_free, done, user);
}

bool
vd_clone_vm_sync(const char *uri, const char *src_name, const char *new_name, bool linked,
                 char **message, char **uuid)
{
    struct clone *c = clone_new(src_name, new_name, linked);
    gpointer res = NULL;
    bool ok = vd_conn_run_sync(uri, clone_task, c, message, &res);

    if (uuid)
        *uuid = res;
    else
        g_free(res);
    clone_free(c);
    return ok;
}
