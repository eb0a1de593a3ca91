/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cell-render.h"

/* the VGA text colours in ANSI order: VD_CR_16 index i is vga[i] */
static const uint32_t vga[16] = {
    0x000000, 0xAA0000, 0x00AA00, 0xAA5500, 0x0000AA, 0xAA00AA, 0x00AAAA, 0xAAAAAA,
    0x555555, 0xFF5555, 0x55FF55, 0xFFFF55, 0x5555FF, 0xFF55FF, 0x55FFFF, 0xFFFFFF,
};

/* nearest xterm colour 16..255 by brute force (Euclidean RGB) */
static uint32_t
xterm256(uint32_t c)
{
    static const int lv[6] = { 0, 95, 135, 175, 215, 255 };
    int best = 16, bd = 1 << 30;
    for (int i = 16; i < 256; i++) {
        int r, g, b;
        if (i < 232) {
            r = lv[(i - 16) / 36];
            g = lv[(i - 16) / 6 % 6];
            b = lv[(i - 16) % 6];
        } else {
            r = g = b = 8 + 10 * (i - 232);
        }
        int dr = r - (int)(c >> 16 & 255), dg = g - (int)(c >> 8 & 255), db = b - (int)(c & 255);
        int d = dr * dr + dg * dg + db * db;
        if (d < bd) {
            bd = d;
            best = i;
        }
    }
    return (uint32_t)best;
}

struct frame {
    uint32_t *px;
    int w, h, stride;
};

static struct frame *
frame_new(int w, int h, uint32_t fill)
{
    struct frame *f = g_new0(struct frame, 1);

    f->w = w;
    f->h = h;
    f->stride = w + 3;          /* a stride wider than the frame */
    f->px = g_new(uint32_t, (size_t)f->stride * MAX(h, 1));
    for (size_t i = 0; i < (size_t)f->stride * MAX(h, 1); i++)
        f->px[i] = fill | 0xff000000u;  /* the top byte must be ignored */
    return f;
}

static void
frame_free(struct frame *f)
{
    g_free(f->px);
    g_free(f);
}

static struct vd_fb
fb_of(const struct frame *f)
{
    struct vd_fb fb = { f->px, f->w, f->h, f->stride };
    return fb;
}

static void
fill(struct frame *f, int x, int y, int w, int h, uint32_t c)
{
    for (int j = y; j < y + h; j++)
        for (int i = x; i < x + w; i++)
            if (i >= 0 && j >= 0 && i < f->w && j < f->h)
                f->px[(size_t)j * f->stride + i] = c;
}

/* one glyph as the VGA draws it; line9: the 9th column copies the 8th for
 * 0xC0-0xDF (line graphics enable) */
static void
draw_glyph(struct frame *f, int x0, int y0, int cw, int code, uint32_t fg, uint32_t bg, bool line9)
{
    for (int y = 0; y < 16; y++) {
        uint8_t row = vd_vga_font_8x16[code][y];
        for (int x = 0; x < cw; x++) {
            bool on;
            if (x < 8)
                on = row >> (7 - x) & 1;
            else
                on = line9 && code >= 0xc0 && code <= 0xdf && (row & 1);
            f->px[(size_t)(y0 + y) * f->stride + x0 + x] = on ? fg : bg;
        }
    }
}

/* codes whose decoding is unique: not blank or full, not the inverse of
 * another glyph, not a duplicate of a preferred glyph */
static bool
unambiguous(int code)
{
    static int cache[256];
    static bool done;

    if (!done) {
        for (int c = 0; c < 256; c++) {
            int ink = 0;
            bool ok = true;
            for (int y = 0; y < 16; y++)
                ink += __builtin_popcount(vd_vga_font_8x16[c][y]);
            if (ink == 0 || ink == 128)
                ok = false;
            for (int d = 0; d < 256 && ok; d++) {
                bool same = true, inv = true;
                for (int y = 0; y < 16; y++) {
                    same &= vd_vga_font_8x16[c][y] == vd_vga_font_8x16[d][y];
                    inv &= (vd_vga_font_8x16[c][y] ^ vd_vga_font_8x16[d][y]) == 0xff;
                }
                if ((same && d != c) || inv)
                    ok = false;
            }
            cache[c] = ok;
        }
        done = true;
    }
    return cache[code];
}

static gchar *
grid_text(struct vd_cr *r)
{
    int cols, rows;
    vd_cr_size(r, &cols, &rows);
    const struct vd_cell *c = vd_cr_cells(r);
    GString *s = g_string_new(NULL);
    for (int y = 0; y < rows; y++) {
        for (int x = 0; x < cols; x++)
            g_string_append_unichar(s, c[y * cols + x].ch);
        g_string_append_c(s, '\n');
    }
    return g_string_free(s, FALSE);
}

/* ---- the glyph table ---------------------------------------------------------- */

static void
test_font_provenance(void)
{
    const char *bin = "/usr/share/seabios/vgabios-stdvga.bin";
    gchar *data = NULL;
    gsize len = 0;

    /* spot checks that do not need the file */
    static const uint8_t A[16] = { 0, 0, 0x10, 0x38, 0x6c, 0xc6, 0xc6, 0xfe, 0xc6, 0xc6, 0xc6, 0xc6, 0, 0, 0, 0 };
    g_assert_cmpmem(vd_vga_font_8x16['A'], 16, A, 16);
    g_assert_cmpuint(vd_cp437_unicode[0xC4], ==, 0x2500);
    g_assert_cmpuint(vd_cp437_unicode[0xC9], ==, 0x2554);
    g_assert_cmpuint(vd_cp437_unicode[0xDB], ==, 0x2588);
    g_assert_cmpuint(vd_cp437_unicode[0x01], ==, 0x263A);
    g_assert_cmpuint(vd_cp437_unicode[0x00], ==, ' ');
    g_assert_cmpuint(vd_cp437_unicode['~'], ==, '~');

    if (!g_file_get_contents(bin, &data, &len, NULL)) {
        g_test_skip("no SeaBIOS VGA BIOS on this machine");
        return;
    }
    /* the Debian 12 build holds the table at 0x73c0 ('A' at 0x77d0) */
    g_assert_cmpuint(len, >=, 0x73c0 + 4096);
    g_assert_cmpmem(data + 0x73c0, 4096, vd_vga_font_8x16, 4096);
    g_free(data);
}

/* ---- text recognition ----------------------------------------------------------- */

struct text_case {
    int w, h, cw, ox, oy;
    bool line9;
};

static void
check_text_screen(const struct text_case *tc, guint32 seed)
{
    GRand *rnd = g_rand_new_with_seed(seed);
    struct frame *f = frame_new(tc->w, tc->h, 0x000000);
    int tcols = (tc->w - tc->ox) / tc->cw, trows = (tc->h - tc->oy) / 16;
    int *code = g_new(int, tcols * trows), *fgi = g_new(int, tcols * trows), *bgi = g_new(int, tcols * trows);

    fill(f, 0, 0, tc->w, tc->h, 0x000000);
    for (int y = 0; y < trows; y++) {
        int rowbg = g_rand_int_range(rnd, 0, 8);
        for (int x = 0; x < tcols; x++) {
            int i = y * tcols + x, c;
            do {
                /* a third box drawing and blocks, the rest anything */
                c = g_rand_int_range(rnd, 0, 3) == 0 ? g_rand_int_range(rnd, 0xb0, 0xe0)
                                                      : g_rand_int_range(rnd, 0, 256);
            } while (!unambiguous(c));
            code[i] = c;
            bgi[i] = g_rand_int_range(rnd, 0, 4) ? rowbg : g_rand_int_range(rnd, 0, 16);
            do
                fgi[i] = g_rand_int_range(rnd, 0, 16);
            while (fgi[i] == bgi[i]);
            draw_glyph(f, tc->ox + x * tc->cw, tc->oy + y * 16, tc->cw, c, vga[fgi[i]], vga[bgi[i]], tc->line9);
        }
    }

    struct vd_fb fb = fb_of(f);
    for (enum vd_cr_colors col = VD_CR_16; col <= VD_CR_TRUE; col++) {
        struct vd_cr *r = vd_cr_new();
        vd_cr_configure(r, tcols, trows, VD_CR_TEXT, col, VD_CR_FIT, 0, 0);
        vd_cr_damage(r, &fb, 0, 0, tc->w, tc->h);
        unsigned m, t;
        struct vd_cr_geom g;
        vd_cr_geometry(r, &g);
        if (!vd_cr_text_stats(r, &m, &t) || m != t)
            g_error("%dx%d cw %d +%d+%d seed %u: %u of %u matched, grid %d +%d+%d", tc->w, tc->h, tc->cw,
                    tc->ox, tc->oy, seed, m, t, g.text_cw, g.text_ox, g.text_oy);
        g_assert_cmpuint(t, ==, (unsigned)(tcols * trows));
        g_assert_cmpint(vd_cr_effective_mode(r), ==, VD_CR_TEXT);
        g_assert_cmpint(g.text_cw, ==, tc->cw);
        g_assert_cmpint(g.text_ox, ==, tc->ox);
        g_assert_cmpint(g.text_oy, ==, tc->oy);
        g_assert_cmpint(g.content_cols, ==, tcols);
        g_assert_cmpint(g.content_rows, ==, trows);
        const struct vd_cell *cells = vd_cr_cells(r);
        for (int i = 0; i < tcols * trows; i++) {
            if (cells[i].ch != vd_cp437_unicode[code[i]])
                g_error("%dx%d cw %d +%d+%d: cell %d,%d: U+%04X, want U+%04X (0x%02X)", tc->w, tc->h, tc->cw,
                        tc->ox, tc->oy, i / tcols, i % tcols, cells[i].ch, vd_cp437_unicode[code[i]], code[i]);
            uint32_t wf = col == VD_CR_16 ? (uint32_t)fgi[i] : vga[fgi[i]];
            uint32_t wb = col == VD_CR_16 ? (uint32_t)bgi[i] : vga[bgi[i]];
            if (col == VD_CR_256) {
                wf = xterm256(vga[fgi[i]]);
                wb = xterm256(vga[bgi[i]]);
            }
            g_assert_cmpuint(cells[i].fg, ==, wf);
            g_assert_cmpuint(cells[i].bg, ==, wb);
        }
        vd_cr_free(r);
    }
    g_free(code);
    g_free(fgi);
    g_free(bgi);
    frame_free(f);
    g_rand_free(rnd);
}

static void
test_text_screens(void)
{
    static const struct text_case cases[] = {
        { 720, 400, 9, 0, 0, true },    /* VGA text mode 3 */
        { 720, 400, 9, 0, 0, false },   /* line graphics off: 9th column blank */
        { 640, 480, 8, 0, 0, false },   /* 80x30 */
        { 1024, 768, 8, 0, 0, false },  /* fbcon 128x48 */
        { 800, 600, 8, 0, 12, false },  /* 100x37, 8 px left over at the bottom */
        { 300, 200, 9, 5, 7, true },    /* an odd offset */
        { 251, 131, 8, 3, 11, false },
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++)
        for (guint32 seed = 1; seed <= 3; seed++)
            check_text_screen(&cases[i], seed * 7 + i);
}

/* the cursor (full rows 13-14 in the foreground colour) does not hide the glyph */
static void
test_text_cursor(void)
{
    struct frame *f = frame_new(720, 400, 0);
    const char *s = "grub> linux /boot/vmlinuz";
    for (int i = 0; s[i]; i++)
        draw_glyph(f, i * 9, 0, 9, s[i], vga[7], vga[0], true);
    /* cursor on the 'g', on the 'u' and on a blank cell */
    fill(f, 0 * 9, 13, 9, 2, vga[7]);
    fill(f, 2 * 9, 13, 9, 2, vga[7]);
    fill(f, 30 * 9, 13, 9, 2, vga[7]);
    struct vd_fb fb = fb_of(f);
    struct vd_cr *r = vd_cr_new();
    vd_cr_configure(r, 80, 25, VD_CR_TEXT, VD_CR_TRUE, VD_CR_FIT, 0, 0);
    vd_cr_damage(r, &fb, 0, 0, 720, 400);
    gchar *t = grid_text(r);
    g_assert_true(g_str_has_prefix(t, "grub> linux /boot/vmlinuz     "));
    g_assert_cmpuint(vd_cr_cells(r)[30].ch, ==, ' ');
    unsigned m, tot;
    g_assert_true(vd_cr_text_stats(r, &m, &tot));
    g_assert_cmpuint(m, ==, tot);
    /* the cursor blinks: no change to draw */
    vd_cr_take_changes(r, NULL, NULL);
    for (int blink = 0; blink < 4; blink++) {
        fill(f, 30 * 9, 13, 9, 2, blink & 1 ? vd_cr_cells(r)[30].bg : vga[7]);
        vd_cr_damage(r, &fb, 30 * 9, 13, 9, 2);
        g_assert_cmpuint(vd_cr_take_changes(r, NULL, NULL), ==, 0);
    }
    g_free(t);
    vd_cr_free(r);
    frame_free(f);
}

/* a picture is not a text screen: text mode falls back to half blocks */
static void
test_text_fallback(void)
{
    struct frame *f = frame_new(640, 480, 0);
    GRand *rnd = g_rand_new_with_seed(5);
    for (int y = 0; y < 480; y++)
        for (int x = 0; x < 640; x++)
            f->px[y * f->stride + x] = (uint32_t)(x * 255 / 639) << 16 | (uint32_t)(y * 255 / 479) << 8 |
                                       (g_rand_int(rnd) & 0x3f);
    struct vd_fb fb = fb_of(f);
    struct vd_cr *r = vd_cr_new();
    vd_cr_configure(r, 80, 24, VD_CR_TEXT, VD_CR_TRUE, VD_CR_FIT, 0, 0);
    vd_cr_damage(r, &fb, 0, 0, 640, 480);
    g_assert_false(vd_cr_text_stats(r, NULL, NULL));
    g_assert_cmpint(vd_cr_effective_mode(r), ==, VD_CR_HALF);
    g_assert_cmpuint(vd_cr_cells(r)[12 * 80 + 40].ch, ==, 0x2580);

    /* the same frame becomes text: recognised again after a full update */
    fill(f, 0, 0, 640, 480, 0);
    for (int i = 0; i < 40; i++)
        draw_glyph(f, i * 8, 32, 8, 'A' + i % 26, vga[15], vga[1], false);
    vd_cr_damage(r, &fb, 0, 0, 640, 480);
    g_assert_true(vd_cr_text_stats(r, NULL, NULL));
    g_assert_cmpuint(vd_cr_cells(r)[2 * 80].ch, ==, 'A');

    /* MONO falls back to ASCII */
    vd_cr_configure(r, 80, 24, VD_CR_TEXT, VD_CR_MONO, VD_CR_FIT, 0, 0);
    fill(f, 100, 100, 300, 200, 0xffffff);
    for (int y = 0; y < 480; y += 3)
        fill(f, 0, y, 640, 1, 0x808080);
    vd_cr_damage(r, &fb, 0, 0, 640, 480);
    g_assert_cmpint(vd_cr_effective_mode(r), ==, VD_CR_ASCII);
    g_rand_free(rnd);
    vd_cr_free(r);
    frame_free(f);

    /* an 800x600 console that starts blank and fills line by line */
    f = frame_new(800, 600, 0);
    fb = fb_of(f);
    r = vd_cr_new();
    vd_cr_configure(r, 120, 40, VD_CR_TEXT, VD_CR_256, VD_CR_FIT, 0, 0);
    vd_cr_damage(r, &fb, 0, 0, 800, 600);
    const char *line = "[    0.000000] Linux version 6.1.0 (debian-kernel@lists)";
    for (int y = 0; y < 37; y++) {
        for (int x = 0; line[x]; x++)
            draw_glyph(f, x * 8, y * 16, 8, line[x], vga[7], vga[0], false);
        vd_cr_damage(r, &fb, 0, y * 16, 480, 16);
    }
    g_assert_true(vd_cr_text_stats(r, NULL, NULL));
    struct vd_cr_geom g;
    vd_cr_geometry(r, &g);
    g_assert_cmpint(g.text_cw, ==, 8);
    g_assert_cmpint(g.text_ox, ==, 0);
    g_assert_cmpint(g.text_oy, ==, 0);
    g_assert_cmpint(g.content_cols, ==, 100);
    g_assert_cmpint(g.content_rows, ==, 37);
    vd_cr_free(r);
    frame_free(f);
}

/* text grids larger than the output are cropped and panned, smaller ones centred */
static void
test_text_pan(void)
{
    struct frame *f = frame_new(720, 400, 0);
    for (int y = 0; y < 25; y++)
        for (int x = 0; x < 80; x++)
            draw_glyph(f, x * 9, y * 16, 9, 'a' + (x + y) % 26, vga[7], vga[0], true);
    struct vd_fb fb = fb_of(f);
    struct vd_cr *r = vd_cr_new();
    vd_cr_configure(r, 40, 10, VD_CR_TEXT, VD_CR_16, VD_CR_FIT, 30, 5);
    vd_cr_damage(r, &fb, 0, 0, 720, 400);
    g_assert_cmpuint(vd_cr_cells(r)[0].ch, ==, 'a' + (30 + 5) % 26);
    struct vd_cr_geom g;
    vd_cr_geometry(r, &g);
    g_assert_cmpint(g.pan_x, ==, 30);
    g_assert_cmpint(g.pan_y, ==, 5);
    int x, y;
    g_assert_true(vd_cr_cell_to_fb(r, 1, 2, &x, &y));
    g_assert_cmpint(x, ==, 31 * 9 + 4);
    g_assert_cmpint(y, ==, 7 * 16 + 8);
    /* pan clamped */
    vd_cr_configure(r, 40, 10, VD_CR_TEXT, VD_CR_16, VD_CR_FIT, 1000, 1000);
    vd_cr_damage(r, &fb, 0, 0, 0, 0);
    vd_cr_geometry(r, &g);
    g_assert_cmpint(g.pan_x, ==, 40);
    g_assert_cmpint(g.pan_y, ==, 15);
    g_assert_cmpuint(vd_cr_cells(r)[9 * 40 + 39].ch, ==, 'a' + (79 + 24) % 26);
    /* centred */
    vd_cr_configure(r, 100, 30, VD_CR_TEXT, VD_CR_16, VD_CR_FIT, 0, 0);
    vd_cr_damage(r, &fb, 0, 0, 0, 0);
    vd_cr_geometry(r, &g);
    g_assert_cmpint(g.col, ==, 10);
    g_assert_cmpint(g.row, ==, 2);
    g_assert_cmpuint(vd_cr_cells(r)[2 * 100 + 10].ch, ==, 'a');
    g_assert_cmpuint(vd_cr_cells(r)[0].ch, ==, ' ');
    g_assert_false(vd_cr_cell_to_fb(r, 0, 0, &x, &y));
    vd_cr_free(r);
    frame_free(f);
}

/* ---- blocks, colours, scaling --------------------------------------------------- */

static void
test_half_blocks(void)
{
    /* 1:1: one cell = 1x2 pixels */
    struct frame *f = frame_new(4, 4, 0);
    fill(f, 0, 0, 1, 1, 0xff0000);   /* cell 0,0: red over black */
    fill(f, 1, 0, 1, 2, 0x00ff00);   /* cell 0,1: all green */
    fill(f, 2, 1, 1, 1, 0x0000ff);   /* cell 0,2: black over blue */
    struct vd_fb fb = fb_of(f);
    struct vd_cr *r = vd_cr_new();
    vd_cr_configure(r, 4, 2, VD_CR_HALF, VD_CR_TRUE, VD_CR_1TO1, 0, 0);
    vd_cr_damage(r, &fb, 0, 0, 4, 4);
    const struct vd_cell *c = vd_cr_cells(r);
    g_assert_cmpuint(c[0].ch, ==, 0x2580);
    g_assert_cmphex(c[0].fg, ==, 0xff0000);
    g_assert_cmphex(c[0].bg, ==, 0x000000);
    g_assert_cmpuint(c[1].ch, ==, ' ');
    g_assert_cmphex(c[1].bg, ==, 0x00ff00);
    g_assert_cmpuint(c[2].ch, ==, 0x2580);
    g_assert_cmphex(c[2].fg, ==, 0);
    g_assert_cmphex(c[2].bg, ==, 0x0000ff);
    /* 16 colours */
    vd_cr_configure(r, 4, 2, VD_CR_HALF, VD_CR_16, VD_CR_1TO1, 0, 0);
    vd_cr_damage(r, &fb, 0, 0, 4, 4);
    g_assert_cmpuint(c[0].fg, ==, 1);       /* nearest: 0xAA0000 */
    g_assert_cmpuint(c[0].bg, ==, 0);
    g_assert_cmpuint(c[2].bg, ==, 4);
    /* mono: thresholded halves */
    vd_cr_configure(r, 4, 2, VD_CR_HALF, VD_CR_MONO, VD_CR_1TO1, 0, 0);
    fill(f, 0, 0, 4, 4, 0);
    fill(f, 0, 0, 1, 1, 0xffffff);
    fill(f, 1, 1, 1, 1, 0xffffff);
    fill(f, 2, 0, 1, 2, 0xffffff);
    vd_cr_damage(r, &fb, 0, 0, 4, 4);
    g_assert_cmpuint(c[0].ch, ==, 0x2580);
    g_assert_cmpuint(c[1].ch, ==, 0x2584);
    g_assert_cmpuint(c[2].ch, ==, 0x2588);
    g_assert_cmpuint(c[3].ch, ==, ' ');
    vd_cr_free(r);
    frame_free(f);
}

static void
test_quad_blocks(void)
{
    /* every 2x2 pattern of two colours, one cell each (1:1: 2x2 px per cell) */
    struct frame *f = frame_new(32, 2, 0);
    for (int m = 0; m < 16; m++)
        for (int q = 0; q < 4; q++)
            fill(f, 2 * m + (q & 1), q >> 1, 1, 1, (m >> q) & 1 ? 0xffff00 : 0x0000aa);
    struct vd_fb fb = fb_of(f);
    struct vd_cr *r = vd_cr_new();
    vd_cr_configure(r, 16, 1, VD_CR_QUAD, VD_CR_TRUE, VD_CR_1TO1, 0, 0);
    vd_cr_damage(r, &fb, 0, 0, 32, 2);
    static const uint32_t quad[16] = {
        0x0020, 0x2598, 0x259D, 0x2580, 0x2596, 0x258C, 0x259E, 0x259B,
        0x2597, 0x259A, 0x2590, 0x259C, 0x2584, 0x2599, 0x259F, 0x2588,
    };
    const struct vd_cell *c = vd_cr_cells(r);
    for (int m = 0; m < 16; m++) {
        /* the same picture, in the canonical form (upper left = background) */
        if (m == 0 || m == 15) {
            g_assert_cmpuint(c[m].ch, ==, ' ');
            g_assert_cmphex(c[m].bg, ==, m ? 0xffff00 : 0x0000aa);
            continue;
        }
        bool inv = m & 1;
        g_assert_cmpuint(c[m].ch, ==, quad[inv ? m ^ 15 : m]);
        g_assert_cmphex(c[m].fg, ==, inv ? 0x0000aa : 0xffff00);
        g_assert_cmphex(c[m].bg, ==, inv ? 0xffff00 : 0x0000aa);
    }
    /* three colours: the odd one joins its nearest */
    fill(f, 0, 0, 32, 2, 0);
    fill(f, 0, 0, 1, 1, 0xff0000);
    fill(f, 1, 0, 1, 1, 0xf00000);
    fill(f, 0, 1, 2, 1, 0x000010);
    vd_cr_damage(r, &fb, 0, 0, 2, 2);
    g_assert_cmpuint(c[0].ch, ==, 0x2584);
    g_assert_cmphex(c[0].fg, ==, 0x000010);
    g_assert_cmphex(c[0].bg, ==, 0xf80000);
    vd_cr_free(r);
    frame_free(f);
}

/* bands of known colours, scaled down: each depth gives the expected colour */
static void
test_gradients(void)
{
    static const struct {
        uint32_t rgb, c16, c256;
    } bands[] = {
        { 0x000000, 0, 16 },  { 0xAA0000, 1, 124 }, { 0x00AA00, 2, 34 },  { 0xAA5500, 3, 130 },
        { 0x0000AA, 4, 19 },  { 0xFFFFFF, 15, 231 }, { 0x808080, 7, 244 }, { 0x5f87af, 7, 67 },
        { 0xd0d0d0, 7, 252 }, { 0x55FFFF, 14, 87 },
    };
    int n = G_N_ELEMENTS(bands);
    /* 10 horizontal bands of 40 px in a 400x400 frame; 100x50 cells fit
     * 100 x 50 (square): one band = 5 rows of half blocks */
    struct frame *f = frame_new(400, 400, 0);
    for (int i = 0; i < n; i++)
        fill(f, 0, i * 40, 400, 40, bands[i].rgb);
    struct vd_fb fb = fb_of(f);
    struct vd_cr *r = vd_cr_new();
    for (int i = 0; i < n; i++)
        g_assert_cmpuint(bands[i].c256, ==, xterm256(bands[i].rgb));
    for (enum vd_cr_colors col = VD_CR_MONO; col <= VD_CR_TRUE; col++)
        for (enum vd_cr_mode mode = VD_CR_HALF; mode <= VD_CR_ASCII; mode++) {
            vd_cr_configure(r, 100, 50, mode, col, VD_CR_FIT, 0, 0);
            vd_cr_damage(r, &fb, 0, 0, 400, 400);
            struct vd_cr_geom g;
            vd_cr_geometry(r, &g);
            g_assert_cmpint(g.cols, ==, 100);
            g_assert_cmpint(g.rows, ==, 50);
            const struct vd_cell *c = vd_cr_cells(r);
            for (int i = 0; i < n; i++) {
                const struct vd_cell *m = &c[(i * 5 + 2) * 100 + 50];  /* mid band */
                uint32_t want = col == VD_CR_TRUE ? bands[i].rgb : col == VD_CR_256 ? bands[i].c256
                              : bands[i].c16;
                if (col == VD_CR_MONO) {
                    g_assert_cmpuint(m->fg, ==, 7);
                    g_assert_cmpuint(m->bg, ==, 0);
                } else if (mode == VD_CR_ASCII) {
                    g_assert_cmphex(m->fg, ==, want);
                } else {
                    g_assert_cmpuint(m->ch, ==, ' ');
                    g_assert_cmphex(m->bg, ==, want);
                }
            }
        }

    /* a smooth grey ramp: ASCII density rises from left to right */
    for (int x = 0; x < 400; x++)
        fill(f, x, 0, 1, 400, (uint32_t)(x * 255 / 399) * 0x010101);
    vd_cr_configure(r, 100, 50, VD_CR_ASCII, VD_CR_MONO, VD_CR_FIT, 0, 0);
    vd_cr_damage(r, &fb, 0, 0, 400, 400);
    const char *dens = " .:-=+*#%@";
    int last = -1;
    for (int x = 0; x < 100; x++) {
        int k = (int)(strchr(dens, (int)vd_cr_cells(r)[25 * 100 + x].ch) - dens);
        g_assert_cmpint(k, >=, last);
        last = k;
    }
    g_assert_cmpuint(vd_cr_cells(r)[25 * 100].ch, ==, ' ');
    g_assert_cmpuint(vd_cr_cells(r)[25 * 100 + 99].ch, ==, '@');
    /* the same ramp in 256 colours ends on the grey ramp / white */
    vd_cr_configure(r, 100, 50, VD_CR_HALF, VD_CR_256, VD_CR_FIT, 0, 0);
    vd_cr_damage(r, &fb, 0, 0, 400, 400);
    g_assert_cmpuint(vd_cr_cells(r)[25 * 100].bg, ==, 16);
    g_assert_cmpuint(vd_cr_cells(r)[25 * 100 + 99].bg, ==, 231);
    for (int x = 1; x < 99; x++) {
        uint32_t b = vd_cr_cells(r)[25 * 100 + x].bg;
        g_assert_true(b >= 232 || b == 16 || b == 59 || b == 102 || b == 145 || b == 188 || b == 231);
    }
    vd_cr_free(r);
    frame_free(f);
}

static void
test_scaling(void)
{
    struct frame *f = frame_new(1024, 768, 0x123456);
    struct vd_fb fb = fb_of(f);
    struct vd_cr *r = vd_cr_new();
    struct vd_cr_geom g;

    /* 4:3 into 160x48 cells (160 x 96 square units): 128x48, centred */
    vd_cr_configure(r, 160, 48, VD_CR_HALF, VD_CR_TRUE, VD_CR_FIT, 0, 0);
    vd_cr_damage(r, &fb, 0, 0, 1024, 768);
    vd_cr_geometry(r, &g);
    g_assert_cmpint(g.cols, ==, 128);
    g_assert_cmpint(g.rows, ==, 48);
    g_assert_cmpint(g.col, ==, 16);
    g_assert_cmpint(g.row, ==, 0);
    g_assert_cmpuint(vd_cr_cells(r)[15].bg, ==, 0);
    g_assert_cmphex(vd_cr_cells(r)[16].bg, ==, 0x123456);
    int x, y;
    g_assert_true(vd_cr_cell_to_fb(r, 16, 0, &x, &y));
    g_assert_cmpint(x, ==, 4);
    g_assert_cmpint(y, ==, 8);
    g_assert_false(vd_cr_cell_to_fb(r, 15, 0, &x, &y));
    /* wide frame into 80x24: 80 x 10 */
    struct frame *w = frame_new(800, 200, 0xffffff);
    struct vd_fb wfb = fb_of(w);
    for (enum vd_cr_mode m = VD_CR_HALF; m <= VD_CR_ASCII; m++) {
        vd_cr_configure(r, 80, 24, m, VD_CR_TRUE, VD_CR_FIT, 0, 0);
        vd_cr_damage(r, &wfb, 0, 0, 800, 200);
        vd_cr_geometry(r, &g);
        g_assert_cmpint(g.cols, ==, 80);
        g_assert_cmpint(g.rows, ==, 10);
        g_assert_cmpint(g.row, ==, 7);
    }
    /* 1:1 with pan */
    vd_cr_configure(r, 100, 40, VD_CR_HALF, VD_CR_TRUE, VD_CR_1TO1, 500, 9999);
    vd_cr_damage(r, &fb, 0, 0, 1024, 768);
    vd_cr_geometry(r, &g);
    g_assert_cmpint(g.content_cols, ==, 1024);
    g_assert_cmpint(g.content_rows, ==, 384);
    g_assert_cmpint(g.pan_x, ==, 500);
    g_assert_cmpint(g.pan_y, ==, 344);
    g_assert_true(vd_cr_cell_to_fb(r, 3, 2, &x, &y));
    g_assert_cmpint(x, ==, 503);
    g_assert_cmpint(y, ==, 2 * 346 + 1);
    vd_cr_configure(r, 100, 40, VD_CR_QUAD, VD_CR_TRUE, VD_CR_1TO1, 0, 0);
    vd_cr_damage(r, &fb, 0, 0, 0, 0);
    vd_cr_geometry(r, &g);
    g_assert_cmpint(g.content_cols, ==, 512);
    g_assert_cmpint(g.content_rows, ==, 384);
    /* no frame: blank */
    vd_cr_damage(r, NULL, 0, 0, 1, 1);
    g_assert_cmpuint(vd_cr_cells(r)[0].ch, ==, ' ');
    g_assert_false(vd_cr_cell_to_fb(r, 0, 0, &x, &y));
    vd_cr_free(r);
    frame_free(f);
    frame_free(w);
}

/* ---- change lists --------------------------------------------------------------------- */

struct shadow {
    struct vd_cell *cells;
    int cols;
    size_t reported;
};

static void
apply_run(int row, int col, int n, const struct vd_cell *cells, void *u)
{
    struct shadow *s = u;
    for (int i = 0; i < n; i++) {
        struct vd_cell *o = &s->cells[(size_t)row * s->cols + col + i];
        /* only cells that differ from what was taken before */
        g_assert_true(o->ch != cells[i].ch || o->fg != cells[i].fg || o->bg != cells[i].bg);
        *o = cells[i];
    }
    s->reported += (size_t)n;
}

static void
full_run(int row, int col, int n, const struct vd_cell *cells, void *u)
{
    struct shadow *s = u;
    memcpy(&s->cells[(size_t)row * s->cols + col], cells, sizeof(*cells) * (size_t)n);
    s->reported += (size_t)n;
}

static void
test_changes(void)
{
    struct frame *f = frame_new(720, 400, 0);
    for (int y = 0; y < 25; y++)
        for (int x = 0; x < 80; x++)
            draw_glyph(f, x * 9, y * 16, 9, 'A' + (x * y) % 50, vga[7], vga[1], true);
    struct vd_fb fb = fb_of(f);
    struct vd_cr *r = vd_cr_new();
    vd_cr_configure(r, 80, 25, VD_CR_TEXT, VD_CR_256, VD_CR_FIT, 0, 0);
    vd_cr_damage(r, &fb, 0, 0, 720, 400);
    struct shadow s = { g_new0(struct vd_cell, 80 * 25), 80, 0 };
    g_assert_cmpuint(vd_cr_take_changes(r, full_run, &s), ==, 80 * 25);
    /* unchanged frame: nothing */
    vd_cr_damage(r, &fb, 0, 0, 720, 400);
    g_assert_cmpuint(vd_cr_take_changes(r, apply_run, &s), ==, 0);
    /* one word */
    for (int i = 0; i < 5; i++)
        draw_glyph(f, (10 + i) * 9, 3 * 16, 9, "hello"[i], vga[15], vga[1], true);
    vd_cr_damage(r, &fb, 0, 0, 720, 400);
    s.reported = 0;
    g_assert_cmpuint(vd_cr_take_changes(r, apply_run, &s), ==, 5);
    g_assert_cmpmem(s.cells, sizeof(struct vd_cell) * 80 * 25, vd_cr_cells(r), sizeof(struct vd_cell) * 80 * 25);
    g_assert_cmpuint(vd_cr_take_changes(r, NULL, NULL), ==, 0);
    vd_cr_invalidate(r);
    g_assert_cmpuint(vd_cr_take_changes(r, NULL, NULL), ==, 80 * 25);
    g_free(s.cells);
    vd_cr_free(r);
    frame_free(f);
}

/* random frames, modes and damage: incremental == full recompute, and the
 * change list is exactly the difference */
/* paints (a part of) the rectangle; *x, *y, *w, *h: what was painted */
static void
random_paint(GRand *rnd, struct frame *f, int *px, int *py, int *pw, int *ph, bool text, int cw, int ox, int oy)
{
    int x = *px, y = *py, w = *pw, h = *ph;
    if (text) {
        /* the text cells under the rectangle: random glyphs */
        int c0 = MAX(0, (x - ox) / cw), r0 = MAX(0, (y - oy) / 16);
        int c1 = MIN((f->w - ox) / cw, (x + w - ox + cw - 1) / cw), r1 = MIN((f->h - oy) / 16, (y + h - oy + 15) / 16);
        *px = ox + c0 * cw;
        *py = oy + r0 * 16;
        *pw = MAX(0, (c1 - c0) * cw);
        *ph = MAX(0, (r1 - r0) * 16);
        for (int ty = r0; ty < r1; ty++)
            for (int tx = c0; tx < c1; tx++) {
                int bg = g_rand_int_range(rnd, 0, 16), fg = (bg + g_rand_int_range(rnd, 1, 16)) % 16;
                draw_glyph(f, ox + tx * cw, oy + ty * 16, cw, g_rand_int_range(rnd, 0, 256), vga[fg], vga[bg], true);
            }
        return;
    }
    switch (g_rand_int_range(rnd, 0, 3)) {
    case 0:
        fill(f, x, y, w, h, g_rand_int(rnd) & 0xffffff);
        break;
    case 1:
        for (int j = y; j < y + h; j++)
            for (int i = x; i < x + w; i++)
                fill(f, i, j, 1, 1, g_rand_int(rnd) & 0xffffff);
        break;
    default: {
        uint32_t a = g_rand_int(rnd) & 0xffffff, b = g_rand_int(rnd) & 0xffffff;
        for (int j = y; j < y + h; j++)
            for (int i = x; i < x + w; i++)
                fill(f, i, j, 1, 1, (i ^ j) & 1 ? a : b);
    }
    }
}

static void
test_fuzz(void)
{
    GRand *rnd = g_rand_new_with_seed(20261126);
    int cases = g_test_thorough() ? 20000 : 2000;
    size_t cells_checked = 0;
    unsigned skipped = 0;

    for (int n = 0; n < cases; n++) {
        bool text = g_rand_int_range(rnd, 0, 4) == 0;
        int cw = g_rand_boolean(rnd) ? 8 : 9;
        int ox = text ? g_rand_int_range(rnd, 0, cw) : 0, oy = text ? g_rand_int_range(rnd, 0, 16) : 0;
        int W = text ? ox + cw * g_rand_int_range(rnd, 1, 20) + g_rand_int_range(rnd, 0, cw)
                     : g_rand_int_range(rnd, 1, 160);
        int H = text ? oy + 16 * g_rand_int_range(rnd, 1, 8) + g_rand_int_range(rnd, 0, 16)
                     : g_rand_int_range(rnd, 1, 120);
        struct frame *f = frame_new(W, H, 0);
        int x = 0, y = 0, w = W, h = H;
        random_paint(rnd, f, &x, &y, &w, &h, text, cw, ox, oy);
        enum vd_cr_mode mode = text ? VD_CR_TEXT : (enum vd_cr_mode)g_rand_int_range(rnd, 0, 4);
        enum vd_cr_colors col = (enum vd_cr_colors)g_rand_int_range(rnd, 0, 4);
        enum vd_cr_scale sc = g_rand_boolean(rnd) ? VD_CR_FIT : VD_CR_1TO1;
        int cols = g_rand_int_range(rnd, 1, 90), rows = g_rand_int_range(rnd, 1, 40);
        int px = g_rand_int_range(rnd, 0, 50), py = g_rand_int_range(rnd, 0, 50);
        struct vd_fb fb = fb_of(f);
        struct vd_cr *r = vd_cr_new();
        vd_cr_configure(r, cols, rows, mode, col, sc, px, py);
        vd_cr_damage(r, &fb, 0, 0, W, H);
        struct shadow s = { g_new0(struct vd_cell, (size_t)cols * rows), cols, 0 };
        g_assert_cmpuint(vd_cr_take_changes(r, full_run, &s), ==, (size_t)cols * rows);

        int steps = g_rand_int_range(rnd, 1, 6);
        for (int k = 0; k < steps; k++) {
            x = g_rand_int_range(rnd, -5, W + 2);
            y = g_rand_int_range(rnd, -5, H + 2);
            w = g_rand_int_range(rnd, 0, W / 2 + 3);
            h = g_rand_int_range(rnd, 0, H / 2 + 3);
            if (g_rand_int_range(rnd, 0, 10) == 0) {
                /* the same pixels again: no change at all (text mode may
                 * take an update as the moment to look for a text grid
                 * again: after a whole-frame one it has looked) */
                if (mode == VD_CR_TEXT) {
                    vd_cr_damage(r, &fb, 0, 0, W, H);
                    vd_cr_take_changes(r, apply_run, &s);
                }
                vd_cr_damage(r, &fb, x, y, w, h);
                size_t again = vd_cr_take_changes(r, apply_run, &s);
                if (again)
                    g_error("case %d step %d: %dx%d %s %s %s %dx%d damage %d,%d %dx%d again: %zu changes", n, k, W,
                            H, vd_cr_mode_name(mode), vd_cr_colors_name(col), vd_cr_scale_name(sc), cols, rows, x,
                            y, w, h, again);
                continue;
            }
            int cx = MAX(x, 0), cy = MAX(y, 0);
            int pw = MIN(x + w, W) - cx, ph = MIN(y + h, H) - cy;
            if (pw > 0 && ph > 0) {
                random_paint(rnd, f, &cx, &cy, &pw, &ph, text, cw, ox, oy);
                if (text && pw > 0 && ph > 0) {
                    x = cx;
                    y = cy;
                    w = pw;
                    h = ph;
                }
            }
            /* the reported rectangle may be larger than the painted one */
            int grow = g_rand_int_range(rnd, 0, 3);
            vd_cr_damage(r, &fb, x - grow, y - grow, w + 2 * grow, h + 2 * grow);

            s.reported = 0;
            size_t nch = vd_cr_take_changes(r, apply_run, &s);
            g_assert_cmpuint(nch, ==, s.reported);
            g_assert_cmpmem(s.cells, sizeof(struct vd_cell) * cols * rows, vd_cr_cells(r),
                            sizeof(struct vd_cell) * cols * rows);

            struct vd_cr *full = vd_cr_new();
            vd_cr_configure(full, cols, rows, mode, col, sc, px, py);
            vd_cr_damage(full, &fb, 0, 0, W, H);
            /* text mode: which grid was chosen depends on the frames seen
             * before (a blank frame or a picture has none, text drawn in
             * small steps is looked for again only after a quarter of the
             * frame changed); compare when both chose the same */
            struct vd_cr_geom ga, gb;
            vd_cr_geometry(r, &ga);
            vd_cr_geometry(full, &gb);
            if (mode == VD_CR_TEXT &&
                (ga.text_cw != gb.text_cw || ga.text_ox != gb.text_ox || ga.text_oy != gb.text_oy ||
                 vd_cr_effective_mode(full) != vd_cr_effective_mode(r))) {
                skipped++;
                vd_cr_free(full);
                continue;
            }
            if (memcmp(vd_cr_cells(full), vd_cr_cells(r), sizeof(struct vd_cell) * cols * rows) != 0) {
                struct vd_cr_geom g1, g2;
                unsigned m1, t1, m2, t2;
                vd_cr_geometry(r, &g1);
                vd_cr_geometry(full, &g2);
                vd_cr_text_stats(r, &m1, &t1);
                vd_cr_text_stats(full, &m2, &t2);
                g_error("case %d step %d: %dx%d %s %s %s %dx%d pan %d,%d damage %d,%d %dx%d: incremental != full "
                        "(grid %d+%d+%d / %d+%d+%d, text %u/%u, %u/%u, modes %d %d)",
                        n, k, W, H, vd_cr_mode_name(mode), vd_cr_colors_name(col), vd_cr_scale_name(sc),
                        cols, rows, px, py, x, y, w, h, g1.text_cw, g1.text_ox, g1.text_oy,
                        g2.text_cw, g2.text_ox, g2.text_oy, m1, t1, m2, t2,
                        vd_cr_effective_mode(r), vd_cr_effective_mode(full));
            }
            g_assert_cmpint(vd_cr_effective_mode(full), ==, vd_cr_effective_mode(r));
            cells_checked += (size_t)cols * rows;
            vd_cr_free(full);
        }
        g_free(s.cells);
        vd_cr_free(r);
        frame_free(f);
    }
    g_test_message("%d cases, %zu cells compared, %u comparisons of text mode on other grids skipped", cases,
                   cells_checked, skipped);
    g_rand_free(rnd);
}

/* ---- recorded frames ------------------------------------------------------------------ */

/* a gzip'd binary PPM (P6, maxval 255) as 0x00RRGGBB */
static struct frame *
load_ppm_gz(const char *path)
{
    gchar *cmd = g_strdup_printf("gzip -dc '%s'", path);
    FILE *p = popen(cmd, "r");
    g_free(cmd);
    g_assert_nonnull(p);
    GByteArray *a = g_byte_array_new();
    guint8 buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
        g_byte_array_append(a, buf, (guint)n);
    g_assert_cmpint(pclose(p), ==, 0);

    int w, h, max, off = 0;
    g_assert_cmpint(sscanf((char *)a->data, "P6 %d %d %d%n", &w, &h, &max, &off), ==, 3);
    g_assert_cmpint(max, ==, 255);
    off++;                      /* the single whitespace after maxval */
    g_assert_cmpuint(a->len, >=, (guint)(off + w * h * 3));
    struct frame *f = frame_new(w, h, 0);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            const guint8 *q = a->data + off + ((size_t)y * w + x) * 3;
            f->px[(size_t)y * f->stride + x] = (uint32_t)q[0] << 16 | (uint32_t)q[1] << 8 | q[2];
        }
    g_byte_array_unref(a);
    return f;
}

/* characters of the expected text that the renderer got right */
static void
frame_accuracy(const char *name, unsigned *right, unsigned *total)
{
    const char *src = g_getenv("VD_SRCDIR");
    gchar *ppm = g_build_filename(src ? src : ".", "tests", "data", "frames", name, NULL);
    gchar *txtname = g_strdup(ppm);
    strcpy(strstr(txtname, ".ppm.gz"), ".txt");
    gchar *want;
    g_assert_true(g_file_get_contents(txtname, &want, NULL, NULL));

    struct frame *f = load_ppm_gz(ppm);
    struct vd_fb fb = fb_of(f);
    struct vd_cr *r = vd_cr_new();
    vd_cr_configure(r, 200, 100, VD_CR_TEXT, VD_CR_TRUE, VD_CR_FIT, 0, 0);
    vd_cr_damage(r, &fb, 0, 0, f->w, f->h);
    g_assert_true(vd_cr_text_stats(r, NULL, NULL));
    struct vd_cr_geom g;
    vd_cr_geometry(r, &g);
    const struct vd_cell *cells = vd_cr_cells(r);

    gchar **lines = g_strsplit(want, "\n", -1);
    *right = *total = 0;
    for (int y = 0; y < g.content_rows; y++) {
        const char *l = y < (int)g_strv_length(lines) ? lines[y] : "";
        for (int x = 0; x < g.content_cols; x++) {
            gunichar w = ' ';
            if (*l) {
                w = g_utf8_get_char(l);
                l = g_utf8_next_char(l);
            }
            gunichar got = cells[(g.row + y) * 200 + g.col + x].ch;
            if (w == ' ' && got == ' ')
                continue;       /* blank on both sides: not a character */
            (*total)++;
            if (got == w)
                (*right)++;
        }
    }
    g_test_message("%s: %u of %u characters", name, *right, *total);
    if (strcmp(name, "grub-menu.ppm.gz") == 0) {
        /* the highlighted entry: black on light grey, the others the reverse */
        bool found = false;
        for (int y = 0; y < g.content_rows; y++) {
            const struct vd_cell *row = &cells[(g.row + y) * 200 + g.col];
            if (row[2].ch == '*' && row[3].ch == 'L') {
                g_assert_cmphex(row[3].fg, ==, 0x000000);
                g_assert_cmphex(row[3].bg, ==, 0xA8A8A8);     /* the VGA DAC has 6 bits */
                g_assert_cmpuint(row[1].ch, ==, 0x2502);  /* │ */
                g_assert_cmphex(row[1].fg, ==, 0xA8A8A8);
                g_assert_cmphex(row[1].bg, ==, 0x000000);
                const struct vd_cell *next = row + 200;
                g_assert_cmpuint(next[3].ch, ==, 'L');
                g_assert_cmphex(next[3].fg, ==, 0xA8A8A8);
                g_assert_cmphex(next[3].bg, ==, 0x000000);
                found = true;
                /* monochrome: the highlight in reverse video, glyphs and
                 * the spaces of the bar */
                vd_cr_configure(r, 200, 100, VD_CR_TEXT, VD_CR_MONO, VD_CR_FIT, 0, 0);
                vd_cr_damage(r, &fb, 0, 0, 0, 0);
                for (int x = 2; x < 20; x++) {
                    g_assert_cmpuint(row[x].fg, ==, 0);
                    g_assert_cmpuint(row[x].bg, ==, 7);
                    g_assert_cmpuint(next[x].fg, ==, 7);
                    g_assert_cmpuint(next[x].bg, ==, 0);
                }
                g_assert_cmpuint(row[3].ch, ==, 'L');
                break;
            }
        }
        g_assert_true(found);
    }
    g_strfreev(lines);
    vd_cr_free(r);
    frame_free(f);
    g_free(want);
    g_free(txtname);
    g_free(ppm);
}

static void
test_recorded_frames(gconstpointer data)
{
    unsigned right, total;
    frame_accuracy(data, &right, &total);
    g_assert_cmpuint(total, >, 50);
    g_assert_cmpuint(right * 100, >=, total * 99);
}

static void
test_env(void)
{
    g_assert_cmpint(vd_cr_colors_from_env("truecolor", 256), ==, VD_CR_TRUE);
    g_assert_cmpint(vd_cr_colors_from_env("24bit", 8), ==, VD_CR_TRUE);
    g_assert_cmpint(vd_cr_colors_from_env(NULL, 256), ==, VD_CR_256);
    g_assert_cmpint(vd_cr_colors_from_env("", 16), ==, VD_CR_16);
    g_assert_cmpint(vd_cr_colors_from_env(NULL, 8), ==, VD_CR_16);
    g_assert_cmpint(vd_cr_colors_from_env("truecolor", 0), ==, VD_CR_MONO);
    g_assert_cmpint(vd_cr_colors_from_env(NULL, 2), ==, VD_CR_MONO);
    g_assert_cmpint(vd_cr_auto_mode(VD_CR_TRUE, true), ==, VD_CR_TEXT);
    g_assert_cmpint(vd_cr_auto_mode(VD_CR_16, false), ==, VD_CR_ASCII);
    g_assert_cmpstr(vd_cr_mode_name(VD_CR_QUAD), ==, "quad");
    g_assert_cmpstr(vd_cr_colors_name(VD_CR_256), ==, "256");
    g_assert_cmpstr(vd_cr_scale_name(VD_CR_1TO1), ==, "1:1");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cell-render/font", test_font_provenance);
    g_test_add_func("/cell-render/text-screens", test_text_screens);
    g_test_add_func("/cell-render/text-cursor", test_text_cursor);
    g_test_add_func("/cell-render/text-fallback", test_text_fallback);
    g_test_add_func("/cell-render/text-pan", test_text_pan);
    g_test_add_func("/cell-render/half-blocks", test_half_blocks);
    g_test_add_func("/cell-render/quad-blocks", test_quad_blocks);
    g_test_add_func("/cell-render/gradients", test_gradients);
    g_test_add_func("/cell-render/scaling", test_scaling);
    g_test_add_func("/cell-render/changes", test_changes);
    g_test_add_func("/cell-render/fuzz", test_fuzz);
    g_test_add_func("/cell-render/env", test_env);
    static const char *const frames[] = { "grub-menu.ppm.gz", "grub-cmdline.ppm.gz", "linux-console.ppm.gz" };
    for (unsigned i = 0; i < G_N_ELEMENTS(frames); i++) {
        gchar *p = g_strdup_printf("/cell-render/frame/%s", frames[i]);
        g_test_add_data_func(p, frames[i], test_recorded_frames);
        g_free(p);
    }
    return g_test_run();
}
