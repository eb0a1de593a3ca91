/* virtdeck - the one generic list widget
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Rows come from a source through callbacks (count, cell text, colour,
 * key). The widget keeps the visible order (filter + sort), selection
 * (by row key, so it survives new snapshots), scrolling, marks and column
 * layout. Like neomutt, work is split in two: ui_list_recalc() and
 * ui_list_layout() update the derived state, ui_list_draw() only draws it. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include "ui/draw.h"
#include "ui/theme.h"

struct ui_list_col {
    const char *title;     /* N_() string, translated when drawn */
    const char *short_title; /* N_(), used when title does not fit; may be NULL */
    int min_width;         /* cells; the (short) title's width is also respected */
    int pref_width;        /* grown to this (and the full title) first when there is room */
    int flex;              /* share of the spare width, 0 = fixed */
    int priority;          /* columns that do not fit are hidden, highest first */
    enum ui_align align;
    bool sortable;
};

struct ui_list_src {
    const struct ui_list_col *cols;
    int n_cols;
    guint (*count)(const void *data);
    char *(*cell)(const void *data, guint row, int col);         /* g_free()d */
    enum vd_color (*color)(const void *data, guint row, int col);
    const char *(*key)(const void *data, guint row);             /* stable id */
    const char *(*name)(const void *data, guint row);            /* filter text, NULL: always shown */
    int (*compare)(const void *data, guint a, guint b, int col);
    bool (*markable)(const void *data, guint row);               /* NULL: none */
};

struct ui_list {
    const struct ui_list_src *src;
    const void *data;
    GArray *vis;            /* guint source rows, filtered and sorted */
    guint sel;              /* index in vis */
    char *sel_key;
    guint top;
    int height;             /* rows of data (without header) */
    int width;
    bool header;            /* draw a column header line */
    GHashTable *marks;      /* row key -> NULL, not owned (may be NULL) */
    const bool *hidden;     /* per column: switched off by the user (may be NULL) */
    char *filter;           /* casefolded, NULL: none */
    int sort_col;           /* -1: source order */
    bool sort_reverse;
    int col_width[16];      /* from the last layout, 0: hidden */
    const char *empty_text; /* shown when there are no rows, not owned */
};

void ui_list_init(struct ui_list *l, const struct ui_list_src *src, bool header);
void ui_list_clear(struct ui_list *l);

/* New data (or filter/sort/marks changed): rebuild the visible rows and
 * keep the selection on the same key. */
void ui_list_recalc(struct ui_list *l, const void *data);
/* Size: column widths and scrolling. */
void ui_list_layout(struct ui_list *l, int height, int width);
void ui_list_draw(const struct ui_list *l, int y, int x, bool focused);

guint ui_list_count(const struct ui_list *l);
/* Source row of the selection, -1 when empty. */
int ui_list_selected(const struct ui_list *l);
const char *ui_list_selected_key(const struct ui_list *l);
bool ui_list_select_key(struct ui_list *l, const char *key);
void ui_list_select_index(struct ui_list *l, guint i);

/* Movement; return true when something changed. */
bool ui_list_move(struct ui_list *l, int delta);
bool ui_list_page(struct ui_list *l, int dir);
bool ui_list_first(struct ui_list *l);
bool ui_list_last(struct ui_list *l);
/* Row at screen line (0 = first data row), -1 if none. */
int ui_list_index_at(const struct ui_list *l, int line);

void ui_list_set_filter(struct ui_list *l, const char *text);
/* Cycle to the next shown sortable column (and back to source order). */
void ui_list_sort_next(struct ui_list *l);
void ui_list_sort_reverse(struct ui_list *l);

bool ui_list_is_marked(const struct ui_list *l, guint row);
void ui_list_toggle_mark(struct ui_list *l);
/* Mark all visible rows, or clear all marks if they all are marked. */
void ui_list_mark_all(struct ui_list *l);
