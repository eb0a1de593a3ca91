/* virtdeck - "top": every domain of every connected host, busiest first
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Answers "which VM is eating the host?" across hosts. A full-pane list fed
 * from the latest snapshots (no call of its own); Enter jumps to the domain
 * in its host's list. */
#include <config.h>

#include <math.h>
#include <string.h>

#include "i18n.h"
#include "util.h"
#include "ui/app.h"
#include "ui/draw.h"
#include "ui/term.h"
#include "ui/views.h"

struct top_row {
    guint host;
    guint dom;
    char key[80];
};

struct ui_top_state {
    GArray *rows;               /* struct top_row */
    struct ui_list list;
};

enum { TCOL_HOST, TCOL_NAME, TCOL_STATE, TCOL_CPU, TCOL_HOSTCPU, TCOL_VCPUS, TCOL_USED, TCOL_DISK,
       TCOL_NET, TCOL_LAST };

static const struct ui_list_col top_cols[TCOL_LAST] = {
    [TCOL_HOST] = { N_("Host"), NULL, 8, 16, 1, 1, UI_ALIGN_LEFT, true },
    [TCOL_NAME] = { N_("Name"), NULL, 12, 24, 2, 0, UI_ALIGN_LEFT, true },
    [TCOL_STATE] = { N_("State"), NULL, 8, 11, 0, 5, UI_ALIGN_LEFT, true },
    [TCOL_CPU] = { N_("CPU%"), NULL, 5, 0, 0, 0, UI_ALIGN_RIGHT, true },
    /* TRANSLATORS: column header: share of all the host's CPUs (5 cells) */
    [TCOL_HOSTCPU] = { N_("Host%"), NULL, 5, 0, 0, 2, UI_ALIGN_RIGHT, true },
    [TCOL_VCPUS] = { N_("vCPUs"), NULL, 5, 0, 0, 6, UI_ALIGN_RIGHT, true },
    [TCOL_USED] = { N_("Used"), NULL, 5, 0, 0, 3, UI_ALIGN_RIGHT, true },
    [TCOL_DISK] = { N_("Disk R/W"), N_("Disk"), 9, 11, 0, 4, UI_ALIGN_RIGHT, true },
    [TCOL_NET] = { N_("Net RX/TX"), N_("Net"), 9, 11, 0, 7, UI_ALIGN_RIGHT, true },
};

static const struct top_row *
top_row(const void *data, guint row)
{
    const struct ui_app *app = data;
    return &g_array_index(app->top->rows, struct top_row, row);
}

static const struct vd_domain *
top_dom(const void *data, guint row)
{
    const struct ui_app *app = data;
    const struct top_row *r = top_row(data, row);
    const struct ui_host *h = g_ptr_array_index(app->hosts, r->host);
    return g_ptr_array_index(h->snap->domains, r->dom);
}

static guint
top_count(const void *data)
{
    const struct ui_app *app = data;
    return app->top->rows->len;
}

static char *
pct(double v)
{
    return isnan(v) ? g_strdup("-") : g_strdup_printf("%.1f", v);
}

static char *
top_cell(const void *data, guint row, int col)
{
    const struct ui_app *app = data;
    const struct vd_domain *d = top_dom(data, row);
    const struct vd_dom_rates *r = &d->rates;

    switch (col) {
    case TCOL_HOST:
        return g_strdup(ui_host_label(app, g_ptr_array_index(app->hosts, top_row(data, row)->host)));
    case TCOL_NAME: return g_strdup(d->name);
    case TCOL_STATE: return g_strdup(vd_dom_state_name(d->state));
    case TCOL_CPU: return pct(r->cpu_pct);
    case TCOL_HOSTCPU: return pct(r->cpu_host_pct);
    case TCOL_VCPUS: return g_strdup_printf("%u", d->vcpus);
    case TCOL_USED: return ui_short_bytes(r->mem_used_kib * 1024.0);
    case TCOL_DISK: return ui_short_pair(r->rd_bps, r->wr_bps);
    case TCOL_NET: return ui_short_pair(r->rx_bps, r->tx_bps);
    }
    return g_strdup("");
}

static enum vd_color
top_color(const void *data, guint row, int col)
{
    return col == TCOL_NAME || col == TCOL_STATE ? ui_dom_color(top_dom(data, row)) : VD_C_NORMAL;
}

static const char *
top_key(const void *data, guint row)
{
    return top_row(data, row)->key;
}

static const char *
top_name(const void *data, guint row)
{
    return top_dom(data, row)->name;
}

#define CMP(a, b) ((a) < (b) ? -1 : (a) > (b))

static int
top_compare(const void *data, guint ra, guint rb, int col)
{
    const struct vd_domain *a = top_dom(data, ra), *b = top_dom(data, rb);
    const struct ui_app *app = data;

    switch (col) {
    case TCOL_HOST: {
        const struct ui_host *ha = g_ptr_array_index(app->hosts, top_row(data, ra)->host);
        const struct ui_host *hb = g_ptr_array_index(app->hosts, top_row(data, rb)->host);
        return g_strcmp0(ui_host_label(app, ha), ui_host_label(app, hb));
    }
    case TCOL_NAME: return g_strcmp0(a->collate_key, b->collate_key);
    case TCOL_STATE: return CMP(a->state, b->state);
    case TCOL_CPU: return ui_compare_rates(&a->rates, &b->rates, UI_RATE_CPU);
    case TCOL_HOSTCPU: return ui_compare_rates(&a->rates, &b->rates, UI_RATE_HOST_CPU);
    case TCOL_VCPUS: return CMP(b->vcpus, a->vcpus);
    case TCOL_USED: return ui_compare_rates(&a->rates, &b->rates, UI_RATE_USED);
    case TCOL_DISK: return ui_compare_rates(&a->rates, &b->rates, UI_RATE_DISK);
    case TCOL_NET: return ui_compare_rates(&a->rates, &b->rates, UI_RATE_NET);
    }
    return 0;
}

static const struct ui_list_src top_src = {
    .cols = top_cols,
    .n_cols = TCOL_LAST,
    .count = top_count,
    .cell = top_cell,
    .color = top_color,
    .key = top_key,
    .name = top_name,
    .compare = top_compare,
};

/* Rows: the running domains of every connected host. */
void
ui_top_recalc(struct ui_app *app)
{
    struct ui_top_state *t = app->top;

    if (!t)
        return;
    g_array_set_size(t->rows, 0);
    for (guint i = 0; i < app->hosts->len; i++) {
        const struct ui_host *h = g_ptr_array_index(app->hosts, i);
        for (guint j = 0; h->snap->state == VD_HOST_CONNECTED && j < h->snap->domains->len; j++) {
            const struct vd_domain *d = g_ptr_array_index(h->snap->domains, j);
            struct top_row r = { .host = i, .dom = j };

            if (!vd_dom_is_active(d))
                continue;
            g_snprintf(r.key, sizeof r.key, "%u/%s", i, d->uuid);
            g_array_append_val(t->rows, r);
        }
    }
    ui_list_recalc(&t->list, app);
}

void
ui_top_open(struct ui_app *app)
{
    struct ui_top_state *t = g_new0(struct ui_top_state, 1);

    ui_top_close(app);
    t->rows = g_array_new(FALSE, FALSE, sizeof(struct top_row));
    ui_list_init(&t->list, &top_src, true);
    t->list.sort_col = TCOL_CPU;        /* busiest first */
    t->list.empty_text = _("No running domain on the connected hosts");
    app->top = t;
    ui_top_recalc(app);
}

void
ui_top_close(struct ui_app *app)
{
    struct ui_top_state *t = app->top;

    if (!t)
        return;
    ui_list_clear(&t->list);
    g_array_unref(t->rows);
    g_free(t);
    app->top = NULL;
}

void
ui_top_draw(const struct ui_app *app)
{
    struct ui_top_state *t = app->top;
    int y = app->lay.pane_y, h = app->lay.status_y - app->lay.pane_y, w = app->lay.cols;
    g_autofree char *title = g_strdup_printf(
        ngettext("Top: %u running domain on all connected hosts, busiest first",
                 "Top: %u running domains on all connected hosts, busiest first", t->rows->len),
        t->rows->len);

    ui_draw_rect(y, 0, h, w, vd_attr(VD_C_NORMAL));
    ui_draw_text(y, 1, w - 2, title, vd_attr(VD_C_TITLE), UI_ALIGN_LEFT, true);
    ui_draw_text(y + 1, 1, w - 2, _("Enter: go to the domain   F6/o: sort   Esc: back"), vd_attr(VD_C_DIM),
                 UI_ALIGN_LEFT, true);
    ui_list_layout(&t->list, h - 3, w - 2);
    ui_list_draw(&t->list, y + 2, 1, true);
}

unsigned
ui_top_key(struct ui_app *app, ui_key k)
{
    struct ui_top_state *t = app->top;
    int b = ui_keymap_lookup(app->keymap, k);
    int row;

    if (k == UI_KEY_ESC || k == 'T' || k == 'q') {
        ui_top_close(app);
        return UI_REDRAW;
    }
    switch (b) {
    case UI_CMD_MOVE_DOWN: ui_list_move(&t->list, 1); return UI_REDRAW;
    case UI_CMD_MOVE_UP: ui_list_move(&t->list, -1); return UI_REDRAW;
    case UI_CMD_PAGE_DOWN: ui_list_page(&t->list, 1); return UI_REDRAW;
    case UI_CMD_PAGE_UP: ui_list_page(&t->list, -1); return UI_REDRAW;
    case UI_CMD_FIRST_ROW: ui_list_first(&t->list); return UI_REDRAW;
    case UI_CMD_LAST_ROW: ui_list_last(&t->list); return UI_REDRAW;
    case UI_CMD_SORT_NEXT: ui_list_sort_next(&t->list); return UI_REDRAW;
    case UI_CMD_SORT_REVERSE: ui_list_sort_reverse(&t->list); return UI_REDRAW;
    case UI_CMD_HELP: case UI_CMD_QUIT: case UI_CMD_REDRAW:
        return ui_app_command(app, b);
    default:
        break;
    }
    if (k == '\n' || k == '\r' || k == (UI_KEY_FN | KEY_ENTER)) {
        row = ui_list_selected(&t->list);
        if (row >= 0) {
            const struct top_row r = *top_row(app, (guint)row);
            const struct vd_domain *d = top_dom(app, (guint)row);
            g_autofree char *uuid = g_strdup(d->uuid);

            ui_top_close(app);
            ui_app_select_host(app, r.host);
            app->focus = UI_FOCUS_DOMAINS;
            ui_list_select_key(&app->doms, uuid);
        }
        return UI_REDRAW;
    }
    return UI_OK;
}
