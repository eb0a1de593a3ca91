/* virtdeck - the plan of a new container: checks, XML, a busybox tree
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <config.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <libxml/tree.h>

#include "i18n.h"
#include "plan-lxc.h"
#include "util.h"

const char *
vd_rootfs_label(enum vd_rootfs r)
{
    return r == VD_ROOTFS_BUSYBOX ? _("new busybox tree") : _("existing directory");
}

struct vd_plan_lxc *
vd_plan_lxc_new(void)
{
    struct vd_plan_lxc *p = g_new0(struct vd_plan_lxc, 1);

    p->rootfs = VD_ROOTFS_BUSYBOX;
    p->init = g_strdup("/bin/sh");
    p->memory_mib = 64;
    p->vcpus = 1;
    p->net = VD_NET_NETWORK;
    p->start = true;
    return p;
}

struct vd_plan_lxc *
vd_plan_lxc_copy(const struct vd_plan_lxc *p)
{
    struct vd_plan_lxc *c = g_new(struct vd_plan_lxc, 1);

    *c = *p;
    c->name = g_strdup(p->name);
    c->rootfs_dir = g_strdup(p->rootfs_dir);
    c->init = g_strdup(p->init);
    c->net_source = g_strdup(p->net_source);
    c->mac = g_strdup(p->mac);
    return c;
}

void
vd_plan_lxc_free(struct vd_plan_lxc *p)
{
    if (!p)
        return;
    g_free(p->name);
    g_free(p->rootfs_dir);
    g_free(p->init);
    g_free(p->net_source);
    g_free(p->mac);
    g_free(p);
}

static bool
empty(const char *s)
{
    return !s || !*s;
}

static bool
str_in(GPtrArray *a, const char *s)
{
    for (guint i = 0; a && s && i < a->len; i++)
        if (g_str_equal(a->pdata[i], s))
            return true;
    return false;
}

void
vd_plan_lxc_apply_defaults(struct vd_plan_lxc *p, const struct vd_host_facts *f)
{
    if (empty(p->rootfs_dir) && !empty(p->name)) {
        g_free(p->rootfs_dir);
        p->rootfs_dir = g_build_filename("/var/lib/libvirt/filesystems", p->name, NULL);
    }
    if (f && p->net == VD_NET_NETWORK && empty(p->net_source)) {
        g_free(p->net_source);
        p->net_source = g_strdup(str_in(f->networks, "default") ? "default"
                                 : f->networks->len ? f->networks->pdata[0] : NULL);
    }
    if (f && p->net == VD_NET_BRIDGE && empty(p->net_source) && f->bridges->len) {
        g_free(p->net_source);
        p->net_source = g_strdup(f->bridges->pdata[0]);
    }
}

#define ERR(field, ...) vd_plan_add_error(errors, false, field, __VA_ARGS__)

static bool
dir_is_empty(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    return d && !g_dir_read_name(d);
}

static void
check_rootfs(const struct vd_plan_lxc *p, const struct vd_host_facts *f, GPtrArray *errors)
{
    bool local = !f || f->local;

    if (empty(p->rootfs_dir) || !g_path_is_absolute(p->rootfs_dir)) {
        ERR("rootfs-dir", "%s", _("An absolute directory on the host is needed"));
        return;
    }
    if (g_str_equal(p->rootfs_dir, "/")) {
        ERR("rootfs-dir", "%s", _("Not the host's own root"));
        return;
    }
    if (p->rootfs == VD_ROOTFS_BUSYBOX) {
        if (!local)
            ERR("rootfs-dir", "%s", _("A busybox tree can be built only when the host is this machine"));
        else if (!vd_lxc_busybox_path())
            ERR("rootfs-dir", "%s", _("busybox is not installed here (package busybox-static)"));
        else if (g_file_test(p->rootfs_dir, G_FILE_TEST_EXISTS) && !dir_is_empty(p->rootfs_dir))
            ERR("rootfs-dir", "%s", _("The directory exists and is not empty: choose a new one"));
        return;
    }
    if (local && !g_file_test(p->rootfs_dir, G_FILE_TEST_IS_DIR)) {
        ERR("rootfs-dir", _("No such directory on the host: %s"), p->rootfs_dir);
    } else if (local && !empty(p->init) && g_path_is_absolute(p->init)) {
        g_autofree char *init = g_build_filename(p->rootfs_dir, p->init, NULL);
        if (!g_file_test(init, G_FILE_TEST_EXISTS))
            ERR("init", _("%1$s has no %2$s"), p->rootfs_dir, p->init);
    }
}

bool
vd_plan_lxc_validate(const struct vd_plan_lxc *p, const struct vd_host_facts *f, GPtrArray *errors)
{
    g_autofree char *why = NULL;
    g_autofree char *mac = NULL;

    if (!vd_plan_name_valid(p->name, &why))
        ERR("name", "%s", why);
    else if (vd_host_facts_has_domain(f, p->name))
        ERR("name", _("A domain named %s already exists on this host"), p->name);
    check_rootfs(p, f, errors);
    if (empty(p->init) || !g_path_is_absolute(p->init))
        ERR("init", "%s", _("The init command is an absolute path inside the container"));
    if (p->memory_mib < 16)
        ERR("memory", "%s", _("At least 16 MiB"));
    else if (f && f->mem_kib && p->memory_mib * 1024 > f->mem_kib) {
        g_autofree char *h = vd_format_kib(f->mem_kib);
        ERR("memory", _("The host has %s of memory"), h);
    }
    if (p->vcpus < 1)
        ERR("vcpus", "%s", _("At least 1 vCPU"));
    else if (f && f->cpus && p->vcpus > f->cpus)
        ERR("vcpus", _("The host has %u CPUs"), f->cpus);
    if (p->net != VD_NET_NONE) {
        if (empty(p->net_source))
            ERR("net-source", "%s", p->net == VD_NET_BRIDGE ? _("Choose a bridge") : _("Choose a network"));
        else if (f && p->net == VD_NET_NETWORK && !str_in(f->networks, p->net_source))
            ERR("net-source", _("No active network named %s on this host"), p->net_source);
        else if (f && p->net == VD_NET_BRIDGE && !str_in(f->bridges, p->net_source))
            ERR("net-source", _("No bridge named %s on this host"), p->net_source);
        if (!empty(p->mac) && !(mac = vd_plan_mac_canonical(p->mac)))
            ERR("mac", "%s", _("Six hexadecimal pairs separated by colons, like 52:54:00:12:34:56"));
        else if (mac && f && str_in(f->macs, mac))
            ERR("mac", _("%s is already used on this host"), mac);
    }
    for (guint i = 0; i < errors->len; i++)
        if (!((struct vd_plan_error *)errors->pdata[i])->warning)
            return false;
    return true;
}

static xmlNodePtr
child(xmlNodePtr parent, const char *name, const char *text)
{
    return xmlNewTextChild(parent, NULL, BAD_CAST name, text ? BAD_CAST text : NULL);
}

static void
prop(xmlNodePtr n, const char *name, const char *value)
{
    xmlNewProp(n, BAD_CAST name, BAD_CAST(value ? value : ""));
}

char *
vd_plan_lxc_domain_xml(const struct vd_plan_lxc *p, char **error)
{
    xmlDocPtr doc;
    xmlNodePtr dom, os, devs, n;
    xmlChar *buf = NULL;
    int len = 0;
    char num[32];
    char *out;

    if (empty(p->name)) {
        if (error)
            *error = g_strdup(_("A name is needed"));
        return NULL;
    }
    doc = xmlNewDoc(BAD_CAST "1.0");
    dom = xmlNewNode(NULL, BAD_CAST "domain");
    xmlDocSetRootElement(doc, dom);
    prop(dom, "type", "lxc");
    child(dom, "name", p->name);
    g_snprintf(num, sizeof num, "%" G_GUINT64_FORMAT, p->memory_mib);
    prop(child(dom, "memory", num), "unit", "MiB");
    g_snprintf(num, sizeof num, "%u", p->vcpus);
    child(dom, "vcpu", num);
    os = child(dom, "os", NULL);
    child(os, "type", "exe");
    child(os, "init", p->init);
    child(dom, "on_poweroff", "destroy");
    child(dom, "on_reboot", "restart");
    child(dom, "on_crash", "destroy");
    devs = child(dom, "devices", NULL);
    n = child(devs, "filesystem", NULL);
    prop(n, "type", "mount");
    prop(n, "accessmode", "passthrough");
    prop(child(n, "source", NULL), "dir", p->rootfs_dir);
    prop(child(n, "target", NULL), "dir", "/");
    if (p->net != VD_NET_NONE) {
        g_autofree char *mac = vd_plan_mac_canonical(p->mac);
        n = child(devs, "interface", NULL);
        prop(n, "type", p->net == VD_NET_BRIDGE ? "bridge" : "network");
        prop(child(n, "source", NULL), p->net == VD_NET_BRIDGE ? "bridge" : "network", p->net_source);
        if (mac)
            prop(child(n, "mac", NULL), "address", mac);
    }
    n = child(devs, "console", NULL);
    prop(n, "type", "pty");
    xmlDocDumpFormatMemoryEnc(doc, &buf, &len, "UTF-8", 1);
    out = g_strdup(buf && strchr((char *)buf, '\n') ? strchr((char *)buf, '\n') + 1 : (char *)buf);
    xmlFree(buf);
    xmlFreeDoc(doc);
    return out;
}

char *
vd_plan_lxc_summary(const struct vd_plan_lxc *p)
{
    GString *s = g_string_new(NULL);
    g_autofree char *mem = vd_format_kib(p->memory_mib * 1024);

    g_string_append_printf(s, _("Name: %s\n"), p->name ? p->name : "");
    g_string_append_printf(s, _("Root: %1$s (%2$s)\n"), p->rootfs_dir ? p->rootfs_dir : "",
                           vd_rootfs_label(p->rootfs));
    g_string_append_printf(s, _("Init: %s\n"), p->init ? p->init : "");
    g_string_append_printf(s, _("CPU and memory: %1$u vCPUs, %2$s\n"), p->vcpus, mem);
    if (p->net == VD_NET_NONE)
        g_string_append_printf(s, "%s\n", _("Network: none"));
    else
        g_string_append_printf(s, _("Network: %1$s %2$s\n"), vd_net_kind_label(p->net),
                               p->net_source ? p->net_source : "");
    return g_string_free(s, FALSE);
}

/* ---- the busybox tree ---- */

const char *
vd_lxc_busybox_path(void)
{
    static const char *const paths[] = { "/bin/busybox", "/usr/bin/busybox", "/sbin/busybox" };

    for (guint i = 0; i < G_N_ELEMENTS(paths); i++)
        if (g_file_test(paths[i], G_FILE_TEST_IS_EXECUTABLE))
            return paths[i];
    return NULL;
}

static const char *const tree_dirs[] = {
    "bin", "sbin", "usr", "usr/bin", "usr/sbin", "etc", "proc", "sys", "dev", "tmp", "root",
    "var", "run",
};

static bool
write_file(const char *dir, const char *name, const char *text, char **error)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_autoptr(GError) err = NULL;

    if (!g_file_set_contents(path, text, -1, &err)) {
        *error = g_strdup(err->message);
        return false;
    }
    return true;
}

/* The applets busybox offers, as paths relative to the root ("bin/ls"). */
static char **
applets(const char *busybox)
{
    const char *argv[] = { busybox, "--list-full", NULL };
    g_autofree char *out = NULL;
    int status = 0;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
                      &status, NULL) || !g_spawn_check_wait_status(status, NULL))
        return g_new0(char *, 1);
    return g_strsplit(g_strstrip(out), "\n", -1);
}

bool
vd_lxc_build_busybox(const char *dir, const char *hostname, bool *created, char **error)
{
    const char *bb = vd_lxc_busybox_path();
    g_autofree char *target = NULL;
    g_autofree char *data = NULL;
    g_auto(GStrv) list = NULL;
    gsize len = 0;
    g_autoptr(GError) err = NULL;
    g_autofree char *host = g_strdup_printf("%s\n", hostname ? hostname : "container");

    *created = false;
    if (!bb) {
        *error = g_strdup(_("busybox is not installed here (package busybox-static)"));
        return false;
    }
    if (g_file_test(dir, G_FILE_TEST_EXISTS) && !dir_is_empty(dir)) {
        *error = g_strdup_printf(_("%s exists and is not empty"), dir);
        return false;
    }
    if (!g_file_test(dir, G_FILE_TEST_EXISTS)) {
        if (g_mkdir_with_parents(dir, 0755) != 0) {
            *error = g_strdup_printf(_("Cannot create %1$s: %2$s"), dir, g_strerror(errno));
            return false;
        }
        *created = true;
    }
    for (guint i = 0; i < G_N_ELEMENTS(tree_dirs); i++) {
        g_autofree char *p = g_build_filename(dir, tree_dirs[i], NULL);
        if (g_mkdir(p, strcmp(tree_dirs[i], "tmp") == 0 ? 01777 : 0755) != 0 && errno != EEXIST) {
            *error = g_strdup_printf(_("Cannot create %1$s: %2$s"), p, g_strerror(errno));
            return false;
        }
        if (strcmp(tree_dirs[i], "tmp") == 0)
            g_chmod(p, 01777);
    }
    target = g_build_filename(dir, "bin", "busybox", NULL);
    if (!g_file_get_contents(bb, &data, &len, &err) || !g_file_set_contents(target, data, (gssize)len, &err)) {
        *error = g_strdup_printf(_("Cannot copy %1$s: %2$s"), bb, err->message);
        return false;
    }
    g_chmod(target, 0755);
    list = applets(bb);
    for (guint i = 0; list[i]; i++) {
        g_autofree char *link = NULL;
        const char *a = g_strstrip(list[i]);
        if (!*a || strstr(a, "..") || g_path_is_absolute(a) || g_str_equal(a, "bin/busybox"))
            continue;
        link = g_build_filename(dir, a, NULL);
        if (symlink("/bin/busybox", link) != 0 && errno != EEXIST) {
            *error = g_strdup_printf(_("Cannot create %1$s: %2$s"), link, g_strerror(errno));
            return false;
        }
    }
    return write_file(dir, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n", error)
           && write_file(dir, "etc/group", "root:x:0:\n", error)
           && write_file(dir, "etc/hostname", host, error);
}

/* Remove a tree: never follows a symbolic link, never crosses into another
 * file system (a mount left inside stays, and so does its directory). */
static void
remove_below(const char *dir, dev_t dev)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *n;

    while (d && (n = g_dir_read_name(d))) {
        g_autofree char *p = g_build_filename(dir, n, NULL);
        GStatBuf st;

        if (g_lstat(p, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            if (st.st_dev != dev)
                continue;
            remove_below(p, dev);
            g_rmdir(p);
        } else {
            g_unlink(p);
        }
    }
}

void
vd_lxc_remove_tree(const char *dir)
{
    GStatBuf st;

    if (!dir || !g_path_is_absolute(dir) || g_str_equal(dir, "/") || g_lstat(dir, &st) != 0
        || !S_ISDIR(st.st_mode))
        return;
    remove_below(dir, st.st_dev);
    g_rmdir(dir);
}
