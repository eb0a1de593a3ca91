/* virtdeck - the host form: add a connection or edit a saved one
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The URI is built from transport, user, host, port and driver (or typed
 * whole) and shown live; OK saves it as [connection:NAME] (uri, autoconnect,
 * group). Adding also opens the host. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "uri.h"
#include "ui/app.h"
#include "ui/dialog.h"

enum { CONNECT_OK = 1 };

/* the driver choice: libvirt driver and path */
static const struct {
    const char *driver, *path;
} drivers[] = {
    { "qemu", "system" },
    { "qemu", "session" },
    { "lxc", "system" },
    { "test", NULL },
};
/* values for vd_uri_parts.transport, in the order of the choice */
static const char *const transports[] = { "", "ssh", "libssh2", "tls", "tcp", "unix", NULL };

struct form {
    struct ui_app *app;
    char *edit_name;             /* NULL: adding */
    void (*done)(struct ui_app *app, const char *name, gpointer user);
    gpointer user;
};

static void
form_free(gpointer p)
{
    struct form *f = p;

    g_free(f->edit_name);
    g_free(f);
}

/* The URI the dialog describes, or NULL and a translated *error. */
static char *
dialog_uri(const struct ui_dialog *d, char **error)
{
    const char *uri = ui_dialog_value(d, "uri");
    const char *port_s = ui_dialog_value(d, "port");
    guint dr = ui_dialog_field(d, "driver")->choice;
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
    parts.driver = drivers[dr].driver;
    parts.transport = transports[ui_dialog_field(d, "transport")->choice];
    parts.user = ui_dialog_value(d, "user");
    parts.host = ui_dialog_value(d, "host");
    parts.port = (unsigned)port;
    parts.path = drivers[dr].path ? drivers[dr].path : ui_dialog_value(d, "path");
    if (!drivers[dr].path && (!parts.path || !*parts.path))
        parts.path = "default";
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

static guint
host_of_uri(struct ui_app *app, const char *uri)
{
    for (guint i = 0; i < app->hosts->len; i++) {
        const struct ui_host *h = g_ptr_array_index(app->hosts, i);
        if (strcmp(vd_conn_uri(h->conn), uri) == 0)
            return i;
    }
    return G_MAXUINT;
}

static bool
connect_done(struct ui_dialog *d, int result, gpointer user)
{
    struct form *fm = user;
    struct ui_app *app = fm->app;
    g_autofree char *error = NULL;
    g_autofree char *uri = NULL;
    g_autofree char *old_uri = NULL;
    g_autoptr(GError) err = NULL;
    const char *name = ui_dialog_value(d, "name");
    const char *group = ui_dialog_value(d, "group");
    bool autoconnect = ui_dialog_checked(d, "autoconnect");
    const struct vd_saved_conn *sc;
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
    sc = vd_config_find_conn(app->cfg, fm->edit_name);
    old_uri = sc ? g_strdup(sc->uri) : NULL;
    if (!vd_config_set_conn(app->cfg, fm->edit_name, name, uri, autoconnect, group, &err)) {
        g_autofree char *msg = g_strdup_printf(_("Could not save the connection: %s"),
                                               err ? err->message : "?");
        ui_dialog_set_error(d, msg);
        return false;
    }
    if (fm->edit_name) {
        /* an open host follows its new name; a new URI means a new connection */
        idx = old_uri ? host_of_uri(app, old_uri) : G_MAXUINT;
        if (idx != G_MAXUINT) {
            struct ui_host *h = g_ptr_array_index(app->hosts, idx);
            if (strcmp(old_uri, uri) != 0) {
                ui_app_remove_host(app, idx);
                ui_app_select_host(app, ui_app_add_host(app, uri, name));
            } else {
                g_free(h->name);
                h->name = g_strdup(name);
                ui_app_recalc(app);
            }
        }
        ui_app_set_status(app, VD_C_STATUS_OK, _("Saved connection %1$s (%2$s) to %3$s"),
                          name, uri, app->cfg->path ? app->cfg->path : "?");
    } else {
        idx = host_of_uri(app, uri);
        if (idx == G_MAXUINT) {
            idx = ui_app_add_host(app, uri, name);
        } else {
            /* already open (from -c): it is this saved connection now */
            struct ui_host *h = g_ptr_array_index(app->hosts, idx);
            g_free(h->name);
            h->name = g_strdup(name);
            ui_app_recalc(app);
        }
        ui_app_select_host(app, idx);
        ui_app_set_status(app, VD_C_STATUS_OK, _("Added connection %1$s (%2$s), saved to %3$s"),
                          name, uri, app->cfg->path ? app->cfg->path : "?");
    }
    if (fm->done)
        fm->done(app, name, fm->user);
    return true;
}

/* Fill the fields from a saved URI when it is made of parts the form has
 * (no query); else put it whole in the URI field. */
static void
prefill(struct ui_dialog *d, const char *uri)
{
    g_autoptr(GUri) u = g_uri_parse(uri, G_URI_FLAGS_NON_DNS, NULL);
    g_auto(GStrv) scheme = NULL;
    const char *path;
    int dr = -1, tr = -1;

    if (!u || g_uri_get_query(u) || g_uri_get_fragment(u)) {
        ui_field_set_text(ui_dialog_field(d, "uri"), uri);
        return;
    }
    scheme = g_strsplit(g_uri_get_scheme(u), "+", 2);
    path = g_uri_get_path(u);
    path = path && *path == '/' ? path + 1 : path ? path : "";
    for (guint i = 0; i < G_N_ELEMENTS(drivers); i++) {
        if (strcmp(drivers[i].driver, scheme[0]) == 0 &&
            (!drivers[i].path || strcmp(drivers[i].path, path) == 0)) {
            dr = (int)i;
            break;
        }
    }
    for (guint i = 0; transports[i]; i++)
        if (strcmp(transports[i], scheme[1] ? scheme[1] : "") == 0)
            tr = (int)i;
    if (dr < 0 || tr < 0) {
        ui_field_set_text(ui_dialog_field(d, "uri"), uri);
        return;
    }
    ui_dialog_field(d, "driver")->choice = (guint)dr;
    ui_dialog_field(d, "transport")->choice = (guint)tr;
    if (g_uri_get_user(u))
        ui_field_set_text(ui_dialog_field(d, "user"), g_uri_get_user(u));
    if (g_uri_get_host(u))
        ui_field_set_text(ui_dialog_field(d, "host"), g_uri_get_host(u));
    if (g_uri_get_port(u) > 0) {
        g_autofree char *p = g_strdup_printf("%d", g_uri_get_port(u));
        ui_field_set_text(ui_dialog_field(d, "port"), p);
    }
    if (!drivers[dr].path)
        ui_field_set_text(ui_dialog_field(d, "path"), path);
}

void
ui_host_form_open(struct ui_app *app, const char *edit_name,
                  void (*done)(struct ui_app *app, const char *name, gpointer user), gpointer user)
{
    const struct vd_saved_conn *sc = app->cfg ? vd_config_find_conn(app->cfg, edit_name) : NULL;
    struct ui_dialog *d = ui_dialog_new(sc ? _("Edit connection") : _("Add connection"), 72);
    const char *transport_labels[G_N_ELEMENTS(transports)];
    const char *driver_labels[G_N_ELEMENTS(drivers) + 1];
    struct form *fm = g_new0(struct form, 1);

    fm->app = app;
    fm->edit_name = sc ? g_strdup(sc->name) : NULL;
    fm->done = done;
    fm->user = user;
    for (size_t i = 0; i < G_N_ELEMENTS(transports); i++)
        transport_labels[i] = transports[i];
    /* TRANSLATORS: transport choice: no network, this machine */
    transport_labels[0] = _("local");
    driver_labels[0] = _("qemu (system)");
    driver_labels[1] = _("qemu (session)");
    driver_labels[2] = "lxc";
    /* TRANSLATORS: libvirt's test driver (a fake host from an XML file) */
    driver_labels[3] = _("test (file)");
    driver_labels[4] = NULL;

    ui_dialog_set_message(d, _("Build the URI from the fields, or type it whole in URI."));
    ui_dialog_add_text(d, "name", _("Name"), sc ? sc->name : "");
    ui_dialog_add_text(d, "group", _("Group"), sc && sc->group ? sc->group : "");
    ui_dialog_add_choice(d, "driver", _("Driver"), driver_labels, 0);
    ui_dialog_add_choice(d, "transport", _("Transport"), transport_labels, 0);
    ui_dialog_add_text(d, "user", _("User"), "");
    ui_dialog_add_text(d, "host", _("Host"), "");
    ui_dialog_add_text(d, "port", _("Port"), "");
    ui_dialog_add_text(d, "path", _("Test file"), "");
    ui_dialog_add_text(d, "uri", _("URI"), "");
    ui_dialog_add_label(d, "preview", "");
    ui_dialog_add_check(d, "autoconnect", _("Connect at start"), sc ? sc->autoconnect : true);
    ui_dialog_add_button(d, _("OK"), CONNECT_OK);
    ui_dialog_add_button(d, _("Cancel"), UI_DIALOG_CANCEL);
    if (sc)
        prefill(d, sc->uri);
    ui_dialog_set_callbacks(d, connect_changed, connect_done, fm, form_free);
    update_preview(d);
    ui_app_open_dialog(app, d);
}

void
ui_connect_dialog_open(struct ui_app *app)
{
    ui_host_form_open(app, NULL, NULL, NULL);
}
