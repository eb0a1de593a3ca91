/* virtdeck - a domain's text console as a byte stream (no curses, no libvirt types)
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * virDomainOpenConsole on a non-blocking virStream, opened through the
 * host's worker (a quick task), then driven by libvirt's event loop thread
 * (virStreamEventAddCallback): it works over qemu+ssh and for LXC without
 * any extra port. Guest bytes and state changes are delivered on the
 * GMainContext given to vd_console_open (the UI's), coalesced; writes are
 * queued and sent by the stream callback. Nothing here blocks the caller. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include "conn.h"

enum vd_console_status {
    VD_CONSOLE_OPENED = 0,      /* stream open, bytes will follow */
    VD_CONSOLE_BUSY,            /* another client holds the console: retry with force */
    VD_CONSOLE_FAILED,          /* could not open, or the stream failed */
    VD_CONSOLE_EOF,             /* the guest side ended (shut down, taken over) */
};

struct vd_console_callbacks {
    /* Bytes from the guest (untrusted: feed them to a terminal emulator,
     * never to the real terminal). */
    void (*data)(const char *buf, size_t len, gpointer user);
    /* message: translated, sanitized, carries libvirt's error; NULL for OPENED. */
    void (*status)(enum vd_console_status st, const char *message, gpointer user);
};

struct vd_console;

/* Open the first console (devname NULL) or the named one ("serial0",
 * "console0") of the domain with this UUID. force: take it over from
 * another client (VIR_DOMAIN_CONSOLE_FORCE). Callbacks run on ctx until
 * vd_console_close. */
struct vd_console *vd_console_open(struct vd_conn *c, const char *uuid, const char *devname,
                                   bool force, GMainContext *ctx,
                                   const struct vd_console_callbacks *cb, gpointer user);
/* Queue bytes for the guest. Ignored once the stream ended. */
void vd_console_write(struct vd_console *con, const char *buf, size_t len);
/* Close (in the background) and free; no callback runs after this returns
 * (when called on ctx's thread). Never blocks. */
void vd_console_close(struct vd_console *con);

/* Whether a libvirt error (code, message) means "console in use by another
 * client" (VIR_ERR_OPERATION_FAILED, "Active console session exists for
 * this domain"). Exposed for tests. */
bool vd_console_error_is_busy(int code, const char *message);
