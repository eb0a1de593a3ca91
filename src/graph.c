/* virtdeck - history graphs rendered as text (braille dots or ASCII)
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "graph.h"
#include "i18n.h"

/* ---- numbers -------------------------------------------------------------- */

static const char *const bin_units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
static const char *const si_units[] = { "", "k", "M", "G", "T", "P", "E" };

/* v >= 0 and finite, already in its unit: "1.5", "12", "100" */
static char *
format_number(double v)
{
    if (v >= 1e6)
        return g_strdup_printf("%.3g", v);
    if (v >= 99.95 || fabs(v - round(v)) < 0.05)
        return g_strdup_printf("%.0f", v);
    return g_strdup_printf("%.1f", v);
}

char *
vd_format_value(double v, enum vd_graph_unit unit)
{
    const char *const *units = unit == VD_UNIT_PER_S ? si_units : bin_units;
    double base = unit == VD_UNIT_PER_S ? 1000.0 : 1024.0;
    const char *sign = "";
    g_autofree char *num = NULL;
    unsigned u = 0;

    if (!isfinite(v))
        return g_strdup("-");
    if (v < 0) {
        sign = "-";
        v = -v;
    }
    if (unit != VD_UNIT_PERCENT) {
        /* 1023.7 B would print as "1024 B": move up from base - 0.5 */
        while (v >= base - 0.5 && u + 1 < G_N_ELEMENTS(bin_units)) {
            v /= base;
            u++;
        }
    }
    num = format_number(v);
    switch (unit) {
    case VD_UNIT_PERCENT:
        return g_strdup_printf("%s%s %%", sign, num);
    case VD_UNIT_BYTES:
        return g_strdup_printf("%s%s %s", sign, num, units[u]);
    case VD_UNIT_BYTES_PER_S:
        return g_strdup_printf("%s%s %s/s", sign, num, units[u]);
    case VD_UNIT_PER_S:
    case VD_UNIT_LAST:
    default:
        return g_strdup_printf("%s%s%s /s", sign, num, units[u]);
    }
}

/* smallest of 1 2 3 4 5 6 8 x 10^k at or above x > 0 */
static double
nice_decimal(double x)
{
    static const double steps[] = { 1, 2, 3, 4, 5, 6, 8, 10 };
    double p = pow(10.0, floor(log10(x)));
    double m = x / p;

    for (size_t i = 0; i < G_N_ELEMENTS(steps); i++)
        if (m <= steps[i] * (1 + 1e-9))
            return steps[i] * p;
    return 10 * p;
}

/* Automatic top of the scale for the largest finite value maxv (or NAN). */
double
vd_graph_nice_max(double maxv, enum vd_graph_unit unit)
{
    double y, scale = 1;

    if (unit == VD_UNIT_PERCENT && !(maxv > 100))
        return 100;
    if (!(maxv > 0))
        return 1;
    if (unit == VD_UNIT_BYTES || unit == VD_UNIT_BYTES_PER_S) {
        /* in the unit where it is at most 800; above that: 1 of the next */
        y = maxv;
        for (unsigned u = 0; y > 800 && u + 1 < G_N_ELEMENTS(bin_units); u++) {
            y /= 1024;
            scale *= 1024;
        }
        y = scale > 1 && y < 1 ? 1 : nice_decimal(y);
    } else {
        y = nice_decimal(maxv);
    }
    y *= scale;
    if (!isfinite(y) || y < maxv)
        y = maxv;
    return MAX(y, 1);
}

/* ---- lines of cells ------------------------------------------------------- */

/* One line: cell[i] is the character drawn in cell i, 0 for the right half
 * of a wide character. */
struct cells {
    gunichar *cell;
    int width;
};

static int
text_width(const char *s)
{
    int w = 0;

    for (; *s; s += g_utf8_skip[*(const guchar *)s]) {
        gunichar c = g_utf8_get_char(s);
        if (c < 0x20 || g_unichar_iszerowidth(c))
            continue;
        w += g_unichar_iswide(c) ? 2 : 1;
    }
    return w;
}

/* Write s from cell x on; false (and nothing written) when it would pass
 * cell limit. */
static bool
cells_put(struct cells *l, int x, int limit, const char *s)
{
    if (x < 0 || x + text_width(s) > MIN(limit, l->width))
        return false;
    for (; *s; s += g_utf8_skip[*(const guchar *)s]) {
        gunichar c = g_utf8_get_char(s);
        if (c < 0x20 || g_unichar_iszerowidth(c))
            continue;
        l->cell[x++] = c;
        if (g_unichar_iswide(c))
            l->cell[x++] = 0;
    }
    return true;
}

static char *
cells_to_utf8(const struct cells *l)
{
    GString *s = g_string_sized_new(l->width * 3 + 1);

    for (int i = 0; i < l->width; i++)
        if (l->cell[i])
            g_string_append_unichar(s, l->cell[i]);
    return g_string_free(s, FALSE);
}

/* ---- layout --------------------------------------------------------------- */

struct layout {
    int rows;                   /* plot rows */
    bool flip;                  /* bars hang from the top */
    bool time_line;
    double ymax;
    int ntick;
    char *tick_label[3];
    int tick_row[3];            /* from the top */
    int label_w;                /* width of the labels, 0 without an axis */
    int plot_x, plot_w;         /* plot area: first cell, cells */
};

static void
layout_clear(struct layout *lay)
{
    for (int i = 0; i < 3; i++)
        g_free(lay->tick_label[i]);
}

static int
tick_row(const struct layout *lay, double v)
{
    double level = v / lay->ymax * 4 * lay->rows;
    int from_base = CLAMP(v > 0 ? (int)ceil(level / 4) - 1 : 0, 0, lay->rows - 1);

    return lay->flip ? from_base : lay->rows - 1 - from_base;
}

static void
add_tick(struct layout *lay, double v, enum vd_graph_unit unit)
{
    lay->tick_label[lay->ntick] = vd_format_value(v, unit);
    lay->tick_row[lay->ntick] = tick_row(lay, v);
    lay->label_w = MAX(lay->label_w, text_width(lay->tick_label[lay->ntick]));
    lay->ntick++;
}

static void
layout_init(struct layout *lay, const double *values, guint n, const struct vd_graph_opts *o)
{
    double maxv = NAN;

    memset(lay, 0, sizeof *lay);
    lay->flip = o->flip;
    lay->time_line = o->height >= 3 && !o->no_time_line;
    lay->rows = o->height - lay->time_line;
    if (isfinite(o->ymax) && o->ymax > 0) {
        lay->ymax = o->ymax;
    } else {
        for (guint i = 0; i < n; i++)
            if (isfinite(values[i]) && !(values[i] <= maxv))
                maxv = values[i];
        lay->ymax = vd_graph_nice_max(maxv, o->unit);
    }
    add_tick(lay, lay->ymax, o->unit);
    if (lay->rows >= 3)
        add_tick(lay, lay->ymax / 2, o->unit);
    if (lay->rows >= 2)
        add_tick(lay, 0, o->unit);
    if (o->label_w > 0)
        lay->label_w = MAX(lay->label_w, o->label_w);
    /* the plot keeps at least 4 cells, else no axis at all */
    if (o->width - (lay->label_w + 1) < 4)
        lay->label_w = 0;
    lay->plot_x = lay->label_w ? lay->label_w + 1 : 0;
    lay->plot_w = MAX(o->width - lay->plot_x, 0);
}

int
vd_graph_plot_x(const double *values, guint n, const struct vd_graph_opts *o)
{
    struct layout lay;
    int x;

    if (o->width <= 0 || o->height <= 0)
        return 0;
    layout_init(&lay, values, n, o);
    x = lay.plot_x;
    layout_clear(&lay);
    return x;
}

/* ---- plot ----------------------------------------------------------------- */

/* Dot heights (0 .. 4*rows) of the ncol dot columns; -1 unknown. */
static int *
resample(const double *values, guint n, const struct vd_graph_opts *o, const struct layout *lay, int ncol)
{
    int *h = g_new(int, ncol);
    int full = 4 * lay->rows;

    for (int j = 0; j < ncol; j++) {
        guint64 lo = (guint64)j * n / ncol, hi = (guint64)(j + 1) * n / ncol;
        double acc = NAN, level;
        guint known = 0;

        if (hi <= lo)
            hi = lo + 1;
        for (guint64 i = lo; i < hi && i < n; i++) {
            double v = values[i];
            if (isnan(v))
                continue;
            v = v > 0 ? v : 0;          /* negatives and -inf */
            if (!known++)
                acc = v;
            else
                acc = o->average ? acc + v : MAX(acc, v);
        }
        if (!known) {
            h[j] = -1;
            continue;
        }
        if (o->average)
            acc /= known;
        level = acc / lay->ymax * full;
        /* every known value lights the bottom dot; +inf is full height */
        h[j] = !(level < full) ? full : MAX(1, (int)floor(level + 0.5));
    }
    return h;
}

/* dots of one dot column in a cell: bottom to top */
static const unsigned left_bits[4] = { 0x40, 0x04, 0x02, 0x01 };
static const unsigned right_bits[4] = { 0x80, 0x20, 0x10, 0x08 };

/* from_base: cells between this one and the base line (the bottom row, or
 * the top row when flipped, where the dots fill from the top) */
static gunichar
plot_cell(int hl, int hr, int from_base, bool flip, bool ascii)
{
    int kl = CLAMP(hl - 4 * from_base, 0, 4);
    int kr = CLAMP(hr - 4 * from_base, 0, 4);
    unsigned bits = 0;

    if (ascii)
        return (gunichar)(flip ? " '\"|#" : " .:|#")[MAX(kl, kr)];
    for (int i = 0; i < kl; i++)
        bits |= left_bits[flip ? 3 - i : i];
    for (int i = 0; i < kr; i++)
        bits |= right_bits[flip ? 3 - i : i];
    return bits ? 0x2800 + bits : ' ';
}

static void
draw_rows(struct cells *lines, const double *values, guint n, const struct vd_graph_opts *o,
          const struct layout *lay)
{
    int ncol = 2 * lay->plot_w;
    g_autofree int *h = ncol ? resample(values, n, o, lay, ncol) : NULL;

    for (int r = 0; r < lay->rows; r++) {
        struct cells *l = &lines[r];
        if (lay->label_w) {
            const char *axis = o->ascii ? "|" : "│";
            for (int t = 0; t < lay->ntick; t++) {
                if (lay->tick_row[t] != r)
                    continue;
                cells_put(l, lay->label_w - text_width(lay->tick_label[t]), lay->label_w, lay->tick_label[t]);
                axis = o->ascii ? "+" : "┤";
            }
            cells_put(l, lay->label_w, o->width, axis);
        }
        for (int c = 0; c < lay->plot_w; c++)
            l->cell[lay->plot_x + c] = plot_cell(h[2 * c], h[2 * c + 1], lay->flip ? r : lay->rows - 1 - r,
                                                 lay->flip, o->ascii);
    }
}

/* ---- time labels ---------------------------------------------------------- */

enum { SEC, DAY, MONTH };
static const struct { int kind; guint64 n; } intervals[] = {
    { SEC, 60 }, { SEC, 120 }, { SEC, 300 }, { SEC, 600 }, { SEC, 900 }, { SEC, 1200 },
    { SEC, 1800 }, { SEC, 3600 }, { SEC, 7200 }, { SEC, 10800 }, { SEC, 14400 },
    { SEC, 21600 }, { SEC, 43200 }, { DAY, 1 }, { DAY, 2 }, { DAY, 7 }, { DAY, 14 },
    { MONTH, 1 }, { MONTH, 2 }, { MONTH, 3 }, { MONTH, 6 }, { MONTH, 12 }, { MONTH, 24 },
    { MONTH, 60 }, { MONTH, 120 }, { MONTH, 240 }, { MONTH, 600 }, { MONTH, 1200 },
};

static double
interval_seconds(int i)
{
    switch (intervals[i].kind) {
    case SEC: return (double)intervals[i].n;
    case DAY: return intervals[i].n * 86400.0;
    default: return intervals[i].n * 28 * 86400.0;     /* shortest month */
    }
}

static char *
time_label(GDateTime *t, const char *fmt, bool ascii)
{
    char *s = g_date_time_format(t, fmt);

    if (s && ascii && !g_str_is_ascii(s)) {
        g_free(s);
        s = g_date_time_format(t, "%d.%m");
    }
    return s ? s : g_strdup("");
}

/* First tick at or after start for interval i, or NULL. */
static GDateTime *
first_tick(GDateTime *start, int i)
{
    int y = g_date_time_get_year(start), m = g_date_time_get_month(start);
    GDateTime *t, *next;
    guint64 k = intervals[i].n;

    if (intervals[i].kind == MONTH) {
        /* first of a month whose index is a multiple of k */
        guint64 idx = (guint64)y * 12 + (m - 1);
        idx = (idx + k - 1) / k * k;
        t = g_date_time_new_local((int)(idx / 12), (int)(idx % 12) + 1, 1, 0, 0, 0);
        if (t && g_date_time_compare(t, start) < 0) {
            next = g_date_time_add_months(t, (int)k);
            g_date_time_unref(t);
            t = next;
        }
        return t;
    }
    t = g_date_time_new_local(y, m, g_date_time_get_day_of_month(start), 0, 0, 0);
    if (!t)
        return NULL;
    if (intervals[i].kind == SEC) {
        gint64 d = g_date_time_to_unix(start) - g_date_time_to_unix(t);
        next = g_date_time_add_seconds(t, (double)((d + (gint64)k - 1) / (gint64)k * (gint64)k));
    } else {
        next = g_date_time_ref(t);
        while (next && (g_date_time_compare(next, start) < 0 ||
                        (k >= 7 && g_date_time_get_day_of_week(next) != 1))) {
            GDateTime *d = g_date_time_add_days(next, 1);
            g_date_time_unref(next);
            next = d;
        }
    }
    g_date_time_unref(t);
    return next;
}

static GDateTime *
next_tick(GDateTime *t, int i)
{
    switch (intervals[i].kind) {
    case SEC: return g_date_time_add_seconds(t, (double)intervals[i].n);
    case DAY: return g_date_time_add_days(t, (int)intervals[i].n);
    default: return g_date_time_add_months(t, (int)intervals[i].n);
    }
}

static void
draw_time(struct cells *l, const struct vd_graph_opts *o, guint n, const struct layout *lay)
{
    double range = (double)n * (double)o->step;
    const char *fmt = range <= 26 * 3600.0 ? "%H:%M" : range <= 8 * 86400.0 ? "%a %-d" : "%d.%m";
    g_autoptr(GDateTime) start = NULL;
    GDateTime *t;
    int i, lw = 0, next_free = 0;

    if (!n || !o->step || lay->plot_w < 1 || range > 1e11)
        return;
    start = g_date_time_new_from_unix_local((gint64)o->start);
    if (!start)
        return;
    for (int d = 0; d < (fmt[1] == 'a' ? 7 : 1); d++) {
        g_autoptr(GDateTime) s = g_date_time_add_days(start, d);
        g_autofree char *label = s ? time_label(s, fmt, o->ascii) : g_strdup("");
        lw = MAX(lw, text_width(label));
    }
    for (i = 0; i < (int)G_N_ELEMENTS(intervals); i++)
        if (interval_seconds(i) >= range * (lw + 1) / lay->plot_w)
            break;
    if (i == (int)G_N_ELEMENTS(intervals))
        return;
    if (intervals[i].kind == MONTH && intervals[i].n >= 12)
        fmt = "%Y";
    for (t = first_tick(start, i); t; ) {
        double x = (double)(g_date_time_to_unix(t) - (gint64)o->start) / range * lay->plot_w;
        GDateTime *nt;

        if (x >= lay->plot_w)
            break;
        if (x >= next_free) {
            g_autofree char *label = time_label(t, fmt, o->ascii);
            if (cells_put(l, lay->plot_x + (int)x, o->width, label))
                next_free = (int)x + text_width(label) + 1;
        }
        nt = next_tick(t, i);
        g_date_time_unref(t);
        t = nt;
    }
    if (t)
        g_date_time_unref(t);
}

/* ---- entry points --------------------------------------------------------- */

GStrv
vd_graph_render(const double *values, guint n, const struct vd_graph_opts *o)
{
    int height = MAX(o->height, 0), width = MAX(o->width, 0);
    GStrv out = g_new0(char *, height + 1);
    struct cells *lines;
    struct layout lay;

    if (!values)
        n = 0;
    if (!height)
        return out;
    lines = g_new(struct cells, height);
    for (int r = 0; r < height; r++) {
        lines[r].width = width;
        lines[r].cell = g_new(gunichar, MAX(width, 1));
        for (int c = 0; c < width; c++)
            lines[r].cell[c] = ' ';
    }
    if (width) {
        layout_init(&lay, values, n, o);
        draw_rows(lines, values, n, o, &lay);
        if (lay.time_line)
            draw_time(&lines[height - 1], o, n, &lay);
        layout_clear(&lay);
    }
    for (int r = 0; r < height; r++) {
        out[r] = cells_to_utf8(&lines[r]);
        g_free(lines[r].cell);
    }
    g_free(lines);
    return out;
}

char *
vd_graph_legend(const double *values, guint n, enum vd_graph_unit unit)
{
    double cur = NAN, sum = 0, max = NAN;
    guint known = 0;
    g_autofree char *s_cur = NULL, *s_avg = NULL, *s_max = NULL;

    for (guint i = 0; values && i < n; i++) {
        double v = values[i];
        if (!isfinite(v))
            continue;
        v = MAX(v, 0);
        cur = v;
        sum += v;
        max = known++ ? MAX(max, v) : v;
    }
    s_cur = vd_format_value(cur, unit);
    s_avg = vd_format_value(known ? sum / known : NAN, unit);
    s_max = vd_format_value(max, unit);
    /* TRANSLATORS: graph legend: last, average and largest value, e.g. "cur 12 %  avg 8 %  max 40 %" */
    return g_strdup_printf(_("cur %1$s  avg %2$s  max %3$s"), s_cur, s_avg, s_max);
}
