/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <locale.h>
#include "util.h"

static void
check_sanitize(const char *in, const char *want)
{
    g_autofree char *out = vd_sanitize(in);
    g_assert_cmpstr(out, ==, want);
    g_assert_true(g_utf8_validate(out, -1, NULL));
}

/* Random bytes: the result is always valid UTF-8 without C0/C1 controls. */
static void
test_sanitize_fuzz(void)
{
    GRand *r = g_rand_new_with_seed(42);

    for (int n = 0; n < 20000; n++) {
        char buf[64];
        int len = g_rand_int_range(r, 0, sizeof buf - 1);
        g_autofree char *out = NULL;

        for (int i = 0; i < len; i++) {
            /* bias towards the interesting bytes */
            static const unsigned char pick[] = { 0x1b, '[', ']', 0x07, 0xc2, 0x9b, 0x9d, 0x9c, '\\', 'P', 'm', 'a', 0xd0, 0x96, 0xe2, 0x80, 0xae };
            buf[i] = g_rand_boolean(r) ? (char)pick[g_rand_int_range(r, 0, sizeof pick)]
                                       : (char)g_rand_int_range(r, 1, 256);
        }
        buf[len] = '\0';
        out = vd_sanitize(buf);
        g_assert_true(g_utf8_validate(out, -1, NULL));
        for (const char *p = out; *p; p = g_utf8_next_char(p)) {
            gunichar c = g_utf8_get_char(p);
            g_assert_false(c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f));
        }
    }
    g_rand_free(r);
}

static void
test_sanitize(void)
{
    check_sanitize(NULL, "");
    check_sanitize("plain-name_1", "plain-name_1");
    check_sanitize("a\033[2Jb", "ab");                      /* CSI */
    check_sanitize("a\033[38;5;196mred\033[0m", "ared");
    check_sanitize("x\033]0;evil title\007y", "xy");        /* OSC ended by BEL */
    check_sanitize("x\033]52;c;Zm9v\033\\y", "xy");         /* OSC 52 ended by ST */
    check_sanitize("x\xc2\x9b" "31mY", "xY");               /* C1 CSI */
    check_sanitize("tab\there", "tab here");
    check_sanitize("line\nbreak\r\n", "line break ");
    check_sanitize("bell\007del\177", "belldel");
    check_sanitize("\033c", "");                            /* RIS */
    check_sanitize("\033(0q", "q");                         /* charset switch */
    check_sanitize("веб-сервер", "веб-сервер");
    check_sanitize("虚拟机", "虚拟机");
    check_sanitize("bidi\xe2\x80\xae" "evil", "bidievil");     /* U+202E */
    check_sanitize("bad\xff" " utf8", "bad\xef\xbf\xbd" " utf8");
    check_sanitize("zero\xe2\x80\x8b" "width\xef\xbb\xbf", "zerowidth");   /* ZWSP, BOM */
    /* ESC before a multi-byte character must not split it: a raw 0x9b
     * byte would be an 8-bit CSI */
    check_sanitize("a\033\xc2\x9b" "31mz", "az");
    check_sanitize("a\033\xc2\x9d" "0;pwn\007z", "az");
    check_sanitize("a\033\xd0\x96z", "a\xd0\x96z");
    check_sanitize("a\033[1\xd0\x96z", "a\xd0\x96z");
    check_sanitize("trailing\033", "trailing");
    check_sanitize("trailing\033[12", "trailing");
}

static void
test_format(void)
{
    struct { unsigned long long kib; const char *want; } cases[] = {
        { 0, "0 KiB" }, { 512, "512 KiB" }, { 1024, "1 MiB" }, { 65536, "64 MiB" },
        { 1572864, "1.5 GiB" }, { 16777216, "16 GiB" }, { 1536, "1.5 MiB" },
        { 1024ULL * 1024 * 1024 * 2, "2 TiB" }, { 200 * 1024, "200 MiB" },
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *s = vd_format_kib(cases[i].kib);
        g_assert_cmpstr(s, ==, cases[i].want);
    }
    g_autofree char *v = vd_format_version(9000000);
    g_assert_cmpstr(v, ==, "9.0.0");
    g_autofree char *v2 = vd_format_version(10002003);
    g_assert_cmpstr(v2, ==, "10.2.3");
    g_autofree char *v3 = vd_format_version(0);
    g_assert_cmpstr(v3, ==, "");
}

int
main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/util/sanitize", test_sanitize);
    g_test_add_func("/util/sanitize-fuzz", test_sanitize_fuzz);
    g_test_add_func("/util/format", test_format);
    return g_test_run();
}
