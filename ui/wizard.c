/* virtdeck - what the wizards share: select the new domain, run an editor
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <config.h>

#include "i18n.h"
#include "model.h"
#include "ui/console.h"
#include "ui/term.h"
#include "ui/wizard.h"

struct select_later {
    struct ui_app *app;
    guint host;
    char *uuid;
    int tries;
    bool console;
};

static void
select_later_free(gpointer p)
{
    struct select_later *s = p;
    g_free(s->uuid);
    g_free(s);
}

static gboolean
select_tick(gpointer user)
{
    struct select_later *s = user;
    struct ui_host *h;

    if (s->host >= s->app->hosts->len || ++s->tries > 50)
        return G_SOURCE_REMOVE;
    h = g_ptr_array_index(s->app->hosts, s->host);
    if (!vd_host_snap_find(h->snap, s->uuid))
        return G_SOURCE_CONTINUE;
    if (s->app->dialog || (s->app->screens && s->app->screens->len))
        return G_SOURCE_REMOVE;   /* the user is busy elsewhere */
    ui_app_select_host(s->app, s->host);
    s->app->focus = UI_FOCUS_DOMAINS;
    ui_app_recalc(s->app);
    ui_list_select_key(&s->app->doms, s->uuid);
    if (s->console)
        ui_console_open(s->app, s->host, s->uuid, NULL, false);
    ui_app_queue_redraw(s->app);
    return G_SOURCE_REMOVE;
}

void
ui_wizard_select_later(struct ui_app *app, guint host, const char *uuid, bool console)
{
    struct select_later *s = g_new0(struct select_later, 1);
    GSource *src = g_timeout_source_new(200);

    s->app = app;
    s->host = host;
    s->uuid = g_strdup(uuid);
    s->console = console;
    g_source_set_callback(src, select_tick, s, select_later_free);
    g_source_attach(src, app->ctx);
    g_source_unref(src);
}

bool
ui_wizard_edit_file(struct ui_app *app, const char *path, char **error)
{
    const char *ed = g_getenv("VISUAL");
    g_auto(GStrv) argv = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) args = g_ptr_array_new();
    int status = 0;
    bool ok;

    if (!ed || !*ed)
        ed = g_getenv("EDITOR");
    if (!ed || !*ed)
        ed = "vi";
    if (!g_shell_parse_argv(ed, NULL, &argv, &err)) {
        *error = g_strdup_printf(_("Cannot run the editor %1$s: %2$s"), ed, err->message);
        return false;
    }
    for (guint i = 0; argv[i]; i++)
        g_ptr_array_add(args, argv[i]);
    g_ptr_array_add(args, (gpointer)path);
    g_ptr_array_add(args, NULL);
    def_prog_mode();
    endwin();
    ok = g_spawn_sync(NULL, (char **)args->pdata, NULL,
                      G_SPAWN_SEARCH_PATH | G_SPAWN_CHILD_INHERITS_STDIN, NULL, NULL, NULL, NULL,
                      &status, &err);
    reset_prog_mode();
    clearok(curscr, TRUE);
    refresh();
    if (!ok) {
        *error = g_strdup_printf(_("Cannot run the editor %1$s: %2$s"), ed, err->message);
        return false;
    }
    if (!g_spawn_check_wait_status(status, NULL)) {
        *error = g_strdup_printf(_("The editor %s failed; nothing was changed"), ed);
        return false;
    }
    return true;
}
