/* virtdeck - building libvirt URIs from parts
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "i18n.h"
#include "uri.h"

static bool
empty(const char *s)
{
    return !s || !*s;
}

static bool
valid_host(const char *h)
{
    for (const char *p = h; *p; p++)
        if (!g_ascii_isalnum(*p) && !strchr(".-_:", *p))
            return false;
    return true;
}

/* An IPv6 address: hex digits, dots (embedded IPv4) and at least two colons. */
static bool
is_ipv6(const char *h)
{
    int colons = 0;

    for (const char *p = h; *p; p++) {
        if (*p == ':')
            colons++;
        else if (!g_ascii_isxdigit(*p) && *p != '.')
            return false;
    }
    return colons >= 2;
}

char *
vd_uri_build(const struct vd_uri_parts *p, char **error)
{
    g_autoptr(GString) u = g_string_new(NULL);
    const char *driver = empty(p->driver) ? "qemu" : p->driver;
    const char *transport = empty(p->transport) || strcmp(p->transport, "local") == 0 ? "" : p->transport;
    bool remote = *transport && strcmp(transport, "unix") != 0;
    const char *path = empty(p->path) ? (strcmp(driver, "test") == 0 ? "default" : "system") : p->path;

    *error = NULL;
    if (strcmp(driver, "qemu") && strcmp(driver, "lxc") && strcmp(driver, "test") &&
        strcmp(driver, "xen") && strcmp(driver, "ch") && strcmp(driver, "bhyve")) {
        *error = g_strdup_printf(_("unknown driver “%s”"), driver);
        return NULL;
    }
    if (*transport && strcmp(transport, "ssh") && strcmp(transport, "libssh2") &&
        strcmp(transport, "libssh") && strcmp(transport, "tls") && strcmp(transport, "tcp") &&
        strcmp(transport, "unix") && strcmp(transport, "ext")) {
        *error = g_strdup_printf(_("unknown transport “%s”"), transport);
        return NULL;
    }
    if (remote && empty(p->host)) {
        *error = g_strdup(_("a remote transport needs a host name"));
        return NULL;
    }
    if (!empty(p->host) && !valid_host(p->host)) {
        *error = g_strdup_printf(_("invalid host name “%s”"), p->host);
        return NULL;
    }
    if (!empty(p->host) && strchr(p->host, ':') && !is_ipv6(p->host)) {
        *error = g_strdup_printf(_("invalid host name “%s”: put the port in the Port field"), p->host);
        return NULL;
    }
    if (!empty(p->user) && strpbrk(p->user, "@/:?# ")) {
        *error = g_strdup_printf(_("invalid user name “%s”"), p->user);
        return NULL;
    }
    if (p->port > 65535) {
        *error = g_strdup(_("port must be between 1 and 65535"));
        return NULL;
    }
    if (p->port && empty(p->host)) {
        *error = g_strdup(_("a port needs a host name"));
        return NULL;
    }

    g_string_append(u, driver);
    if (*transport)
        g_string_append_printf(u, "+%s", transport);
    g_string_append(u, "://");
    if (!empty(p->host)) {
        if (!empty(p->user))
            g_string_append_printf(u, "%s@", p->user);
        if (strchr(p->host, ':') && p->host[0] != '[')
            g_string_append_printf(u, "[%s]", p->host);
        else
            g_string_append(u, p->host);
        if (p->port)
            g_string_append_printf(u, ":%u", p->port);
    }
    if (path[0] != '/')
        g_string_append_c(u, '/');
    g_string_append(u, path);
    return g_string_free(g_steal_pointer(&u), FALSE);
}
