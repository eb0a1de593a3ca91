/* virtdeck - small helpers shared by core and UI
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* Skip an escape sequence starting at s (s[0] is ESC or a C1 introducer
 * already decoded as cp); returns the number of bytes to drop. */
static size_t
skip_escape(const char *s, size_t len, gunichar intro)
{
    size_t i = 0;
    gboolean csi = FALSE, string = FALSE;

    if (intro == 0x1b) {
        i = 1;
        if (i >= len)
            return i;
        switch (s[i]) {
        case '[': csi = TRUE; i++; break;
        case ']': case 'P': case 'X': case '^': case '_': string = TRUE; i++; break;
        default:
            /* ESC, intermediates, one final byte; a non-ASCII character
             * is no final byte: it stays, whole */
            while (i < len && (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] <= 0x2f)
                i++;
            if (i < len && (unsigned char)s[i] >= 0x30 && (unsigned char)s[i] <= 0x7e)
                i++;
            return i;
        }
    } else {
        i = g_unichar_to_utf8(intro, NULL);
        if (intro == 0x9b)
            csi = TRUE;
        else if (intro == 0x9d || intro == 0x90 || intro == 0x98 || intro == 0x9e || intro == 0x9f)
            string = TRUE;
        else
            return i;
    }
    if (csi) {
        /* parameters and intermediates (0x20-0x3f), then a final byte;
         * anything else ends the sequence and is kept */
        while (i < len) {
            unsigned char c = (unsigned char)s[i];
            if (c < 0x20 || c > 0x7e)
                break;
            i++;
            if (c >= 0x40)
                break;
        }
    } else if (string) {
        /* until BEL, ST (ESC \) or C1 ST (U+009C) */
        while (i < len) {
            unsigned char c = (unsigned char)s[i];
            if (c == 0x07) { i++; break; }
            if (c == 0x1b && i + 1 < len && s[i + 1] == '\\') { i += 2; break; }
            if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] == 0x9c) { i += 2; break; }
            i++;
        }
    }
    return i;
}

char *
vd_sanitize(const char *s)
{
    g_autofree char *valid = NULL;
    GString *out;
    size_t len, i = 0;

    if (!s)
        return g_strdup("");
    valid = g_utf8_make_valid(s, -1);
    len = strlen(valid);
    out = g_string_sized_new(len);
    while (i < len) {
        const char *p = valid + i;
        gunichar c = g_utf8_get_char(p);
        size_t clen = g_utf8_next_char(p) - p;

        if (c == 0x1b || (c >= 0x80 && c <= 0x9f)) {
            i += skip_escape(p, len - i, c);
            continue;
        }
        if (c == '\t' || c == '\n' || c == '\r') {
            if (out->len && out->str[out->len - 1] != ' ')
                g_string_append_c(out, ' ');
        } else if (c < 0x20 || c == 0x7f || c == 0x2028 || c == 0x2029 ||
                   g_unichar_type(c) == G_UNICODE_FORMAT) {
            /* other controls, line separators, bidi overrides, zero-width
             * and other invisible format characters: drop */
        } else {
            g_string_append_len(out, p, clen);
        }
        i += clen;
    }
    return g_string_free(out, FALSE);
}

char *
vd_format_kib(unsigned long long kib)
{
    static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
    double v = (double)kib;
    unsigned u = 0;

    while (v >= 1024.0 && u + 1 < G_N_ELEMENTS(units)) {
        v /= 1024.0;
        u++;
    }
    if (v >= 100.0 || v == (double)(unsigned long long)v)
        return g_strdup_printf("%.0f %s", v, units[u]);
    return g_strdup_printf("%.1f %s", v, units[u]);
}

char *
vd_format_version(unsigned long v)
{
    if (!v)
        return g_strdup("");
    return g_strdup_printf("%lu.%lu.%lu", v / 1000000, (v / 1000) % 1000, v % 1000);
}

gint64
vd_now_ms(void)
{
    return g_get_monotonic_time() / 1000;
}

bool
vd_write_all(int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t w = write(fd, buf, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        buf += w;
        len -= (size_t)w;
    }
    return true;
}
