/* virtdeck - the plan of a new virtual machine: checks, XML, templates
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <config.h>

#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "i18n.h"
#include "osinfo.h"
#include "plan-vm.h"
#include "fetch.h"
#include "util.h"

/* ---- enum tables ---- */

#define ID_TABLE(fn, type, last, ...)                                          \
    const char *fn(type v)                                                     \
    {                                                                          \
        static const char *const ids[] = { __VA_ARGS__ };                      \
        G_STATIC_ASSERT(G_N_ELEMENTS(ids) == last);                            \
        return (guint)v < G_N_ELEMENTS(ids) ? ids[v] : "";                     \
    }
#define LABEL_TABLE(fn, type, last, ...)                                       \
    const char *fn(type v)                                                     \
    {                                                                          \
        static const char *const labels[] = { __VA_ARGS__ };                   \
        G_STATIC_ASSERT(G_N_ELEMENTS(labels) == last);                         \
        return (guint)v < G_N_ELEMENTS(labels) ? _(labels[v]) : "";            \
    }

ID_TABLE(vd_install_id, enum vd_install, VD_INSTALL_LAST,
         "none", "iso-volume", "iso-path", "url", "pxe", "import")
LABEL_TABLE(vd_install_label, enum vd_install, VD_INSTALL_LAST,
            N_("none (empty machine)"), N_("CD image in a pool"), N_("CD image by path"),
            N_("network install (kernel, initrd)"), N_("PXE network boot"),
            N_("import an existing disk"))
ID_TABLE(vd_disk_mode_id, enum vd_disk_mode, VD_DISK_MODE_LAST, "new", "existing", "none")
LABEL_TABLE(vd_disk_mode_label, enum vd_disk_mode, VD_DISK_MODE_LAST,
            N_("new volume"), N_("existing volume"), N_("no disk"))
ID_TABLE(vd_disk_bus_id, enum vd_disk_bus, VD_BUS_LAST, "virtio", "sata", "scsi", "ide")
ID_TABLE(vd_disk_format_id, enum vd_disk_format, VD_FMT_LAST, "qcow2", "raw")
ID_TABLE(vd_prealloc_id, enum vd_vol_prealloc, VD_PREALLOC_LAST, "off", "metadata", "falloc", "full")
LABEL_TABLE(vd_prealloc_label, enum vd_vol_prealloc, VD_PREALLOC_LAST,
            N_("none (sparse)"), N_("metadata (qcow2)"), N_("allocated (falloc)"), N_("full (raw, zeroed)"))
ID_TABLE(vd_cache_id, enum vd_cache, VD_CACHE_LAST,
         "default", "none", "writeback", "writethrough", "directsync", "unsafe")
LABEL_TABLE(vd_cache_label, enum vd_cache, VD_CACHE_LAST,
            N_("default"), N_("none"), N_("writeback"), N_("writethrough"), N_("directsync"),
            N_("unsafe"))
ID_TABLE(vd_net_kind_id, enum vd_net_kind, VD_NET_KIND_LAST, "network", "bridge", "none")
LABEL_TABLE(vd_net_kind_label, enum vd_net_kind, VD_NET_KIND_LAST,
            N_("virtual network"), N_("host bridge"), N_("no network"))
ID_TABLE(vd_nic_model_id, enum vd_nic_model, VD_NIC_LAST, "virtio", "e1000e", "rtl8139")
ID_TABLE(vd_firmware_id, enum vd_firmware, VD_FW_LAST, "bios", "uefi", "uefi-secure")
LABEL_TABLE(vd_firmware_label, enum vd_firmware, VD_FW_LAST, N_("BIOS"), N_("UEFI"), N_("UEFI with Secure Boot"))
ID_TABLE(vd_cpu_mode_id, enum vd_cpu_mode, VD_CPU_MODE_LAST,
         "default", "host-passthrough", "host-model", "maximum")
LABEL_TABLE(vd_cpu_mode_label, enum vd_cpu_mode, VD_CPU_MODE_LAST,
            N_("hypervisor default"), N_("host-passthrough"), N_("host-model"), N_("maximum"))
ID_TABLE(vd_boot_dev_id, enum vd_boot_dev, VD_BOOT_LAST, "", "cdrom", "hd", "network")
LABEL_TABLE(vd_boot_dev_label, enum vd_boot_dev, VD_BOOT_LAST,
            N_("(none)"), N_("CD-ROM"), N_("disk"), N_("network"))

static int
parse_id(const char *(*fn)(int), int last, const char *s)
{
    for (int i = 0; s && i < last; i++)
        if (g_ascii_strcasecmp(fn(i), s) == 0)
            return i;
    return -1;
}
/* The tables take their enum; call them through int wrappers. */
#define PARSER(name, fn, type)                                                 \
    static const char *name##_int(int v) { return fn((type)v); }
PARSER(install, vd_install_id, enum vd_install)
PARSER(disk_mode, vd_disk_mode_id, enum vd_disk_mode)
PARSER(bus, vd_disk_bus_id, enum vd_disk_bus)
PARSER(fmt, vd_disk_format_id, enum vd_disk_format)
PARSER(prealloc, vd_prealloc_id, enum vd_vol_prealloc)
PARSER(cache, vd_cache_id, enum vd_cache)
PARSER(net, vd_net_kind_id, enum vd_net_kind)
PARSER(nic, vd_nic_model_id, enum vd_nic_model)
PARSER(fw, vd_firmware_id, enum vd_firmware)
PARSER(cpu, vd_cpu_mode_id, enum vd_cpu_mode)
PARSER(boot, vd_boot_dev_id, enum vd_boot_dev)

/* ---- facts ---- */

static void
fact_vol_free(struct vd_fact_vol *v)
{
    g_free(v->name);
    g_free(v->path);
    g_free(v->format);
    g_free(v);
}

static void
fact_pool_free(struct vd_fact_pool *p)
{
    g_free(p->name);
    g_free(p->path);
    g_free(p->type);
    if (p->volumes)
        g_ptr_array_unref(p->volumes);
    g_free(p);
}

struct vd_host_facts *
vd_host_facts_new(void)
{
    struct vd_host_facts *f = g_new0(struct vd_host_facts, 1);

    f->fw_features = true;
    f->virt_types = g_ptr_array_new_with_free_func(g_free);
    f->machines = g_ptr_array_new_with_free_func(g_free);
    f->pools = g_ptr_array_new_with_free_func((GDestroyNotify)fact_pool_free);
    f->networks = g_ptr_array_new_with_free_func(g_free);
    f->inactive_networks = g_ptr_array_new_with_free_func(g_free);
    f->bridges = g_ptr_array_new_with_free_func(g_free);
    f->domains = g_ptr_array_new_with_free_func(g_free);
    f->macs = g_ptr_array_new_with_free_func(g_free);
    return f;
}

void
vd_host_facts_free(struct vd_host_facts *f)
{
    if (!f)
        return;
    g_free(f->uri);
    g_free(f->arch);
    g_free(f->default_machine);
    g_ptr_array_unref(f->virt_types);
    g_ptr_array_unref(f->machines);
    g_ptr_array_unref(f->pools);
    g_ptr_array_unref(f->networks);
    g_ptr_array_unref(f->inactive_networks);
    g_ptr_array_unref(f->bridges);
    g_ptr_array_unref(f->domains);
    g_ptr_array_unref(f->macs);
    g_free(f);
}

struct vd_fact_vol *
vd_fact_vol_new(void)
{
    return g_new0(struct vd_fact_vol, 1);
}

struct vd_fact_pool *
vd_fact_pool_new(void)
{
    struct vd_fact_pool *p = g_new0(struct vd_fact_pool, 1);
    p->volumes = g_ptr_array_new_with_free_func((GDestroyNotify)fact_vol_free);
    return p;
}

const struct vd_fact_pool *
vd_host_facts_pool(const struct vd_host_facts *f, const char *name)
{
    for (guint i = 0; f && name && i < f->pools->len; i++) {
        const struct vd_fact_pool *p = f->pools->pdata[i];
        if (g_str_equal(p->name, name))
            return p;
    }
    return NULL;
}

const struct vd_fact_vol *
vd_fact_pool_vol(const struct vd_fact_pool *p, const char *name)
{
    for (guint i = 0; p && name && i < p->volumes->len; i++) {
        const struct vd_fact_vol *v = p->volumes->pdata[i];
        if (g_str_equal(v->name, name))
            return v;
    }
    return NULL;
}

static bool
str_in(GPtrArray *a, const char *s)
{
    for (guint i = 0; a && s && i < a->len; i++)
        if (g_str_equal(a->pdata[i], s))
            return true;
    return false;
}

bool
vd_host_facts_has_domain(const struct vd_host_facts *f, const char *name)
{
    return f && str_in(f->domains, name);
}

/* ---- plan ---- */

struct vd_plan_vm *
vd_plan_vm_new(void)
{
    struct vd_plan_vm *p = g_new0(struct vd_plan_vm, 1);

    p->install = VD_INSTALL_NONE;
    p->vcpus = 1;
    p->cpu_mode = VD_CPU_DEFAULT;
    p->memory_mib = 1024;
    p->disk = VD_DISK_NEW;
    p->disk_size_mib = 10 * 1024;
    p->disk_format = VD_FMT_QCOW2;
    p->disk_bus = VD_BUS_VIRTIO;
    p->net = VD_NET_NETWORK;
    p->nic_model = VD_NIC_VIRTIO;
    p->vnc = true;
    p->serial = true;
    p->start = true;
    vd_plan_vm_default_boot(p);
    return p;
}

#define STR_FIELDS(X)                                                          \
    X(name) X(virt_type) X(arch) X(machine) X(os_id) X(iso_pool) X(iso_volume) \
    X(iso_path) X(url) X(kernel) X(initrd) X(cmdline) X(disk_pool)             \
    X(disk_volume) X(net_source) X(mac)

struct vd_plan_vm *
vd_plan_vm_copy(const struct vd_plan_vm *p)
{
    struct vd_plan_vm *c = g_new(struct vd_plan_vm, 1);

    *c = *p;
#define DUP(f) c->f = g_strdup(p->f);
    STR_FIELDS(DUP)
#undef DUP
    return c;
}

void
vd_plan_vm_free(struct vd_plan_vm *p)
{
    if (!p)
        return;
#define FREE(f) g_free(p->f);
    STR_FIELDS(FREE)
#undef FREE
    g_free(p);
}

static bool
empty(const char *s)
{
    return !s || !*s;
}

void
vd_plan_vm_default_boot(struct vd_plan_vm *p)
{
    guint n = 0;

    memset(p->boot, 0, sizeof p->boot);
    switch (p->install) {
    case VD_INSTALL_ISO_VOLUME:
    case VD_INSTALL_ISO_PATH:
        p->boot[n++] = VD_BOOT_CDROM;
        break;
    case VD_INSTALL_PXE:
        p->boot[n++] = VD_BOOT_NETWORK;
        break;
    default:
        break;
    }
    p->boot[n++] = VD_BOOT_HD;
}

static void
set_str(char **dst, const char *v)
{
    g_free(*dst);
    *dst = g_strdup(v);
}

void
vd_plan_vm_apply_defaults(struct vd_plan_vm *p, const struct vd_host_facts *f)
{
    if (empty(p->arch))
        set_str(&p->arch, f && f->arch ? f->arch : "x86_64");
    if (!f)
        return;
    if (empty(p->virt_type) && f->virt_types->len)
        set_str(&p->virt_type, f->virt_types->pdata[0]);
    if (empty(p->machine) && f->machines->len)
        set_str(&p->machine, f->machines->pdata[0]);
    if (p->net == VD_NET_NETWORK && empty(p->net_source)) {
        if (str_in(f->networks, "default"))
            set_str(&p->net_source, "default");
        else if (f->networks->len)
            set_str(&p->net_source, f->networks->pdata[0]);
    }
    if (p->net == VD_NET_BRIDGE && empty(p->net_source) && f->bridges->len)
        set_str(&p->net_source, f->bridges->pdata[0]);
    if (p->disk == VD_DISK_NEW && empty(p->disk_pool)) {
        if (vd_host_facts_pool(f, "default"))
            set_str(&p->disk_pool, "default");
        else if (f->pools->len)
            set_str(&p->disk_pool, ((struct vd_fact_pool *)f->pools->pdata[0])->name);
    }
}

char *
vd_plan_vm_volume_name(const struct vd_plan_vm *p)
{
    if (!empty(p->disk_volume))
        return g_strdup(p->disk_volume);
    return g_strdup_printf("%s.%s", p->name ? p->name : "",
                           p->disk_format == VD_FMT_RAW ? "img" : "qcow2");
}

char *
vd_plan_mac_canonical(const char *mac)
{
    unsigned int b[6];
    char tail;

    if (!mac || sscanf(mac, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
                       &tail) != 6 || strlen(mac) != 17)
        return NULL;
    for (int i = 0; i < 6; i++)
        if (!g_ascii_isxdigit(mac[i * 3]) || !g_ascii_isxdigit(mac[i * 3 + 1]))
            return NULL;
    return g_strdup_printf("%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
}

void
vd_plan_vm_fill_mac(struct vd_plan_vm *p, const struct vd_host_facts *f)
{
    if (!empty(p->mac) || p->net == VD_NET_NONE)
        return;
    for (;;) {
        char *m = g_strdup_printf("52:54:00:%02x:%02x:%02x", g_random_int_range(0, 256),
                                  g_random_int_range(0, 256), g_random_int_range(0, 256));
        if (!f || !str_in(f->macs, m)) {
            g_free(p->mac);
            p->mac = m;
            return;
        }
        g_free(m);
    }
}

/* ---- validation ---- */

void
vd_plan_error_free(struct vd_plan_error *e)
{
    if (!e)
        return;
    g_free(e->field);
    g_free(e->message);
    g_free(e);
}

GPtrArray *
vd_plan_errors_new(void)
{
    return g_ptr_array_new_with_free_func((GDestroyNotify)vd_plan_error_free);
}

void
vd_plan_add_error(GPtrArray *errors, bool warning, const char *field, const char *fmt, ...)
{
    struct vd_plan_error *e = g_new0(struct vd_plan_error, 1);
    va_list ap;

    va_start(ap, fmt);
    e->message = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    e->field = g_strdup(field);
    e->warning = warning;
    g_ptr_array_add(errors, e);
}
#define ERR(field, ...) vd_plan_add_error(errors, false, field, __VA_ARGS__)
#define WARN(field, ...) vd_plan_add_error(errors, true, field, __VA_ARGS__)

const struct vd_plan_error *
vd_plan_errors_find(GPtrArray *errors, const char *field)
{
    const struct vd_plan_error *w = NULL;

    for (guint i = 0; errors && i < errors->len; i++) {
        const struct vd_plan_error *e = errors->pdata[i];
        if (!g_str_equal(e->field, field))
            continue;
        if (!e->warning)
            return e;
        if (!w)
            w = e;
    }
    return w;
}

char *
vd_plan_errors_text(GPtrArray *errors)
{
    GString *s = g_string_new(NULL);

    for (guint i = 0; i < errors->len; i++) {
        const struct vd_plan_error *e = errors->pdata[i];
        if (e->warning)
            continue;
        if (s->len)
            g_string_append(s, "; ");
        g_string_append_printf(s, "%s: %s", e->field, e->message);
    }
    return g_string_free(s, FALSE);
}

bool
vd_plan_name_valid(const char *name, char **why)
{
    if (empty(name)) {
        *why = g_strdup(_("A name is needed"));
        return false;
    }
    if (strlen(name) > 64) {
        *why = g_strdup(_("At most 64 characters"));
        return false;
    }
    if (name[0] == '.' || name[0] == '-') {
        *why = g_strdup(_("The name cannot start with '.' or '-'"));
        return false;
    }
    for (const char *c = name; *c; c++) {
        if (!g_ascii_isalnum(*c) && !strchr("-_.+", *c)) {
            *why = g_strdup(_("Only letters, digits and - _ . + are allowed"));
            return false;
        }
    }
    return true;
}

static bool
path_is_volume(const struct vd_host_facts *f, const char *path)
{
    for (guint i = 0; f && i < f->pools->len; i++) {
        const struct vd_fact_pool *p = f->pools->pdata[i];
        for (guint j = 0; j < p->volumes->len; j++)
            if (g_strcmp0(((struct vd_fact_vol *)p->volumes->pdata[j])->path, path) == 0)
                return true;
    }
    return false;
}

/* A path on the host: absolute; when the host is this machine, it exists. */
static void
check_host_file(const struct vd_host_facts *f, GPtrArray *errors, const char *field,
                const char *path)
{
    if (empty(path)) {
        ERR(field, "%s", _("A path on the host is needed"));
        return;
    }
    if (!g_path_is_absolute(path)) {
        ERR(field, "%s", _("The path must be absolute (start with /)"));
        return;
    }
    if (f && f->local && !path_is_volume(f, path) && !g_file_test(path, G_FILE_TEST_IS_REGULAR))
        ERR(field, _("No such file on the host: %s"), path);
}

static void
check_volume(const struct vd_host_facts *f, GPtrArray *errors, const char *field,
             const char *pool, const char *vol)
{
    const struct vd_fact_pool *fp;

    if (empty(pool) || empty(vol)) {
        ERR(field, "%s", _("Choose a pool and a volume"));
        return;
    }
    if (!f)
        return;
    fp = vd_host_facts_pool(f, pool);
    if (!fp)
        ERR(field, _("No pool named %s on this host"), pool);
    else if (!fp->active)
        ERR(field, _("Pool %s is not active"), pool);
    else if (!vd_fact_pool_vol(fp, vol))
        ERR(field, _("No volume %1$s in pool %2$s"), vol, pool);
}

static void
check_install(const struct vd_plan_vm *p, const struct vd_host_facts *f, GPtrArray *errors)
{
    switch (p->install) {
    case VD_INSTALL_ISO_VOLUME:
        check_volume(f, errors, "iso", p->iso_pool, p->iso_volume);
        break;
    case VD_INSTALL_ISO_PATH:
        check_host_file(f, errors, "iso", p->iso_path);
        break;
    case VD_INSTALL_URL: {
        g_autofree char *why = NULL;
        if (!vd_fetch_url_supported(p->url, &why))
            ERR("url", "%s", why);
        /* optional overrides: a path in the tree, a URL, or a file on the host */
        if (!empty(p->kernel) && g_path_is_absolute(p->kernel))
            check_host_file(f, errors, "kernel", p->kernel);
        if (!empty(p->initrd) && g_path_is_absolute(p->initrd))
            check_host_file(f, errors, "initrd", p->initrd);
        if (!p->start)
            ERR("install", "%s", _("A network install starts the machine at once: its kernel is only kept "
                                   "for the first boot (use Create and start)"));
        break;
    }
    case VD_INSTALL_PXE:
        if (p->net == VD_NET_NONE)
            ERR("install", "%s", _("PXE boot needs a network interface"));
        break;
    case VD_INSTALL_IMPORT:
        if (p->disk != VD_DISK_EXISTING)
            ERR("install", "%s", _("Importing a disk needs an existing volume (storage step)"));
        break;
    default:
        break;
    }
}

static bool
is_q35(const struct vd_plan_vm *p)
{
    return p->machine && strstr(p->machine, "q35");
}

static void
check_cpu_memory(const struct vd_plan_vm *p, const struct vd_host_facts *f, GPtrArray *errors)
{
    guint64 max = p->max_memory_mib ? p->max_memory_mib : p->memory_mib;

    if (p->vcpus < 1)
        ERR("vcpus", "%s", _("At least 1 vCPU"));
    else if (f && f->cpus && p->vcpus > f->cpus)
        ERR("vcpus", _("The host has %u CPUs"), f->cpus);
    else if (f && f->max_vcpus && p->vcpus > f->max_vcpus)
        ERR("vcpus", _("This machine type takes at most %u vCPUs"), f->max_vcpus);
    if (f && !f->cpu_modes[p->cpu_mode])
        ERR("cpu-mode", _("CPU mode %s is not offered by this host"), vd_cpu_mode_id(p->cpu_mode));
    if (p->memory_mib < 16)
        ERR("memory", "%s", _("At least 16 MiB"));
    if (max < p->memory_mib)
        ERR("max-memory", "%s", _("The maximum cannot be below the current memory"));
    if (f && f->mem_kib && MAX(max, p->memory_mib) * 1024 > f->mem_kib) {
        g_autofree char *h = vd_format_kib(f->mem_kib);
        ERR(p->memory_mib * 1024 > f->mem_kib ? "memory" : "max-memory", _("The host has %s of memory"), h);
    } else if (f && f->free_kib && p->memory_mib * 1024 > f->free_kib) {
        g_autofree char *h = vd_format_kib(f->free_kib);
        WARN("memory", _("Only %s free on the host now"), h);
    }
    if (p->firmware != VD_FW_BIOS && f && !f->uefi)
        ERR("firmware", "%s", _("This host offers no UEFI firmware (install OVMF)"));
    else if (p->firmware == VD_FW_UEFI_SECURE && f && !f->uefi_secure)
        ERR("firmware", "%s", _("This host offers no Secure Boot firmware"));
    else if (p->firmware == VD_FW_UEFI_SECURE && !is_q35(p))
        ERR("firmware", "%s", _("Secure Boot needs a q35 machine (SMM)"));
    else if (p->firmware == VD_FW_UEFI_SECURE && p->install == VD_INSTALL_URL)
        /* the firmware boots the downloaded kernel itself, without the
         * distribution's shim: Secure Boot refuses it */
        ERR("firmware", "%s", _("A network install boots its kernel without shim, which Secure Boot refuses: "
                                "choose UEFI, or install from a CD image"));
    if (f && !empty(p->machine) && f->machines->len && !str_in(f->machines, p->machine))
        ERR("machine", _("Machine type %s is not offered by this host"), p->machine);
    if (f && !empty(p->virt_type) && f->virt_types->len && !str_in(f->virt_types, p->virt_type))
        ERR("virt-type", _("Domain type %s is not offered by this host"), p->virt_type);
}

static struct vd_vol_plan
vol_plan(const struct vd_plan_vm *p, const char *name)
{
    struct vd_vol_plan vp = {
        .name = name,
        .format = p->disk_format == VD_FMT_RAW ? VD_VOL_RAW : VD_VOL_QCOW2,
        .capacity = p->disk_size_mib * 1024 * 1024,
        .prealloc = p->prealloc,
    };
    return vp;
}

static void
check_new_disk(const struct vd_plan_vm *p, const struct vd_host_facts *f, GPtrArray *errors)
{
    g_autofree char *vol = vd_plan_vm_volume_name(p);
    g_autofree char *why = NULL;
    const struct vd_fact_pool *fp = vd_host_facts_pool(f, p->disk_pool);
    guint64 bytes = p->disk_size_mib * 1024 * 1024;

    if (p->disk_size_mib == 0)
        ERR("disk-size", "%s", _("The size must be above 0"));
    if (!vd_plan_name_valid(vol, &why)) {
        ERR("disk-volume", "%s", why);
    } else if (p->disk_size_mib) {
        struct vd_vol_plan vp = vol_plan(p, vol);
        g_autofree char *e = vd_vol_plan_check(&vp);
        if (e)
            ERR("prealloc", "%s", e);
    }
    if (empty(p->disk_pool)) {
        ERR("disk-pool", "%s", _("Choose a pool"));
        return;
    }
    if (!f)
        return;
    if (!fp) {
        ERR("disk-pool", _("No pool named %s on this host"), p->disk_pool);
    } else if (!fp->active) {
        ERR("disk-pool", _("Pool %s is not active"), p->disk_pool);
    } else {
        g_autofree char *free_s = vd_format_kib(fp->available / 1024);
        if (vd_fact_pool_vol(fp, vol))
            ERR("disk-volume", _("Pool %1$s already has a volume %2$s"), p->disk_pool, vol);
        if (bytes > fp->available && (p->prealloc == VD_PREALLOC_FALLOC || p->prealloc == VD_PREALLOC_FULL))
            ERR("disk-size", _("Only %1$s free in pool %2$s"), free_s, p->disk_pool);
        else if (bytes > fp->available)
            WARN("disk-size", _("Only %1$s free in pool %2$s: the sparse volume may fill it"),
                 free_s, p->disk_pool);
    }
}

static void
check_storage(const struct vd_plan_vm *p, const struct vd_host_facts *f, GPtrArray *errors)
{
    if (p->disk == VD_DISK_NEW)
        check_new_disk(p, f, errors);
    else if (p->disk == VD_DISK_EXISTING)
        check_volume(f, errors, "disk-volume", p->disk_pool, p->disk_volume);
    if (p->disk != VD_DISK_NONE && p->disk_bus == VD_BUS_IDE && is_q35(p))
        ERR("disk-bus", "%s", _("q35 machines have no IDE bus: use SATA"));
    if (p->disk != VD_DISK_NONE && p->disk_bus == VD_BUS_SCSI && f && !f->virtio_scsi)
        ERR("disk-bus", "%s", _("This host offers no SCSI controller"));
}

static void
check_network(const struct vd_plan_vm *p, const struct vd_host_facts *f, GPtrArray *errors)
{
    g_autofree char *mac = NULL;

    if (p->net == VD_NET_NONE)
        return;
    if (empty(p->net_source)) {
        ERR("net-source", "%s", p->net == VD_NET_BRIDGE ? _("Choose a bridge") : _("Choose a network"));
    } else if (f && p->net == VD_NET_NETWORK && !str_in(f->networks, p->net_source)) {
        if (str_in(f->inactive_networks, p->net_source))
            ERR("net-source", _("Network %s is not active"), p->net_source);
        else
            ERR("net-source", _("No network named %s on this host"), p->net_source);
    } else if (f && p->net == VD_NET_BRIDGE && !str_in(f->bridges, p->net_source)) {
        ERR("net-source", _("No bridge named %s on this host"), p->net_source);
    }
    if (empty(p->mac))
        return;
    mac = vd_plan_mac_canonical(p->mac);
    if (!mac)
        ERR("mac", "%s", _("Six hexadecimal pairs separated by colons, like 52:54:00:12:34:56"));
    else if (strtoul(mac, NULL, 16) & 1)
        ERR("mac", "%s", _("This is a multicast address: the first byte must be even"));
    else if (f && str_in(f->macs, mac))
        ERR("mac", _("%s is already used on this host"), mac);
}

static void
check_boot(const struct vd_plan_vm *p, GPtrArray *errors)
{
    bool cdrom = p->install == VD_INSTALL_ISO_VOLUME || p->install == VD_INSTALL_ISO_PATH;

    if (!p->vnc && !p->serial)
        ERR("console", "%s", _("Choose VNC, a serial console or both"));
    if (p->boot[0] == VD_BOOT_NONE)
        ERR("boot", "%s", _("Choose at least one boot device"));
    for (guint i = 0; i < VD_PLAN_BOOT_MAX && p->boot[i] != VD_BOOT_NONE; i++) {
        if (p->boot[i] == VD_BOOT_CDROM && !cdrom)
            ERR("boot", "%s", _("Boot from CD-ROM needs a CD image (install step)"));
        else if (p->boot[i] == VD_BOOT_HD && p->disk == VD_DISK_NONE)
            ERR("boot", "%s", _("Boot from disk needs a disk"));
        else if (p->boot[i] == VD_BOOT_NETWORK && p->net == VD_NET_NONE)
            ERR("boot", "%s", _("Network boot needs a network interface"));
    }
}

static void
check_os(const struct vd_plan_vm *p, GPtrArray *errors)
{
    g_autoptr(vd_os) os = NULL;

    if (empty(p->os_id))
        return;
    os = vd_osinfo_lookup(p->os_id, p->arch);
    if (!os) {
        ERR("os", _("Unknown OS %s (see the OS search)"), p->os_id);
        return;
    }
    if (os->min_ram_mib && p->memory_mib < os->min_ram_mib)
        WARN("memory", _("%1$s needs at least %2$llu MiB"), os->name, (unsigned long long)os->min_ram_mib);
    if (os->min_disk_mib && p->disk == VD_DISK_NEW && p->disk_size_mib < os->min_disk_mib)
        WARN("disk-size", _("%1$s needs at least %2$llu MiB"), os->name,
             (unsigned long long)os->min_disk_mib);
    if (!os->virtio && p->disk != VD_DISK_NONE && p->disk_bus == VD_BUS_VIRTIO)
        WARN("disk-bus", _("%s has no virtio drivers: choose SATA"), os->name);
}

bool
vd_plan_vm_validate(const struct vd_plan_vm *p, const struct vd_host_facts *f, GPtrArray *errors)
{
    g_autofree char *why = NULL;

    if (!vd_plan_name_valid(p->name, &why))
        ERR("name", "%s", why);
    else if (vd_host_facts_has_domain(f, p->name))
        ERR("name", _("A domain named %s already exists on this host"), p->name);
    check_install(p, f, errors);
    check_os(p, errors);
    check_cpu_memory(p, f, errors);
    check_storage(p, f, errors);
    check_network(p, f, errors);
    check_boot(p, errors);
    for (guint i = 0; i < errors->len; i++)
        if (!((struct vd_plan_error *)errors->pdata[i])->warning)
            return false;
    return true;
}

/* ---- XML ---- */

static xmlNodePtr
child(xmlNodePtr parent, const char *name, const char *text)
{
    return xmlNewTextChild(parent, NULL, BAD_CAST name, text ? BAD_CAST text : NULL);
}

static void
prop(xmlNodePtr n, const char *name, const char *value)
{
    xmlNewProp(n, BAD_CAST name, BAD_CAST value);
}

static xmlNodePtr
child_u64(xmlNodePtr parent, const char *name, guint64 v, const char *unit)
{
    char buf[32];
    xmlNodePtr n;

    g_snprintf(buf, sizeof buf, "%" G_GUINT64_FORMAT, v);
    n = child(parent, name, buf);
    if (unit)
        prop(n, "unit", unit);
    return n;
}

static char *
doc_string(xmlDocPtr doc)
{
    xmlChar *buf = NULL;
    int len = 0;
    char *out;

    xmlDocDumpFormatMemoryEnc(doc, &buf, &len, "UTF-8", 1);
    /* drop the <?xml ...?> declaration: libvirt does not want it */
    out = g_strdup(buf && strncmp((char *)buf, "<?xml", 5) == 0 && strchr((char *)buf, '\n')
                       ? strchr((char *)buf, '\n') + 1 : (char *)buf);
    xmlFree(buf);
    return out;
}

static const char *
disk_prefix(enum vd_disk_bus bus)
{
    switch (bus) {
    case VD_BUS_VIRTIO: return "vd";
    case VD_BUS_IDE: return "hd";
    default: return "sd";
    }
}

static void
add_disk(xmlNodePtr devs, const struct vd_plan_vm *p, const struct vd_host_facts *f)
{
    xmlNodePtr disk, drv, src, tgt;
    g_autofree char *vol = p->disk == VD_DISK_NEW ? vd_plan_vm_volume_name(p) : g_strdup(p->disk_volume);
    g_autofree char *dev = g_strdup_printf("%sa", disk_prefix(p->disk_bus));
    const char *fmt = vd_disk_format_id(p->disk_format);

    if (p->disk == VD_DISK_EXISTING) {
        const struct vd_fact_vol *v = vd_fact_pool_vol(vd_host_facts_pool(f, p->disk_pool), vol);
        fmt = v && g_strcmp0(v->format, "qcow2") == 0 ? "qcow2" : "raw";
    }
    disk = child(devs, "disk", NULL);
    prop(disk, "type", "volume");
    prop(disk, "device", "disk");
    drv = child(disk, "driver", NULL);
    prop(drv, "name", "qemu");
    prop(drv, "type", fmt);
    if (p->cache != VD_CACHE_DEFAULT)
        prop(drv, "cache", vd_cache_id(p->cache));
    src = child(disk, "source", NULL);
    prop(src, "pool", p->disk_pool ? p->disk_pool : "");
    prop(src, "volume", vol ? vol : "");
    tgt = child(disk, "target", NULL);
    prop(tgt, "dev", dev);
    prop(tgt, "bus", vd_disk_bus_id(p->disk_bus));
    if (p->disk_bus == VD_BUS_SCSI) {
        xmlNodePtr c = child(devs, "controller", NULL);
        prop(c, "type", "scsi");
        prop(c, "index", "0");
        prop(c, "model", "virtio-scsi");
    }
}

static void
add_cdrom(xmlNodePtr devs, const struct vd_plan_vm *p)
{
    xmlNodePtr disk, drv, src, tgt;
    bool sata = is_q35(p);
    bool sd_used = p->disk != VD_DISK_NONE && (p->disk_bus == VD_BUS_SATA || p->disk_bus == VD_BUS_SCSI);

    disk = child(devs, "disk", NULL);
    prop(disk, "type", p->install == VD_INSTALL_ISO_VOLUME ? "volume" : "file");
    prop(disk, "device", "cdrom");
    drv = child(disk, "driver", NULL);
    prop(drv, "name", "qemu");
    prop(drv, "type", "raw");
    src = child(disk, "source", NULL);
    if (p->install == VD_INSTALL_ISO_VOLUME) {
        prop(src, "pool", p->iso_pool ? p->iso_pool : "");
        prop(src, "volume", p->iso_volume ? p->iso_volume : "");
    } else {
        prop(src, "file", p->iso_path ? p->iso_path : "");
    }
    tgt = child(disk, "target", NULL);
    prop(tgt, "dev", sata ? (sd_used ? "sdb" : "sda") : "hdc");
    prop(tgt, "bus", sata ? "sata" : "ide");
    child(disk, "readonly", NULL);
}

static void
add_nic(xmlNodePtr devs, const struct vd_plan_vm *p)
{
    xmlNodePtr nic = child(devs, "interface", NULL), n;
    g_autofree char *mac = vd_plan_mac_canonical(p->mac);

    prop(nic, "type", p->net == VD_NET_BRIDGE ? "bridge" : "network");
    n = child(nic, "source", NULL);
    prop(n, p->net == VD_NET_BRIDGE ? "bridge" : "network", p->net_source ? p->net_source : "");
    if (mac)
        prop(child(nic, "mac", NULL), "address", mac);
    prop(child(nic, "model", NULL), "type", vd_nic_model_id(p->nic_model));
}

static void
add_consoles(xmlNodePtr devs, const struct vd_plan_vm *p)
{
    if (p->serial) {
        xmlNodePtr s = child(devs, "serial", NULL), c;
        prop(s, "type", "pty");
        prop(child(s, "target", NULL), "port", "0");
        c = child(devs, "console", NULL);
        prop(c, "type", "pty");
        s = child(c, "target", NULL);
        prop(s, "type", "serial");
        prop(s, "port", "0");
    }
    if (p->vnc) {
        xmlNodePtr g = child(devs, "graphics", NULL), l;
        prop(g, "type", "vnc");
        prop(g, "port", "-1");
        prop(g, "autoport", "yes");
        prop(g, "listen", "127.0.0.1");
        l = child(g, "listen", NULL);
        prop(l, "type", "address");
        prop(l, "address", "127.0.0.1");
        prop(child(child(devs, "video", NULL), "model", NULL), "type", "vga");
    }
}

static void
add_os(xmlNodePtr dom, const struct vd_plan_vm *p, const struct vd_host_facts *f)
{
    xmlNodePtr os = child(dom, "os", NULL), type;

    if (p->firmware != VD_FW_BIOS)
        prop(os, "firmware", "efi");
    type = child(os, "type", "hvm");
    prop(type, "arch", p->arch ? p->arch : "x86_64");
    if (!empty(p->machine))
        prop(type, "machine", p->machine);
    if (p->firmware != VD_FW_BIOS && (!f || f->fw_features)) {
        /* libvirt picks the loader and its NVRAM template from the firmware
         * descriptors. Without a feature it prefers, on q35, Secure Boot with
         * Microsoft's keys enrolled, which refuses any unsigned boot loader:
         * plain UEFI says secure-boot no (and needs no SMM); Secure Boot asks
         * for enrolled keys too, and its firmware needs SMM (add_features). */
        bool sb = p->firmware == VD_FW_UEFI_SECURE;
        xmlNodePtr fw = child(os, "firmware", NULL), feat;
        feat = child(fw, "feature", NULL);
        prop(feat, "enabled", sb ? "yes" : "no");
        prop(feat, "name", "secure-boot");
        if (sb) {
            feat = child(fw, "feature", NULL);
            prop(feat, "enabled", "yes");
            prop(feat, "name", "enrolled-keys");
        }
    }
    for (guint i = 0; i < VD_PLAN_BOOT_MAX && p->boot[i] != VD_BOOT_NONE; i++)
        prop(child(os, "boot", NULL), "dev", vd_boot_dev_id(p->boot[i]));
}

char *
vd_plan_vm_domain_xml(const struct vd_plan_vm *p, const struct vd_host_facts *f, char **error)
{
    xmlDocPtr doc;
    xmlNodePtr dom, n, devs;
    guint64 max = p->max_memory_mib ? p->max_memory_mib : p->memory_mib;
    char *out;

    if (empty(p->name)) {
        if (error)
            *error = g_strdup(_("A name is needed"));
        return NULL;
    }
    doc = xmlNewDoc(BAD_CAST "1.0");
    dom = xmlNewNode(NULL, BAD_CAST "domain");
    xmlDocSetRootElement(doc, dom);
    prop(dom, "type", empty(p->virt_type) ? "kvm" : p->virt_type);
    child(dom, "name", p->name);
    if (!empty(p->os_id)) {
        xmlNodePtr meta = child(dom, "metadata", NULL), lo;
        xmlNsPtr ns;
        lo = xmlNewChild(meta, NULL, BAD_CAST "libosinfo", NULL);
        ns = xmlNewNs(lo, BAD_CAST "http://libosinfo.org/xmlns/libvirt/domain/1.0", BAD_CAST "libosinfo");
        xmlSetNs(lo, ns);
        n = xmlNewChild(lo, ns, BAD_CAST "os", NULL);
        prop(n, "id", p->os_id);
    }
    child_u64(dom, "memory", max, "MiB");
    child_u64(dom, "currentMemory", p->memory_mib, "MiB");
    child_u64(dom, "vcpu", p->vcpus, NULL);
    add_os(dom, p, f);
    n = child(dom, "features", NULL);
    child(n, "acpi", NULL);
    child(n, "apic", NULL);
    if (p->firmware == VD_FW_UEFI_SECURE)
        prop(child(n, "smm", NULL), "state", "on");
    if (p->cpu_mode != VD_CPU_DEFAULT)
        prop(child(dom, "cpu", NULL), "mode", vd_cpu_mode_id(p->cpu_mode));
    prop(child(dom, "clock", NULL), "offset", "utc");
    child(dom, "on_poweroff", "destroy");
    child(dom, "on_reboot", "restart");
    child(dom, "on_crash", "destroy");
    devs = child(dom, "devices", NULL);
    if (p->disk != VD_DISK_NONE)
        add_disk(devs, p, f);
    if (p->install == VD_INSTALL_ISO_VOLUME || p->install == VD_INSTALL_ISO_PATH)
        add_cdrom(devs, p);
    if (p->net != VD_NET_NONE)
        add_nic(devs, p);
    add_consoles(devs, p);
    out = doc_string(doc);
    xmlFreeDoc(doc);
    return out;
}

char *
vd_plan_vm_volume_xml(const struct vd_plan_vm *p, unsigned int *flags)
{
    g_autofree char *name = NULL;
    struct vd_vol_plan vp;

    if (p->disk != VD_DISK_NEW)
        return NULL;
    name = vd_plan_vm_volume_name(p);
    vp = vol_plan(p, name);
    if (flags)
        *flags = vd_vol_plan_create_flags(&vp);
    return vd_vol_xml(&vp, NULL);
}

char *
vd_plan_vm_cmdline(const struct vd_plan_vm *p)
{
    GString *cmd = g_string_new(NULL);

    if (!empty(p->url) && p->os_id && (strstr(p->os_id, "fedora") || strstr(p->os_id, "redhat")
                                       || strstr(p->os_id, "centos") || strstr(p->os_id, "rocky")
                                       || strstr(p->os_id, "alma")))
        g_string_append_printf(cmd, "inst.repo=%s", p->url);
    else if (!empty(p->url) && p->os_id && strstr(p->os_id, "suse"))
        g_string_append_printf(cmd, "install=%s", p->url);
    if (!empty(p->cmdline))
        g_string_append_printf(cmd, "%s%s", cmd->len ? " " : "", p->cmdline);
    return g_string_free(cmd, FALSE);
}

char *
vd_plan_vm_install_xml(const char *xml, const char *kernel, const char *initrd, const char *cmdline, char **error)
{
    xmlDocPtr doc = xml ? xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
                                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)
                        : NULL;
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL, os = NULL, n, next;
    char *out;

    for (n = root ? root->children : NULL; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST "os"))
            os = n;
    if (!os) {
        if (error)
            *error = g_strdup(_("The domain XML has no <os> element"));
        xmlFreeDoc(doc);
        return NULL;
    }
    /* what the final XML had is replaced */
    for (n = os->children; n; n = next) {
        next = n->next;
        if (n->type == XML_ELEMENT_NODE
            && (xmlStrEqual(n->name, BAD_CAST "kernel") || xmlStrEqual(n->name, BAD_CAST "initrd")
                || xmlStrEqual(n->name, BAD_CAST "cmdline"))) {
            xmlUnlinkNode(n);
            xmlFreeNode(n);
        }
    }
    child(os, "kernel", kernel);
    child(os, "initrd", initrd);
    if (!empty(cmdline))
        child(os, "cmdline", cmdline);
    /* the installer's reboot ends the install run: the next start boots
     * the final definition (virt-install does the same) */
    {
        bool have = false;
        for (n = root->children; n; n = n->next)
            if (n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST "on_reboot")) {
                xmlNodeSetContent(n, BAD_CAST "destroy");
                have = true;
            }
        /* an edited XML without it would get libvirt's default, restart,
         * and the reboot would start the installer again */
        if (!have)
            child(root, "on_reboot", "destroy");
    }
    out = doc_string(doc);
    xmlFreeDoc(doc);
    return out;
}

/* ---- summary ---- */

static char *
mib_text(guint64 mib)
{
    return vd_format_kib(mib * 1024);
}

char *
vd_plan_vm_summary(const struct vd_plan_vm *p)
{
    GString *s = g_string_new(NULL);
    g_autofree char *mem = mib_text(p->memory_mib);
    g_autofree char *maxm = mib_text(p->max_memory_mib ? p->max_memory_mib : p->memory_mib);
    g_autofree char *size = mib_text(p->disk_size_mib);
    g_autofree char *vol = vd_plan_vm_volume_name(p);

    g_string_append_printf(s, _("Name: %s\n"), p->name ? p->name : "");
    g_string_append_printf(s, _("Type: %1$s %2$s, machine %3$s\n"), p->virt_type ? p->virt_type : "",
                           p->arch ? p->arch : "", p->machine ? p->machine : "");
    if (empty(p->os_id)) {
        g_string_append_printf(s, _("OS: %s\n"), _("not set"));
    } else {
        g_autoptr(vd_os) os = vd_osinfo_lookup(p->os_id, p->arch);
        if (os && os->name)
            /* TRANSLATORS: OS line of the summary: name, short id ("Debian 12 (debian12)") */
            g_string_append_printf(s, _("OS: %1$s (%2$s)\n"), os->name, os->short_id);
        else
            g_string_append_printf(s, _("OS: %s\n"), p->os_id);
    }
    switch (p->install) {
    case VD_INSTALL_ISO_VOLUME:
        g_string_append_printf(s, _("Install: CD image %1$s/%2$s\n"), p->iso_pool, p->iso_volume);
        break;
    case VD_INSTALL_ISO_PATH:
        g_string_append_printf(s, _("Install: CD image %s\n"), p->iso_path);
        break;
    case VD_INSTALL_URL:
        if (empty(p->kernel) && empty(p->initrd))
            g_string_append_printf(s, _("Install: network tree %s (its kernel and initrd are downloaded "
                                        "and uploaded to the host's pool for the first boot)\n"), p->url);
        else
            g_string_append_printf(s, _("Install: network tree %1$s, kernel %2$s, initrd %3$s\n"), p->url,
                                   empty(p->kernel) ? _("from the tree") : p->kernel,
                                   empty(p->initrd) ? _("from the tree") : p->initrd);
        break;
    default:
        g_string_append_printf(s, _("Install: %s\n"), vd_install_label(p->install));
        break;
    }
    g_string_append_printf(s, _("CPU: %1$u vCPUs, mode %2$s; firmware %3$s\n"), p->vcpus,
                           vd_cpu_mode_label(p->cpu_mode), vd_firmware_label(p->firmware));
    g_string_append_printf(s, _("Memory: %1$s (maximum %2$s)\n"), mem, maxm);
    if (p->disk == VD_DISK_NEW)
        g_string_append_printf(s, _("Disk: new %1$s %2$s/%3$s, %4$s, %5$s bus, preallocation %6$s\n"),
                               vd_disk_format_id(p->disk_format), p->disk_pool, vol, size,
                               vd_disk_bus_id(p->disk_bus), vd_prealloc_label(p->prealloc));
    else if (p->disk == VD_DISK_EXISTING)
        g_string_append_printf(s, _("Disk: existing %1$s/%2$s, %3$s bus\n"), p->disk_pool,
                               p->disk_volume, vd_disk_bus_id(p->disk_bus));
    else
        g_string_append_printf(s, "%s\n", _("Disk: none"));
    if (p->net == VD_NET_NONE)
        g_string_append_printf(s, "%s\n", _("Network: none"));
    else
        g_string_append_printf(s, _("Network: %1$s %2$s, %3$s, MAC %4$s\n"), vd_net_kind_label(p->net),
                               p->net_source ? p->net_source : "", vd_nic_model_id(p->nic_model),
                               empty(p->mac) ? _("generated") : p->mac);
    g_string_append_printf(s, _("Console: %s\n"), p->vnc && p->serial ? _("VNC on 127.0.0.1 and serial")
                           : p->vnc ? _("VNC on 127.0.0.1") : p->serial ? _("serial") : _("none"));
    return g_string_free(s, FALSE);
}

/* ---- templates ---- */

#define GROUP "vm"

static void
kf_str(GKeyFile *kf, const char *key, const char *v)
{
    if (!empty(v))
        g_key_file_set_string(kf, GROUP, key, v);
}

char *
vd_plan_vm_to_keyfile(const struct vd_plan_vm *p)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    const char *boot[VD_PLAN_BOOT_MAX + 1] = { 0 };
    guint nb = 0;

    kf_str(kf, "name", p->name);
    kf_str(kf, "virt-type", p->virt_type);
    kf_str(kf, "arch", p->arch);
    kf_str(kf, "machine", p->machine);
    kf_str(kf, "os", p->os_id);
    g_key_file_set_string(kf, GROUP, "install", vd_install_id(p->install));
    kf_str(kf, "iso-pool", p->iso_pool);
    kf_str(kf, "iso-volume", p->iso_volume);
    kf_str(kf, "iso-path", p->iso_path);
    kf_str(kf, "url", p->url);
    kf_str(kf, "kernel", p->kernel);
    kf_str(kf, "initrd", p->initrd);
    kf_str(kf, "cmdline", p->cmdline);
    g_key_file_set_uint64(kf, GROUP, "vcpus", p->vcpus);
    g_key_file_set_string(kf, GROUP, "cpu-mode", vd_cpu_mode_id(p->cpu_mode));
    g_key_file_set_uint64(kf, GROUP, "memory-mib", p->memory_mib);
    if (p->max_memory_mib)
        g_key_file_set_uint64(kf, GROUP, "max-memory-mib", p->max_memory_mib);
    g_key_file_set_string(kf, GROUP, "firmware", vd_firmware_id(p->firmware));
    g_key_file_set_string(kf, GROUP, "disk", vd_disk_mode_id(p->disk));
    kf_str(kf, "disk-pool", p->disk_pool);
    kf_str(kf, "disk-volume", p->disk_volume);
    g_key_file_set_uint64(kf, GROUP, "disk-size-mib", p->disk_size_mib);
    g_key_file_set_string(kf, GROUP, "disk-format", vd_disk_format_id(p->disk_format));
    g_key_file_set_string(kf, GROUP, "preallocation", vd_prealloc_id(p->prealloc));
    g_key_file_set_string(kf, GROUP, "disk-bus", vd_disk_bus_id(p->disk_bus));
    g_key_file_set_string(kf, GROUP, "cache", vd_cache_id(p->cache));
    g_key_file_set_string(kf, GROUP, "net", vd_net_kind_id(p->net));
    kf_str(kf, "net-source", p->net_source);
    g_key_file_set_string(kf, GROUP, "nic-model", vd_nic_model_id(p->nic_model));
    kf_str(kf, "mac", p->mac);
    g_key_file_set_boolean(kf, GROUP, "vnc", p->vnc);
    g_key_file_set_boolean(kf, GROUP, "serial", p->serial);
    for (guint i = 0; i < VD_PLAN_BOOT_MAX && p->boot[i] != VD_BOOT_NONE; i++)
        boot[nb++] = vd_boot_dev_id(p->boot[i]);
    g_key_file_set_string_list(kf, GROUP, "boot", boot, nb);
    g_key_file_set_boolean(kf, GROUP, "start", p->start);
    return g_key_file_to_data(kf, NULL, NULL);
}

/* Read an enum key: missing keeps *v; unknown value is an error. */
static bool
kf_enum(GKeyFile *kf, const char *key, const char *(*fn)(int), int last, int *v, GError **error)
{
    g_autofree char *s = g_key_file_get_string(kf, GROUP, key, NULL);
    int r;

    if (!s)
        return true;
    r = parse_id(fn, last, g_strstrip(s));
    if (r < 0) {
        g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                    _("Unknown value \"%1$s\" for %2$s"), s, key);
        return false;
    }
    *v = r;
    return true;
}

static bool
kf_u64(GKeyFile *kf, const char *key, guint64 *v, GError **error)
{
    GError *e = NULL;
    guint64 r;

    if (!g_key_file_has_key(kf, GROUP, key, NULL))
        return true;
    r = g_key_file_get_uint64(kf, GROUP, key, &e);
    if (e) {
        g_propagate_error(error, e);
        return false;
    }
    *v = r;
    return true;
}

static void
kf_get_str(GKeyFile *kf, const char *key, char **v)
{
    char *s = g_key_file_get_string(kf, GROUP, key, NULL);

    if (s) {
        g_free(*v);
        *v = *g_strstrip(s) ? s : (g_free(s), NULL);
    }
}

static void
kf_get_bool(GKeyFile *kf, const char *key, bool *v)
{
    if (g_key_file_has_key(kf, GROUP, key, NULL))
        *v = g_key_file_get_boolean(kf, GROUP, key, NULL);
}

#define KF_ENUM(key, parser, last, field)                                      \
    do {                                                                       \
        int v_ = (int)(field);                                                 \
        if (!kf_enum(kf, key, parser##_int, last, &v_, error))                 \
            return NULL;                                                       \
        field = v_;                                                            \
    } while (0)

struct vd_plan_vm *
vd_plan_vm_from_keyfile(const char *data, GError **error)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(vd_plan_vm) p = vd_plan_vm_new();
    guint64 vcpus = p->vcpus;
    bool boot_given;

    if (!g_key_file_load_from_data(kf, data, -1, G_KEY_FILE_NONE, error))
        return NULL;
    if (!g_key_file_has_group(kf, GROUP)) {
        g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND,
                    "%s", _("Not a VM template: no [vm] group"));
        return NULL;
    }
    kf_get_str(kf, "name", &p->name);
    kf_get_str(kf, "virt-type", &p->virt_type);
    kf_get_str(kf, "arch", &p->arch);
    kf_get_str(kf, "machine", &p->machine);
    kf_get_str(kf, "os", &p->os_id);
    KF_ENUM("install", install, VD_INSTALL_LAST, p->install);
    kf_get_str(kf, "iso-pool", &p->iso_pool);
    kf_get_str(kf, "iso-volume", &p->iso_volume);
    kf_get_str(kf, "iso-path", &p->iso_path);
    kf_get_str(kf, "url", &p->url);
    kf_get_str(kf, "kernel", &p->kernel);
    kf_get_str(kf, "initrd", &p->initrd);
    kf_get_str(kf, "cmdline", &p->cmdline);
    if (!kf_u64(kf, "vcpus", &vcpus, error) || !kf_u64(kf, "memory-mib", &p->memory_mib, error)
        || !kf_u64(kf, "max-memory-mib", &p->max_memory_mib, error)
        || !kf_u64(kf, "disk-size-mib", &p->disk_size_mib, error))
        return NULL;
    p->vcpus = (guint)MIN(vcpus, G_MAXUINT);
    KF_ENUM("cpu-mode", cpu, VD_CPU_MODE_LAST, p->cpu_mode);
    KF_ENUM("firmware", fw, VD_FW_LAST, p->firmware);
    KF_ENUM("disk", disk_mode, VD_DISK_MODE_LAST, p->disk);
    kf_get_str(kf, "disk-pool", &p->disk_pool);
    kf_get_str(kf, "disk-volume", &p->disk_volume);
    KF_ENUM("disk-format", fmt, VD_FMT_LAST, p->disk_format);
    KF_ENUM("preallocation", prealloc, VD_PREALLOC_LAST, p->prealloc);
    KF_ENUM("disk-bus", bus, VD_BUS_LAST, p->disk_bus);
    KF_ENUM("cache", cache, VD_CACHE_LAST, p->cache);
    KF_ENUM("net", net, VD_NET_KIND_LAST, p->net);
    kf_get_str(kf, "net-source", &p->net_source);
    KF_ENUM("nic-model", nic, VD_NIC_LAST, p->nic_model);
    kf_get_str(kf, "mac", &p->mac);
    kf_get_bool(kf, "vnc", &p->vnc);
    kf_get_bool(kf, "serial", &p->serial);
    kf_get_bool(kf, "start", &p->start);
    boot_given = g_key_file_has_key(kf, GROUP, "boot", NULL);
    if (boot_given) {
        gsize n = 0;
        g_auto(GStrv) list = g_key_file_get_string_list(kf, GROUP, "boot", &n, NULL);
        memset(p->boot, 0, sizeof p->boot);
        for (gsize i = 0, j = 0; list && i < n && j < VD_PLAN_BOOT_MAX; i++) {
            int b = parse_id(boot_int, VD_BOOT_LAST, g_strstrip(list[i]));
            if (b <= 0) {
                g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                            _("Unknown value \"%1$s\" for %2$s"), list[i], "boot");
                return NULL;
            }
            p->boot[j++] = b;
        }
    } else {
        vd_plan_vm_default_boot(p);
    }
    return g_steal_pointer(&p);
}

bool
vd_plan_vm_save(const struct vd_plan_vm *p, const char *path, GError **error)
{
    g_autofree char *data = vd_plan_vm_to_keyfile(p);
    g_autofree char *text = g_strconcat("# virtdeck VM template\n", data, NULL);

    return g_file_set_contents(path, text, -1, error);
}

struct vd_plan_vm *
vd_plan_vm_load(const char *path, GError **error)
{
    g_autofree char *data = NULL;

    if (!g_file_get_contents(path, &data, NULL, error))
        return NULL;
    return vd_plan_vm_from_keyfile(data, error);
}
