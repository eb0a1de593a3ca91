/* virtdeck - tasks: core modules run their own libvirt calls on a host
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * For src/ only (it includes libvirt). A module such as storage.c offers the
 * UI a function like vd_storage_pool_start(conn, name, done, user) and
 * implements it with vd_conn_submit(): the task function then runs with the
 * host's virConnectPtr, and the done callback (conn.h) runs on the UI
 * context with the message and result.
 *
 * Quick tasks run on the host's worker thread, one at a time, between
 * refreshes: short calls (list pools, start a network, define). Long tasks
 * (upload, clone, migrate, create a VM) run on a thread of their own with a
 * reference to the same connection; they report progress, show in
 * vd_conn_job() and are cancelled by vd_conn_abort_job(). */
#pragma once

#include <libvirt/libvirt.h>
#include "conn.h"

struct vd_task;
typedef void (*vd_task_fn)(virConnectPtr vc, struct vd_task *t, gpointer data);

enum vd_task_kind { VD_TASK_QUICK, VD_TASK_LONG };

/* label: translated, what a long task shows ("Uploading disk.qcow2"); may
 * be NULL for quick tasks. data is freed with data_free after done ran.
 * When the host is not connected, done gets ok=false and a message. */
void vd_conn_submit(struct vd_conn *c, enum vd_task_kind kind, const char *label,
                    vd_task_fn fn, gpointer data, GDestroyNotify data_free,
                    vd_task_done_fn done, gpointer user);

/* Open uri, run fn on the calling thread, close: for --dump, --create and
 * tests. Returns whether the task succeeded; *message (may be NULL) gets its
 * message (or the connection error), *result its result (caller frees it
 * with the task's result_free: pass NULL to have it freed here). */
bool vd_conn_run_sync(const char *uri, vd_task_fn fn, gpointer data, char **message, gpointer *result);

/* ---- inside a task function ---- */

/* 0..100, -1 unknown; detail like "12.3 MiB/s, 0:42 left" (may be NULL). */
void vd_task_progress(struct vd_task *t, int percent, const char *detail);
/* The user asked to cancel: stop at the next chance (virStreamAbort,
 * virDomainAbortJob...) and call vd_task_fail(t, _("Cancelled")). */
bool vd_task_cancelled(struct vd_task *t);
/* The call about to be made cannot be interrupted (libvirt has no abort
 * for it): a cancel then takes effect when it returns, and the UI says so.
 * yes again once it returned. */
void vd_task_set_interruptible(struct vd_task *t, bool yes);
/* Mark failed with this message (translated, printf-style; sanitized here). */
void vd_task_fail(struct vd_task *t, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* The same, with ": " and libvirt's last error appended. */
void vd_task_fail_libvirt(struct vd_task *t, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
bool vd_task_failed(const struct vd_task *t);
/* Add text (sanitized here) to the end of the message, failed or not. */
void vd_task_append_message(struct vd_task *t, const char *text);
/* Message for success ("Pool images started"). */
void vd_task_set_message(struct vd_task *t, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Handed to done; freed with result_free after it (or if nobody takes it). */
void vd_task_set_result(struct vd_task *t, gpointer result, GDestroyNotify result_free);
/* Refresh the host's domain list when the task is done (it defined,
 * undefined or started something). */
void vd_task_request_refresh(struct vd_task *t);

/* Open another connection the way the workers do (credentials asked in the
 * UI, ssh through the askpass helper): for a task that needs a second host
 * (migration). NULL with libvirt's error set on failure. */
virConnectPtr vd_conn_open_uri(const char *uri);
