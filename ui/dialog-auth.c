/* virtdeck - password, passphrase and host key questions from the hosts
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * src/auth.c posts a question (from a worker's libvirt auth callback or
 * from ssh's askpass helper) to the UI context; it is shown as a dialog as
 * soon as no other dialog is open, one at a time. A question whose host was
 * closed meanwhile is dropped, its dialog closed. */
#include <config.h>

#include <string.h>

#include "auth.h"
#include "i18n.h"
#include "ui/app.h"
#include "ui/dialog.h"

enum { AUTH_OK = 1, AUTH_YES, AUTH_NO };

struct auth_ui {
    struct ui_app *app;
    GQueue queue;                   /* struct vd_auth_request *, waiting */
    struct vd_auth_request *shown;  /* the question of the open dialog */
    struct ui_dialog *dialog;
    GSource *timer;
};

static struct auth_ui auth_ui;

static const char *
host_label(struct ui_app *app, const char *uri)
{
    for (guint i = 0; i < app->hosts->len; i++) {
        const struct ui_host *h = g_ptr_array_index(app->hosts, i);
        if (h->conn && strcmp(vd_conn_uri(h->conn), uri) == 0)
            return ui_host_label(app, h);
    }
    return uri;
}

static void
answer(const char *text)
{
    struct vd_auth_request *r = auth_ui.shown;

    auth_ui.shown = NULL;
    auth_ui.dialog = NULL;
    if (r)
        vd_auth_request_answer(r, text);
}

static bool
auth_done(struct ui_dialog *d, int result, gpointer user)
{
    switch (result) {
    case AUTH_OK:
        answer(ui_dialog_value(d, "answer"));
        break;
    case AUTH_YES:
        answer("yes");
        break;
    case AUTH_NO:
        answer("no");
        break;
    default:
        answer(NULL);
        break;
    }
    return true;
}

static void
auth_destroy(gpointer user)
{
    /* closed without an answer (the host went away, the app quit) */
    if (auth_ui.dialog == user)
        answer(NULL);
}

static void
show(struct ui_app *app, struct vd_auth_request *r)
{
    const char *prompt = vd_auth_request_prompt(r);
    const char *label = host_label(app, vd_auth_request_uri(r));
    g_auto(GStrv) lines = g_strsplit(prompt, "\n", -1);
    g_autoptr(GString) msg = g_string_new(NULL);
    g_autofree char *title = NULL;
    const char *fingerprint = NULL;
    struct ui_dialog *d;

    for (guint i = 0; lines[i]; i++) {
        if (!fingerprint && strstr(lines[i], "fingerprint is")) {
            fingerprint = lines[i];
            continue;
        }
        if (msg->len)
            g_string_append_c(msg, ' ');
        g_string_append(msg, lines[i]);
    }
    switch (vd_auth_request_kind(r)) {
    case VD_AUTH_CONFIRM:
        /* TRANSLATORS: dialog title; %s is a host name or URI */
        title = g_strdup_printf(_("Unknown host key: %s"), label);
        d = ui_dialog_new(title, 78);
        ui_dialog_set_message(d, msg->str);
        if (fingerprint) {
            g_autofree char *fp = g_strdup(fingerprint);
            char *is = strstr(fp, " key fingerprint is ");
            if (is)     /* "ED25519 SHA256:...": fits on one line */
                memmove(is + 1, is + strlen(" key fingerprint is "), strlen(is + strlen(" key fingerprint is ")) + 1);
            struct ui_field *f = ui_dialog_add_label(d, "fingerprint", fp);
            f->slot = VD_C_DIALOG_TITLE;
        }
        ui_dialog_add_label(d, "hint", _("Compare it with the host's key (ssh-keygen -lf) before you accept."));
        ui_dialog_add_button(d, _("Yes, connect"), AUTH_YES);
        ui_dialog_add_button(d, _("No"), AUTH_NO);
        ui_dialog_add_hotkey(d, 'y', AUTH_YES);
        ui_dialog_add_hotkey(d, 'n', AUTH_NO);
        ui_dialog_set_default(d, AUTH_NO);
        ui_dialog_focus_button(d, AUTH_NO);
        break;
    case VD_AUTH_TEXT:
        title = g_strdup_printf(_("Log in to %s"), label);
        d = ui_dialog_new(title, 70);
        ui_dialog_set_message(d, msg->str);
        ui_dialog_add_text(d, "answer", _("Answer"), "");
        ui_dialog_add_button(d, _("OK"), AUTH_OK);
        ui_dialog_add_button(d, _("Cancel"), UI_DIALOG_CANCEL);
        break;
    case VD_AUTH_SECRET:
    default:
        title = g_strdup_printf(_("Log in to %s"), label);
        d = ui_dialog_new(title, 70);
        ui_dialog_set_message(d, msg->str);
        ui_dialog_add_secret(d, "answer", _("Password"));
        ui_dialog_add_label(d, "hint", _("Kept in memory for this session only, never saved."));
        ui_dialog_add_button(d, _("OK"), AUTH_OK);
        ui_dialog_add_button(d, _("Cancel"), UI_DIALOG_CANCEL);
        break;
    }
    auth_ui.shown = r;
    auth_ui.dialog = d;
    ui_dialog_set_callbacks(d, NULL, auth_done, d, auth_destroy);
    ui_app_open_dialog(app, d);
}

static void
pump(struct ui_app *app)
{
    /* the host of the open question was closed: drop its dialog */
    if (auth_ui.shown && vd_auth_request_cancelled(auth_ui.shown) && app->dialog == auth_ui.dialog) {
        struct ui_dialog *d = app->dialog;
        app->dialog = NULL;
        ui_dialog_free(d);          /* answers NULL through auth_destroy */
        ui_app_queue_redraw(app);
    } else if (auth_ui.shown && app->dialog != auth_ui.dialog) {
        answer(NULL);               /* replaced by someone; never left waiting */
    }
    while (!auth_ui.shown && !app->dialog && !g_queue_is_empty(&auth_ui.queue)) {
        struct vd_auth_request *r = g_queue_pop_head(&auth_ui.queue);
        if (vd_auth_request_cancelled(r)) {
            vd_auth_request_answer(r, NULL);
            continue;
        }
        show(app, r);
    }
}

static gboolean
on_tick(gpointer user)
{
    struct ui_app *app = user;

    pump(app);
    if (!auth_ui.shown && g_queue_is_empty(&auth_ui.queue)) {
        g_source_unref(auth_ui.timer);
        auth_ui.timer = NULL;
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static void
on_request(struct vd_auth_request *r, gpointer user)
{
    struct ui_app *app = user;

    g_queue_push_tail(&auth_ui.queue, r);
    pump(app);
    if (!auth_ui.timer) {
        auth_ui.timer = g_timeout_source_new(200);
        g_source_set_callback(auth_ui.timer, on_tick, app, NULL);
        g_source_attach(auth_ui.timer, app->ctx);
    }
}

void
ui_auth_init(struct ui_app *app)
{
    auth_ui.app = app;
    vd_auth_set_handler(app->ctx, on_request, app);
}

void
ui_auth_shutdown(struct ui_app *app)
{
    struct vd_auth_request *r;

    vd_auth_set_handler(NULL, NULL, NULL);
    while ((r = g_queue_pop_head(&auth_ui.queue)))
        vd_auth_request_answer(r, NULL);
    if (auth_ui.shown && app->dialog == auth_ui.dialog) {
        struct ui_dialog *d = app->dialog;
        app->dialog = NULL;
        ui_dialog_free(d);
    }
    if (auth_ui.shown)
        answer(NULL);
    if (auth_ui.timer) {
        g_source_destroy(auth_ui.timer);
        g_source_unref(auth_ui.timer);
        auth_ui.timer = NULL;
    }
}
