/* virtdeck - width-aware text drawing on stdscr
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * All text in virtdeck is UTF-8 (gettext is bound to UTF-8 in main()).
 * These helpers measure it with wcwidth(), never write control bytes,
 * truncate with an ellipsis and fall back to ASCII when the locale is not
 * UTF-8 or --ascii was given. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include "ui/term.h"

enum ui_align {
    UI_ALIGN_LEFT = 0,
    UI_ALIGN_RIGHT,
    UI_ALIGN_CENTER,
};

/* _(ID, unicode, ascii) */
#define UI_GLYPHS(_) \
    _(HLINE,      "\u2500", "-") \
    _(VLINE,      "\u2502", "|") \
    _(ULCORNER,   "\u250c", "+") \
    _(URCORNER,   "\u2510", "+") \
    _(LLCORNER,   "\u2514", "+") \
    _(LRCORNER,   "\u2518", "+") \
    _(TEE_DOWN,   "\u252c", "+") \
    _(TEE_UP,     "\u2534", "+") \
    _(TEE_RIGHT,  "\u251c", "+") \
    _(TEE_LEFT,   "\u2524", "+") \
    _(ELLIPSIS,   "\u2026", "~") \
    _(SORT_UP,    "\u25b2", "^") \
    _(SORT_DOWN,  "\u25bc", "v") \
    _(MARK,       "\u2714", "*") \
    _(RUNNING,    "\u25b6", ">") \
    _(PAUSED,     "\u2016", "=") \
    _(SHUTOFF,    "\u25cb", ".") \
    _(CRASHED,    "\u2716", "!") \
    _(OTHER,      "\u2022", "*") \
    _(HOST,       "\u25a0", "#") \
    _(CHECK_ON,   "[x]",    "[x]") \
    _(CHECK_OFF,  "[ ]",    "[ ]") \
    _(ARROW_L,    "\u25c2", "<") \
    _(ARROW_R,    "\u25b8", ">")

#define UI_GLYPH_ENUM(id, u, a) UI_G_##id,
enum ui_glyph {
    UI_GLYPHS(UI_GLYPH_ENUM)
    UI_G_LAST
};
#undef UI_GLYPH_ENUM

void ui_draw_set_ascii(bool ascii);
bool ui_draw_is_ascii(void);
const char *ui_glyph(enum ui_glyph g);

/* Display width of UTF-8 text in terminal cells (as drawn here). */
int ui_text_width(const char *s);

/* Draw s at (y, x) in at most w cells. Longer text ends with an ellipsis.
 * With pad, the rest of the w cells is filled with spaces in attr.
 * Returns the number of cells written (w when padded). */
int ui_draw_text(int y, int x, int w, const char *s, attr_t attr, enum ui_align align, bool pad);
void ui_draw_fill(int y, int x, int w, attr_t attr);
void ui_draw_hline(int y, int x, int w, attr_t attr);
void ui_draw_vline(int y, int x, int h, attr_t attr);
void ui_draw_box(int y, int x, int h, int w, attr_t attr);
/* Clear a rectangle to spaces in attr. */
void ui_draw_rect(int y, int x, int h, int w, attr_t attr);

/* Word-wrap s to lines of at most w cells (long words are cut).
 * Returns a NULL-terminated strv; at most max_lines lines (0: no limit),
 * the last one ending with an ellipsis when text was left over. */
char **ui_wrap(const char *s, int w, int max_lines);
