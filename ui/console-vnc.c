/* virtdeck - VNC console backend: the guest's screen as terminal cells
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * src/vnc-client.c runs the connection on its own thread and tells us when
 * the frame changed; we feed the changed rectangles to the cell renderer
 * (src/cell-render.c) and write only the cells that changed into a pad of
 * our own, which draw() copies onto the screen (curses then sends the
 * terminal only what differs). Keys become X keysyms; the client sends them
 * as QEMU scancodes when the server offers extended key events. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "src/cell-render.h"
#include "src/ssh-tunnel.h"
#include "src/vnc-client.h"
#include "src/vnc-keymap.h"
#include "i18n.h"
#include "util.h"
#include "ui/console-vnc.h"
#include "ui/console.h"
#include "ui/dialog.h"
#include "ui/term.h"

struct vnc {
    struct ui_app *app;
    struct ui_console *con;     /* NULL until the lookup answered */
    guint host;
    char *uuid;
    char *name;
    bool auto_kind;             /* opened by "auto": no VNC display -> serial */
    bool force;
    struct vd_vnc_target *target;
    struct vd_vnc *client;
    bool asking;                /* the password dialog is open */
    struct token *tok;          /* held by pending callbacks and dialogs */

    struct vd_cr *cr;
    WINDOW *pad;                /* the cells as last drawn */
    int rows, cols;
    enum vd_cr_mode mode;
    enum vd_cr_colors colors;
    enum vd_cr_scale scale;
    int pan_x, pan_y;
    bool pan_mode;              /* arrows pan (1:1) until q/Esc/Enter */
    bool ascii, color;
    bool have_frame;
    int fb_w, fb_h;
    guint64 cells_drawn;        /* cells written into the pad, for the bench */
};

/* Callbacks that may run after the console closed hold a token: its v is
 * NULL once the backend is freed. UI thread only. */
struct token {
    int ref;
    struct vnc *v;
};

static struct token *
token_ref(struct token *t)
{
    t->ref++;
    return t;
}

static void
token_unref(gpointer p)
{
    struct token *t = p;

    if (--t->ref == 0)
        g_free(t);
}

/* uuids known to have no VNC display: "auto" picks the serial console */
static GHashTable *no_vnc;

/* ---- keys ----------------------------------------------------------------------- */

const struct ui_vnc_combo ui_vnc_combos[] = {
    { 'd', "Ctrl+Alt+Del", VD_KS_DELETE, VD_MOD_CTRL | VD_MOD_ALT },
    { 'b', "Ctrl+Alt+Backspace", VD_KS_BACKSPACE, VD_MOD_CTRL | VD_MOD_ALT },
    { '1', "Ctrl+Alt+F1", VD_KS_F1 + 0, VD_MOD_CTRL | VD_MOD_ALT },
    { '2', "Ctrl+Alt+F2", VD_KS_F1 + 1, VD_MOD_CTRL | VD_MOD_ALT },
    { '3', "Ctrl+Alt+F3", VD_KS_F1 + 2, VD_MOD_CTRL | VD_MOD_ALT },
    { '4', "Ctrl+Alt+F4", VD_KS_F1 + 3, VD_MOD_CTRL | VD_MOD_ALT },
    { '5', "Ctrl+Alt+F5", VD_KS_F1 + 4, VD_MOD_CTRL | VD_MOD_ALT },
    { '6', "Ctrl+Alt+F6", VD_KS_F1 + 5, VD_MOD_CTRL | VD_MOD_ALT },
    { '7', "Ctrl+Alt+F7", VD_KS_F1 + 6, VD_MOD_CTRL | VD_MOD_ALT },
    { '8', "Ctrl+Alt+F8", VD_KS_F1 + 7, VD_MOD_CTRL | VD_MOD_ALT },
    { '9', "Ctrl+Alt+F9", VD_KS_F1 + 8, VD_MOD_CTRL | VD_MOD_ALT },
    { '0', "Ctrl+Alt+F10", VD_KS_F1 + 9, VD_MOD_CTRL | VD_MOD_ALT },
    { '-', "Ctrl+Alt+F11", VD_KS_F1 + 10, VD_MOD_CTRL | VD_MOD_ALT },
    { '=', "Ctrl+Alt+F12", VD_KS_F1 + 11, VD_MOD_CTRL | VD_MOD_ALT },
    { 'p', "PrintScreen", VD_KS_PRINT, 0 },
};
const unsigned ui_vnc_n_combos = G_N_ELEMENTS(ui_vnc_combos);

static uint32_t
fn_keysym(int code, unsigned *mods)
{
    switch (code) {
    case KEY_UP: return VD_KS_UP;
    case KEY_DOWN: return VD_KS_DOWN;
    case KEY_LEFT: return VD_KS_LEFT;
    case KEY_RIGHT: return VD_KS_RIGHT;
    case KEY_HOME: return VD_KS_HOME;
    case KEY_END: return VD_KS_END;
    case KEY_PPAGE: return VD_KS_PAGE_UP;
    case KEY_NPAGE: return VD_KS_PAGE_DOWN;
    case KEY_IC: return VD_KS_INSERT;
    case KEY_DC: return VD_KS_DELETE;
    case KEY_BACKSPACE: return VD_KS_BACKSPACE;
    case KEY_ENTER: return VD_KS_RETURN;
    case KEY_BTAB: *mods |= VD_MOD_SHIFT; return VD_KS_TAB;
    case KEY_PRINT: return VD_KS_PRINT;
    default:
        break;
    }
    if (code >= KEY_F(1) && code <= KEY_F(60)) {
        /* terminfo: F13-F24 are Shift+F1-F12, F25-F36 Ctrl, F37-F48
         * Ctrl+Shift, F49-F60 Alt */
        static const unsigned extra[] = { 0, VD_MOD_SHIFT, VD_MOD_CTRL, VD_MOD_CTRL | VD_MOD_SHIFT,
                                          VD_MOD_ALT };
        int n = code - KEY_F0 - 1;
        *mods |= extra[n / 12];
        return VD_KS_F1 + (uint32_t)(n % 12);
    }
    return 0;
}

bool
ui_vnc_key_to_keysym(ui_key k, uint32_t *keysym, unsigned *mods)
{
    int base = UI_KEY_BASE(k);
    uint32_t ks = 0;

    *mods = ((k & UI_KEY_MOD_SHIFT) ? VD_MOD_SHIFT : 0) | ((k & UI_KEY_MOD_CTRL) ? VD_MOD_CTRL : 0) |
            ((k & UI_KEY_MOD_ALT) ? VD_MOD_ALT : 0);
    if (base & UI_KEY_FN) {
        ks = fn_keysym(base & ~UI_KEY_FN, mods);
    } else if (base == '\n' || base == '\r') {
        ks = VD_KS_RETURN;
    } else if (base == '\t') {
        ks = VD_KS_TAB;
    } else if (base == UI_KEY_ESC) {
        ks = VD_KS_ESCAPE;
    } else if (base == 0x7f || base == 8) {
        ks = VD_KS_BACKSPACE;
    } else if (base == 0) {
        ks = ' ';
        *mods |= VD_MOD_CTRL;
    } else if (base >= 1 && base <= 26) {
        ks = 'a' + (uint32_t)base - 1;    /* Ctrl+letter */
        *mods |= VD_MOD_CTRL;
    } else if (base >= 0x1c && base <= 0x1f) {
        static const char ctl[] = "\\]^_";
        ks = (uint32_t)ctl[base - 0x1c];
        *mods |= VD_MOD_CTRL;
    } else if (base >= 0x20 && base < 0x7f) {
        ks = (uint32_t)base;
    } else if (base >= 0xa0 && base <= 0xff) {
        ks = (uint32_t)base;              /* Latin-1 keysyms are the code points */
    } else if (base > 0xff && base <= 0x10ffff) {
        ks = 0x01000000u | (uint32_t)base; /* X11 Unicode keysym */
    }
    *keysym = ks;
    return ks != 0;
}

/* ---- rendering ------------------------------------------------------------------- */

static wchar_t
ascii_char(uint32_t c)
{
    if (c < 0x80)
        return (wchar_t)c;
    if (c == 0x2500 || c == 0x2550 || c == 0x2501)
        return '-';
    if (c == 0x2502 || c == 0x2551 || c == 0x2503)
        return '|';
    if (c >= 0x2500 && c <= 0x257f)
        return '+';
    if (c >= 0x2580 && c <= 0x259f)
        return '#';
    if (c == 0x2191)
        return '^';
    if (c == 0x2193)
        return 'v';
    return '?';
}

static int
cell_pair(const struct vnc *v, const struct vd_cell *c)
{
    if (!v->color || v->colors == VD_CR_MONO)
        return 0;
    if (v->colors == VD_CR_TRUE)
        return ui_console_color_pair(c->fg & 0xffffff, c->bg & 0xffffff);
    return ui_console_color_pair(UI_CONSOLE_COLOR_INDEX | c->fg, UI_CONSOLE_COLOR_INDEX | c->bg);
}

static void
put_run(int row, int col, int n, const struct vd_cell *cells, void *u)
{
    struct vnc *v = u;

    for (int i = 0; i < n; i++) {
        wchar_t wc[2] = { v->ascii ? ascii_char(cells[i].ch) : (wchar_t)cells[i].ch, 0 };
        int pair = cell_pair(v, &cells[i]);
        /* mono text mode: fg 0 on bg 7 is a cell on a light background */
        attr_t a = (!pair && cells[i].fg == 0 && cells[i].bg == 7) ? A_REVERSE : A_NORMAL;
        cchar_t cc;

        if (wc[0] < 0x20)
            wc[0] = ' ';
        if (setcchar(&cc, wc, a, (short)(pair < 32767 ? pair : 0), pair ? &pair : NULL) == ERR)
            setcchar(&cc, L"?", A_NORMAL, 0, NULL);
        mvwadd_wch(v->pad, row, col + i, &cc);
    }
    v->cells_drawn += (guint64)n;
}

/* Apply the renderer's changed cells to the pad. */
static void
flush_changes(struct vnc *v)
{
    if (v->pad)
        vd_cr_take_changes(v->cr, put_run, v);
}

/* Feed the frame's damage (everything when full) to the renderer. */
static void
render(struct vnc *v, bool full)
{
    struct vd_vnc_frame f;

    if (!v->client || !v->cr)
        return;
    vd_vnc_frame_lock(v->client, &f);
    if (f.px) {
        struct vd_fb fb = { f.px, f.width, f.height, f.stride_px };
        if (full || f.resized || !v->have_frame) {
            vd_cr_damage(v->cr, &fb, 0, 0, f.width, f.height);
        } else {
            for (int i = 0; i < f.n_damage; i++)
                vd_cr_damage(v->cr, &fb, f.damage[i].x, f.damage[i].y, f.damage[i].w, f.damage[i].h);
        }
        v->have_frame = true;
        v->fb_w = f.width;
        v->fb_h = f.height;
    }
    vd_vnc_frame_unlock(v->client);
    flush_changes(v);
}

static void
configure(struct vnc *v)
{
    if (v->rows < 1 || v->cols < 1)
        return;
    vd_cr_configure(v->cr, v->cols, v->rows, v->mode, v->colors, v->scale, v->pan_x, v->pan_y);
    if (v->pad)
        delwin(v->pad);
    v->pad = newpad(v->rows, v->cols);
    render(v, true);
}

static void
vnc_draw(gpointer be, int y, int x, int h, int w, bool ascii, bool color)
{
    struct vnc *v = be;

    if (ascii != v->ascii || color != v->color) {
        v->ascii = ascii;
        v->color = color;
        if (!color)
            v->colors = VD_CR_MONO;
        configure(v);
    }
    if (!v->pad)
        return;
    copywin(v->pad, stdscr, 0, 0, y, x, y + MIN(h, v->rows) - 1, x + MIN(w, v->cols) - 1, FALSE);
}

static void
vnc_resize(gpointer be, int h, int w)
{
    struct vnc *v = be;

    if (h == v->rows && w == v->cols)
        return;
    v->rows = h;
    v->cols = w;
    configure(v);
}

/* ---- state from the client ------------------------------------------------------- */

static void ask_password(struct vnc *v, const char *why);

static void
on_client_event(struct vd_vnc *client, gpointer user)
{
    struct vnc *v = user;
    enum vd_vnc_error err;
    g_autofree char *msg = NULL;
    enum vd_vnc_state st = vd_vnc_get_state(client, &err, &msg);

    switch (st) {
    case VD_VNC_CONNECTING:
        return;
    case VD_VNC_CONNECTED:
        if (ui_console_get_state(v->con) != UI_CONSOLE_OPEN)
            ui_console_set_state(v->con, UI_CONSOLE_OPEN, NULL);
        render(v, false);
        ui_console_changed(v->con);
        return;
    case VD_VNC_FAILED:
        vd_vnc_close(v->client);
        v->client = NULL;
        if (err == VD_VNC_ERR_NEED_PASSWORD || err == VD_VNC_ERR_AUTH) {
            ask_password(v, msg);
            return;
        }
        ui_console_set_state(v->con, UI_CONSOLE_FAILED, msg);   /* may free v */
        return;
    case VD_VNC_CLOSED:
        vd_vnc_close(v->client);
        v->client = NULL;
        ui_console_set_state(v->con, UI_CONSOLE_CLOSED, msg);   /* may free v */
        return;
    }
}

static void
connect_now(struct vnc *v, const char *password)
{
    const struct ui_host *h = v->host < v->app->hosts->len ? g_ptr_array_index(v->app->hosts, v->host) : NULL;

    vd_vnc_close(v->client);
    v->client = NULL;
    v->have_frame = false;
    if (!h) {
        ui_console_set_state(v->con, UI_CONSOLE_FAILED, _("The host is gone"));
        return;
    }
    v->client = vd_vnc_open(vd_conn_uri(h->conn), v->target, password, v->app->ctx, on_client_event, v);
}

/* ---- password ----------------------------------------------------------------------- */

static bool
password_done(struct ui_dialog *d, int result, gpointer user)
{
    struct token *t = user;
    struct vnc *v = t->v;
    struct ui_field *f = ui_dialog_field(d, "password");

    if (!v)
        return true;    /* the console closed meanwhile */
    v->asking = false;
    if (result != 1) {
        ui_console_set_state(v->con, UI_CONSOLE_FAILED, _("No password given"));
        return true;
    }
    connect_now(v, f->text->str);
    /* the copy in the field is wiped when the dialog is freed */
    return true;
}

static void
ask_password(struct vnc *v, const char *why)
{
    struct ui_dialog *d = ui_dialog_new(_("VNC password"), 60);
    g_autofree char *text = NULL;
    struct ui_field *f;

    text = why ? g_strdup_printf(_("%1$s. Password for the VNC display of %2$s (kept in memory for this connection only):"),
                                 why, v->name)
               : g_strdup_printf(_("Password for the VNC display of %s (kept in memory for this connection only):"),
                                 v->name);
    ui_dialog_set_message(d, text);
    f = ui_dialog_add_text(d, "password", _("Password"), "");
    f->secret = true;
    ui_dialog_add_button(d, _("Connect"), 1);
    ui_dialog_add_button(d, _("Cancel"), UI_DIALOG_CANCEL);
    ui_dialog_set_callbacks(d, NULL, password_done, token_ref(v->tok), token_unref);
    v->asking = true;
    ui_app_open_dialog(v->app, d);
}

/* ---- SSH host keys -------------------------------------------------------------------- */

struct hk_ask {
    struct vd_ssh_question *q;
    bool answered;
};

static bool
hostkey_done(struct ui_dialog *d, int result, gpointer user)
{
    struct hk_ask *a = user;

    a->answered = true;
    vd_ssh_question_answer(a->q, result == 1);
    return true;
}

static void
hostkey_free(gpointer p)
{
    struct hk_ask *a = p;

    if (!a->answered)
        vd_ssh_question_answer(a->q, false);
    g_free(a);
}

static void
on_unknown_hostkey(struct vd_ssh_question *q, const char *host, const char *key_type,
                   const char *fingerprint, gpointer user)
{
    struct ui_app *app = user;
    struct hk_ask *a = g_new0(struct hk_ask, 1);
    g_autofree char *text =
        /* TRANSLATORS: host, key type (ssh-ed25519), fingerprint (SHA256:...) */
        g_strdup_printf(_("The SSH host key of %1$s is not known. Its %2$s fingerprint is %3$s. "
                          "Connect, and add the key to ~/.ssh/known_hosts?"),
                        host, key_type, fingerprint);
    struct ui_dialog *d = ui_yes_no_dialog(_("Unknown SSH host key"), text);

    a->q = q;
    ui_dialog_set_callbacks(d, NULL, hostkey_done, a, hostkey_free);
    ui_app_open_dialog(app, d);
}

/* ---- the lookup ------------------------------------------------------------------------ */

static void vnc_free(gpointer be);
static const struct ui_console_backend_ops vnc_ops;

static void
on_lookup(struct vd_conn *c, bool ok, const char *message, gpointer result, gpointer user)
{
    struct token *t = user;
    struct vnc *v = t->v;

    token_unref(t);
    if (!v)
        return;
    if (!ok && v->auto_kind && !v->con) {
        /* "auto" on a domain without VNC: its serial console */
        struct ui_app *app = v->app;
        guint host = v->host;
        g_autofree char *uuid = g_strdup(v->uuid);
        bool force = v->force;
        g_hash_table_add(no_vnc, g_strdup(uuid));
        vnc_free(v);
        ui_console_open(app, host, uuid, "serial", force);
        return;
    }
    if (!v->con)
        v->con = ui_console_new_screen(v->app, v->host, v->uuid, v->name, &vnc_ops, v);
    if (!ok) {
        ui_console_set_state(v->con, UI_CONSOLE_FAILED, message);   /* may free v */
        return;
    }
    vd_vnc_target_free(v->target);
    v->target = vd_vnc_target_dup(result);
    if (v->target->password)
        ask_password(v, NULL);
    else
        connect_now(v, NULL);
}

static bool
start_lookup(struct vnc *v, char **error)
{
    const struct ui_host *h = v->host < v->app->hosts->len ? g_ptr_array_index(v->app->hosts, v->host) : NULL;

    if (!h) {
        *error = g_strdup(_("The host is gone"));
        return false;
    }
    vd_vnc_lookup(h->conn, v->uuid, on_lookup, token_ref(v->tok));
    return true;
}

/* ---- input ----------------------------------------------------------------------------- */

static unsigned
pan_key(struct vnc *v, ui_key k)
{
    struct vd_cr_geom g;

    vd_cr_geometry(v->cr, &g);
    switch (k) {
    case UI_KEY_FN | KEY_LEFT: case 'h': v->pan_x = MAX(g.pan_x - 4, 0); break;
    case UI_KEY_FN | KEY_RIGHT: case 'l': v->pan_x = g.pan_x + 4; break;
    case UI_KEY_FN | KEY_UP: case 'k': v->pan_y = MAX(g.pan_y - 2, 0); break;
    case UI_KEY_FN | KEY_DOWN: case 'j': v->pan_y = g.pan_y + 2; break;
    case UI_KEY_FN | KEY_HOME: v->pan_x = v->pan_y = 0; break;
    case 'q': case UI_KEY_ESC: case '\n':
        v->pan_mode = false;
        return UI_REDRAW;
    default:
        return UI_OK;
    }
    configure(v);
    return UI_REDRAW;
}

static unsigned
vnc_key(gpointer be, ui_key k)
{
    struct vnc *v = be;
    uint32_t ks;
    unsigned mods;

    if (v->pan_mode)
        return pan_key(v, k);
    if (!v->client || !ui_vnc_key_to_keysym(k, &ks, &mods))
        return UI_OK;
    vd_vnc_key_press(v->client, ks, mods);
    return UI_OK;
}

static unsigned
vnc_paste(gpointer be, const char *text, size_t len)
{
    struct vnc *v = be;
    g_autofree char *s = g_strndup(text, len);

    if (v->client)
        vd_vnc_type_text(v->client, s);
    return UI_OK;
}

static unsigned
vnc_mouse(gpointer be, int y, int x, unsigned long bstate)
{
    struct vnc *v = be;
    static int buttons;
    int fx, fy;

    if (!v->client || !vd_cr_cell_to_fb(v->cr, x, y, &fx, &fy))
        return UI_OK;
    if (bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED))
        buttons |= 1;
    if (bstate & (BUTTON2_PRESSED | BUTTON2_CLICKED))
        buttons |= 2;
    if (bstate & (BUTTON3_PRESSED | BUTTON3_CLICKED))
        buttons |= 4;
    if (bstate & BUTTON4_PRESSED) {
        vd_vnc_pointer(v->client, fx, fy, buttons | 8);
    }
#ifdef BUTTON5_PRESSED
    if (bstate & BUTTON5_PRESSED)
        vd_vnc_pointer(v->client, fx, fy, buttons | 16);
#endif
    vd_vnc_pointer(v->client, fx, fy, buttons);
    if (bstate & (BUTTON1_RELEASED | BUTTON1_CLICKED))
        buttons &= ~1;
    if (bstate & (BUTTON2_RELEASED | BUTTON2_CLICKED))
        buttons &= ~2;
    if (bstate & (BUTTON3_RELEASED | BUTTON3_CLICKED))
        buttons &= ~4;
    if (bstate & (BUTTON1_CLICKED | BUTTON2_CLICKED | BUTTON3_CLICKED | BUTTON1_RELEASED |
                  BUTTON2_RELEASED | BUTTON3_RELEASED))
        vd_vnc_pointer(v->client, fx, fy, buttons);
    return UI_OK;
}

/* ---- status and menu --------------------------------------------------------------------- */

static char *
vnc_status(gpointer be)
{
    struct vnc *v = be;
    enum vd_cr_mode eff = vd_cr_effective_mode(v->cr);
    g_autofree char *mode = NULL;
    unsigned matched = 0, total = 0;

    if (v->pan_mode)
        return g_strdup(_("Pan mode: arrows or h j k l move the view, Home to the corner, q ends"));
    /* a blinking cursor changes the number of glyphs on screen: show the
     * count only when something was not recognised (a steady status line
     * keeps an idle console at 0 bytes) */
    if (eff == VD_CR_TEXT && vd_cr_text_stats(v->cr, &matched, &total) && matched == total)
        mode = g_strdup(_("text"));
    else if (eff == VD_CR_TEXT && total)
        /* TRANSLATORS: text mode: characters recognised out of those on screen */
        mode = g_strdup_printf(_("text, %u of %u glyphs recognised"), matched, total);
    else if (v->mode == VD_CR_TEXT)
        mode = g_strdup_printf(_("text (not a text screen: %s)"), vd_cr_mode_name(eff));
    else
        mode = g_strdup(vd_cr_mode_name(eff));
    /* TRANSLATORS: VNC status: size, mode, colours, scale, key kind */
    return g_strdup_printf(_("VNC %1$d×%2$d · %3$s · %4$s colours · %5$s · keys as %6$s"), v->fb_w, v->fb_h,
                           mode, vd_cr_colors_name(v->colors), vd_cr_scale_name(v->scale),
                           v->client && vd_vnc_has_scancodes(v->client) ? _("scancodes") : _("keysyms"));
}

enum { VNC_MENU_MODE = 1, VNC_MENU_SCALE, VNC_MENU_PAN, VNC_MENU_SENDKEY, VNC_MENU_TYPE };

static GArray *
vnc_menu(gpointer be)
{
    struct vnc *v = be;
    GArray *a = g_array_new(FALSE, TRUE, sizeof(struct ui_console_menu_item));
    struct ui_console_menu_item it;
    static const enum vd_cr_mode order[] = { VD_CR_TEXT, VD_CR_HALF, VD_CR_QUAD, VD_CR_ASCII };
    enum vd_cr_mode next = VD_CR_TEXT;

    for (size_t i = 0; i < G_N_ELEMENTS(order); i++)
        if (order[i] == v->mode)
            next = order[(i + 1) % G_N_ELEMENTS(order)];
    if (v->ascii && (next == VD_CR_HALF || next == VD_CR_QUAD))
        next = VD_CR_ASCII;
    it.id = VNC_MENU_MODE;
    it.label = g_strdup_printf(_("Render mode: %1$s (switch to %2$s)"), vd_cr_mode_name(v->mode),
                               vd_cr_mode_name(next));
    g_array_append_val(a, it);
    it.id = VNC_MENU_SCALE;
    it.label = g_strdup(v->scale == VD_CR_FIT ? _("Scale: fit (switch to 1:1)") : _("Scale: 1:1 (switch to fit)"));
    g_array_append_val(a, it);
    it.id = VNC_MENU_PAN;
    it.label = g_strdup(_("Pan the view (arrows)"));
    g_array_append_val(a, it);
    it.id = VNC_MENU_SENDKEY;
    it.label = g_strdup(_("Send a key: Ctrl+Alt+Del, Ctrl+Alt+Fn, SysRq…"));
    g_array_append_val(a, it);
    it.id = VNC_MENU_TYPE;
    it.label = g_strdup(_("Type text…"));
    g_array_append_val(a, it);
    return a;
}

static void
cycle_mode(struct vnc *v)
{
    static const enum vd_cr_mode order[] = { VD_CR_TEXT, VD_CR_HALF, VD_CR_QUAD, VD_CR_ASCII };

    for (size_t i = 0; i < G_N_ELEMENTS(order); i++)
        if (order[i] == v->mode) {
            v->mode = order[(i + 1) % G_N_ELEMENTS(order)];
            break;
        }
    if (v->ascii && (v->mode == VD_CR_HALF || v->mode == VD_CR_QUAD))
        v->mode = VD_CR_ASCII;
    configure(v);
}

static bool
sysrq_done(struct ui_dialog *d, int result, gpointer user)
{
    struct token *t = user;
    const char *letter = ui_dialog_value(d, "sysrq");
    uint32_t ks;

    if (result != 1 || !t->v || !t->v->client || !letter || !g_ascii_isalnum(letter[0]))
        return true;
    ks = (uint32_t)g_ascii_tolower(letter[0]);
    vd_vnc_key(t->v->client, VD_KS_ALT_L, true);
    vd_vnc_key(t->v->client, VD_KS_SYS_REQ, true);
    vd_vnc_key(t->v->client, ks, true);
    vd_vnc_key(t->v->client, ks, false);
    vd_vnc_key(t->v->client, VD_KS_SYS_REQ, false);
    vd_vnc_key(t->v->client, VD_KS_ALT_L, false);
    return true;
}

static void
open_sysrq(struct vnc *v)
{
    struct ui_dialog *d = ui_dialog_new(_("Alt+SysRq"), 50);

    ui_dialog_set_message(d, _("The letter to press with Alt+SysRq (h: help, s: sync, u: remount "
                               "read-only, b: reboot...):"));
    ui_dialog_add_text(d, "sysrq", _("Letter"), "");
    ui_dialog_add_button(d, _("Send"), 1);
    ui_dialog_add_button(d, _("Cancel"), UI_DIALOG_CANCEL);
    ui_dialog_set_callbacks(d, NULL, sysrq_done, token_ref(v->tok), token_unref);
    ui_app_open_dialog(v->app, d);
}

enum { SENDKEY_SYSRQ = 1000 };

static bool
sendkey_done(struct ui_dialog *d, int result, gpointer user)
{
    struct token *t = user;

    if (result < 0 || !t->v || !t->v->client)
        return true;
    if (result == SENDKEY_SYSRQ)
        open_sysrq(t->v);
    else if ((unsigned)result < ui_vnc_n_combos)
        vd_vnc_key_press(t->v->client, ui_vnc_combos[result].keysym, ui_vnc_combos[result].mods);
    return true;
}

static void
open_sendkey(struct vnc *v)
{
    struct ui_dialog *d = ui_dialog_new(_("Send a key to the guest"), 44);

    for (unsigned i = 0; i < ui_vnc_n_combos; i++) {
        g_autofree char *line = g_strdup_printf("%c  %s", ui_vnc_combos[i].hotkey, ui_vnc_combos[i].label);
        char id[16];
        g_snprintf(id, sizeof id, "k%u", i);
        ui_dialog_add_label(d, id, line);
        ui_dialog_add_hotkey(d, ui_vnc_combos[i].hotkey, (int)i);
    }
    ui_dialog_add_label(d, "sysrq", "s  Alt+SysRq+…");
    ui_dialog_add_hotkey(d, 's', SENDKEY_SYSRQ);
    ui_dialog_add_button(d, _("Close"), UI_DIALOG_CANCEL);
    ui_dialog_set_callbacks(d, NULL, sendkey_done, token_ref(v->tok), token_unref);
    ui_app_open_dialog(v->app, d);
}

static bool
type_done(struct ui_dialog *d, int result, gpointer user)
{
    struct token *t = user;
    const char *text = ui_dialog_value(d, "text");

    if (result != 1 || !t->v || !t->v->client || !text)
        return true;
    vd_vnc_type_text(t->v->client, text);
    if (ui_dialog_checked(d, "enter"))
        vd_vnc_key_press(t->v->client, VD_KS_RETURN, 0);
    return true;
}

static void
open_type(struct vnc *v)
{
    struct ui_dialog *d = ui_dialog_new(_("Type text into the guest"), 60);

    ui_dialog_set_message(d, _("Typed as keystrokes on a US keyboard layout (ASCII only)."));
    ui_dialog_add_text(d, "text", _("Text"), "");
    ui_dialog_add_check(d, "enter", _("Press Enter after it"), true);
    ui_dialog_add_button(d, _("Type"), 1);
    ui_dialog_add_button(d, _("Cancel"), UI_DIALOG_CANCEL);
    ui_dialog_set_callbacks(d, NULL, type_done, token_ref(v->tok), token_unref);
    ui_app_open_dialog(v->app, d);
}

static unsigned
vnc_menu_activate(gpointer be, int id)
{
    struct vnc *v = be;

    switch (id) {
    case VNC_MENU_MODE:
        cycle_mode(v);
        break;
    case VNC_MENU_SCALE:
        v->scale = v->scale == VD_CR_FIT ? VD_CR_1TO1 : VD_CR_FIT;
        configure(v);
        break;
    case VNC_MENU_PAN:
        v->pan_mode = true;
        break;
    case VNC_MENU_SENDKEY:
        open_sendkey(v);
        break;
    case VNC_MENU_TYPE:
        open_type(v);
        break;
    default:
        break;
    }
    return UI_REDRAW;
}

/* ---- life cycle ------------------------------------------------------------------------- */

static void
vnc_reopen(gpointer be, bool force)
{
    struct vnc *v = be;
    g_autofree char *error = NULL;

    v->force = force;
    vd_vnc_close(v->client);
    v->client = NULL;
    if (!start_lookup(v, &error))
        ui_console_set_state(v->con, UI_CONSOLE_FAILED, error);
}

static void
vnc_free(gpointer be)
{
    struct vnc *v = be;

    vd_vnc_close(v->client);
    v->tok->v = NULL;
    token_unref(v->tok);
    vd_vnc_target_free(v->target);
    if (v->pad)
        delwin(v->pad);
    vd_cr_free(v->cr);
    g_free(v->uuid);
    g_free(v->name);
    g_free(v);
}

static const struct ui_console_backend_ops vnc_ops = {
    .kind = "vnc",
    .draw = vnc_draw,
    .key = vnc_key,
    .paste = vnc_paste,
    .mouse = vnc_mouse,
    .resize = vnc_resize,
    .status = vnc_status,
    .menu = vnc_menu,
    .menu_activate = vnc_menu_activate,
    .reopen = vnc_reopen,
    .free = vnc_free,
};

static const struct vd_domain *
find_domain(const struct ui_app *app, guint host, const char *uuid)
{
    const struct ui_host *h = host < app->hosts->len ? g_ptr_array_index(app->hosts, host) : NULL;

    for (guint i = 0; h && i < h->snap->domains->len; i++) {
        const struct vd_domain *d = g_ptr_array_index(h->snap->domains, i);
        if (strcmp(d->uuid, uuid) == 0)
            return d;
    }
    return NULL;
}

static const char *auto_uuid;   /* set by available(), read by the open() that follows */

static bool
vnc_available(const struct ui_app *app, guint host, const char *uuid)
{
    const struct vd_domain *d = find_domain(app, host, uuid);

    if (!d || d->container || (no_vnc && g_hash_table_contains(no_vnc, uuid)))
        return false;
    auto_uuid = uuid;
    return true;
}

static bool
vnc_open(struct ui_app *app, guint host, const char *uuid, bool force, char **error)
{
    const struct vd_domain *d = find_domain(app, host, uuid);
    struct vnc *v = g_new0(struct vnc, 1);
    static bool handler_set;

    if (!no_vnc)
        no_vnc = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    if (!handler_set) {
        vd_ssh_set_hostkey_handler(app->ctx, on_unknown_hostkey, app);
        handler_set = true;
    }
    v->app = app;
    v->host = host;
    v->uuid = g_strdup(uuid);
    v->name = g_strdup(d ? d->name : uuid);
    v->auto_kind = auto_uuid == uuid;
    auto_uuid = NULL;
    v->force = force;
    v->tok = g_new0(struct token, 1);
    v->tok->ref = 1;
    v->tok->v = v;
    v->ascii = app->ascii;
    v->color = app->use_color;
    v->colors = app->use_color ? vd_cr_colors_from_env(g_getenv("COLORTERM"), COLORS) : VD_CR_MONO;
    v->mode = vd_cr_auto_mode(v->colors, !app->ascii);
    v->scale = VD_CR_FIT;
    v->cr = vd_cr_new();
    if (!start_lookup(v, error)) {
        vnc_free(v);
        return false;
    }
    return true;
}

const struct ui_console_backend ui_console_backend_vnc = {
    .kind = "vnc",
    .label = N_("VNC"),
    .available = vnc_available,
    .open = vnc_open,
};
