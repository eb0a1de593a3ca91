/* virtdeck - the plan of a new virtual machine: answers of the wizard
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A plain struct the wizard (or a template, --create) fills in, checked
 * against the facts of a host (vd_host_facts, fetched by create-vm.c) and
 * turned into domain and volume XML with libxml2. No libvirt, no curses. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include "vol-xml.h"

enum vd_install {
    VD_INSTALL_NONE = 0,
    VD_INSTALL_ISO_VOLUME,    /* a CD image that is a volume of a pool */
    VD_INSTALL_ISO_PATH,      /* a CD image by its path on the host */
    VD_INSTALL_URL,           /* network install: kernel + initrd, install URL on the command line */
    VD_INSTALL_PXE,
    VD_INSTALL_IMPORT,        /* boot an existing disk (storage: existing volume) */
    VD_INSTALL_LAST
};

enum vd_disk_mode { VD_DISK_NEW = 0, VD_DISK_EXISTING, VD_DISK_NONE, VD_DISK_MODE_LAST };
enum vd_disk_bus { VD_BUS_VIRTIO = 0, VD_BUS_SATA, VD_BUS_SCSI, VD_BUS_IDE, VD_BUS_LAST };
enum vd_disk_format { VD_FMT_QCOW2 = 0, VD_FMT_RAW, VD_FMT_LAST };
/* Preallocation of a new disk: enum vd_vol_prealloc of vol-xml.h (the
 * storage view's volume plan, which writes the volume XML). */
#define VD_PREALLOC_LAST (VD_PREALLOC_FULL + 1)
enum vd_cache {
    VD_CACHE_DEFAULT = 0, VD_CACHE_NONE, VD_CACHE_WRITEBACK, VD_CACHE_WRITETHROUGH,
    VD_CACHE_DIRECTSYNC, VD_CACHE_UNSAFE, VD_CACHE_LAST
};
enum vd_net_kind { VD_NET_NETWORK = 0, VD_NET_BRIDGE, VD_NET_NONE, VD_NET_KIND_LAST };
enum vd_nic_model { VD_NIC_VIRTIO = 0, VD_NIC_E1000E, VD_NIC_RTL8139, VD_NIC_LAST };
/* UEFI: plain OVMF (Secure Boot off); UEFI_SECURE: Secure Boot with the
 * usual keys enrolled, q35 and SMM (what Windows 11 asks for) */
enum vd_firmware { VD_FW_BIOS = 0, VD_FW_UEFI, VD_FW_UEFI_SECURE, VD_FW_LAST };
enum vd_cpu_mode {
    VD_CPU_DEFAULT = 0,       /* no <cpu>: the hypervisor's default model */
    VD_CPU_HOST_PASSTHROUGH, VD_CPU_HOST_MODEL, VD_CPU_MAXIMUM, VD_CPU_MODE_LAST
};
enum vd_boot_dev { VD_BOOT_NONE = 0, VD_BOOT_CDROM, VD_BOOT_HD, VD_BOOT_NETWORK, VD_BOOT_LAST };

#define VD_PLAN_BOOT_MAX 3

struct vd_plan_vm {
    char *name;
    char *virt_type;          /* "kvm" or "qemu"; NULL: the best the host offers */
    char *arch;               /* "x86_64" */
    char *machine;            /* "pc", "q35", "pc-i440fx-7.2"; NULL: the host's default */
    char *os_id;              /* libosinfo id ("http://debian.org/debian/12"), may be NULL */

    enum vd_install install;
    char *iso_pool, *iso_volume;   /* ISO_VOLUME */
    char *iso_path;                /* ISO_PATH */
    char *url;                     /* URL: install tree (http, https): its kernel and initrd are
                                    * downloaded at creation (fetch.c) */
    char *kernel, *initrd;         /* URL: optional overrides, a path in the tree, a URL or an
                                    * absolute path on the host (not fetched) */
    char *cmdline;                 /* URL: extra kernel arguments */

    guint vcpus;
    enum vd_cpu_mode cpu_mode;
    guint64 memory_mib;       /* current */
    guint64 max_memory_mib;   /* 0: same as current */
    enum vd_firmware firmware;

    enum vd_disk_mode disk;
    char *disk_pool;          /* NEW, EXISTING */
    char *disk_volume;        /* NEW: volume name (NULL: "<name>.qcow2"); EXISTING: its name */
    guint64 disk_size_mib;    /* NEW */
    enum vd_disk_format disk_format;   /* NEW; EXISTING: as the volume is (facts) */
    enum vd_vol_prealloc prealloc;  /* off, metadata (qcow2), falloc, full (raw) */
    enum vd_disk_bus disk_bus;
    enum vd_cache cache;

    enum vd_net_kind net;
    char *net_source;         /* network or bridge name */
    enum vd_nic_model nic_model;
    char *mac;                /* NULL or "": generated (vd_plan_vm_fill_mac) */

    bool vnc;                 /* VNC on 127.0.0.1, autoport */
    bool serial;              /* serial console on a pty */

    enum vd_boot_dev boot[VD_PLAN_BOOT_MAX];   /* VD_BOOT_NONE ends the list */
    bool start;               /* start after define */
};

/* ---- what a host offers (create-vm.c fetches it) ---- */

struct vd_fact_pool {
    char *name;
    char *path;               /* target path, may be NULL */
    char *type;               /* "dir", "logical", "rbd"... may be NULL */
    bool active;
    guint64 capacity, available;   /* bytes */
    GPtrArray *volumes;       /* struct vd_fact_vol * */
};

struct vd_fact_vol {
    char *name;
    char *path;
    char *format;             /* "qcow2", "raw", "iso"... may be NULL */
    guint64 capacity;         /* bytes */
};

struct vd_host_facts {
    char *uri;
    bool local;               /* the host is this machine: paths can be read here */
    char *arch;               /* host arch */
    GPtrArray *virt_types;    /* char *: "kvm", "qemu" (best first) */
    char *default_machine;    /* of the chosen virt type */
    GPtrArray *machines;      /* char *: aliases first ("pc", "q35"), then versions */
    guint max_vcpus;          /* from domain capabilities */
    bool cpu_modes[VD_CPU_MODE_LAST];
    bool uefi;                /* firmware autoselection offers efi */
    bool uefi_secure;         /* and a Secure Boot one for q35 */
    bool fw_features;         /* libvirt >= 7.2: <os><firmware><feature> (true by default) */
    bool virtio_scsi;
    guint cpus;               /* host CPUs */
    guint64 mem_kib, free_kib;
    GPtrArray *pools;         /* struct vd_fact_pool * */
    GPtrArray *networks;      /* char * (active networks) */
    GPtrArray *inactive_networks;   /* char * */
    GPtrArray *bridges;       /* char *: real host bridges (not a libvirt network's) */
    GPtrArray *domains;       /* char *: names in use */
    GPtrArray *macs;          /* char *: MACs in use (lower case) */
};

struct vd_host_facts *vd_host_facts_new(void);
struct vd_fact_pool *vd_fact_pool_new(void);
struct vd_fact_vol *vd_fact_vol_new(void);
void vd_host_facts_free(struct vd_host_facts *f);
typedef struct vd_host_facts vd_host_facts;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(vd_host_facts, vd_host_facts_free)
const struct vd_fact_pool *vd_host_facts_pool(const struct vd_host_facts *f, const char *name);
const struct vd_fact_vol *vd_fact_pool_vol(const struct vd_fact_pool *p, const char *name);
bool vd_host_facts_has_domain(const struct vd_host_facts *f, const char *name);

/* ---- plan ---- */

struct vd_plan_vm *vd_plan_vm_new(void);   /* defaults: 1 vCPU, 1 GiB, 10 GiB qcow2 virtio, NAT */
struct vd_plan_vm *vd_plan_vm_copy(const struct vd_plan_vm *p);
void vd_plan_vm_free(struct vd_plan_vm *p);
typedef struct vd_plan_vm vd_plan_vm;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(vd_plan_vm, vd_plan_vm_free)

/* Fill what the user left to the host: virt type, arch, machine, default
 * network and pool, volume name, boot order from the install source. */
void vd_plan_vm_apply_defaults(struct vd_plan_vm *p, const struct vd_host_facts *f);
/* Default boot order for the install source. */
void vd_plan_vm_default_boot(struct vd_plan_vm *p);
/* A MAC 52:54:00:xx:xx:xx not in facts (f may be NULL) when none was typed. */
void vd_plan_vm_fill_mac(struct vd_plan_vm *p, const struct vd_host_facts *f);
/* The new volume's name: disk_volume or "<name>.qcow2"/".img". */
char *vd_plan_vm_volume_name(const struct vd_plan_vm *p);

/* One problem with one answer. field: the wizard's field id ("name",
 * "memory", "disk-size"...); message translated. */
struct vd_plan_error {
    char *field;
    char *message;
    bool warning;             /* shown, does not stop the creation */
};
void vd_plan_error_free(struct vd_plan_error *e);

/* Check the plan against the host (f may be NULL: checks of the plan
 * alone). Appends struct vd_plan_error * to errors (free func set by the
 * caller or use vd_plan_errors_new()); returns false when one is not a
 * warning. */
GPtrArray *vd_plan_errors_new(void);
/* Append one message for field (a warning does not stop the creation). */
void vd_plan_add_error(GPtrArray *errors, bool warning, const char *field, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);
bool vd_plan_vm_validate(const struct vd_plan_vm *p, const struct vd_host_facts *f, GPtrArray *errors);
/* The first error for a field, or NULL. */
const struct vd_plan_error *vd_plan_errors_find(GPtrArray *errors, const char *field);
/* All non-warning errors as "field: message; field: message". */
char *vd_plan_errors_text(GPtrArray *errors);
/* Is the name one libvirt and file systems take (letters, digits, - _ . +)? */
bool vd_plan_name_valid(const char *name, char **why);
/* Parse "52:54:00:12:34:56" -> canonical lower case; NULL if invalid. */
char *vd_plan_mac_canonical(const char *mac);

/* Domain XML (libxml2). The existing volume's format comes from f when
 * given. Returns NULL and *error when the plan cannot be written. */
char *vd_plan_vm_domain_xml(const struct vd_plan_vm *p, const struct vd_host_facts *f, char **error);
/* Network install: the kernel arguments (inst.repo= for Fedora/RHEL,
 * install= for SUSE, then the typed ones); "" when none. */
char *vd_plan_vm_cmdline(const struct vd_plan_vm *p);
/* The first boot's XML of a network install: xml (the final domain XML,
 * the plan's or an edited one) with <kernel>, <initrd>, <cmdline> in <os>
 * and on_reboot destroy. NULL and *error when xml has no <os>. */
char *vd_plan_vm_install_xml(const char *xml, const char *kernel, const char *initrd, const char *cmdline,
                             char **error);
/* Volume XML of the new disk (NULL when the plan creates none), by
 * vol-xml.c; the flags for virStorageVolCreateXML in *flags. */
char *vd_plan_vm_volume_xml(const struct vd_plan_vm *p, unsigned int *flags);

/* A summary, one line per answer, translated. */
char *vd_plan_vm_summary(const struct vd_plan_vm *p);

/* ---- templates: GKeyFile, group [vm] ---- */
bool vd_plan_vm_save(const struct vd_plan_vm *p, const char *path, GError **error);
struct vd_plan_vm *vd_plan_vm_load(const char *path, GError **error);
char *vd_plan_vm_to_keyfile(const struct vd_plan_vm *p);
struct vd_plan_vm *vd_plan_vm_from_keyfile(const char *data, GError **error);

/* ---- enum tables: stable ids (templates) and translated labels ---- */
const char *vd_install_id(enum vd_install v);
const char *vd_install_label(enum vd_install v);
const char *vd_disk_mode_id(enum vd_disk_mode v);
const char *vd_disk_mode_label(enum vd_disk_mode v);
const char *vd_disk_bus_id(enum vd_disk_bus v);
const char *vd_disk_format_id(enum vd_disk_format v);
const char *vd_prealloc_id(enum vd_vol_prealloc v);
const char *vd_prealloc_label(enum vd_vol_prealloc v);
const char *vd_cache_id(enum vd_cache v);
const char *vd_cache_label(enum vd_cache v);
const char *vd_net_kind_id(enum vd_net_kind v);
const char *vd_net_kind_label(enum vd_net_kind v);
const char *vd_nic_model_id(enum vd_nic_model v);
const char *vd_firmware_id(enum vd_firmware v);
const char *vd_firmware_label(enum vd_firmware v);
const char *vd_cpu_mode_id(enum vd_cpu_mode v);
const char *vd_cpu_mode_label(enum vd_cpu_mode v);
const char *vd_boot_dev_id(enum vd_boot_dev v);
const char *vd_boot_dev_label(enum vd_boot_dev v);
