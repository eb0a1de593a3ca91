/* virtdeck - history graphs rendered as text (braille dots or ASCII)
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Pure functions, no curses: the UI prints the returned lines as they are
 * (and may colour the axis columns and the plot area differently, see
 * struct vd_graph_opts.plot_x). */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <time.h>

enum vd_graph_unit {
    VD_UNIT_PERCENT,            /* "45 %" */
    VD_UNIT_BYTES,              /* "1.5 GiB" (binary units) */
    VD_UNIT_BYTES_PER_S,        /* "12.3 KiB/s" */
    VD_UNIT_PER_S,              /* "120 /s", "1.2k /s" (decimal units) */
    VD_UNIT_LAST
};

struct vd_graph_opts {
    int width, height;          /* cells of the whole graph, axes and labels included */
    bool ascii;                 /* no braille: one of " .:|#" per cell (quarter levels;
                                 * " '\"|#" flipped) */
    bool average;               /* folding several values into one dot column: average
                                 * instead of the default maximum */
    enum vd_graph_unit unit;
    double ymax;                /* NAN (or <= 0): automatic, see vd_graph_render() */
    time_t start;               /* time of values[0] */
    unsigned long step;         /* seconds between values; 0: no time labels */
    bool flip;                  /* bars hang from the top (0 on the top row): the
                                 * lower half of a mirrored pair, see below */
    bool no_time_line;          /* all height rows are plot rows */
    int label_w;                /* > 0: y labels this wide (align two graphs) */
};

/* Render n values into exactly o->height lines (a NULL-terminated GStrv), each
 * exactly o->width terminal cells wide, in UTF-8.
 *
 * Layout (height >= 3): height-1 plot rows, then one line of time labels.
 * Heights 1 and 2 have plot rows only. On the left of the plot rows, when it
 * fits (the plot keeps at least 4 columns): right-aligned y labels and an
 * axis column ('│' with '┤' at ticks; ASCII '|' and '+'). Ticks: ymax on the
 * top row; 0 on the bottom row when there are 2 rows or more; ymax/2 on the
 * row holding the level ymax/2 when there are 3 rows or more.
 *
 * Scale: a value v fills round(v / ymax * 4 * rows) dots of its dot column,
 * from the bottom; every known value lights at least the bottom dot, so a gap
 * (unknown values) reads differently from zero. Negative values and -inf
 * count as 0, +inf and values above ymax as full height; NAN is unknown and
 * leaves its column empty. Automatic ymax: the smallest "nice" value (1, 2,
 * 3, 4, 5, 6, 8 x 10^k, in the display unit: 1 2 3 4 5 6 8 10 20 ... 800 then
 * 1 of the next binary unit for bytes) at or above the largest finite value;
 * for percent 100 unless the data exceed 100.
 *
 * Resampling: the plot has 2 dot columns per cell; dot column j covers the
 * values [j*n/C, (j+1)*n/C) (C dot columns, integer division). With more
 * values than dot columns each dot column folds its values: the maximum of the
 * known ones (o->average: their mean), unknown when all are NAN. With fewer,
 * values are stretched: each dot column shows the value under its left edge.
 *
 * Time labels (local time; set TZ for tests) start at the cell holding their
 * time and sit on round times: "HH:MM" when n*step <= 26 h; "Mon 5" (weekday,
 * day; "DD.MM" in ASCII mode when the weekday is not ASCII) up to 8 days;
 * "DD.MM" for longer ranges. The interval is the smallest of 1, 2, 5, 10,
 * 15, 20, 30 min, 1, 2, 3, 4, 6, 12 h, 1, 2, 7, 14 days, 1, 2, 3, 6 months,
 * 1, 2, 5, 10... years that leaves a gap of at least one cell between labels. */
GStrv vd_graph_render(const double *values, guint n, const struct vd_graph_opts *o);

/* Two series in one panel (disk read/write, network in/out): render the
 * first with no_time_line into the upper rows and the second with flip into
 * the lower rows plus the time line, with the same ymax (vd_graph_nice_max
 * of both maxima) and label_w (the larger vd_graph_plot_x - 1), and print
 * the lines one after the other: the first grows up and the second down from
 * the middle. */
double vd_graph_nice_max(double maxv, enum vd_graph_unit unit);

/* Number of cells left of the plot area (labels and axis column) for these
 * values and options, as vd_graph_render() lays them out; 0 without an axis. */
int vd_graph_plot_x(const double *values, guint n, const struct vd_graph_opts *o);

/* "cur 12 %  avg 8 %  max 40 %" (translated): the last finite value, and the
 * mean and maximum of the finite values (negatives count as 0); "-" for each
 * when there is none. */
char *vd_graph_legend(const double *values, guint n, enum vd_graph_unit unit);

/* "45 %", "4.5 %", "1.5 GiB", "12.3 KiB/s", "120 /s", "1.2k /s"; "-" for NAN
 * or infinity. One decimal below 100 in the chosen unit unless the value is
 * whole there. */
char *vd_format_value(double v, enum vd_graph_unit unit);
