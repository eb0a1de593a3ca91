/* virtdeck - the new container wizard (lxc:// hosts)
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Three pages over a struct vd_plan_lxc: the container (host, name, root
 * file system, init), resources and network, review. Same engine, checks
 * and creation flow as the VM wizard: the transaction runs as a long task
 * and on failure the wizard comes back with libvirt's message. */
#include <config.h>

#include <string.h>

#include "i18n.h"
#include "create-lxc.h"
#include "create-vm.h"
#include "plan-lxc.h"
#include "util.h"
#include "ui/dialog.h"
#include "ui/wizard.h"

enum { R_CREATE_START = 1, R_CREATE_ONLY };

struct lxc_wizard {
    gint refs;
    struct ui_app *app;
    guint host;
    GArray *hosts;                /* guint: app host indexes offered (lxc:// ones) */
    struct ui_dialog *d;
    struct vd_plan_lxc *plan;
    struct vd_host_facts *facts;
    char *facts_error;
    guint facts_gen;
    bool dir_touched;             /* the user edited the root directory */
    bool open_console;            /* after "Create and start" */
};

static struct lxc_wizard *
lw_ref(struct lxc_wizard *w)
{
    g_atomic_int_inc(&w->refs);
    return w;
}

static void
lw_unref(gpointer p)
{
    struct lxc_wizard *w = p;

    if (!g_atomic_int_dec_and_test(&w->refs))
        return;
    vd_plan_lxc_free(w->plan);
    vd_host_facts_free(w->facts);
    g_free(w->facts_error);
    g_array_unref(w->hosts);
    g_free(w);
}

static struct ui_host *
lw_host(const struct lxc_wizard *w)
{
    return w->host < w->app->hosts->len ? g_ptr_array_index(w->app->hosts, w->host) : NULL;
}

static bool
is_lxc_host(const struct ui_host *h)
{
    const char *uri = vd_conn_uri(h->conn);
    return g_str_has_prefix(uri, "lxc:") || g_str_has_prefix(uri, "lxc+");
}

static const char *
text_of(const struct lxc_wizard *w, const char *id)
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
form_to_plan(struct lxc_wizard *w)
{
    struct vd_plan_lxc *p = w->plan;
    guint64 v;

    set_str(&p->name, text_of(w, "name"));
    p->rootfs = ui_dialog_field(w->d, "rootfs")->choice;
    set_str(&p->rootfs_dir, text_of(w, "rootfs-dir"));
    set_str(&p->init, text_of(w, "init"));
    p->memory_mib = ui_dialog_number(w->d, "memory", &v) ? v : 0;
    p->vcpus = ui_dialog_number(w->d, "vcpus", &v) ? (guint)MIN(v, G_MAXUINT) : 0;
    p->net = ui_dialog_field(w->d, "net")->choice;
    set_str(&p->net_source, text_of(w, "net-source"));
    set_str(&p->mac, text_of(w, "mac"));
    w->open_console = ui_dialog_checked(w->d, "open-console");
}

static void
fill_sources(struct lxc_wizard *w)
{
    struct ui_field *f = ui_dialog_field(w->d, "net-source");
    g_autoptr(GPtrArray) v = g_ptr_array_new();
    GPtrArray *src;

    if (!w->facts)
        return;
    src = w->plan->net == VD_NET_BRIDGE ? w->facts->bridges : w->facts->networks;
    for (guint i = 0; i < src->len; i++)
        g_ptr_array_add(v, src->pdata[i]);
    g_ptr_array_add(v, NULL);
    ui_field_set_choices(f, (const char *const *)v->pdata, 0);
    if (w->plan->net_source)
        ui_field_select(f, w->plan->net_source);
}

static GPtrArray *
check(struct lxc_wizard *w)
{
    GPtrArray *errors = vd_plan_errors_new();
    struct ui_field *dir = ui_dialog_field(w->d, "rootfs-dir");

    form_to_plan(w);
    /* the directory follows the name until the user edits it */
    if (!w->dir_touched) {
        g_clear_pointer(&w->plan->rootfs_dir, g_free);
        vd_plan_lxc_apply_defaults(w->plan, w->facts);
        if (w->plan->rootfs_dir && g_strcmp0(dir->text->str, w->plan->rootfs_dir) != 0) {
            ui_field_set_text(dir, w->plan->rootfs_dir);
            dir->cursor = dir->text->len;
        }
    }
    vd_plan_lxc_apply_defaults(w->plan, w->facts);
    vd_plan_lxc_validate(w->plan, w->facts, errors);
    ui_dialog_clear_errors(w->d);
    for (guint i = errors->len; i-- > 0;) {
        const struct vd_plan_error *e = errors->pdata[i];
        struct ui_field *f = ui_dialog_field(w->d, e->field);
        if (f)
            ui_field_set_error(f, e->message, e->warning);
    }
    if (!w->hosts->len)
        ui_field_set_error(ui_dialog_field(w->d, "host"),
                           _("No container host: add lxc:///system with F2"), false);
    else if (!w->facts)
        ui_field_set_error(ui_dialog_field(w->d, "host"),
                           w->facts_error ? w->facts_error : _("Reading what the host offers…"), !w->facts_error);
    return errors;
}

static void
refresh_form(struct lxc_wizard *w)
{
    g_autoptr(GPtrArray) e = NULL;
    g_autofree char *summary = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *err = NULL;
    g_autofree char *text = NULL;
    guint net = ui_dialog_field(w->d, "net")->choice;

    ui_dialog_field(w->d, "net-source")->hidden = net == VD_NET_NONE;
    ui_dialog_field(w->d, "mac")->hidden = net == VD_NET_NONE;
    e = check(w);
    summary = vd_plan_lxc_summary(w->plan);
    xml = vd_plan_lxc_domain_xml(w->plan, &err);
    text = g_strdup_printf("%s\n%s\n%s", summary, _("Domain XML:"), xml ? xml : err);
    ui_field_set_text(ui_dialog_field(w->d, "review"), text);
    if (w->facts) {
        g_autofree char *mem = vd_format_kib(w->facts->mem_kib);
        g_autofree char *h = g_strdup_printf(_("host %s"), mem);
        g_autofree char *c = g_strdup_printf(ngettext("host: %u CPU", "host: %u CPUs", w->facts->cpus),
                                             w->facts->cpus);
        ui_field_set_hint(ui_dialog_field(w->d, "memory"), h);
        ui_field_set_hint(ui_dialog_field(w->d, "vcpus"), c);
    }
    ui_app_queue_redraw(w->app);
}

struct facts_req {
    struct lxc_wizard *w;
    guint gen;
};

static void
facts_done(struct vd_conn *c, bool ok, const char *message, gpointer result, gpointer user)
{
    struct facts_req *r = user;
    struct lxc_wizard *w = r->w;

    if (r->gen == w->facts_gen && w->d) {
        if (ok && result) {
            vd_host_facts_free(w->facts);
            w->facts = g_steal_pointer(&result);
            g_clear_pointer(&w->facts_error, g_free);
            vd_plan_lxc_apply_defaults(w->plan, w->facts);
            fill_sources(w);
        } else {
            set_str(&w->facts_error, message);
        }
        refresh_form(w);
    }
    if (result)
        vd_host_facts_free(result);
    g_free(r);
    lw_unref(w);
}

static void
request_facts(struct lxc_wizard *w)
{
    struct ui_host *h = lw_host(w);
    struct facts_req *r;

    g_clear_pointer(&w->facts, vd_host_facts_free);
    if (!h || !w->hosts->len)
        return;
    r = g_new0(struct facts_req, 1);
    r->w = lw_ref(w);
    r->gen = ++w->facts_gen;
    vd_host_facts_request(h->conn, facts_done, r);
}

static void
on_changed(struct ui_dialog *d, struct ui_field *f, gpointer user)
{
    struct lxc_wizard *w = user;

    if (f->id && g_str_equal(f->id, "rootfs-dir"))
        w->dir_touched = true;
    if (f->id && g_str_equal(f->id, "host") && f->choice < w->hosts->len) {
        w->host = g_array_index(w->hosts, guint, f->choice);
        request_facts(w);
    } else if (f->id && g_str_equal(f->id, "net")) {
        w->plan->net = f->choice;
        g_clear_pointer(&w->plan->net_source, g_free);
        vd_plan_lxc_apply_defaults(w->plan, w->facts);
        fill_sources(w);
    }
    refresh_form(w);
}

static bool
on_page(struct ui_dialog *d, int from, int to, gpointer user)
{
    struct lxc_wizard *w = user;
    g_autoptr(GPtrArray) errors = NULL;
    bool blocked = false;

    if (to < from)
        return true;
    errors = check(w);
    for (guint i = 0; i < errors->len; i++) {
        const struct vd_plan_error *e = errors->pdata[i];
        struct ui_field *f = ui_dialog_field(d, e->field);
        if (!e->warning && f && f->page == from && !f->hidden)
            blocked = true;
    }
    if (from == 0 && !w->facts)
        blocked = true;
    ui_dialog_set_error(d, blocked ? _("Correct the answers marked on this page first") : NULL);
    return !blocked;
}

static void build(struct lxc_wizard *w);

static void
create_done(struct vd_conn *c, bool ok, const char *message, gpointer result, gpointer user)
{
    struct lxc_wizard *w = user;
    struct ui_app *app = w->app;

    if (ok) {
        ui_app_set_status(app, VD_C_STATUS_OK, "%s", message);
        if (result)
            ui_wizard_select_later(app, w->host, result, w->plan->start && w->open_console);
    } else {
        ui_app_set_status(app, VD_C_STATUS_ERROR, "%s", message);
        if (!app->dialog && !w->d) {
            build(w);
            refresh_form(w);
            ui_dialog_go_page(w->d, 2);
            request_facts(w);
            ui_dialog_set_error(w->d, message);
            ui_app_open_dialog(app, w->d);
        }
    }
    ui_app_queue_redraw(app);
    lw_unref(w);
}

static bool
on_done(struct ui_dialog *d, int result, gpointer user)
{
    struct lxc_wizard *w = user;
    g_autoptr(GPtrArray) errors = NULL;
    struct ui_host *h = lw_host(w);

    if (result == UI_DIALOG_CANCEL) {
        w->d = NULL;
        return true;
    }
    if (result != R_CREATE_START && result != R_CREATE_ONLY)
        return false;
    errors = check(w);
    for (guint i = 0; i < errors->len; i++) {
        const struct vd_plan_error *e = errors->pdata[i];
        if (!e->warning) {
            ui_dialog_focus_field(d, e->field);
            ui_dialog_set_error(d, _("Correct the answers marked on this page first"));
            return false;
        }
    }
    if (!h || !w->facts)
        return false;
    w->plan->start = result == R_CREATE_START;
    vd_create_lxc(h->conn, w->plan, create_done, lw_ref(w));
    w->d = NULL;
    return true;
}

static void
build(struct lxc_wizard *w)
{
    struct ui_dialog *d = ui_dialog_new(_("New container"), 78);
    g_autoptr(GPtrArray) hosts = g_ptr_array_new();
    const char *rootfs[] = { vd_rootfs_label(VD_ROOTFS_EXISTING), vd_rootfs_label(VD_ROOTFS_BUSYBOX), NULL };
    const char *nets[] = { vd_net_kind_label(VD_NET_NETWORK), vd_net_kind_label(VD_NET_BRIDGE),
                           vd_net_kind_label(VD_NET_NONE), NULL };
    static const char *const empty[] = { "", NULL };
    guint sel = 0;
    struct ui_field *f;

    w->d = d;
    for (guint i = 0; i < w->hosts->len; i++) {
        guint hi = g_array_index(w->hosts, guint, i);
        g_ptr_array_add(hosts, (gpointer)ui_host_label(w->app, g_ptr_array_index(w->app->hosts, hi)));
        if (hi == w->host)
            sel = i;
    }
    if (!hosts->len)
        g_ptr_array_add(hosts, (gpointer)_("(none)"));
    g_ptr_array_add(hosts, NULL);

    ui_dialog_add_page(d, _("container"));
    f = ui_dialog_add_choice(d, "host", _("Host"), (const char *const *)hosts->pdata, sel);
    f->list = true;
    ui_dialog_add_text(d, "name", _("Name"), w->plan->name);
    ui_dialog_add_choice(d, "rootfs", _("Root"), rootfs, w->plan->rootfs);
    ui_dialog_add_text(d, "rootfs-dir", _("Directory"), w->plan->rootfs_dir);
    ui_dialog_add_text(d, "init", _("Init command"), w->plan->init);
    ui_dialog_add_label(d, NULL, _("A new busybox tree is built in the directory (it must not exist)."));
    ui_dialog_add_button(d, _("Next >"), UI_DIALOG_NEXT);

    ui_dialog_add_page(d, _("resources and network"));
    ui_dialog_add_number(d, "memory", _("Memory"), w->plan->memory_mib, true);
    ui_dialog_add_number(d, "vcpus", _("vCPUs"), w->plan->vcpus, false);
    ui_dialog_add_choice(d, "net", _("Connect to"), nets, w->plan->net);
    f = ui_dialog_add_choice(d, "net-source", _("Network/bridge"), empty, 0);
    f->list = true;
    ui_dialog_add_text(d, "mac", _("MAC address"), w->plan->mac);
    ui_dialog_add_check(d, "open-console", _("Open the console after starting"), w->open_console);
    ui_field_set_hint(ui_dialog_field(d, "mac"), _("empty: generated"));
    ui_dialog_add_button(d, _("< Back"), UI_DIALOG_BACK);
    ui_dialog_add_button(d, _("Next >"), UI_DIALOG_NEXT);

    ui_dialog_add_page(d, _("review"));
    ui_dialog_add_view(d, "review", NULL, "", 0);
    ui_dialog_add_button(d, _("Create and start"), R_CREATE_START);
    ui_dialog_add_button(d, _("Create only"), R_CREATE_ONLY);

    ui_dialog_set_default(d, UI_DIALOG_NEXT);
    ui_dialog_set_confirm_discard(d, true);
    ui_dialog_set_page_check(d, on_page);
    ui_dialog_set_callbacks(d, on_changed, on_done, lw_ref(w), lw_unref);
    fill_sources(w);
}

void
ui_wizard_lxc_open(struct ui_app *app)
{
    struct lxc_wizard *w = g_new0(struct lxc_wizard, 1);
    struct ui_host *cur = ui_app_host(app);

    w->refs = 1;
    w->app = app;
    w->hosts = g_array_new(FALSE, FALSE, sizeof(guint));
    w->plan = vd_plan_lxc_new();
    w->open_console = true;
    for (guint i = 0; i < app->hosts->len; i++) {
        struct ui_host *h = g_ptr_array_index(app->hosts, i);
        if (!is_lxc_host(h))
            continue;
        g_array_append_val(w->hosts, i);
        if (h == cur || w->hosts->len == 1)
            w->host = i;
    }
    build(w);
    request_facts(w);
    refresh_form(w);
    ui_dialog_focus_field(w->d, "name");
    ui_app_open_dialog(app, w->d);
    lw_unref(w);
}
