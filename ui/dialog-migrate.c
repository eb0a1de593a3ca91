/* virtdeck - migrate a domain to another connected host (M)
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * M on a domain: a form (destination among the connected hosts, mode,
 * options, limits). The migration then shows in the status line (progress,
 * data, bandwidth, expected downtime; Esc cancels). M again while it runs
 * opens the limits: maximum downtime and bandwidth, applied at once. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "migrate.h"
#include "ui/app.h"
#include "ui/dialog.h"

enum { MIG_START = 1, MIG_APPLY, MIG_ABORT };

struct running {
    struct vd_conn *src;            /* not owned: compared only */
    struct vd_migration *m;
};

static GPtrArray *runs;             /* struct running * */

struct form {
    struct ui_app *app;
    char *uuid;
    char *name;
    GPtrArray *dest_uris;           /* char * */
    GPtrArray *dest_labels;
};

static void
form_free(gpointer p)
{
    struct form *f = p;

    g_free(f->uuid);
    g_free(f->name);
    g_ptr_array_unref(f->dest_uris);
    g_ptr_array_unref(f->dest_labels);
    g_free(f);
}

static struct running *
running_on(struct vd_conn *c)
{
    for (guint i = 0; runs && i < runs->len; i++) {
        struct running *r = runs->pdata[i];
        if (r->src == c && vd_migration_running(r->m, NULL, NULL))
            return r;
    }
    return NULL;
}

/* "" -> 0; a number -> it; else false */
static bool
parse_num(const char *s, guint64 *out)
{
    char *end = NULL;

    *out = 0;
    if (!s || !*s)
        return true;
    *out = g_ascii_strtoull(s, &end, 10);
    return end && !*end && *out < G_MAXUINT32;
}

struct done_ctx {
    struct ui_app *app;
    struct vd_migration *m;
    char *dest_uri;
};

static void
migrate_done(struct vd_conn *c, bool ok, const char *message, gpointer result, gpointer user)
{
    struct done_ctx *d = user;
    struct ui_app *app = d->app;

    ui_app_set_status(app, ok ? VD_C_STATUS_OK : VD_C_STATUS_ERROR, "%s", message ? message : "");
    for (guint i = 0; runs && i < runs->len; i++) {
        struct running *r = runs->pdata[i];
        if (r->m == d->m) {
            vd_migration_unref(r->m);
            g_ptr_array_remove_index(runs, i);
            g_free(r);
            break;
        }
    }
    /* the destination hears of it by its events; refresh it anyway */
    for (guint i = 0; i < app->hosts->len; i++) {
        struct ui_host *h = g_ptr_array_index(app->hosts, i);
        if (strcmp(vd_conn_uri(h->conn), d->dest_uri) == 0)
            vd_conn_refresh(h->conn);
    }
    g_free(d->dest_uri);
    g_free(d);
}

static bool
form_done(struct ui_dialog *dlg, int result, gpointer user)
{
    struct form *f = user;
    struct ui_app *app = f->app;
    struct ui_host *h = ui_app_host(app);
    struct vd_migrate_opts o = { 0 };
    guint di = ui_dialog_field(dlg, "dest")->choice;
    struct done_ctx *d;
    struct running *r;

    if (result != MIG_START)
        return true;
    if (!h) {
        ui_dialog_set_error(dlg, _("The host is gone"));
        return false;
    }
    o.mode = (enum vd_migrate_mode)ui_dialog_field(dlg, "mode")->choice;
    o.persistent = ui_dialog_checked(dlg, "persistent");
    o.undefine_source = ui_dialog_checked(dlg, "undefine");
    o.compressed = ui_dialog_checked(dlg, "compressed");
    o.unsafe = ui_dialog_checked(dlg, "unsafe");
    o.copy_storage = ui_dialog_checked(dlg, "copy");
    o.address = ui_dialog_value(dlg, "address");
    if (!parse_num(ui_dialog_value(dlg, "downtime"), &o.max_downtime_ms) ||
        !parse_num(ui_dialog_value(dlg, "bandwidth"), &o.bandwidth_mibs)) {
        ui_dialog_set_error(dlg, _("Downtime and bandwidth are whole numbers (empty: default)"));
        return false;
    }
    if (o.address && *o.address && !strstr(o.address, "://")) {
        ui_dialog_set_error(dlg, _("The address is a URI such as tcp://10.0.0.2"));
        return false;
    }
    d = g_new0(struct done_ctx, 1);
    d->app = app;
    d->dest_uri = g_strdup(f->dest_uris->pdata[di]);
    /* the list owns the handle; the done callback only compares it */
    r = g_new0(struct running, 1);
    r->src = h->conn;
    if (!runs)
        runs = g_ptr_array_new();
    g_ptr_array_add(runs, r);
    r->m = d->m = vd_migrate_start(h->conn, f->uuid, f->name, f->dest_uris->pdata[di],
                                   f->dest_labels->pdata[di], &o, migrate_done, d);
    ui_app_set_status(app, VD_C_STATUS_INFO,
                      _("Migrating %1$s to %2$s… (Esc cancels, M sets downtime and bandwidth)"),
                      f->name, (char *)f->dest_labels->pdata[di]);
    return true;
}

/* ---- limits while it runs ----------------------------------------------------- */

struct limits {
    struct ui_app *app;
    struct vd_conn *src;
};

static bool
limits_done(struct ui_dialog *dlg, int result, gpointer user)
{
    struct limits *l = user;
    struct running *r = running_on(l->src);
    guint64 dt, bw;

    if (result == MIG_ABORT) {
        if (vd_conn_abort_job(l->src))
            ui_app_set_status(l->app, VD_C_STATUS_INFO, "%s", _("Cancelling the migration…"));
        return true;
    }
    if (result != MIG_APPLY)
        return true;
    if (!r) {
        ui_dialog_set_error(dlg, _("The migration has ended"));
        return false;
    }
    if (!parse_num(ui_dialog_value(dlg, "downtime"), &dt) || !parse_num(ui_dialog_value(dlg, "bandwidth"), &bw)) {
        ui_dialog_set_error(dlg, _("Downtime and bandwidth are whole numbers (empty: unchanged)"));
        return false;
    }
    if (dt)
        vd_migration_set_downtime(r->m, dt);
    if (bw)
        vd_migration_set_bandwidth(r->m, bw);
    ui_app_set_status(l->app, VD_C_STATUS_OK, _("Migration limits: downtime %1$s ms, bandwidth %2$s MiB/s"),
                      dt ? ui_dialog_value(dlg, "downtime") : "-", bw ? ui_dialog_value(dlg, "bandwidth") : "-");
    return true;
}

static void
open_limits(struct ui_app *app, struct vd_conn *src, struct running *r)
{
    struct ui_dialog *d = ui_dialog_new(_("Migration in progress"), 64);
    struct limits *l = g_new0(struct limits, 1);
    guint64 dt = 0, bw = 0;
    g_autofree char *dts = NULL;
    g_autofree char *bws = NULL;

    vd_migration_running(r->m, &dt, &bw);
    dts = dt ? g_strdup_printf("%" G_GUINT64_FORMAT, dt) : g_strdup("");
    bws = bw ? g_strdup_printf("%" G_GUINT64_FORMAT, bw) : g_strdup("");
    l->app = app;
    l->src = src;
    ui_dialog_set_message(d, _("New limits apply at once. A lower bandwidth slows the copy; a longer "
                               "downtime lets a busy guest finish."));
    ui_dialog_add_text(d, "downtime", _("Max downtime (ms)"), dts);
    ui_dialog_add_text(d, "bandwidth", _("Bandwidth (MiB/s)"), bws);
    ui_dialog_add_button(d, _("Apply"), MIG_APPLY);
    ui_dialog_add_button(d, _("Cancel migration"), MIG_ABORT);
    ui_dialog_add_button(d, _("Close"), UI_DIALOG_CANCEL);
    ui_dialog_set_callbacks(d, NULL, limits_done, l, g_free);
    ui_app_open_dialog(app, d);
}

/* ---- the form ----------------------------------------------------------------- */

void
ui_migrate_open(struct ui_app *app)
{
    struct ui_host *h = ui_app_host(app);
    const struct vd_domain *dom;
    struct running *r;
    struct form *f;
    struct ui_dialog *d;
    g_autofree char *msg = NULL;
    g_autofree char *addr_hint = NULL;
    const char *modes[] = { _("live"), _("offline (definition only)"), _("suspended"), NULL };
    int sel;

    if (!h)
        return;
    if ((r = running_on(h->conn))) {
        open_limits(app, h->conn, r);
        return;
    }
    sel = ui_list_selected(&app->doms);
    if (app->doms_host != (int)app->cur || sel < 0 || !h->snap->domains || (guint)sel >= h->snap->domains->len) {
        ui_app_set_status(app, VD_C_STATUS_ERROR, "%s", _("Select a domain to migrate"));
        return;
    }
    dom = g_ptr_array_index(h->snap->domains, sel);
    f = g_new0(struct form, 1);
    f->app = app;
    f->uuid = g_strdup(dom->uuid);
    f->name = g_strdup(dom->name);
    f->dest_uris = g_ptr_array_new_with_free_func(g_free);
    f->dest_labels = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < app->hosts->len; i++) {
        const struct ui_host *o = g_ptr_array_index(app->hosts, i);
        if (o == h || o->snap->state != VD_HOST_CONNECTED)
            continue;
        g_ptr_array_add(f->dest_uris, g_strdup(vd_conn_uri(o->conn)));
        g_ptr_array_add(f->dest_labels, g_strdup(ui_host_label(app, o)));
    }
    if (!f->dest_uris->len) {
        ui_app_set_status(app, VD_C_STATUS_ERROR, "%s",
                          _("No other connected host to migrate to: connect the destination first (H)"));
        form_free(f);
        return;
    }
    g_ptr_array_add(f->dest_labels, NULL);
    msg = g_strdup_printf(_("Migrate %1$s (%2$s) from %3$s."), dom->name, vd_dom_state_name(dom->state),
                          ui_host_label(app, h));
    d = ui_dialog_new(_("Migrate"), 72);
    ui_dialog_set_message(d, msg);
    ui_dialog_add_choice(d, "dest", _("To host"), (const char *const *)f->dest_labels->pdata, 0);
    g_ptr_array_remove_index(f->dest_labels, f->dest_labels->len - 1);
    ui_dialog_add_choice(d, "mode", _("Mode"), modes, vd_dom_is_active(dom) ? VD_MIGRATE_LIVE : VD_MIGRATE_OFFLINE);
    ui_dialog_add_check(d, "persistent", _("Persistent on the destination"), true);
    ui_dialog_add_check(d, "undefine", _("Undefine on this host"), false);
    ui_dialog_add_check(d, "compressed", _("Compressed"), false);
    ui_dialog_add_check(d, "unsafe", _("Unsafe (disk cache not safe for migration)"), false);
    ui_dialog_add_check(d, "copy", _("Copy storage (non-shared disks; images must exist there)"), false);
    ui_dialog_add_text(d, "downtime", _("Max downtime (ms)"), "");
    ui_dialog_add_text(d, "bandwidth", _("Bandwidth (MiB/s)"), "");
    addr_hint = g_strdup(_("Address"));
    ui_dialog_add_text(d, "address", addr_hint, "");
    ui_dialog_add_label(d, "hint", _("Address: where the data goes (tcp://HOST), empty: the destination's host name"));
    ui_dialog_add_button(d, _("Migrate"), MIG_START);
    ui_dialog_add_button(d, _("Cancel"), UI_DIALOG_CANCEL);
    ui_dialog_set_callbacks(d, NULL, form_done, f, form_free);
    ui_app_open_dialog(app, d);
}
