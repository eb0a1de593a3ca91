/* virtdeck - the clone form (y): new name, linked or full copy
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <config.h>

#include "i18n.h"
#include "clone-vm.h"
#include "plan-vm.h"
#include "ui/dialog.h"
#include "ui/wizard.h"

enum { R_CLONE = 1 };

struct clone_form {
    struct ui_app *app;
    guint host;
    char *uuid;
    char *name;               /* source, for messages */
};

static void
form_free(gpointer p)
{
    struct clone_form *c = p;
    g_free(c->uuid);
    g_free(c->name);
    g_free(c);
}

static void
check_name(struct ui_dialog *d, struct clone_form *c)
{
    const char *name = ui_dialog_value(d, "name");
    struct ui_field *f = ui_dialog_field(d, "name");
    struct ui_host *h = c->host < c->app->hosts->len ? g_ptr_array_index(c->app->hosts, c->host) : NULL;
    g_autofree char *why = NULL;

    ui_field_set_error(f, NULL, false);
    if (!vd_plan_name_valid(name, &why)) {
        ui_field_set_error(f, why, false);
        return;
    }
    for (guint i = 0; h && i < h->snap->domains->len; i++) {
        const struct vd_domain *dom = h->snap->domains->pdata[i];
        if (g_str_equal(dom->name, name)) {
            ui_field_set_error(f, _("A domain with this name exists"), false);
            return;
        }
    }
}

static void
on_changed(struct ui_dialog *d, struct ui_field *f, gpointer user)
{
    check_name(d, user);
}

struct clone_done_ctx {
    struct ui_app *app;
    guint host;
};

static void
clone_done(struct vd_conn *conn, bool ok, const char *message, gpointer result, gpointer user)
{
    struct clone_done_ctx *x = user;

    ui_app_set_status(x->app, ok ? VD_C_STATUS_OK : VD_C_STATUS_ERROR, "%s", message);
    if (ok && result)
        ui_wizard_select_later(x->app, x->host, result, false);
    ui_app_queue_redraw(x->app);
    g_free(x);
}

static bool
on_done(struct ui_dialog *d, int result, gpointer user)
{
    struct clone_form *c = user;
    struct ui_host *h = c->host < c->app->hosts->len ? g_ptr_array_index(c->app->hosts, c->host) : NULL;
    struct clone_done_ctx *x;

    if (result != R_CLONE)
        return true;
    check_name(d, c);
    if (ui_dialog_field(d, "name")->error || !h)
        return false;
    x = g_new0(struct clone_done_ctx, 1);
    x->app = c->app;
    x->host = c->host;
    vd_clone_vm(h->conn, c->uuid, ui_dialog_value(d, "name"), ui_dialog_checked(d, "linked"), clone_done, x);
    return true;
}

void
ui_clone_open(struct ui_app *app)
{
    struct ui_host *h = ui_app_host(app);
    int sel = ui_list_selected(&app->doms);
    const struct vd_domain *dom;
    struct clone_form *c;
    struct ui_dialog *d;
    g_autofree char *title = NULL;
    g_autofree char *name = NULL;

    if (!h || sel < 0 || (guint)sel >= h->snap->domains->len) {
        ui_app_set_status(app, VD_C_STATUS_ERROR, "%s", _("Select a virtual machine to clone"));
        return;
    }
    dom = g_ptr_array_index(h->snap->domains, sel);
    if (dom->container) {
        ui_app_set_status(app, VD_C_STATUS_ERROR, "%s", _("Containers are not cloned here: only virtual machines"));
        return;
    }
    c = g_new0(struct clone_form, 1);
    c->app = app;
    c->host = h->index;
    c->uuid = g_strdup(dom->uuid);
    c->name = g_strdup(dom->name);
    title = g_strdup_printf(_("Clone %s"), dom->name);
    name = g_strdup_printf("%s-clone", dom->name);
    d = ui_dialog_new(title, 66);
    ui_dialog_set_message(d, vd_dom_is_active(dom)
                          ? _("Shut the machine down first: a running guest's disks cannot be copied safely.")
                          : _("New MAC addresses; every disk in a pool is copied in its pool, or with a linked "
                              "clone gets a qcow2 volume over it (fast, but the source must stay)."));
    ui_dialog_add_text(d, "name", _("New name"), name);
    ui_dialog_add_check(d, "linked", _("Linked clone (qcow2 backing file)"), false);
    ui_dialog_add_button(d, _("Clone"), R_CLONE);
    ui_dialog_add_button(d, _("Cancel"), UI_DIALOG_CANCEL);
    ui_dialog_set_callbacks(d, on_changed, on_done, c, form_free);
    check_name(d, c);
    ui_app_open_dialog(app, d);
}
