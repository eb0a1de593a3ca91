/* virtdeck - width-aware text drawing on stdscr
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <config.h>

#include <string.h>
#include <wchar.h>

#include "ui/draw.h"

#define UI_GLYPH_U(id, u, a) u,
#define UI_GLYPH_A(id, u, a) a,
static const char *const glyphs_utf8[] = { UI_GLYPHS(UI_GLYPH_U) };
static const char *const glyphs_ascii[] = { UI_GLYPHS(UI_GLYPH_A) };
#undef UI_GLYPH_U
#undef UI_GLYPH_A

static bool draw_ascii;

void
ui_draw_set_ascii(bool ascii)
{
    draw_ascii = ascii;
}

bool
ui_draw_is_ascii(void)
{
    return draw_ascii;
}

const char *
ui_glyph(enum ui_glyph g)
{
    if (g >= UI_G_LAST)
        return "?";
    return draw_ascii ? glyphs_ascii[g] : glyphs_utf8[g];
}

/* ASCII stand-ins for the punctuation our own strings use. */
static wchar_t
ascii_fallback(gunichar c)
{
    switch (c) {
    case 0x2026: return L'.';                   /* … */
    case 0x2013: case 0x2014: return L'-';      /* – — */
    case 0x2018: case 0x2019: return L'\'';
    case 0x201c: case 0x201d: return L'"';
    case 0x00a0: return L' ';
    default: return L'?';
    }
}

/* Next character of s as it will be drawn: control bytes, invalid UTF-8 and
 * (in ASCII mode) anything non-ASCII become '?'; *wc is 0 for a character
 * that is not drawn at all. Returns the byte length. */
static int
next_char(const char *s, wchar_t *wc, int *width)
{
    gunichar c = g_utf8_get_char_validated(s, -1);
    int len;

    if (c == (gunichar)-1 || c == (gunichar)-2) {
        *wc = L'?';
        *width = 1;
        return 1;
    }
    len = g_utf8_next_char(s) - s;
    if (draw_ascii) {
        *wc = (c >= 0x20 && c < 0x7f) ? (wchar_t)c : ascii_fallback(c);
        *width = 1;
        return len;
    }
    /* invisible format characters (bidi overrides, joiners) and variation
     * selectors make terminals disagree about widths: leave them out */
    if (g_unichar_type(c) == G_UNICODE_FORMAT || (c >= 0xfe00 && c <= 0xfe0f)) {
        *wc = 0;
        *width = 0;
        return len;
    }
    *wc = (wchar_t)c;
    *width = wcwidth(*wc);
    if (*width < 0) {
        *wc = L'?';
        *width = 1;
    }
    return len;
}

int
ui_text_width(const char *s)
{
    int total = 0;

    if (!s)
        return 0;
    while (*s) {
        wchar_t wc;
        int w;
        s += next_char(s, &wc, &w);
        total += w;
    }
    return total;
}

void
ui_draw_fill(int y, int x, int w, attr_t attr)
{
    if (w <= 0)
        return;
    attrset(attr);
    mvhline(y, x, ' ', w);
}

void
ui_draw_rect(int y, int x, int h, int w, attr_t attr)
{
    for (int i = 0; i < h; i++)
        ui_draw_fill(y + i, x, w, attr);
}

int
ui_draw_text(int y, int x, int w, const char *s, attr_t attr, enum ui_align align, bool pad)
{
    g_autofree wchar_t *buf = NULL;
    const char *p = s ? s : "";
    int n = 0, used = 0, total, x0 = x, cap;
    wchar_t ell;
    int ell_w;

    if (w <= 0)
        return 0;
    next_char(ui_glyph(UI_G_ELLIPSIS), &ell, &ell_w);
    total = ui_text_width(p);
    /* zero-width characters take no cell: room for a few per cell, then stop */
    cap = 4 * w + 2;
    buf = g_new(wchar_t, cap + 2);
    while (*p && n < cap) {
        wchar_t wc;
        int cw;
        p += next_char(p, &wc, &cw);
        if (wc == 0 || (cw == 0 && n == 0))
            continue;           /* hidden, or a combining mark with nothing to combine with */
        if (total > w ? used + cw > w - ell_w : used + cw > w)
            break;
        buf[n++] = wc;
        used += cw;
    }
    if (total > w && ell_w <= w - used) {
        buf[n++] = ell;
        used += ell_w;
    }
    buf[n] = 0;
    if (align == UI_ALIGN_RIGHT)
        x0 = x + w - used;
    else if (align == UI_ALIGN_CENTER)
        x0 = x + (w - used) / 2;
    if (pad)
        ui_draw_fill(y, x, w, attr);
    attrset(attr);
    if (n > 0)
        mvaddnwstr(y, x0, buf, n);
    return pad ? w : used;
}

static void
draw_repeat(int y, int x, int n, const char *glyph, attr_t attr, bool vertical)
{
    wchar_t wc;
    int cw;

    next_char(glyph, &wc, &cw);
    attrset(attr);
    for (int i = 0; i < n; i++) {
        wchar_t one[2] = { wc, 0 };
        if (vertical)
            mvaddnwstr(y + i, x, one, 1);
        else
            mvaddnwstr(y, x + i, one, 1);
    }
}

void
ui_draw_hline(int y, int x, int w, attr_t attr)
{
    draw_repeat(y, x, w, ui_glyph(UI_G_HLINE), attr, false);
}

void
ui_draw_vline(int y, int x, int h, attr_t attr)
{
    draw_repeat(y, x, h, ui_glyph(UI_G_VLINE), attr, true);
}

void
ui_draw_box(int y, int x, int h, int w, attr_t attr)
{
    if (h < 2 || w < 2)
        return;
    ui_draw_hline(y, x + 1, w - 2, attr);
    ui_draw_hline(y + h - 1, x + 1, w - 2, attr);
    ui_draw_vline(y + 1, x, h - 2, attr);
    ui_draw_vline(y + 1, x + w - 1, h - 2, attr);
    ui_draw_text(y, x, 1, ui_glyph(UI_G_ULCORNER), attr, UI_ALIGN_LEFT, false);
    ui_draw_text(y, x + w - 1, 1, ui_glyph(UI_G_URCORNER), attr, UI_ALIGN_LEFT, false);
    ui_draw_text(y + h - 1, x, 1, ui_glyph(UI_G_LLCORNER), attr, UI_ALIGN_LEFT, false);
    ui_draw_text(y + h - 1, x + w - 1, 1, ui_glyph(UI_G_LRCORNER), attr, UI_ALIGN_LEFT, false);
}

/* Byte length of the longest prefix of s that fits in w cells. */
static size_t
fit_prefix(const char *s, size_t len, int w)
{
    size_t i = 0;
    int used = 0;

    while (i < len) {
        wchar_t wc;
        int cw;
        int l = next_char(s + i, &wc, &cw);
        if (used + cw > w)
            break;
        used += cw;
        i += l;
    }
    return i;
}

char **
ui_wrap(const char *s, int w, int max_lines)
{
    g_autoptr(GPtrArray) lines = g_ptr_array_new();
    const char *p = s ? s : "";

    if (w < 1)
        w = 1;
    while (*p == ' ')
        p++;
    while (*p) {
        size_t len = strlen(p), take = fit_prefix(p, len, w);
        const char *next;

        if (take < len) {
            /* break at the last space that fits, if any */
            size_t sp = take;
            while (sp > 0 && p[sp] != ' ')
                sp--;
            if (sp > 0)
                take = sp;
            else if (take == 0)
                take = g_utf8_next_char(p) - p;
        }
        if (max_lines > 0 && (int)lines->len == max_lines - 1 && take < len) {
            /* last allowed line: let ui_draw_text truncate it with an ellipsis */
            g_autofree char *rest = g_strdup(p);
            GString *g = g_string_new(NULL);
            size_t cut = fit_prefix(rest, strlen(rest), w - 1);
            g_string_append_len(g, rest, cut);
            g_string_append(g, ui_glyph(UI_G_ELLIPSIS));
            g_ptr_array_add(lines, g_string_free(g, FALSE));
            break;
        }
        g_ptr_array_add(lines, g_strndup(p, take));
        next = p + take;
        while (*next == ' ')
            next++;
        p = next;
    }
    g_ptr_array_add(lines, NULL);
    return (char **)g_ptr_array_steal(lines, NULL);
}
