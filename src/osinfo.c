/* virtdeck - operating systems from libosinfo (osinfo-db)
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <config.h>

#include <string.h>
#include <osinfo/osinfo.h>

#include "i18n.h"
#include "osinfo.h"
#include "util.h"

static GMutex db_lock;
static OsinfoLoader *loader;    /* db_lock */
static OsinfoDb *db;            /* db_lock, owned by loader */
static char *db_error;          /* db_lock */

/* Call with db_lock held. */
static OsinfoDb *
get_db(void)
{
    g_autoptr(GError) err = NULL;

    if (db || db_error)
        return db;
    loader = osinfo_loader_new();
    osinfo_loader_process_default_path(loader, &err);
    if (err) {
        db_error = g_strdup_printf(_("Cannot load the OS database (osinfo-db): %s"), err->message);
        g_clear_object(&loader);
        return NULL;
    }
    db = osinfo_loader_get_db(loader);
    if (osinfo_list_get_length(OSINFO_LIST(osinfo_db_get_os_list(db))) == 0) {
        db_error = g_strdup(_("The OS database is empty: install the package osinfo-db"));
        db = NULL;
    }
    return db;
}

bool
vd_osinfo_available(char **error)
{
    bool ok;

    g_mutex_lock(&db_lock);
    ok = get_db() != NULL;
    if (!ok && error)
        *error = g_strdup(db_error);
    g_mutex_unlock(&db_lock);
    return ok;
}

void
vd_os_free(struct vd_os *o)
{
    if (!o)
        return;
    g_free(o->id);
    g_free(o->short_id);
    g_free(o->name);
    g_free(o->kernel_path);
    g_free(o->initrd_path);
    g_free(o);
}

/* Resources for arch (or "all"): the first that matches. */
static void
read_resources(OsinfoResourcesList *l, const char *arch, guint64 *ram_mib, guint64 *disk_mib,
               guint *cpus)
{
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; l && i < osinfo_list_get_length(OSINFO_LIST(l)); i++) {
            OsinfoResources *r = OSINFO_RESOURCES(osinfo_list_get_nth(OSINFO_LIST(l), i));
            const char *a = osinfo_resources_get_architecture(r);
            gint64 v;

            if (pass == 0 ? g_strcmp0(a, arch) != 0 : g_strcmp0(a, "all") != 0)
                continue;
            if (!*ram_mib && (v = osinfo_resources_get_ram(r)) > 0)
                *ram_mib = (guint64)v / (1024 * 1024);
            if (!*disk_mib && (v = osinfo_resources_get_storage(r)) > 0)
                *disk_mib = (guint64)v / (1024 * 1024);
            if (!*cpus && osinfo_resources_get_n_cpus(r) > 0)
                *cpus = (guint)osinfo_resources_get_n_cpus(r);
        }
    }
}

static bool
has_virtio(OsinfoOs *os)
{
    g_autoptr(OsinfoDeviceList) devs = osinfo_os_get_all_devices(os, NULL);

    for (int i = 0; i < osinfo_list_get_length(OSINFO_LIST(devs)); i++) {
        OsinfoDevice *d = OSINFO_DEVICE(osinfo_list_get_nth(OSINFO_LIST(devs), i));
        const char *name = osinfo_device_get_name(d);
        const char *cls = osinfo_device_get_class(d);

        if (name && strstr(name, "virtio") && g_strcmp0(cls, "block") == 0)
            return true;
    }
    return false;
}

static struct vd_os *
os_from(OsinfoOs *os, const char *arch)
{
    struct vd_os *o = g_new0(struct vd_os, 1);
    OsinfoProduct *p = OSINFO_PRODUCT(os);
    g_autoptr(OsinfoResourcesList) min = osinfo_os_get_minimum_resources(os);
    g_autoptr(OsinfoResourcesList) rec = osinfo_os_get_recommended_resources(os);
    OsinfoTreeList *trees = osinfo_os_get_tree_list(os);
    GDate *eol = osinfo_product_get_eol_date(p);

    o->id = g_strdup(osinfo_entity_get_id(OSINFO_ENTITY(os)));
    o->short_id = g_strdup(osinfo_product_get_short_id(p));
    o->name = g_strdup(osinfo_product_get_name(p));
    read_resources(min, arch, &o->min_ram_mib, &o->min_disk_mib, &o->min_cpus);
    read_resources(rec, arch, &o->rec_ram_mib, &o->rec_disk_mib, &o->rec_cpus);
    o->virtio = has_virtio(os);
    if (eol) {
        GDate today;
        g_date_clear(&today, 1);
        g_date_set_time_t(&today, time(NULL));
        o->eol = g_date_compare(eol, &today) < 0;
    }
    for (int i = 0; trees && i < osinfo_list_get_length(OSINFO_LIST(trees)); i++) {
        OsinfoTree *t = OSINFO_TREE(osinfo_list_get_nth(OSINFO_LIST(trees), i));
        if (g_strcmp0(osinfo_tree_get_architecture(t), arch) != 0)
            continue;
        o->kernel_path = g_strdup(osinfo_tree_get_kernel_path(t));
        o->initrd_path = g_strdup(osinfo_tree_get_initrd_path(t));
        break;
    }
    g_clear_object(&trees);
    return o;
}

struct vd_os *
vd_osinfo_lookup(const char *id, const char *arch)
{
    struct vd_os *o = NULL;
    OsinfoDb *d;

    if (!id || !*id)
        return NULL;
    g_mutex_lock(&db_lock);
    d = get_db();
    if (d) {
        OsinfoOs *os = osinfo_db_get_os(d, id);
        if (!os) {
            OsinfoOsList *all = osinfo_db_get_os_list(d);
            for (int i = 0; !os && i < osinfo_list_get_length(OSINFO_LIST(all)); i++) {
                OsinfoOs *c = OSINFO_OS(osinfo_list_get_nth(OSINFO_LIST(all), i));
                if (g_strcmp0(osinfo_product_get_short_id(OSINFO_PRODUCT(c)), id) == 0)
                    os = c;
            }
            g_object_unref(all);
        }
        if (os)
            o = os_from(os, arch ? arch : "x86_64");
    }
    g_mutex_unlock(&db_lock);
    return o;
}

static bool
matches(OsinfoProduct *p, char **words)
{
    g_autofree char *name = g_utf8_casefold(osinfo_product_get_name(p) ? osinfo_product_get_name(p) : "", -1);
    g_autofree char *sid = g_utf8_casefold(osinfo_product_get_short_id(p) ? osinfo_product_get_short_id(p) : "", -1);

    for (guint i = 0; words[i]; i++) {
        if (!*words[i])
            continue;
        if (!strstr(name, words[i]) && !strstr(sid, words[i]))
            return false;
    }
    return true;
}

static gint
by_release_desc(gconstpointer a, gconstpointer b)
{
    OsinfoProduct *pa = *(OsinfoProduct *const *)a, *pb = *(OsinfoProduct *const *)b;
    const char *ra = osinfo_product_get_release_date_string(pa);
    const char *rb = osinfo_product_get_release_date_string(pb);
    int c = g_strcmp0(rb, ra);

    return c ? c : g_strcmp0(osinfo_product_get_short_id(pa), osinfo_product_get_short_id(pb));
}

GPtrArray *
vd_osinfo_search(const char *query, const char *arch, guint max)
{
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)vd_os_free);
    g_autofree char *q = g_utf8_casefold(query ? query : "", -1);
    g_auto(GStrv) words = g_strsplit_set(g_strstrip(q), " \t", -1);
    g_autoptr(GPtrArray) hits = g_ptr_array_new();
    OsinfoDb *d;

    g_mutex_lock(&db_lock);
    d = get_db();
    if (d) {
        OsinfoOsList *all = osinfo_db_get_os_list(d);
        for (int i = 0; i < osinfo_list_get_length(OSINFO_LIST(all)); i++) {
            OsinfoProduct *p = OSINFO_PRODUCT(osinfo_list_get_nth(OSINFO_LIST(all), i));
            if (matches(p, words))
                g_ptr_array_add(hits, p);
        }
        g_ptr_array_sort(hits, by_release_desc);
        for (guint i = 0; i < hits->len && i < max; i++)
            g_ptr_array_add(out, os_from(OSINFO_OS(hits->pdata[i]), arch ? arch : "x86_64"));
        g_object_unref(all);
    }
    g_mutex_unlock(&db_lock);
    return out;
}

struct vd_os *
vd_osinfo_detect(const char *iso_path, const char *arch, char **error)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(OsinfoMedia) media = NULL;
    struct vd_os *o = NULL;
    OsinfoDb *d;

    media = osinfo_media_create_from_location(iso_path, NULL, &err);
    if (!media) {
        if (error)
            *error = g_strdup_printf(_("Cannot read %1$s as a CD image: %2$s"), iso_path,
                                     err ? err->message : _("unknown error"));
        return NULL;
    }
    g_mutex_lock(&db_lock);
    d = get_db();
    if (!d) {
        if (error)
            *error = g_strdup(db_error);
    } else if (osinfo_db_identify_media(d, media)) {
        OsinfoOs *os = osinfo_media_get_os(media);
        if (os) {
            o = os_from(os, arch ? arch : "x86_64");
            g_object_unref(os);
        }
    }
    if (!o && d && error)
        *error = g_strdup_printf(_("%s is not a CD image of an OS the database knows"), iso_path);
    g_mutex_unlock(&db_lock);
    return o;
}

bool
vd_osinfo_treeinfo(const char *treeinfo, const char *url, const char *arch, char **kernel, char **initrd,
                   struct vd_os **os, char **error)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(OsinfoTree) tree = osinfo_tree_create_from_treeinfo(treeinfo, url, &err);
    OsinfoDb *d;

    *kernel = *initrd = NULL;
    *os = NULL;
    if (!tree) {
        if (error)
            *error = g_strdup_printf(_("Not a .treeinfo file: %s"), err ? err->message : _("unknown error"));
        return false;
    }
    *kernel = g_strdup(osinfo_tree_get_kernel_path(tree));
    *initrd = g_strdup(osinfo_tree_get_initrd_path(tree));
    g_mutex_lock(&db_lock);
    d = get_db();
    if (d && osinfo_db_identify_tree(d, tree)) {
        OsinfoOs *o = osinfo_tree_get_os(tree);
        if (o) {
            *os = os_from(o, arch ? arch : "x86_64");
            g_object_unref(o);
        }
    }
    g_mutex_unlock(&db_lock);
    return true;
}
