/* virtdeck - creating a container: build the root, define, start, or undo
 * SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>
#include "conn.h"
#include "plan-lxc.h"

/* Long task: fresh facts, checks, the busybox tree (when asked), define,
 * start (plan->start); on failure undo in reverse (undefine, remove the
 * tree it built) and fail with libvirt's message. done's result: the
 * UUID (char *). */
void vd_create_lxc(struct vd_conn *c, const struct vd_plan_lxc *plan, vd_task_done_fn done,
                   gpointer user);
bool vd_create_lxc_sync(const char *uri, const struct vd_plan_lxc *plan, char **message, char **uuid);
