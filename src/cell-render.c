/* virtdeck - a guest's framebuffer turned into terminal cells
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Two pictures are kept: the output grid (what the terminal shows) and, in
 * text mode, the decoded text grid (one entry per text cell of the frame).
 * A damage rectangle re-decodes the text cells and recomputes the output
 * cells it touches; every cell is a pure function of the frame's pixels and
 * of the geometry chosen at the last full recompute, so incremental updates
 * give exactly what a full recompute gives. */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "cell-render.h"

#define GLYPH_H 16
#define HAMMING_MAX 8           /* nearest glyph accepted up to this many bits */
#define TEXT_OK_PERMILLE 900    /* recognised: >= 90% of the glyph cells matched */

/* ---- colours ------------------------------------------------------------- */

/* the VGA text palette in ANSI order (what VD_CR_16 indexes mean) */
static const uint32_t pal16[16] = {
    0x000000, 0xAA0000, 0x00AA00, 0xAA5500, 0x0000AA, 0xAA00AA, 0x00AAAA, 0xAAAAAA,
    0x555555, 0xFF5555, 0x55FF55, 0xFFFF55, 0x5555FF, 0xFF55FF, 0x55FFFF, 0xFFFFFF,
};

static inline int
red(uint32_t c)
{
    return (c >> 16) & 0xff;
}

static inline int
green(uint32_t c)
{
    return (c >> 8) & 0xff;
}

static inline int
blue(uint32_t c)
{
    return c & 0xff;
}

static inline int
dist2(uint32_t a, uint32_t b)
{
    int dr = red(a) - red(b), dg = green(a) - green(b), db = blue(a) - blue(b);
    return dr * dr + dg * dg + db * db;
}

/* 0..255 */
static inline int
luma(uint32_t c)
{
    return (red(c) * 77 + green(c) * 150 + blue(c) * 29) >> 8;
}

static const uint8_t cube_level[6] = { 0, 95, 135, 175, 215, 255 };

static inline int
cube_index(int v)
{
    return v < 48 ? 0 : v < 115 ? 1 : (v - 35) / 40;
}

/* nearest of the xterm colours 16..255 (6x6x6 cube, 24 greys), Euclidean RGB */
static uint32_t
nearest256(uint32_t c)
{
    int ri = cube_index(red(c)), gi = cube_index(green(c)), bi = cube_index(blue(c));
    uint32_t cube = (uint32_t)cube_level[ri] << 16 | (uint32_t)cube_level[gi] << 8 | cube_level[bi];
    int mean = (red(c) + green(c) + blue(c) + 1) / 3;
    int gk = mean < 8 ? 0 : (mean - 8 + 5) / 10;
    if (gk > 23)
        gk = 23;
    int gv = 8 + 10 * gk;
    uint32_t grey = (uint32_t)gv << 16 | (uint32_t)gv << 8 | (uint32_t)gv;
    if (dist2(c, grey) < dist2(c, cube))
        return 232 + gk;
    return 16 + 36 * ri + 6 * gi + bi;
}

static uint32_t
nearest16_search(uint32_t c)
{
    int best = 0, bd = dist2(c, pal16[0]);

    for (int i = 1; i < 16 && bd; i++) {
        int d = dist2(c, pal16[i]);
        if (d < bd) {
            bd = d;
            best = i;
        }
    }
    return (uint32_t)best;
}

/* a picture has few distinct colours: remember the last answers (per
 * thread, so renderers on different threads need no lock) */
static uint32_t
nearest16(uint32_t c)
{
    static _Thread_local uint32_t key[1024];    /* colour + 1 << 24; 0: empty */
    static _Thread_local uint8_t val[1024];
    unsigned h = (c * 0x9E3779B1u) >> 22;

    if (key[h] != (c | 1u << 24)) {
        key[h] = c | 1u << 24;
        val[h] = (uint8_t)nearest16_search(c);
    }
    return val[h];
}

static inline uint32_t
reduce(enum vd_cr_colors colors, uint32_t c)
{
    switch (colors) {
    case VD_CR_TRUE:
        return c & 0xffffff;
    case VD_CR_256:
        return nearest256(c);
    case VD_CR_16:
        return nearest16(c);
    default:
        return 0;
    }
}

/* ---- the glyph table ------------------------------------------------------- */

/* a glyph or a cell: rows 0-7 in lo, rows 8-15 in hi (row r in byte r % 8,
 * bit 7 of the byte = leftmost pixel), and the 9th pixel column in col9 */
struct bits {
    uint64_t lo, hi;
    uint16_t col9;
};

struct slot {
    uint64_t lo, hi;
    int16_t code;               /* -1: empty */
};

#define NSLOTS 1024

struct font {
    struct slot slots[NSLOTS];
    uint64_t lo[256], hi[256];
    uint16_t col8[256];         /* the glyph's 8th column as a 16-bit row mask */
    uint8_t order[256];         /* codes in order of preference */
};

static struct font font;

static inline unsigned
slot_of(uint64_t lo, uint64_t hi)
{
    uint64_t h = lo * 0x9E3779B97F4A7C15ULL ^ (hi + 0x632BE59BD9B4E019ULL) * 0xC2B2AE3D27D4EB4FULL;
    return (unsigned)(h >> 54) & (NSLOTS - 1);
}

static int
font_lookup(uint64_t lo, uint64_t hi)
{
    for (unsigned s = slot_of(lo, hi);; s = (s + 1) & (NSLOTS - 1)) {
        if (font.slots[s].code < 0)
            return -1;
        if (font.slots[s].lo == lo && font.slots[s].hi == hi)
            return font.slots[s].code;
    }
}

static gpointer
font_init(gpointer unused)
{
    int n = 0;

    (void)unused;
    /* preference among identical bitmaps and Hamming ties: space, ASCII,
     * box drawing and blocks, the rest of the upper half, the symbols */
    font.order[n++] = 0x20;
    for (int c = 0x21; c < 0x7f; c++)
        font.order[n++] = (uint8_t)c;
    for (int c = 0xb0; c < 0xe0; c++)
        font.order[n++] = (uint8_t)c;
    for (int c = 0x80; c < 0xb0; c++)
        font.order[n++] = (uint8_t)c;
    for (int c = 0xe0; c < 0xff; c++)
        font.order[n++] = (uint8_t)c;
    for (int c = 0x01; c < 0x20; c++)
        font.order[n++] = (uint8_t)c;
    font.order[n++] = 0x7f;
    font.order[n++] = 0x00;
    font.order[n++] = 0xff;
    g_assert(n == 256);

    for (int s = 0; s < NSLOTS; s++)
        font.slots[s].code = -1;
    for (int c = 0; c < 256; c++) {
        uint64_t lo = 0, hi = 0;
        uint16_t c8 = 0;
        for (int y = 0; y < GLYPH_H; y++) {
            uint8_t row = vd_vga_font_8x16[c][y];
            if (y < 8)
                lo |= (uint64_t)row << (8 * y);
            else
                hi |= (uint64_t)row << (8 * (y - 8));
            if (row & 1)
                c8 |= (uint16_t)(1u << y);
        }
        font.lo[c] = lo;
        font.hi[c] = hi;
        font.col8[c] = c8;
    }
    for (int i = 0; i < 256; i++) {
        int c = font.order[i];
        if (font_lookup(font.lo[c], font.hi[c]) >= 0)
            continue;
        unsigned s = slot_of(font.lo[c], font.hi[c]);
        while (font.slots[s].code >= 0)
            s = (s + 1) & (NSLOTS - 1);
        font.slots[s].lo = font.lo[c];
        font.slots[s].hi = font.hi[c];
        font.slots[s].code = (int16_t)c;
    }
    return NULL;
}

static void
font_ensure(void)
{
    static GOnce once = G_ONCE_INIT;
    g_once(&once, font_init, NULL);
}

/* without -mpopcnt the builtin calls libgcc; this is faster */
static inline int
popcount64(uint64_t v)
{
    v = v - ((v >> 1) & 0x5555555555555555ULL);
    v = (v & 0x3333333333333333ULL) + ((v >> 2) & 0x3333333333333333ULL);
    v = (v + (v >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    return (int)((v * 0x0101010101010101ULL) >> 56);
}

/* the 9th column of a glyph: blank, or a copy of the 8th for 0xC0-0xDF */
static inline int
col9_distance(int code, uint16_t col9)
{
    if (!col9)
        return 0;
    if (code >= 0xc0 && code <= 0xdf) {
        int d = popcount64(col9 ^ font.col8[code]);
        int z = popcount64(col9);
        return d < z ? d : z;
    }
    return popcount64(col9);
}

/* rows (bitmask of 16) that are ignored: a cursor drawn over the cell */
static inline uint64_t
row_mask64(uint16_t rows, int half)
{
    uint64_t m = 0;
    for (int y = 0; y < 8; y++)
        if (!(rows & (1u << (y + 8 * half))))
            m |= (uint64_t)0xff << (8 * y);
    return m;
}

/* nearest glyph by Hamming distance, rows in ignore left out */
static int
font_nearest(const struct bits *b, bool nine, uint16_t ignore, int *dist)
{
    uint64_t mlo = row_mask64(ignore, 0), mhi = row_mask64(ignore, 1);
    uint16_t c9 = (uint16_t)(b->col9 & ~ignore);
    int best = -1, bd = 1 << 30;

    for (int i = 0; i < 256; i++) {
        int c = font.order[i];
        int d = popcount64((font.lo[c] ^ b->lo) & mlo) + popcount64((font.hi[c] ^ b->hi) & mhi);
        if (d >= bd)
            continue;
        if (nine)
            d += col9_distance(c, c9);
        if (d < bd) {
            bd = d;
            best = c;
        }
    }
    *dist = bd;
    return best;
}

/* ---- renderer state -------------------------------------------------------- */

enum tstate { T_UNIFORM, T_MATCHED, T_NEAR, T_TWO, T_MANY };

struct tcell {
    uint8_t state;              /* enum tstate */
    uint8_t code;
    uint32_t fg, bg;            /* 0xRRGGBB from the frame */
};

struct vd_cr {
    /* configuration */
    int cols, rows;
    enum vd_cr_mode mode;
    enum vd_cr_colors colors;
    enum vd_cr_scale scale;
    int req_pan_x, req_pan_y;

    /* output grid and the reference of vd_cr_take_changes() */
    struct vd_cell *cells, *prev;
    uint8_t *row_dirty;
    bool prev_valid;
    bool need_full;

    /* the frame of the last full recompute */
    int fb_w, fb_h;

    /* text grid (mode == VD_CR_TEXT) */
    bool have_grid;
    int tcw, tox, toy, tcols, trows;
    struct tcell *tc;
    unsigned t_matched, t_total;
    bool recognised;
    int64_t stale_area;         /* pixels changed since the last grid search
                                 * while the frame was not recognised */

    /* what is shown */
    enum vd_cr_mode eff;
    int sub_w, sub_h;           /* samples per cell */
    int pic_col, pic_row, pic_cols, pic_rows;
    int content_cols, content_rows, pan_x, pan_y;
    uint32_t *colsum, *samp;    /* scratch of draw_image_cells() */
    int scratch_n, samp_n;
    int *xs, *ys;               /* image modes: sample boundaries of the visible
                                 * picture, pic_cols * sub_w + 1 and
                                 * pic_rows * sub_h + 1 entries (pixels) */
};

struct vd_cr *
vd_cr_new(void)
{
    struct vd_cr *r = g_new0(struct vd_cr, 1);

    font_ensure();
    vd_cr_configure(r, 80, 24, VD_CR_HALF, VD_CR_TRUE, VD_CR_FIT, 0, 0);
    return r;
}

void
vd_cr_free(struct vd_cr *r)
{
    if (!r)
        return;
    g_free(r->cells);
    g_free(r->prev);
    g_free(r->row_dirty);
    g_free(r->tc);
    g_free(r->xs);
    g_free(r->ys);
    g_free(r->colsum);
    g_free(r->samp);
    g_free(r);
}

static struct vd_cell
blank_cell(const struct vd_cr *r)
{
    struct vd_cell c = { ' ', 7, 0 };

    if (r->colors != VD_CR_MONO) {
        c.bg = reduce(r->colors, 0);
        c.fg = reduce(r->colors, 0xAAAAAA);
    }
    return c;
}

static inline void
put(struct vd_cr *r, int row, int col, struct vd_cell c)
{
    struct vd_cell *p = &r->cells[(size_t)row * r->cols + col];

    if (p->ch != c.ch || p->fg != c.fg || p->bg != c.bg) {
        *p = c;
        r->row_dirty[row] = 1;
    }
}

void
vd_cr_configure(struct vd_cr *r, int cols, int rows, enum vd_cr_mode mode,
                enum vd_cr_colors colors, enum vd_cr_scale scale, int pan_x, int pan_y)
{
    cols = CLAMP(cols, 1, 4096);
    rows = CLAMP(rows, 1, 4096);
    if (cols != r->cols || rows != r->rows) {
        size_t n = (size_t)cols * rows;
        g_free(r->cells);
        g_free(r->prev);
        g_free(r->row_dirty);
        r->cells = g_new0(struct vd_cell, n);
        r->prev = g_new0(struct vd_cell, n);
        r->row_dirty = g_new0(uint8_t, rows);
        r->cols = cols;
        r->rows = rows;
    }
    r->mode = (unsigned)mode <= VD_CR_ASCII ? mode : VD_CR_HALF;
    r->colors = (unsigned)colors <= VD_CR_TRUE ? colors : VD_CR_TRUE;
    r->scale = scale == VD_CR_1TO1 ? VD_CR_1TO1 : VD_CR_FIT;
    r->req_pan_x = MAX(pan_x, 0);
    r->req_pan_y = MAX(pan_y, 0);
    r->need_full = true;
    r->prev_valid = false;
    r->have_grid = false;
    r->recognised = false;
    r->t_matched = r->t_total = 0;
    r->eff = r->mode;
    r->pic_cols = r->pic_rows = 0;

    struct vd_cell b = blank_cell(r);
    for (int y = 0; y < r->rows; y++)
        for (int x = 0; x < r->cols; x++)
            put(r, y, x, b);
}

void
vd_cr_invalidate(struct vd_cr *r)
{
    r->prev_valid = false;
}

const struct vd_cell *
vd_cr_cells(const struct vd_cr *r)
{
    return r->cells;
}

void
vd_cr_size(const struct vd_cr *r, int *cols, int *rows)
{
    if (cols)
        *cols = r->cols;
    if (rows)
        *rows = r->rows;
}

/* ---- sampling ---------------------------------------------------------------- */

static inline uint32_t
pixel(const struct vd_fb *fb, int x, int y)
{
    return fb->px[(size_t)y * fb->stride_px + x] & 0xffffff;
}

/* average colour of [x0,x1) x [y0,y1); an empty box is black */
static uint32_t
box_average(const struct vd_fb *fb, int x0, int x1, int y0, int y1)
{
    if (x1 <= x0 || y1 <= y0)
        return 0;
    if (x1 - x0 == 1 && y1 - y0 == 1)
        return pixel(fb, x0, y0);

    uint64_t rb = 0, g = 0;
    uint32_t n = (uint32_t)(x1 - x0) * (uint32_t)(y1 - y0);
    for (int y = y0; y < y1; y++) {
        const uint32_t *p = fb->px + (size_t)y * fb->stride_px;
        int x = x0;
        /* R and B added side by side, 16 bits each: safe for 256 pixels */
        while (x < x1) {
            int end = MIN(x1, x + 256);
            uint32_t srb = 0, sg = 0;
            for (; x < end; x++) {
                srb += p[x] & 0xff00ff;
                sg += p[x] & 0x00ff00;
            }
            rb += ((uint64_t)(srb >> 16) << 32) | (srb & 0xffff);
            g += sg >> 8;
        }
    }
    uint32_t rs = (uint32_t)(((rb >> 32) + n / 2) / n);
    uint32_t bs = (uint32_t)(((rb & 0xffffffff) + n / 2) / n);
    uint32_t gs = (uint32_t)((g + n / 2) / n);
    return rs << 16 | gs << 8 | bs;
}

/* ---- block cells ---------------------------------------------------------------- */

/* quadrant bits: 1 upper left, 2 upper right, 4 lower left, 8 lower right */
static const uint32_t quad_char[16] = {
    0x0020, 0x2598, 0x259D, 0x2580, 0x2596, 0x258C, 0x259E, 0x259B,
    0x2597, 0x259A, 0x2590, 0x259C, 0x2584, 0x2599, 0x259F, 0x2588,
};

static struct vd_cell
quad_cell(enum vd_cr_colors colors, const uint32_t s[4])
{
    struct vd_cell c = { ' ', 7, 0 };
    unsigned mask = 0;

    if (colors == VD_CR_MONO) {
        for (int i = 0; i < 4; i++)
            if (luma(s[i]) >= 128)
                mask |= 1u << i;
        c.ch = quad_char[mask];
        return c;
    }

    /* best split into two groups (bit 3 always in group B): the squared
     * error is sum|x|^2 - |SA|^2/na - |SB|^2/nb, so maximise the last two
     * terms (times 12 to stay in integers) */
    int ch[4][3], tot[3] = { 0, 0, 0 };
    for (int i = 0; i < 4; i++) {
        ch[i][0] = red(s[i]);
        ch[i][1] = green(s[i]);
        ch[i][2] = blue(s[i]);
        for (int k = 0; k < 3; k++)
            tot[k] += ch[i][k];
    }
    static const int twelfth[5] = { 0, 12, 6, 4, 3 };
    int64_t best = -1;
    for (unsigned m = 0; m < 8; m++) {
        int na = 0, sa[3] = { 0, 0, 0 };
        for (int i = 0; i < 3; i++)
            if (m >> i & 1) {
                na++;
                sa[0] += ch[i][0];
                sa[1] += ch[i][1];
                sa[2] += ch[i][2];
            }
        int64_t qa = 0, qb = 0;
        for (int k = 0; k < 3; k++) {
            qa += (int64_t)sa[k] * sa[k];
            qb += (int64_t)(tot[k] - sa[k]) * (tot[k] - sa[k]);
        }
        int64_t v = qa * twelfth[na] + qb * twelfth[4 - na];
        if (v > best) {
            best = v;
            mask = m;
        }
    }
    int na = 0, sa[3] = { 0, 0, 0 };
    for (int i = 0; i < 3; i++)
        if (mask >> i & 1) {
            na++;
            for (int k = 0; k < 3; k++)
                sa[k] += ch[i][k];
        }
    int nb = 4 - na;
    uint32_t ca = 0, cb;
    if (na)
        ca = (uint32_t)((sa[0] + na / 2) / na) << 16 | (uint32_t)((sa[1] + na / 2) / na) << 8 |
             (uint32_t)((sa[2] + na / 2) / na);
    cb = (uint32_t)((tot[0] - sa[0] + nb / 2) / nb) << 16 | (uint32_t)((tot[1] - sa[1] + nb / 2) / nb) << 8 |
         (uint32_t)((tot[2] - sa[2] + nb / 2) / nb);
    uint32_t fa = reduce(colors, ca), fb = reduce(colors, cb);
    if (!mask || fa == fb) {
        c.ch = ' ';
        c.fg = c.bg = fb;
        return c;
    }
    /* canonical: the upper left quadrant is background */
    if (mask & 1) {
        mask ^= 15;
        uint32_t t = fa;
        fa = fb;
        fb = t;
    }
    c.ch = quad_char[mask];
    c.fg = fa;
    c.bg = fb;
    return c;
}

static struct vd_cell
half_cell(enum vd_cr_colors colors, uint32_t top, uint32_t bottom)
{
    struct vd_cell c = { ' ', 7, 0 };

    if (colors == VD_CR_MONO) {
        unsigned m = (luma(top) >= 128 ? 3 : 0) | (luma(bottom) >= 128 ? 12 : 0);
        c.ch = quad_char[m];
        return c;
    }
    c.fg = reduce(colors, top);
    c.bg = reduce(colors, bottom);
    if (c.fg == c.bg)
        c.ch = ' ';
    else
        c.ch = 0x2580;
    return c;
}

static const char density[] = " .:-=+*#%@";

static struct vd_cell
ascii_cell(enum vd_cr_colors colors, uint32_t s)
{
    struct vd_cell c = { ' ', 7, 0 };
    int l = luma(s);

    c.ch = (unsigned char)density[l * 10 / 256];
    if (colors != VD_CR_MONO) {
        c.fg = reduce(colors, s);
        c.bg = reduce(colors, 0);
    }
    return c;
}

/* ---- text cells -------------------------------------------------------------------- */

static void
decode_text_cell(const struct vd_fb *fb, int x0, int y0, int cw, bool exact_only, struct tcell *t)
{
    struct bits b = { 0, 0, 0 };
    uint32_t c0 = pixel(fb, x0, y0), c1 = 0;
    bool two = false;
    int ones = 0;

    for (int y = 0; y < GLYPH_H; y++) {
        const uint32_t *p = fb->px + (size_t)(y0 + y) * fb->stride_px + x0;
        unsigned row = 0;
        for (int x = 0; x < cw; x++) {
            uint32_t v = p[x] & 0xffffff;
            unsigned bit;
            if (v == c0) {
                bit = 0;
            } else if (two && v == c1) {
                bit = 1;
            } else if (!two) {
                two = true;
                c1 = v;
                bit = 1;
            } else {
                t->state = T_MANY;
                t->code = 0;
                t->fg = c1;
                t->bg = c0;
                return;
            }
            row = row << 1 | bit;
        }
        if (cw == 9) {
            if (row & 1)
                b.col9 |= (uint16_t)(1u << y);
            row >>= 1;
        }
        ones += popcount64(row);
        if (y < 8)
            b.lo |= (uint64_t)row << (8 * y);
        else
            b.hi |= (uint64_t)(row & 0xff) << (8 * (y - 8));
    }
    if (!two) {
        t->state = T_UNIFORM;
        t->code = 0x20;
        t->fg = t->bg = c0;
        return;
    }

    /* the minority colour is the foreground; on a tie the brighter one */
    uint32_t fg = c1, bg = c0;
    bool swap = ones > 64 || (ones == 64 && luma(c0) > luma(c1));
    struct bits inv = { ~b.lo, ~b.hi, (uint16_t)~b.col9 };
    if (swap) {
        struct bits t2 = b;
        b = inv;
        inv = t2;
        fg = c0;
        bg = c1;
    }
    bool nine = cw == 9;
    t->state = T_MATCHED;
    for (int pass = 0; pass < 2; pass++) {
        const struct bits *q = pass ? &inv : &b;
        int code = font_lookup(q->lo, q->hi);
        if (code >= 0 && (!nine || col9_distance(code, q->col9) == 0)) {
            t->code = (uint8_t)code;
            t->fg = pass ? bg : fg;
            t->bg = pass ? fg : bg;
            return;
        }
    }

    if (exact_only) {
        t->state = T_TWO;
        t->code = 0;
        t->fg = fg;
        t->bg = bg;
        return;
    }

    /* a cursor: full rows (foreground across the cell) in rows 11-15 */
    uint16_t full = 0;
    for (int y = 11; y < GLYPH_H; y++) {
        uint8_t row = (uint8_t)((y < 8 ? b.lo : b.hi) >> (8 * (y & 7)));
        if (row == 0xff && (!nine || (b.col9 >> y & 1)))
            full |= (uint16_t)(1u << y);
    }
    int best = -1, bd = 1 << 30;
    bool best_inv = false;
    for (int pass = 0; pass < 2; pass++) {
        const struct bits *q = pass ? &inv : &b;
        int d, code = font_nearest(q, nine, 0, &d);
        if (d < bd) {
            bd = d;
            best = code;
            best_inv = pass;
        }
    }
    if (full) {
        int d, code = font_nearest(&b, nine, full, &d);
        if (d < bd || (d == 0 && bd > 0)) {
            bd = d;
            best = code;
            best_inv = false;
        }
    }
    if (best >= 0 && bd <= HAMMING_MAX) {
        t->state = T_NEAR;
        t->code = (uint8_t)best;
        t->fg = best_inv ? bg : fg;
        t->bg = best_inv ? fg : bg;
        return;
    }
    t->state = T_TWO;
    t->code = 0;
    t->fg = fg;
    t->bg = bg;
}

/* ---- geometry ------------------------------------------------------------------------ */

/* cells per axis of the picture and their sample boundaries */
static void
setup_image(struct vd_cr *r, const struct vd_fb *fb)
{
    int W = fb->width, H = fb->height;

    r->sub_w = r->eff == VD_CR_QUAD ? 2 : 1;
    r->sub_h = r->eff == VD_CR_ASCII ? 1 : 2;

    /* pixels per cell as a fraction: cell = pw_num/den x ph_num/den pixels */
    int ccols, crows;
    if (r->scale == VD_CR_1TO1) {
        int pw = r->eff == VD_CR_QUAD ? 2 : 1, ph = 2;
        ccols = (W + pw - 1) / pw;
        crows = (H + ph - 1) / ph;
    } else {
        /* a cell is 1 wide and 2 tall: fit W x H into cols x 2*rows */
        if ((int64_t)r->cols * H <= (int64_t)2 * r->rows * W) {
            ccols = r->cols;
            crows = (int)(((int64_t)H * r->cols + W) / (2 * (int64_t)W));
        } else {
            crows = r->rows;
            ccols = (int)(((int64_t)W * 2 * r->rows + H / 2) / H);
        }
        ccols = CLAMP(ccols, 1, r->cols);
        crows = CLAMP(crows, 1, r->rows);
    }
    r->content_cols = ccols;
    r->content_rows = crows;

    r->pic_cols = MIN(ccols, r->cols);
    r->pic_rows = MIN(crows, r->rows);
    r->pan_x = CLAMP(r->req_pan_x, 0, ccols - r->pic_cols);
    r->pan_y = CLAMP(r->req_pan_y, 0, crows - r->pic_rows);
    r->pic_col = (r->cols - r->pic_cols) / 2;
    r->pic_row = (r->rows - r->pic_rows) / 2;

    int nx = r->pic_cols * r->sub_w, ny = r->pic_rows * r->sub_h;
    g_free(r->xs);
    g_free(r->ys);
    r->xs = g_new(int, nx + 1);
    r->ys = g_new(int, ny + 1);
    if (r->scale == VD_CR_1TO1) {
        /* HALF: 1x2 px per cell, QUAD: 2x2, ASCII: 1x2 (one sample) */
        int spw = 1, sph = r->eff == VD_CR_ASCII ? 2 : 1;
        for (int i = 0; i <= nx; i++)
            r->xs[i] = MIN(W, (r->pan_x * r->sub_w + i) * spw);
        for (int i = 0; i <= ny; i++)
            r->ys[i] = MIN(H, (r->pan_y * r->sub_h + i) * sph);
    } else {
        int64_t sx = (int64_t)ccols * r->sub_w, sy = (int64_t)crows * r->sub_h;
        for (int i = 0; i <= nx; i++)
            r->xs[i] = (int)((int64_t)i * W / sx);
        for (int i = 0; i <= ny; i++)
            r->ys[i] = (int)((int64_t)i * H / sy);
    }
}

/* sample boxes can overlap when scaling up: box i is [xs[i], max(xs[i+1], xs[i]+1)) */
static inline int
box_end(const int *b, int i, int limit)
{
    return MIN(MAX(b[i + 1], b[i] + 1), limit);
}

static struct vd_cell
image_cell(const struct vd_cr *r, const uint32_t *s0, const uint32_t *s1)
{
    switch (r->eff) {
    case VD_CR_QUAD: {
        uint32_t s[4] = { s0[0], s0[1], s1[0], s1[1] };
        return quad_cell(r->colors, s);
    }
    case VD_CR_ASCII:
        return ascii_cell(r->colors, s0[0]);
    default:
        return half_cell(r->colors, s0[0], s1[0]);
    }
}

/* the output cell of a decoded text cell */
static struct vd_cell
text_out(const struct vd_cr *r, const struct vd_fb *fb, int trow, int tcol)
{
    const struct tcell *t = &r->tc[(size_t)trow * r->tcols + tcol];
    struct vd_cell c = { ' ', 7, 0 };

    switch (t->state) {
    case T_UNIFORM:
        if (r->colors != VD_CR_MONO) {
            c.bg = reduce(r->colors, t->bg);
            c.fg = reduce(r->colors, 0xAAAAAA);
        } else if (luma(t->bg) >= 128) {
            c.fg = 0;           /* reverse video */
            c.bg = 7;
        }
        return c;
    case T_MATCHED:
    case T_NEAR:
        c.ch = vd_cp437_unicode[t->code];
        if (r->colors != VD_CR_MONO) {
            c.fg = reduce(r->colors, t->fg);
            c.bg = reduce(r->colors, t->bg);
        } else if (luma(t->bg) > luma(t->fg) && luma(t->bg) >= 96) {
            c.fg = 0;
            c.bg = 7;
        }
        return c;
    default: {
        /* not a glyph of the font: its quadrants */
        int x0 = r->tox + tcol * r->tcw, y0 = r->toy + trow * GLYPH_H;
        int xm = x0 + r->tcw / 2, ym = y0 + GLYPH_H / 2;
        uint32_t s[4] = {
            box_average(fb, x0, xm, y0, ym), box_average(fb, xm, x0 + r->tcw, y0, ym),
            box_average(fb, x0, xm, ym, y0 + GLYPH_H), box_average(fb, xm, x0 + r->tcw, ym, y0 + GLYPH_H),
        };
        return quad_cell(r->colors, s);
    }
    }
}

/* ---- text grid detection ---------------------------------------------------------------- */

/* exact matches (a shifted grid often lands near some glyph) among up to `want` glyph cells of a candidate grid, visiting
 * at most `budget` cells spread over the frame */
static int
gcd(int a, int b)
{
    while (b) {
        int t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static int
grid_score(const struct vd_fb *fb, int cw, int ox, int oy, int want, int budget, int beat, int *glyphs)
{
    int tcols = (fb->width - ox) / cw, trows = (fb->height - oy) / GLYPH_H;
    int n = tcols * trows, score = 0;

    *glyphs = 0;
    if (tcols < 1 || trows < 1)
        return 0;
    /* a stride coprime with n walks the whole grid in a scattered order */
    int stride = 1;
    if (n > 2) {
        stride = 7919 % n;
        while (stride < 1 || gcd(stride, n) != 1)
            stride = (stride + 1) % n;
    }
    for (int k = 0, i = 0; k < MIN(n, budget) && *glyphs < want; k++, i = (i + stride) % n) {
        struct tcell t;
        decode_text_cell(fb, ox + (i % tcols) * cw, oy + (i / tcols) * GLYPH_H, cw, true, &t);
        if (t.state == T_UNIFORM)
            continue;
        (*glyphs)++;
        if (t.state == T_MATCHED)
            score++;
        else if (2 * score - *glyphs + (want - *glyphs) <= beat)
            break;              /* cannot beat the best grid any more */
    }
    return score;
}

static void
detect_grid(struct vd_cr *r, const struct vd_fb *fb)
{
    int W = fb->width, H = fb->height;
    int best_cw = W % 9 == 0 && W % 8 != 0 ? 9 : (W == 720 ? 9 : 8), best_ox = 0, best_oy = 0;
    int best = 0, glyphs;

    /* the score of a grid: exact matches minus the glyph cells that did not
     * match (a shifted grid cuts glyphs and matches little); 0 is the
     * default grid's (blank frames, pictures) */
    /* the usual grids first: flush with the frame, then centred */
    const int natural[][3] = {
        { 9, 0, 0 }, { 8, 0, 0 }, { 9, (W % 9) / 2, (H % 16) / 2 }, { 8, (W % 8) / 2, (H % 16) / 2 },
    };
    int blank = -1, blank_fill = -1;    /* natural grids of uniform cells only */
    bool any_glyph = false;
    for (unsigned i = 0; i < G_N_ELEMENTS(natural); i++) {
        int cw = natural[i][0], ox = natural[i][1], oy = natural[i][2];
        int s = grid_score(fb, cw, ox, oy, 64, 4000, best, &glyphs);
        int tcols = (W - ox) / cw, trows = (H - oy) / GLYPH_H;
        any_glyph |= glyphs > 0;
        if (glyphs == 0 && tcols > 0 && trows > 0 && tcols * trows <= 4000) {
            if (blank < 0)
                blank = (int)i;
            if (blank_fill < 0 && W == ox + tcols * cw && H == oy + trows * GLYPH_H)
                blank_fill = (int)i;
        }
        if (2 * s - glyphs > best) {
            best = 2 * s - glyphs;
            best_cw = natural[i][0];
            best_ox = natural[i][1];
            best_oy = natural[i][2];
            if (s == glyphs && glyphs >= 16)
                goto found;
        }
    }
    if (!any_glyph && blank >= 0) {
        /* a blank frame (or blocks of colour): nothing to look for; the
         * natural grid that fills the frame if there is one */
        if (blank_fill >= 0)
            blank = blank_fill;
        best_cw = natural[blank][0];
        best_ox = natural[blank][1];
        best_oy = natural[blank][2];
        goto found;
    }
    /* every offset of both widths: a quick look at 8 glyph cells first,
     * then a closer one at the grids that came near the best */
    enum { QUICK = 8, SLACK = 2, KEEP = 16 };
    struct { int cw, ox, oy, m; } near[KEEP];
    int nnear = 0, best1 = -QUICK;
    for (int cw = 9; cw >= 8; cw--)
        for (int oy = 0; oy < GLYPH_H; oy++)
            for (int ox = 0; ox < cw; ox++) {
                /* give up at 3 misses, or when it cannot come near the best */
                int s = grid_score(fb, cw, ox, oy, QUICK, 600, MAX(best1 - SLACK - 1, QUICK - 6), &glyphs);
                int m = 2 * s - glyphs;
                if (glyphs == 0 || m < best1 - SLACK)
                    continue;
                if (m > best1) {
                    best1 = m;
                    /* forget the ones that are no longer near */
                    int k = 0;
                    for (int i = 0; i < nnear; i++)
                        if (near[i].m >= best1 - SLACK)
                            near[k++] = near[i];
                    nnear = k;
                }
                if (nnear == KEEP) {
                    int lo = 0;
                    for (int i = 1; i < KEEP; i++)
                        if (near[i].m < near[lo].m)
                            lo = i;
                    if (near[lo].m >= m)
                        continue;
                    memmove(&near[lo], &near[lo + 1], sizeof(near[0]) * (size_t)(KEEP - 1 - lo));
                    nnear--;
                }
                near[nnear].cw = cw;
                near[nnear].ox = ox;
                near[nnear].oy = oy;
                near[nnear].m = m;
                nnear++;
            }
    for (int i = 0; i < nnear; i++) {
        int s = grid_score(fb, near[i].cw, near[i].ox, near[i].oy, 32, 600, best, &glyphs);
        if (2 * s - glyphs > best) {
            best = 2 * s - glyphs;
            best_cw = near[i].cw;
            best_ox = near[i].ox;
            best_oy = near[i].oy;
        }
    }
found:
    r->tcw = best_cw;
    r->tox = best_ox;
    r->toy = best_oy;
    r->tcols = MAX(0, (W - best_ox) / best_cw);
    r->trows = MAX(0, (H - best_oy) / GLYPH_H);
    g_free(r->tc);
    r->tc = g_new0(struct tcell, (size_t)MAX(1, r->tcols * r->trows));
    r->have_grid = true;
}

static void
text_stat(struct vd_cr *r, const struct tcell *t, int sign)
{
    if (t->state == T_UNIFORM)
        return;
    r->t_total += (unsigned)sign;
    if (t->state == T_MATCHED || t->state == T_NEAR)
        r->t_matched += (unsigned)sign;
}

static bool
text_ok(const struct vd_cr *r)
{
    if (r->tcols < 1 || r->trows < 1)
        return false;
    if (r->t_total == 0)
        return r->fb_w == r->tox + r->tcols * r->tcw && r->fb_h == r->toy + r->trows * GLYPH_H;
    return (uint64_t)r->t_matched * 1000 >= (uint64_t)r->t_total * TEXT_OK_PERMILLE;
}

/* decode the text cells under a pixel rectangle */
static void
text_update(struct vd_cr *r, const struct vd_fb *fb, int x0, int y0, int x1, int y1,
            int *c0, int *c1, int *r0, int *r1)
{
    *c0 = CLAMP((x0 - r->tox) / r->tcw, 0, r->tcols);
    *c1 = CLAMP((x1 - r->tox + r->tcw - 1) / r->tcw, 0, r->tcols);
    *r0 = CLAMP((y0 - r->toy) / GLYPH_H, 0, r->trows);
    *r1 = CLAMP((y1 - r->toy + GLYPH_H - 1) / GLYPH_H, 0, r->trows);
    if (x0 < r->tox)
        *c0 = 0;
    if (y0 < r->toy)
        *r0 = 0;
    for (int ty = *r0; ty < *r1; ty++)
        for (int tx = *c0; tx < *c1; tx++) {
            struct tcell *t = &r->tc[(size_t)ty * r->tcols + tx];
            text_stat(r, t, -1);
            decode_text_cell(fb, r->tox + tx * r->tcw, r->toy + ty * GLYPH_H, r->tcw, false, t);
            text_stat(r, t, +1);
        }
}

static void
setup_text_view(struct vd_cr *r)
{
    r->content_cols = r->tcols;
    r->content_rows = r->trows;
    r->pic_cols = MIN(r->tcols, r->cols);
    r->pic_rows = MIN(r->trows, r->rows);
    r->pan_x = CLAMP(r->req_pan_x, 0, r->tcols - r->pic_cols);
    r->pan_y = CLAMP(r->req_pan_y, 0, r->trows - r->pic_rows);
    r->pic_col = (r->cols - r->pic_cols) / 2;
    r->pic_row = (r->rows - r->pic_rows) / 2;
}

/* ---- recompute -------------------------------------------------------------------------------- */

static void
draw_text_cells(struct vd_cr *r, const struct vd_fb *fb, int c0, int c1, int r0, int r1)
{
    /* text cells [c0,c1) x [r0,r1) -> visible output cells */
    int vc0 = MAX(c0, r->pan_x), vc1 = MIN(c1, r->pan_x + r->pic_cols);
    int vr0 = MAX(r0, r->pan_y), vr1 = MIN(r1, r->pan_y + r->pic_rows);
    for (int ty = vr0; ty < vr1; ty++)
        for (int tx = vc0; tx < vc1; tx++)
            put(r, r->pic_row + ty - r->pan_y, r->pic_col + tx - r->pan_x, text_out(r, fb, ty, tx));
}

/* rb[x] += red and blue of p[x] (16 bits each), g[x] += green << 8; four
 * pixels at a time (GCC and Clang vector extensions: SSE2, NEON...) */
typedef uint32_t v4u32 __attribute__((vector_size(16)));

static void
colsum_row(uint32_t *restrict rb, uint32_t *restrict g, const uint32_t *restrict p, int n)
{
    const v4u32 mrb = { 0xff00ff, 0xff00ff, 0xff00ff, 0xff00ff };
    const v4u32 mg = { 0xff00, 0xff00, 0xff00, 0xff00 };
    int x = 0;

    for (; x + 4 <= n; x += 4) {
        v4u32 v, a, b;
        memcpy(&v, p + x, sizeof(v));
        memcpy(&a, rb + x, sizeof(a));
        memcpy(&b, g + x, sizeof(b));
        a += v & mrb;
        b += v & mg;
        memcpy(rb + x, &a, sizeof(a));
        memcpy(g + x, &b, sizeof(b));
    }
    for (; x < n; x++) {
        rb[x] += p[x] & 0xff00ff;
        g[x] += p[x] & 0xff00;
    }
}

/* the picture cells [pc0,pc1) x [pr0,pr1): per row of samples, the pixel
 * columns are summed first (one sequential pass over the rows, which the
 * compiler vectorises), then the sums of each sample's columns */
static void
draw_image_cells(struct vd_cr *r, const struct vd_fb *fb, int pc0, int pc1, int pr0, int pr1)
{
    int W = fb->width, H = fb->height, sw = r->sub_w, sh = r->sub_h;
    int i0 = pc0 * sw, i1 = pc1 * sw, ns = i1 - i0;
    int xa = MIN(r->xs[i0], W), xb = box_end(r->xs, i1 - 1, W), nx = MAX(xb - xa, 0);

    if (nx > r->scratch_n) {
        r->scratch_n = nx;
        r->colsum = g_renew(uint32_t, r->colsum, 3 * (size_t)nx);
    }
    if (2 * ns > r->samp_n) {
        r->samp_n = 2 * ns;
        r->samp = g_renew(uint32_t, r->samp, (size_t)r->samp_n);
    }
    uint32_t *cr = r->colsum, *cg = cr + nx, *cb = cg + nx;

    for (int pr = pr0; pr < pr1; pr++) {
        for (int j = 0; j < sh; j++) {
            int k = pr * sh + j, y0 = r->ys[k], y1 = box_end(r->ys, k, H);
            uint32_t *out = r->samp + j * ns;
            if (y1 <= y0 || nx == 0) {
                memset(out, 0, sizeof(*out) * (size_t)ns);
                continue;
            }
            memset(cr, 0, sizeof(*cr) * 3 * (size_t)nx);
            if (y1 - y0 <= 256) {
                /* red and blue side by side, 16 bits each: 256 rows fit */
                for (int y = y0; y < y1; y++)
                    colsum_row(cr, cg, fb->px + (size_t)y * fb->stride_px + xa, nx);
                for (int x = 0; x < nx; x++) {
                    cb[x] = cr[x] & 0xffff;
                    cr[x] >>= 16;
                    cg[x] >>= 8;
                }
            } else {
                for (int y = y0; y < y1; y++) {
                    const uint32_t *p = fb->px + (size_t)y * fb->stride_px + xa;
                    for (int x = 0; x < nx; x++) {
                        uint32_t v = p[x];
                        cr[x] += v >> 16 & 0xff;
                        cg[x] += v >> 8 & 0xff;
                        cb[x] += v & 0xff;
                    }
                }
            }
            uint32_t rows = (uint32_t)(y1 - y0);
            for (int i = i0; i < i1; i++) {
                int x0 = r->xs[i], x1 = box_end(r->xs, i, W);
                if (x1 <= x0) {
                    out[i - i0] = 0;
                    continue;
                }
                uint64_t sr = 0, sg = 0, sb = 0, n = (uint64_t)(x1 - x0) * rows;
                for (int x = x0 - xa; x < x1 - xa; x++) {
                    sr += cr[x];
                    sg += cg[x];
                    sb += cb[x];
                }
                out[i - i0] = (uint32_t)((sr + n / 2) / n) << 16 | (uint32_t)((sg + n / 2) / n) << 8 |
                              (uint32_t)((sb + n / 2) / n);
            }
        }
        for (int pc = pc0; pc < pc1; pc++) {
            const uint32_t *s0 = r->samp + (pc - pc0) * sw, *s1 = s0 + (sh > 1 ? ns : 0);
            put(r, r->pic_row + pr, r->pic_col + pc, image_cell(r, s0, s1));
        }
    }
}

/* first sample index whose box ends after v, and first whose box starts at or
 * after v (boxes are sorted) */
static int
first_box_after(const int *b, int n, int v, int limit)
{
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (box_end(b, mid, limit) <= v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int
first_box_from(const int *b, int n, int v)
{
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (b[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void
blank_all(struct vd_cr *r)
{
    struct vd_cell b = blank_cell(r);
    for (int y = 0; y < r->rows; y++)
        for (int x = 0; x < r->cols; x++)
            put(r, y, x, b);
}

/* everything from the frame: geometry, text grid, every cell */
static void
full_recompute(struct vd_cr *r, const struct vd_fb *fb, bool detect)
{
    if (detect)
        r->stale_area = 0;
    r->fb_w = fb->width;
    r->fb_h = fb->height;
    r->recognised = false;
    r->eff = r->mode;
    if (r->mode == VD_CR_TEXT) {
        if (detect || !r->have_grid)
            detect_grid(r, fb);
        r->t_matched = r->t_total = 0;
        int c0, c1, r0, r1;
        text_update(r, fb, 0, 0, fb->width, fb->height, &c0, &c1, &r0, &r1);
        r->recognised = text_ok(r);
        if (!r->recognised)
            r->eff = r->colors == VD_CR_MONO ? VD_CR_ASCII : VD_CR_HALF;
    }
    blank_all(r);
    if (r->eff == VD_CR_TEXT) {
        setup_text_view(r);
        draw_text_cells(r, fb, 0, r->tcols, 0, r->trows);
    } else {
        setup_image(r, fb);
        draw_image_cells(r, fb, 0, r->pic_cols, 0, r->pic_rows);
    }
}

void
vd_cr_damage(struct vd_cr *r, const struct vd_fb *fb, int x, int y, int w, int h)
{
    if (!fb || !fb->px || fb->width <= 0 || fb->height <= 0 || fb->stride_px < fb->width) {
        if (r->fb_w || r->fb_h || r->need_full) {
            r->fb_w = r->fb_h = 0;
            r->have_grid = false;
            r->recognised = false;
            r->t_matched = r->t_total = 0;
            r->pic_cols = r->pic_rows = 0;
            r->content_cols = r->content_rows = 0;
            r->eff = r->mode;
            r->need_full = false;
            blank_all(r);
        }
        return;
    }
    if (r->need_full || fb->width != r->fb_w || fb->height != r->fb_h) {
        r->need_full = false;
        full_recompute(r, fb, true);
        return;
    }

    /* clip */
    int x0 = MAX(x, 0), y0 = MAX(y, 0);
    int x1 = (int)MIN((int64_t)x + MAX(w, 0), fb->width), y1 = (int)MIN((int64_t)y + MAX(h, 0), fb->height);
    if (x1 <= x0 || y1 <= y0)
        return;

    if (r->mode == VD_CR_TEXT) {
        if (!r->recognised) {
            /* a new screen (a whole-frame update, or changes adding up to a
             * quarter of the frame since the last look): maybe text again,
             * maybe on another grid */
            r->stale_area += (int64_t)(x1 - x0) * (y1 - y0);
            if (r->stale_area * 4 >= (int64_t)fb->width * fb->height) {
                full_recompute(r, fb, true);
                return;
            }
        }
        int c0, c1, r0, r1;
        text_update(r, fb, x0, y0, x1, y1, &c0, &c1, &r0, &r1);
        if (text_ok(r) != r->recognised) {
            full_recompute(r, fb, false);
            return;
        }
        if (r->recognised) {
            draw_text_cells(r, fb, c0, c1, r0, r1);
            return;
        }
    }

    /* image modes: the samples touching the rectangle */
    int nx = r->pic_cols * r->sub_w, ny = r->pic_rows * r->sub_h;
    int sx0 = first_box_after(r->xs, nx, x0, fb->width), sx1 = first_box_from(r->xs, nx, x1);
    int sy0 = first_box_after(r->ys, ny, y0, fb->height), sy1 = first_box_from(r->ys, ny, y1);
    if (sx1 <= sx0 || sy1 <= sy0)
        return;
    draw_image_cells(r, fb, sx0 / r->sub_w, (sx1 + r->sub_w - 1) / r->sub_w,
                     sy0 / r->sub_h, (sy1 + r->sub_h - 1) / r->sub_h);
}

/* ---- changes ------------------------------------------------------------------------------------ */

static inline bool
cell_eq(const struct vd_cell *a, const struct vd_cell *b)
{
    return a->ch == b->ch && a->fg == b->fg && a->bg == b->bg;
}

size_t
vd_cr_take_changes(struct vd_cr *r,
                   void (*fn)(int row, int col, int n, const struct vd_cell *cells, void *u), void *u)
{
    size_t count = 0;

    for (int y = 0; y < r->rows; y++) {
        const struct vd_cell *cur = r->cells + (size_t)y * r->cols;
        struct vd_cell *old = r->prev + (size_t)y * r->cols;
        if (!r->prev_valid) {
            if (fn)
                fn(y, 0, r->cols, cur, u);
            count += (size_t)r->cols;
        } else if (r->row_dirty[y]) {
            for (int x = 0; x < r->cols;) {
                if (cell_eq(&cur[x], &old[x])) {
                    x++;
                    continue;
                }
                int s = x;
                while (x < r->cols && !cell_eq(&cur[x], &old[x]))
                    x++;
                if (fn)
                    fn(y, s, x - s, cur + s, u);
                count += (size_t)(x - s);
            }
        } else {
            continue;
        }
        memcpy(old, cur, sizeof(*cur) * (size_t)r->cols);
        r->row_dirty[y] = 0;
    }
    r->prev_valid = true;
    return count;
}

/* ---- queries ------------------------------------------------------------------------------------- */

bool
vd_cr_text_stats(const struct vd_cr *r, unsigned *matched, unsigned *total)
{
    bool on = r->mode == VD_CR_TEXT && r->recognised;

    if (matched)
        *matched = on ? r->t_matched : 0;
    if (total)
        *total = on ? r->t_total : 0;
    return on;
}

enum vd_cr_mode
vd_cr_effective_mode(const struct vd_cr *r)
{
    return r->eff;
}

void
vd_cr_geometry(const struct vd_cr *r, struct vd_cr_geom *g)
{
    memset(g, 0, sizeof(*g));
    g->col = r->pic_col;
    g->row = r->pic_row;
    g->cols = r->pic_cols;
    g->rows = r->pic_rows;
    g->content_cols = r->content_cols;
    g->content_rows = r->content_rows;
    g->pan_x = r->pan_x;
    g->pan_y = r->pan_y;
    if (r->eff == VD_CR_TEXT) {
        g->text_cw = r->tcw;
        g->text_ch = GLYPH_H;
        g->text_ox = r->tox;
        g->text_oy = r->toy;
    }
}

bool
vd_cr_cell_to_fb(const struct vd_cr *r, int col, int row, int *x, int *y)
{
    int pc = col - r->pic_col, pr = row - r->pic_row;

    if (pc < 0 || pr < 0 || pc >= r->pic_cols || pr >= r->pic_rows || r->fb_w <= 0)
        return false;
    if (r->eff == VD_CR_TEXT) {
        *x = r->tox + (pc + r->pan_x) * r->tcw + r->tcw / 2;
        *y = r->toy + (pr + r->pan_y) * GLYPH_H + GLYPH_H / 2;
    } else {
        int a = r->xs[pc * r->sub_w], b = r->xs[(pc + 1) * r->sub_w];
        int c = r->ys[pr * r->sub_h], d = r->ys[(pr + 1) * r->sub_h];
        if (a >= r->fb_w || c >= r->fb_h)
            return false;
        *x = MIN((a + b) / 2, r->fb_w - 1);
        *y = MIN((c + d) / 2, r->fb_h - 1);
    }
    return true;
}

enum vd_cr_mode
vd_cr_auto_mode(enum vd_cr_colors colors, bool utf8)
{
    (void)colors;
    return utf8 ? VD_CR_TEXT : VD_CR_ASCII;
}

enum vd_cr_colors
vd_cr_colors_from_env(const char *colorterm, int ncolors)
{
    if (ncolors >= 8 && colorterm &&
        (g_ascii_strcasecmp(colorterm, "truecolor") == 0 || g_ascii_strcasecmp(colorterm, "24bit") == 0))
        return VD_CR_TRUE;
    if (ncolors >= 256)
        return VD_CR_256;
    if (ncolors >= 8)
        return VD_CR_16;
    return VD_CR_MONO;
}

const char *
vd_cr_mode_name(enum vd_cr_mode m)
{
    static const char *const n[] = { "text", "half", "quad", "ascii" };
    return (unsigned)m < G_N_ELEMENTS(n) ? n[m] : "?";
}

const char *
vd_cr_colors_name(enum vd_cr_colors c)
{
    static const char *const n[] = { "mono", "16", "256", "true" };
    return (unsigned)c < G_N_ELEMENTS(n) ? n[c] : "?";
}

const char *
vd_cr_scale_name(enum vd_cr_scale s)
{
    return s == VD_CR_1TO1 ? "1:1" : "fit";
}
