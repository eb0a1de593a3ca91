/* virtdeck - the plan of a new container (lxc:///system)
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Name, root file system (a directory on the host, or a new minimal
 * busybox tree built there), init command, memory, vCPUs, network. Checked
 * against the host's facts (plan-vm.h), written as domain XML with libxml2,
 * created by vd_create_lxc() (create-lxc.h). No libvirt, no curses. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include "plan-vm.h"

enum vd_rootfs { VD_ROOTFS_EXISTING = 0, VD_ROOTFS_BUSYBOX, VD_ROOTFS_LAST };

struct vd_plan_lxc {
    char *name;
    enum vd_rootfs rootfs;
    char *rootfs_dir;         /* EXISTING: the directory; BUSYBOX: where to build it */
    char *init;               /* "/bin/sh" */
    guint64 memory_mib;
    guint vcpus;
    enum vd_net_kind net;
    char *net_source;
    char *mac;                /* NULL: generated */
    bool start;
};

struct vd_plan_lxc *vd_plan_lxc_new(void);   /* 64 MiB, 1 vCPU, /bin/sh, busybox tree, NAT */
struct vd_plan_lxc *vd_plan_lxc_copy(const struct vd_plan_lxc *p);
void vd_plan_lxc_free(struct vd_plan_lxc *p);
typedef struct vd_plan_lxc vd_plan_lxc;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(vd_plan_lxc, vd_plan_lxc_free)

const char *vd_rootfs_label(enum vd_rootfs r);
/* Default network, a rootfs directory under /var/lib/libvirt/filesystems/NAME. */
void vd_plan_lxc_apply_defaults(struct vd_plan_lxc *p, const struct vd_host_facts *f);
/* Field ids: name, rootfs-dir, init, memory, vcpus, net-source, mac, host. */
bool vd_plan_lxc_validate(const struct vd_plan_lxc *p, const struct vd_host_facts *f, GPtrArray *errors);
char *vd_plan_lxc_domain_xml(const struct vd_plan_lxc *p, char **error);
char *vd_plan_lxc_summary(const struct vd_plan_lxc *p);

/* Build a minimal root file system in dir (created; must not exist or be
 * empty): bin/busybox from the host (busybox-static) and a link for each
 * of its applets, etc/passwd, group, hostname, and empty proc, sys, dev,
 * tmp, root. *created tells whether dir itself was made here (for undo). */
bool vd_lxc_build_busybox(const char *dir, const char *hostname, bool *created, char **error);
/* Remove a tree vd_lxc_build_busybox made (the caller knows it made the
 * directory): no symbolic link is followed, no other file system entered. */
void vd_lxc_remove_tree(const char *dir);
/* Where busybox is on this machine, or NULL. */
const char *vd_lxc_busybox_path(void);
