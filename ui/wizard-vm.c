/* virtdeck - the new VM wizard: pages over a struct vd_plan_vm
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The wizard is a paged form (ui/dialog.c) over the plan (src/plan-vm.h).
 * The host's facts come from a quick task; every change re-reads the form
 * into the plan and checks it against them, errors show next to their
 * field and a page with errors cannot be left forward. The review page
 * shows the summary and the domain XML; creating runs the transaction of
 * src/create-vm.c as a long task (progress in the status line). On failure
 * the wizard comes back with every answer and libvirt's message. */
#include <config.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "create-vm.h"
#include "fetch.h"
#include "osinfo.h"
#include "plan-vm.h"
#include "util.h"
#include "ui/dialog.h"
#include "ui/term.h"
#include "ui/wizard.h"

enum {
    R_CREATE_START = 1,
    R_CREATE_ONLY,
    R_EDIT,
    R_SAVE,
};

enum { P_HOST = 0, P_INSTALL, P_CPU, P_STORAGE, P_NETWORK, P_CONSOLE, P_REVIEW };

struct wizard {
    gint refs;
    struct ui_app *app;
    guint host;                   /* index in app->hosts */
    struct ui_dialog *d;          /* NULL while closed */
    struct vd_plan_vm *plan;
    struct vd_host_facts *facts;  /* NULL until read */
    guint facts_gen;              /* ignore answers for a host we left */
    char *facts_error;
    char *custom_xml;             /* edited in $EDITOR */
    char *detected;               /* "Detected on the CD image: Debian 12", or why not */
    char *detected_os;            /* short id detection put in the OS field */
    char *saved;                  /* "Template saved as ..." */
    char *tpl_error;              /* the template chosen cannot be read */
    bool loading;                 /* a template is being applied: no OS defaults */
    bool open_console;            /* after "Create and start" */
    GSource *tree_timer;          /* the URL stopped changing: look at the tree */
    GCancellable *tree_cancel;    /* the lookup in progress */
    char *os_auto;                /* the OS field as the tree filled it */
};

static struct wizard *
wiz_ref(struct wizard *w)
{
    g_atomic_int_inc(&w->refs);
    return w;
}

static void
wiz_unref(gpointer p)
{
    struct wizard *w = p;

    if (!g_atomic_int_dec_and_test(&w->refs))
        return;
    vd_plan_vm_free(w->plan);
    vd_host_facts_free(w->facts);
    g_free(w->facts_error);
    g_free(w->custom_xml);
    g_free(w->detected);
    g_free(w->detected_os);
    g_free(w->saved);
    g_free(w->tpl_error);
    g_free(w->os_auto);
    /* the timer holds a reference: it is gone when we get here */
    if (w->tree_timer)
        g_source_unref(w->tree_timer);
    if (w->tree_cancel) {
        g_cancellable_cancel(w->tree_cancel);
        g_object_unref(w->tree_cancel);
    }
    g_free(w);
}

static struct ui_host *
wiz_host(const struct wizard *w)
{
    return w->host < w->app->hosts->len ? g_ptr_array_index(w->app->hosts, w->host) : NULL;
}

/* ---- enum choices ---- */

#define ENUM_LABELS(name, fn, last)                                            \
    static const char **name(void)                                             \
    {                                                                          \
        static const char *l[last + 1];                                        \
        for (int i = 0; i < last; i++)                                         \
            l[i] = fn(i);                                                      \
        return l;                                                              \
    }
ENUM_LABELS(install_labels, vd_install_label, VD_INSTALL_LAST)
ENUM_LABELS(disk_mode_labels, vd_disk_mode_label, VD_DISK_MODE_LAST)
ENUM_LABELS(bus_labels, vd_disk_bus_id, VD_BUS_LAST)
ENUM_LABELS(format_labels, vd_disk_format_id, VD_FMT_LAST)
ENUM_LABELS(prealloc_labels, vd_prealloc_label, VD_PREALLOC_LAST)
ENUM_LABELS(cache_labels, vd_cache_label, VD_CACHE_LAST)
ENUM_LABELS(net_labels, vd_net_kind_label, VD_NET_KIND_LAST)
ENUM_LABELS(nic_labels, vd_nic_model_id, VD_NIC_LAST)
ENUM_LABELS(cpu_labels, vd_cpu_mode_label, VD_CPU_MODE_LAST)
ENUM_LABELS(boot_labels, vd_boot_dev_label, VD_BOOT_LAST)

static guint
choice_of(const struct wizard *w, const char *id)
{
    struct ui_field *f = ui_dialog_field(w->d, id);
    return f ? f->choice : 0;
}

static const char *
text_of(const struct wizard *w, const char *id)
{
    const char *v = ui_dialog_value(w->d, id);
    return v && *v ? v : NULL;
}

static void
set_str(char **dst, const char *v)
{
    g_free(*dst);
    *dst = v && *v ? g_strdup(v) : NULL;
}

static void
set_choices(struct ui_field *f, GPtrArray *items, const char *want)
{
    g_autoptr(GPtrArray) v = g_ptr_array_new();

    for (guint i = 0; items && i < items->len; i++)
        g_ptr_array_add(v, items->pdata[i]);
    g_ptr_array_add(v, NULL);
    ui_field_set_choices(f, (const char *const *)v->pdata, 0);
    if (want)
        ui_field_select(f, want);
}

/* ---- form <-> plan ---- */

static void
form_to_plan(struct wizard *w)
{
    struct vd_plan_vm *p = w->plan;
    guint64 v;

    set_str(&p->name, text_of(w, "name"));
    set_str(&p->virt_type, text_of(w, "virt-type"));
    set_str(&p->machine, text_of(w, "machine"));
    p->install = choice_of(w, "install");
    set_str(&p->iso_pool, text_of(w, "iso-pool"));
    set_str(&p->iso_volume, text_of(w, "iso-volume"));
    set_str(&p->iso_path, text_of(w, "iso"));
    set_str(&p->url, text_of(w, "url"));
    set_str(&p->kernel, text_of(w, "kernel"));
    set_str(&p->initrd, text_of(w, "initrd"));
    set_str(&p->cmdline, text_of(w, "cmdline"));
    {
        const char *os = text_of(w, "os");
        g_autoptr(vd_os) o = os ? vd_osinfo_lookup(os, p->arch) : NULL;
        set_str(&p->os_id, o ? o->id : os);
    }
    p->vcpus = ui_dialog_number(w->d, "vcpus", &v) ? (guint)MIN(v, G_MAXUINT) : 0;
    p->cpu_mode = choice_of(w, "cpu-mode");
    p->memory_mib = ui_dialog_number(w->d, "memory", &v) ? v : 0;
    p->max_memory_mib = ui_dialog_number(w->d, "max-memory", &v) ? v : 0;
    p->firmware = VD_FW_BIOS;
    for (int i = 0; i < VD_FW_LAST; i++)
        if (g_strcmp0(text_of(w, "firmware"), vd_firmware_label(i)) == 0)
            p->firmware = i;
    p->disk = choice_of(w, "disk");
    set_str(&p->disk_pool, text_of(w, "disk-pool"));
    set_str(&p->disk_volume, text_of(w, "disk-volume"));
    p->disk_size_mib = ui_dialog_number(w->d, "disk-size", &v) ? v : 0;
    p->disk_format = choice_of(w, "disk-format");
    p->prealloc = choice_of(w, "prealloc");
    p->disk_bus = choice_of(w, "disk-bus");
    p->cache = choice_of(w, "cache");
    p->net = choice_of(w, "net");
    set_str(&p->net_source, text_of(w, "net-source"));
    p->nic_model = choice_of(w, "nic-model");
    set_str(&p->mac, text_of(w, "mac"));
    p->vnc = ui_dialog_checked(w->d, "vnc");
    w->open_console = ui_dialog_checked(w->d, "open-console");
    p->serial = ui_dialog_checked(w->d, "serial");
    memset(p->boot, 0, sizeof p->boot);
    for (int i = 0, n = 0; i < VD_PLAN_BOOT_MAX; i++) {
        g_autofree char *id = g_strdup_printf("boot%d", i + 1);
        guint b = choice_of(w, id);
        if (b != VD_BOOT_NONE)
            p->boot[n++] = b;
    }
}

/* Facts -> the choices that depend on the host. */
static void
fill_host_choices(struct wizard *w)
{
    const struct vd_host_facts *f = w->facts;
    struct vd_plan_vm *p = w->plan;
    g_autoptr(GPtrArray) pools = g_ptr_array_new();
    g_autoptr(GPtrArray) fw = g_ptr_array_new();
    struct ui_field *fld;

    if (!f)
        return;
    for (guint i = 0; i < f->pools->len; i++) {
        struct vd_fact_pool *fp = f->pools->pdata[i];
        if (fp->active)
            g_ptr_array_add(pools, fp->name);
    }
    set_choices(ui_dialog_field(w->d, "iso-pool"), pools, p->iso_pool ? p->iso_pool : "default");
    set_choices(ui_dialog_field(w->d, "disk-pool"), pools, p->disk_pool);
    set_choices(ui_dialog_field(w->d, "virt-type"), f->virt_types, p->virt_type);
    set_choices(ui_dialog_field(w->d, "machine"), f->machines, p->machine);
    g_ptr_array_add(fw, (gpointer)vd_firmware_label(VD_FW_BIOS));
    /* UEFI only when the domain capabilities offer it (a template may ask
     * for it anyway: then it is there, with the validation's message) */
    if (f->uefi || p->firmware == VD_FW_UEFI)
        g_ptr_array_add(fw, (gpointer)vd_firmware_label(VD_FW_UEFI));
    if (f->uefi_secure || p->firmware == VD_FW_UEFI_SECURE)
        g_ptr_array_add(fw, (gpointer)vd_firmware_label(VD_FW_UEFI_SECURE));
    set_choices(ui_dialog_field(w->d, "firmware"), fw, vd_firmware_label(p->firmware));
    fld = ui_dialog_field(w->d, "net-source");
    set_choices(fld, p->net == VD_NET_BRIDGE ? f->bridges : f->networks, p->net_source);
}

static void
show(struct wizard *w, const char *id, bool on)
{
    struct ui_field *f = ui_dialog_field(w->d, id);
    if (f)
        f->hidden = !on;
}

static void
update_visibility(struct wizard *w)
{
    guint inst = choice_of(w, "install"), disk = choice_of(w, "disk"), net = choice_of(w, "net");

    show(w, "iso-pool", inst == VD_INSTALL_ISO_VOLUME);
    show(w, "iso-volume", inst == VD_INSTALL_ISO_VOLUME);
    show(w, "iso", inst == VD_INSTALL_ISO_PATH);
    show(w, "url", inst == VD_INSTALL_URL);
    show(w, "kernel", inst == VD_INSTALL_URL);
    show(w, "initrd", inst == VD_INSTALL_URL);
    show(w, "cmdline", inst == VD_INSTALL_URL);
    show(w, "disk-pool", disk != VD_DISK_NONE);
    show(w, "disk-volume", disk != VD_DISK_NONE);
    show(w, "disk-size", disk == VD_DISK_NEW);
    show(w, "disk-format", disk == VD_DISK_NEW);
    show(w, "prealloc", disk == VD_DISK_NEW);
    show(w, "disk-bus", disk != VD_DISK_NONE);
    show(w, "cache", disk != VD_DISK_NONE);
    show(w, "net-source", net != VD_NET_NONE);
    show(w, "nic-model", net != VD_NET_NONE);
    show(w, "mac", net != VD_NET_NONE);
}

static void
update_hints(struct wizard *w)
{
    const struct vd_host_facts *f = w->facts;
    g_autoptr(vd_os) os = w->plan->os_id ? vd_osinfo_lookup(w->plan->os_id, w->plan->arch) : NULL;
    struct ui_field *label = ui_dialog_field(w->d, "os-info");

    if (f) {
        g_autofree char *mem = vd_format_kib(f->mem_kib);
        g_autofree char *fr = vd_format_kib(f->free_kib);
        g_autofree char *cpus = g_strdup_printf(ngettext("host: %u CPU", "host: %u CPUs", f->cpus), f->cpus);
        g_autofree char *memh = g_strdup_printf(_("host %1$s, %2$s free"), mem, fr);
        const struct vd_fact_pool *fp = vd_host_facts_pool(f, w->plan->disk_pool);

        ui_field_set_hint(ui_dialog_field(w->d, "vcpus"), cpus);
        ui_field_set_hint(ui_dialog_field(w->d, "memory"), memh);
        ui_field_set_hint(ui_dialog_field(w->d, "max-memory"), _("the most it can grow to"));
        if (fp) {
            g_autofree char *av = vd_format_kib(fp->available / 1024);
            g_autofree char *h = g_strdup_printf(_("%s free"), av);
            ui_field_set_hint(ui_dialog_field(w->d, "disk-pool"), h);
        }
        ui_field_set_hint(ui_dialog_field(w->d, "firmware"),
                          f->uefi ? NULL : _("UEFI: no loader on this host"));
    }
    ui_field_set_hint(ui_dialog_field(w->d, "mac"), _("empty: generated"));
    ui_field_set_hint(ui_dialog_field(w->d, "url"), _("http(s); kernel and initrd are found and downloaded"));
    ui_field_set_hint(ui_dialog_field(w->d, "kernel"), _("empty: from the tree; a path in it, or /host/path"));
    ui_field_set_hint(ui_dialog_field(w->d, "initrd"), _("empty: from the tree; a path in it, or /host/path"));
    ui_field_set_hint(ui_dialog_field(w->d, "os"), _("Enter: search"));
    if (w->plan->disk == VD_DISK_NEW && (!w->plan->disk_volume || !*w->plan->disk_volume)) {
        g_autofree char *vol = vd_plan_vm_volume_name(w->plan);
        /* TRANSLATORS: hint of an empty volume name: the name used then */
        g_autofree char *h = vol ? g_strdup_printf(_("empty: %s"), vol) : NULL;
        ui_field_set_hint(ui_dialog_field(w->d, "disk-volume"), h);
    } else {
        ui_field_set_hint(ui_dialog_field(w->d, "disk-volume"), w->plan->disk == VD_DISK_EXISTING ? _("Enter: choose") : NULL);
    }
    if (!label)
        return;
    ui_field_set_text(ui_dialog_field(w->d, "os-detect"), w->detected ? w->detected : "");
    show(w, "os-detect", w->detected != NULL);
    if (os) {
        g_autofree char *minr = vd_format_kib(os->min_ram_mib * 1024);
        g_autofree char *recr = vd_format_kib(os->rec_ram_mib * 1024);
        g_autofree char *mind = vd_format_kib(os->min_disk_mib * 1024);
        g_autofree char *recd = vd_format_kib(os->rec_disk_mib * 1024);
        /* TRANSLATORS: minimum (recommended) RAM and disk of an OS, its vCPUs, whether it has virtio drivers */
        g_autofree char *t = g_strdup_printf(_("RAM %1$s (%2$s rec.), disk %3$s (%4$s rec.), %5$u vCPUs; virtio %6$s"),
                                             minr, recr, mind, recd, MAX(os->rec_cpus, os->min_cpus),
                                             os->virtio ? _("yes") : _("no"));
        ui_field_set_hint(ui_dialog_field(w->d, "os"), os->name);
        ui_field_set_text(label, t);
    } else {
        ui_field_set_text(label, "");
    }
}

/* Errors of the plan next to their fields. */
static const char *
field_for_error(const struct wizard *w, const char *field)
{
    if (g_str_equal(field, "iso"))
        return w->plan->install == VD_INSTALL_ISO_VOLUME ? "iso-volume" : "iso";
    if (g_str_equal(field, "console"))
        return "vnc";
    if (g_str_equal(field, "boot"))
        return "boot1";
    if (g_str_equal(field, "install"))
        return "install";
    return field;
}

static GPtrArray *
check(struct wizard *w)
{
    GPtrArray *errors = vd_plan_errors_new();

    form_to_plan(w);
    vd_plan_vm_apply_defaults(w->plan, w->facts);
    vd_plan_vm_validate(w->plan, w->facts, errors);
    ui_dialog_clear_errors(w->d);
    for (guint i = errors->len; i-- > 0;) {
        const struct vd_plan_error *e = errors->pdata[i];
        struct ui_field *f = ui_dialog_field(w->d, field_for_error(w, e->field));
        if (f)
            ui_field_set_error(f, e->message, e->warning);
    }
    if (w->tpl_error)
        ui_field_set_error(ui_dialog_field(w->d, "template"), w->tpl_error, false);
    if (!w->facts)
        ui_field_set_error(ui_dialog_field(w->d, "host"),
                           w->facts_error ? w->facts_error : _("Reading what the host offers…"), !w->facts_error);
    else if (!w->facts->virt_types->len)
        ui_field_set_error(ui_dialog_field(w->d, "host"),
                           _("This host runs no virtual machines (for containers press N)"), false);
    return errors;
}

static void
update_review(struct wizard *w)
{
    struct ui_field *view = ui_dialog_field(w->d, "review");
    g_autofree char *summary = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *err = NULL;
    g_autofree char *text = NULL;
    g_autoptr(vd_plan_vm) p = NULL;

    if (!view)
        return;
    p = vd_plan_vm_copy(w->plan);
    summary = vd_plan_vm_summary(p);
    xml = w->custom_xml ? g_strdup(w->custom_xml) : vd_plan_vm_domain_xml(p, w->facts, &err);
    text = g_strdup_printf("%s%s%s\n%s\n%s", w->saved ? w->saved : "", w->saved ? "\n" : "", summary,
                           w->custom_xml ? _("Domain XML (edited; libvirt checks it when defining, before anything is created):")
                                         : _("Domain XML:"),
                           xml ? xml : err);
    ui_field_set_text(view, text);
}

static void
refresh_form(struct wizard *w)
{
    g_autoptr(GPtrArray) e = NULL;

    update_visibility(w);
    e = check(w);
    update_hints(w);
    update_review(w);
    ui_app_queue_redraw(w->app);
}

/* ---- host facts ---- */

struct facts_req {
    struct wizard *w;
    guint gen;
};

static void detect_iso(struct wizard *w);

static void
facts_done(struct vd_conn *c, bool ok, const char *message, gpointer result, gpointer user)
{
    struct facts_req *r = user;
    struct wizard *w = r->w;
    bool current = r->gen == w->facts_gen;

    g_free(r);
    if (!current) {
        /* the user chose another host meanwhile */
    } else if (w->d && ok && result) {
        vd_host_facts_free(w->facts);
        w->facts = result;
        result = NULL;
        g_clear_pointer(&w->facts_error, g_free);
        w->plan->arch = w->plan->arch ? w->plan->arch : g_strdup(w->facts->arch);
        vd_plan_vm_apply_defaults(w->plan, w->facts);
        fill_host_choices(w);
        detect_iso(w);
        refresh_form(w);
    } else if (w->d && !ok) {
        set_str(&w->facts_error, message);
        refresh_form(w);
    }
    if (result)
        vd_host_facts_free(result);
    wiz_unref(w);
}

static void
request_facts(struct wizard *w)
{
    struct ui_host *h = wiz_host(w);
    struct facts_req *r = g_new0(struct facts_req, 1);

    g_clear_pointer(&w->facts, vd_host_facts_free);
    g_clear_pointer(&w->facts_error, g_free);
    r->w = wiz_ref(w);
    r->gen = ++w->facts_gen;
    if (h)
        vd_host_facts_request(h->conn, facts_done, r);
    else
        facts_done(NULL, false, _("No host"), NULL, r);
}

/* ---- pickers ---- */

static int
cmp_str(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

static bool
path_in(GPtrArray *a, const char *s)
{
    for (guint i = 0; i < a->len; i++)
        if (g_str_equal(a->pdata[i], s))
            return true;
    return false;
}

static GPtrArray *
pick_os(struct ui_dialog *d, struct ui_field *f, gpointer user)
{
    struct wizard *w = user;
    g_autoptr(GPtrArray) hits = vd_osinfo_search(f->text->str, w->plan->arch, G_MAXUINT);
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);

    /* short id, then the OS's full name: the popup filters on both */
    for (guint i = 0; i < hits->len; i++) {
        const struct vd_os *o = hits->pdata[i];
        g_ptr_array_add(out, o->name ? g_strdup_printf("%s\t%s", o->short_id, o->name) : g_strdup(o->short_id));
    }
    return out;
}

static GPtrArray *
pick_volume_in(struct wizard *w, const char *pool, bool iso_only)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    const struct vd_fact_pool *fp = vd_host_facts_pool(w->facts, pool);

    for (guint i = 0; fp && i < fp->volumes->len; i++) {
        const struct vd_fact_vol *v = fp->volumes->pdata[i];
        bool iso = g_str_has_suffix(v->name, ".iso") || g_strcmp0(v->format, "iso") == 0;
        if (iso == iso_only)
            g_ptr_array_add(out, g_strdup(v->name));
    }
    return out;
}

static GPtrArray *
pick_iso_volume(struct ui_dialog *d, struct ui_field *f, gpointer user)
{
    struct wizard *w = user;
    return pick_volume_in(w, text_of(w, "iso-pool"), true);
}

static GPtrArray *
pick_disk_volume(struct ui_dialog *d, struct ui_field *f, gpointer user)
{
    struct wizard *w = user;
    if (choice_of(w, "disk") != VD_DISK_EXISTING)
        return NULL;
    return pick_volume_in(w, text_of(w, "disk-pool"), false);
}

/* Paths on the host: its pools' volumes, and on this machine the files of
 * the directory typed so far (a directory ends with /). */
static GPtrArray *
pick_path(struct ui_dialog *d, struct ui_field *f, gpointer user)
{
    struct wizard *w = user;
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    const char *t = f->text->str;
    g_autofree char *dir = NULL;
    g_autoptr(GDir) gd = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *n;

    for (guint i = 0; w->facts && i < w->facts->pools->len; i++) {
        const struct vd_fact_pool *fp = w->facts->pools->pdata[i];
        for (guint j = 0; j < fp->volumes->len; j++) {
            const struct vd_fact_vol *v = fp->volumes->pdata[j];
            if (v->path && g_str_has_prefix(v->path, t))
                g_ptr_array_add(out, g_strdup(v->path));
        }
    }
    if (!w->facts || !w->facts->local)
        return out;
    dir = *t == '/' ? (g_str_has_suffix(t, "/") ? g_strdup(t) : g_path_get_dirname(t)) : g_strdup("/");
    gd = g_dir_open(dir, 0, NULL);
    while (gd && (n = g_dir_read_name(gd))) {
        g_autofree char *full = g_build_filename(dir, n, NULL);
        if (n[0] == '.')
            continue;
        if (g_file_test(full, G_FILE_TEST_IS_DIR))
            g_ptr_array_add(names, g_strconcat(full, "/", NULL));
        else
            g_ptr_array_add(names, g_steal_pointer(&full));
    }
    g_ptr_array_sort(names, cmp_str);
    for (guint i = 0; i < names->len; i++)
        if (!path_in(out, names->pdata[i]))
            g_ptr_array_add(out, g_strdup(names->pdata[i]));
    return out;
}

static char *
templates_dir(void)
{
    return g_build_filename(g_get_user_config_dir(), "virtdeck", "templates", NULL);
}

static GPtrArray *
pick_template(struct ui_dialog *d, struct ui_field *f, gpointer user)
{
    g_autofree char *dir = templates_dir();
    g_autoptr(GDir) gd = g_dir_open(dir, 0, NULL);
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    const char *n;

    while (gd && (n = g_dir_read_name(gd)))
        if (g_str_has_suffix(n, ".vm"))
            g_ptr_array_add(out, g_strndup(n, strlen(n) - 3));
    g_ptr_array_sort(out, cmp_str);
    return out;
}

/* ---- reactions to changes ---- */

/* The OS gives the defaults a new machine should have. */
static void
apply_os_defaults(struct wizard *w, const struct vd_os *os)
{
    const struct vd_host_facts *f = w->facts;
    guint64 ram = os->rec_ram_mib ? os->rec_ram_mib : os->min_ram_mib;
    guint64 disk = os->rec_disk_mib ? os->rec_disk_mib : os->min_disk_mib;
    guint cpus = os->rec_cpus ? os->rec_cpus : os->min_cpus;

    if (ram) {
        if (f && f->mem_kib && ram * 1024 > f->mem_kib / 2)
            ram = MAX(os->min_ram_mib, 256);
        ui_field_set_number(ui_dialog_field(w->d, "memory"), ram);
        ui_field_set_number(ui_dialog_field(w->d, "max-memory"), ram);
    }
    if (disk)
        ui_field_set_number(ui_dialog_field(w->d, "disk-size"), disk);
    if (cpus)
        ui_field_set_number(ui_dialog_field(w->d, "vcpus"), f && f->cpus ? MIN(cpus, f->cpus) : cpus);
    ui_dialog_field(w->d, "disk-bus")->choice = os->virtio ? VD_BUS_VIRTIO : VD_BUS_SATA;
    ui_dialog_field(w->d, "nic-model")->choice = os->virtio ? VD_NIC_VIRTIO : VD_NIC_E1000E;
}

/* The OS field still holds what detection put there: clear it (the image
 * changed, so that OS no longer follows from it). */
static void
forget_detected(struct wizard *w)
{
    struct ui_field *osf = ui_dialog_field(w->d, "os");

    if (w->detected_os && g_str_equal(osf->text->str, w->detected_os)) {
        ui_field_set_text(osf, "");
        osf->cursor = 0;
    }
    g_clear_pointer(&w->detected_os, g_free);
}

/* The CD image chosen on page 2: its path on the host, NULL if none. */
static const char *
iso_path_of(const struct wizard *w)
{
    const struct vd_fact_vol *v;

    switch (choice_of(w, "install")) {
    case VD_INSTALL_ISO_PATH:
        return text_of(w, "iso");
    case VD_INSTALL_ISO_VOLUME:
        v = w->facts ? vd_fact_pool_vol(vd_host_facts_pool(w->facts, text_of(w, "iso-pool")),
                                        text_of(w, "iso-volume"))
                     : NULL;
        return v ? v->path : NULL;
    default:
        return NULL;
    }
}

/* A CD image readable here: ask libosinfo what it is. The OS it finds
 * fills the OS field and, when it changes, the recommended resources. */
static void
detect_iso(struct wizard *w)
{
    const char *path;
    g_autofree char *err = NULL;
    g_autoptr(vd_os) os = NULL;
    struct ui_field *osf = ui_dialog_field(w->d, "os");

    g_clear_pointer(&w->detected, g_free);
    if (!w->facts)
        return;   /* again when they come */
    path = iso_path_of(w);
    if (!path) {
        forget_detected(w);
        return;
    }
    if (!w->facts->local) {
        /* libvirt gives no access to the host's files: nothing to read here */
        w->detected = g_strdup(_("No OS detection: the image is on a remote host; choose the OS (Enter)"));
        forget_detected(w);
        return;
    }
    if (!g_file_test(path, G_FILE_TEST_EXISTS) || g_file_test(path, G_FILE_TEST_IS_DIR))
        return;   /* being typed; the plan's check says what is wrong */
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR) || access(path, R_OK) != 0) {
        g_autofree char *base = g_path_get_basename(path);
        w->detected = g_strdup_printf(_("No OS detection: %s cannot be read here"), base);
        forget_detected(w);
        return;
    }
    os = vd_osinfo_detect(path, w->plan->arch, &err);
    if (!os) {
        w->detected = g_strdup_printf(_("OS not detected: %s"), err);
        forget_detected(w);
        return;
    }
    w->detected = g_strdup_printf(_("Detected on the CD image: %s"), os->name);
    if (g_strcmp0(w->detected_os, os->short_id) == 0 && g_str_equal(osf->text->str, os->short_id))
        return;   /* the same image again: keep what was changed since */
    set_str(&w->detected_os, os->short_id);
    ui_field_set_text(osf, os->short_id);
    osf->cursor = osf->text->len;
    if (!w->loading)
        apply_os_defaults(w, os);
}

/* ---- the install tree of a network install (looked up off the UI thread) ---- */

static void
tree_done(const struct vd_fetch_tree *tree, const char *error, gpointer user)
{
    struct wizard *w = user;
    struct ui_field *osf;
    const char *os;

    if (!w->d)
        return;
    g_clear_pointer(&w->detected, g_free);
    if (!tree) {
        w->detected = g_strdup_printf(_("Install tree: %s"), error);
        refresh_form(w);
        return;
    }
    if (tree->os)
        /* TRANSLATORS: "Install tree: images/pxeboot/vmlinuz (.treeinfo), Fedora 39" */
        w->detected = g_strdup_printf(_("Install tree: %1$s (%2$s), %3$s"), tree->kernel, tree->how, tree->os->name);
    else
        w->detected = g_strdup_printf(_("Install tree: %1$s (%2$s)"), tree->kernel, tree->how);
    /* the OS the tree names, unless the user chose one */
    osf = ui_dialog_field(w->d, "os");
    os = text_of(w, "os");
    if (tree->os && osf && (!os || g_strcmp0(os, w->os_auto) == 0)) {
        ui_field_set_text(osf, tree->os->short_id);
        osf->cursor = osf->text->len;
        g_free(w->os_auto);
        w->os_auto = g_strdup(tree->os->short_id);
        if (!w->loading)
            apply_os_defaults(w, tree->os);
    }
    refresh_form(w);
}

static gboolean
tree_timer_fire(gpointer user)
{
    struct wizard *w = user;
    const char *url, *k, *i;
    g_autofree char *why = NULL;

    if (!w->d || choice_of(w, "install") != VD_INSTALL_URL)
        return G_SOURCE_REMOVE;
    url = text_of(w, "url");
    if (!url || !vd_fetch_url_supported(url, &why)) {
        /* no tree to look at any more: not "Looking…" for ever */
        g_clear_pointer(&w->detected, g_free);
        refresh_form(w);
        return G_SOURCE_REMOVE;
    }
    if (w->tree_cancel) {
        g_cancellable_cancel(w->tree_cancel);
        g_object_unref(w->tree_cancel);
    }
    w->tree_cancel = g_cancellable_new();
    g_free(w->detected);
    w->detected = g_strdup(_("Looking at the install tree…"));
    /* overrides that are paths in the tree count; host paths are not fetched */
    k = text_of(w, "kernel");
    i = text_of(w, "initrd");
    vd_fetch_lookup_async(url, w->plan->arch, w->os_auto || !text_of(w, "os") ? NULL : w->plan->os_id,
                          k && !g_path_is_absolute(k) ? k : NULL, i && !g_path_is_absolute(i) ? i : NULL,
                          w->tree_cancel, tree_done, wiz_ref(w), wiz_unref);
    refresh_form(w);
    return G_SOURCE_REMOVE;
}

/* The URL or an override changed: look again 600 ms after the last change. */
static void
schedule_tree_lookup(struct wizard *w)
{
    if (w->tree_timer) {
        g_source_destroy(w->tree_timer);
        g_source_unref(w->tree_timer);
    }
    if (w->tree_cancel)
        g_cancellable_cancel(w->tree_cancel);
    w->tree_timer = g_timeout_source_new(600);
    g_source_set_callback(w->tree_timer, tree_timer_fire, wiz_ref(w), wiz_unref);
    g_source_attach(w->tree_timer, w->app->ctx);
}

static void
set_boot_fields(struct wizard *w, const enum vd_boot_dev *boot)
{
    for (int i = 0; i < VD_PLAN_BOOT_MAX; i++) {
        g_autofree char *id = g_strdup_printf("boot%d", i + 1);
        ui_dialog_field(w->d, id)->choice = boot[i];
    }
}

static void fill_form(struct wizard *w);

static void
load_template(struct wizard *w, const char *name)
{
    g_autofree char *dir = templates_dir();
    g_autofree char *file = g_strconcat(name, ".vm", NULL);
    g_autofree char *path = g_build_filename(dir, file, NULL);
    g_autoptr(GError) err = NULL;
    struct vd_plan_vm *p;

    g_clear_pointer(&w->tpl_error, g_free);
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
        return;   /* still being typed */
    p = vd_plan_vm_load(path, &err);
    if (!p) {
        w->tpl_error = g_strdup(err->message);
        return;
    }
    /* keep the name typed here when the template has none */
    if (!p->name && w->plan->name)
        p->name = g_strdup(w->plan->name);
    vd_plan_vm_free(w->plan);
    w->plan = p;
    g_clear_pointer(&w->custom_xml, g_free);
    w->loading = true;
    fill_form(w);
    fill_host_choices(w);
    w->loading = false;
}

static void
on_changed(struct ui_dialog *d, struct ui_field *f, gpointer user)
{
    struct wizard *w = user;

    if (!f->id)
        return;
    if (g_str_equal(f->id, "host")) {
        w->host = f->choice;
        request_facts(w);
    } else if (g_str_equal(f->id, "template")) {
        if (f->text->len)
            load_template(w, f->text->str);
    } else if (g_str_equal(f->id, "iso") || g_str_equal(f->id, "iso-volume") || g_str_equal(f->id, "iso-pool")) {
        detect_iso(w);
    } else if (g_str_equal(f->id, "url") || g_str_equal(f->id, "kernel") || g_str_equal(f->id, "initrd")) {
        schedule_tree_lookup(w);
    } else if (g_str_equal(f->id, "os")) {
        g_autoptr(vd_os) os = vd_osinfo_lookup(f->text->str, w->plan->arch);
        if (os)
            apply_os_defaults(w, os);
    } else if (g_str_equal(f->id, "install")) {
        struct vd_plan_vm tmp = { .install = f->choice };
        vd_plan_vm_default_boot(&tmp);
        if (f->choice == VD_INSTALL_IMPORT)
            ui_dialog_field(w->d, "disk")->choice = VD_DISK_EXISTING;
        set_boot_fields(w, tmp.boot);
        detect_iso(w);
        if (f->choice == VD_INSTALL_URL)
            schedule_tree_lookup(w);
    } else if (g_str_equal(f->id, "net")) {
        w->plan->net = f->choice;
        g_clear_pointer(&w->plan->net_source, g_free);
        vd_plan_vm_apply_defaults(w->plan, w->facts);
        if (w->facts)
            set_choices(ui_dialog_field(w->d, "net-source"),
                        f->choice == VD_NET_BRIDGE ? w->facts->bridges : w->facts->networks, w->plan->net_source);
    }
    if (w->custom_xml && !g_str_equal(f->id, "review"))
        g_clear_pointer(&w->custom_xml, g_free);   /* answers changed: the edit no longer applies */
    refresh_form(w);
}

static bool
on_page(struct ui_dialog *d, int from, int to, gpointer user)
{
    struct wizard *w = user;
    g_autoptr(GPtrArray) errors = NULL;
    bool blocked = false;

    if (to < from)
        return true;
    errors = check(w);
    update_hints(w);
    update_review(w);
    for (int page = from; page < to; page++) {
        for (guint i = 0; i < errors->len; i++) {
            const struct vd_plan_error *e = errors->pdata[i];
            struct ui_field *f = ui_dialog_field(d, field_for_error(w, e->field));
            if (!e->warning && f && f->page == page && !f->hidden) {
                blocked = true;
                break;
            }
        }
        if (!blocked && page == P_HOST && !w->facts)
            blocked = true;
        if (blocked) {
            if (page != from)
                ui_dialog_go_page(d, page);
            break;
        }
    }
    ui_dialog_set_error(d, blocked ? _("Correct the answers marked on this page first") : NULL);
    return !blocked;
}

/* ---- the review page's buttons ---- */

static void create_done(struct vd_conn *c, bool ok, const char *message, gpointer result, gpointer user);

static bool
edit_xml(struct wizard *w)
{
    g_autofree char *xml = NULL;
    g_autofree char *err = NULL;
    g_autofree char *path = NULL;
    g_autofree char *edited = NULL;
    g_autoptr(GError) gerr = NULL;
    int fd;

    vd_plan_vm_fill_mac(w->plan, w->facts);
    xml = w->custom_xml ? g_strdup(w->custom_xml) : vd_plan_vm_domain_xml(w->plan, w->facts, &err);
    if (!xml) {
        ui_dialog_set_error(w->d, err);
        return false;
    }
    fd = g_file_open_tmp("virtdeck-XXXXXX.xml", &path, &gerr);
    if (fd < 0 || !g_file_set_contents(path, xml, -1, &gerr)) {
        if (fd >= 0)
            close(fd);
        ui_dialog_set_error(w->d, gerr->message);
        return false;
    }
    close(fd);
    if (!ui_wizard_edit_file(w->app, path, &err)) {
        ui_dialog_set_error(w->d, err);
    } else if (g_file_get_contents(path, &edited, NULL, NULL) && strcmp(edited, xml) != 0) {
        g_free(w->custom_xml);
        w->custom_xml = g_steal_pointer(&edited);
        ui_dialog_set_error(w->d, NULL);
    }
    unlink(path);
    update_review(w);
    return true;
}

static void
save_template(struct wizard *w)
{
    g_autofree char *dir = templates_dir();
    g_autofree char *file = g_strconcat(w->plan->name ? w->plan->name : "vm", ".vm", NULL);
    g_autofree char *path = g_build_filename(dir, file, NULL);
    g_autoptr(GError) err = NULL;
    g_autoptr(vd_plan_vm) p = vd_plan_vm_copy(w->plan);

    /* a template makes new machines: no fixed MAC */
    g_clear_pointer(&p->mac, g_free);
    g_free(w->saved);
    if (g_mkdir_with_parents(dir, 0700) != 0)
        w->saved = g_strdup_printf(_("Cannot create %1$s: %2$s"), dir, g_strerror(errno));
    else if (!vd_plan_vm_save(p, path, &err))
        w->saved = g_strdup(err->message);
    else
        w->saved = g_strdup_printf(_("Template saved as %s"), path);
    update_review(w);
}

static bool
start_create(struct wizard *w, bool start)
{
    g_autoptr(GPtrArray) errors = NULL;
    struct ui_host *h = wiz_host(w);

    /* "Create only" is refused for a network install: checked with it */
    w->plan->start = start;
    errors = check(w);
    w->plan->start = true;

    for (guint i = 0; i < errors->len; i++) {
        const struct vd_plan_error *e = errors->pdata[i];
        if (!e->warning) {
            ui_dialog_focus_field(w->d, field_for_error(w, e->field));
            ui_dialog_set_error(w->d, _("Correct the answers marked on this page first"));
            return false;
        }
    }
    if (!h || !w->facts)
        return false;
    w->plan->start = start;
    vd_create_vm(h->conn, w->plan, w->custom_xml, create_done, wiz_ref(w));
    w->d = NULL;
    return true;
}

static bool
on_done(struct ui_dialog *d, int result, gpointer user)
{
    struct wizard *w = user;

    switch (result) {
    case R_SAVE:
        form_to_plan(w);
        save_template(w);
        return false;
    case R_EDIT:
        form_to_plan(w);
        edit_xml(w);
        return false;
    case R_CREATE_START:
    case R_CREATE_ONLY:
        return start_create(w, result == R_CREATE_START);
    case UI_DIALOG_CANCEL:
        /* a lookup against a silent server must not hold on for its timeouts */
        if (w->tree_cancel)
            g_cancellable_cancel(w->tree_cancel);
        w->d = NULL;
        return true;
    default:
        return false;
    }
}

/* ---- building the form ---- */

static void
nav_buttons(struct ui_dialog *d, bool back)
{
    if (back)
        ui_dialog_add_button(d, _("< Back"), UI_DIALOG_BACK);
    ui_dialog_add_button(d, _("Next >"), UI_DIALOG_NEXT);
}

static struct ui_field *
enum_choice(struct ui_dialog *d, const char *id, const char *label, const char **labels, guint sel)
{
    return ui_dialog_add_choice(d, id, label, labels, sel);
}

static void
build(struct wizard *w)
{
    struct ui_dialog *d = ui_dialog_new(_("New virtual machine"), 78);
    g_autoptr(GPtrArray) hosts = g_ptr_array_new();
    static const char *const empty[] = { "", NULL };
    struct ui_field *f;

    w->d = d;
    for (guint i = 0; i < w->app->hosts->len; i++)
        g_ptr_array_add(hosts, (gpointer)ui_host_label(w->app, g_ptr_array_index(w->app->hosts, i)));
    g_ptr_array_add(hosts, NULL);

    ui_dialog_add_page(d, _("host and name"));
    f = ui_dialog_add_choice(d, "host", _("Host"), (const char *const *)hosts->pdata, w->host);
    f->list = true;
    ui_dialog_add_text(d, "name", _("Name"), NULL);
    ui_dialog_add_text(d, "template", _("From template"), NULL);
    ui_dialog_set_picker(d, "template", pick_template);
    ui_dialog_add_label(d, NULL, _("Letters, digits and - _ . +; unique on the host. Enter on a template: list."));
    nav_buttons(d, false);

    ui_dialog_add_page(d, _("install source and OS"));
    f = enum_choice(d, "install", _("Install from"), install_labels(), 0);
    f->list = true;
    f = ui_dialog_add_choice(d, "iso-pool", _("Pool"), empty, 0);
    f->list = true;
    ui_dialog_add_text(d, "iso-volume", _("CD image"), NULL);
    ui_dialog_set_picker(d, "iso-volume", pick_iso_volume);
    ui_dialog_add_text(d, "iso", _("CD image path"), NULL);
    ui_dialog_set_picker(d, "iso", pick_path);
    ui_dialog_add_text(d, "url", _("Install tree URL"), NULL);
    ui_dialog_add_text(d, "kernel", _("Kernel (advanced)"), NULL);
    ui_dialog_set_picker(d, "kernel", pick_path);
    ui_dialog_add_text(d, "initrd", _("Initrd (advanced)"), NULL);
    ui_dialog_set_picker(d, "initrd", pick_path);
    ui_dialog_add_text(d, "cmdline", _("Kernel arguments"), NULL);
    ui_dialog_add_text(d, "os", _("Operating system"), NULL);
    ui_dialog_set_picker(d, "os", pick_os);
    ui_dialog_add_label(d, "os-detect", "");
    f = ui_dialog_add_label(d, "os-info", "");
    f->slot = VD_C_DIM;
    nav_buttons(d, true);

    ui_dialog_add_page(d, _("CPU, memory, firmware"));
    f = ui_dialog_add_choice(d, "virt-type", _("Domain type"), empty, 0);
    f = ui_dialog_add_choice(d, "machine", _("Machine type"), empty, 0);
    f->list = true;
    ui_dialog_add_number(d, "vcpus", _("vCPUs"), 1, false);
    enum_choice(d, "cpu-mode", _("CPU mode"), cpu_labels(), 0);
    ui_dialog_add_number(d, "memory", _("Memory"), 1024, true);
    ui_dialog_add_number(d, "max-memory", _("Maximum memory"), 1024, true);
    ui_dialog_add_choice(d, "firmware", _("Firmware"), empty, 0);
    ui_dialog_add_label(d, NULL, _("Numbers: g or m switches GiB/MiB."));
    nav_buttons(d, true);

    ui_dialog_add_page(d, _("storage"));
    enum_choice(d, "disk", _("Disk"), disk_mode_labels(), 0);
    f = ui_dialog_add_choice(d, "disk-pool", _("Pool"), empty, 0);
    f->list = true;
    ui_dialog_add_text(d, "disk-volume", _("Volume name"), NULL);
    ui_dialog_set_picker(d, "disk-volume", pick_disk_volume);
    ui_dialog_add_number(d, "disk-size", _("Size"), 10240, true);
    enum_choice(d, "disk-format", _("Format"), format_labels(), 0);
    enum_choice(d, "prealloc", _("Preallocation"), prealloc_labels(), 0);
    enum_choice(d, "disk-bus", _("Bus"), bus_labels(), 0);
    enum_choice(d, "cache", _("Cache"), cache_labels(), 0);
    nav_buttons(d, true);

    ui_dialog_add_page(d, _("network"));
    enum_choice(d, "net", _("Connect to"), net_labels(), 0);
    f = ui_dialog_add_choice(d, "net-source", _("Network/bridge"), empty, 0);
    f->list = true;
    enum_choice(d, "nic-model", _("Model"), nic_labels(), 0);
    ui_dialog_add_text(d, "mac", _("MAC address"), NULL);
    nav_buttons(d, true);

    ui_dialog_add_page(d, _("console and boot"));
    ui_dialog_add_check(d, "vnc", _("VNC graphics on 127.0.0.1"), true);
    ui_dialog_add_check(d, "serial", _("Serial console"), true);
    ui_dialog_add_check(d, "open-console", _("Open the console after starting"), w->open_console);
    enum_choice(d, "boot1", _("Boot first"), boot_labels(), VD_BOOT_HD);
    enum_choice(d, "boot2", _("then"), boot_labels(), 0);
    enum_choice(d, "boot3", _("then"), boot_labels(), 0);
    nav_buttons(d, true);

    ui_dialog_add_page(d, _("review"));
    ui_dialog_add_view(d, "review", NULL, "", 0);
    ui_dialog_add_button(d, _("Create and start"), R_CREATE_START);
    ui_dialog_add_button(d, _("Create only"), R_CREATE_ONLY);
    ui_dialog_add_button(d, _("Edit XML"), R_EDIT);
    ui_dialog_add_button(d, _("Save template"), R_SAVE);

    ui_dialog_set_default(d, UI_DIALOG_NEXT);
    ui_dialog_set_confirm_discard(d, true);
    ui_dialog_set_page_check(d, on_page);
    ui_dialog_set_callbacks(d, on_changed, on_done, wiz_ref(w), wiz_unref);
    ui_dialog_go_page(d, 0);
    fill_form(w);
    fill_host_choices(w);
}

static void
text_field(struct wizard *w, const char *id, const char *v)
{
    struct ui_field *f = ui_dialog_field(w->d, id);
    ui_field_set_text(f, v ? v : "");
    f->cursor = f->text->len;
}

/* Plan -> every field. */
static void
fill_form(struct wizard *w)
{
    const struct vd_plan_vm *p = w->plan;
    g_autoptr(vd_os) os = p->os_id ? vd_osinfo_lookup(p->os_id, p->arch) : NULL;

    text_field(w, "name", p->name);
    ui_dialog_field(w->d, "install")->choice = p->install;
    text_field(w, "iso-volume", p->iso_volume);
    text_field(w, "iso", p->iso_path);
    text_field(w, "url", p->url);
    text_field(w, "kernel", p->kernel);
    text_field(w, "initrd", p->initrd);
    text_field(w, "cmdline", p->cmdline);
    text_field(w, "os", os ? os->short_id : p->os_id);
    ui_field_set_number(ui_dialog_field(w->d, "vcpus"), p->vcpus);
    ui_dialog_field(w->d, "cpu-mode")->choice = p->cpu_mode;
    ui_field_set_number(ui_dialog_field(w->d, "memory"), p->memory_mib);
    ui_field_set_number(ui_dialog_field(w->d, "max-memory"), p->max_memory_mib ? p->max_memory_mib : p->memory_mib);
    ui_dialog_field(w->d, "disk")->choice = p->disk;
    text_field(w, "disk-volume", p->disk_volume);
    ui_field_set_number(ui_dialog_field(w->d, "disk-size"), p->disk_size_mib);
    ui_dialog_field(w->d, "disk-format")->choice = p->disk_format;
    ui_dialog_field(w->d, "prealloc")->choice = p->prealloc;
    ui_dialog_field(w->d, "disk-bus")->choice = p->disk_bus;
    ui_dialog_field(w->d, "cache")->choice = p->cache;
    ui_dialog_field(w->d, "net")->choice = p->net;
    ui_dialog_field(w->d, "nic-model")->choice = p->nic_model;
    text_field(w, "mac", p->mac);
    ui_dialog_field(w->d, "vnc")->checked = p->vnc;
    ui_dialog_field(w->d, "serial")->checked = p->serial;
    set_boot_fields(w, p->boot);
}

/* ---- creation result ---- */

static void
create_done(struct vd_conn *c, bool ok, const char *message, gpointer result, gpointer user)
{
    struct wizard *w = user;
    struct ui_app *app = w->app;

    if (ok) {
        ui_app_set_status(app, VD_C_STATUS_OK, "%s", message);
        if (result)
            ui_wizard_select_later(app, w->host, result, w->plan->start && w->open_console);
    } else {
        ui_app_set_status(app, VD_C_STATUS_ERROR, "%s", message);
        /* back to the review page with every answer and the reason */
        if (!app->dialog && !w->d) {
            build(w);
            refresh_form(w);
            ui_dialog_go_page(w->d, P_REVIEW);
            /* fresh facts show what changed meanwhile next to its field */
            request_facts(w);
            ui_dialog_set_error(w->d, message);
            ui_app_open_dialog(app, w->d);
        }
    }
    ui_app_queue_redraw(app);
    wiz_unref(w);
}

void
ui_wizard_vm_open(struct ui_app *app)
{
    struct wizard *w = g_new0(struct wizard, 1);
    struct ui_host *h = ui_app_host(app);

    if (!h) {
        g_free(w);
        ui_app_set_status(app, VD_C_STATUS_ERROR, "%s", _("Add a host first (F2)"));
        return;
    }
    w->refs = 1;
    w->app = app;
    vd_osinfo_preload();
    w->host = h->index;
    w->plan = vd_plan_vm_new();
    w->open_console = true;
    build(w);
    request_facts(w);
    refresh_form(w);
    ui_dialog_go_page(w->d, 0);
    /* the host is the selected one: start at the name */
    ui_dialog_focus_field(w->d, "name");
    ui_app_open_dialog(app, w->d);
    wiz_unref(w);
}
