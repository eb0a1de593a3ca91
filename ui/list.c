/* virtdeck - the one generic list widget
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <config.h>

#include <string.h>

#include "i18n.h"
#include "ui/list.h"

#define UI_LIST_MAX_COLS ((int)G_N_ELEMENTS(((struct ui_list *)0)->col_width))

void
ui_list_init(struct ui_list *l, const struct ui_list_src *src, bool header)
{
    memset(l, 0, sizeof(*l));
    g_assert(src->n_cols <= UI_LIST_MAX_COLS);
    l->src = src;
    l->header = header;
    l->sort_col = -1;
    l->vis = g_array_new(FALSE, FALSE, sizeof(guint));
}

void
ui_list_clear(struct ui_list *l)
{
    if (l->vis)
        g_array_free(l->vis, TRUE);
    g_free(l->sel_key);
    g_free(l->filter);
    memset(l, 0, sizeof(*l));
}

static bool
row_matches(const struct ui_list *l, guint row)
{
    const char *name;
    g_autofree char *folded = NULL;

    if (!l->filter || !l->src->name)
        return true;
    name = l->src->name(l->data, row);
    if (!name)
        return true;
    folded = g_utf8_casefold(name, -1);
    return strstr(folded, l->filter) != NULL;
}

static int
compare_rows(gconstpointer pa, gconstpointer pb, gpointer user)
{
    const struct ui_list *l = user;
    guint a = *(const guint *)pa, b = *(const guint *)pb;
    int r = l->src->compare && l->sort_col >= 0 ? l->src->compare(l->data, a, b, l->sort_col) : 0;

    if (l->sort_col < 0)
        r = a < b ? -1 : a > b;
    if (l->sort_reverse)
        r = -r;
    /* ties keep the source order (by name) */
    return r ? r : (a < b ? -1 : a > b);
}

static void
remember_selection(struct ui_list *l)
{
    int row = ui_list_selected(l);

    if (row < 0 || !l->src->key)
        return;
    g_free(l->sel_key);
    l->sel_key = g_strdup(l->src->key(l->data, (guint)row));
}

void
ui_list_recalc(struct ui_list *l, const void *data)
{
    guint n;

    l->data = data;
    g_array_set_size(l->vis, 0);
    n = data ? l->src->count(data) : 0;
    for (guint i = 0; i < n; i++)
        if (row_matches(l, i))
            g_array_append_val(l->vis, i);
    if (l->sort_col >= 0 || l->sort_reverse)
        g_array_sort_with_data(l->vis, compare_rows, l);
    if (l->sel_key && !ui_list_select_key(l, l->sel_key)) {
        if (l->sel >= l->vis->len)
            l->sel = l->vis->len ? l->vis->len - 1 : 0;
        remember_selection(l);
    } else if (!l->sel_key) {
        remember_selection(l);
    }
    ui_list_layout(l, l->height, l->width);
}

static int
col_min_width(const struct ui_list_col *c)
{
    int w = ui_text_width(c->short_title ? _(c->short_title) : _(c->title));
    return MAX(w, c->min_width);
}

static int
gutter_width(const struct ui_list *l)
{
    return l->src->markable ? 2 : 0;
}

void
ui_list_layout(struct ui_list *l, int height, int width)
{
    const struct ui_list_src *src = l->src;
    int order[UI_LIST_MAX_COLS];
    int used = 0, flex = 0, avail, extra;
    int n = src->n_cols;

    l->height = MAX(height, 0);
    l->width = MAX(width, 0);
    /* scrolling */
    if (l->sel < l->top)
        l->top = l->sel;
    if (l->height > 0 && l->sel >= l->top + (guint)l->height)
        l->top = l->sel - l->height + 1;
    if (l->vis->len <= (guint)l->height)
        l->top = 0;
    else if (l->top + l->height > l->vis->len)
        l->top = l->vis->len - l->height;

    /* columns: the most important ones that fit, spare width to flex ones */
    avail = l->width - gutter_width(l);
    for (int i = 0; i < n; i++)
        order[i] = i;
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && src->cols[order[j]].priority < src->cols[order[j - 1]].priority; j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    memset(l->col_width, 0, sizeof(l->col_width));
    for (int i = 0; i < n; i++) {
        const struct ui_list_col *c = &src->cols[order[i]];
        int w = col_min_width(c) + (used ? 1 : 0);
        if (l->hidden && l->hidden[order[i]])
            continue;
        if (used + w > avail) {
            if (used == 0 && avail > 0)
                l->col_width[order[i]] = avail;     /* at least the first one, squeezed */
            if (used == 0)
                used = avail;
            continue;
        }
        l->col_width[order[i]] = col_min_width(c);
        used += w;
        flex += c->flex;
    }
    /* spare width: first each shown column up to its preferred width */
    for (int i = 0; i < n && used < avail; i++) {
        const struct ui_list_col *c = &src->cols[order[i]];
        int pref = MAX(c->pref_width, ui_text_width(_(c->title)));
        int *w = &l->col_width[order[i]];
        /* flexible columns take what there is, fixed ones all or nothing */
        if (*w && *w < pref && (c->flex || pref - *w <= avail - used)) {
            int add = MIN(pref - *w, avail - used);
            *w += add;
            used += add;
        }
    }
    extra = avail - used;
    for (int i = 0; i < n && flex > 0 && extra > 0; i++) {
        if (l->col_width[i] && src->cols[i].flex) {
            int add = extra * src->cols[i].flex / flex;
            l->col_width[i] += add;
        }
    }
    /* rounding leftovers to the first flex column */
    used = 0;
    for (int i = 0; i < n; i++)
        if (l->col_width[i])
            used += l->col_width[i] + (used ? 1 : 0);
    for (int i = 0; i < n && used < avail && flex > 0; i++) {
        if (l->col_width[i] && src->cols[i].flex) {
            l->col_width[i] += avail - used;
            break;
        }
    }
}

static void
draw_header(const struct ui_list *l, int y, int x)
{
    attr_t attr = vd_attr(VD_C_COLUMN_HEADER);
    int cx = x + gutter_width(l);

    ui_draw_fill(y, x, l->width, attr);
    for (int i = 0; i < l->src->n_cols; i++) {
        const struct ui_list_col *c = &l->src->cols[i];
        const char *t = _(c->title);
        int w = l->col_width[i], sorted = i == l->sort_col, tx = cx, tw;

        if (!w)
            continue;
        if (c->short_title && ui_text_width(t) + sorted > w)
            t = _(c->short_title);
        tw = ui_text_width(t);
        if (tw + sorted <= w) {
            if (c->align == UI_ALIGN_RIGHT)
                tx = cx + w - tw - sorted;
            tx += ui_draw_text(y, tx, tw, t, attr, UI_ALIGN_LEFT, false);
        } else {
            /* no room: the sort indicator takes the title's last cell */
            ui_draw_text(y, cx, w, t, attr, UI_ALIGN_LEFT, false);
            tx = cx + w - 1;
        }
        if (sorted)
            ui_draw_text(y, tx, 1, ui_glyph(l->sort_reverse ? UI_G_SORT_DOWN : UI_G_SORT_UP),
                         attr, UI_ALIGN_LEFT, false);
        cx += w + 1;
    }
}

static void
draw_row(const struct ui_list *l, int y, int x, guint idx, bool focused)
{
    guint row = g_array_index(l->vis, guint, idx);
    bool sel = idx == l->sel;
    bool marked = ui_list_is_marked(l, row);
    attr_t row_attr = sel ? vd_attr(focused ? VD_C_SELECTED : VD_C_SELECTED_UNFOCUSED)
                          : marked ? vd_attr(VD_C_MARKED) : vd_attr(VD_C_NORMAL);
    int cx = x;

    ui_draw_fill(y, x, l->width, row_attr);
    if (l->src->markable) {
        if (marked)
            ui_draw_text(y, x, 1, ui_glyph(UI_G_MARK), sel ? row_attr : vd_attr(VD_C_MARKED),
                         UI_ALIGN_LEFT, false);
        cx += 2;
    }
    for (int i = 0; i < l->src->n_cols; i++) {
        int w = l->col_width[i];
        g_autofree char *text = NULL;
        attr_t attr = row_attr;

        if (!w)
            continue;
        text = l->src->cell(l->data, row, i);
        if (!sel && !marked && l->src->color)
            attr = vd_attr(l->src->color(l->data, row, i));
        ui_draw_text(y, cx, w, text, attr, l->src->cols[i].align, false);
        cx += w + 1;
    }
}

void
ui_list_draw(const struct ui_list *l, int y, int x, bool focused)
{
    if (l->width <= 0)
        return;
    if (l->header) {
        draw_header(l, y, x);
        y++;
    }
    ui_draw_rect(y, x, l->height, l->width, vd_attr(VD_C_NORMAL));
    if (l->vis->len == 0 && l->empty_text) {
        g_auto(GStrv) lines = ui_wrap(l->empty_text, l->width - 2, l->height);
        for (int i = 0; lines[i] && i < l->height; i++)
            ui_draw_text(y + i, x + 1, l->width - 2, lines[i], vd_attr(VD_C_DIM),
                         UI_ALIGN_LEFT, false);
        return;
    }
    for (int i = 0; i < l->height && l->top + i < l->vis->len; i++)
        draw_row(l, y + i, x, l->top + i, focused);
}

guint
ui_list_count(const struct ui_list *l)
{
    return l->vis->len;
}

int
ui_list_selected(const struct ui_list *l)
{
    if (l->sel >= l->vis->len)
        return -1;
    return (int)g_array_index(l->vis, guint, l->sel);
}

const char *
ui_list_selected_key(const struct ui_list *l)
{
    int row = ui_list_selected(l);

    return row >= 0 && l->src->key ? l->src->key(l->data, (guint)row) : NULL;
}

bool
ui_list_select_key(struct ui_list *l, const char *key)
{
    if (!key || !l->src->key)
        return false;
    for (guint i = 0; i < l->vis->len; i++) {
        if (g_strcmp0(l->src->key(l->data, g_array_index(l->vis, guint, i)), key) == 0) {
            l->sel = i;
            if (l->sel_key != key) {
                g_free(l->sel_key);
                l->sel_key = g_strdup(key);
            }
            return true;
        }
    }
    return false;
}

void
ui_list_select_index(struct ui_list *l, guint i)
{
    if (l->vis->len == 0)
        return;
    l->sel = MIN(i, l->vis->len - 1);
    remember_selection(l);
    ui_list_layout(l, l->height, l->width);
}

bool
ui_list_move(struct ui_list *l, int delta)
{
    guint old = l->sel;
    gint64 n = (gint64)l->sel + delta;

    if (l->vis->len == 0)
        return false;
    n = CLAMP(n, 0, (gint64)l->vis->len - 1);
    ui_list_select_index(l, (guint)n);
    return l->sel != old;
}

bool
ui_list_page(struct ui_list *l, int dir)
{
    return ui_list_move(l, dir * MAX(l->height - 1, 1));
}

bool
ui_list_first(struct ui_list *l)
{
    return ui_list_move(l, -(int)l->vis->len);
}

bool
ui_list_last(struct ui_list *l)
{
    return ui_list_move(l, (int)l->vis->len);
}

int
ui_list_index_at(const struct ui_list *l, int line)
{
    if (line < 0 || line >= l->height || l->top + (guint)line >= l->vis->len)
        return -1;
    return (int)(l->top + line);
}

void
ui_list_set_filter(struct ui_list *l, const char *text)
{
    g_free(l->filter);
    l->filter = text && *text ? g_utf8_casefold(text, -1) : NULL;
    ui_list_recalc(l, l->data);
}

void
ui_list_sort_next(struct ui_list *l)
{
    int n = l->src->n_cols;

    for (int i = l->sort_col + 1; i < n; i++) {
        if (l->src->cols[i].sortable && l->col_width[i]) {
            l->sort_col = i;
            ui_list_recalc(l, l->data);
            return;
        }
    }
    l->sort_col = -1;
    ui_list_recalc(l, l->data);
}

void
ui_list_sort_reverse(struct ui_list *l)
{
    l->sort_reverse = !l->sort_reverse;
    ui_list_recalc(l, l->data);
}

bool
ui_list_is_marked(const struct ui_list *l, guint row)
{
    if (!l->marks || !l->src->key || !l->src->markable || !l->src->markable(l->data, row))
        return false;
    return g_hash_table_contains(l->marks, l->src->key(l->data, row));
}

void
ui_list_toggle_mark(struct ui_list *l)
{
    int row = ui_list_selected(l);
    const char *key;

    if (row < 0 || !l->marks || !l->src->markable || !l->src->markable(l->data, (guint)row))
        return;
    key = l->src->key(l->data, (guint)row);
    if (!g_hash_table_remove(l->marks, key))
        g_hash_table_add(l->marks, g_strdup(key));
}

void
ui_list_mark_all(struct ui_list *l)
{
    bool all = true;

    if (!l->marks || !l->src->markable)
        return;
    for (guint i = 0; i < l->vis->len && all; i++) {
        guint row = g_array_index(l->vis, guint, i);
        if (l->src->markable(l->data, row) && !ui_list_is_marked(l, row))
            all = false;
    }
    if (all) {
        g_hash_table_remove_all(l->marks);
        return;
    }
    for (guint i = 0; i < l->vis->len; i++) {
        guint row = g_array_index(l->vis, guint, i);
        if (l->src->markable(l->data, row))
            g_hash_table_add(l->marks, g_strdup(l->src->key(l->data, row)));
    }
}
