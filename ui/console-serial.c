/* virtdeck - serial (text) console backend: a libvterm terminal in the pane
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Guest bytes (src/console.h) go into libvterm only; it interprets every
 * escape sequence in its own state and we draw its cells: nothing the guest
 * sends reaches the real terminal. Keys become the bytes a terminal sends
 * through libvterm's keyboard (so application cursor mode and friends are
 * honoured). The pane size is given to libvterm; the guest is not told
 * (a serial line has no size signal: run `stty rows R cols C` there). */
#include "config.h"

#include <string.h>
#include <vterm.h>
#include <wchar.h>

#include "src/console.h"
#include "i18n.h"
#include "util.h"
#include "ui/console.h"
#include "ui/draw.h"
#include "ui/term.h"
#include "ui/theme.h"

#define SCROLLBACK_LINES 2000

struct sb_line {
    int cols;
    VTermScreenCell cells[];
};

struct serial {
    struct ui_app *app;
    struct ui_console *con;
    struct vd_console *stream;
    guint host;
    char *uuid;
    VTerm *vt;
    VTermScreen *vs;
    int rows, cols;
    VTermPos cursor;
    bool cursor_visible;
    GQueue scrollback;          /* struct sb_line *, oldest first */
    int scroll;                 /* lines scrolled back, 0 = live */
    bool scroll_mode;           /* the menu's scroll mode: keys scroll */
};

/* ---- keys -------------------------------------------------------------------- */

static VTermModifier
vterm_mods(ui_key k)
{
    return (VTermModifier)(((k & UI_KEY_MOD_SHIFT) ? VTERM_MOD_SHIFT : 0) |
                           ((k & UI_KEY_MOD_ALT) ? VTERM_MOD_ALT : 0) |
                           ((k & UI_KEY_MOD_CTRL) ? VTERM_MOD_CTRL : 0));
}

/* Feed key k to vt's keyboard: its output callback gets the bytes. */
static void
feed_key(VTerm *vt, ui_key k)
{
    VTermModifier mod = vterm_mods(k);
    int base = UI_KEY_BASE(k);
    VTermKey vk = VTERM_KEY_NONE;

    if (!(base & UI_KEY_FN)) {
        if (base == '\n')
            vk = VTERM_KEY_ENTER;
        else if (base == '\t')
            vk = VTERM_KEY_TAB;
        else if (base == UI_KEY_ESC)
            vk = VTERM_KEY_ESCAPE;
        if (vk != VTERM_KEY_NONE) {
            vterm_keyboard_key(vt, vk, mod);
        } else if (base >= 0x80 && (mod & VTERM_MOD_ALT)) {
            /* libvterm would cut a non-ASCII character to one byte: ESC, then it */
            vterm_keyboard_unichar(vt, 0x1b, VTERM_MOD_NONE);
            vterm_keyboard_unichar(vt, (uint32_t)base, VTERM_MOD_NONE);
        } else if (base >= 0 && base <= 0x10ffff) {
            vterm_keyboard_unichar(vt, (uint32_t)base, mod);
        }
        return;
    }
    base &= ~UI_KEY_FN;
    switch (base) {
    case KEY_UP: vk = VTERM_KEY_UP; break;
    case KEY_DOWN: vk = VTERM_KEY_DOWN; break;
    case KEY_LEFT: vk = VTERM_KEY_LEFT; break;
    case KEY_RIGHT: vk = VTERM_KEY_RIGHT; break;
    case KEY_HOME: vk = VTERM_KEY_HOME; break;
    case KEY_END: vk = VTERM_KEY_END; break;
    case KEY_PPAGE: vk = VTERM_KEY_PAGEUP; break;
    case KEY_NPAGE: vk = VTERM_KEY_PAGEDOWN; break;
    case KEY_IC: vk = VTERM_KEY_INS; break;
    case KEY_DC: vk = VTERM_KEY_DEL; break;
    case KEY_BACKSPACE: vk = VTERM_KEY_BACKSPACE; break;
    case KEY_BTAB: vk = VTERM_KEY_TAB; mod |= VTERM_MOD_SHIFT; break;
    case KEY_ENTER: vk = VTERM_KEY_ENTER; break;
    default:
        if (base >= KEY_F(1) && base <= KEY_F(60)) {
            /* terminfo: F13-F24 are Shift+F1-F12, F25-F36 Ctrl, F37-F48
             * Ctrl+Shift, F49-F60 Alt */
            static const VTermModifier extra[] = {
                VTERM_MOD_NONE, VTERM_MOD_SHIFT, VTERM_MOD_CTRL,
                VTERM_MOD_CTRL | VTERM_MOD_SHIFT, VTERM_MOD_ALT,
            };
            int n = base - KEY_F0 - 1;
            vk = VTERM_KEY_FUNCTION(n % 12 + 1);
            mod |= extra[n / 12];
        }
        break;
    }
    if (vk != VTERM_KEY_NONE)
        vterm_keyboard_key(vt, vk, mod);
}

struct outbuf {
    char *buf;
    size_t size, len;
};

static void
collect_output(const char *s, size_t len, void *user)
{
    struct outbuf *o = user;
    size_t n = MIN(len, o->size - o->len);

    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

size_t
ui_console_key_bytes(ui_key k, const char *modes, char *out, size_t size)
{
    VTerm *vt = vterm_new(24, 80);
    struct outbuf o = { out, size, 0 };

    vterm_set_utf8(vt, 1);
    vterm_obtain_state(vt);
    vterm_state_reset(vterm_obtain_state(vt), 1);
    if (modes)
        vterm_input_write(vt, modes, strlen(modes));
    /* answers to the modes (none expected) are not key bytes */
    vterm_output_set_callback(vt, collect_output, &o);
    feed_key(vt, k);
    vterm_free(vt);
    return o.len;
}

/* ---- libvterm callbacks -------------------------------------------------------- */

static void
to_guest(const char *s, size_t len, void *user)
{
    struct serial *se = user;
    vd_console_write(se->stream, s, len);
}

static int
on_movecursor(VTermPos pos, VTermPos oldpos, int visible, void *user)
{
    struct serial *se = user;
    se->cursor = pos;
    return 1;
}

static int
on_settermprop(VTermProp prop, VTermValue *val, void *user)
{
    struct serial *se = user;

    if (prop == VTERM_PROP_CURSORVISIBLE)
        se->cursor_visible = val->boolean;
    return 1;
}

static int
on_pushline(int cols, const VTermScreenCell *cells, void *user)
{
    struct serial *se = user;
    struct sb_line *l = g_malloc(sizeof(*l) + (size_t)cols * sizeof(VTermScreenCell));

    l->cols = cols;
    memcpy(l->cells, cells, (size_t)cols * sizeof(VTermScreenCell));
    g_queue_push_tail(&se->scrollback, l);
    if (se->scrollback.length > SCROLLBACK_LINES)
        g_free(g_queue_pop_head(&se->scrollback));
    /* keep a scrolled-back view still while output arrives */
    if (se->scroll > 0)
        se->scroll = MIN(se->scroll + 1, (int)se->scrollback.length);
    return 1;
}

static const VTermScreenCallbacks screen_cbs = {
    .movecursor = on_movecursor,
    .settermprop = on_settermprop,
    .sb_pushline = on_pushline,
};

/* ---- drawing ------------------------------------------------------------------------ */

static uint32_t
guest_color(const VTermColor *c, bool fg)
{
    if (fg ? VTERM_COLOR_IS_DEFAULT_FG(c) : VTERM_COLOR_IS_DEFAULT_BG(c))
        return UI_CONSOLE_COLOR_DEFAULT;
    if (VTERM_COLOR_IS_INDEXED(c))
        return UI_CONSOLE_COLOR_INDEX | c->indexed.idx;
    return ((uint32_t)c->rgb.red << 16) | ((uint32_t)c->rgb.green << 8) | c->rgb.blue;
}

static wchar_t
ascii_fallback(uint32_t c)
{
    if (c >= 0x2500 && c <= 0x257f) {
        /* box drawing: horizontal, vertical, the rest corners and tees */
        if (c == 0x2500 || c == 0x2501 || c == 0x2550 || (c >= 0x2504 && c <= 0x2505) ||
            (c >= 0x2508 && c <= 0x2509) || c == 0x254c || c == 0x254d)
            return '-';
        if (c == 0x2502 || c == 0x2503 || c == 0x2551 || (c >= 0x2506 && c <= 0x2507) ||
            (c >= 0x250a && c <= 0x250b) || c == 0x254e || c == 0x254f)
            return '|';
        return '+';
    }
    if (c >= 0x2580 && c <= 0x259f)
        return '#';
    if (c == 0x25c6 || c == 0x2666)   /* diamond (DEC graphics `) */
        return '*';
    if (c == 0x00b7 || c == 0x2022)
        return '.';
    return '?';
}

static void
draw_cell(const VTermScreenCell *cell, int y, int x, bool ascii, bool color, bool cursor)
{
    wchar_t wc[VTERM_MAX_CHARS_PER_CELL + 1] = { 0 };
    attr_t a = A_NORMAL;
    cchar_t cc;
    int pair = 0;
    int n = 0;

    for (int i = 0; i < VTERM_MAX_CHARS_PER_CELL && cell->chars[i]; i++) {
        uint32_t c = cell->chars[i];

        if (c == (uint32_t)-1)
            break;
        if (ascii && c >= 0x80) {
            if (i > 0)
                break;          /* combining marks: drop */
            c = (uint32_t)ascii_fallback(c);
        } else if (c < 0x20 || (c >= 0x7f && c < 0xa0) || wcwidth((wchar_t)c) < 0) {
            if (i > 0)
                break;
            c = '?';
        }
        wc[n++] = (wchar_t)c;
    }
    if (!n)
        wc[n++] = L' ';
    if (cell->attrs.bold)
        a |= A_BOLD;
    if (cell->attrs.underline)
        a |= A_UNDERLINE;
    if (cell->attrs.italic)
        a |= A_ITALIC;
    if (cell->attrs.reverse)
        a |= A_REVERSE;
    if (cursor)
        a ^= A_REVERSE;
    if (color)
        pair = ui_console_color_pair(guest_color(&cell->fg, true), guest_color(&cell->bg, false));
    if (setcchar(&cc, wc, a, (short)(pair < 32767 ? pair : 0), pair ? &pair : NULL) == ERR)
        setcchar(&cc, L"?", a, 0, NULL);
    mvadd_wch(y, x, &cc);
}

static void
serial_draw(gpointer be, int y, int x, int h, int w, bool ascii, bool color)
{
    struct serial *se = be;
    VTermScreenCell blank = { 0 };
    int sb = (int)se->scrollback.length;

    vterm_color_indexed(&blank.fg, 7);
    blank.fg.type |= VTERM_COLOR_DEFAULT_FG;
    vterm_color_indexed(&blank.bg, 0);
    blank.bg.type |= VTERM_COLOR_DEFAULT_BG;
    ui_draw_rect(y, x, h, w, A_NORMAL);
    for (int r = 0; r < h && r < se->rows; r++) {
        int line = r - se->scroll;          /* < 0: from the scrollback */
        const struct sb_line *l = line < 0 && sb + line >= 0
                                      ? g_queue_peek_nth(&se->scrollback, (guint)(sb + line)) : NULL;

        if (line < 0 && !l)
            continue;
        for (int c = 0; c < w && c < se->cols;) {
            VTermScreenCell cell;
            bool cur;

            if (l) {
                cell = c < l->cols ? l->cells[c] : blank;
            } else if (!vterm_screen_get_cell(se->vs, (VTermPos){ .row = line, .col = c }, &cell)) {
                cell = blank;
            }
            cur = se->scroll == 0 && se->cursor_visible && line == se->cursor.row && c == se->cursor.col;
            /* a wide character that does not fit in the last column */
            if (cell.width > 1 && c + cell.width > w) {
                cell = blank;
                cell.width = 1;
            }
            draw_cell(&cell, y + r, x + c, ascii, color, cur);
            c += cell.width > 0 ? cell.width : 1;
        }
    }
}

/* ---- the backend ------------------------------------------------------------------- */

static unsigned
serial_key(gpointer be, ui_key k)
{
    struct serial *se = be;
    int base = UI_KEY_BASE(k);
    int page = MAX(se->rows - 1, 1);
    int max = (int)se->scrollback.length;

    if ((k & UI_KEY_MOD_SHIFT) && (base == (UI_KEY_FN | KEY_PPAGE) || base == (UI_KEY_FN | KEY_NPAGE))) {
        se->scroll = CLAMP(se->scroll + (base == (UI_KEY_FN | KEY_PPAGE) ? page : -page), 0, max);
        return UI_REDRAW;
    }
    if (se->scroll_mode) {
        switch (k) {
        case UI_KEY_FN | KEY_PPAGE: se->scroll = MIN(se->scroll + page, max); return UI_REDRAW;
        case UI_KEY_FN | KEY_NPAGE: se->scroll = MAX(se->scroll - page, 0); return UI_REDRAW;
        case UI_KEY_FN | KEY_UP: case 'k': se->scroll = MIN(se->scroll + 1, max); return UI_REDRAW;
        case UI_KEY_FN | KEY_DOWN: case 'j': se->scroll = MAX(se->scroll - 1, 0); return UI_REDRAW;
        case UI_KEY_FN | KEY_HOME: case 'g': se->scroll = max; return UI_REDRAW;
        case UI_KEY_FN | KEY_END: case 'G': se->scroll = 0; return UI_REDRAW;
        case 'q': case UI_KEY_ESC: case '\n':
            se->scroll_mode = false;
            se->scroll = 0;
            return UI_REDRAW;
        default:
            return UI_OK;
        }
    }
    /* typing returns to the live screen */
    se->scroll = 0;
    feed_key(se->vt, k);
    return UI_REDRAW;
}

static unsigned
serial_paste(gpointer be, const char *text, size_t len)
{
    struct serial *se = be;

    se->scroll = 0;
    se->scroll_mode = false;
    vterm_keyboard_start_paste(se->vt);
    /* newlines as Enter, like a terminal does */
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\n')
            vd_console_write(se->stream, "\r", 1);
        else
            vd_console_write(se->stream, text + i, 1);
    }
    vterm_keyboard_end_paste(se->vt);
    return UI_REDRAW;
}

static void
serial_resize(gpointer be, int h, int w)
{
    struct serial *se = be;

    if (h < 1 || w < 1 || (h == se->rows && w == se->cols))
        return;
    se->rows = h;
    se->cols = w;
    vterm_set_size(se->vt, h, w);
    se->scroll = MIN(se->scroll, (int)se->scrollback.length);
}

static char *
serial_status(gpointer be)
{
    struct serial *se = be;

    if (se->scroll_mode)
        return g_strdup_printf(_("Scroll mode: %d of %u lines back (PgUp/PgDn, Up/Down, q ends)"),
                               se->scroll, se->scrollback.length);
    if (se->scroll > 0)
        return g_strdup_printf(_("Scrolled back %d lines (Shift+PgDn or any key returns)"), se->scroll);
    /* TRANSLATORS: serial lines carry no size: the user may set it in the guest */
    return g_strdup_printf(_("%1$d×%2$d: the guest is not told the size (stty rows %3$d cols %4$d); "
                             "Shift+PgUp scrolls back"),
                           se->cols, se->rows, se->rows, se->cols);
}

enum { SERIAL_MENU_SCROLL = 1, SERIAL_MENU_RESET };

static GArray *
serial_menu(gpointer be)
{
    GArray *a = g_array_new(FALSE, TRUE, sizeof(struct ui_console_menu_item));
    struct ui_console_menu_item it;

    it.id = SERIAL_MENU_SCROLL;
    it.label = g_strdup(_("Scroll back through the output"));
    g_array_append_val(a, it);
    it.id = SERIAL_MENU_RESET;
    it.label = g_strdup(_("Reset the terminal (clears the screen)"));
    g_array_append_val(a, it);
    return a;
}

static unsigned
serial_menu_activate(gpointer be, int id)
{
    struct serial *se = be;

    if (id == SERIAL_MENU_SCROLL) {
        se->scroll_mode = true;
        se->scroll = MIN(MAX(se->scroll, 1), (int)se->scrollback.length);
    } else if (id == SERIAL_MENU_RESET) {
        vterm_screen_reset(se->vs, 1);
        se->scroll = 0;
        se->scroll_mode = false;
    }
    return UI_REDRAW;
}

static void
on_data(const char *buf, size_t len, gpointer user)
{
    struct serial *se = user;

    vterm_input_write(se->vt, buf, len);
    ui_console_changed(se->con);
}

static void
on_status(enum vd_console_status st, const char *message, gpointer user)
{
    struct serial *se = user;

    switch (st) {
    case VD_CONSOLE_OPENED:
        ui_console_set_state(se->con, UI_CONSOLE_OPEN, NULL);
        break;
    case VD_CONSOLE_BUSY:
        ui_console_set_state(se->con, UI_CONSOLE_BUSY, message);
        break;
    case VD_CONSOLE_FAILED:
        ui_console_set_state(se->con, UI_CONSOLE_FAILED, message);
        break;
    case VD_CONSOLE_EOF:
        ui_console_set_state(se->con, UI_CONSOLE_CLOSED, message);
        break;
    }
}

static const struct vd_console_callbacks stream_cbs = {
    .data = on_data,
    .status = on_status,
};

static void
start_stream(struct serial *se, bool force)
{
    struct vd_conn *c = ui_console_conn(se->con);

    vd_console_close(se->stream);
    se->stream = NULL;
    if (!c) {
        ui_console_set_state(se->con, UI_CONSOLE_FAILED, _("The host is gone"));
        return;
    }
    se->stream = vd_console_open(c, se->uuid, NULL, force, se->app->ctx, &stream_cbs, se);
}

static void
serial_reopen(gpointer be, bool force)
{
    start_stream(be, force);
}

static void
serial_free(gpointer be)
{
    struct serial *se = be;

    vd_console_close(se->stream);
    vterm_free(se->vt);
    g_queue_clear_full(&se->scrollback, g_free);
    g_free(se->uuid);
    g_free(se);
}

static const struct ui_console_backend_ops serial_ops = {
    .kind = "serial",
    .draw = serial_draw,
    .key = serial_key,
    .paste = serial_paste,
    .mouse = NULL,
    .resize = serial_resize,
    .status = serial_status,
    .menu = serial_menu,
    .menu_activate = serial_menu_activate,
    .reopen = serial_reopen,
    .free = serial_free,
};

static bool
serial_open(struct ui_app *app, guint host, const char *uuid, bool force, char **error)
{
    const struct ui_host *h = g_ptr_array_index(app->hosts, host);
    struct serial *se = g_new0(struct serial, 1);
    const char *name = uuid;

    for (guint i = 0; i < h->snap->domains->len; i++) {
        const struct vd_domain *d = g_ptr_array_index(h->snap->domains, i);
        if (strcmp(d->uuid, uuid) == 0)
            name = d->name;
    }
    se->app = app;
    se->host = host;
    se->uuid = g_strdup(uuid);
    se->rows = 24;
    se->cols = 80;
    se->cursor_visible = true;
    g_queue_init(&se->scrollback);
    se->vt = vterm_new(se->rows, se->cols);
    vterm_set_utf8(se->vt, 1);
    vterm_output_set_callback(se->vt, to_guest, se);
    se->vs = vterm_obtain_screen(se->vt);
    vterm_screen_set_callbacks(se->vs, &screen_cbs, se);
    vterm_screen_enable_altscreen(se->vs, 1);
    vterm_screen_reset(se->vs, 1);
    se->con = ui_console_new_screen(app, host, uuid, name, &serial_ops, se);
    start_stream(se, force);
    return true;
}

const struct ui_console_backend ui_console_backend_serial = {
    .kind = "serial",
    .label = N_("serial"),
    .available = NULL,
    .open = serial_open,
};
