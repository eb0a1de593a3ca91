/* virtdeck - a small form engine for dialogs and (later) wizard pages
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A dialog is a title, an optional message, a column of fields (labels,
 * text fields, choices, checkboxes) and a row of buttons. Keys: Tab/Down
 * next field, Shift-Tab/Up previous, Left/Right change a choice or move in
 * a text field, Space toggles, Enter presses the focused button (or the
 * default one), Esc cancels. Callbacks: changed (live validation/preview)
 * and done (return true to close). */
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
};

#define UI_DIALOG_CANCEL (-1)

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
    bool secret;            /* TEXT: drawn as '*', wiped when freed */
};

struct ui_dialog;
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

/* Handle a key; returns true when the dialog was closed (the caller frees it). */
bool ui_dialog_key(struct ui_dialog *d, ui_key k);
void ui_dialog_draw(const struct ui_dialog *d, int rows, int cols);
