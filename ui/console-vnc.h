/* virtdeck - VNC console backend: pure key helpers (unit tested)
 * SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include "ui/keys.h"

/* A console key (ui/console.h: character, control character, UI_KEY_FN |
 * curses code, with UI_KEY_MOD_* bits) as an X keysym plus VD_MOD_* bits
 * (src/vnc-keymap.h). False for keys that have no keysym. */
bool ui_vnc_key_to_keysym(ui_key k, uint32_t *keysym, unsigned *mods);

/* The send-key menu: label (untranslated key names) and what it presses. */
struct ui_vnc_combo {
    char hotkey;
    const char *label;
    uint32_t keysym;
    unsigned mods;
};
extern const struct ui_vnc_combo ui_vnc_combos[];
extern const unsigned ui_vnc_n_combos;
