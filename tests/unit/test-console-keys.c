/* SPDX-License-Identifier: GPL-2.0-or-later
 * Keys from curses to the bytes a terminal sends (serial console) */
#include "config.h"

#include <string.h>
#include "ui/console.h"
#include "ui/term.h"

static void
expect(ui_key k, const char *modes, const char *bytes)
{
    char out[64];
    size_t n = ui_console_key_bytes(k, modes, out, sizeof out);
    g_autofree char *got = g_strescape(g_strndup(out, n), NULL);
    g_autofree char *want = g_strescape(bytes, NULL);

    if (n != strlen(bytes) || memcmp(out, bytes, n) != 0)
        g_error("key %#x: got \"%s\", want \"%s\"", (unsigned)k, got, want);
}

#define FN(k) (UI_KEY_FN | (k))

static void
test_plain(void)
{
    expect('a', NULL, "a");
    expect(0x44f, NULL, "\xd1\x8f");              /* я: UTF-8 */
    expect('\n', NULL, "\r");                      /* Enter sends CR */
    expect('\t', NULL, "\t");
    expect(UI_KEY_ESC, NULL, "\033");
    expect(FN(KEY_BACKSPACE), NULL, "\x7f");
    expect(3, NULL, "\x03");                       /* Ctrl+C as curses gives it */
    expect(0x1d, NULL, "\x1d");                    /* Ctrl+] (from the menu) */
}

static void
test_cursor_keys(void)
{
    expect(FN(KEY_UP), NULL, "\033[A");
    expect(FN(KEY_DOWN), NULL, "\033[B");
    expect(FN(KEY_RIGHT), NULL, "\033[C");
    expect(FN(KEY_LEFT), NULL, "\033[D");
    expect(FN(KEY_HOME), NULL, "\033[H");
    expect(FN(KEY_END), NULL, "\033[F");
    /* application cursor keys (DECCKM), as vim and less set them */
    expect(FN(KEY_UP), "\033[?1h", "\033OA");
    expect(FN(KEY_LEFT), "\033[?1h", "\033OD");
    expect(FN(KEY_PPAGE), NULL, "\033[5~");
    expect(FN(KEY_NPAGE), NULL, "\033[6~");
    expect(FN(KEY_IC), NULL, "\033[2~");
    expect(FN(KEY_DC), NULL, "\033[3~");
    expect(FN(KEY_BTAB), NULL, "\033[Z");
}

static void
test_function_keys(void)
{
    expect(FN(KEY_F(1)), NULL, "\033OP");
    expect(FN(KEY_F(4)), NULL, "\033OS");
    expect(FN(KEY_F(5)), NULL, "\033[15~");
    expect(FN(KEY_F(10)), NULL, "\033[21~");
    expect(FN(KEY_F(12)), NULL, "\033[24~");
    /* curses' F13 is Shift+F1 on xterm */
    expect(FN(KEY_F(13)), NULL, "\033[1;2P");
    expect(FN(KEY_F(17)), NULL, "\033[15;2~");
}

static void
test_modifiers(void)
{
    expect(UI_KEY_MOD_ALT | 'x', NULL, "\033x");
    expect(UI_KEY_MOD_ALT | 0x44f, NULL, "\033\xd1\x8f");
    expect(UI_KEY_MOD_CTRL | FN(KEY_UP), NULL, "\033[1;5A");
    expect(UI_KEY_MOD_SHIFT | FN(KEY_RIGHT), NULL, "\033[1;2C");
    expect(UI_KEY_MOD_ALT | FN(KEY_LEFT), NULL, "\033[1;3D");
    expect(UI_KEY_MOD_CTRL | FN(KEY_DC), NULL, "\033[3;5~");
    expect(UI_KEY_MOD_CTRL | 'a', NULL, "\x01");
}

static void
test_decode(void)
{
    /* without a terminal the extended names are unknown: plain keys pass */
    g_assert_cmpint(ui_console_decode_key('a'), ==, 'a');
    g_assert_cmpint(ui_console_decode_key(FN(KEY_UP)), ==, FN(KEY_UP));
    g_assert_cmpint(ui_console_decode_key(FN(KEY_SR)), ==, UI_KEY_MOD_SHIFT | FN(KEY_UP));
    g_assert_cmpint(ui_console_decode_key(FN(KEY_SPREVIOUS)), ==, UI_KEY_MOD_SHIFT | FN(KEY_PPAGE));
    g_assert_cmpint(ui_console_decode_key(FN(KEY_SNEXT)), ==, UI_KEY_MOD_SHIFT | FN(KEY_NPAGE));
    /* terminfo's F13.. are modified F1-F12 */
    g_assert_cmpint(ui_console_decode_key(FN(KEY_F(13))), ==, UI_KEY_MOD_SHIFT | FN(KEY_F(1)));
    g_assert_cmpint(ui_console_decode_key(FN(KEY_F(24))), ==, UI_KEY_MOD_SHIFT | FN(KEY_F(12)));
    g_assert_cmpint(ui_console_decode_key(FN(KEY_F(29))), ==, UI_KEY_MOD_CTRL | FN(KEY_F(5)));
    g_assert_cmpint(ui_console_decode_key(FN(KEY_F(49))), ==, UI_KEY_MOD_ALT | FN(KEY_F(1)));
    g_assert_cmpint(ui_console_decode_key(FN(KEY_F(12))), ==, FN(KEY_F(12)));
    /* decoded Shift+F5 sends what xterm sends */
    expect(ui_console_decode_key(FN(KEY_F(17))), NULL, "\033[15;2~");
}

static void
test_decode_terminal(void)
{
    /* with xterm's terminfo, curses names Ctrl+Up kUP5 */
    SCREEN *s;
    FILE *out = fopen("/dev/null", "w");
    FILE *in = fopen("/dev/null", "r");
    int code;

    if (!out || !in || !(s = newterm("xterm-256color", out, in))) {
        g_test_skip("no xterm-256color terminfo");
        if (out)
            fclose(out);
        if (in)
            fclose(in);
        return;
    }
    keypad(stdscr, TRUE);
    code = key_defined("\033[1;5A");
    if (code <= 0) {
        g_test_skip("terminfo has no kUP5");
    } else {
        g_assert_cmpint(ui_console_decode_key(FN(code)), ==, UI_KEY_MOD_CTRL | FN(KEY_UP));
        code = key_defined("\033[1;3D");
        if (code > 0)
            g_assert_cmpint(ui_console_decode_key(FN(code)), ==, UI_KEY_MOD_ALT | FN(KEY_LEFT));
        code = key_defined("\033[3;2~");
        if (code > 0)
            g_assert_cmpint(ui_console_decode_key(FN(code)), ==, UI_KEY_MOD_SHIFT | FN(KEY_DC));
    }
    endwin();
    delscreen(s);
    fclose(out);
    fclose(in);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/console-keys/plain", test_plain);
    g_test_add_func("/console-keys/cursor", test_cursor_keys);
    g_test_add_func("/console-keys/function", test_function_keys);
    g_test_add_func("/console-keys/modifiers", test_modifiers);
    g_test_add_func("/console-keys/decode", test_decode);
    g_test_add_func("/console-keys/decode-terminal", test_decode_terminal);
    return g_test_run();
}
