/* virtdeck - migrating a domain between connected hosts
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A long task on the source host (conn-task.h): it opens the destination
 * URI itself (a second connection, credentials asked in the UI like any
 * host), runs virDomainMigrate3 on a helper thread and meanwhile polls
 * virDomainGetJobStats for the progress (data processed of total, expected
 * downtime, bandwidth), applies a new maximum downtime or bandwidth set from
 * the UI, and aborts the job (virDomainAbortJob) when cancelled (Esc,
 * vd_conn_abort_job). This header includes no libvirt header. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include "conn.h"

enum vd_migrate_mode {
    VD_MIGRATE_LIVE = 0,        /* running domain, keeps running */
    VD_MIGRATE_OFFLINE,         /* the persistent definition only (shut off domain) */
    VD_MIGRATE_SUSPENDED,       /* paused during the copy, left paused on the destination */
};

struct vd_migrate_opts {
    enum vd_migrate_mode mode;
    bool persistent;            /* define it on the destination */
    bool undefine_source;
    bool compressed;
    bool unsafe;
    bool copy_storage;          /* non-shared disks copied (images must exist there) */
    guint64 max_downtime_ms;    /* 0: libvirt's default */
    guint64 bandwidth_mibs;     /* MiB/s, 0: unlimited */
    const char *address;        /* the destination's address for the data
                                   (tcp://HOST), NULL/"": from the destination URI */
};

struct vd_migration;

/* Start migrating the domain (uuid; name for the messages) from src to
 * dest_uri. done runs on the UI context with the summary. The returned
 * handle (own reference) changes limits during the job; unref it when done
 * with it. */
struct vd_migration *vd_migrate_start(struct vd_conn *src, const char *uuid, const char *name,
                                      const char *dest_uri, const char *dest_label,
                                      const struct vd_migrate_opts *opts,
                                      vd_task_done_fn done, gpointer user);
/* While it runs: applied by the task at its next poll (200 ms). */
void vd_migration_set_downtime(struct vd_migration *m, guint64 ms);
void vd_migration_set_bandwidth(struct vd_migration *m, guint64 mibs);
/* Still running; the limits in force (0: default / unlimited). */
bool vd_migration_running(struct vd_migration *m, guint64 *downtime_ms, guint64 *bandwidth_mibs);
void vd_migration_unref(struct vd_migration *m);

/* The libvirt flags for these options (for the tests). */
unsigned int vd_migrate_flags(const struct vd_migrate_opts *o);
/* tcp://HOST for a remote destination URI, NULL for a local one. */
char *vd_migrate_default_address(const char *dest_uri);
