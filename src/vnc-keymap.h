/* virtdeck - keys for the VNC console: X keysyms and QEMU (XT) key numbers
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Pure tables, no I/O. Key numbers are what the QEMU extended key event
 * carries: XT set 1 scancodes, keys with the 0xE0 prefix as 0x80 | code
 * (Up = 0xC8, Right Ctrl = 0x9D). Layout: US. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* keysyms (X11 keysymdef.h values) used by the console */
enum {
    VD_KS_BACKSPACE = 0xff08, VD_KS_TAB = 0xff09, VD_KS_RETURN = 0xff0d,
    VD_KS_PAUSE = 0xff13, VD_KS_SCROLL_LOCK = 0xff14, VD_KS_SYS_REQ = 0xff15,
    VD_KS_ESCAPE = 0xff1b, VD_KS_HOME = 0xff50, VD_KS_LEFT = 0xff51, VD_KS_UP = 0xff52,
    VD_KS_RIGHT = 0xff53, VD_KS_DOWN = 0xff54, VD_KS_PAGE_UP = 0xff55,
    VD_KS_PAGE_DOWN = 0xff56, VD_KS_END = 0xff57, VD_KS_PRINT = 0xff61,
    VD_KS_INSERT = 0xff63, VD_KS_MENU = 0xff67, VD_KS_NUM_LOCK = 0xff7f,
    VD_KS_F1 = 0xffbe, /* F1..F12 consecutive */
    VD_KS_SHIFT_L = 0xffe1, VD_KS_SHIFT_R = 0xffe2, VD_KS_CONTROL_L = 0xffe3,
    VD_KS_CONTROL_R = 0xffe4, VD_KS_CAPS_LOCK = 0xffe5, VD_KS_ALT_L = 0xffe9,
    VD_KS_ALT_R = 0xffea, VD_KS_SUPER_L = 0xffeb, VD_KS_DELETE = 0xffff,
};

enum { VD_MOD_SHIFT = 1, VD_MOD_CTRL = 2, VD_MOD_ALT = 4 };

/* QEMU key number for a keysym; 0 if unknown. *shift (may be NULL) is set
 * when the character needs Shift on a US keyboard ('A', '!'). Letters of
 * either case give the same key. */
uint32_t vd_keysym_to_keycode(uint32_t keysym, bool *shift);

/* Keysym for a Unicode character typed as text (ASCII printable, '\n' ->
 * Return, '\t' -> Tab); 0 if it cannot be typed. */
uint32_t vd_char_to_keysym(uint32_t ch);
