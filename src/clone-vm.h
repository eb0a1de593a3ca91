/* virtdeck - cloning a VM, like virt-clone: new name, new MACs, disks copied
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * No libvirt types here. The source must be shut off. Every disk that is a
 * volume of a pool is copied in its pool (virStorageVolCreateXMLFrom, with
 * progress) or, linked, gets a qcow2 volume over it as backing file; CD
 * images are shared. On any failure the volumes made so far are deleted
 * and the clone undefined. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include "conn.h"

/* The volume name for a clone's disk: the source's with the old domain
 * name replaced by the new one, else "<new>-<target>.<ext>". */
char *vd_clone_volume_name(const char *src_vol, const char *old_name, const char *new_name,
                           const char *target, bool linked);
/* The clone's domain XML from the source's (inactive) XML: name, no UUID,
 * no MACs (libvirt makes new ones), no fixed VNC port, no NVRAM path.
 * Disks are rewritten by the task. NULL and *error on bad XML. */
char *vd_clone_domain_xml(const char *src_xml, const char *new_name, char **error);

/* Long task; done's result: the clone's UUID (char *). */
void vd_clone_vm(struct vd_conn *c, const char *src_uuid, const char *new_name, bool linked,
                 vd_task_done_fn done, gpointer user);
bool vd_clone_vm_sync(const char *uri, const char *src_name, const char *new_name, bool linked,
                      char **message, char **uuid);
