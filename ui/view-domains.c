/* virtdeck - right pane: the selected host's domains
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "util.h"
#include "ui/dialog.h"
#include "ui/views.h"

enum {
    COL_NAME, COL_STATE, COL_CPU, COL_TYPE, COL_VCPUS, COL_MEMORY, COL_USED, COL_DISK, COL_NET,
    COL_AUTOSTART, COL_PERSISTENT, COL_ID, COL_UUID, COL_IP, COL_LAST
};

/* title, short title, min width, preferred width, flex, priority (hidden first: highest), align, sortable */
static struct ui_list_col dom_cols[COL_LAST] = {
    [COL_NAME] = { N_("Name"), NULL, 14, 24, 1, 0, UI_ALIGN_LEFT, true },
    [COL_STATE] = { N_("State"), NULL, 8, 13, 0, 1, UI_ALIGN_LEFT, true },
    /* TRANSLATORS: column header: CPU use in percent of the domain's vCPUs (5 cells) */
    [COL_CPU] = { N_("CPU%"), NULL, 5, 0, 0, 2, UI_ALIGN_RIGHT, true },
    /* TRANSLATORS: column header: VM or CT (container) */
    [COL_TYPE] = { N_("Type"), NULL, 4, 0, 0, 5, UI_ALIGN_LEFT, true },
    [COL_VCPUS] = { N_("vCPUs"), NULL, 5, 0, 0, 4, UI_ALIGN_RIGHT, true },
    [COL_MEMORY] = { N_("Memory"), NULL, 9, 0, 0, 3, UI_ALIGN_RIGHT, true },
    /* TRANSLATORS: column header: memory the guest uses (5 cells) */
    [COL_USED] = { N_("Used"), NULL, 5, 0, 0, 6, UI_ALIGN_RIGHT, true },
    /* TRANSLATORS: column header: disk read/write per second; short form 4 cells */
    [COL_DISK] = { N_("Disk R/W"), N_("Disk"), 9, 11, 0, 7, UI_ALIGN_RIGHT, true },
    /* TRANSLATORS: column header: network receive/transmit per second; short form 4 cells */
    [COL_NET] = { N_("Net RX/TX"), N_("Net"), 9, 11, 0, 8, UI_ALIGN_RIGHT, true },
    /* TRANSLATORS: short column header for Autostart (4 cells) */
    [COL_AUTOSTART] = { N_("Autostart"), N_("Auto"), 4, 0, 0, 9, UI_ALIGN_LEFT, true },
    /* TRANSLATORS: short column header for Persistent (4 cells) */
    [COL_PERSISTENT] = { N_("Persistent"), N_("Pers"), 4, 0, 0, 10, UI_ALIGN_LEFT, true },
    [COL_ID] = { N_("ID"), NULL, 4, 0, 0, 11, UI_ALIGN_RIGHT, true },
    [COL_UUID] = { N_("UUID"), NULL, 9, 36, 0, 12, UI_ALIGN_LEFT, true },
    /* TRANSLATORS: column header: the guest's IP address(es) */
    [COL_IP] = { N_("IP address"), N_("IP"), 15, 15, 0, 13, UI_ALIGN_LEFT, true },
};

/* Stable names for [view] hidden-columns in the configuration. */
static const char *const col_ids[COL_LAST] = {
    "name", "state", "cpu", "type", "vcpus", "memory", "used", "disk", "net",
    "autostart", "persistent", "id", "uuid", "ip",
};
static bool col_hidden[COL_LAST];

/* Read [view] hidden-columns (unknown names are ignored). */
static void
load_hidden(const struct vd_config *cfg)
{
    g_auto(GStrv) names = NULL;

    memset(col_hidden, 0, sizeof col_hidden);
    if (!cfg)
        return;
    names = g_key_file_get_string_list(cfg->kf, "view", "hidden-columns", NULL, NULL);
    for (guint i = 0; names && names[i]; i++)
        for (int c = 1; c < COL_LAST; c++)      /* the name column always shows */
            if (g_ascii_strcasecmp(g_strstrip(names[i]), col_ids[c]) == 0)
                col_hidden[c] = true;
}

static bool
columns_done(struct ui_dialog *d, int result, gpointer user)
{
    struct ui_app *app = user;
    g_autoptr(GPtrArray) off = g_ptr_array_new();
    g_autoptr(GError) err = NULL;

    if (result != 1)
        return true;
    for (int c = 1; c < COL_LAST; c++) {
        col_hidden[c] = !ui_dialog_checked(d, col_ids[c]);
        if (col_hidden[c])
            g_ptr_array_add(off, (gpointer)col_ids[c]);
    }
    if (app->cfg) {
        g_key_file_set_string_list(app->cfg->kf, "view", "hidden-columns",
                                   (const char *const *)off->pdata, off->len);
        if (!vd_config_save(app->cfg, &err)) {
            ui_app_set_status(app, VD_C_STATUS_ERROR, "%s", err->message);
            return true;
        }
    }
    ui_app_set_status(app, VD_C_STATUS_OK, "%s", _("Columns saved"));
    ui_app_recalc(app);
    return true;
}

/* A checkbox per column of the domain list; saved in the configuration. */
void
ui_domains_columns_dialog(struct ui_app *app)
{
    struct ui_dialog *d = ui_dialog_new(_("Columns of the domain list"), 44);

    for (int c = 1; c < COL_LAST; c++)
        ui_dialog_add_check(d, col_ids[c], _(dom_cols[c].title), !col_hidden[c]);
    ui_dialog_add_button(d, _("OK"), 1);
    ui_dialog_add_button(d, _("Cancel"), 0);
    ui_dialog_set_default(d, 1);
    ui_dialog_set_callbacks(d, NULL, columns_done, app, NULL);
    ui_app_open_dialog(app, d);
}

static const struct vd_domain *
dom_at(const void *data, guint row)
{
    const struct vd_host_snap *s = data;
    return g_ptr_array_index(s->domains, row);
}

static guint
dom_count(const void *data)
{
    const struct vd_host_snap *s = data;
    return s->domains ? s->domains->len : 0;
}

static unsigned long long
dom_memory(const struct vd_domain *d)
{
    return d->mem_kib ? d->mem_kib : d->max_mem_kib;
}

/* "0", "512K", "62M", "1.5G": bytes (or bytes/s) in at most 5 cells */
char *
ui_short_bytes(double v)
{
    static const char units[] = "BKMGTP";
    int u = 0;

    if (isnan(v))
        return g_strdup("-");
    if (v < 0.5)
        return g_strdup("0");
    while (v >= 1000.0 && u + 1 < (int)sizeof units - 1) {
        v /= 1024.0;
        u++;
    }
    if (u == 0)
        return g_strdup_printf("%.0f", v);
    return v < 9.95 ? g_strdup_printf("%.1f%c", v, units[u]) : g_strdup_printf("%.0f%c", v, units[u]);
}

char *
ui_short_pair(double a, double b)
{
    g_autofree char *x = ui_short_bytes(a);
    g_autofree char *y = ui_short_bytes(b);

    if (isnan(a) && isnan(b))
        return g_strdup("-");
    return g_strdup_printf("%s/%s", x, y);
}

static double
nan_low(double v)
{
    return isnan(v) ? -1.0 : v;
}

#define CMP(a, b) ((a) < (b) ? -1 : (a) > (b))

int
ui_compare_rates(const struct vd_dom_rates *a, const struct vd_dom_rates *b, enum ui_rate_key k)
{
    /* busiest first; unknown last */
    switch (k) {
    case UI_RATE_CPU: return CMP(nan_low(b->cpu_pct), nan_low(a->cpu_pct));
    case UI_RATE_HOST_CPU: return CMP(nan_low(b->cpu_host_pct), nan_low(a->cpu_host_pct));
    case UI_RATE_USED: return CMP(nan_low(b->mem_used_kib), nan_low(a->mem_used_kib));
    case UI_RATE_DISK:
        return CMP(nan_low(b->rd_bps) + nan_low(b->wr_bps), nan_low(a->rd_bps) + nan_low(a->wr_bps));
    case UI_RATE_NET:
        return CMP(nan_low(b->rx_bps) + nan_low(b->tx_bps), nan_low(a->rx_bps) + nan_low(a->tx_bps));
    }
    return 0;
}

/* By the first address, numerically for IPv4; domains without one last. */
int
ui_compare_addrs(const struct vd_domain *a, const struct vd_domain *b)
{
    const char *x = a->addrs ? a->addrs[0] : NULL, *y = b->addrs ? b->addrs[0] : NULL;
    unsigned p[4] = { 0 }, q[4] = { 0 };

    if (!x || !y)
        return CMP(!x, !y);
    if (sscanf(x, "%u.%u.%u.%u", &p[0], &p[1], &p[2], &p[3]) == 4 &&
        sscanf(y, "%u.%u.%u.%u", &q[0], &q[1], &q[2], &q[3]) == 4) {
        for (int i = 0; i < 4; i++)
            if (p[i] != q[i])
                return CMP(p[i], q[i]);
        return 0;
    }
    return strcmp(x, y);
}

static const char *
yes_no(bool b)
{
    return b ? _("yes") : _("no");
}

static char *
dom_cell(const void *data, guint row, int col)
{
    const struct vd_domain *d = dom_at(data, row);

    switch (col) {
    case COL_NAME: return g_strdup(d->name);
    case COL_STATE:
        if (d->managed_save && !vd_dom_is_active(d))
            return g_strdup(_("saved"));
        return g_strdup(vd_dom_state_name(d->state));
    /* TRANSLATORS: domain type: virtual machine / container, 2-4 cells */
    case COL_TYPE: return g_strdup(d->container ? C_("type", "CT") : C_("type", "VM"));
    case COL_CPU:
        return isnan(d->rates.cpu_pct) ? g_strdup("-") : g_strdup_printf("%.1f", d->rates.cpu_pct);
    case COL_USED: return ui_short_bytes(d->rates.mem_used_kib * 1024.0);
    case COL_DISK: return ui_short_pair(d->rates.rd_bps, d->rates.wr_bps);
    case COL_NET: return ui_short_pair(d->rates.rx_bps, d->rates.tx_bps);
    case COL_VCPUS: return g_strdup_printf("%u", d->vcpus);
    case COL_MEMORY: return vd_format_kib(dom_memory(d));
    case COL_AUTOSTART: return g_strdup(yes_no(d->autostart));
    case COL_PERSISTENT: return g_strdup(yes_no(d->persistent));
    case COL_ID: return d->id >= 0 ? g_strdup_printf("%d", d->id) : g_strdup("-");
    case COL_UUID: return g_strdup(d->uuid);
    case COL_IP: return d->addrs && d->addrs[0] ? g_strjoinv(" ", d->addrs) : g_strdup("-");
    }
    return g_strdup("");
}

static enum vd_color
dom_color(const void *data, guint row, int col)
{
    const struct vd_domain *d = dom_at(data, row);

    if (col == COL_NAME || col == COL_STATE)
        return ui_dom_color(d);
    return VD_C_NORMAL;
}

static const char *
dom_key(const void *data, guint row)
{
    return dom_at(data, row)->uuid;
}

static const char *
dom_name(const void *data, guint row)
{
    return dom_at(data, row)->name;
}

static bool
dom_markable(const void *data, guint row)
{
    return true;
}

/* Running first, then paused, ..., shut off last. */
static int
state_rank(enum vd_dom_state s)
{
    static const int rank[VD_DOM_STATE_LAST] = {
        [VD_DOM_RUNNING] = 0, [VD_DOM_BLOCKED] = 1, [VD_DOM_PAUSED] = 2,
        [VD_DOM_PMSUSPENDED] = 3, [VD_DOM_SHUTDOWN] = 4, [VD_DOM_CRASHED] = 5,
        [VD_DOM_NOSTATE] = 6, [VD_DOM_SHUTOFF] = 7,
    };
    return s < VD_DOM_STATE_LAST ? rank[s] : 8;
}


static int
dom_compare(const void *data, guint ra, guint rb, int col)
{
    const struct vd_domain *a = dom_at(data, ra), *b = dom_at(data, rb);

    switch (col) {
    case COL_NAME: return g_strcmp0(a->collate_key, b->collate_key);
    case COL_STATE: return CMP(state_rank(a->state), state_rank(b->state));
    case COL_TYPE: return CMP(a->container, b->container);
    /* busiest first */
    case COL_CPU: return ui_compare_rates(&a->rates, &b->rates, UI_RATE_CPU);
    case COL_USED: return ui_compare_rates(&a->rates, &b->rates, UI_RATE_USED);
    case COL_DISK: return ui_compare_rates(&a->rates, &b->rates, UI_RATE_DISK);
    case COL_NET: return ui_compare_rates(&a->rates, &b->rates, UI_RATE_NET);
    case COL_VCPUS: return CMP(a->vcpus, b->vcpus);
    case COL_MEMORY: return CMP(dom_memory(a), dom_memory(b));
    case COL_AUTOSTART: return CMP(b->autostart, a->autostart);
    case COL_PERSISTENT: return CMP(b->persistent, a->persistent);
    case COL_ID: return CMP((unsigned)a->id, (unsigned)b->id);
    case COL_UUID: return strcmp(a->uuid, b->uuid);
    case COL_IP: return ui_compare_addrs(a, b);
    }
    return 0;
}

static const struct ui_list_src dom_src = {
    .cols = dom_cols,
    .n_cols = COL_LAST,
    .count = dom_count,
    .cell = dom_cell,
    .color = dom_color,
    .key = dom_key,
    .name = dom_name,
    .compare = dom_compare,
    .markable = dom_markable,
};

static char *
host_problem(const struct vd_host_snap *s)
{
    const char *err = s->error && *s->error ? s->error : NULL;

    switch (s->state) {
    case VD_HOST_CONNECTED:
        return NULL;
    case VD_HOST_CONNECTING:
        return g_strdup_printf(_("Connecting to %s…"), s->uri);
    case VD_HOST_NOT_RESPONDING:
        return err ? g_strdup_printf(_("Not responding: %s"), err) : g_strdup(_("Not responding"));
    case VD_HOST_DISCONNECTED:
    case VD_HOST_STATE_LAST:
        break;
    }
    return err ? g_strdup_printf(_("Not connected: %s"), err) : g_strdup(_("Not connected"));
}

static void
domains_recalc(struct ui_app *app)
{
    struct ui_host *h = ui_app_host(app);
    g_autofree char *problem = NULL;

    if (!app->doms.src) {
        /* the State column prefers the widest state name of this language */
        int w = ui_text_width(_("saved"));
        for (int st = 0; st < VD_DOM_STATE_LAST; st++)
            w = MAX(w, ui_text_width(vd_dom_state_name(st)));
        dom_cols[COL_STATE].pref_width = MIN(w, 16);
        ui_list_init(&app->doms, &dom_src, true);
        load_hidden(app->cfg);
        app->doms.hidden = col_hidden;
        ui_list_set_filter(&app->doms, app->filter);
    }
    g_clear_pointer(&app->dom_msg, g_free);
    g_clear_pointer(&app->dom_empty, g_free);
    if (!h) {
        app->dom_empty = g_strdup(_("No connections. Press F2 to add one."));
        app->doms.marks = NULL;
        ui_list_recalc(&app->doms, NULL);
        app->doms.empty_text = app->dom_empty;
        return;
    }
    problem = host_problem(h->snap);
    if (app->doms_host != (int)h->index) {
        /* each host keeps its own selection */
        if (app->doms_host >= 0 && (guint)app->doms_host < app->hosts->len) {
            struct ui_host *old = g_ptr_array_index(app->hosts, app->doms_host);
            g_free(old->sel_uuid);
            old->sel_uuid = g_strdup(app->doms.sel_key);
        }
        g_free(app->doms.sel_key);
        app->doms.sel_key = g_strdup(h->sel_uuid);
        app->doms.sel = 0;
        app->doms.top = 0;
        app->doms_host = (int)h->index;
    }
    app->doms.marks = h->marks;
    ui_list_recalc(&app->doms, h->snap);
    if (dom_count(h->snap) == 0)
        app->dom_empty = problem ? g_steal_pointer(&problem) : g_strdup(_("No domains on this host."));
    else if (ui_list_count(&app->doms) == 0)
        app->dom_empty = g_strdup_printf(_("No domain matches the filter \"%s\" (Esc clears it)."),
                                         app->filter ? app->filter : "");
    else
        app->dom_msg = g_steal_pointer(&problem);
    app->doms.empty_text = app->dom_empty;
}

static void
domains_layout(struct ui_app *app)
{
    struct ui_layout *lay = &app->lay;

    lay->dom_msg_h = app->dom_msg ? 2 : 0;
    ui_list_layout(&app->doms, lay->pane_h - lay->dom_msg_h - 1, lay->right_w);
}

static void
domains_draw(const struct ui_app *app)
{
    const struct ui_layout *lay = &app->lay;
    int y = lay->pane_y;

    if (app->dom_msg) {
        g_auto(GStrv) lines = ui_wrap(app->dom_msg, lay->right_w - 1, lay->dom_msg_h);
        ui_draw_rect(y, lay->right_x, lay->dom_msg_h, lay->right_w, vd_attr(VD_C_NORMAL));
        for (int i = 0; lines[i] && i < lay->dom_msg_h; i++)
            ui_draw_text(y + i, lay->right_x + 1, lay->right_w - 1, lines[i],
                         vd_attr(VD_C_ERROR_TEXT), UI_ALIGN_LEFT, false);
        y += lay->dom_msg_h;
    }
    ui_list_draw(&app->doms, y, lay->right_x, app->focus == UI_FOCUS_DOMAINS);
}

static unsigned
domains_command(struct ui_app *app, enum ui_cmd cmd)
{
    switch (cmd) {
    case UI_CMD_MOVE_DOWN: ui_list_move(&app->doms, 1); break;
    case UI_CMD_MOVE_UP: ui_list_move(&app->doms, -1); break;
    case UI_CMD_PAGE_DOWN: ui_list_page(&app->doms, 1); break;
    case UI_CMD_PAGE_UP: ui_list_page(&app->doms, -1); break;
    case UI_CMD_FIRST_ROW: ui_list_first(&app->doms); break;
    case UI_CMD_LAST_ROW: ui_list_last(&app->doms); break;
    default: return UI_OK;
    }
    return UI_REDRAW;
}

static unsigned
domains_click(struct ui_app *app, int y, int x, bool wheel_up, bool wheel_down)
{
    int idx;

    app->focus = UI_FOCUS_DOMAINS;
    if (wheel_up || wheel_down) {
        ui_list_move(&app->doms, wheel_up ? -3 : 3);
        return UI_REDRAW;
    }
    idx = ui_list_index_at(&app->doms, y - app->lay.pane_y - app->lay.dom_msg_h - 1);
    if (idx >= 0)
        ui_list_select_index(&app->doms, (guint)idx);
    return UI_REDRAW;
}

const struct ui_view ui_view_domains = {
    .name = "domains",
    .recalc = domains_recalc,
    .layout = domains_layout,
    .draw = domains_draw,
    .command = domains_command,
    .click = domains_click,
};
