/* virtdeck - building libvirt URIs from parts (add connection dialog)
 * SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

struct vd_uri_parts {
    const char *driver;      /* "qemu", "lxc", "test" */
    const char *transport;   /* "" (local), "ssh", "libssh2", "tls", "tcp", "unix" */
    const char *user;        /* may be empty */
    const char *host;        /* may be empty for local */
    unsigned int port;       /* 0: default */
    const char *path;        /* "system", "session", or for test a file */
};

/* Returns the URI, or NULL and a translated *error. */
char *vd_uri_build(const struct vd_uri_parts *p, char **error);
