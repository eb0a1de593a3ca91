/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "graph.h"

/* 2025-11-26 12:00:00 UTC, a Wednesday */
#define NOON 1764158400

/* terminal cells of a UTF-8 line: braille and box drawing are narrow */
static int
cells(const char *s)
{
    int w = 0;

    g_assert_true(g_utf8_validate(s, -1, NULL));
    for (; *s; s += g_utf8_skip[*(const guchar *)s]) {
        gunichar c = g_utf8_get_char(s);
        g_assert_cmpuint(c, >=, 0x20);
        if (!g_unichar_iszerowidth(c))
            w += g_unichar_iswide(c) ? 2 : 1;
    }
    return w;
}

static void
check_shape(GStrv lines, int width, int height)
{
    g_assert_nonnull(lines);
    g_assert_cmpuint(g_strv_length(lines), ==, (guint)MAX(height, 0));
    for (int i = 0; i < height; i++)
        g_assert_cmpint(cells(lines[i]), ==, MAX(width, 0));
}

/* render and compare line by line; want is NULL-terminated */
static void
check_render(const double *v, guint n, const struct vd_graph_opts *o, const char *const *want)
{
    g_auto(GStrv) got = vd_graph_render(v, n, o);

    check_shape(got, o->width, o->height);
    for (int i = 0; i < o->height; i++) {
        if (g_strcmp0(got[i], want[i]))
            for (int j = 0; j < o->height; j++)
                g_test_message("line %d: [%s] want [%s]", j, got[j], want[j]);
        g_assert_cmpstr(got[i], ==, want[i]);
    }
    g_assert_null(want[o->height]);
}

static struct vd_graph_opts
opts(int width, int height, enum vd_graph_unit unit)
{
    return (struct vd_graph_opts){ .width = width, .height = height, .unit = unit,
                                   .ymax = NAN, .start = NOON, .step = 60 };
}

/* One cell, no axis: 2 dot columns of 4 dots. Braille bits: left column
 * bottom..top 0x40 0x04 0x02 0x01, right column 0x80 0x20 0x10 0x08. */
static void
test_braille_dots(void)
{
    struct vd_graph_opts o = opts(1, 1, VD_UNIT_PERCENT);
    double full_half[] = { 100, 50 };
    double tall[] = { 100, 50 };
    double clamp[] = { -5, INFINITY };
    double low[] = { -INFINITY, NAN };

    /* left 4 dots (0x47), right 2 (0x80|0x20): U+28E7 */
    check_render(full_half, 2, &o, (const char *[]){ "\u28E7", NULL });
    /* two rows (8 dots): left 8, right 4 -> top: left only (U+2847), bottom: all (U+28FF) */
    o.height = 2;
    check_render(tall, 2, &o, (const char *[]){ "\u2847", "\u28FF", NULL });
    /* negative counts as 0 (bottom dot), +inf as full: 0x40 | 0xB8 */
    o.height = 1;
    check_render(clamp, 2, &o, (const char *[]){ "\u28F8", NULL });
    /* -inf is 0 (bottom dot), NAN nothing */
    check_render(low, 2, &o, (const char *[]){ "\u2840", NULL });
}

/* max (default) or average of the values a dot column covers */
static void
test_fold(void)
{
    struct vd_graph_opts o = opts(1, 1, VD_UNIT_PERCENT);
    double v[] = { 100, 0, 0, 50 };

    /* columns {100,0} {0,50}: max 4 and 2 dots = 0x47|0xA0 */
    check_render(v, 4, &o, (const char *[]){ "\u28E7", NULL });
    /* average 50 and 25 %: 2 and 1 dots = 0x44|0x80 */
    o.average = true;
    check_render(v, 4, &o, (const char *[]){ "\u28C4", NULL });
}

/* fewer values than dot columns: each column shows the value at its left edge */
static void
test_stretch(void)
{
    struct vd_graph_opts o = opts(3, 1, VD_UNIT_PERCENT);
    double v[] = { 100, NAN, 50 };

    /* 6 dot columns take values 0 0 1 1 2 2: full, gap, 2 dots each */
    check_render(v, 3, &o, (const char *[]){ "\u28FF \u28E4", NULL });
}

/* Axis, ticks and every plot cell derived by hand: 3 rows = 12 dots, one
 * value per dot column; heights 1 3 | 6 9 | 12 - | 12 1 */
static const double steps8[] = { 0, 25, 50, 75, 100, NAN, 100, 0 };

static void
test_axis_braille(void)
{
    struct vd_graph_opts o = opts(10, 4, VD_UNIT_PERCENT);

    check_render(steps8, 8, &o, (const char *[]){
        "100 %┤ \u2880\u2847\u2847",        /* 0|1 dot right; 4|- ; 4|- */
        " 50 %┤ \u28FC\u2847\u2847",        /* 2|4 */
        "  0 %┤\u28F0\u28FF\u2847\u28C7",   /* 1|3, 4|4, 4|-, 4|1 */
        "          ",                       /* 12:00 does not fit in 4 cells */
        NULL });
    g_assert_cmpint(vd_graph_plot_x(steps8, 8, &o), ==, 6);
}

static void
test_axis_ascii(void)
{
    struct vd_graph_opts o = opts(10, 4, VD_UNIT_PERCENT);

    o.ascii = true;
    /* the larger of the two dot columns: " .:|#" by quarter */
    check_render(steps8, 8, &o, (const char *[]){
        "100 %+ .##",
        " 50 %+ ###",
        "  0 %+|###",
        "          ",
        NULL });
}

static void
test_ramp(void)
{
    struct vd_graph_opts o = opts(20, 6, VD_UNIT_PERCENT);
    double v[20];

    for (int i = 0; i < 20; i++)
        v[i] = i * 100.0 / 19;
    /* 14 cells = 28 dot columns over 20 values (stretched), 20 dots high;
     * bottom-left: v0 v0 -> 1|1 dot (U+28C0); next v1 v2 -> 1|2 (U+28E0) */
    check_render(v, 20, &o, (const char *[]){
        "100 %┤           ⢀⣤⣾",
        "     │        ⢀⣠⣾⣿⣿⣿",
        " 50 %┤      ⢀⣶⣿⣿⣿⣿⣿⣿",
        "     │   ⢀⣠⣶⣿⣿⣿⣿⣿⣿⣿⣿",
        "  0 %┤⣀⣠⣴⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿",
        "      12:00  12:10  ",
        NULL });
}

/* constant 50 %, 2 rows: half height; labels every 30 min on round times */
static void
test_constant_and_time(void)
{
    struct vd_graph_opts o = opts(20, 3, VD_UNIT_PERCENT);
    double v[60];

    for (int i = 0; i < 60; i++)
        v[i] = 50;
    check_render(v, 60, &o, (const char *[]){
        "100 %┤              ",
        "  0 %┤⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿",
        "      12:00  12:30  ",
        NULL });
    /* from 12:07: 12:30 at 23/60 of 14 cells (5); 13:00 would not fit */
    o.start = NOON + 7 * 60;
    check_render(v, 60, &o, (const char *[]){
        "100 %┤              ",
        "  0 %┤⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿",
        "           12:30    ",
        NULL });
}

/* a gap of unknown values stays empty; all unknown: axes only */
static void
test_gaps(void)
{
    struct vd_graph_opts o = opts(10, 3, VD_UNIT_PERCENT);
    double gap[] = { 100, 100, NAN, NAN, NAN, NAN, 0, 0 };
    double none[] = { NAN, NAN, NAN };

    o.step = 0;
    check_render(gap, 8, &o, (const char *[]){
        "100 %┤⣿   ",
        "  0 %┤⣿  ⣀",
        "          ",
        NULL });
    check_render(none, 3, &o, (const char *[]){
        "100 %┤    ",
        "  0 %┤    ",
        "          ",
        NULL });
    check_render(NULL, 0, &o, (const char *[]){
        "100 %┤    ",
        "  0 %┤    ",
        "          ",
        NULL });
}

/* a single value fills the plot */
static void
test_single(void)
{
    struct vd_graph_opts o = opts(8, 2, VD_UNIT_BYTES);
    double v[] = { 3 * 1024 * 1024 };

    /* 8 cells: the axis would leave fewer than 4 for the plot: plot only */
    check_render(v, 1, &o, (const char *[]){ "⣿⣿⣿⣿⣿⣿⣿⣿", "⣿⣿⣿⣿⣿⣿⣿⣿", NULL });
    /* auto scale 3 MiB: full height; no time line below 3 rows */
    o.width = 10;
    check_render(v, 1, &o, (const char *[]){
        "3 MiB┤⣿⣿⣿⣿",
        "  0 B┤⣿⣿⣿⣿",
        NULL });
}

/* TiB/s: nice maximum 10 TiB/s; 2 values stretched over 42 dot columns,
 * 5.46 -> 5 and 10.9 -> 11 of 12 dots */
static void
test_huge(void)
{
    struct vd_graph_opts o = opts(30, 4, VD_UNIT_BYTES_PER_S);
    double v[] = { 5e12, 1e13 };

    o.step = 0;
    check_render(v, 2, &o, (const char *[]){
        "10 TiB/s┤          ⢰⣶⣶⣶⣶⣶⣶⣶⣶⣶⣶",
        " 5 TiB/s┤⣀⣀⣀⣀⣀⣀⣀⣀⣀⣀⣸⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿",
        "   0 B/s┤⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿",
        "                              ",
        NULL });
}

/* a week: "Wed 26" style every 2 days from midnight; a year: DD.MM quarterly */
static void
test_time_labels(void)
{
    struct vd_graph_opts o = opts(40, 3, VD_UNIT_PERCENT);
    g_auto(GStrv) week = NULL, year = NULL;
    double none[365];

    for (int i = 0; i < 365; i++)
        none[i] = NAN;
    o.step = 3600;
    week = vd_graph_render(none, 7 * 24, &o);
    check_shape(week, 40, 3);
    g_assert_cmpstr(week[2], ==, "        Thu 27    Sat 29   Mon 1        ");
    o.step = 86400;
    o.start = 1735689600;       /* 2025-01-01 00:00 */
    year = vd_graph_render(none, 365, &o);
    check_shape(year, 40, 3);
    g_assert_cmpstr(year[2], ==, "      01.01   01.04   01.07    01.10    ");
}

static void
test_format(void)
{
    static const struct { double v; enum vd_graph_unit u; const char *want; } cases[] = {
        { 45, VD_UNIT_PERCENT, "45 %" },
        { 4.5, VD_UNIT_PERCENT, "4.5 %" },
        { 0, VD_UNIT_PERCENT, "0 %" },
        { 99.96, VD_UNIT_PERCENT, "100 %" },
        { 1.5 * 1024 * 1024 * 1024, VD_UNIT_BYTES, "1.5 GiB" },
        { 512, VD_UNIT_BYTES, "512 B" },
        { 1023.7, VD_UNIT_BYTES, "1 KiB" },
        { 0, VD_UNIT_BYTES, "0 B" },
        { -2048, VD_UNIT_BYTES, "-2 KiB" },
        { 12.3 * 1024, VD_UNIT_BYTES_PER_S, "12.3 KiB/s" },
        { 5.0 * 1024 * 1024 * 1024 * 1024, VD_UNIT_BYTES_PER_S, "5 TiB/s" },
        { 1e30, VD_UNIT_BYTES, "8.67e+11 EiB" },
        { 120, VD_UNIT_PER_S, "120 /s" },
        { 1234, VD_UNIT_PER_S, "1.2k /s" },
        { 999.7, VD_UNIT_PER_S, "1k /s" },
        { NAN, VD_UNIT_PERCENT, "-" },
        { INFINITY, VD_UNIT_BYTES, "-" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *s = vd_format_value(cases[i].v, cases[i].u);
        g_assert_cmpstr(s, ==, cases[i].want);
    }
}

static void
test_legend(void)
{
    double v[] = { 10, 20, NAN, 30, NAN, INFINITY };
    double none[] = { NAN };
    g_autofree char *a = vd_graph_legend(v, G_N_ELEMENTS(v), VD_UNIT_PERCENT);
    g_autofree char *b = vd_graph_legend(none, 1, VD_UNIT_BYTES);
    g_autofree char *c = vd_graph_legend(NULL, 0, VD_UNIT_PER_S);

    g_assert_cmpstr(a, ==, "cur 30 %  avg 20 %  max 30 %");
    g_assert_cmpstr(b, ==, "cur -  avg -  max -");
    g_assert_cmpstr(c, ==, "cur -  avg -  max -");
}

/* every size from 1x1 to 300x80 (sampled): height lines of width cells */
static void
test_sizes(void)
{
    double v[200];

    for (int i = 0; i < 200; i++)
        v[i] = i % 23 == 0 ? NAN : (i * 7919 % 101) * 1e6;
    for (int w = 1; w <= 300; w += w < 24 ? 1 : 11) {
        for (int h = 1; h <= 80; h += h < 12 ? 1 : 7) {
            for (int ascii = 0; ascii < 2; ascii++) {
                struct vd_graph_opts o = opts(w, h, VD_UNIT_BYTES_PER_S);
                g_auto(GStrv) l = NULL;

                o.ascii = ascii;
                l = vd_graph_render(v, G_N_ELEMENTS(v), &o);
                check_shape(l, w, h);
            }
        }
    }
    for (int i = 0; i < 2; i++) {
        struct vd_graph_opts o = opts(300, 80, VD_UNIT_PERCENT);
        g_auto(GStrv) l = vd_graph_render(v, G_N_ELEMENTS(v), &o);
        check_shape(l, 300, 80);
    }
}

static double
random_value(GRand *r)
{
    switch (g_rand_int_range(r, 0, 10)) {
    case 0: return NAN;
    case 1: return INFINITY;
    case 2: return -INFINITY;
    case 3: return -g_rand_double_range(r, 0, 1e9);
    case 4: return DBL_MAX;
    case 5: return 0;
    case 6: return DBL_MIN / 4;
    default: return g_rand_double(r) * pow(10, g_rand_int_range(r, -5, 300));
    }
}

static void
test_fuzz(void)
{
    GRand *r = g_rand_new_with_seed(4);

    for (int k = 0; k < 4000; k++) {
        guint n = g_rand_int_range(r, 0, 400);
        double *v = g_new(double, MAX(n, 1));
        struct vd_graph_opts o = {
            .width = g_rand_int_range(r, -2, 130),
            .height = g_rand_int_range(r, -2, 30),
            .ascii = g_rand_boolean(r),
            .average = g_rand_boolean(r),
            .unit = g_rand_int_range(r, 0, VD_UNIT_LAST),
            .ymax = g_rand_boolean(r) ? NAN : random_value(r),
        };
        g_auto(GStrv) l = NULL;
        g_autofree char *legend = NULL;

        switch (g_rand_int_range(r, 0, 4)) {
        case 0: o.start = (time_t)g_rand_int(r) << g_rand_int_range(r, 0, 31); break;
        case 1: o.start = -(time_t)g_rand_int(r); break;
        default: o.start = NOON; break;
        }
        switch (g_rand_int_range(r, 0, 4)) {
        case 0: o.step = (unsigned long)-1 >> g_rand_int_range(r, 0, 63); break;
        case 1: o.step = 0; break;
        default: o.step = g_rand_int_range(r, 1, 100000); break;
        }
        for (guint i = 0; i < n; i++)
            v[i] = random_value(r);
        l = vd_graph_render(v, n, &o);
        check_shape(l, o.width, o.height);
        legend = vd_graph_legend(v, n, o.unit);
        g_assert_true(g_utf8_validate(legend, -1, NULL));
        g_free(v);
    }
    g_rand_free(r);
}

/* A mirrored pair: the second series hangs from the top. */
static void
test_flip(void)
{
    const double v[] = { 100, 50, 0, NAN };
    struct vd_graph_opts o = opts(2, 2, VD_UNIT_PERCENT);
    const char *const up[] = { "\u2847 ", "\u28ff\u2840", NULL };
    const char *const down[] = { "\u28ff\u2801", "\u2847 ", NULL };
    const char *const down_ascii[] = { "#'", "# ", NULL };

    o.no_time_line = true;
    check_render(v, G_N_ELEMENTS(v), &o, up);
    o.flip = true;
    check_render(v, G_N_ELEMENTS(v), &o, down);
    o.ascii = true;
    check_render(v, G_N_ELEMENTS(v), &o, down_ascii);

    /* with an axis: 0 on the top row, ymax at the bottom; label_w aligns */
    o = opts(12, 4, VD_UNIT_PERCENT);
    o.flip = true;
    o.label_w = 7;
    {
        g_auto(GStrv) l = vd_graph_render(v, G_N_ELEMENTS(v), &o);
        check_shape(l, 12, 4);
        g_assert_true(g_str_has_prefix(l[0], "    0 %\u2524"));
        g_assert_true(g_str_has_prefix(l[2], "  100 %\u2524"));
        g_assert_cmpint(vd_graph_plot_x(v, G_N_ELEMENTS(v), &o), ==, 8);
    }
    g_assert_cmpfloat(vd_graph_nice_max(700e3, VD_UNIT_BYTES_PER_S), ==, 800 * 1024.0);
}

int
main(int argc, char **argv)
{
    g_setenv("TZ", "UTC", TRUE);
    tzset();
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/graph/braille-dots", test_braille_dots);
    g_test_add_func("/graph/fold", test_fold);
    g_test_add_func("/graph/stretch", test_stretch);
    g_test_add_func("/graph/axis-braille", test_axis_braille);
    g_test_add_func("/graph/axis-ascii", test_axis_ascii);
    g_test_add_func("/graph/ramp", test_ramp);
    g_test_add_func("/graph/constant-time", test_constant_and_time);
    g_test_add_func("/graph/gaps", test_gaps);
    g_test_add_func("/graph/single", test_single);
    g_test_add_func("/graph/huge", test_huge);
    g_test_add_func("/graph/time-labels", test_time_labels);
    g_test_add_func("/graph/format", test_format);
    g_test_add_func("/graph/legend", test_legend);
    g_test_add_func("/graph/sizes", test_sizes);
    g_test_add_func("/graph/fuzz", test_fuzz);
    g_test_add_func("/graph/flip", test_flip);
    return g_test_run();
}
