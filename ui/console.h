/* virtdeck - the console screen and its backends (serial, VNC)
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A console is a screen (ui/app.h) shown in the right pane over the domain
 * list, or full screen (the toggle key). The screen (ui/view-console.c) owns
 * everything around the guest: the top line (domain, host, kind, state, the
 * escape key hint), the bottom status line, the escape key (leaves), the
 * full-screen toggle, the menu key (a list of backend actions), the
 * "in use by another client: take it over?" question and the --console
 * mode (leaving exits the program). A backend owns the guest: it draws the
 * guest area, gets the keys, mouse and pasted text, and reports its state.
 *
 * Writing a backend (ui/console-serial.c is one):
 *  1. Declare a `const struct ui_console_backend ui_console_backend_KIND` and
 *     list it in the backends[] table of ui/view-console.c (first listed is
 *     preferred by "auto" when its available() says yes).
 *  2. Its open() creates the backend state `be`, then
 *     `con = ui_console_new_screen(app, host, uuid, title, &ops, be)`, keeps
 *     `con`, and starts connecting (never blocking the UI thread: libvirt
 *     calls through a core module and vd_conn_submit, sockets on a thread).
 *  3. While connecting the screen shows "Connecting..."; the backend then
 *     calls ui_console_set_state(con, UI_CONSOLE_OPEN, NULL), and
 *     ui_console_changed(con) whenever the guest area should be redrawn
 *     (from the UI thread: post to app->ctx from other threads).
 *  4. On errors: ui_console_set_state(con, UI_CONSOLE_BUSY, msg) when another
 *     client holds the console (the screen asks, and on "yes" calls
 *     ops->reopen(be, true)), UI_CONSOLE_FAILED with the message on an error,
 *     UI_CONSOLE_CLOSED when the guest side ended (shut down, EOF). The
 *     screen stays open showing the message until the user leaves (in
 *     --console mode the program exits: status 0 for CLOSED, 1 for FAILED).
 *  5. ops->free is called once when the screen closes (escape key, the
 *     domain's host went away, program exit): close connections there.
 *     `con` is invalid after that: never touch it from late callbacks.
 *
 * Coordinates given to draw are absolute terminal cells; draw fills exactly
 * the rectangle y, x, h, w (curses calls on stdscr, no refresh). The frame
 * calls ops->resize from its draw whenever the guest area's size changed
 * (also before the first OPEN); ops->draw runs only once the console has
 * been OPEN (after CLOSED/FAILED the last picture stays, with the message
 * in the status line). Full screen: the guest area is the terminal minus
 * the title and status lines. Pasted text: the frame switches the terminal
 * to bracketed paste while a console is open. Colours: ui_console_color_pair().
 * Menu: ops->menu items appear between the frame's "Full screen" and
 * "Send Ctrl+] to the guest" entries, chosen by digit. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include "ui/app.h"
#include "ui/keys.h"

/* Keys a backend gets: a ui_key (ui/keys.h: a Unicode character, control
 * characters for Ctrl+letter, or UI_KEY_FN | curses KEY_*: KEY_UP, KEY_F(n),
 * KEY_HOME, KEY_PPAGE, KEY_IC, KEY_DC, KEY_BACKSPACE, KEY_BTAB...) with the
 * modifier bits below or-ed in. The screen decodes what the terminal sends:
 * ESC + key within a short time = UI_KEY_MOD_ALT | key; curses' extended
 * names (kUP5 = Ctrl+Up, kRIT3 = Alt+Right, kLFT2 = Shift+Left, KEY_SR...)
 * become the base key plus modifiers; KEY_SPREVIOUS/KEY_SNEXT become
 * UI_KEY_MOD_SHIFT | KEY_PPAGE / KEY_NPAGE; terminfo's F13-F63 become
 * F1-F12 with Shift / Ctrl / Ctrl+Shift / Alt / Alt+Shift (xterm's order);
 * Enter is '\n', Tab '\t', Esc 27.
 * Ctrl+letter stays the control character (1..26) without MOD_CTRL. */
#define UI_KEY_MOD_SHIFT (1 << 24)
#define UI_KEY_MOD_ALT   (1 << 25)
#define UI_KEY_MOD_CTRL  (1 << 26)
#define UI_KEY_MODS (UI_KEY_MOD_SHIFT | UI_KEY_MOD_ALT | UI_KEY_MOD_CTRL)
#define UI_KEY_BASE(k) ((k) & ~UI_KEY_MODS)

enum ui_console_state {
    UI_CONSOLE_CONNECTING = 0,  /* screen shows "Connecting..." */
    UI_CONSOLE_OPEN,            /* guest area drawn by the backend */
    UI_CONSOLE_BUSY,            /* in use by another client: offer to take over */
    UI_CONSOLE_CLOSED,          /* ended normally (guest shut down, EOF) */
    UI_CONSOLE_FAILED,          /* error; the message says why */
};

/* An entry of the console menu (menu key): send Ctrl+Alt+Del, switch the
 * render mode, type text... label is translated; id goes back to
 * ops->menu_activate. */
struct ui_console_menu_item {
    int id;
    char *label;
};

struct ui_console;

struct ui_console_backend_ops {
    const char *kind;               /* "serial", "vnc" */
    /* Draw the guest area: absolute rectangle; ascii: --ascii (no UTF-8
     * line drawing / blocks); color: false under NO_COLOR or a mono
     * terminal. Pure: changes nothing but the terminal. */
    void (*draw)(gpointer be, int y, int x, int h, int w, bool ascii, bool color);
    /* A key for the guest (never the escape, menu or full-screen key).
     * Returns UI_* flags (UI_REDRAW when the view changed locally, e.g.
     * scrolling). */
    unsigned (*key)(gpointer be, ui_key k);
    /* May be NULL. Text pasted by the terminal (bracketed paste, UTF-8,
     * newlines as '\n'). NULL: the screen feeds it to key() char by char. */
    unsigned (*paste)(gpointer be, const char *text, size_t len);
    /* May be NULL. Mouse event inside the guest area: y, x relative to its
     * top left corner; bstate is curses' MEVENT bstate (BUTTON1_PRESSED,
     * BUTTON1_RELEASED, BUTTON4/5_PRESSED wheel, REPORT_MOUSE_POSITION,
     * BUTTON_SHIFT/CTRL/ALT). Returns UI_* flags. */
    unsigned (*mouse)(gpointer be, int y, int x, unsigned long bstate);
    /* The guest area changed size (also called once before the first draw). */
    void (*resize)(gpointer be, int h, int w);
    /* May be NULL. Status line text (translated, g_free), e.g.
     * "scrolled back 12 lines" or "640x480 half-block 256 colours". */
    char *(*status)(gpointer be);
    /* May be NULL. Items for the console menu (array of
     * struct ui_console_menu_item, freed by the screen with
     * ui_console_menu_free); NULL or empty: no menu. */
    GArray *(*menu)(gpointer be);
    /* May be NULL. The user chose menu item id. Returns UI_* flags. */
    unsigned (*menu_activate)(gpointer be, int id);
    /* May be NULL. Open again (after BUSY, FAILED or CLOSED): force takes the
     * console over from another client. */
    void (*reopen)(gpointer be, bool force);
    /* Close everything and free be. */
    void (*free)(gpointer be);
};

struct ui_console_backend {
    const char *kind;               /* "serial", "vnc": --serial / --vnc */
    const char *label;              /* N_("serial") shown in the top line */
    /* May be NULL (= always). Whether "auto" should pick this backend for
     * the domain (e.g. it has VNC graphics). */
    bool (*available)(const struct ui_app *app, guint host, const char *uuid);
    /* Open the console of the domain uuid on host (see the steps above):
     * returns false with *error set when it cannot even start. */
    bool (*open)(struct ui_app *app, guint host, const char *uuid, bool force, char **error);
};

extern const struct ui_console_backend ui_console_backend_serial;
extern const struct ui_console_backend ui_console_backend_vnc;

/* Open a console of the domain: kind "serial", "vnc" or NULL (auto). Sets
 * the status line on errors. Returns false when nothing was opened. */
bool ui_console_open(struct ui_app *app, guint host, const char *uuid, const char *kind, bool force);
/* The backend for kind, or NULL when this build has none ("vnc" without
 * libvncclient). */
const struct ui_console_backend *ui_console_find_backend(const char *kind);

/* ---- for backends ---- */

/* Push the console screen (app owns it; ops->free(be) when it closes).
 * title: the domain name (sanitized by the caller). */
struct ui_console *ui_console_new_screen(struct ui_app *app, guint host, const char *uuid,
                                         const char *title,
                                         const struct ui_console_backend_ops *ops, gpointer be);
/* The guest area must be redrawn (coalesced). UI thread only. */
void ui_console_changed(struct ui_console *con);
/* Report a state; msg (may be NULL; untrusted text is sanitized here) is
 * shown in the guest area and the status line. UI thread only. */
void ui_console_set_state(struct ui_console *con, enum ui_console_state st, const char *msg);
enum ui_console_state ui_console_get_state(const struct ui_console *con);
struct ui_app *ui_console_app(const struct ui_console *con);
/* The host connection the console belongs to (NULL when gone). */
struct vd_conn *ui_console_conn(const struct ui_console *con);
const char *ui_console_uuid(const struct ui_console *con);

/* A curses colour pair for a guest colour pair, allocated on demand (LRU
 * over the pairs the theme leaves free) and mapped to what the terminal
 * can show: 24-bit colours to the nearest of 256 or 16 (or 8). rgb is
 * 0xRRGGBB, or UI_CONSOLE_COLOR_DEFAULT for the terminal's default, or
 * UI_CONSOLE_COLOR_INDEX | n for a palette index 0-255 (the first 16 are
 * the terminal's own ANSI colours). Returns 0 (default pair) without
 * colours. */
#define UI_CONSOLE_COLOR_DEFAULT 0x01000000u
#define UI_CONSOLE_COLOR_INDEX   0x02000000u
int ui_console_color_pair(uint32_t fg, uint32_t bg);
void ui_console_menu_free(GArray *items);

/* ---- --console mode (ui/main.c) ---- */

/* Open the console of the domain NAME (or UUID) of host 0 as soon as its
 * first domain list arrives; leaving the console (or a failure) quits the
 * program. kind as for ui_console_open. */
void ui_console_start_direct(struct ui_app *app, const char *name, const char *kind);
/* After ui_app_run: the message to print (failure), or NULL. */
const char *ui_console_direct_message(void);

/* ---- console keys: pure helpers, unit tested ---- */

/* "Ctrl+]" for a control character (the [console] escape-key, menu-key);
 * translated, g_free. */
char *ui_console_key_label(int ctrl);

/* The bytes a terminal (xterm conventions, as libvterm implements them)
 * sends for key k (with UI_KEY_MOD_* bits) into out; returns their count,
 * 0 for keys that send nothing. modes: bytes fed to the emulator first
 * (e.g. "\033[?1h" for application cursor keys), or NULL. The serial
 * backend does the same on its live emulator. */
size_t ui_console_key_bytes(ui_key k, const char *modes, char *out, size_t size);
/* Decode curses' extended key names ("kUP5", "kDC3") and KEY_SR/KEY_SF,
 * KEY_SLEFT... into base | UI_KEY_MOD_*; returns k itself otherwise. */
ui_key ui_console_decode_key(ui_key k);
