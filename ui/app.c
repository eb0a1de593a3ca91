/* virtdeck - application state and the UI main loop
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <config.h>

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <glib-unix.h>

#include "i18n.h"
#include "ui/app.h"
#include "ui/dialog.h"
#include "ui/draw.h"
#include "ui/term.h"
#include "ui/views.h"

static void restore_stderr(int saved);

static const struct ui_view *const views[] = { &ui_view_hosts, &ui_view_domains };

enum { SRC_STDIN, SRC_TIMER, SRC_WINCH, SRC_INT, SRC_TERM };

/* Sources go to app->ctx, never to the default context (libvirt's). */
static GSource *
attach(struct ui_app *app, GSource *src, GSourceFunc fn, gpointer data)
{
    g_source_set_callback(src, fn, data, NULL);
    g_source_attach(src, app->ctx);
    return src;
}

static void
drop_source(GSource **src)
{
    if (*src) {
        g_source_destroy(*src);
        g_source_unref(*src);
        *src = NULL;
    }
}

static void
host_free(gpointer p)
{
    struct ui_host *h = p;

    if (h->conn)
        vd_conn_close(h->conn);
    if (h->snap)
        vd_host_snap_unref(h->snap);
    g_hash_table_unref(h->marks);
    g_free(h->name);
    g_free(h->sel_uuid);
    g_free(h);
}

struct ui_app *
ui_app_new(struct vd_config *cfg)
{
    struct ui_app *app = g_new0(struct ui_app, 1);
    g_autoptr(GString) errors = g_string_new(NULL);

    app->cfg = cfg;
    app->ctx = g_main_context_new();
    g_main_context_push_thread_default(app->ctx);
    app->loop = g_main_loop_new(app->ctx, FALSE);
    app->hosts = g_ptr_array_new_with_free_func(host_free);
    app->tree_rows = g_array_new(FALSE, FALSE, sizeof(struct ui_tree_row));
    app->focus = UI_FOCUS_DOMAINS;
    app->status_slot = VD_C_STATUS_INFO;
    app->saved_stderr = -1;
    app->doms_host = -1;
    app->keymap = ui_keymap_new();
    app->conn_opt.refresh_ms = (cfg && cfg->refresh_s ? cfg->refresh_s : 2) * 1000;
    app->conn_opt.not_responding_ms = 2500;
    app->conn_opt.keepalive_interval = 2;
    app->conn_opt.keepalive_count = 3;
    app->conn_opt.history = cfg ? cfg->history : true;
    if (cfg && !ui_keymap_apply(app->keymap, cfg, errors)) {
        g_strchomp(errors->str);
        g_strdelimit(errors->str, "\n", ';');
        ui_app_set_status(app, VD_C_STATUS_ERROR, _("Key bindings: %s"), errors->str);
    }
    return app;
}

void
ui_app_free(struct ui_app *app)
{
    if (!app)
        return;
    ui_graph_close(app);
    ui_top_close(app);
    while (app->screens && app->screens->len)
        ui_app_pop_screen(app);
    if (app->screens)
        g_array_free(app->screens, TRUE);
    for (size_t i = 0; i < G_N_ELEMENTS(app->sources); i++)
        drop_source(&app->sources[i]);
    drop_source(&app->redraw_src);
    ui_dialog_free(app->dialog);
    restore_stderr(app->saved_stderr);
    ui_list_clear(&app->tree);
    ui_list_clear(&app->doms);
    g_ptr_array_unref(app->hosts);
    g_array_free(app->tree_rows, TRUE);
    ui_keymap_free(app->keymap);
    if (app->prompt)
        g_string_free(app->prompt, TRUE);
    g_free(app->status);
    g_free(app->filter);
    g_free(app->dom_empty);
    g_free(app->dom_msg);
    g_main_loop_unref(app->loop);
    g_main_context_pop_thread_default(app->ctx);
    g_main_context_unref(app->ctx);
    g_free(app);
}

void
ui_app_set_status(struct ui_app *app, enum vd_color slot, const char *fmt, ...)
{
    va_list ap;

    g_free(app->status);
    va_start(ap, fmt);
    app->status = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    app->status_slot = slot;
    ui_app_queue_redraw(app);
}

struct ui_host *
ui_app_host(const struct ui_app *app)
{
    if (app->cur >= app->hosts->len)
        return NULL;
    return g_ptr_array_index(app->hosts, app->cur);
}

const char *
ui_host_label(const struct ui_app *app, const struct ui_host *h)
{
    const char *label = vd_host_snap_label(h->snap);

    if (h->name)
        return h->name;
    for (guint i = 0; i < app->hosts->len; i++) {
        const struct ui_host *o = g_ptr_array_index(app->hosts, i);
        if (o != h && !o->name && g_strcmp0(vd_host_snap_label(o->snap), label) == 0)
            return h->snap->uri;
    }
    return label;
}

void
ui_app_select_host(struct ui_app *app, guint index)
{
    if (index >= app->hosts->len)
        return;
    app->cur = index;
    ui_app_recalc(app);
}

/* ---- model updates -------------------------------------------------- */

static struct ui_host *
find_host(struct ui_app *app, struct vd_conn *c)
{
    for (guint i = 0; i < app->hosts->len; i++) {
        struct ui_host *h = g_ptr_array_index(app->hosts, i);
        if (h->conn == c)
            return h;
    }
    return NULL;
}

static void
take_snapshot(struct ui_host *h)
{
    struct vd_host_snap *s = vd_conn_snapshot(h->conn);

    if (h->snap)
        vd_host_snap_unref(h->snap);
    h->snap = s;
    h->last_state = s->state;
}

static void
on_conn_notify(struct vd_conn *c, gpointer user)
{
    struct ui_app *app = user;
    struct ui_host *h = find_host(app, c);

    if (!h)
        return;
    take_snapshot(h);
    ui_app_recalc(app);
    ui_app_queue_redraw(app);
}

guint
ui_app_add_host(struct ui_app *app, const char *uri, const char *name)
{
    struct ui_host *h = g_new0(struct ui_host, 1);

    h->index = app->hosts->len;
    h->name = g_strdup(name);
    h->marks = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    h->conn = vd_conn_new(uri, &app->conn_opt, app->ctx, on_conn_notify, app);
    take_snapshot(h);
    g_ptr_array_add(app->hosts, h);
    ui_app_recalc(app);
    ui_app_queue_redraw(app);
    return h->index;
}

void
ui_app_remove_host(struct ui_app *app, guint index)
{
    struct ui_host *cur = ui_app_host(app);

    if (index >= app->hosts->len)
        return;
    g_ptr_array_remove_index(app->hosts, index);   /* host_free closes it */
    for (guint i = 0; i < app->hosts->len; i++)
        ((struct ui_host *)g_ptr_array_index(app->hosts, i))->index = i;
    app->doms_host = -1;
    if (cur && g_ptr_array_find(app->hosts, cur, &app->cur))
        ;
    else
        app->cur = app->cur > 0 && app->cur >= app->hosts->len ? app->hosts->len - 1 : app->cur;
    ui_app_recalc(app);
    ui_app_queue_redraw(app);
}

void
ui_app_disconnect_host(struct ui_app *app, guint index)
{
    struct ui_host *h;
    struct vd_conn *old;
    struct vd_conn_options opt = app->conn_opt;

    if (index >= app->hosts->len)
        return;
    h = g_ptr_array_index(app->hosts, index);
    old = h->conn;
    /* the libvirt connection goes away (vd_conn_close); the host stays in
     * the tree with an idle placeholder until it is connected again */
    opt.start_idle = true;
    h->conn = vd_conn_new(vd_conn_uri(old), &opt, app->ctx, on_conn_notify, app);
    vd_conn_close(old);
    take_snapshot(h);
    ui_app_recalc(app);
    ui_app_queue_redraw(app);
}

/* Runs every 500 ms: a state check per host, no drawing unless it changed. */
static gboolean
on_timer(gpointer user)
{
    struct ui_app *app = user;
    bool changed = false;

    for (guint i = 0; i < app->hosts->len; i++) {
        struct ui_host *h = g_ptr_array_index(app->hosts, i);
        g_autofree char *label = NULL;
        int pct = -1;

        if (vd_conn_state(h->conn) != h->last_state) {
            take_snapshot(h);
            changed = true;
        }
        if (vd_conn_job(h->conn, &label, &pct)) {
            g_autofree char *text = pct >= 0
                /* TRANSLATORS: long action progress: "Saving lab1: 42% (Esc cancels)" */
                ? g_strdup_printf(_("%1$s: %2$d%% (Esc cancels)"), label, pct)
                : g_strdup_printf(_("%s… (Esc cancels)"), label);
            if (g_strcmp0(text, app->status) != 0) {
                ui_app_set_status(app, VD_C_STATUS_OK, "%s", text);
                changed = true;
            }
        }
    }
    if (changed) {
        ui_app_recalc(app);
        ui_app_queue_redraw(app);
    }
    return G_SOURCE_CONTINUE;
}

/* ---- layout --------------------------------------------------------- */

static int
status_lines(const struct ui_app *app, int cols)
{
    g_auto(GStrv) lines = NULL;
    int n;

    if (app->prompt || !app->status)
        return 1;
    lines = ui_wrap(app->status, cols - 1, 3);
    n = (int)g_strv_length(lines);
    return CLAMP(n, 1, 3);
}

static void
compute_layout(struct ui_app *app)
{
    struct ui_layout *lay = &app->lay;

    lay->rows = LINES;
    lay->cols = COLS;
    lay->too_small = lay->cols < 80 || lay->rows < 24;
    if (lay->too_small)
        return;
    lay->fkey_y = lay->rows - 1;
    lay->status_h = status_lines(app, lay->cols);
    lay->status_y = lay->fkey_y - lay->status_h;
    lay->pane_y = 1;
    lay->pane_h = lay->status_y - lay->pane_y;
    lay->left_w = CLAMP(lay->cols / 3, 24, 56);
    lay->info_h = CLAMP(lay->pane_h / 3, 7, 10);
    lay->tree_h = lay->pane_h - lay->info_h;
    lay->info_y = lay->pane_y + lay->tree_h;
    lay->right_x = lay->left_w + 1;
    lay->right_w = lay->cols - lay->right_x;
    lay->narrow = lay->left_w < 30;
    for (size_t i = 0; i < G_N_ELEMENTS(views); i++)
        views[i]->layout(app);
}

void
ui_app_recalc(struct ui_app *app)
{
    for (size_t i = 0; i < G_N_ELEMENTS(views); i++)
        views[i]->recalc(app);
    ui_graph_recalc(app);
    ui_top_recalc(app);
    for (guint i = 0; app->screens && i < app->screens->len; i++) {
        struct ui_screen *sc = &g_array_index(app->screens, struct ui_screen, i);
        if (sc->ops->recalc)
            sc->ops->recalc(app, sc->state);
    }
    if (app->lay.rows)
        compute_layout(app);
}

/* ---- drawing (pure: reads app, writes the curses screen) ------------ */

static void
draw_title(const struct ui_app *app)
{
    const struct ui_host *h = ui_app_host(app);
    attr_t attr = vd_attr(VD_C_HEADER);
    g_autoptr(GString) s = g_string_new(" virtdeck");

    if (h) {
        guint n = h->snap->domains ? h->snap->domains->len : 0, running = 0;
        guint marked = g_hash_table_size(h->marks);
        for (guint i = 0; i < n; i++)
            if (vd_dom_is_active(g_ptr_array_index(h->snap->domains, i)))
                running++;
        g_string_append_printf(s, "  %s %s  ", ui_glyph(UI_G_VLINE),
                               ui_host_label(app, h));
        g_string_append_printf(s, ngettext("%u domain", "%u domains", n), n);
        g_string_append(s, ", ");
        g_string_append_printf(s, ngettext("%u active", "%u active", running), running);
        if (marked) {
            g_string_append(s, ", ");
            g_string_append_printf(s, ngettext("%u marked", "%u marked", marked), marked);
        }
    }
    if (app->filter && !app->prompt) {
        g_string_append_printf(s, "  %s ", ui_glyph(UI_G_VLINE));
        g_string_append_printf(s, _("Filter: %s"), app->filter);
    }
    ui_draw_text(0, 0, app->lay.cols, s->str, attr, UI_ALIGN_LEFT, true);
}

static void
draw_status(const struct ui_app *app)
{
    const struct ui_layout *lay = &app->lay;

    ui_draw_rect(lay->status_y, 0, lay->status_h, lay->cols, vd_attr(VD_C_NORMAL));
    if (app->prompt) {
        g_autofree char *label = g_strdup_printf("%s ", _("Filter:"));
        int lw = ui_draw_text(lay->status_y, 0, lay->cols, label, vd_attr(VD_C_FILTER),
                              UI_ALIGN_LEFT, false);
        int tw = ui_draw_text(lay->status_y, lw, lay->cols - lw - 1, app->prompt->str,
                              vd_attr(VD_C_NORMAL), UI_ALIGN_LEFT, false);
        ui_draw_text(lay->status_y, lw + tw, 1, " ", vd_attr(VD_C_NORMAL) | A_REVERSE,
                     UI_ALIGN_LEFT, false);
        return;
    }
    if (app->status) {
        g_auto(GStrv) lines = ui_wrap(app->status, lay->cols - 1, lay->status_h);
        for (int i = 0; lines[i] && i < lay->status_h; i++)
            ui_draw_text(lay->status_y + i, 0, lay->cols, lines[i], vd_attr(app->status_slot),
                         UI_ALIGN_LEFT, false);
    }
}

static const struct ui_fkey main_fkeys[] = {
    /* TRANSLATORS: F-key bar labels: keep them short (6 cells) */
    { UI_CMD_HELP, NULL, NC_("fkey", "Help"), 2 },
    { UI_CMD_ADD_CONNECTION, NULL, NC_("fkey", "Conn"), 4 },
    { UI_CMD_FILTER, NULL, NC_("fkey", "Filter"), 3 },
    { UI_CMD_RECONNECT, NULL, NC_("fkey", "Reconn"), 6 },
    { UI_BIND_ACTION(VD_ACTION_START), NULL, NC_("fkey", "Start"), 1 },
    { UI_CMD_SORT_NEXT, NULL, NC_("fkey", "Sort"), 5 },
    { UI_BIND_ACTION(VD_ACTION_SHUTDOWN), NULL, NC_("fkey", "Shutdn"), 1 },
    { UI_BIND_ACTION(VD_ACTION_DESTROY), NULL, NC_("fkey", "Kill"), 1 },
    { UI_CMD_QUIT, NULL, NC_("fkey", "Quit"), 0 },
    { 0, NULL, NULL, 0 },
};

static int
fkey_item_width(const char *key, const char *label)
{
    return ui_text_width(key) + MAX(ui_text_width(label), 6) + 1;
}

/* Under a dialog: its own keys (the main screen's do not reach it). */
static const struct ui_fkey dialog_fkeys[] = {
    { UI_FKEY_LITERAL, "Tab", NC_("fkey", "Next"), 2 },
    { UI_FKEY_LITERAL, "S-Tab", NC_("fkey", "Prev"), 3 },
    { UI_FKEY_LITERAL, "Enter", NC_("fkey", "OK"), 0 },
    { UI_FKEY_LITERAL, "Esc", NC_("fkey", "Cancel"), 0 },
    { 0, NULL, NULL, 0 },
};
static const struct ui_fkey wizard_fkeys[] = {
    { UI_FKEY_LITERAL, "Tab", NC_("fkey", "Next"), 2 },
    { UI_FKEY_LITERAL, "S-Tab", NC_("fkey", "Prev"), 3 },
    { UI_FKEY_LITERAL, "PgDn", NC_("fkey", "Step+"), 1 },
    { UI_FKEY_LITERAL, "PgUp", NC_("fkey", "Step-"), 1 },
    { UI_FKEY_LITERAL, "Enter", NC_("fkey", "OK"), 0 },
    { UI_FKEY_LITERAL, "Esc", NC_("fkey", "Cancel"), 0 },
    { 0, NULL, NULL, 0 },
};

static void
draw_fkeys(const struct ui_app *app, const struct ui_screen *sc)
{
    const struct ui_fkey *items = sc && sc->ops->fkeys ? sc->ops->fkeys(app, sc->state) : NULL;

    if (app->dialog)
        items = ui_dialog_n_pages(app->dialog) > 1 ? wizard_fkeys : dialog_fkeys;
    int y = app->lay.fkey_y, x = 0, cols = app->lay.cols, total = 0;
    size_t n = 0;

    if (!items)
        items = main_fkeys;
    while (items[n].label)
        n++;

    char *keys[n + 1];
    int width[n + 1];

    ui_draw_fill(y, 0, cols, vd_attr(VD_C_FKEY_LABEL));
    for (size_t i = 0; i < n; i++) {
        keys[i] = items[i].binding == UI_FKEY_LITERAL ? g_strdup(items[i].key)
                                                      : ui_keymap_label(app->keymap, items[i].binding, true);
        width[i] = keys[i] ? fkey_item_width(keys[i], vd_pgettext_rt("fkey", items[i].label)) : 0;
        total += width[i];
    }
    /* drop the least useful items until the bar fits */
    for (int drop = 9; drop >= 0 && total > cols; drop--) {
        for (size_t i = n; i-- > 0 && total > cols;) {
            if (items[i].drop == drop && width[i]) {
                total -= width[i];
                width[i] = 0;
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (width[i] && x + width[i] <= cols) {
            int kw = ui_draw_text(y, x, cols - x, keys[i], vd_attr(VD_C_FKEY_KEY),
                                  UI_ALIGN_LEFT, false);
            ui_draw_text(y, x + kw, width[i] - kw, vd_pgettext_rt("fkey", items[i].label), vd_attr(VD_C_FKEY_LABEL),
                         UI_ALIGN_LEFT, true);
            x += width[i];
        }
        g_free(keys[i]);
    }
}

static void
draw_too_small(const struct ui_app *app)
{
    g_autofree char *msg = g_strdup_printf(_("Terminal too small (%1$dx%2$d), need 80x24"),
                                           app->lay.cols, app->lay.rows);
    g_auto(GStrv) lines = ui_wrap(msg, MAX(app->lay.cols - 2, 1), 0);
    int n = (int)g_strv_length(lines), y = MAX((app->lay.rows - n) / 2, 0);

    for (int i = 0; lines[i] && y + i < app->lay.rows; i++)
        ui_draw_text(y + i, 1, app->lay.cols - 2, lines[i], vd_attr(VD_C_STATUS_ERROR),
                     UI_ALIGN_CENTER, false);
}

static const struct ui_screen *
top_screen(const struct ui_app *app)
{
    if (!app->screens || !app->screens->len)
        return NULL;
    return &g_array_index(app->screens, struct ui_screen, app->screens->len - 1);
}

static void
draw_all(const struct ui_app *app)
{
    const struct ui_layout *lay = &app->lay;
    const struct ui_screen *sc = top_screen(app);

    erase();
    if (lay->too_small) {
        draw_too_small(app);
        return;
    }
    if (sc && sc->ops->fullscreen) {
        sc->ops->draw(app, sc->state);
        if (app->help_open)
            ui_help_draw(app);
        if (app->dialog)
            ui_dialog_draw(app->dialog, lay->rows, lay->cols);
        return;
    }
    draw_title(app);
    for (size_t i = 0; i < G_N_ELEMENTS(views); i++)
        views[i]->draw(app);
    ui_draw_vline(lay->pane_y, lay->left_w, lay->pane_h, vd_attr(VD_C_BORDER));
    if (app->top)
        ui_top_draw(app);
    if (app->graph)
        ui_graph_draw(app);
    if (sc)
        sc->ops->draw(app, sc->state);
    draw_status(app);
    draw_fkeys(app, sc);
    if (app->help_open)
        ui_help_draw(app);
    if (app->dialog)
        ui_dialog_draw(app->dialog, lay->rows, lay->cols);
}

static gboolean
on_redraw(gpointer user)
{
    struct ui_app *app = user;

    drop_source(&app->redraw_src);
    compute_layout(app);
    draw_all(app);
    attrset(A_NORMAL);
    wnoutrefresh(stdscr);
    doupdate();
    return G_SOURCE_REMOVE;
}

void
ui_app_queue_redraw(struct ui_app *app)
{
    if (!app->redraw_src && app->lay.rows)
        app->redraw_src = attach(app, g_idle_source_new(), on_redraw, app);
}

void
ui_app_open_dialog(struct ui_app *app, struct ui_dialog *d)
{
    /* a dialog still open here is the one whose callback is running:
     * app_key() frees it when the callback returns */
    app->dialog = d;
    ui_app_queue_redraw(app);
}

void
ui_app_push_screen(struct ui_app *app, const struct ui_screen_ops *ops, gpointer state)
{
    struct ui_screen sc = { ops, state };

    if (!app->screens)
        app->screens = g_array_new(FALSE, FALSE, sizeof(struct ui_screen));
    g_array_append_val(app->screens, sc);
    if (ops->recalc)
        ops->recalc(app, state);
    ui_app_queue_redraw(app);
}

void
ui_app_close_screen(struct ui_app *app, gpointer state)
{
    for (guint i = app->screens ? app->screens->len : 0; i-- > 0;) {
        struct ui_screen sc = g_array_index(app->screens, struct ui_screen, i);
        if (sc.state != state)
            continue;
        g_array_remove_index(app->screens, i);
        if (sc.ops->free)
            sc.ops->free(sc.state);
        break;
    }
    clearok(curscr, TRUE);
    ui_app_queue_redraw(app);
}

void
ui_app_pop_screen(struct ui_app *app)
{
    const struct ui_screen *sc = top_screen(app);

    if (sc)
        ui_app_close_screen(app, sc->state);
}

void
ui_app_set_screen_ops(struct ui_app *app, gpointer state, const struct ui_screen_ops *ops)
{
    for (guint i = 0; app->screens && i < app->screens->len; i++) {
        struct ui_screen *sc = &g_array_index(app->screens, struct ui_screen, i);
        if (sc->state == state)
            sc->ops = ops;
    }
    clearok(curscr, TRUE);
    ui_app_queue_redraw(app);
}

gpointer
ui_app_find_screen(const struct ui_app *app, const struct ui_screen_ops *ops)
{
    for (guint i = app->screens ? app->screens->len : 0; i-- > 0;) {
        const struct ui_screen *sc = &g_array_index(app->screens, struct ui_screen, i);
        if (sc->ops == ops)
            return sc->state;
    }
    return NULL;
}

void
ui_app_handle_flags(struct ui_app *app, unsigned flags)
{
    if (flags & UI_QUIT) {
        g_main_loop_quit(app->loop);
        return;
    }
    if (flags & UI_RECALC)
        ui_app_recalc(app);
    if (flags & UI_REPAINT)
        clearok(curscr, TRUE);
    if (flags & (UI_REDRAW | UI_RECALC | UI_REPAINT))
        ui_app_queue_redraw(app);
}

/* ---- input ---------------------------------------------------------- */

static void
do_resize(struct ui_app *app)
{
    struct winsize ws;

    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
        resizeterm(ws.ws_row, ws.ws_col);
    compute_layout(app);
    ui_app_queue_redraw(app);
}

static unsigned
mouse_event(struct ui_app *app)
{
    MEVENT ev;
    bool up, down;
    const struct ui_view *v;

    if (getmouse(&ev) != OK || app->lay.too_small || app->dialog || app->help_open)
        return UI_OK;
    if (top_screen(app)) {
        const struct ui_screen *sc = top_screen(app);
        return sc->ops->mouse ? sc->ops->mouse(app, sc->state, ev.y, ev.x, (unsigned long)ev.bstate) : UI_OK;
    }
    if (app->graph || app->top)
        return UI_OK;
    up = ev.bstate & BUTTON4_PRESSED;
#ifdef BUTTON5_PRESSED
    down = ev.bstate & BUTTON5_PRESSED;
#else
    down = false;
#endif
    if (!up && !down && !(ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)))
        return UI_OK;
    if (ev.y < app->lay.pane_y || ev.y >= app->lay.pane_y + app->lay.pane_h)
        return UI_OK;
    if (ev.x < app->lay.left_w)
        v = &ui_view_hosts;
    else if (ev.x > app->lay.left_w)
        v = &ui_view_domains;
    else
        return UI_OK;
    return v->click(app, ev.y, ev.x, up, down);
}

static unsigned
app_key(struct ui_app *app, ui_key k)
{
    int b;

    if (app->lay.too_small) {
        b = ui_keymap_lookup(app->keymap, k);
        if (b == UI_CMD_QUIT || b == UI_CMD_REDRAW)
            return ui_app_command(app, b);
        return UI_OK;
    }
    if (app->dialog) {
        struct ui_dialog *d = app->dialog;
        /* the dialog's done callback may have opened the next one */
        if (ui_dialog_key(d, k)) {
            if (app->dialog == d)
                app->dialog = NULL;
            ui_dialog_free(d);
        }
        return UI_REDRAW;
    }
    if (app->help_open)
        return ui_help_key(app, k);
    if (top_screen(app)) {
        const struct ui_screen *sc = top_screen(app);
        return sc->ops->key(app, sc->state, k);
    }
    if (app->graph)
        return ui_graph_key(app, k);
    if (app->top)
        return ui_top_key(app, k);
    if (app->prompt)
        return ui_app_filter_key(app, k);
    b = ui_keymap_lookup(app->keymap, k);
    if (b < 0)
        return UI_OK;
    return ui_app_command(app, b);
}

static ui_key
normalize_key(int rc, wint_t wch)
{
    if (rc == KEY_CODE_YES) {
        if (wch == KEY_ENTER)
            return '\n';
        return UI_KEY_FN | (int)wch;
    }
    if (wch == '\r')
        return '\n';
    if (wch == 127 || wch == 8)
        return UI_KEY_FN | KEY_BACKSPACE;
    return (ui_key)wch;
}

static gboolean
on_stdin(gint fd, GIOCondition cond, gpointer user)
{
    struct ui_app *app = user;
    unsigned flags = 0;
    wint_t wch;
    int rc;

    if (cond & (G_IO_HUP | G_IO_ERR)) {
        g_main_loop_quit(app->loop);
        return G_SOURCE_CONTINUE;
    }
    /* bounded: curses may push keys back (KEY_RESIZE) while we read */
    for (int n = 0; n < 4096 && (rc = get_wch(&wch)) != ERR; n++) {
        ui_key k = normalize_key(rc, wch);

        if (k == (UI_KEY_FN | KEY_RESIZE)) {
            /* curses has already resized (resizeterm pushes this key) */
            compute_layout(app);
            flags |= UI_REDRAW;
            continue;
        }
        if (k == (UI_KEY_FN | KEY_MOUSE))
            flags |= mouse_event(app);
        else
            flags |= app_key(app, k);
        if (flags & UI_QUIT)
            break;
    }
    ui_app_handle_flags(app, flags);
    return G_SOURCE_CONTINUE;
}

static gboolean
on_winch(gpointer user)
{
    do_resize(user);
    return G_SOURCE_CONTINUE;
}

static gboolean
on_quit_signal(gpointer user)
{
    struct ui_app *app = user;
    g_main_loop_quit(app->loop);
    return G_SOURCE_CONTINUE;
}

/* While curses owns the terminal, stray writes to stderr (libxml2's and
 * libvirt's default error printers, g_warning) would scroll and corrupt the
 * screen: send them to $XDG_STATE_HOME/virtdeck/stderr.log instead.
 * Returns the saved stderr, -1 if nothing was redirected. */
static int
redirect_stderr(void)
{
    g_autofree char *dir = g_build_filename(g_get_user_state_dir(), "virtdeck", NULL);
    g_autofree char *path = g_build_filename(dir, "stderr.log", NULL);
    int saved, fd;

    if (!isatty(STDERR_FILENO))
        return -1;
    g_mkdir_with_parents(dir, 0700);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    saved = dup(STDERR_FILENO);
    if (saved < 0 || dup2(fd, STDERR_FILENO) < 0) {
        close(fd);
        if (saved >= 0)
            close(saved);
        return -1;
    }
    close(fd);
    return saved;
}

static void
restore_stderr(int saved)
{
    if (saved < 0)
        return;
    dup2(saved, STDERR_FILENO);
    close(saved);
}

bool
ui_app_start_terminal(struct ui_app *app, const char *theme, bool force_ascii)
{
    g_autofree char *warning = NULL;
    const char *no_color = g_getenv("NO_COLOR");

    /* our handlers first, so that curses leaves SIGWINCH to us */
    app->sources[SRC_WINCH] = attach(app, g_unix_signal_source_new(SIGWINCH), on_winch, app);
    app->sources[SRC_INT] = attach(app, g_unix_signal_source_new(SIGINT), on_quit_signal, app);
    app->sources[SRC_TERM] = attach(app, g_unix_signal_source_new(SIGTERM), on_quit_signal, app);

    app->ascii = force_ascii || !g_get_charset(NULL);
    ui_draw_set_ascii(app->ascii);
    set_escdelay(100);
    if (!initscr()) {
        g_printerr("virtdeck: %s\n", _("cannot initialise the terminal"));
        return false;
    }
    app->saved_stderr = redirect_stderr();
    cbreak();
    noecho();
    keypad(stdscr, TRUE);
    /* Home/End as sent by tmux, screen, rxvt and the Linux console whatever
     * TERM claims (terminfo's xterm entry only knows \EOH/\EOF) */
    define_key("\033[1~", KEY_HOME);
    define_key("\033[4~", KEY_END);
    define_key("\033[7~", KEY_HOME);
    define_key("\033[8~", KEY_END);
    define_key("\033[H", KEY_HOME);
    define_key("\033[F", KEY_END);
    define_key("\033OH", KEY_HOME);
    define_key("\033OF", KEY_END);
    nodelay(stdscr, TRUE);
    leaveok(stdscr, TRUE);
    curs_set(0);
    mouseinterval(0);
    mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
              | BUTTON5_PRESSED
#endif
              , NULL);
    app->use_color = has_colors() && !(no_color && *no_color);
    ui_theme_init(theme, app->use_color, &warning);
    if (warning)
        ui_app_set_status(app, VD_C_STATUS_ERROR, "%s", warning);
    return true;
}

int
ui_app_run(struct ui_app *app)
{
    app->sources[SRC_STDIN] = attach(app, g_unix_fd_source_new(STDIN_FILENO,
                                                                G_IO_IN | G_IO_HUP | G_IO_ERR),
                                     (GSourceFunc)(void (*)(void))on_stdin, app);
    app->sources[SRC_TIMER] = attach(app, g_timeout_source_new(500), on_timer, app);
    compute_layout(app);
    ui_app_recalc(app);
    ui_app_queue_redraw(app);
    g_main_loop_run(app->loop);
    endwin();
    restore_stderr(app->saved_stderr);
    app->saved_stderr = -1;
    return app->exit_code;
}
