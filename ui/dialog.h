/* virtdeck - the form engine: dialogs and wizard pages
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A dialog is a title, an optional message, a column of fields (labels,
 * text fields, numbers with a MiB/GiB unit, choices, checkboxes, scrollable
 * text) and a row of buttons. Keys: Tab/Down next field, Shift-Tab/Up
 * previous, Left/Right change a choice or move in a text field, Space
 * toggles, Enter presses the focused button (or the default one), Esc
 * cancels. Callbacks: changed (live validation/preview) and done (return
 * true to close).
 *
 * Wizards: ui_dialog_add_page() starts a page; fields and buttons added
 * before the first page show on every page. PgDn/PgUp (and n/p outside
 * text fields) or the UI_DIALOG_NEXT/BACK buttons turn pages, the title
 * says "Step N of M", all input stays when going back and forth. A field
 * may carry a hint (bounds, free space: after the value) and an error
 * (on the line under it). Enter on a choice with a list, or on a text field
 * with a picker, opens a list to choose from. With confirm_discard, Esc
 * asks before throwing the answers away. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include "ui/keys.h"
#include "ui/theme.h"

enum ui_field_type {
    UI_FIELD_LABEL = 0,
    UI_FIELD_TEXT,
    UI_FIELD_CHOICE,
    UI_FIELD_CHECK,
    UI_FIELD_BUTTON,
    UI_FIELD_NUMBER,        /* digits (and a '.'), unit MiB/GiB when has_unit */
    UI_FIELD_VIEW,          /* read-only text, scrolled with Up/Down when focused */
};

#define UI_DIALOG_CANCEL (-1)
/* Buttons with these results turn the page (done is not called). */
#define UI_DIALOG_NEXT (-2)
#define UI_DIALOG_BACK (-3)

struct ui_field;
struct ui_dialog;
/* Items to choose from for a text field (char *, new array); choosing one
 * sets the text. An item "value\tdescription" shows both and sets value.
 * Typing in the open list keeps the items containing every typed word.
 * NULL or empty: nothing to choose (the dialog says so). */
typedef GPtrArray *(*ui_field_picker_fn)(struct ui_dialog *d, struct ui_field *f, gpointer user);

struct ui_field {
    enum ui_field_type type;
    char *id;
    char *label;            /* translated */
    GString *text;          /* TEXT value, LABEL text */
    gsize cursor;           /* TEXT: byte offset */
    GPtrArray *choices;     /* CHOICE: char * */
    guint choice;
    bool checked;
    int result;             /* BUTTON */
    enum vd_color slot;     /* LABEL colour */
    int page;               /* -1: every page */
    char *hint;             /* after the value, dimmed (may be NULL) */
    char *error;            /* under the field (may be NULL) */
    bool warning;           /* error is only a warning */
    bool has_unit;          /* NUMBER: MiB/GiB */
    bool gib;               /* NUMBER: the unit is GiB */
    bool list;              /* CHOICE: Enter opens the list */
    ui_field_picker_fn picker;   /* TEXT: Enter opens a list from this */
    int height;             /* VIEW: rows (0: what the page leaves) */
    int scroll;             /* VIEW: first line shown */
    bool hidden;            /* not shown, not focusable */
    bool secret;            /* TEXT: drawn as '*', wiped when freed */
};

typedef void (*ui_dialog_changed_fn)(struct ui_dialog *d, struct ui_field *f, gpointer user);
typedef bool (*ui_dialog_done_fn)(struct ui_dialog *d, int result, gpointer user);

struct ui_dialog *ui_dialog_new(const char *title, int width);
void ui_dialog_free(struct ui_dialog *d);
void ui_dialog_set_callbacks(struct ui_dialog *d, ui_dialog_changed_fn changed,
                             ui_dialog_done_fn done, gpointer user, GDestroyNotify destroy);
void ui_dialog_set_message(struct ui_dialog *d, const char *text);
void ui_dialog_set_error(struct ui_dialog *d, const char *text);   /* NULL clears */

struct ui_field *ui_dialog_add_label(struct ui_dialog *d, const char *id, const char *text);
struct ui_field *ui_dialog_add_text(struct ui_dialog *d, const char *id, const char *label,
                                    const char *value);
/* A hidden text field (password): shown as '*', its memory wiped on free. */
struct ui_field *ui_dialog_add_secret(struct ui_dialog *d, const char *id, const char *label);
struct ui_field *ui_dialog_add_choice(struct ui_dialog *d, const char *id, const char *label,
                                      const char *const *choices, guint selected);
struct ui_field *ui_dialog_add_check(struct ui_dialog *d, const char *id, const char *label,
                                     bool checked);
struct ui_field *ui_dialog_add_button(struct ui_dialog *d, const char *label, int result);
/* Enter outside a button returns this (default: the first button). */
void ui_dialog_set_default(struct ui_dialog *d, int result);
/* A key that presses a button while focus is not in a text field. */
void ui_dialog_add_hotkey(struct ui_dialog *d, ui_key k, int result);
void ui_dialog_focus_button(struct ui_dialog *d, int result);

struct ui_field *ui_dialog_field(const struct ui_dialog *d, const char *id);
/* TEXT: its text; CHOICE: the chosen string; LABEL: its text. */
const char *ui_dialog_value(const struct ui_dialog *d, const char *id);
bool ui_dialog_checked(const struct ui_dialog *d, const char *id);
void ui_field_set_text(struct ui_field *f, const char *text);

/* ---- wizard pages and richer fields ---- */
/* Start a page; returns its index. */
int ui_dialog_add_page(struct ui_dialog *d, const char *title);
int ui_dialog_page(const struct ui_dialog *d);
int ui_dialog_n_pages(const struct ui_dialog *d);
/* Called before the page turns; return false to stay (errors shown). */
typedef bool (*ui_dialog_page_fn)(struct ui_dialog *d, int from, int to, gpointer user);
void ui_dialog_set_page_check(struct ui_dialog *d, ui_dialog_page_fn fn);
bool ui_dialog_go_page(struct ui_dialog *d, int page);
void ui_dialog_set_confirm_discard(struct ui_dialog *d, bool on);
/* A number in MiB shown in GiB when a whole number of GiB (has_unit), or a
 * plain count. */
struct ui_field *ui_dialog_add_number(struct ui_dialog *d, const char *id, const char *label,
                                      guint64 value, bool has_unit);
/* The number in MiB (or the count); false when it is not a number. */
bool ui_dialog_number(const struct ui_dialog *d, const char *id, guint64 *value);
void ui_field_set_number(struct ui_field *f, guint64 value);
struct ui_field *ui_dialog_add_view(struct ui_dialog *d, const char *id, const char *label,
                                    const char *text, int height);
void ui_field_set_choices(struct ui_field *f, const char *const *choices, guint selected);
/* Select the choice equal to s (false if none). */
bool ui_field_select(struct ui_field *f, const char *s);
void ui_field_set_hint(struct ui_field *f, const char *hint);
void ui_field_set_error(struct ui_field *f, const char *error, bool warning);
void ui_dialog_clear_errors(struct ui_dialog *d);
void ui_dialog_set_picker(struct ui_dialog *d, const char *id, ui_field_picker_fn fn);
void ui_dialog_focus_field(struct ui_dialog *d, const char *id);
struct ui_field *ui_dialog_focused(const struct ui_dialog *d);
void ui_dialog_set_title(struct ui_dialog *d, const char *title);
gpointer ui_dialog_user(const struct ui_dialog *d);

/* Handle a key; returns true when the dialog was closed (the caller frees it). */
bool ui_dialog_key(struct ui_dialog *d, ui_key k);
void ui_dialog_draw(const struct ui_dialog *d, int rows, int cols);
