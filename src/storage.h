/* virtdeck - storage pools and volumes of one host
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * No libvirt types here. A struct vd_storage watches the pools of one host
 * while the storage view is open: it fetches them with a quick task on the
 * host's worker, keeps them fresh with storage pool events (lifecycle and
 * refresh) and after every action it runs, and publishes immutable
 * snapshots. All strings are sanitized (vd_sanitize).
 *
 * Cost of a fetch: 3 pool listings (all, active, autostart) + per pool its
 * XML and (when active) its volume list + per volume its XML; the domains
 * that use each volume come from one virConnectListAllDomains and each
 * domain's XML, done once and cached (forced again after an action). */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "conn.h"
#include "vol-xml.h"

struct vd_vol_user {
    char *domain;             /* sanitized */
    bool active;              /* the domain runs (or is paused) */
    char *target;             /* disk target, "vda" */
};

struct vd_volume {
    char *name, *key, *path;  /* sanitized */
    char *format;             /* "qcow2", "raw", "dir"... or "" */
    char *type;               /* "file", "block", "dir", "network"... */
    guint64 capacity, allocation;
    GPtrArray *users;         /* struct vd_vol_user *: domains with this volume as a disk */
};

enum vd_pool_state {
    VD_POOL_INACTIVE = 0,
    VD_POOL_BUILDING,
    VD_POOL_RUNNING,
    VD_POOL_DEGRADED,
    VD_POOL_INACCESSIBLE,
};

struct vd_pool {
    char *name, *uuid, *type; /* type: "dir", "netfs", "logical"... */
    enum vd_pool_state state;
    bool autostart, persistent;
    guint64 capacity, allocation, available;
    char *target;             /* target path, may be "" */
    char *source;             /* "host:/export", "vg", device... may be "" */
    GPtrArray *volumes;       /* struct vd_volume *, sorted by name; empty when inactive */
    char *error;              /* listing the volumes failed, may be NULL */
};

struct vd_storage_snap {
    GPtrArray *pools;         /* struct vd_pool *, sorted by name */
    char *error;              /* the fetch failed, may be NULL */
    bool loaded;              /* a fetch completed */
    guint calls;              /* libvirt calls the last fetch made */
};

struct vd_storage_snap *vd_storage_snap_ref(struct vd_storage_snap *s);
void vd_storage_snap_unref(struct vd_storage_snap *s);
const char *vd_pool_state_label(enum vd_pool_state s);   /* translated */
const char *vd_pool_state_id(enum vd_pool_state s);      /* "active", "inactive"... (--dump) */
/* Names of the domains using any volume of the pool (", "-joined, caller
 * frees), NULL when none. */
char *vd_pool_users(const struct vd_pool *p);
char *vd_volume_users(const struct vd_volume *v);
const struct vd_pool *vd_storage_snap_pool(const struct vd_storage_snap *s, const char *name);
const struct vd_volume *vd_pool_volume(const struct vd_pool *p, const char *name);

/* Fetch synchronously on an open connection (for --dump: volumes without
 * their users). The result is for vd_storage_snap_unref. */
struct vd_storage_snap *vd_storage_fetch_sync(const char *uri, bool with_users, char **error);

struct vd_storage;
/* Called on the UI context when a new snapshot was published. */
typedef void (*vd_storage_notify_fn)(struct vd_storage *st, gpointer user);

/* Start watching (registers the pool events, fetches at once). */
struct vd_storage *vd_storage_open(struct vd_conn *c, vd_storage_notify_fn notify, gpointer user);
/* Stop watching (deregisters the events); never blocks. */
void vd_storage_close(struct vd_storage *st);
/* The host's connection is gone (removed): let go without touching it. */
void vd_storage_abandon(struct vd_storage *st);
struct vd_storage_snap *vd_storage_snapshot(struct vd_storage *st);   /* new reference */
void vd_storage_refresh(struct vd_storage *st);

/* ---- actions: quick or long tasks on the host; done runs on the UI context
 * with a translated message; the storage is fetched again afterwards. ---- */

/* Define the pool from XML; then build (when build), start (when start) and
 * set autostart (when autostart). */
void vd_storage_pool_create(struct vd_storage *st, const char *xml, bool build, bool start, bool autostart,
                            vd_task_done_fn done, gpointer user);
enum vd_pool_op {
    VD_POOL_BUILD,
    VD_POOL_START,
    VD_POOL_STOP,             /* refused when a running domain uses a volume */
    VD_POOL_REFRESH,
    VD_POOL_AUTOSTART_ON,
    VD_POOL_AUTOSTART_OFF,
    VD_POOL_DELETE,           /* stop if active, undefine; refused when a domain uses a volume */
    VD_POOL_DELETE_STORAGE,   /* the same, after deleting the pool's storage (virStoragePoolDelete) */
};
void vd_storage_pool_op(struct vd_storage *st, const char *pool, enum vd_pool_op op,
                        vd_task_done_fn done, gpointer user);

/* Create a volume from a plan (vol-xml.h). */
void vd_storage_vol_create(struct vd_storage *st, const char *pool, const struct vd_vol_plan *plan,
                           vd_task_done_fn done, gpointer user);
/* Delete (refused when a domain uses it); wipe first when wipe. */
void vd_storage_vol_delete(struct vd_storage *st, const char *pool, const char *vol, bool wipe,
                           vd_task_done_fn done, gpointer user);
/* Resize to capacity bytes. Shrinking needs shrink=true. A volume that is a
 * disk of a running domain grows with virDomainBlockResize. */
void vd_storage_vol_resize(struct vd_storage *st, const char *pool, const char *vol, guint64 capacity,
                           bool shrink, vd_task_done_fn done, gpointer user);
/* Clone vol into new_name in the same pool (long task). */
void vd_storage_vol_clone(struct vd_storage *st, const char *pool, const char *vol, const char *new_name,
                          vd_task_done_fn done, gpointer user);
/* Upload a local file into the volume / download the volume into a local
 * file: long tasks with progress, speed, ETA and cancel (a cancelled
 * download removes its partial file). Sparse streams (holes are not sent). */
void vd_storage_vol_upload(struct vd_storage *st, const char *pool, const char *vol, const char *file,
                           vd_task_done_fn done, gpointer user);
void vd_storage_vol_download(struct vd_storage *st, const char *pool, const char *vol, const char *file,
                             vd_task_done_fn done, gpointer user);

/* Synchronous transfers on a URI (no UI): for the benchmark and tests.
 * Returns false with *error. */
bool vd_storage_transfer_sync(const char *uri, bool upload, const char *pool, const char *vol,
                              const char *file, char **error);
