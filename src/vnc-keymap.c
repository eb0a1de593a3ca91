/* virtdeck - keys for the VNC console: X keysyms and QEMU (XT) key numbers
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stddef.h>

#include "vnc-keymap.h"

/* US layout, printable ASCII 0x20..0x7e: key number, with Shift if the
 * high bit 0x100 is set. */
#define S(k) (0x100 | (k))
static const uint16_t ascii_keys[95] = {
    /* ' ' ! " # $ % & ' */
    0x39, S(0x02), S(0x28), S(0x04), S(0x05), S(0x06), S(0x08), 0x28,
    /* ( ) * + , - . / */
    S(0x0a), S(0x0b), S(0x09), S(0x0d), 0x33, 0x0c, 0x34, 0x35,
    /* 0 1 2 3 4 5 6 7 8 9 */
    0x0b, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
    /* : ; < = > ? @ */
    S(0x27), 0x27, S(0x33), 0x0d, S(0x34), S(0x35), S(0x03),
    /* A..Z */
    S(0x1e), S(0x30), S(0x2e), S(0x20), S(0x12), S(0x21), S(0x22), S(0x23), S(0x17),
    S(0x24), S(0x25), S(0x26), S(0x32), S(0x31), S(0x18), S(0x19), S(0x10), S(0x13),
    S(0x1f), S(0x14), S(0x16), S(0x2f), S(0x11), S(0x2d), S(0x15), S(0x2c),
    /* [ \ ] ^ _ ` */
    0x1a, 0x2b, 0x1b, S(0x07), S(0x0c), 0x29,
    /* a..z */
    0x1e, 0x30, 0x2e, 0x20, 0x12, 0x21, 0x22, 0x23, 0x17, 0x24, 0x25, 0x26, 0x32,
    0x31, 0x18, 0x19, 0x10, 0x13, 0x1f, 0x14, 0x16, 0x2f, 0x11, 0x2d, 0x15, 0x2c,
    /* { | } ~ */
    S(0x1a), S(0x2b), S(0x1b), S(0x29),
};
#undef S

static const struct {
    uint16_t keysym_low; /* keysym - 0xff00 */
    uint8_t code;
} special_keys[] = {
    { 0x08, 0x0e }, /* BackSpace */
    { 0x09, 0x0f }, /* Tab */
    { 0x0d, 0x1c }, /* Return */
    { 0x13, 0xc6 }, /* Pause (Ctrl+Break form) */
    { 0x14, 0x46 }, /* Scroll_Lock */
    { 0x15, 0x54 }, /* Sys_Req: what Alt+PrintScreen sends */
    { 0x1b, 0x01 }, /* Escape */
    { 0x50, 0xc7 }, /* Home */
    { 0x51, 0xcb }, /* Left */
    { 0x52, 0xc8 }, /* Up */
    { 0x53, 0xcd }, /* Right */
    { 0x54, 0xd0 }, /* Down */
    { 0x55, 0xc9 }, /* Prior */
    { 0x56, 0xd1 }, /* Next */
    { 0x57, 0xcf }, /* End */
    { 0x61, 0xb7 }, /* Print */
    { 0x63, 0xd2 }, /* Insert */
    { 0x67, 0xdd }, /* Menu */
    { 0x7f, 0x45 }, /* Num_Lock */
    { 0x8d, 0x9c }, /* KP_Enter */
    { 0xe1, 0x2a }, /* Shift_L */
    { 0xe2, 0x36 }, /* Shift_R */
    { 0xe3, 0x1d }, /* Control_L */
    { 0xe4, 0x9d }, /* Control_R */
    { 0xe5, 0x3a }, /* Caps_Lock */
    { 0xe9, 0x38 }, /* Alt_L */
    { 0xea, 0xb8 }, /* Alt_R */
    { 0xeb, 0xdb }, /* Super_L */
    { 0xec, 0xdc }, /* Super_R */
    { 0xff, 0xd3 }, /* Delete */
};

static uint32_t
function_key(uint32_t keysym)
{
    unsigned n = keysym - VD_KS_F1; /* 0 = F1 */

    if (n < 10)
        return 0x3b + n;
    if (n < 12)
        return 0x57 + (n - 10);
    return 0;
}

uint32_t
vd_keysym_to_keycode(uint32_t keysym, bool *shift)
{
    if (shift)
        *shift = false;
    if (keysym >= 0x20 && keysym <= 0x7e) {
        uint16_t k = ascii_keys[keysym - 0x20];
        if (shift)
            *shift = (k & 0x100) != 0;
        return k & 0xff;
    }
    if (keysym >= VD_KS_F1 && keysym < VD_KS_F1 + 12)
        return function_key(keysym);
    if ((keysym & 0xff00) != 0xff00)
        return 0;
    for (size_t i = 0; i < sizeof special_keys / sizeof special_keys[0]; i++)
        if (special_keys[i].keysym_low == (keysym & 0xff))
            return special_keys[i].code;
    return 0;
}

uint32_t
vd_char_to_keysym(uint32_t ch)
{
    if (ch >= 0x20 && ch <= 0x7e)
        return ch;
    if (ch == '\n' || ch == '\r')
        return VD_KS_RETURN;
    if (ch == '\t')
        return VD_KS_TAB;
    return 0;
}
