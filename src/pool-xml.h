/* virtdeck - storage pool XML from a plain plan
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * No libvirt types. The pool form fills a struct vd_pool_plan; the fields a
 * type uses (vd_pool_type_fields) drive which inputs the form shows. */
#pragma once

#include <glib.h>
#include <stdbool.h>

enum vd_pool_type {
    VD_POOL_DIR,
    VD_POOL_FS,
    VD_POOL_NETFS,
    VD_POOL_LOGICAL,
    VD_POOL_ISCSI,
    VD_POOL_ZFS,
    VD_POOL_DISK,
    VD_POOL_TYPE_LAST
};

/* the inputs of the form */
enum vd_pool_field {
    VD_PF_TARGET = 1 << 0,      /* target path */
    VD_PF_HOST = 1 << 1,        /* NFS or iSCSI server */
    VD_PF_SOURCE_DIR = 1 << 2,  /* NFS export directory */
    VD_PF_SOURCE_NAME = 1 << 3, /* LVM volume group, ZFS pool */
    VD_PF_DEVICES = 1 << 4,     /* source devices (list for logical/zfs, one for fs/disk) */
    VD_PF_FORMAT = 1 << 5,      /* netfs: nfs/auto/glusterfs/cifs; fs: ext4...; disk: gpt/dos */
    VD_PF_IQN = 1 << 6,         /* iSCSI target IQN */
    VD_PF_INITIATOR = 1 << 7,   /* iSCSI initiator IQN (optional) */
};

struct vd_pool_plan {
    enum vd_pool_type type;
    const char *name;
    const char *target;
    const char *host;
    const char *source_dir;
    const char *source_name;
    const char *devices;        /* separated by spaces or commas */
    const char *format;         /* NULL or "": the type's default */
    const char *iqn;
    const char *initiator;
};

const char *vd_pool_type_name(enum vd_pool_type t);          /* "dir", "netfs"... */
bool vd_pool_type_parse(const char *s, enum vd_pool_type *out);
const char *vd_pool_type_label(enum vd_pool_type t);         /* translated: "NFS share" */
unsigned vd_pool_type_fields(enum vd_pool_type t);           /* fields shown */
unsigned vd_pool_type_required(enum vd_pool_type t);         /* fields that must be filled */
/* formats offered for the type, NULL-terminated; the first is the default;
 * NULL when the type has no format field */
const char *const *vd_pool_type_formats(enum vd_pool_type t);
/* a suggested target path for the name ("/var/lib/libvirt/images/NAME"...),
 * caller frees; NULL when the type has no target */
char *vd_pool_default_target(enum vd_pool_type t, const char *name);

/* NULL when usable, else a translated message naming the field. */
char *vd_pool_plan_check(const struct vd_pool_plan *p);
/* <pool> XML (caller frees) or NULL with *error. */
char *vd_pool_xml(const struct vd_pool_plan *p, char **error);
