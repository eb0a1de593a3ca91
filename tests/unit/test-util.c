/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <locale.h>
#include "util.h"

static void
check_sanitize(const char *in, const char *want)
{
    g_autofree char *out = vd_sanitize(in);
    g_assert_cmpstr(out, ==, want);
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
    g_test_add_func("/util/format", test_format);
    return g_test_run();
}
