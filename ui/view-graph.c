/* virtdeck - history graphs of the selected host or domain (RRD)
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A full-pane view: CPU, memory, disk and network over an hour, day, week,
 * month or year, AVERAGE or MAX, read from the RRD files the connection
 * workers write. The files are local and small: reading them takes well
 * under a millisecond, so it happens on the UI thread, in recalc, never
 * while drawing. */
#include <config.h>

#include <math.h>
#include <string.h>

#include "graph.h"
#include "i18n.h"
#include "rrd-store.h"
#include "ui/app.h"
#include "ui/draw.h"
#include "ui/term.h"

struct panel {
    const char *title;          /* N_() */
    enum vd_graph_unit unit;
    enum vd_rrd_ds a, b;        /* b == VD_DS_LAST: one series */
};

static const struct panel panels[] = {
    { N_("CPU"), VD_UNIT_PERCENT, VD_DS_CPU, VD_DS_LAST },
    { N_("Memory used"), VD_UNIT_BYTES, VD_DS_MEM, VD_DS_LAST },
    /* read grows up, write hangs down from the middle */
    { N_("Disk"), VD_UNIT_BYTES_PER_S, VD_DS_DISK_RD, VD_DS_DISK_WR },
    { N_("Network"), VD_UNIT_BYTES_PER_S, VD_DS_NET_RX, VD_DS_NET_TX },
};

static const char *const range_names[VD_RRD_RANGE_LAST] = {
    N_("last hour"), N_("last day"), N_("last week"), N_("last month"), N_("last year"),
};

struct ui_graph_state {
    char *uri;
    char *uuid;                 /* NULL: the host */
    char *label;
    enum vd_rrd_range range;
    enum vd_rrd_cf cf;
    struct vd_rrd_series series;
    bool have;
    bool history_on;            /* [general] history */
    char *error;
    gint64 fetched_us;
};

static void
graph_fetch(struct ui_graph_state *g)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *path = vd_rrd_path(g->uri, g->uuid);

    vd_rrd_series_clear(&g->series);
    g_clear_pointer(&g->error, g_free);
    g->have = path && g_file_test(path, G_FILE_TEST_EXISTS) &&
              vd_rrd_fetch(path, g->range, g->cf, time(NULL), &g->series, &err);
    if (!g->have)
        g->error = err ? g_strdup(err->message)
                   : !g->history_on ? g_strdup(_("History is off: history=false in the [general] "
                                                  "section of the configuration."))
                   : g_strdup(_("No history yet: virtdeck records a sample every 10 seconds "
                                "while the domain runs."));
    g->fetched_us = g_get_monotonic_time();
}

void
ui_graph_open(struct ui_app *app)
{
    struct ui_host *h = ui_app_host(app);
    struct ui_graph_state *g;
    int sel;

    if (!h)
        return;
    g = g_new0(struct ui_graph_state, 1);
    g->uri = g_strdup(vd_conn_uri(h->conn));
    g->range = VD_RRD_HOUR;
    g->history_on = app->conn_opt.history;
    g->cf = VD_RRD_AVERAGE;
    sel = app->focus == UI_FOCUS_DOMAINS ? ui_list_selected(&app->doms) : -1;
    if (sel >= 0 && (guint)sel < h->snap->domains->len) {
        const struct vd_domain *d = g_ptr_array_index(h->snap->domains, sel);
        g->uuid = g_strdup(d->uuid);
        g->label = g_strdup(d->name);
    } else {
        g->label = g_strdup(ui_host_label(app, h));
    }
    graph_fetch(g);
    ui_graph_close(app);
    app->graph = g;
}

void
ui_graph_close(struct ui_app *app)
{
    struct ui_graph_state *g = app->graph;

    if (!g)
        return;
    vd_rrd_series_clear(&g->series);
    g_free(g->uri);
    g_free(g->uuid);
    g_free(g->label);
    g_free(g->error);
    g_free(g);
    app->graph = NULL;
}

/* New data arrives every 10 s: read again when it may have changed. */
void
ui_graph_recalc(struct ui_app *app)
{
    if (app->graph && g_get_monotonic_time() - app->graph->fetched_us > 5 * G_USEC_PER_SEC)
        graph_fetch(app->graph);
}

static double
series_max(const double *v, guint n)
{
    double m = NAN;

    for (guint i = 0; i < n; i++)
        if (isfinite(v[i]) && !(v[i] <= m))
            m = v[i];
    return m;
}

/* "read ▲ cur 1.2 MiB/s max 5 MiB/s" for one half of a mirrored panel */
static char *
half_legend(const char *what, const char *arrow, const double *v, guint n, enum vd_graph_unit unit)
{
    double cur = NAN;

    for (guint i = n; i-- > 0;)
        if (isfinite(v[i])) {
            cur = v[i];
            break;
        }
    g_autofree char *c = vd_format_value(cur, unit);
    g_autofree char *m = vd_format_value(series_max(v, n), unit);
    /* TRANSLATORS: legend of one series of a two-series graph: "read ▲ cur 1.2 MiB/s max 5 MiB/s" */
    return g_strdup_printf(_("%1$s %2$s cur %3$s max %4$s"), what, arrow, c, m);
}

static void
draw_lines(GStrv lines, int y, int x, int w, int max_rows)
{
    for (int i = 0; lines && lines[i] && i < max_rows; i++)
        ui_draw_text(y + i, x, w, lines[i], vd_attr(VD_C_NORMAL), UI_ALIGN_LEFT, true);
}

static void
draw_panel(const struct ui_app *app, const struct ui_graph_state *g, const struct panel *p,
           int y, int x, int h, int w)
{
    const double *a = g->series.v[p->a];
    guint n = g->series.n;
    g_autofree char *legend = NULL;
    struct vd_graph_opts o = {
        .width = w, .height = h - 1, .ascii = ui_draw_is_ascii(), .average = g->cf == VD_RRD_AVERAGE,
        .unit = p->unit, .ymax = NAN, .start = g->series.start, .step = g->series.step,
    };
    int tw = ui_draw_text(y, x, w, _(p->title), vd_attr(VD_C_TITLE), UI_ALIGN_LEFT, false);

    if (p->b == VD_DS_LAST) {
        g_auto(GStrv) lines = NULL;

        legend = vd_graph_legend(a, n, p->unit);
        ui_draw_text(y, x + tw + 2, w - tw - 2, legend, vd_attr(VD_C_DIM), UI_ALIGN_LEFT, false);
        if (h < 2)
            return;
        lines = vd_graph_render(a, n, &o);
        draw_lines(lines, y + 1, x, w, h - 1);
    } else {
        /* two series: the first grows up, the second hangs down */
        const double *b = g->series.v[p->b];
        bool ascii = ui_draw_is_ascii();
        g_autofree char *la = half_legend(p->a == VD_DS_DISK_RD ? _("read") : _("in"), ascii ? "^" : "▲",
                                          a, n, p->unit);
        g_autofree char *lb = half_legend(p->a == VD_DS_DISK_RD ? _("write") : _("out"), ascii ? "v" : "▼",
                                          b, n, p->unit);
        double ma = series_max(a, n), mb = series_max(b, n);
        struct vd_graph_opts ou = o, od = o;
        int rows = h - 1, up;
        g_auto(GStrv) lu = NULL;
        g_auto(GStrv) ld = NULL;

        legend = g_strdup_printf("%s   %s", la, lb);
        ui_draw_text(y, x + tw + 2, w - tw - 2, legend, vd_attr(VD_C_DIM), UI_ALIGN_LEFT, false);
        if (rows < 2)
            return;
        /* the upper half, then the lower half with the time line (4 rows or more) */
        up = rows / 2;
        ou.height = up;
        ou.no_time_line = true;
        od.height = rows - up;
        od.no_time_line = rows < 4;
        od.flip = true;
        ou.ymax = od.ymax = vd_graph_nice_max(isnan(ma) ? mb : isnan(mb) ? ma : MAX(ma, mb), p->unit);
        ou.label_w = od.label_w = MAX(vd_graph_plot_x(a, n, &ou), vd_graph_plot_x(b, n, &od)) - 1;
        lu = vd_graph_render(a, n, &ou);
        ld = vd_graph_render(b, n, &od);
        draw_lines(lu, y + 1, x, w, up);
        draw_lines(ld, y + 1 + up, x, w, rows - up);
    }
}

void
ui_graph_draw(const struct ui_app *app)
{
    const struct ui_graph_state *g = app->graph;
    int y = app->lay.pane_y, h = app->lay.status_y - app->lay.pane_y, w = app->lay.cols;
    g_autofree char *title = NULL;
    int n = G_N_ELEMENTS(panels), ph;

    ui_draw_rect(y, 0, h, w, vd_attr(VD_C_NORMAL));
    /* TRANSLATORS: graph view title: what, over which range, AVERAGE or MAX */
    title = g_strdup_printf(_("History of %1$s, %2$s, %3$s"), g->label, _(range_names[g->range]),
                            g->cf == VD_RRD_AVERAGE ? _("average") : _("maximum"));
    ui_draw_text(y, 1, w - 2, title, vd_attr(VD_C_TITLE), UI_ALIGN_LEFT, true);
    ui_draw_text(y + 1, 1, w - 2,
                 _("h d w m y: range   a: average/maximum   Esc: back"), vd_attr(VD_C_DIM),
                 UI_ALIGN_LEFT, true);
    y += 2;
    h -= 2;
    if (!g->have) {
        ui_draw_text(y + 1, 1, w - 2, g->error, vd_attr(VD_C_DIM), UI_ALIGN_LEFT, false);
        return;
    }
    /* two columns of two when wide enough, else one column of four */
    if (w >= 120 && h >= 10) {
        int cw = (w - 3) / 2;
        ph = h / 2;
        for (int i = 0; i < n; i++)
            draw_panel(app, g, &panels[i], y + (i / 2) * ph, 1 + (i % 2) * (cw + 1), ph - 1, cw);
    } else {
        /* rows left over go to the last panels (the two-series ones) */
        int extra = h - (h / n) * n, py = y;

        ph = h / n;
        for (int i = 0; i < n; i++) {
            int hi = ph + (i >= n - extra);
            draw_panel(app, g, &panels[i], py, 1, hi, w - 2);
            py += hi;
        }
    }
}

unsigned
ui_graph_key(struct ui_app *app, ui_key k)
{
    struct ui_graph_state *g = app->graph;
    int r = -1;

    switch (k) {
    case 'h': r = VD_RRD_HOUR; break;
    case 'd': r = VD_RRD_DAY; break;
    case 'w': r = VD_RRD_WEEK; break;
    case 'm': r = VD_RRD_MONTH; break;
    case 'y': r = VD_RRD_YEAR; break;
    case UI_KEY_FN | KEY_RIGHT: case 'l': r = MIN(g->range + 1, VD_RRD_YEAR); break;
    case UI_KEY_FN | KEY_LEFT: r = g->range > 0 ? (int)g->range - 1 : 0; break;
    case 'a':
        g->cf = g->cf == VD_RRD_AVERAGE ? VD_RRD_MAX : VD_RRD_AVERAGE;
        graph_fetch(g);
        return UI_REDRAW;
    case UI_KEY_ESC: case 'q': case 'v': case UI_KEY_FN | KEY_F(7):
        ui_graph_close(app);
        return UI_REDRAW;
    default:
        return UI_OK;
    }
    g->range = r;
    graph_fetch(g);
    return UI_REDRAW;
}
