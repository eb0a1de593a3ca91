/* virtdeck - benchmark of the cell renderer (issue 5, point 7); prints figures
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 *  1. ms to convert a full 1024x768 frame into 160x48 and 240x67 cells, per
 *     mode (text on a text screen, the others on a picture): the first frame
 *     (geometry and text-grid detection included) and a repeated full-frame
 *     update (what a VNC full update costs);
 *  2. cells and bytes of terminal output (an ANSI encoding of the change runs,
 *     as a curses UI would write them) for an unchanged frame and for a
 *     one-line change of a text screen;
 *  3. text recognition accuracy on the recorded frames (tests/data/frames).
 *
 * usage: bench-cell-render [SRCDIR]
 *        bench-cell-render --print FRAME.ppm[.gz]   (the text read from a frame) */
#include "config.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cell-render.h"

static const uint32_t vga[16] = {
    0x000000, 0xAA0000, 0x00AA00, 0xAA5500, 0x0000AA, 0xAA00AA, 0x00AAAA, 0xAAAAAA,
    0x555555, 0xFF5555, 0x55FF55, 0xFFFF55, 0x5555FF, 0xFF55FF, 0x55FFFF, 0xFFFFFF,
};

struct frame {
    uint32_t *px;
    int w, h;
};

static void
draw_glyph(struct frame *f, int x0, int y0, int code, uint32_t fg, uint32_t bg)
{
    for (int y = 0; y < 16; y++)
        for (int x = 0; x < 8; x++)
            f->px[(y0 + y) * f->w + x0 + x] = vd_vga_font_8x16[code][y] >> (7 - x) & 1 ? fg : bg;
}

static struct frame *
picture(int w, int h)
{
    struct frame *f = g_new0(struct frame, 1);
    GRand *rnd = g_rand_new_with_seed(1);
    f->w = w;
    f->h = h;
    f->px = g_new(uint32_t, w * h);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            f->px[y * w + x] = (uint32_t)(x * 255 / w) << 16 | (uint32_t)(y * 255 / h) << 8 |
                               ((uint32_t)((x ^ y) & 0xff) ^ (g_rand_int(rnd) & 0x0f0f0f));
    g_rand_free(rnd);
    return f;
}

/* an fbcon-like 128x48 text screen of 8x16 glyphs */
static struct frame *
text_screen(int w, int h)
{
    struct frame *f = g_new0(struct frame, 1);
    GRand *rnd = g_rand_new_with_seed(2);
    f->w = w;
    f->h = h;
    f->px = g_new0(uint32_t, w * h);
    for (int ty = 0; ty < h / 16; ty++) {
        int len = g_rand_int_range(rnd, 0, w / 8);
        for (int tx = 0; tx < w / 8; tx++)
            draw_glyph(f, tx * 8, ty * 16, tx < len ? g_rand_int_range(rnd, 0x21, 0x7f) : ' ',
                       vga[7], vga[0]);
    }
    g_rand_free(rnd);
    return f;
}

/* ---- terminal bytes: an ANSI encoding of the change runs ---------------------- */

struct enc {
    enum vd_cr_colors colors;
    size_t bytes, cells;
    uint32_t fg, bg;
    bool have;
};

static size_t
sgr_len(enum vd_cr_colors c, bool fg, uint32_t v)
{
    char buf[64];
    switch (c) {
    case VD_CR_TRUE:
        return (size_t)snprintf(buf, sizeof(buf), "\033[%d;2;%u;%u;%um", fg ? 38 : 48, v >> 16 & 255,
                                v >> 8 & 255, v & 255);
    case VD_CR_256:
        return (size_t)snprintf(buf, sizeof(buf), "\033[%d;5;%um", fg ? 38 : 48, v);
    case VD_CR_16:
        return (size_t)snprintf(buf, sizeof(buf), "\033[%um", (fg ? 30 : 40) + (v & 7) + (v >= 8 ? 60 : 0));
    default:
        return 0;
    }
}

static void
encode_run(int row, int col, int n, const struct vd_cell *cells, void *u)
{
    struct enc *e = u;
    char buf[32];

    e->bytes += (size_t)snprintf(buf, sizeof(buf), "\033[%d;%dH", row + 1, col + 1);
    for (int i = 0; i < n; i++) {
        if (!e->have || cells[i].fg != e->fg)
            e->bytes += sgr_len(e->colors, true, cells[i].fg);
        if (!e->have || cells[i].bg != e->bg)
            e->bytes += sgr_len(e->colors, false, cells[i].bg);
        e->fg = cells[i].fg;
        e->bg = cells[i].bg;
        e->have = true;
        e->bytes += (size_t)g_unichar_to_utf8(cells[i].ch, buf);
    }
    e->cells += (size_t)n;
}

/* ---- timing -------------------------------------------------------------------- */

/* CPU time of this thread: the machine may be busy with other work */
static gint64
now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (gint64)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static double
ms_since(gint64 t0)
{
    return (double)(now_us() - t0) / 1000.0;
}

static void
bench_convert(const char *what, const struct frame *f, enum vd_cr_mode mode, int cols, int rows)
{
    struct vd_fb fb = { f->px, f->w, f->h, f->w };
    struct vd_cr *r = vd_cr_new();
    double first = 1e9, full = 1e9, sum = 0;
    int n = 40;

    for (int i = 0; i < 5; i++) {
        gint64 t0 = now_us();
        vd_cr_configure(r, cols, rows, mode, VD_CR_TRUE, VD_CR_FIT, 0, 0);
        vd_cr_damage(r, &fb, 0, 0, f->w, f->h);
        first = MIN(first, ms_since(t0));
    }
    for (int i = 0; i < n; i++) {
        gint64 t0 = now_us();
        vd_cr_damage(r, &fb, 0, 0, f->w, f->h);
        double t = ms_since(t0);
        full = MIN(full, t);
        sum += t;
    }
    /* the other colour depths, repeated full update */
    double other[3];
    for (enum vd_cr_colors c = VD_CR_MONO; c <= VD_CR_256; c++) {
        vd_cr_configure(r, cols, rows, mode, c, VD_CR_FIT, 0, 0);
        vd_cr_damage(r, &fb, 0, 0, f->w, f->h);
        other[c] = 1e9;
        for (int i = 0; i < 10; i++) {
            gint64 t0 = now_us();
            vd_cr_damage(r, &fb, 0, 0, f->w, f->h);
            other[c] = MIN(other[c], ms_since(t0));
        }
    }
    printf("  %-6s %-8s %3dx%-3d  first frame %6.2f ms   full update %6.2f ms (mean %6.2f)   "
           "256: %5.2f  16: %5.2f  mono: %5.2f ms\n",
           vd_cr_mode_name(mode), what, cols, rows, first, full, sum / n, other[VD_CR_256], other[VD_CR_16],
           other[VD_CR_MONO]);
    vd_cr_free(r);
}

static void
bench_changes(void)
{
    struct frame *f = text_screen(1024, 768);
    struct vd_fb fb = { f->px, f->w, f->h, f->w };

    for (enum vd_cr_colors c = VD_CR_16; c <= VD_CR_TRUE; c++) {
        struct vd_cr *r = vd_cr_new();
        vd_cr_configure(r, 160, 48, VD_CR_TEXT, c, VD_CR_FIT, 0, 0);
        vd_cr_damage(r, &fb, 0, 0, f->w, f->h);
        struct enc e = { c, 0, 0, 0, 0, false };
        vd_cr_take_changes(r, encode_run, &e);
        size_t first = e.bytes;

        /* unchanged frame, reported as a full update */
        memset(&e, 0, sizeof(e));
        e.colors = c;
        vd_cr_damage(r, &fb, 0, 0, f->w, f->h);
        vd_cr_take_changes(r, encode_run, &e);
        size_t same_b = e.bytes, same_c = e.cells;

        /* one line of the text screen rewritten (a shell line: 40 characters) */
        const char *line = "root@vdlinux:~# echo vd-12345; uptime  ";
        for (int i = 0; line[i]; i++)
            draw_glyph(f, i * 8, 20 * 16, line[i], vga[7], vga[0]);
        memset(&e, 0, sizeof(e));
        e.colors = c;
        vd_cr_damage(r, &fb, 0, 20 * 16, f->w, 16);
        vd_cr_take_changes(r, encode_run, &e);
        printf("  text 160x48 %-4s  first frame %6zu B   unchanged frame %zu cells %zu B   "
               "one-line change %zu cells %zu B\n",
               vd_cr_colors_name(c), first, same_c, same_b, e.cells, e.bytes);
        /* put the line back for the next depth */
        g_free(f->px);
        g_free(f);
        f = text_screen(1024, 768);
        fb.px = f->px;
        vd_cr_free(r);
    }
    /* half blocks: an unchanged picture */
    struct frame *p = picture(1024, 768);
    struct vd_fb pfb = { p->px, p->w, p->h, p->w };
    struct vd_cr *r = vd_cr_new();
    vd_cr_configure(r, 160, 48, VD_CR_HALF, VD_CR_TRUE, VD_CR_FIT, 0, 0);
    vd_cr_damage(r, &pfb, 0, 0, p->w, p->h);
    struct enc e = { VD_CR_TRUE, 0, 0, 0, 0, false };
    vd_cr_take_changes(r, encode_run, &e);
    size_t first = e.bytes;
    memset(&e, 0, sizeof(e));
    e.colors = VD_CR_TRUE;
    vd_cr_damage(r, &pfb, 0, 0, p->w, p->h);
    vd_cr_take_changes(r, encode_run, &e);
    printf("  half 160x48 true  first frame %6zu B   unchanged frame %zu cells %zu B\n", first, e.cells, e.bytes);
    vd_cr_free(r);
    g_free(p->px);
    g_free(p);
    g_free(f->px);
    g_free(f);
}

/* ---- recorded frames ------------------------------------------------------------ */

static struct frame *
load_ppm(const char *path)
{
    gchar *cmd = g_str_has_suffix(path, ".gz") ? g_strdup_printf("gzip -dc '%s'", path)
                                               : g_strdup_printf("cat '%s'", path);
    FILE *p = popen(cmd, "r");
    g_free(cmd);
    if (!p)
        return NULL;
    int w, h, max;
    if (fscanf(p, "P6 %d %d %d", &w, &h, &max) != 3 || max != 255 || w <= 0 || h <= 0 || w > 8192 ||
        h > 8192) {
        pclose(p);
        return NULL;
    }
    fgetc(p);
    struct frame *f = g_new0(struct frame, 1);
    f->w = w;
    f->h = h;
    f->px = g_new0(uint32_t, w * h);
    for (int i = 0; i < w * h; i++) {
        int r = fgetc(p), g = fgetc(p), b = fgetc(p);
        if (b == EOF)
            break;
        f->px[i] = (uint32_t)r << 16 | (uint32_t)g << 8 | (uint32_t)b;
    }
    pclose(p);
    return f;
}

static struct vd_cr *
read_text(const struct frame *f)
{
    struct vd_fb fb = { f->px, f->w, f->h, f->w };
    struct vd_cr *r = vd_cr_new();
    vd_cr_configure(r, 256, 128, VD_CR_TEXT, VD_CR_16, VD_CR_FIT, 0, 0);
    vd_cr_damage(r, &fb, 0, 0, f->w, f->h);
    return r;
}

static void
print_text(const char *path)
{
    struct frame *f = load_ppm(path);
    if (!f) {
        fprintf(stderr, "%s: not a binary PPM\n", path);
        exit(1);
    }
    struct vd_cr *r = read_text(f);
    struct vd_cr_geom g;
    unsigned m, t;
    vd_cr_geometry(r, &g);
    bool ok = vd_cr_text_stats(r, &m, &t);
    fprintf(stderr, "%dx%d: %s, grid %dx%d of %dx%d at +%d+%d, %u of %u glyph cells matched\n", f->w, f->h,
            ok ? "text" : "not text", g.content_cols, g.content_rows, g.text_cw, g.text_ch, g.text_ox,
            g.text_oy, m, t);
    const struct vd_cell *c = vd_cr_cells(r);
    for (int y = 0; y < g.rows; y++) {
        GString *s = g_string_new(NULL);
        for (int x = 0; x < g.cols; x++)
            g_string_append_unichar(s, c[(g.row + y) * 256 + g.col + x].ch);
        while (s->len && s->str[s->len - 1] == ' ')
            g_string_truncate(s, s->len - 1);
        printf("%s\n", s->str);
        g_string_free(s, TRUE);
    }
    vd_cr_free(r);
}

static void
accuracy(const char *srcdir)
{
    gchar *dir = g_build_filename(srcdir, "tests", "data", "frames", NULL);
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;
    unsigned all_right = 0, all_total = 0;

    while (d && (name = g_dir_read_name(d))) {
        if (!g_str_has_suffix(name, ".ppm.gz"))
            continue;
        gchar *path = g_build_filename(dir, name, NULL);
        gchar *txt = g_strdup(path);
        strcpy(strstr(txt, ".ppm.gz"), ".txt");
        gchar *want = NULL;
        struct frame *f = load_ppm(path);
        if (!f || !g_file_get_contents(txt, &want, NULL, NULL)) {
            printf("  %s: unreadable\n", name);
            continue;
        }
        gint64 t0 = now_us();
        struct vd_cr *r = read_text(f);
        double ms = ms_since(t0);
        struct vd_cr_geom g;
        vd_cr_geometry(r, &g);
        gchar **lines = g_strsplit(want, "\n", -1);
        unsigned right = 0, total = 0;
        const struct vd_cell *c = vd_cr_cells(r);
        for (int y = 0; y < g.content_rows; y++) {
            const char *l = y < (int)g_strv_length(lines) ? lines[y] : "";
            for (int x = 0; x < g.content_cols; x++) {
                gunichar w = ' ';
                if (*l) {
                    w = g_utf8_get_char(l);
                    l = g_utf8_next_char(l);
                }
                gunichar got = c[(g.row + y) * 256 + g.col + x].ch;
                if (w == ' ' && got == ' ')
                    continue;
                total++;
                right += got == w;
            }
        }
        printf("  %-24s %dx%d, %dx%d cells: %u of %u characters right (%.2f %%), %.2f ms\n", name, f->w,
               f->h, g.content_cols, g.content_rows, right, total, total ? 100.0 * right / total : 0.0, ms);
        all_right += right;
        all_total += total;
        g_strfreev(lines);
        g_free(want);
        g_free(txt);
        g_free(path);
        vd_cr_free(r);
        g_free(f->px);
        g_free(f);
    }
    if (all_total)
        printf("  all frames: %u of %u (%.2f %%)\n", all_right, all_total, 100.0 * all_right / all_total);
    if (d)
        g_dir_close(d);
    g_free(dir);
}

int
main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--print") == 0) {
        print_text(argv[2]);
        return 0;
    }
    const char *srcdir = argc > 1 ? argv[1] : ".";

    struct frame *pic = picture(1024, 768), *txt = text_screen(1024, 768);
    printf("convert a full 1024x768 frame (thread CPU time; truecolour unless said; min of repeated runs)\n");
    for (int s = 0; s < 2; s++) {
        int cols = s ? 240 : 160, rows = s ? 67 : 48;
        bench_convert("text", txt, VD_CR_TEXT, cols, rows);
        bench_convert("picture", pic, VD_CR_HALF, cols, rows);
        bench_convert("picture", pic, VD_CR_QUAD, cols, rows);
        bench_convert("picture", pic, VD_CR_ASCII, cols, rows);
        bench_convert("picture", pic, VD_CR_TEXT, cols, rows);
    }
    printf("terminal output (ANSI: cursor moves, SGR colours on change, UTF-8)\n");
    bench_changes();
    printf("text recognition on recorded frames\n");
    accuracy(srcdir);
    g_free(pic->px);
    g_free(pic);
    g_free(txt->px);
    g_free(txt);
    return 0;
}
