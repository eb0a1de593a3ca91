/* virtdeck - the "Add connection" dialog
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "uri.h"
#include "ui/app.h"
#include "ui/dialog.h"

enum { CONNECT_OK = 1 };

static const char *const drivers[] = { "qemu", "lxc", "test", NULL };
/* values for vd_uri_parts.transport, in the order of the choice */
static const char *const transports[] = { "", "ssh", "libssh2", "tls", "tcp", NULL };

/* The URI the dialog describes, or NULL and a translated *error. */
static char *
dialog_uri(const struct ui_dialog *d, char **error)
{
    const char *uri = ui_dialog_value(d, "uri");
    const char *port_s = ui_dialog_value(d, "port");
    struct ui_field *tf = ui_dialog_field(d, "transport");
    struct vd_uri_parts parts = { 0 };
    char *end = NULL;
    long port = 0;

    if (uri && *uri)
        return g_strstrip(g_strdup(uri));
    if (port_s && *port_s) {
        port = strtol(port_s, &end, 10);
        if (*end || port < 1 || port > 65535) {
            *error = g_strdup(_("The port must be a number from 1 to 65535"));
            return NULL;
        }
    }
    parts.driver = ui_dialog_value(d, "driver");
    parts.transport = transports[tf->choice];
    parts.user = ui_dialog_value(d, "user");
    parts.host = ui_dialog_value(d, "host");
    parts.port = (unsigned)port;
    parts.path = ui_dialog_value(d, "path");
    return vd_uri_build(&parts, error);
}

static void
update_preview(struct ui_dialog *d)
{
    struct ui_field *preview = ui_dialog_field(d, "preview");
    g_autofree char *error = NULL;
    g_autofree char *uri = dialog_uri(d, &error);
    g_autofree char *text = NULL;

    if (uri) {
        text = g_strdup_printf(_("URI: %s"), uri);
        preview->slot = VD_C_DIALOG_TITLE;
    } else {
        text = g_strdup(error ? error : _("Incomplete"));
        preview->slot = VD_C_DIALOG_ERROR;
    }
    ui_field_set_text(preview, text);
}

static void
connect_changed(struct ui_dialog *d, struct ui_field *f, gpointer user)
{
    ui_dialog_set_error(d, NULL);
    update_preview(d);
}

static bool
connect_done(struct ui_dialog *d, int result, gpointer user)
{
    struct ui_app *app = user;
    g_autofree char *error = NULL;
    g_autofree char *uri = NULL;
    g_autoptr(GError) err = NULL;
    const char *name = ui_dialog_value(d, "name");
    bool autoconnect = ui_dialog_checked(d, "autoconnect");
    guint idx;

    if (result != CONNECT_OK)
        return true;
    uri = dialog_uri(d, &error);
    if (!uri) {
        ui_dialog_set_error(d, error);
        return false;
    }
    if (!name || !*name)
        name = uri;
    if (!app->cfg) {
        ui_dialog_set_error(d, _("No configuration file to save to"));
        return false;
    }
    if (!vd_config_add_conn(app->cfg, name, uri, autoconnect, &err)) {
        g_autofree char *msg = g_strdup_printf(_("Could not save the connection: %s"),
                                               err ? err->message : "?");
        ui_dialog_set_error(d, msg);
        return false;
    }
    idx = ui_app_add_host(app, uri, name);
    ui_app_select_host(app, idx);
    ui_app_set_status(app, VD_C_STATUS_OK, _("Added connection %1$s (%2$s), saved to %3$s"),
                      name, uri, app->cfg->path ? app->cfg->path : "?");
    return true;
}

void
ui_connect_dialog_open(struct ui_app *app)
{
    struct ui_dialog *d = ui_dialog_new(_("Add connection"), 70);
    const char *transport_labels[G_N_ELEMENTS(transports)];

    for (size_t i = 0; i < G_N_ELEMENTS(transports); i++)
        transport_labels[i] = transports[i];
    /* TRANSLATORS: transport choice: no network, this machine */
    transport_labels[0] = _("local");

    ui_dialog_set_message(d, _("Give a URI, or leave it empty and build one from the fields below."));
    ui_dialog_add_text(d, "name", _("Name"), "");
    ui_dialog_add_text(d, "uri", _("URI"), "");
    ui_dialog_add_choice(d, "driver", _("Driver"), drivers, 0);
    ui_dialog_add_choice(d, "transport", _("Transport"), transport_labels, 0);
    ui_dialog_add_text(d, "user", _("User"), "");
    ui_dialog_add_text(d, "host", _("Host"), "");
    ui_dialog_add_text(d, "port", _("Port"), "");
    ui_dialog_add_text(d, "path", _("Path"), "system");
    ui_dialog_add_label(d, "preview", "");
    ui_dialog_add_check(d, "autoconnect", _("Connect at start"), true);
    ui_dialog_add_button(d, _("OK"), CONNECT_OK);
    ui_dialog_add_button(d, _("Cancel"), UI_DIALOG_CANCEL);
    ui_dialog_set_callbacks(d, connect_changed, connect_done, app, NULL);
    update_preview(d);
    ui_app_open_dialog(app, d);
}
