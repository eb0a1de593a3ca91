/* virtdeck - command handlers and domain actions
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <config.h>

#include <string.h>

#include "i18n.h"
#include "rrd-store.h"
#include "ui/app.h"
#include "ui/console.h"
#include "ui/dialog.h"
#include "ui/views.h"
#include "ui/wizard.h"

/* What the status line says while an action runs ("Starting lab1…").
 * TRANSLATORS: in these, %s is a domain name or a comma-separated list. */
static char *
progress_text(enum vd_action a, const char *names)
{
    switch (a) {
    case VD_ACTION_START: return g_strdup_printf(_("Starting %s…"), names);
    case VD_ACTION_SHUTDOWN: return g_strdup_printf(_("Shutting down %s…"), names);
    case VD_ACTION_REBOOT: return g_strdup_printf(_("Rebooting %s…"), names);
    case VD_ACTION_RESET: return g_strdup_printf(_("Resetting %s…"), names);
    case VD_ACTION_DESTROY: return g_strdup_printf(_("Forcing off %s…"), names);
    case VD_ACTION_SUSPEND: return g_strdup_printf(_("Pausing %s…"), names);
    case VD_ACTION_RESUME: return g_strdup_printf(_("Resuming %s…"), names);
    case VD_ACTION_MANAGED_SAVE: return g_strdup_printf(_("Saving %s…"), names);
    case VD_ACTION_RESTORE: return g_strdup_printf(_("Restoring %s…"), names);
    case VD_ACTION_AUTOSTART_ON: return g_strdup_printf(_("Enabling autostart of %s…"), names);
    case VD_ACTION_AUTOSTART_OFF: return g_strdup_printf(_("Disabling autostart of %s…"), names);
    case VD_ACTION_UNDEFINE: return g_strdup_printf(_("Undefining %s…"), names);
    case VD_ACTION_LAST: break;
    }
    return g_strdup(names);
}

/* One action on a set of domains of one host. */
struct plan {
    struct ui_app *app;
    guint host;
    enum vd_action action;
    GPtrArray *uuids;       /* char * */
    GPtrArray *names;       /* char * */
};

static struct plan *
plan_new(struct ui_app *app, enum vd_action a)
{
    struct plan *p = g_new0(struct plan, 1);

    p->app = app;
    p->host = app->cur;
    p->action = a;
    p->uuids = g_ptr_array_new_with_free_func(g_free);
    p->names = g_ptr_array_new_with_free_func(g_free);
    return p;
}

static void
plan_free(gpointer data)
{
    struct plan *p = data;

    if (!p)
        return;
    g_ptr_array_unref(p->uuids);
    g_ptr_array_unref(p->names);
    g_free(p);
}

static char *
join_names(GPtrArray *names)
{
    GString *s = g_string_new(NULL);

    for (guint i = 0; i < names->len; i++) {
        if (i)
            g_string_append(s, ", ");
        g_string_append(s, g_ptr_array_index(names, i));
    }
    return g_string_free(s, FALSE);
}

static void
on_action_done(struct vd_conn *c, bool ok, const char *message, gpointer user)
{
    struct ui_app *app = user;

    ui_app_set_status(app, ok ? VD_C_STATUS_OK : VD_C_STATUS_ERROR, "%s", message);
}

static void
plan_submit(struct plan *p, const char *skipped)
{
    struct ui_app *app = p->app;
    struct ui_host *h;
    g_autofree char *names = join_names(p->names);
    g_autofree char *progress = progress_text(p->action, names);

    if (p->host >= app->hosts->len)
        return;
    h = g_ptr_array_index(app->hosts, p->host);
    vd_conn_action(h->conn, p->action, (const char *const *)p->uuids->pdata, p->uuids->len,
                   on_action_done, app);
    if (skipped && *skipped)
        /* TRANSLATORS: "Starting a, b… (skipped: c: not running)" */
        ui_app_set_status(app, VD_C_STATUS_INFO, _("%1$s (skipped: %2$s)"), progress, skipped);
    else
        ui_app_set_status(app, VD_C_STATUS_INFO, "%s", progress);
}

/* Domains an action applies to: the marked ones on this host, else the selection. */
static GPtrArray *
action_targets(struct ui_app *app)
{
    GPtrArray *out = g_ptr_array_new();
    struct ui_host *h = ui_app_host(app);
    int sel;

    if (!h || !h->snap->domains)
        return out;
    /* marked rows that the filter shows: an action never reaches a domain
     * the user cannot see */
    if (g_hash_table_size(h->marks) > 0 && app->doms.vis) {
        for (guint i = 0; i < app->doms.vis->len; i++) {
            guint row = g_array_index(app->doms.vis, guint, i);
            struct vd_domain *d;

            if (row >= h->snap->domains->len)
                continue;
            d = g_ptr_array_index(h->snap->domains, row);
            if (g_hash_table_contains(h->marks, d->uuid))
                g_ptr_array_add(out, d);
        }
    }
    if (out->len == 0 && (sel = ui_list_selected(&app->doms)) >= 0)
        g_ptr_array_add(out, g_ptr_array_index(h->snap->domains, sel));
    return out;
}

static void
add_skipped(GString *skipped, const struct vd_domain *d, const char *why)
{
    if (skipped->len)
        g_string_append(skipped, "; ");
    /* TRANSLATORS: a domain that an action skipped, and why: "lab1: not running" */
    g_string_append_printf(skipped, _("%1$s: %2$s"), d->name, why ? why : _("not possible now"));
}

static bool
plan_add(struct plan *p, const struct vd_domain *d, GString *skipped)
{
    const char *why = NULL;

    if (!vd_action_allowed(p->action, d, &why)) {
        add_skipped(skipped, d, why);
        return false;
    }
    g_ptr_array_add(p->uuids, g_strdup(d->uuid));
    g_ptr_array_add(p->names, g_strdup(d->name));
    return true;
}

enum { CONFIRM_YES = 1, CONFIRM_NO = 2 };

static bool
confirm_done(struct ui_dialog *d, int result, gpointer user)
{
    struct plan *p = user;

    if (result == CONFIRM_YES)
        plan_submit(p, NULL);
    else
        ui_app_set_status(p->app, VD_C_STATUS_INFO, "%s", _("Cancelled"));
    return true;
}

/* Whole questions per action: translators see sentences, not pieces. */
static char *
confirm_question(enum vd_action a, guint n, const char *names)
{
    switch (a) {
    case VD_ACTION_SHUTDOWN:
        if (n == 1)
            return g_strdup_printf(_("Shut down %s? The guest is asked to power off (ACPI)."), names);
        return g_strdup_printf(ngettext("Shut down %u domain: %s? The guests are asked to power off (ACPI).",
                                        "Shut down %u domains: %s? The guests are asked to power off (ACPI).", n),
                               n, names);
    case VD_ACTION_REBOOT:
        if (n == 1)
            return g_strdup_printf(_("Reboot %s?"), names);
        return g_strdup_printf(ngettext("Reboot %u domain: %s?", "Reboot %u domains: %s?", n), n, names);
    case VD_ACTION_RESET:
        if (n == 1)
            return g_strdup_printf(_("Reset %s? Like pressing the reset button: unsaved data in the guest is lost."),
                                   names);
        return g_strdup_printf(ngettext("Reset %u domain: %s? Unsaved data in the guests is lost.",
                                        "Reset %u domains: %s? Unsaved data in the guests is lost.", n),
                               n, names);
    case VD_ACTION_DESTROY:
        if (n == 1)
            return g_strdup_printf(_("Force off %s? Like pulling the power cord: unsaved data in the guest is lost."),
                                   names);
        return g_strdup_printf(ngettext("Force off %u domain: %s? Unsaved data in the guests is lost.",
                                        "Force off %u domains: %s? Unsaved data in the guests is lost.", n),
                               n, names);
    case VD_ACTION_UNDEFINE:
        if (n == 1)
            return g_strdup_printf(_("Undefine %s? Its configuration is removed; disk images and other storage are kept."),
                                   names);
        return g_strdup_printf(ngettext("Undefine %u domain: %s? Disk images and other storage are kept.",
                                        "Undefine %u domains: %s? Disk images and other storage are kept.", n),
                               n, names);
    default:
        /* TRANSLATORS: generic confirmation: action label, domain names */
        return g_strdup_printf(_("%1$s: %2$s?"), vd_action_label(a), names);
    }
}

/* A question with Yes and No, No by default: every confirmation looks and
 * answers the same (y/n, and д/н on a Cyrillic layout). */
static struct ui_dialog *
yes_no_dialog(const char *title, const char *text)
{
    struct ui_dialog *d = ui_dialog_new(title, 60);

    ui_dialog_set_message(d, text);
    ui_dialog_add_button(d, _("Yes"), CONFIRM_YES);
    ui_dialog_add_button(d, _("No"), CONFIRM_NO);
    ui_dialog_set_default(d, CONFIRM_NO);
    ui_dialog_focus_button(d, CONFIRM_NO);
    ui_dialog_add_hotkey(d, 'y', CONFIRM_YES);
    ui_dialog_add_hotkey(d, 'Y', CONFIRM_YES);
    ui_dialog_add_hotkey(d, 'n', CONFIRM_NO);
    ui_dialog_add_hotkey(d, 'N', CONFIRM_NO);
    /* the Russian answers, for a Cyrillic keyboard layout: д(а) / н(ет);
     * the physical Y key gives н there, which answers No: the safe side */
    ui_dialog_add_hotkey(d, 0x434, CONFIRM_YES);   /* д */
    ui_dialog_add_hotkey(d, 0x414, CONFIRM_YES);   /* Д */
    ui_dialog_add_hotkey(d, 0x43d, CONFIRM_NO);    /* н */
    ui_dialog_add_hotkey(d, 0x41d, CONFIRM_NO);    /* Н */
    return d;
}

struct ui_dialog *
ui_yes_no_dialog(const char *title, const char *text)
{
    G_STATIC_ASSERT(UI_CONFIRM_YES == CONFIRM_YES);
    return yes_no_dialog(title, text);
}

static void
confirm(struct ui_app *app, struct plan *p, const char *skipped)
{
    g_autofree char *names = join_names(p->names);
    g_autofree char *text = NULL;
    struct ui_dialog *d;

    text = confirm_question(p->action, p->names->len, names);
    if (skipped && *skipped) {
        g_autofree char *t = text;
        text = g_strdup_printf(_("%1$s (skipped: %2$s)"), t, skipped);
    }
    d = yes_no_dialog(vd_action_label(p->action), text);
    ui_dialog_set_callbacks(d, NULL, confirm_done, p, plan_free);
    ui_app_open_dialog(app, d);
}

static unsigned
no_targets(struct ui_app *app)
{
    ui_app_set_status(app, VD_C_STATUS_ERROR, "%s", _("No domain selected"));
    return UI_REDRAW;
}

static unsigned
run_action(struct ui_app *app, enum vd_action a)
{
    g_autoptr(GPtrArray) targets = action_targets(app);
    g_autoptr(GString) skipped = g_string_new(NULL);
    struct plan *p;

    if (targets->len == 0)
        return no_targets(app);
    p = plan_new(app, a);
    for (guint i = 0; i < targets->len; i++)
        plan_add(p, g_ptr_array_index(targets, i), skipped);
    if (p->uuids->len == 0) {
        ui_app_set_status(app, VD_C_STATUS_ERROR, _("%1$s: %2$s"), vd_action_label(a), skipped->str);
        plan_free(p);
    } else if (vd_action_confirm(a)) {
        confirm(app, p, skipped->str);
    } else {
        plan_submit(p, skipped->str);
        plan_free(p);
    }
    return UI_REDRAW;
}

/* pause-resume and autostart-toggle: a different action per domain. */
static unsigned
run_toggle(struct ui_app *app, enum vd_action on, enum vd_action off,
           bool (*is_on)(const struct vd_domain *d))
{
    g_autoptr(GPtrArray) targets = action_targets(app);
    g_autoptr(GString) skipped = g_string_new(NULL);
    struct plan *p_on = plan_new(app, on), *p_off = plan_new(app, off);

    if (targets->len == 0) {
        plan_free(p_on);
        plan_free(p_off);
        return no_targets(app);
    }
    for (guint i = 0; i < targets->len; i++) {
        const struct vd_domain *d = g_ptr_array_index(targets, i);
        plan_add(is_on(d) ? p_off : p_on, d, skipped);
    }
    if (p_on->uuids->len == 0 && p_off->uuids->len == 0)
        ui_app_set_status(app, VD_C_STATUS_ERROR, "%s", skipped->str);
    if (p_on->uuids->len)
        plan_submit(p_on, skipped->str);
    if (p_off->uuids->len)
        plan_submit(p_off, skipped->str);
    plan_free(p_on);
    plan_free(p_off);
    return UI_REDRAW;
}

static bool
is_paused(const struct vd_domain *d)
{
    return d->state == VD_DOM_PAUSED;
}

static bool
is_autostart(const struct vd_domain *d)
{
    return d->autostart;
}

/* ---- UI commands ---------------------------------------------------- */

static unsigned
cmd_move(struct ui_app *app, enum ui_cmd cmd)
{
    const struct ui_view *v = app->focus == UI_FOCUS_HOSTS ? &ui_view_hosts : &ui_view_domains;
    return v->command(app, cmd);
}

static unsigned
cmd_focus(struct ui_app *app, enum ui_cmd cmd)
{
    app->focus = cmd == UI_CMD_FOCUS_HOSTS ? UI_FOCUS_HOSTS : UI_FOCUS_DOMAINS;
    return UI_REDRAW;
}

static unsigned
cmd_mark(struct ui_app *app, enum ui_cmd cmd)
{
    if (cmd == UI_CMD_MARK_ALL) {
        ui_list_mark_all(&app->doms);
    } else {
        ui_list_toggle_mark(&app->doms);
        ui_list_move(&app->doms, 1);
    }
    return UI_REDRAW;
}

static void
set_filter(struct ui_app *app, const char *text)
{
    g_free(app->filter);
    app->filter = text && *text ? g_strdup(text) : NULL;
    ui_list_set_filter(&app->doms, app->filter);
}

static unsigned
cmd_clear(struct ui_app *app, enum ui_cmd cmd)
{
    struct ui_host *h = ui_app_host(app);

    /* a long action in progress on this host is what Esc cancels first */
    enum vd_job_cancel jc = h ? vd_conn_job_cancel(h->conn) : VD_JOB_CANCEL_NOW;

    if (h && vd_conn_abort_job(h->conn)) {
        ui_app_set_status(app, VD_C_STATUS_OK, "%s",
                          jc == VD_JOB_CANCEL_AFTER_STEP
                              ? _("Cancelling when the step in progress ends (libvirt cannot interrupt it)…")
                              : _("Cancelling…"));
        return UI_REDRAW;
    }
    set_filter(app, NULL);
    if (h)
        g_hash_table_remove_all(h->marks);
    return UI_RECALC;
}

static unsigned
cmd_filter(struct ui_app *app, enum ui_cmd cmd)
{
    app->prompt = g_string_new(app->filter);
    return UI_REDRAW;
}

unsigned
ui_app_filter_key(struct ui_app *app, ui_key k)
{
    GString *p = app->prompt;

    if (k == UI_KEY_ESC) {
        set_filter(app, NULL);
    } else if (k == '\n') {
        set_filter(app, p->str);
    } else if (k == (UI_KEY_FN | KEY_BACKSPACE)) {
        if (p->len) {
            const char *prev = g_utf8_find_prev_char(p->str, p->str + p->len);
            g_string_truncate(p, prev ? (gsize)(prev - p->str) : 0);
        }
        set_filter(app, p->str);
        return UI_RECALC;
    } else if (k == (UI_KEY_FN | KEY_DOWN) || k == (UI_KEY_FN | KEY_UP)) {
        ui_list_move(&app->doms, k == (UI_KEY_FN | KEY_DOWN) ? 1 : -1);
        return UI_REDRAW;
    } else if (!(k & UI_KEY_FN) && k >= 32 && k != 127 && g_unichar_isprint((gunichar)k)) {
        g_string_append_unichar(p, (gunichar)k);
        set_filter(app, p->str);
        return UI_RECALC;
    } else {
        return UI_OK;
    }
    g_string_free(app->prompt, TRUE);
    app->prompt = NULL;
    return UI_RECALC;
}

static unsigned
cmd_sort(struct ui_app *app, enum ui_cmd cmd)
{
    if (cmd == UI_CMD_SORT_REVERSE)
        ui_list_sort_reverse(&app->doms);
    else
        ui_list_sort_next(&app->doms);
    return UI_RECALC;
}

static unsigned
cmd_toggle(struct ui_app *app, enum ui_cmd cmd)
{
    if (cmd == UI_CMD_PAUSE_TOGGLE)
        return run_toggle(app, VD_ACTION_SUSPEND, VD_ACTION_RESUME, is_paused);
    return run_toggle(app, VD_ACTION_AUTOSTART_ON, VD_ACTION_AUTOSTART_OFF, is_autostart);
}

static unsigned
cmd_host_step(struct ui_app *app, enum ui_cmd cmd)
{
    guint n = app->hosts->len;

    if (n == 0)
        return UI_OK;
    ui_app_select_host(app, (app->cur + (cmd == UI_CMD_NEXT_HOST ? 1 : n - 1)) % n);
    return UI_RECALC;
}

static unsigned
cmd_host_n(struct ui_app *app, enum ui_cmd cmd)
{
    guint n = cmd - UI_CMD_HOST_1;

    if (n >= app->hosts->len) {
        ui_app_set_status(app, VD_C_STATUS_ERROR, _("There is no host %u"), n + 1);
        return UI_REDRAW;
    }
    ui_app_select_host(app, n);
    return UI_RECALC;
}

static unsigned
cmd_add_connection(struct ui_app *app, enum ui_cmd cmd)
{
    ui_connect_dialog_open(app);
    return UI_REDRAW;
}

static unsigned
cmd_hosts_manager(struct ui_app *app, enum ui_cmd cmd)
{
    ui_hosts_manager_open(app);
    return UI_REDRAW;
}

static unsigned
cmd_migrate(struct ui_app *app, enum ui_cmd cmd)
{
    ui_migrate_open(app);
    return UI_REDRAW;
}

static unsigned
cmd_reconnect(struct ui_app *app, enum ui_cmd cmd)
{
    struct ui_host *h = ui_app_host(app);

    if (!h)
        return UI_OK;
    vd_conn_reconnect(h->conn);
    ui_app_set_status(app, VD_C_STATUS_INFO, _("Reconnecting to %s…"), vd_conn_uri(h->conn));
    return UI_REDRAW;
}

struct prune {
    struct ui_app *app;
    GPtrArray *paths;
};

static void
prune_free(gpointer data)
{
    struct prune *p = data;
    g_ptr_array_unref(p->paths);
    g_free(p);
}

static bool
prune_done(struct ui_dialog *d, int result, gpointer user)
{
    struct prune *p = user;
    g_autoptr(GError) err = NULL;

    if (result != CONFIRM_YES)
        ui_app_set_status(p->app, VD_C_STATUS_INFO, "%s", _("Cancelled"));
    else if (!vd_rrd_prune(p->paths, &err))
        ui_app_set_status(p->app, VD_C_STATUS_ERROR, "%s", err->message);
    else
        ui_app_set_status(p->app, VD_C_STATUS_OK,
                          ngettext("Deleted the history of %u domain", "Deleted the history of %u domains",
                                   p->paths->len), p->paths->len);
    return true;
}

/* History files of domains the host no longer has: kept until the user
 * deletes them here. Only on a connected host, whose list is complete. */
static unsigned
cmd_prune_history(struct ui_app *app, enum ui_cmd cmd)
{
    struct ui_host *h = ui_app_host(app);
    g_autoptr(GHashTable) live = NULL;
    g_autofree char *text = NULL;
    struct prune *p;
    struct ui_dialog *d;

    if (!h)
        return UI_OK;
    if (h->snap->state != VD_HOST_CONNECTED) {
        ui_app_set_status(app, VD_C_STATUS_ERROR, "%s",
                          _("The host is not connected: its domains are not known, nothing is deleted"));
        return UI_REDRAW;
    }
    live = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < h->snap->domains->len; i++)
        g_hash_table_add(live, ((struct vd_domain *)h->snap->domains->pdata[i])->uuid);
    p = g_new0(struct prune, 1);
    p->app = app;
    p->paths = vd_rrd_orphans(vd_conn_uri(h->conn), live);
    if (p->paths->len == 0) {
        ui_app_set_status(app, VD_C_STATUS_INFO, "%s", _("No history of vanished domains on this host"));
        prune_free(p);
        return UI_REDRAW;
    }
    text = g_strdup_printf(ngettext("Delete the history of %u domain that no longer exists on %s?",
                                    "Delete the history of %u domains that no longer exist on %s?",
                                    p->paths->len),
                           p->paths->len, ui_host_label(app, h));
    d = yes_no_dialog(_("Delete old history"), text);
    ui_dialog_set_callbacks(d, NULL, prune_done, p, prune_free);
    ui_app_open_dialog(app, d);
    return UI_REDRAW;
}

static unsigned
cmd_columns(struct ui_app *app, enum ui_cmd cmd)
{
    ui_domains_columns_dialog(app);
    return UI_REDRAW;
}

static unsigned
cmd_top(struct ui_app *app, enum ui_cmd cmd)
{
    ui_top_open(app);
    return UI_REDRAW;
}

static unsigned
cmd_networks(struct ui_app *app, enum ui_cmd cmd)
{
    ui_networks_open(app);
    return UI_REDRAW;
}

static unsigned
cmd_storage(struct ui_app *app, enum ui_cmd cmd)
{
    if (!ui_app_host(app))
        return UI_OK;
    ui_storage_open(app);
    return UI_REDRAW;
}

static unsigned
cmd_graphs(struct ui_app *app, enum ui_cmd cmd)
{
    if (!ui_app_host(app))
        return UI_OK;
    ui_graph_open(app);
    return UI_REDRAW;
}

/* Enter: the console of the selected domain; in the host tree it moves the
 * focus to the domain list (what Enter did before consoles). */
static unsigned
cmd_console(struct ui_app *app, enum ui_cmd cmd)
{
    struct ui_host *h = ui_app_host(app);
    int sel;

    if (app->focus == UI_FOCUS_HOSTS && cmd == UI_CMD_CONSOLE) {
        app->focus = UI_FOCUS_DOMAINS;
        return UI_REDRAW;
    }
    sel = h ? ui_list_selected(&app->doms) : -1;
    if (sel < 0 || (guint)sel >= h->snap->domains->len) {
        ui_app_set_status(app, VD_C_STATUS_INFO, "%s", _("Select a domain to open its console"));
        return UI_REDRAW;
    }
    ui_console_open(app, h->index, ((const struct vd_domain *)g_ptr_array_index(h->snap->domains, sel))->uuid,
                    cmd == UI_CMD_SERIAL_CONSOLE ? "serial" : cmd == UI_CMD_VNC_CONSOLE ? "vnc" : NULL, false);
    return UI_REDRAW;
}

static unsigned
cmd_new_vm(struct ui_app *app, enum ui_cmd cmd)
{
    ui_wizard_vm_open(app);
    return UI_REDRAW;
}

static unsigned
cmd_new_container(struct ui_app *app, enum ui_cmd cmd)
{
    ui_wizard_lxc_open(app);
    return UI_REDRAW;
}

static unsigned
cmd_clone(struct ui_app *app, enum ui_cmd cmd)
{
    ui_clone_open(app);
    return UI_REDRAW;
}

static unsigned
cmd_help(struct ui_app *app, enum ui_cmd cmd)
{
    app->help_open = true;
    app->help_top = 0;
    return UI_REDRAW;
}

static unsigned
cmd_show_message(struct ui_app *app, enum ui_cmd cmd)
{
    struct ui_dialog *d;

    if (!app->status)
        return UI_OK;
    d = ui_dialog_new(_("Last message"), 76);
    ui_dialog_set_message(d, app->status);
    ui_dialog_add_button(d, _("Close"), 0);
    ui_app_open_dialog(app, d);
    return UI_REDRAW;
}

static unsigned
cmd_redraw(struct ui_app *app, enum ui_cmd cmd)
{
    return UI_REPAINT | UI_REDRAW;
}

static unsigned
cmd_quit(struct ui_app *app, enum ui_cmd cmd)
{
    return UI_QUIT;
}

typedef unsigned (*ui_cmd_fn)(struct ui_app *app, enum ui_cmd cmd);

static const ui_cmd_fn handlers[UI_CMD_LAST] = {
    [UI_CMD_MOVE_DOWN] = cmd_move,
    [UI_CMD_MOVE_UP] = cmd_move,
    [UI_CMD_PAGE_DOWN] = cmd_move,
    [UI_CMD_PAGE_UP] = cmd_move,
    [UI_CMD_FIRST_ROW] = cmd_move,
    [UI_CMD_LAST_ROW] = cmd_move,
    [UI_CMD_FOCUS_HOSTS] = cmd_focus,
    [UI_CMD_FOCUS_DOMAINS] = cmd_focus,
    [UI_CMD_MARK] = cmd_mark,
    [UI_CMD_MARK_ALL] = cmd_mark,
    [UI_CMD_CLEAR] = cmd_clear,
    [UI_CMD_FILTER] = cmd_filter,
    [UI_CMD_SORT_NEXT] = cmd_sort,
    [UI_CMD_SORT_REVERSE] = cmd_sort,
    [UI_CMD_PAUSE_TOGGLE] = cmd_toggle,
    [UI_CMD_AUTOSTART_TOGGLE] = cmd_toggle,
    [UI_CMD_NEXT_HOST] = cmd_host_step,
    [UI_CMD_PREV_HOST] = cmd_host_step,
    [UI_CMD_HOST_1] = cmd_host_n,
    [UI_CMD_HOST_2] = cmd_host_n,
    [UI_CMD_HOST_3] = cmd_host_n,
    [UI_CMD_HOST_4] = cmd_host_n,
    [UI_CMD_HOST_5] = cmd_host_n,
    [UI_CMD_HOST_6] = cmd_host_n,
    [UI_CMD_HOST_7] = cmd_host_n,
    [UI_CMD_HOST_8] = cmd_host_n,
    [UI_CMD_HOST_9] = cmd_host_n,
    [UI_CMD_ADD_CONNECTION] = cmd_add_connection,
    [UI_CMD_RECONNECT] = cmd_reconnect,
    [UI_CMD_HOSTS_MANAGER] = cmd_hosts_manager,
    [UI_CMD_MIGRATE] = cmd_migrate,
    [UI_CMD_HELP] = cmd_help,
    [UI_CMD_GRAPHS] = cmd_graphs,
    [UI_CMD_CONSOLE] = cmd_console,
    [UI_CMD_SERIAL_CONSOLE] = cmd_console,
    [UI_CMD_VNC_CONSOLE] = cmd_console,
    [UI_CMD_PRUNE_HISTORY] = cmd_prune_history,
    [UI_CMD_TOP] = cmd_top,
    [UI_CMD_NETWORKS] = cmd_networks,
    [UI_CMD_STORAGE] = cmd_storage,
    [UI_CMD_COLUMNS] = cmd_columns,
    [UI_CMD_SHOW_MESSAGE] = cmd_show_message,
    [UI_CMD_REDRAW] = cmd_redraw,
    [UI_CMD_QUIT] = cmd_quit,
    [UI_CMD_NEW_VM] = cmd_new_vm,
    [UI_CMD_NEW_CONTAINER] = cmd_new_container,
    [UI_CMD_CLONE] = cmd_clone,
};

unsigned
ui_app_command(struct ui_app *app, int binding)
{
    if (UI_BIND_IS_ACTION(binding))
        return run_action(app, UI_BIND_TO_ACTION(binding));
    if (binding < 0 || binding >= UI_CMD_LAST || !handlers[binding])
        return UI_OK;
    return handlers[binding](app, (enum ui_cmd)binding);
}
