/* virtdeck - one connection: a worker thread that owns a virConnectPtr
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Everything that talks to libvirt runs on the worker thread of the host's
 * connection. The UI submits jobs and receives results on its own
 * GMainContext; it never blocks. This header includes no libvirt header. */
#pragma once

#include <glib.h>
#include "model.h"
#include "actions.h"

struct vd_conn;

/* Called on the UI context whenever the connection published a new snapshot
 * or changed state. Calls are coalesced. */
typedef void (*vd_conn_notify_fn)(struct vd_conn *c, gpointer user);

/* Called on the UI context when an action finished. ok is false when at least
 * one domain failed; message is a translated, sanitized summary that carries
 * libvirt's error text in full ("Started lab1", "Could not start lab1: ..."). */
typedef void (*vd_action_done_fn)(struct vd_conn *c, bool ok, const char *message, gpointer user);

struct vd_conn_options {
    guint refresh_ms;           /* periodic refresh, default 5000; events do the rest */
    guint not_responding_ms;    /* a call in flight longer than this: not responding (default 2500) */
    int keepalive_interval;     /* seconds, default 2 */
    guint keepalive_count;      /* default 3 */
    bool history;               /* write RRD history under $XDG_STATE_HOME/virtdeck/rrd */
    bool start_idle;            /* do not connect until vd_conn_reconnect (a host the
                                   user disconnected: shown, no libvirt connection) */
    bool notify_every_refresh;  /* notify after every refresh, changed or not (benchmarks) */
};

/* Call once, before the first vd_conn_new: libvirt's event loop thread. */
void vd_conn_global_init(void);

/* ui_ctx must not be the global default context: libvirt's event loop thread
 * runs that one. */
struct vd_conn *vd_conn_new(const char *uri, const struct vd_conn_options *opt,
                            GMainContext *ui_ctx, vd_conn_notify_fn notify, gpointer user);
/* Asks the worker to stop and drops the caller's reference; a worker blocked
 * in a call lets go when the call returns. Never blocks. */
void vd_conn_close(struct vd_conn *c);

const char *vd_conn_uri(const struct vd_conn *c);
/* Latest snapshot, new reference (never NULL). Its state already says
 * "not responding" when a call has been in flight too long. */
struct vd_host_snap *vd_conn_snapshot(struct vd_conn *c);
/* Cheap, lock-free check used by a UI timer: current display state. */
enum vd_host_state vd_conn_state(struct vd_conn *c);

void vd_conn_refresh(struct vd_conn *c);
/* A statistics tick now, as the refresh timer makes them (benchmarks). */
void vd_conn_tick(struct vd_conn *c);
/* The stats groups (virDomainStatsTypes) a tick's GetAllDomainStats asks for;
 * *flags gets its list flags. For a bare call that asks for the same. */
unsigned int vd_conn_tick_stats(unsigned int *flags);
/* Drop the connection and open it again now (user asked). */
void vd_conn_reconnect(struct vd_conn *c);

/* Called on the UI context when a task of a core module (storage, network,
 * console, create...) finished; see conn-task.h. result is freed after the
 * callback returns (with the result_free the task gave; a module whose
 * results the callback keeps passes no result_free and says so). */
typedef void (*vd_task_done_fn)(struct vd_conn *c, bool ok, const char *message, gpointer result,
                                gpointer user);

/* Run an action on the domains with these UUIDs, in order. */
void vd_conn_action(struct vd_conn *c, enum vd_action a, const char *const *uuids, guint n_uuids,
                    vd_action_done_fn done, gpointer user);

/* A long action (managed save, restore, start) or long task (upload, clone,
 * migrate...) in progress on this host:
 * true, a translated label ("Saving lab1", g_free it) and the percent done
 * (-1 while libvirt does not know). Cheap; for a UI timer. */
bool vd_conn_job(struct vd_conn *c, char **label, int *percent);
/* What Esc does to the job vd_conn_job() shows: stops it at once, stops
 * it when the libvirt call in progress returns (that call cannot be
 * interrupted: vd_task_set_interruptible), or it is being cancelled. */
enum vd_job_cancel {
    VD_JOB_CANCEL_NOW, VD_JOB_CANCEL_AFTER_STEP, VD_JOB_CANCELLING, VD_JOB_CANCELLING_AFTER_STEP
};
enum vd_job_cancel vd_conn_job_cancel(struct vd_conn *c);
/* Cancel the long action in progress (virDomainAbortJob) and every long
 * task. False if none. */
bool vd_conn_abort_job(struct vd_conn *c);

/* Synchronous helpers for --dump and tests (no UI): open, one refresh,
 * snapshot. Returns NULL and sets *error on connection failure. */
struct vd_host_snap *vd_conn_fetch_once(const char *uri, char **error);
/* Between these, vd_conn_fetch_once and vd_conn_run_sync calls for the same
 * URI (from any thread, at the same time) share one connection, opened by
 * the first and closed by vd_conn_share_end: --dump connects once per host. */
void vd_conn_share_begin(void);
void vd_conn_share_end(void);
