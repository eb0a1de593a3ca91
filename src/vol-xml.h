/* virtdeck - storage volume XML from a plain plan, and size parsing
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * No libvirt types here: the wizard and the storage view fill a
 * struct vd_vol_plan, validate it and get the <volume> XML plus the flags
 * to pass to virStorageVolCreateXML (a plain unsigned int). */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

enum vd_vol_format {
    VD_VOL_QCOW2,
    VD_VOL_RAW,
};

enum vd_vol_prealloc {
    VD_PREALLOC_OFF,      /* sparse: allocation 0 */
    VD_PREALLOC_METADATA, /* qcow2 only: qemu-img preallocation=metadata */
    VD_PREALLOC_FALLOC,   /* allocation = capacity (fallocate; qcow2: preallocation=falloc) */
    VD_PREALLOC_FULL,     /* raw only: allocated and then zero-filled (vd_vol_plan_needs_zero_fill) */
};

struct vd_vol_plan {
    const char *name;             /* file name in the pool, e.g. "disk.qcow2" */
    enum vd_vol_format format;
    guint64 capacity;             /* bytes, > 0 */
    enum vd_vol_prealloc prealloc;
    const char *backing_path;     /* qcow2 only: path of the backing volume, NULL or "" for none */
    const char *backing_format;   /* "qcow2" or "raw"; NULL means qcow2 */
};

/* Stable names: "qcow2"/"raw", "off"/"metadata"/"falloc"/"full". */
const char *vd_vol_format_name(enum vd_vol_format f);
bool vd_vol_format_parse(const char *s, enum vd_vol_format *out);
const char *vd_vol_prealloc_name(enum vd_vol_prealloc p);
bool vd_vol_prealloc_parse(const char *s, enum vd_vol_prealloc *out);

/* NULL when the plan is usable, else a translated message (caller frees):
 * empty name, '/' in the name, zero capacity, metadata preallocation on raw,
 * full on qcow2, a backing volume on raw... */
char *vd_vol_plan_check(const struct vd_vol_plan *p);

/* <volume> XML (caller frees); NULL with *error set (translated) when the
 * plan is not usable. */
char *vd_vol_xml(const struct vd_vol_plan *p, char **error);

/* Flags for virStorageVolCreateXML / CreateXMLFrom
 * (VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA for metadata and falloc). */
unsigned int vd_vol_plan_create_flags(const struct vd_vol_plan *p);
/* True for "full": the caller zero-fills the volume after creating it
 * (virStorageVolWipePattern with the zero algorithm). */
bool vd_vol_plan_needs_zero_fill(const struct vd_vol_plan *p);

/* Size with units: "20G", "512 MiB", "1.5T", "4096" (bytes), "10 GB".
 * K/M/G/T/P with or without "i"/"B" are binary (1024) multiples, the usual
 * meaning in virsh and qemu-img. Returns false with *error (translated,
 * caller frees) on empty text, junk, negative or overflowing sizes. */
bool vd_parse_size(const char *text, guint64 *bytes, char **error);
/* Bytes -> "20 GiB", "1.5 GiB", "512 B". */
char *vd_format_bytes(guint64 bytes);
