/* virtdeck - the console screen: frame, escape and menu keys, take-over question
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The screen around a backend (ui/console.h): in the right pane over the
 * domain list, or full screen. Line 1: domain, host, kind, state and the
 * escape key; then the guest area (the backend draws it); last line: the
 * backend's status or the state message. Keys go to the backend except the
 * escape key (leave) and the menu key; Alt+key (ESC then key at once) and
 * bracketed paste are decoded here. */
#include "config.h"

#include <string.h>

#include "i18n.h"
#include "util.h"
#include "ui/console.h"
#include "ui/dialog.h"
#include "ui/draw.h"
#include "ui/term.h"
#include "ui/theme.h"

/* keys that bracket a paste (define_key codes of our own) */
#define KEY_PASTE_BEGIN 0x7e00
#define KEY_PASTE_END 0x7e01
/* ESC followed by another key within this time is Alt+key */
#define ALT_WAIT_MS 15

static const struct ui_console_backend *const backends[] = {
    &ui_console_backend_vnc,    /* auto: VNC when the domain has a VNC display */
    &ui_console_backend_serial,
};

struct ui_console {
    struct ui_app *app;
    guint host;
    char *uuid;
    char *title;
    const struct ui_console_backend_ops *ops;
    gpointer be;
    enum ui_console_state state;
    char *msg;
    bool was_open;              /* the guest area has content worth keeping */
    bool full;
    int area_h, area_w;         /* size last given to ops->resize */
    bool esc_pending;
    GSource *esc_src;
    GString *paste;             /* inside a bracketed paste */
    bool direct;                /* --console: leaving quits */
    char *fk_esc, *fk_menu;     /* key names in the F-key bar */
    struct ui_fkey fkeys[3];
};

static const struct ui_screen_ops console_pane_ops;
static const struct ui_screen_ops console_full_ops;

static struct {
    bool active;
    char *name;
    char *kind;
    GSource *wait_src;
    char *message;
} direct;

/* ---- colours ------------------------------------------------------------- */

static GHashTable *pair_cache;   /* fg << 32 | bg (colour numbers + 1) -> pair */
static int next_pair;

static const uint8_t ansi16[16][3] = {
    { 0, 0, 0 }, { 205, 0, 0 }, { 0, 205, 0 }, { 205, 205, 0 },
    { 0, 0, 238 }, { 205, 0, 205 }, { 0, 205, 205 }, { 229, 229, 229 },
    { 127, 127, 127 }, { 255, 0, 0 }, { 0, 255, 0 }, { 255, 255, 0 },
    { 92, 92, 255 }, { 255, 0, 255 }, { 0, 255, 255 }, { 255, 255, 255 },
};

static void
palette_rgb(int i, int rgb[3])
{
    static const int steps[6] = { 0, 95, 135, 175, 215, 255 };

    if (i < 16) {
        for (int c = 0; c < 3; c++)
            rgb[c] = ansi16[i][c];
    } else if (i < 232) {
        i -= 16;
        rgb[0] = steps[i / 36];
        rgb[1] = steps[(i / 6) % 6];
        rgb[2] = steps[i % 6];
    } else {
        rgb[0] = rgb[1] = rgb[2] = 8 + (i - 232) * 10;
    }
}

static int
nearest(const int rgb[3], int n)
{
    int best = 0;
    long best_d = -1;

    for (int i = 0; i < n; i++) {
        int p[3];
        long d = 0;

        palette_rgb(i, p);
        for (int c = 0; c < 3; c++)
            d += (long)(p[c] - rgb[c]) * (p[c] - rgb[c]);
        if (best_d < 0 || d < best_d) {
            best_d = d;
            best = i;
        }
    }
    return best;
}

/* A guest colour as a curses colour number (-1 default). */
static int
map_color(uint32_t c)
{
    int rgb[3];
    int n = COLORS >= 256 ? 256 : COLORS >= 16 ? 16 : 8;

    if (c & UI_CONSOLE_COLOR_DEFAULT)
        return -1;
    if (c & UI_CONSOLE_COLOR_INDEX) {
        int i = (int)(c & 0xff);
        if (i < n)
            return i;
        palette_rgb(i, rgb);
    } else {
        rgb[0] = (int)((c >> 16) & 0xff);
        rgb[1] = (int)((c >> 8) & 0xff);
        rgb[2] = (int)(c & 0xff);
        if (COLORS >= 0x1000000)
            return (int)(c & 0xffffff);
    }
    return nearest(rgb, n);
}

int
ui_console_color_pair(uint32_t fg, uint32_t bg)
{
    int max = COLOR_PAIRS < 32767 ? COLOR_PAIRS : 32767;
    int f, b;
    guint64 key;
    gpointer v;

    /* no start_color() (NO_COLOR, mono theme): COLOR_PAIRS is 0 */
    if (!has_colors() || max <= VD_C_LAST + 1)
        return 0;
    f = map_color(fg);
    b = map_color(bg);
    if (f < 0 && b < 0)
        return 0;
    key = ((guint64)(guint32)(f + 1) << 32) | (guint32)(b + 1);
    if (!pair_cache) {
        pair_cache = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
        next_pair = VD_C_LAST + 1;
    }
    v = g_hash_table_lookup(pair_cache, &key);
    if (v)
        return GPOINTER_TO_INT(v);
    if (next_pair >= max) {
        /* all used: start over (cells drawn earlier this frame may change
         * colour until the next frame; needs thousands of colour pairs) */
        g_hash_table_remove_all(pair_cache);
        next_pair = VD_C_LAST + 1;
        if (next_pair >= max)
            return 0;
    }
    if (init_extended_pair(next_pair, f, b) == ERR)
        return 0;
    g_hash_table_insert(pair_cache, g_memdup2(&key, sizeof key), GINT_TO_POINTER(next_pair));
    return next_pair++;
}

void
ui_console_menu_free(GArray *items)
{
    if (!items)
        return;
    for (guint i = 0; i < items->len; i++)
        g_free(g_array_index(items, struct ui_console_menu_item, i).label);
    g_array_free(items, TRUE);
}

/* ---- keys ------------------------------------------------------------------ */

ui_key
ui_console_decode_key(ui_key k)
{
    static const struct {
        const char *name;
        int code;
    } bases[] = {
        { "UP", KEY_UP }, { "DN", KEY_DOWN }, { "LFT", KEY_LEFT }, { "RIT", KEY_RIGHT },
        { "HOM", KEY_HOME }, { "END", KEY_END }, { "PRV", KEY_PPAGE }, { "NXT", KEY_NPAGE },
        { "IC", KEY_IC }, { "DC", KEY_DC },
    };
    int code;
    const char *name;

    if (!(k & UI_KEY_FN))
        return k;
    code = k & ~UI_KEY_FN & ~UI_KEY_MODS;
    switch (code) {
    case KEY_SR: return UI_KEY_FN | UI_KEY_MOD_SHIFT | KEY_UP;
    case KEY_SF: return UI_KEY_FN | UI_KEY_MOD_SHIFT | KEY_DOWN;
    case KEY_SLEFT: return UI_KEY_FN | UI_KEY_MOD_SHIFT | KEY_LEFT;
    case KEY_SRIGHT: return UI_KEY_FN | UI_KEY_MOD_SHIFT | KEY_RIGHT;
    case KEY_SPREVIOUS: return UI_KEY_FN | UI_KEY_MOD_SHIFT | KEY_PPAGE;
    case KEY_SNEXT: return UI_KEY_FN | UI_KEY_MOD_SHIFT | KEY_NPAGE;
    case KEY_SHOME: return UI_KEY_FN | UI_KEY_MOD_SHIFT | KEY_HOME;
    case KEY_SEND: return UI_KEY_FN | UI_KEY_MOD_SHIFT | KEY_END;
    case KEY_SDC: return UI_KEY_FN | UI_KEY_MOD_SHIFT | KEY_DC;
    case KEY_SIC: return UI_KEY_FN | UI_KEY_MOD_SHIFT | KEY_IC;
    default: break;
    }
    /* terminfo's F13-F24 are Shift+F1-F12, F25-F36 Ctrl, F37-F48
     * Ctrl+Shift, F49-F60 Alt, F61-F63 Alt+Shift (xterm) */
    if (code > KEY_F(12) && code <= KEY_F(63)) {
        static const int mods[] = {
            UI_KEY_MOD_SHIFT, UI_KEY_MOD_CTRL, UI_KEY_MOD_CTRL | UI_KEY_MOD_SHIFT,
            UI_KEY_MOD_ALT, UI_KEY_MOD_ALT | UI_KEY_MOD_SHIFT,
        };
        int n = code - KEY_F0 - 13;
        return UI_KEY_FN | KEY_F(n % 12 + 1) | mods[n / 12];
    }
    if (code <= KEY_MAX || !(name = keyname(code)) || name[0] != 'k')
        return k;
    /* xterm's modified keys: kUP5 = Ctrl+Up; the digit is 1 + mods
     * (1 Shift, 2 Alt, 4 Ctrl) */
    for (size_t i = 0; i < G_N_ELEMENTS(bases); i++) {
        size_t l = strlen(bases[i].name);
        int m;

        if (strncmp(name + 1, bases[i].name, l) != 0 || !g_ascii_isdigit(name[1 + l]) || name[2 + l])
            continue;
        m = name[1 + l] - '1';
        if (m < 1 || m > 7)
            return k;
        return UI_KEY_FN | bases[i].code | ((m & 1) ? UI_KEY_MOD_SHIFT : 0) |
               ((m & 2) ? UI_KEY_MOD_ALT : 0) | ((m & 4) ? UI_KEY_MOD_CTRL : 0);
    }
    return k;
}

char *
ui_console_key_label(int k)
{
    /* TRANSLATORS: a Ctrl key in the console hints: Ctrl+] */
    return g_strdup_printf(_("Ctrl+%c"), k >= 1 && k <= 26 ? 'A' + k - 1 : '@' + k);
}

/* ---- state ----------------------------------------------------------------- */

struct ui_app *
ui_console_app(const struct ui_console *con)
{
    return con->app;
}

struct vd_conn *
ui_console_conn(const struct ui_console *con)
{
    if (con->host >= con->app->hosts->len)
        return NULL;
    return ((struct ui_host *)g_ptr_array_index(con->app->hosts, con->host))->conn;
}

const char *
ui_console_uuid(const struct ui_console *con)
{
    return con->uuid;
}

enum ui_console_state
ui_console_get_state(const struct ui_console *con)
{
    return con->state;
}

void
ui_console_changed(struct ui_console *con)
{
    ui_app_queue_redraw(con->app);
}

static void
leave(struct ui_console *con, int exit_code, const char *message)
{
    struct ui_app *app = con->app;
    bool was_direct = con->direct;

    ui_app_close_screen(app, con);
    if (was_direct) {
        g_free(direct.message);
        direct.message = message ? g_strdup(message) : NULL;
        app->exit_code = exit_code;
        ui_app_handle_flags(app, UI_QUIT);
    } else if (message) {
        ui_app_set_status(app, exit_code ? VD_C_STATUS_ERROR : VD_C_STATUS_INFO, "%s", message);
    }
}

enum { TAKE_YES = UI_CONFIRM_YES };

static bool
take_over_done(struct ui_dialog *d, int result, gpointer user)
{
    struct ui_console *con = user;

    if (result == TAKE_YES && con->ops->reopen) {
        con->state = UI_CONSOLE_CONNECTING;
        g_clear_pointer(&con->msg, g_free);
        con->ops->reopen(con->be, true);
    } else {
        g_autofree char *msg = g_strdup(con->msg);
        leave(con, 1, msg);
    }
    ui_app_queue_redraw(con->app);
    return true;
}

static void
ask_take_over(struct ui_console *con)
{
    g_autofree char *text = g_strdup_printf(_("The console of %s is in use by another client. "
                                              "Take it over? The other client is disconnected."),
                                            con->title);
    struct ui_dialog *d = ui_yes_no_dialog(_("Console in use"), text);

    ui_dialog_set_callbacks(d, NULL, take_over_done, con, NULL);
    ui_app_open_dialog(con->app, d);
}

void
ui_console_set_state(struct ui_console *con, enum ui_console_state st, const char *msg)
{
    con->state = st;
    g_free(con->msg);
    con->msg = msg ? vd_sanitize(msg) : NULL;
    if (st == UI_CONSOLE_OPEN)
        con->was_open = true;
    if (st == UI_CONSOLE_BUSY) {
        if (con->ops->reopen)
            ask_take_over(con);
        else
            st = con->state = UI_CONSOLE_FAILED;
    }
    if (con->direct && st == UI_CONSOLE_FAILED) {
        g_autofree char *m = g_strdup(con->msg ? con->msg : _("The console failed"));
        leave(con, 1, m);
        return;
    }
    if (con->direct && st == UI_CONSOLE_CLOSED) {
        g_autofree char *m = g_strdup(con->msg);
        leave(con, 0, m);
        return;
    }
    ui_app_queue_redraw(con->app);
}

/* ---- drawing ----------------------------------------------------------------- */

static void
console_rect(const struct ui_console *con, int *y, int *x, int *h, int *w)
{
    const struct ui_layout *lay = &con->app->lay;

    if (con->full) {
        *y = 0;
        *x = 0;
        *h = lay->rows;
        *w = lay->cols;
    } else {
        *y = lay->pane_y;
        *x = lay->right_x;
        *h = lay->pane_h;
        *w = lay->right_w;
    }
}

static const char *
state_text(enum ui_console_state st)
{
    switch (st) {
    case UI_CONSOLE_CONNECTING: return _("connecting");
    case UI_CONSOLE_OPEN: return _("connected");
    case UI_CONSOLE_BUSY: return _("in use");
    case UI_CONSOLE_CLOSED: return _("closed");
    case UI_CONSOLE_FAILED: return _("failed");
    }
    return "";
}

/* the separators of the title line as ASCII */
static void
ascii_dots(char **s)
{
    g_auto(GStrv) parts = g_strsplit(*s, "·", -1);

    g_free(*s);
    *s = g_strjoinv("|", parts);
}

static void
draw_top(const struct ui_console *con, int y, int x, int w)
{
    struct ui_app *app = con->app;
    const struct ui_host *h = con->host < app->hosts->len ? g_ptr_array_index(app->hosts, con->host) : NULL;
    g_autofree char *esc = ui_console_key_label(app->cfg ? app->cfg->console_escape : VD_CONSOLE_ESCAPE_DEFAULT);
    g_autofree char *menu = ui_console_key_label(app->cfg ? app->cfg->console_menu : VD_CONSOLE_MENU_DEFAULT);
    /* TRANSLATORS: console title: domain, host, console kind (serial, vnc), state */
    g_autofree char *left = g_strdup_printf(_(" %1$s on %2$s · %3$s · %4$s"), con->title,
                                            h ? ui_host_label(app, h) : "?", con->ops->kind,
                                            state_text(con->state));
    /* TRANSLATORS: console hint: the escape key, the menu key */
    g_autofree char *right = g_strdup_printf(_("%1$s leaves · %2$s menu "), esc, menu);
    int rw;
    attr_t a = vd_attr(VD_C_TITLE);

    if (ui_draw_is_ascii()) {
        ascii_dots(&left);
        ascii_dots(&right);
    }
    rw = ui_text_width(right);

    ui_draw_fill(y, x, w, a);
    if (rw + 10 < w) {
        ui_draw_text(y, x, w - rw, left, a, UI_ALIGN_LEFT, false);
        ui_draw_text(y, x + w - rw, rw, right, a, UI_ALIGN_LEFT, false);
    } else {
        ui_draw_text(y, x, w, left, a, UI_ALIGN_LEFT, false);
    }
}

static void
draw_message(const struct ui_console *con, int y, int x, int h, int w)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    int n;

    ui_draw_rect(y, x, h, w, vd_attr(VD_C_NORMAL));
    if (con->state == UI_CONSOLE_CONNECTING)
        text = g_strdup_printf(_("Connecting to the console of %s…"), con->title);
    else
        text = g_strdup(con->msg ? con->msg : state_text(con->state));
    lines = ui_wrap(text, MAX(w - 4, 8), MAX(h - 2, 1));
    n = (int)g_strv_length(lines);
    for (int i = 0; i < n; i++)
        ui_draw_text(y + MAX((h - n) / 2, 0) + i, x + 2, w - 4, lines[i],
                     vd_attr(con->state == UI_CONSOLE_FAILED ? VD_C_ERROR_TEXT : VD_C_NORMAL),
                     UI_ALIGN_CENTER, false);
}

static void
draw_bottom(const struct ui_console *con, int y, int x, int w)
{
    g_autofree char *st = NULL;
    enum vd_color slot = VD_C_STATUS_INFO;

    if (con->state == UI_CONSOLE_OPEN) {
        st = con->ops->status ? con->ops->status(con->be) : NULL;
    } else if (con->state == UI_CONSOLE_CLOSED || con->state == UI_CONSOLE_FAILED) {
        g_autofree char *esc = ui_console_key_label(con->app->cfg ? con->app->cfg->console_escape
                                                           : VD_CONSOLE_ESCAPE_DEFAULT);
        slot = con->state == UI_CONSOLE_FAILED ? VD_C_STATUS_ERROR : VD_C_STATUS_INFO;
        st = con->ops->reopen
            /* TRANSLATORS: console ended: message, escape key */
            ? g_strdup_printf(_("%1$s (Enter reconnects, %2$s leaves)"), con->msg ? con->msg : "", esc)
            : g_strdup_printf(_("%1$s (%2$s leaves)"), con->msg ? con->msg : "", esc);
    }
    ui_draw_text(y, x, w, st ? st : "", vd_attr(slot), UI_ALIGN_LEFT, true);
}

static void
console_draw(const struct ui_app *app, gpointer state)
{
    struct ui_console *con = state;
    int y, x, h, w, gh;

    console_rect(con, &y, &x, &h, &w);
    if (h < 3 || w < 10)
        return;
    gh = h - 2;
    draw_top(con, y, x, w);
    if (gh != con->area_h || w != con->area_w) {
        /* the pane's size is known only here (layout follows the terminal) */
        con->area_h = gh;
        con->area_w = w;
        con->ops->resize(con->be, gh, w);
    }
    if (con->was_open && con->state != UI_CONSOLE_CONNECTING)
        con->ops->draw(con->be, y + 1, x, gh, w, app->ascii, app->use_color);
    else
        draw_message(con, y + 1, x, gh, w);
    draw_bottom(con, y + h - 1, x, w);
}

/* ---- input ------------------------------------------------------------------- */

static void
cancel_esc(struct ui_console *con)
{
    if (con->esc_src) {
        g_source_destroy(con->esc_src);
        g_source_unref(con->esc_src);
        con->esc_src = NULL;
    }
    con->esc_pending = false;
}

static unsigned
to_backend(struct ui_console *con, ui_key k)
{
    if (con->state != UI_CONSOLE_OPEN)
        return UI_OK;
    return con->ops->key(con->be, k);
}

static gboolean
on_esc_timeout(gpointer user)
{
    struct ui_console *con = user;

    g_source_unref(con->esc_src);
    con->esc_src = NULL;
    con->esc_pending = false;
    ui_app_handle_flags(con->app, to_backend(con, UI_KEY_ESC));
    return G_SOURCE_REMOVE;
}

static void
set_full(struct ui_console *con, bool full)
{
    con->full = full;
    ui_app_set_screen_ops(con->app, con, full ? &console_full_ops : &console_pane_ops);
    ui_app_handle_flags(con->app, UI_REPAINT);
}

enum { MENU_FULL = -100, MENU_SEND_ESCAPE, MENU_SEND_MENU, MENU_LEAVE, MENU_RECONNECT };

static bool
menu_done(struct ui_dialog *d, int result, gpointer user)
{
    struct ui_console *con = user;
    unsigned flags = UI_REDRAW;

    switch (result) {
    case UI_DIALOG_CANCEL:
        break;
    case MENU_FULL:
        set_full(con, !con->full);
        break;
    case MENU_SEND_ESCAPE:
        flags |= to_backend(con, con->app->cfg ? con->app->cfg->console_escape : VD_CONSOLE_ESCAPE_DEFAULT);
        break;
    case MENU_SEND_MENU:
        flags |= to_backend(con, con->app->cfg ? con->app->cfg->console_menu : VD_CONSOLE_MENU_DEFAULT);
        break;
    case MENU_LEAVE:
        leave(con, 0, NULL);
        return true;
    case MENU_RECONNECT:
        con->state = UI_CONSOLE_CONNECTING;
        con->ops->reopen(con->be, false);
        break;
    default:
        if (con->ops->menu_activate)
            flags |= con->ops->menu_activate(con->be, result);
        break;
    }
    ui_app_handle_flags(con->app, flags);
    return true;
}

/* The menu: one line per item, chosen by its digit or letter. */
static void
menu_add(struct ui_dialog *d, int *n, const char *label, int result)
{
    static const char hot[] = "123456789abcdefghijklmnopqrstuvwxyz";
    g_autofree char *text = NULL;
    char id[16];

    if (*n >= (int)sizeof(hot) - 1)
        return;
    text = g_strdup_printf("%c  %s", hot[*n], label);
    g_snprintf(id, sizeof id, "item%d", *n);
    ui_dialog_add_label(d, id, text);
    ui_dialog_add_hotkey(d, hot[*n], result);
    (*n)++;
}

static void
open_menu(struct ui_console *con)
{
    struct ui_app *app = con->app;
    struct ui_dialog *d = ui_dialog_new(_("Console"), 50);
    g_autofree char *esc = ui_console_key_label(app->cfg ? app->cfg->console_escape : VD_CONSOLE_ESCAPE_DEFAULT);
    g_autofree char *menu = ui_console_key_label(app->cfg ? app->cfg->console_menu : VD_CONSOLE_MENU_DEFAULT);
    g_autofree char *send_esc = g_strdup_printf(_("Send %s to the guest"), esc);
    g_autofree char *send_menu = g_strdup_printf(_("Send %s to the guest"), menu);
    GArray *items = con->ops->menu ? con->ops->menu(con->be) : NULL;
    int n = 0;

    menu_add(d, &n, con->full ? _("Back to the pane") : _("Full screen"), MENU_FULL);
    for (guint i = 0; items && i < items->len; i++) {
        const struct ui_console_menu_item *it = &g_array_index(items, struct ui_console_menu_item, i);
        menu_add(d, &n, it->label, it->id);
    }
    if (con->state == UI_CONSOLE_OPEN) {
        menu_add(d, &n, send_esc, MENU_SEND_ESCAPE);
        menu_add(d, &n, send_menu, MENU_SEND_MENU);
    } else if (con->ops->reopen && con->state != UI_CONSOLE_CONNECTING) {
        menu_add(d, &n, _("Reconnect"), MENU_RECONNECT);
    }
    menu_add(d, &n, con->direct ? _("Leave the console and quit") : _("Leave the console"), MENU_LEAVE);
    ui_console_menu_free(items);
    ui_dialog_add_button(d, _("Close"), UI_DIALOG_CANCEL);
    ui_dialog_set_callbacks(d, NULL, menu_done, con, NULL);
    ui_app_open_dialog(app, d);
}

static unsigned
paste_key(struct ui_console *con, ui_key k)
{
    if (k == (UI_KEY_FN | KEY_PASTE_END)) {
        g_autoptr(GString) text = con->paste;
        unsigned flags = UI_OK;

        con->paste = NULL;
        if (con->state != UI_CONSOLE_OPEN)
            return UI_OK;
        if (con->ops->paste)
            return con->ops->paste(con->be, text->str, text->len);
        for (const char *p = text->str; *p; p = g_utf8_next_char(p))
            flags |= con->ops->key(con->be, (ui_key)g_utf8_get_char(p));
        return flags;
    }
    if (k == (UI_KEY_FN | KEY_BACKSPACE))
        g_string_append_c(con->paste, 0x7f);
    else if (!(k & UI_KEY_FN) && k > 0)
        g_string_append_unichar(con->paste, (gunichar)k);
    /* keys (arrows) inside a paste are dropped: a paste is text */
    return UI_OK;
}

static unsigned
console_key(struct ui_app *app, gpointer state, ui_key k)
{
    struct ui_console *con = state;
    int esc = app->cfg ? app->cfg->console_escape : VD_CONSOLE_ESCAPE_DEFAULT;
    int menu = app->cfg ? app->cfg->console_menu : VD_CONSOLE_MENU_DEFAULT;
    bool alt = false;

    if (con->paste)
        return paste_key(con, k);
    if (k == (UI_KEY_FN | KEY_PASTE_BEGIN)) {
        con->paste = g_string_new(NULL);
        return UI_OK;
    }
    if (con->esc_pending) {
        cancel_esc(con);
        if (k == UI_KEY_ESC)
            return to_backend(con, UI_KEY_ESC) | to_backend(con, UI_KEY_ESC);
        alt = true;
    }
    if (k == esc && !alt) {
        leave(con, 0, NULL);
        return UI_REDRAW;
    }
    if (k == menu && !alt) {
        open_menu(con);
        return UI_REDRAW;
    }
    if (k == UI_KEY_ESC) {
        con->esc_pending = true;
        con->esc_src = g_timeout_source_new(ALT_WAIT_MS);
        g_source_set_callback(con->esc_src, on_esc_timeout, con, NULL);
        g_source_attach(con->esc_src, app->ctx);
        return UI_OK;
    }
    if (k == '\n' && (con->state == UI_CONSOLE_CLOSED || con->state == UI_CONSOLE_FAILED) &&
        con->ops->reopen) {
        con->state = UI_CONSOLE_CONNECTING;
        g_clear_pointer(&con->msg, g_free);
        con->ops->reopen(con->be, false);
        return UI_REDRAW;
    }
    k = ui_console_decode_key(k);
    return to_backend(con, alt ? (k | UI_KEY_MOD_ALT) : k);
}

static unsigned
console_mouse(struct ui_app *app, gpointer state, int my, int mx, unsigned long bstate)
{
    struct ui_console *con = state;
    int y, x, h, w;

    console_rect(con, &y, &x, &h, &w);
    if (!con->ops->mouse || con->state != UI_CONSOLE_OPEN)
        return UI_OK;
    if (my < y + 1 || my >= y + h - 1 || mx < x || mx >= x + w)
        return UI_OK;
    return con->ops->mouse(con->be, my - y - 1, mx - x, bstate);
}

static void
console_recalc(struct ui_app *app, gpointer state)
{
    struct ui_console *con = state;
    const struct ui_host *h;

    /* the domain went away (undefined): say so, keep what was shown */
    if (con->host >= app->hosts->len)
        return;
    h = g_ptr_array_index(app->hosts, con->host);
    if (h->last_state != VD_HOST_CONNECTED || con->state == UI_CONSOLE_FAILED)
        return;
    for (guint i = 0; i < h->snap->domains->len; i++) {
        const struct vd_domain *d = g_ptr_array_index(h->snap->domains, i);
        if (strcmp(d->uuid, con->uuid) == 0)
            return;
    }
    if (con->state != UI_CONSOLE_CLOSED)
        ui_console_set_state(con, UI_CONSOLE_CLOSED, _("The domain no longer exists"));
}

static void
console_free(gpointer state)
{
    struct ui_console *con = state;

    cancel_esc(con);
    if (con->paste)
        g_string_free(con->paste, TRUE);
    /* leave bracketed paste mode */
    putp("\033[?2004l");
    fflush(stdout);
    if (con->ops->free)
        con->ops->free(con->be);
    g_free(con->uuid);
    g_free(con->title);
    g_free(con->msg);
    g_free(con->fk_esc);
    g_free(con->fk_menu);
    g_free(con);
}

/* In the pane, keys go to the guest: the bar names only the two keys that
 * do not. */
static const struct ui_fkey *
console_fkeys(const struct ui_app *app, gpointer state)
{
    struct ui_console *con = state;

    if (!con->fk_esc) {
        con->fk_esc = ui_console_key_label(app->cfg ? app->cfg->console_escape : VD_CONSOLE_ESCAPE_DEFAULT);
        con->fk_menu = ui_console_key_label(app->cfg ? app->cfg->console_menu : VD_CONSOLE_MENU_DEFAULT);
        con->fkeys[0] = (struct ui_fkey) { UI_FKEY_LITERAL, con->fk_esc, NC_("fkey", "Leave"), 0 };
        con->fkeys[1] = (struct ui_fkey) { UI_FKEY_LITERAL, con->fk_menu, NC_("fkey", "Menu"), 0 };
        con->fkeys[2] = (struct ui_fkey) { 0, NULL, NULL, 0 };
    }
    return con->fkeys;
}

static const struct ui_screen_ops console_pane_ops = {
    .name = "console",
    .fullscreen = false,
    .fkeys = console_fkeys,
    .draw = console_draw,
    .key = console_key,
    .recalc = console_recalc,
    .mouse = console_mouse,
    .free = console_free,
};

static const struct ui_screen_ops console_full_ops = {
    .name = "console",
    .fullscreen = true,
    .draw = console_draw,
    .key = console_key,
    .recalc = console_recalc,
    .mouse = console_mouse,
    .free = console_free,
};

struct ui_console *
ui_console_new_screen(struct ui_app *app, guint host, const char *uuid, const char *title,
                      const struct ui_console_backend_ops *ops, gpointer be)
{
    struct ui_console *con = g_new0(struct ui_console, 1);

    con->app = app;
    con->host = host;
    con->uuid = g_strdup(uuid);
    con->title = vd_sanitize(title);
    con->ops = ops;
    con->be = be;
    con->state = UI_CONSOLE_CONNECTING;
    con->direct = direct.active;
    con->full = direct.active;
    direct.active = false;
    /* pasted text arrives bracketed: \e[200~ ... \e[201~ */
    define_key("\033[200~", KEY_PASTE_BEGIN);
    define_key("\033[201~", KEY_PASTE_END);
    putp("\033[?2004h");
    fflush(stdout);
    ui_app_push_screen(app, con->full ? &console_full_ops : &console_pane_ops, con);
    return con;
}

/* ---- opening ------------------------------------------------------------------- */

const struct ui_console_backend *
ui_console_find_backend(const char *kind)
{
    for (size_t i = 0; i < G_N_ELEMENTS(backends); i++)
        if (g_strcmp0(backends[i]->kind, kind) == 0)
            return backends[i];
    return NULL;
}

static const struct vd_domain *
find_domain(const struct ui_host *h, const char *key)
{
    for (guint i = 0; i < h->snap->domains->len; i++) {
        const struct vd_domain *d = g_ptr_array_index(h->snap->domains, i);
        if (strcmp(d->uuid, key) == 0)
            return d;
    }
    for (guint i = 0; i < h->snap->domains->len; i++) {
        const struct vd_domain *d = g_ptr_array_index(h->snap->domains, i);
        if (strcmp(d->name, key) == 0)
            return d;
    }
    return NULL;
}

static void
open_failed(struct ui_app *app, const char *msg)
{
    if (direct.active) {
        direct.active = false;
        g_free(direct.message);
        direct.message = g_strdup(msg);
        app->exit_code = 1;
        ui_app_handle_flags(app, UI_QUIT);
    } else {
        ui_app_set_status(app, VD_C_STATUS_ERROR, "%s", msg);
    }
}

bool
ui_console_open(struct ui_app *app, guint host, const char *uuid, const char *kind, bool force)
{
    const struct ui_console_backend *be = NULL;
    const struct ui_host *h;
    const struct vd_domain *d;
    g_autofree char *error = NULL;

    if (host >= app->hosts->len)
        return false;
    h = g_ptr_array_index(app->hosts, host);
    d = find_domain(h, uuid);
    if (!d) {
        open_failed(app, _("The domain no longer exists"));
        return false;
    }
    if (!vd_dom_is_active(d)) {
        g_autofree char *msg = g_strdup_printf(_("%s is not running: it has no console to open"), d->name);
        open_failed(app, msg);
        return false;
    }
    if (kind) {
        be = ui_console_find_backend(kind);
        if (!be) {
            g_autofree char *msg = g_strdup_printf(_("This build of virtdeck has no %s console"), kind);
            open_failed(app, msg);
            return false;
        }
    } else {
        for (size_t i = 0; i < G_N_ELEMENTS(backends) && !be; i++)
            if (!backends[i]->available || backends[i]->available(app, host, d->uuid))
                be = backends[i];
    }
    if (!be || !be->open(app, host, d->uuid, force, &error)) {
        open_failed(app, error ? error : _("No console for this domain"));
        return false;
    }
    return true;
}

/* ---- --console ------------------------------------------------------------------ */

static gboolean
direct_poll(gpointer user)
{
    struct ui_app *app = user;
    const struct ui_host *h = app->hosts->len ? g_ptr_array_index(app->hosts, 0) : NULL;
    const struct vd_domain *d;

    if (!h)
        return G_SOURCE_CONTINUE;
    if (h->snap->state == VD_HOST_DISCONNECTED && h->snap->error) {
        g_autofree char *msg = g_strdup_printf(_("Cannot connect to %1$s: %2$s"), h->snap->uri, h->snap->error);
        direct.wait_src = NULL;
        open_failed(app, msg);
        return G_SOURCE_REMOVE;
    }
    if (h->snap->state != VD_HOST_CONNECTED || !h->snap->last_refresh_full)
        return G_SOURCE_CONTINUE;
    direct.wait_src = NULL;
    d = find_domain(h, direct.name);
    if (!d) {
        g_autofree char *name = vd_sanitize(direct.name);
        g_autofree char *msg = g_strdup_printf(_("No domain named %1$s on %2$s"), name, h->snap->uri);
        open_failed(app, msg);
        return G_SOURCE_REMOVE;
    }
    ui_console_open(app, 0, d->uuid, direct.kind, false);
    return G_SOURCE_REMOVE;
}

void
ui_console_start_direct(struct ui_app *app, const char *name, const char *kind)
{
    GSource *src = g_timeout_source_new(50);

    direct.active = true;
    direct.name = g_strdup(name);
    direct.kind = g_strdup(kind);
    g_source_set_callback(src, direct_poll, app, NULL);
    g_source_attach(src, app->ctx);
    direct.wait_src = src;
    g_source_unref(src);
}

const char *
ui_console_direct_message(void)
{
    return direct.message;
}
