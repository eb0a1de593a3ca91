/* virtdeck - the connection manager (H): saved and open hosts, a finder
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * One list of every saved connection ([connection:NAME] in the config) and
 * every open host that is not saved (-c URI), grouped by their group.
 * Typing filters it (fuzzy: the letters in order, anywhere in the name,
 * group or URI; best matches first); Enter switches to the selected host,
 * connecting it first if needed. Commands are on keys that never type:
 * F2/Ins add, F4 edit, Del delete, F5 connect, F8 disconnect, F9 import
 * from virt-manager, Esc clears the filter, then closes. */
#include <config.h>

#include <string.h>

#include "i18n.h"
#include "util.h"
#include "ui/app.h"
#include "ui/dialog.h"
#include "ui/draw.h"
#include "ui/term.h"
#include "ui/views.h"

struct entry {
    char *name;
    char *uri;
    char *group;               /* NULL: none */
    bool autoconnect;
    bool saved;
    int host;                  /* index in app->hosts, -1: not open */
    int score;                 /* fuzzy match, higher first */
    guint order;
};

struct row {
    int entry;                 /* -1: a group header */
    const char *group;
};

struct mgr {
    GPtrArray *entries;        /* struct entry * */
    GArray *rows;              /* struct row */
    GString *filter;
    char *sel_name;            /* selected entry, kept across recalcs */
    guint sel;                 /* row */
    guint top;
    int list_h;
};

static const struct ui_screen_ops mgr_ops;

static void
entry_free(gpointer p)
{
    struct entry *e = p;

    if (!e)
        return;
    g_free(e->name);
    g_free(e->uri);
    g_free(e->group);
    g_free(e);
}

/* Fuzzy score of needle in hay: -1 when the letters are not all there in
 * order; more for a prefix, for letters at word starts and for runs. */
static int
fuzzy(const char *hay, const char *needle)
{
    g_autofree char *h = g_utf8_casefold(hay, -1);
    g_autofree char *n = g_utf8_casefold(needle, -1);
    const char *hp = h, *np = n;
    int score = 0, run = 0;
    bool prev_match = false;

    if (!*n)
        return 0;
    if (g_str_has_prefix(h, n))
        score += 100;
    else if (strstr(h, n))
        score += 50;
    while (*np && *hp) {
        gunichar nc = g_utf8_get_char(np), hc = g_utf8_get_char(hp);
        if (nc == hc) {
            bool word_start = hp == h || strchr(" -_.@/:", hp[-1]);
            score += 1 + (word_start ? 5 : 0) + (prev_match ? 3 + run : 0);
            run = prev_match ? run + 1 : 0;
            prev_match = true;
            np = g_utf8_next_char(np);
        } else {
            prev_match = false;
            run = 0;
        }
        hp = g_utf8_next_char(hp);
    }
    return *np ? -1 : score;
}

static int
entry_cmp(gconstpointer a, gconstpointer b)
{
    const struct entry *x = *(struct entry *const *)a, *y = *(struct entry *const *)b;
    int g = g_strcmp0(x->group ? x->group : "", y->group ? y->group : "");

    /* ungrouped hosts first, then the groups by name */
    if (!x->group != !y->group)
        return x->group ? 1 : -1;
    if (g)
        return g;
    if (x->score != y->score)
        return y->score - x->score;
    return (int)x->order - (int)y->order;
}

/* A search: best first, whatever the group. */
static int
score_cmp(gconstpointer a, gconstpointer b)
{
    const struct entry *x = *(struct entry *const *)a, *y = *(struct entry *const *)b;

    if (x->score != y->score)
        return y->score - x->score;
    return (int)x->order - (int)y->order;
}

static int
host_by_uri(const struct ui_app *app, const char *uri, const char *name)
{
    for (guint i = 0; i < app->hosts->len; i++) {
        const struct ui_host *h = g_ptr_array_index(app->hosts, i);
        if (strcmp(vd_conn_uri(h->conn), uri) == 0 && (!name || !h->name || strcmp(h->name, name) == 0))
            return (int)i;
    }
    return -1;
}

static void
mgr_recalc(struct ui_app *app, gpointer state)
{
    struct mgr *m = state;
    const char *f = m->filter->str;
    const char *last_group = NULL;
    g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func(entry_free);
    guint order = 0;

    for (guint i = 0; app->cfg && i < app->cfg->conns->len; i++) {
        const struct vd_saved_conn *sc = g_ptr_array_index(app->cfg->conns, i);
        struct entry *e = g_new0(struct entry, 1);
        e->name = g_strdup(sc->name);
        e->uri = g_strdup(sc->uri);
        e->group = g_strdup(sc->group);
        e->autoconnect = sc->autoconnect;
        e->saved = true;
        e->host = host_by_uri(app, sc->uri, sc->name);
        e->order = order++;
        g_ptr_array_add(all, e);
    }
    for (guint i = 0; i < app->hosts->len; i++) {
        const struct ui_host *h = g_ptr_array_index(app->hosts, i);
        bool known = false;
        for (guint k = 0; k < all->len && !known; k++)
            known = ((struct entry *)all->pdata[k])->host == (int)i;
        if (known)
            continue;
        struct entry *e = g_new0(struct entry, 1);
        e->name = g_strdup(ui_host_label(app, h));
        e->uri = g_strdup(vd_conn_uri(h->conn));
        e->host = (int)i;
        e->order = order++;
        g_ptr_array_add(all, e);
    }
    g_ptr_array_set_size(m->entries, 0);
    for (guint i = 0; i < all->len; i++) {
        struct entry *e = all->pdata[i];
        int s = fuzzy(e->name, f);
        if (*f) {
            /* the name counts most; the group and URI find the rest */
            int g = e->group ? fuzzy(e->group, f) : -1, u = fuzzy(e->uri, f);
            s = MAX(s >= 0 ? s + 20 : -1, MAX(g, u >= 0 ? u / 2 : -1));
        }
        if (s < 0)
            continue;
        e->score = s;
        g_ptr_array_add(m->entries, g_steal_pointer(&all->pdata[i]));
    }
    /* a search: one list, best first, groups only as a column */
    g_ptr_array_sort(m->entries, *f ? score_cmp : entry_cmp);
    g_array_set_size(m->rows, 0);
    for (guint i = 0; i < m->entries->len; i++) {
        struct entry *e = m->entries->pdata[i];
        if (!*f && e->group && g_strcmp0(e->group, last_group) != 0) {
            struct row r = { -1, e->group };
            g_array_append_val(m->rows, r);
            last_group = e->group;
        }
        struct row r = { (int)i, NULL };
        g_array_append_val(m->rows, r);
    }
    /* keep the selection on the same host */
    m->sel = 0;
    for (guint i = 0; i < m->rows->len; i++) {
        const struct row *r = &g_array_index(m->rows, struct row, i);
        if (r->entry >= 0 && g_strcmp0(((struct entry *)m->entries->pdata[r->entry])->name, m->sel_name) == 0) {
            m->sel = i;
            break;
        }
    }
    while (m->sel < m->rows->len && g_array_index(m->rows, struct row, m->sel).entry < 0)
        m->sel++;
}

/* After the filter changed: the best match. */
static void
select_best(struct mgr *m)
{
    int best = -1, best_score = -1;

    for (guint i = 0; i < m->rows->len; i++) {
        int en = g_array_index(m->rows, struct row, i).entry;
        const struct entry *e = en >= 0 ? m->entries->pdata[en] : NULL;
        if (e && e->score > best_score) {
            best = (int)i;
            best_score = e->score;
        }
    }
    if (best >= 0)
        m->sel = (guint)best;
}

static struct entry *
selected(struct mgr *m)
{
    const struct row *r;

    if (m->sel >= m->rows->len)
        return NULL;
    r = &g_array_index(m->rows, struct row, m->sel);
    return r->entry >= 0 ? m->entries->pdata[r->entry] : NULL;
}

static const char *
state_text(const struct ui_app *app, const struct entry *e, enum vd_color *slot)
{
    const struct ui_host *h;

    if (e->host < 0) {
        *slot = VD_C_DIM;
        /* TRANSLATORS: connection manager: a saved host that is not open */
        return _("not open");
    }
    h = g_ptr_array_index(app->hosts, e->host);
    *slot = ui_host_color(h->snap->state);
    return vd_host_state_name(h->snap->state);
}

static void
mgr_draw(const struct ui_app *app, gpointer state)
{
    struct mgr *m = state;
    const struct ui_layout *lay = &app->lay;
    int y = lay->pane_y, w = lay->cols, h = lay->pane_h;
    int name_w = 18, group_w = 10, auto_w = 5, state_w = 15, uri_x;
    attr_t norm = vd_attr(VD_C_NORMAL);
    g_autofree char *title = NULL;
    g_autofree char *find = NULL;

    ui_draw_rect(y, 0, h, w, norm);
    title = g_strdup_printf(_("Connections: %u"), m->entries->len);
    ui_draw_text(y, 0, w, title, vd_attr(VD_C_TITLE), UI_ALIGN_LEFT, true);
    y++;
    find = g_strdup_printf("%s %s", _("Find:"), m->filter->str);
    {
        int fw = ui_draw_text(y, 0, w - 1, find, vd_attr(VD_C_FILTER), UI_ALIGN_LEFT, false);
        ui_draw_text(y, fw, 1, " ", norm | A_REVERSE, UI_ALIGN_LEFT, false);
    }
    y++;
    uri_x = name_w + 1 + group_w + 1 + auto_w + 1 + state_w + 1;
    ui_draw_fill(y, 0, w, vd_attr(VD_C_COLUMN_HEADER));
    ui_draw_text(y, 1, name_w, _("Name"), vd_attr(VD_C_COLUMN_HEADER), UI_ALIGN_LEFT, false);
    ui_draw_text(y, 1 + name_w, group_w, _("Group"), vd_attr(VD_C_COLUMN_HEADER), UI_ALIGN_LEFT, false);
    ui_draw_text(y, 2 + name_w + group_w, auto_w, _("Auto"), vd_attr(VD_C_COLUMN_HEADER), UI_ALIGN_LEFT, false);
    ui_draw_text(y, 3 + name_w + group_w + auto_w, state_w, _("State"), vd_attr(VD_C_COLUMN_HEADER),
                 UI_ALIGN_LEFT, false);
    ui_draw_text(y, uri_x, w - uri_x, "URI", vd_attr(VD_C_COLUMN_HEADER), UI_ALIGN_LEFT, false);
    y++;
    m->list_h = MAX(h - 4, 1);
    if (m->sel < m->top)
        m->top = m->sel;
    if (m->sel >= m->top + (guint)m->list_h)
        m->top = m->sel - (guint)m->list_h + 1;
    if (!m->rows->len)
        ui_draw_text(y, 1, w - 2, m->filter->len ? _("No host matches.") : _("No saved connections: F2 adds one."),
                     vd_attr(VD_C_DIM), UI_ALIGN_LEFT, false);
    for (guint i = m->top; i < m->rows->len && (int)(i - m->top) < m->list_h; i++, y++) {
        const struct row *r = &g_array_index(m->rows, struct row, i);
        const struct entry *e;
        enum vd_color slot;
        const char *st;
        attr_t a;

        if (r->entry < 0) {
            g_autofree char *g = g_strdup_printf("%s %s", ui_glyph(UI_G_ARROW_R), r->group);
            ui_draw_text(y, 0, w, g, vd_attr(VD_C_HELP_GROUP), UI_ALIGN_LEFT, true);
            continue;
        }
        e = m->entries->pdata[r->entry];
        st = state_text(app, e, &slot);
        a = i == m->sel ? vd_attr(VD_C_SELECTED) : norm;
        if (i == m->sel)
            ui_draw_fill(y, 0, w, a);
        ui_draw_text(y, 1, name_w - 1, e->name, a, UI_ALIGN_LEFT, false);
        ui_draw_text(y, 1 + name_w, group_w, e->group ? e->group : "", a, UI_ALIGN_LEFT, false);
        ui_draw_text(y, 2 + name_w + group_w, auto_w, !e->saved ? "-" : e->autoconnect ? _("yes") : _("no"),
                     a, UI_ALIGN_LEFT, false);
        ui_draw_text(y, 3 + name_w + group_w + auto_w, state_w, st, i == m->sel ? a : vd_attr(slot),
                     UI_ALIGN_LEFT, false);
        ui_draw_text(y, uri_x, w - uri_x, e->uri, a, UI_ALIGN_LEFT, false);
    }
    ui_draw_text(lay->pane_y + h - 1, 0, w,
                 _("Type to find  Enter switch  F2 add  F4 edit  Del delete  F5 connect  F8 disconnect  "
                   "F9 import  Esc close"),
                 vd_attr(VD_C_DIM), UI_ALIGN_LEFT, true);
}

static void
remember_sel(struct mgr *m)
{
    struct entry *e = selected(m);

    if (!e)
        return;
    g_free(m->sel_name);
    m->sel_name = e ? g_strdup(e->name) : NULL;
}

static void
move_sel(struct mgr *m, int delta)
{
    int n = (int)m->rows->len, s = (int)m->sel;

    if (!n)
        return;
    for (int step = 0; step < ABS(delta) || (s >= 0 && s < n && g_array_index(m->rows, struct row, s).entry < 0);) {
        int next = s + (delta < 0 ? -1 : 1);
        if (next < 0 || next >= n)
            break;
        s = next;
        if (g_array_index(m->rows, struct row, s).entry >= 0)
            step++;
    }
    while (s < n && g_array_index(m->rows, struct row, s).entry < 0)
        s++;
    while (s >= n || (s > 0 && g_array_index(m->rows, struct row, s).entry < 0))
        s--;
    m->sel = (guint)MAX(s, 0);
    remember_sel(m);
}

/* Open the entry's host if it is not open; connect it if it is idle. */
static int
connect_entry(struct ui_app *app, struct entry *e)
{
    if (e->host < 0)
        return (int)ui_app_add_host(app, e->uri, e->saved ? e->name : NULL);
    vd_conn_reconnect(((struct ui_host *)g_ptr_array_index(app->hosts, e->host))->conn);
    return e->host;
}

static void
after_form(struct ui_app *app, const char *name, gpointer user)
{
    struct mgr *m = ui_app_find_screen(app, &mgr_ops);

    if (!m)
        return;
    g_free(m->sel_name);
    m->sel_name = g_strdup(name);
    mgr_recalc(app, m);
}

struct del {
    struct ui_app *app;
    char *name;
    char *uri;
};

static void
del_free(gpointer p)
{
    struct del *d = p;

    g_free(d->name);
    g_free(d->uri);
    g_free(d);
}

static bool
del_done(struct ui_dialog *dlg, int result, gpointer user)
{
    struct del *d = user;
    struct ui_app *app = d->app;
    struct mgr *m = ui_app_find_screen(app, &mgr_ops);
    g_autoptr(GError) err = NULL;
    int host;

    if (result != UI_CONFIRM_YES)
        return true;
    host = host_by_uri(app, d->uri, d->name);
    if (host >= 0)
        ui_app_remove_host(app, (guint)host);
    if (app->cfg && !vd_config_remove_conn(app->cfg, d->name, &err))
        ui_app_set_status(app, VD_C_STATUS_ERROR, _("Could not save the configuration: %s"), err->message);
    else
        ui_app_set_status(app, VD_C_STATUS_OK, _("Deleted connection %s"), d->name);
    if (m)
        mgr_recalc(app, m);
    return true;
}

/* virt-manager keeps its connections in GSettings; read them with the
 * gsettings tool (a local call), add the ones we do not have. */
static void
import_virt_manager(struct ui_app *app, struct mgr *m)
{
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autoptr(GVariant) v = NULL;
    g_autoptr(GError) gerr = NULL;
    const char *argv[] = { "gsettings", "get", "org.virt-manager.virt-manager.connections", "uris", NULL };
    g_autofree const char **uris = NULL;
    int status = 0;
    guint added = 0;

    if (!app->cfg) {
        ui_app_set_status(app, VD_C_STATUS_ERROR, "%s", _("No configuration file to save to"));
        return;
    }
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &gerr) ||
        !g_spawn_check_wait_status(status, NULL) ||
        !(v = g_variant_parse(G_VARIANT_TYPE("as"), g_strstrip(out), NULL, NULL, NULL))) {
        g_autofree char *why = vd_sanitize(gerr ? gerr->message : err && *err ? err : out);
        ui_app_set_status(app, VD_C_STATUS_ERROR, _("No virt-manager connections found (gsettings: %s)"),
                          why && *why ? why : _("no answer"));
        return;
    }
    uris = g_variant_get_strv(v, NULL);
    for (guint i = 0; uris && uris[i]; i++) {
        g_autofree char *uri = vd_sanitize(uris[i]);
        g_autoptr(GUri) u = g_uri_parse(uri, G_URI_FLAGS_NON_DNS, NULL);
        g_autofree char *name = NULL;
        bool have = false;

        for (guint k = 0; k < app->cfg->conns->len && !have; k++)
            have = strcmp(((struct vd_saved_conn *)app->cfg->conns->pdata[k])->uri, uri) == 0;
        if (have || !strstr(uri, ":"))
            continue;
        name = g_strdup(u && g_uri_get_host(u) && *g_uri_get_host(u) ? g_uri_get_host(u) : uri);
        if (vd_config_find_conn(app->cfg, name)) {
            g_free(name);
            name = g_strdup(uri);
        }
        if (vd_config_set_conn(app->cfg, NULL, name, uri, false, "virt-manager", NULL))
            added++;
    }
    ui_app_set_status(app, VD_C_STATUS_OK,
                      ngettext("Imported %u connection from virt-manager", "Imported %u connections from virt-manager",
                               added), added);
    mgr_recalc(app, m);
}

static void
switch_to(struct ui_app *app, struct entry *e)
{
    int idx = connect_entry(app, e);

    ui_app_pop_screen(app);
    ui_app_select_host(app, (guint)idx);
    app->focus = UI_FOCUS_DOMAINS;
}

static unsigned
mgr_key(struct ui_app *app, gpointer state, ui_key k)
{
    struct mgr *m = state;
    struct entry *e = selected(m);
    /* e is rebuilt by any recalc (adding or closing a host): keep its name */
    g_autofree char *name = e ? g_strdup(e->name) : NULL;

    switch (k) {
    case UI_KEY_ESC:
        if (m->filter->len) {
            g_string_truncate(m->filter, 0);
            mgr_recalc(app, m);
            return UI_REDRAW;
        }
        ui_app_pop_screen(app);
        return UI_REDRAW;
    case UI_KEY_FN | KEY_UP:
        move_sel(m, -1);
        return UI_REDRAW;
    case UI_KEY_FN | KEY_DOWN:
        move_sel(m, 1);
        return UI_REDRAW;
    case UI_KEY_FN | KEY_PPAGE:
        move_sel(m, -MAX(m->list_h - 1, 1));
        return UI_REDRAW;
    case UI_KEY_FN | KEY_NPAGE:
        move_sel(m, MAX(m->list_h - 1, 1));
        return UI_REDRAW;
    case UI_KEY_FN | KEY_HOME:
        move_sel(m, -(int)m->rows->len);
        return UI_REDRAW;
    case UI_KEY_FN | KEY_END:
        move_sel(m, (int)m->rows->len);
        return UI_REDRAW;
    case '\n':
        if (e)
            switch_to(app, e);
        return UI_RECALC;
    case UI_KEY_FN | KEY_BACKSPACE:
        if (m->filter->len) {
            const char *p = g_utf8_find_prev_char(m->filter->str, m->filter->str + m->filter->len);
            g_string_truncate(m->filter, p ? (gsize)(p - m->filter->str) : 0);
            mgr_recalc(app, m);
            select_best(m);
            remember_sel(m);
        }
        return UI_REDRAW;
    case 21:    /* C-u */
        g_string_truncate(m->filter, 0);
        mgr_recalc(app, m);
        return UI_REDRAW;
    case UI_KEY_FN | KEY_F(2):
    case UI_KEY_FN | KEY_IC:
        ui_host_form_open(app, NULL, after_form, NULL);
        return UI_REDRAW;
    case UI_KEY_FN | KEY_F(4):
        if (!e)
            return UI_OK;
        if (!e->saved) {
            ui_app_set_status(app, VD_C_STATUS_INFO, _("%s is not saved: F2 saves a connection"), e->name);
            return UI_REDRAW;
        }
        ui_host_form_open(app, e->name, after_form, NULL);
        return UI_REDRAW;
    case UI_KEY_FN | KEY_DC: {
        struct del *d;
        g_autofree char *q = NULL;
        struct ui_dialog *dlg;

        if (!e)
            return UI_OK;
        if (!e->saved) {
            ui_app_remove_host(app, (guint)e->host);
            mgr_recalc(app, m);
            return UI_RECALC;
        }
        d = g_new0(struct del, 1);
        d->app = app;
        d->name = g_strdup(e->name);
        d->uri = g_strdup(e->uri);
        q = g_strdup_printf(_("Delete the saved connection %1$s (%2$s)? An open connection to it is closed."),
                            e->name, e->uri);
        dlg = ui_yes_no_dialog(_("Delete connection"), q);
        ui_dialog_set_callbacks(dlg, NULL, del_done, d, del_free);
        ui_app_open_dialog(app, dlg);
        return UI_REDRAW;
    }
    case UI_KEY_FN | KEY_F(5):
        if (!e)
            return UI_OK;
        connect_entry(app, e);
        ui_app_set_status(app, VD_C_STATUS_INFO, _("Connecting to %s…"), name);
        mgr_recalc(app, m);
        return UI_RECALC;
    case UI_KEY_FN | KEY_F(8):
        if (!e || e->host < 0)
            return UI_OK;
        ui_app_disconnect_host(app, (guint)e->host);
        ui_app_set_status(app, VD_C_STATUS_OK, _("Disconnected from %s"), name);
        return UI_RECALC;
    case UI_KEY_FN | KEY_F(9):
        import_virt_manager(app, m);
        return UI_REDRAW;
    default:
        break;
    }
    if (!(k & UI_KEY_FN) && k >= 32 && k != 127 && g_unichar_isprint((gunichar)k)) {
        g_string_append_unichar(m->filter, (gunichar)k);
        mgr_recalc(app, m);
        select_best(m);
        remember_sel(m);
        return UI_REDRAW;
    }
    return UI_OK;
}

static void
mgr_recalc_cb(struct ui_app *app, gpointer state)
{
    struct mgr *m = state;

    remember_sel(m);
    mgr_recalc(app, m);
}

static void
mgr_free(gpointer state)
{
    struct mgr *m = state;

    g_ptr_array_unref(m->entries);
    g_array_free(m->rows, TRUE);
    g_string_free(m->filter, TRUE);
    g_free(m->sel_name);
    g_free(m);
}

static const struct ui_fkey mgr_fkeys[] = {
    { UI_FKEY_LITERAL, "F2", NC_("fkey", "Add"), 0 },
    { UI_FKEY_LITERAL, "F4", NC_("fkey", "Edit"), 1 },
    { UI_FKEY_LITERAL, "Del", NC_("fkey", "Delete"), 2 },
    { UI_FKEY_LITERAL, "F5", NC_("fkey", "Connect"), 0 },
    { UI_FKEY_LITERAL, "F8", NC_("fkey", "Discon"), 1 },
    { UI_FKEY_LITERAL, "F9", NC_("fkey", "Import"), 3 },
    { UI_FKEY_LITERAL, "Esc", NC_("fkey", "Close"), 0 },
    { 0, NULL, NULL, 0 },
};

static const struct ui_fkey *
mgr_fkeys_cb(const struct ui_app *app G_GNUC_UNUSED, gpointer state G_GNUC_UNUSED)
{
    return mgr_fkeys;
}

static const struct ui_screen_ops mgr_ops = {
    .name = "hosts-manager",
    .fkeys = mgr_fkeys_cb,
    .draw = mgr_draw,
    .key = mgr_key,
    .recalc = mgr_recalc_cb,
    .free = mgr_free,
};

void
ui_hosts_manager_open(struct ui_app *app)
{
    struct mgr *m;
    const struct ui_host *h = ui_app_host(app);

    if (ui_app_find_screen(app, &mgr_ops))
        return;
    m = g_new0(struct mgr, 1);
    m->entries = g_ptr_array_new_with_free_func(entry_free);
    m->rows = g_array_new(FALSE, FALSE, sizeof(struct row));
    m->filter = g_string_new(NULL);
    m->sel_name = h ? g_strdup(ui_host_label(app, h)) : NULL;
    ui_app_push_screen(app, &mgr_ops, m);
}
