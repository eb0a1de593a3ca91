/* virtdeck - operating systems from libosinfo (osinfo-db)
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The database is loaded once, on first use, from the default paths.
 * Thread-safe (one lock). No libvirt, no curses. */
#pragma once

#include <glib.h>
#include <stdbool.h>

struct vd_os {
    char *id;                 /* "http://debian.org/debian/12" */
    char *short_id;           /* "debian12" */
    char *name;               /* "Debian 12" */
    /* 0: unknown. RAM in MiB, storage in MiB */
    guint64 min_ram_mib, rec_ram_mib;
    guint64 min_disk_mib, rec_disk_mib;
    guint min_cpus, rec_cpus;
    bool virtio;              /* virtio block and net drivers */
    bool eol;                 /* end of life */
    char *kernel_path, *initrd_path;   /* of its install tree (network install), may be NULL */
};

void vd_os_free(struct vd_os *o);
typedef struct vd_os vd_os;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(vd_os, vd_os_free)

/* Could the database be loaded? *error gets why not. */
bool vd_osinfo_available(char **error);
/* By full id or short id; NULL when unknown. arch for the resources ("x86_64"). */
struct vd_os *vd_osinfo_lookup(const char *id, const char *arch);
/* Systems whose name or short id contains every word of query
 * (case-insensitive), newest first, at most max; struct vd_os *. */
GPtrArray *vd_osinfo_search(const char *query, const char *arch, guint max);
/* Identify a CD image readable here. NULL and *error when it cannot. */
struct vd_os *vd_osinfo_detect(const char *iso_path, const char *arch, char **error);
/* An install tree from the text of its .treeinfo (read from url, which
 * ends with /): the kernel and initrd paths it gives (relative to url, NULL
 * when it gives none) and the OS libosinfo identifies from it (*os, NULL
 * when the database knows none). false and *error when the text is not a
 * treeinfo file. */
bool vd_osinfo_treeinfo(const char *treeinfo, const char *url, const char *arch, char **kernel, char **initrd,
                        struct vd_os **os, char **error);
