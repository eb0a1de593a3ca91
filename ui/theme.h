/* virtdeck - semantic colour slots and theme files
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Views never name a colour: they ask for a role, vd_attr(VD_C_DOM_RUNNING).
 * Themes (themes/NAME.theme, GKeyFile) map roles to colours:
 *   [theme]  name=Default
 *   [colors] dom_running=green,default,bold
 *            dom_running.16=green,default     (used when COLORS < 256)
 * Colours: default, black, red, green, yellow, blue, magenta, cyan, white,
 * brightblack ... brightwhite, or 0-255. Attributes: bold, reverse,
 * underline, dim. Without colours (NO_COLOR, mono terminal) only the
 * attributes are used. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include "ui/term.h"

/* _(ID, "key in the theme file") */
#define VD_COLOR_SLOTS(_) \
    _(NORMAL,              "normal") \
    _(HEADER,              "header") \
    _(TITLE,               "title") \
    _(COLUMN_HEADER,       "column_header") \
    _(SELECTED,            "selected") \
    _(SELECTED_UNFOCUSED,  "selected_unfocused") \
    _(MARKED,              "marked") \
    _(STATUS_OK,           "status_ok") \
    _(STATUS_ERROR,        "status_error") \
    _(STATUS_INFO,         "status_info") \
    _(FKEY_KEY,            "fkey_key") \
    _(FKEY_LABEL,          "fkey_label") \
    _(BORDER,              "border") \
    _(HOST_CONNECTED,      "host_connected") \
    _(HOST_CONNECTING,     "host_connecting") \
    _(HOST_NOT_RESPONDING, "host_not_responding") \
    _(HOST_DISCONNECTED,   "host_disconnected") \
    _(DOM_RUNNING,         "dom_running") \
    _(DOM_PAUSED,          "dom_paused") \
    _(DOM_SHUTOFF,         "dom_shutoff") \
    _(DOM_CRASHED,         "dom_crashed") \
    _(DOM_OTHER,           "dom_other") \
    _(DIALOG,              "dialog") \
    _(DIALOG_TITLE,        "dialog_title") \
    _(DIALOG_FIELD,        "dialog_field") \
    _(DIALOG_FOCUS,        "dialog_focus") \
    _(DIALOG_ERROR,        "dialog_error") \
    _(HELP_KEY,            "help_key") \
    _(HELP_GROUP,          "help_group") \
    _(FILTER,              "filter") \
    _(DIM,                 "dim") \
    _(ERROR_TEXT,          "error_text")

#define VD_COLOR_ENUM(id, key) VD_C_##id,
enum vd_color {
    VD_COLOR_SLOTS(VD_COLOR_ENUM)
    VD_C_LAST
};
#undef VD_COLOR_ENUM

attr_t vd_attr(enum vd_color slot);
const char *vd_color_slot_name(enum vd_color slot);

/* Call after initscr(). name NULL or "" means "default". use_color false
 * (NO_COLOR, or no colours on the terminal) loads the mono theme and keeps
 * only attributes. Never fails: a missing or broken theme falls back to the
 * built-in default and *warning (translated) says why. */
void ui_theme_init(const char *name, bool use_color, char **warning);
/* Parse theme text (exposed for tests). Returns false and sets *error. */
bool ui_theme_parse(const char *text, bool use_color, int ncolors, char **error);
