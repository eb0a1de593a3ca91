/* virtdeck - left pane: the tree of hosts and their domains
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <config.h>

#include <math.h>
#include <string.h>

#include "i18n.h"
#include "util.h"
#include "ui/views.h"

enum { COL_LABEL, COL_CPU, COL_STATE };

static const struct ui_list_col tree_cols[] = {
    [COL_LABEL] = { N_("Hosts"), NULL, 12, 0, 1, 0, UI_ALIGN_LEFT, false },
    [COL_CPU] = { N_("CPU%"), NULL, 5, 0, 0, 1, UI_ALIGN_RIGHT, false },
    [COL_STATE] = { N_("Connection"), NULL, 14, 0, 0, 2, UI_ALIGN_LEFT, false },
};

enum vd_color
ui_host_color(enum vd_host_state s)
{
    switch (s) {
    case VD_HOST_CONNECTED: return VD_C_HOST_CONNECTED;
    case VD_HOST_CONNECTING: return VD_C_HOST_CONNECTING;
    case VD_HOST_NOT_RESPONDING: return VD_C_HOST_NOT_RESPONDING;
    case VD_HOST_DISCONNECTED:
    case VD_HOST_STATE_LAST: break;
    }
    return VD_C_HOST_DISCONNECTED;
}

enum vd_color
ui_dom_color(const struct vd_domain *d)
{
    switch (d->state) {
    case VD_DOM_RUNNING:
    case VD_DOM_BLOCKED: return VD_C_DOM_RUNNING;
    case VD_DOM_PAUSED:
    case VD_DOM_PMSUSPENDED: return VD_C_DOM_PAUSED;
    case VD_DOM_SHUTOFF: return VD_C_DOM_SHUTOFF;
    case VD_DOM_CRASHED: return VD_C_DOM_CRASHED;
    default: return VD_C_DOM_OTHER;
    }
}

enum ui_glyph
ui_dom_glyph(const struct vd_domain *d)
{
    switch (d->state) {
    case VD_DOM_RUNNING:
    case VD_DOM_BLOCKED: return UI_G_RUNNING;
    case VD_DOM_PAUSED:
    case VD_DOM_PMSUSPENDED: return UI_G_PAUSED;
    case VD_DOM_SHUTOFF: return UI_G_SHUTOFF;
    case VD_DOM_CRASHED: return UI_G_CRASHED;
    default: return UI_G_OTHER;
    }
}

static const struct ui_tree_row *
tree_row(const void *data, guint row)
{
    const struct ui_app *app = data;
    return &g_array_index(app->tree_rows, struct ui_tree_row, row);
}

static const struct ui_host *
row_host(const void *data, const struct ui_tree_row *r)
{
    const struct ui_app *app = data;
    return g_ptr_array_index(app->hosts, r->host);
}

static const struct vd_domain *
row_domain(const void *data, const struct ui_tree_row *r)
{
    const struct ui_host *h = row_host(data, r);
    return r->dom >= 0 ? g_ptr_array_index(h->snap->domains, r->dom) : NULL;
}

static guint
tree_count(const void *data)
{
    const struct ui_app *app = data;
    return app->tree_rows->len;
}

static char *
tree_cell(const void *data, guint row, int col)
{
    const struct ui_tree_row *r = tree_row(data, row);
    const struct ui_host *h = row_host(data, r);
    const struct vd_domain *d = row_domain(data, r);

    if (col == COL_STATE)
        return g_strdup(d ? "" : vd_host_state_name(h->snap->state));
    if (col == COL_CPU) {
        /* hosts: share of all host CPUs; domains: of their own vCPUs */
        double v = d ? d->rates.cpu_pct : h->snap->rates.cpu_pct;
        return isnan(v) ? g_strdup("") : g_strdup_printf("%.1f", v);
    }
    if (d)
        return g_strdup_printf("  %s %s", ui_glyph(ui_dom_glyph(d)), d->name);
    if (h->index < 9)
        return g_strdup_printf("%s %u %s", ui_glyph(UI_G_HOST), h->index + 1, ui_host_label(data, h));
    return g_strdup_printf("%s %s", ui_glyph(UI_G_HOST), ui_host_label(data, h));
}

static enum vd_color
tree_color(const void *data, guint row, int col)
{
    const struct ui_tree_row *r = tree_row(data, row);
    const struct vd_domain *d = row_domain(data, r);

    return d ? ui_dom_color(d) : ui_host_color(row_host(data, r)->snap->state);
}

static const char *
tree_key(const void *data, guint row)
{
    return tree_row(data, row)->key;
}

static const struct ui_list_src tree_src = {
    .cols = tree_cols,
    .n_cols = G_N_ELEMENTS(tree_cols),
    .count = tree_count,
    .cell = tree_cell,
    .color = tree_color,
    .key = tree_key,
};

static void
hosts_recalc(struct ui_app *app)
{
    const struct ui_tree_row *sel;
    int row;

    if (!app->tree.src)
        ui_list_init(&app->tree, &tree_src, true);
    g_array_set_size(app->tree_rows, 0);
    for (guint i = 0; i < app->hosts->len; i++) {
        const struct ui_host *h = g_ptr_array_index(app->hosts, i);
        struct ui_tree_row r = { .host = i, .dom = -1 };

        g_snprintf(r.key, sizeof(r.key), "h%u", i);
        g_array_append_val(app->tree_rows, r);
        for (guint j = 0; h->snap->domains && j < h->snap->domains->len; j++) {
            const struct vd_domain *d = g_ptr_array_index(h->snap->domains, j);
            r.dom = (int)j;
            g_snprintf(r.key, sizeof(r.key), "d%u:%s", i, d->uuid);
            g_array_append_val(app->tree_rows, r);
        }
    }
    ui_list_recalc(&app->tree, app);
    row = ui_list_selected(&app->tree);
    sel = row >= 0 ? tree_row(app, (guint)row) : NULL;
    if (!sel || sel->host != app->cur) {
        char key[16];
        g_snprintf(key, sizeof(key), "h%u", app->cur);
        ui_list_select_key(&app->tree, key);
        ui_list_layout(&app->tree, app->tree.height, app->tree.width);
    }
}

static void
hosts_layout(struct ui_app *app)
{
    ui_list_layout(&app->tree, app->lay.tree_h - 1, app->lay.left_w);
}

static void
draw_info_line(int *y, int end, int x, int w, const char *text, enum vd_color slot)
{
    if (*y >= end)
        return;
    ui_draw_text(*y, x, w, text, vd_attr(slot), UI_ALIGN_LEFT, false);
    (*y)++;
}

/* The selected domain's IP addresses, when it has any. */
static void
draw_domain_addrs(const struct ui_app *app, const struct ui_host *h, int *y, int end, int x, int w)
{
    const struct vd_domain *d = NULL;
    g_autofree char *list = NULL, *line = NULL;
    int sel;

    if (app->focus == UI_FOCUS_DOMAINS && app->doms_host == (int)app->cur &&
        (sel = ui_list_selected(&app->doms)) >= 0 && (guint)sel < h->snap->domains->len)
        d = g_ptr_array_index(h->snap->domains, sel);
    else if (app->focus == UI_FOCUS_HOSTS && (sel = ui_list_selected(&app->tree)) >= 0)
        d = row_domain(app, tree_row(app, (guint)sel));
    if (!d || !d->addrs || !d->addrs[0])
        return;
    list = g_strjoinv(", ", d->addrs);
    /* TRANSLATORS: host info box: the selected domain's IP addresses */
    line = g_strdup_printf(_("%1$s: %2$s"), d->name, list);
    draw_info_line(y, end, x, w, line, VD_C_NORMAL);
}

static void
draw_host_info(const struct ui_app *app)
{
    const struct ui_layout *lay = &app->lay;
    const struct ui_host *h = ui_app_host(app);
    const struct vd_host_snap *s;
    int y = lay->info_y + 1, end = lay->info_y + lay->info_h, x = 1, w = lay->left_w - 1;

    ui_draw_rect(lay->info_y, 0, lay->info_h, lay->left_w, vd_attr(VD_C_NORMAL));
    ui_draw_hline(lay->info_y, 0, lay->left_w, vd_attr(VD_C_BORDER));
    if (!h)
        return;
    s = h->snap;
    ui_draw_text(lay->info_y, 1, lay->left_w - 2, ui_host_label(app, h), vd_attr(VD_C_TITLE),
                 UI_ALIGN_LEFT, false);
    draw_info_line(&y, end, x, w, s->uri, VD_C_DIM);
    draw_info_line(&y, end, x, w, vd_host_state_name(s->state), ui_host_color(s->state));
    if (s->state == VD_HOST_CONNECTED || s->libvirt_version) {
        g_autofree char *ver = vd_format_version(s->libvirt_version);
        g_autofree char *mem = vd_format_kib(s->mem_kib);
        g_autofree char *free_mem = vd_format_kib(s->free_kib);
        g_autofree char *l1 = NULL, *l2 = NULL, *l3 = NULL;

        if (s->driver)
            /* TRANSLATORS: libvirt version and hypervisor driver: "libvirt 9.0.0 (QEMU)" */
            l1 = g_strdup_printf(_("libvirt %1$s (%2$s)"), ver, s->driver);
        else
            l1 = g_strdup_printf(_("libvirt %s"), ver);
        l2 = g_strdup_printf(ngettext("%u CPU", "%u CPUs", s->cpus), s->cpus);
        if (!isnan(s->rates.cpu_pct))
            g_clear_pointer(&l2, g_free);
        if (!isnan(s->rates.cpu_pct))
            /* TRANSLATORS: host CPUs and how busy they are: "2 CPUs, 56% busy" */
            l2 = g_strdup_printf(ngettext("%1$u CPU, %2$.0f%% busy", "%1$u CPUs, %2$.0f%% busy", s->cpus),
                                 s->cpus, s->rates.cpu_pct);
        if (s->free_kib)
            l3 = g_strdup_printf(_("Memory: %1$s free of %2$s"), free_mem, mem);
        else
            l3 = g_strdup_printf(_("Memory: %s"), mem);
        draw_info_line(&y, end, x, w, l1, VD_C_NORMAL);
        draw_info_line(&y, end, x, w, l2, VD_C_NORMAL);
        draw_info_line(&y, end, x, w, l3, VD_C_NORMAL);
    }
    draw_domain_addrs(app, h, &y, end, x, w);
    if (s->error && *s->error) {
        g_auto(GStrv) lines = ui_wrap(s->error, w, end - y);
        for (int i = 0; lines[i]; i++)
            draw_info_line(&y, end, x, w, lines[i], VD_C_ERROR_TEXT);
    }
}

static void
hosts_draw(const struct ui_app *app)
{
    const struct ui_layout *lay = &app->lay;

    ui_list_draw(&app->tree, lay->pane_y, 0, app->focus == UI_FOCUS_HOSTS);
    draw_host_info(app);
}

/* The tree selection moved: follow it with the selected host and domain. */
static void
follow_tree(struct ui_app *app)
{
    int row = ui_list_selected(&app->tree);
    const struct ui_tree_row *r;
    const struct vd_domain *d;

    if (row < 0)
        return;
    r = tree_row(app, (guint)row);
    d = row_domain(app, r);
    if (r->host != app->cur)
        ui_app_select_host(app, r->host);
    if (d)
        ui_list_select_key(&app->doms, d->uuid);
    ui_app_recalc(app);
}

static unsigned
hosts_command(struct ui_app *app, enum ui_cmd cmd)
{
    bool moved = false;

    switch (cmd) {
    case UI_CMD_MOVE_DOWN: moved = ui_list_move(&app->tree, 1); break;
    case UI_CMD_MOVE_UP: moved = ui_list_move(&app->tree, -1); break;
    case UI_CMD_PAGE_DOWN: moved = ui_list_page(&app->tree, 1); break;
    case UI_CMD_PAGE_UP: moved = ui_list_page(&app->tree, -1); break;
    case UI_CMD_FIRST_ROW: moved = ui_list_first(&app->tree); break;
    case UI_CMD_LAST_ROW: moved = ui_list_last(&app->tree); break;
    default: return UI_OK;
    }
    if (moved)
        follow_tree(app);
    return UI_REDRAW;
}

static unsigned
hosts_click(struct ui_app *app, int y, int x, bool wheel_up, bool wheel_down)
{
    int idx;

    app->focus = UI_FOCUS_HOSTS;
    if (wheel_up || wheel_down) {
        ui_list_move(&app->tree, wheel_up ? -3 : 3);
        follow_tree(app);
        return UI_REDRAW;
    }
    idx = ui_list_index_at(&app->tree, y - app->lay.pane_y - 1);
    if (idx >= 0) {
        ui_list_select_index(&app->tree, (guint)idx);
        follow_tree(app);
    }
    return UI_REDRAW;
}

const struct ui_view ui_view_hosts = {
    .name = "hosts",
    .recalc = hosts_recalc,
    .layout = hosts_layout,
    .draw = hosts_draw,
    .command = hosts_command,
    .click = hosts_click,
};
