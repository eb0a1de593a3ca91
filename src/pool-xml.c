/* virtdeck - storage pool XML from a plain plan
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>
#include <libxml/xmlwriter.h>

#include "i18n.h"
#include "pool-xml.h"

static const char *const fs_formats[] = { "auto", "ext4", "ext3", "ext2", "xfs", "btrfs", "vfat", NULL };
static const char *const netfs_formats[] = { "nfs", "auto", "glusterfs", "cifs", NULL };
static const char *const disk_formats[] = { "gpt", "dos", NULL };

static const struct {
    const char *name;
    const char *label;
    unsigned fields, required;
    const char *const *formats;
} types[VD_POOL_TYPE_LAST] = {
    [VD_POOL_DIR] = { "dir", N_("Directory"), VD_PF_TARGET, VD_PF_TARGET, NULL },
    [VD_POOL_FS] = { "fs", N_("Formatted block device"), VD_PF_TARGET | VD_PF_DEVICES | VD_PF_FORMAT,
                     VD_PF_TARGET | VD_PF_DEVICES, fs_formats },
    [VD_POOL_NETFS] = { "netfs", N_("NFS share"),
                        VD_PF_TARGET | VD_PF_HOST | VD_PF_SOURCE_DIR | VD_PF_FORMAT,
                        VD_PF_TARGET | VD_PF_HOST | VD_PF_SOURCE_DIR, netfs_formats },
    [VD_POOL_LOGICAL] = { "logical", N_("LVM volume group"), VD_PF_SOURCE_NAME | VD_PF_DEVICES | VD_PF_TARGET,
                          VD_PF_SOURCE_NAME, NULL },
    [VD_POOL_ISCSI] = { "iscsi", N_("iSCSI target"), VD_PF_HOST | VD_PF_IQN | VD_PF_INITIATOR | VD_PF_TARGET,
                        VD_PF_HOST | VD_PF_IQN, NULL },
    [VD_POOL_ZFS] = { "zfs", N_("ZFS pool"), VD_PF_SOURCE_NAME | VD_PF_DEVICES, VD_PF_SOURCE_NAME, NULL },
    [VD_POOL_DISK] = { "disk", N_("Whole disk (partitions)"), VD_PF_DEVICES | VD_PF_FORMAT | VD_PF_TARGET,
                       VD_PF_DEVICES, disk_formats },
};

const char *
vd_pool_type_name(enum vd_pool_type t)
{
    return (unsigned)t < VD_POOL_TYPE_LAST ? types[t].name : "dir";
}

bool
vd_pool_type_parse(const char *s, enum vd_pool_type *out)
{
    for (unsigned i = 0; s && i < VD_POOL_TYPE_LAST; i++)
        if (strcmp(s, types[i].name) == 0) {
            *out = (enum vd_pool_type)i;
            return true;
        }
    return false;
}

const char *
vd_pool_type_label(enum vd_pool_type t)
{
    return (unsigned)t < VD_POOL_TYPE_LAST ? _(types[t].label) : "";
}

unsigned
vd_pool_type_fields(enum vd_pool_type t)
{
    return (unsigned)t < VD_POOL_TYPE_LAST ? types[t].fields : 0;
}

unsigned
vd_pool_type_required(enum vd_pool_type t)
{
    return (unsigned)t < VD_POOL_TYPE_LAST ? types[t].required : 0;
}

const char *const *
vd_pool_type_formats(enum vd_pool_type t)
{
    return (unsigned)t < VD_POOL_TYPE_LAST ? types[t].formats : NULL;
}

char *
vd_pool_default_target(enum vd_pool_type t, const char *name)
{
    const char *n = name && *name ? name : "pool";
    switch (t) {
    case VD_POOL_DIR: return g_strdup_printf("/var/lib/libvirt/images/%s", n);
    case VD_POOL_FS:
    case VD_POOL_NETFS: return g_strdup_printf("/var/lib/libvirt/%s", n);
    case VD_POOL_LOGICAL: return g_strdup("");
    case VD_POOL_ISCSI: return g_strdup("/dev/disk/by-path");
    case VD_POOL_DISK: return g_strdup("/dev");
    case VD_POOL_ZFS:
    case VD_POOL_TYPE_LAST: break;
    }
    return NULL;
}

static bool
empty(const char *s)
{
    if (!s)
        return true;
    while (g_ascii_isspace(*s))
        s++;
    return !*s;
}

static bool
has_controls(const char *s)
{
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        if (*c < 0x20 || *c == 0x7f)
            return true;
    return !g_utf8_validate(s, -1, NULL);
}

static bool
abs_path_ok(const char *s)
{
    return s[0] == '/' && !has_controls(s) && !strstr(s, "/../") && !g_str_has_suffix(s, "/..");
}

/* host name, IPv4 or IPv6 address */
static bool
host_ok(const char *s)
{
    if (!*s || strlen(s) > 253)
        return false;
    for (const char *c = s; *c; c++)
        if (!g_ascii_isalnum(*c) && !strchr(".-:[]_", *c))
            return false;
    return s[0] != '-' && s[0] != '.';
}

/* LVM VG or ZFS pool names */
static bool
ident_ok(const char *s, const char *extra)
{
    if (!*s || strlen(s) > 127 || s[0] == '-')
        return false;
    for (const char *c = s; *c; c++)
        if (!g_ascii_isalnum(*c) && !strchr(extra, *c))
            return false;
    return true;
}

/* iqn.YYYY-MM.reverse.domain[:id] or eui.16 hex digits */
static bool
iqn_ok(const char *s)
{
    if (g_str_has_prefix(s, "eui.")) {
        if (strlen(s) != 20)
            return false;
        for (const char *c = s + 4; *c; c++)
            if (!g_ascii_isxdigit(*c))
                return false;
        return true;
    }
    if (!g_str_has_prefix(s, "iqn.") || strlen(s) < 12 || strlen(s) > 223)
        return false;
    const char *d = s + 4;
    if (!(g_ascii_isdigit(d[0]) && g_ascii_isdigit(d[1]) && g_ascii_isdigit(d[2]) && g_ascii_isdigit(d[3]) &&
          d[4] == '-' && g_ascii_isdigit(d[5]) && g_ascii_isdigit(d[6]) && d[7] == '.'))
        return false;
    for (const char *c = s; *c; c++)
        if (!g_ascii_isalnum(*c) && !strchr(".-:_", *c))
            return false;
    return true;
}

static char **
split_devices(const char *s)
{
    char **parts = g_strsplit_set(s ? s : "", " ,\t", -1);
    GPtrArray *out = g_ptr_array_new();
    for (char **p = parts; *p; p++)
        if (**p)
            g_ptr_array_add(out, g_strdup(*p));
    g_strfreev(parts);
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(out, FALSE);
}

char *
vd_pool_plan_check(const struct vd_pool_plan *p)
{
    if ((unsigned)p->type >= VD_POOL_TYPE_LAST)
        return g_strdup(_("Unknown pool type."));
    unsigned fields = types[p->type].fields, req = types[p->type].required;
    if (empty(p->name))
        return g_strdup(_("The pool needs a name."));
    if (strchr(p->name, '/') || has_controls(p->name) || strlen(p->name) > 200)
        return g_strdup(_("Name: no '/' or control characters, at most 200 bytes."));
    struct { unsigned f; const char *v; const char *missing; } need[] = {
        { VD_PF_TARGET, p->target, N_("Target path: enter the directory where volumes appear.") },
        { VD_PF_HOST, p->host, N_("Host: enter the server's name or address.") },
        { VD_PF_SOURCE_DIR, p->source_dir, N_("Export: enter the directory the server exports.") },
        { VD_PF_SOURCE_NAME, p->source_name,
          p->type == VD_POOL_ZFS ? N_("ZFS pool: enter the pool name.") : N_("Volume group: enter its name.") },
        { VD_PF_DEVICES, p->devices, N_("Device: enter a device path such as /dev/sdb.") },
        { VD_PF_IQN, p->iqn, N_("Target IQN: enter the iSCSI target name (iqn.2004-04.com.example:disk).") },
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(need); i++)
        if ((req & need[i].f) && empty(need[i].v))
            return g_strdup(_(need[i].missing));
    if ((fields & VD_PF_TARGET) && !empty(p->target) && !abs_path_ok(p->target))
        return g_strdup(_("Target path must be an absolute path."));
    if ((fields & VD_PF_HOST) && !empty(p->host) && !host_ok(p->host))
        return g_strdup(_("Host: use a host name or an IP address."));
    if ((fields & VD_PF_SOURCE_DIR) && !empty(p->source_dir) && !abs_path_ok(p->source_dir))
        return g_strdup(_("Export must be an absolute path such as /srv/nfs/images."));
    if ((fields & VD_PF_SOURCE_NAME) && !empty(p->source_name)) {
        bool ok = p->type == VD_POOL_ZFS ? ident_ok(p->source_name, "_-.:/") && p->source_name[0] != '/'
                                         : ident_ok(p->source_name, "+_.-") && strcmp(p->source_name, ".") &&
                                               strcmp(p->source_name, "..");
        if (!ok)
            return g_strdup(p->type == VD_POOL_ZFS ? _("ZFS pool name: letters, digits, '_', '-', '.', ':'.")
                                                   : _("Volume group name: letters, digits, '+', '_', '.', '-'."));
    }
    if ((fields & VD_PF_DEVICES) && !empty(p->devices)) {
        g_auto(GStrv) devs = split_devices(p->devices);
        /* libvirt's schema allows one device for fs, disk and zfs pools */
        bool single = p->type == VD_POOL_FS || p->type == VD_POOL_DISK || p->type == VD_POOL_ZFS;
        if (single && g_strv_length(devs) > 1)
            return g_strdup(_("Device: this pool type takes one device."));
        for (char **d = devs; *d; d++)
            if (!abs_path_ok(*d))
                return g_strdup_printf(_("Device \"%s\" is not an absolute path."), *d);
    }
    if ((fields & VD_PF_FORMAT) && !empty(p->format)) {
        bool ok = false;
        for (const char *const *f = types[p->type].formats; f && *f && !ok; f++)
            ok = strcmp(*f, p->format) == 0;
        if (!ok) {
            g_autofree char *list = g_strjoinv(", ", (char **)types[p->type].formats);
            return g_strdup_printf(_("Format must be one of: %s."), list);
        }
    }
    if ((fields & VD_PF_IQN) && !empty(p->iqn) && !iqn_ok(p->iqn))
        return g_strdup(_("Target IQN must look like iqn.2004-04.com.example:disk (or eui. and 16 hex digits)."));
    if ((fields & VD_PF_INITIATOR) && !empty(p->initiator) && !iqn_ok(p->initiator))
        return g_strdup(_("Initiator IQN must look like iqn.2004-04.com.example:host."));
    return NULL;
}

#define W(call) (rc |= (call) < 0)

static int
elem_attr(xmlTextWriterPtr w, const char *el, const char *attr, const char *val)
{
    int rc = 0;
    W(xmlTextWriterStartElement(w, BAD_CAST el));
    W(xmlTextWriterWriteAttribute(w, BAD_CAST attr, BAD_CAST val));
    W(xmlTextWriterEndElement(w));
    return rc ? -1 : 0;
}

char *
vd_pool_xml(const struct vd_pool_plan *p, char **error)
{
    char *e = vd_pool_plan_check(p);
    if (e) {
        if (error)
            *error = e;
        else
            g_free(e);
        return NULL;
    }
    unsigned f = types[p->type].fields;
    const char *format = !empty(p->format) ? p->format : (types[p->type].formats ? types[p->type].formats[0] : NULL);
    g_auto(GStrv) devs = split_devices(p->devices);
    g_autofree char *name = g_strstrip(g_strdup(p->name));
    xmlBufferPtr buf = xmlBufferCreate();
    xmlTextWriterPtr w = xmlNewTextWriterMemory(buf, 0);
    int rc = 0;
    xmlTextWriterSetIndent(w, 1);
    xmlTextWriterSetIndentString(w, BAD_CAST "  ");
    W(xmlTextWriterStartElement(w, BAD_CAST "pool"));
    W(xmlTextWriterWriteAttribute(w, BAD_CAST "type", BAD_CAST types[p->type].name));
    W(xmlTextWriterWriteElement(w, BAD_CAST "name", BAD_CAST name));
    if (p->type != VD_POOL_DIR) {
        W(xmlTextWriterStartElement(w, BAD_CAST "source"));
        if ((f & VD_PF_HOST) && !empty(p->host))
            W(elem_attr(w, "host", "name", p->host));
        if ((f & VD_PF_SOURCE_DIR) && !empty(p->source_dir))
            W(elem_attr(w, "dir", "path", p->source_dir));
        if ((f & VD_PF_IQN) && !empty(p->iqn))
            W(elem_attr(w, "device", "path", p->iqn));
        if (f & VD_PF_DEVICES)
            for (char **d = devs; *d; d++)
                W(elem_attr(w, "device", "path", *d));
        if ((f & VD_PF_SOURCE_NAME) && !empty(p->source_name))
            W(xmlTextWriterWriteElement(w, BAD_CAST "name", BAD_CAST p->source_name));
        if ((f & VD_PF_INITIATOR) && !empty(p->initiator)) {
            W(xmlTextWriterStartElement(w, BAD_CAST "initiator"));
            W(elem_attr(w, "iqn", "name", p->initiator));
            W(xmlTextWriterEndElement(w));
        }
        if (p->type == VD_POOL_LOGICAL)
            W(elem_attr(w, "format", "type", "lvm2"));
        else if ((f & VD_PF_FORMAT) && format)
            W(elem_attr(w, "format", "type", format));
        W(xmlTextWriterEndElement(w)); /* source */
    }
    /* libvirt's schema wants a target for logical pools: /dev/VG */
    g_autofree char *vgdev = p->type == VD_POOL_LOGICAL && empty(p->target)
                                 ? g_strdup_printf("/dev/%s", p->source_name) : NULL;
    if ((f & VD_PF_TARGET) && (!empty(p->target) || vgdev)) {
        W(xmlTextWriterStartElement(w, BAD_CAST "target"));
        W(xmlTextWriterWriteElement(w, BAD_CAST "path", BAD_CAST(vgdev ? vgdev : p->target)));
        W(xmlTextWriterEndElement(w));
    }
    W(xmlTextWriterEndElement(w)); /* pool */
    W(xmlTextWriterEndDocument(w));
    xmlFreeTextWriter(w);
    char *out = NULL;
    if (rc) {
        if (error)
            *error = g_strdup(_("Could not write the pool XML."));
    } else {
        out = g_strdup((const char *)xmlBufferContent(buf));
    }
    xmlBufferFree(buf);
    return out;
}
