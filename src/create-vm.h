/* virtdeck - host facts and the creation transaction of a new VM
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * For the UI and the command line: no libvirt types here. */
#pragma once

#include <glib.h>
#include "conn.h"
#include "plan-vm.h"

/* Quick task on the host's worker: what the host offers (domain
 * capabilities, CPUs, memory, pools and volumes, networks, bridges, names
 * and MACs in use). done's result is a struct vd_host_facts *: the callback
 * takes it (vd_host_facts_free it). */
void vd_host_facts_request(struct vd_conn *c, vd_task_done_fn done, gpointer user);

/* Long task: check the plan against fresh facts, then create the volume,
 * define, start (when plan->start), with progress; on any failure or
 * cancel, undo in reverse (undefine, delete the volume it created) and fail
 * with libvirt's message. xml: the domain XML to define instead of the
 * plan's (customized in an editor; NULL: the plan's); it is defined first
 * so libvirt validates it before anything else is created. done's result:
 * the new domain's UUID (char *, freed after done). */
void vd_create_vm(struct vd_conn *c, const struct vd_plan_vm *plan, const char *xml,
                  vd_task_done_fn done, gpointer user);

/* The same without a UI (--create, tests): opens uri, runs, closes.
 * *message: the summary or the reason (translated). */
bool vd_create_vm_sync(const char *uri, const struct vd_plan_vm *plan, const char *xml,
                       char **message, char **uuid);
struct vd_host_facts *vd_host_facts_fetch_sync(const char *uri, char **error);
