/* virtdeck - install trees over HTTP: find and download a kernel and initrd
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Like virt-install --location: from the URL of an install tree, find the
 * kernel and initrd (.treeinfo read by libosinfo, which also identifies the
 * OS; else the layouts osinfo-db gives for the OS; else the known layouts
 * of Fedora/RHEL, Debian, Ubuntu and openSUSE trees) and download them with
 * libsoup. Blocking calls for a task's thread, never the UI thread; every
 * call runs on a private main context. No libvirt, no curses. */
#pragma once

#include <glib.h>
#include <gio/gio.h>
#include <stdbool.h>

#include "osinfo.h"

/* Asked every 50 ms by a watcher thread (and between reads): true cancels
 * the request in progress (vd_task_cancelled for a task). */
typedef bool (*vd_fetch_cancelled_fn)(gpointer user);
/* Bytes done and total (0: unknown), at most every 100 ms and at the end. */
typedef void (*vd_fetch_progress_fn)(guint64 done, guint64 total, gpointer user);

struct vd_fetch;
/* Used on the thread that made it only. cancelled may be NULL. */
struct vd_fetch *vd_fetch_new(vd_fetch_cancelled_fn cancelled, gpointer user);
void vd_fetch_free(struct vd_fetch *f);
typedef struct vd_fetch vd_fetch;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(vd_fetch, vd_fetch_free)

/* Can this URL be fetched (http:// or https:// with a host)? *why:
 * translated reason (ftp and nfs have their own message). */
bool vd_fetch_url_supported(const char *url, char **why);
/* Is this an http(s) URL (a kernel/initrd override given as a URL)? */
bool vd_fetch_is_url(const char *s);

struct vd_fetch_tree {
    char *base;               /* the tree's URL, ending with / */
    char *kernel_url, *initrd_url;   /* absolute URLs */
    char *kernel, *initrd;    /* as found: paths relative to base (or the override) */
    struct vd_os *os;         /* identified from .treeinfo, may be NULL */
    char *how;                /* translated: ".treeinfo", "osinfo-db layout of Fedora 39"... */
};
void vd_fetch_tree_free(struct vd_fetch_tree *t);
typedef struct vd_fetch_tree vd_fetch_tree;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(vd_fetch_tree, vd_fetch_tree_free)

/* Find the kernel and initrd of the tree at url for arch. os_id: the OS the
 * user chose (its osinfo-db layout is tried), may be NULL. kernel, initrd:
 * overrides, URL-relative paths or http(s) URLs (absolute host paths are
 * not fetched: the caller handles them), may be NULL. NULL and *error
 * (translated, with the HTTP status and URL) when nothing is found. */
struct vd_fetch_tree *vd_fetch_find_tree(struct vd_fetch *f, const char *url, const char *arch, const char *os_id,
                                         const char *kernel, const char *initrd, char **error);

/* Download url into fd (written from its current offset). *size: bytes
 * written. false and *error: HTTP status and URL, a body shorter than its
 * Content-Length, a write error, or "Cancelled". */
bool vd_fetch_to_fd(struct vd_fetch *f, const char *url, int fd, guint64 *size, vd_fetch_progress_fn progress,
                    gpointer user, char **error);
/* GET a small text (at most max bytes). NULL and *error, and *status the
 * HTTP status (0 for a transport error) when not 2xx. */
char *vd_fetch_text(struct vd_fetch *f, const char *url, gsize max, guint *status, char **error);
/* Does url exist (HEAD, GET when HEAD is refused)? *error when not. */
bool vd_fetch_exists(struct vd_fetch *f, const char *url, guint *status, char **error);

/* ---- for the wizard: the lookup on a thread of its own ---- */

/* Called on the thread-default main context of the caller of
 * vd_fetch_lookup_async (the UI's): tree (freed after the call) or the
 * reason. Not called when cancel was cancelled. */
typedef void (*vd_fetch_lookup_fn)(const struct vd_fetch_tree *tree, const char *error, gpointer user);
/* vd_fetch_find_tree on a GLib pool thread; user_free(user) after done
 * (or when cancelled). */
void vd_fetch_lookup_async(const char *url, const char *arch, const char *os_id, const char *kernel,
                           const char *initrd, GCancellable *cancel, vd_fetch_lookup_fn done, gpointer user,
                           GDestroyNotify user_free);
