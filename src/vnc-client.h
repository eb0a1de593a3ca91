/* virtdeck - VNC client of one console (libvncclient on its own thread)
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Where to connect comes from the live domain XML (vd_vnc_lookup, a quick
 * task on the host's worker). vd_vnc_open() then runs libvncclient on a
 * thread of its own: directly to listen:port or the unix socket for local
 * hosts, through the host's shared SSH session for ssh URIs (ssh-tunnel.h).
 * The thread keeps a copy of the framebuffer that the UI reads under a lock
 * (vd_vnc_frame_lock), with the rectangles changed since its last read; the
 * UI gets one coalesced event callback on its context per batch of changes,
 * so it never waits for the network. Input is queued and sent by the thread.
 * This header includes no libvncclient or libvirt header. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "conn.h"

/* Where a domain's VNC server listens, from its live XML. */
struct vd_vnc_target {
    char *listen;     /* address on the libvirt host ("127.0.0.1"), NULL with a socket */
    int port;         /* TCP port, -1 with a socket */
    char *socket;     /* unix socket path, or NULL */
    bool password;    /* a passwd attribute is set: ask the user */
};
void vd_vnc_target_free(struct vd_vnc_target *t);
struct vd_vnc_target *vd_vnc_target_dup(const struct vd_vnc_target *t);
typedef struct vd_vnc_target vd_vnc_target;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(vd_vnc_target, vd_vnc_target_free)

/* Parse a domain XML (exposed for tests). NULL and a translated *error when
 * the domain has no VNC graphics or it does not listen (not running). */
struct vd_vnc_target *vd_vnc_target_parse(const char *xml, char **error);

/* Reads the domain's live XML on the host's worker. done's result is a
 * struct vd_vnc_target * (freed after done: keep a vd_vnc_target_dup()). */
void vd_vnc_lookup(struct vd_conn *c, const char *uuid, vd_task_done_fn done, gpointer user);

enum vd_vnc_state {
    VD_VNC_CONNECTING,
    VD_VNC_CONNECTED,
    VD_VNC_FAILED,     /* could not connect, or authentication failed */
    VD_VNC_CLOSED,     /* the server closed the connection */
};
enum vd_vnc_error {
    VD_VNC_ERR_NONE,
    VD_VNC_ERR_CONNECT,       /* refused, unreachable, SSH failure */
    VD_VNC_ERR_NEED_PASSWORD, /* the server asked for a password, none given */
    VD_VNC_ERR_AUTH,          /* the password was refused */
    VD_VNC_ERR_PROTOCOL,
};

struct vd_vnc;
/* On the UI context, coalesced: the frame or the state changed. */
typedef void (*vd_vnc_event_fn)(struct vd_vnc *v, gpointer user);

/* uri: the libvirt URI of the host (decides direct vs SSH). password may be
 * NULL; it is copied, used once and wiped. Never blocks. */
struct vd_vnc *vd_vnc_open(const char *uri, const struct vd_vnc_target *t, const char *password,
                           GMainContext *ui_ctx, vd_vnc_event_fn ev, gpointer user);
/* Stops the thread (it exits on its own) and drops the caller's reference;
 * no event is delivered after this. Never blocks. */
void vd_vnc_close(struct vd_vnc *v);

/* State, error kind and a translated message for FAILED/CLOSED (g_free). */
enum vd_vnc_state vd_vnc_get_state(struct vd_vnc *v, enum vd_vnc_error *err, char **message);

struct vd_vnc_rect { int x, y, w, h; };
struct vd_vnc_frame {
    const uint32_t *px;   /* 0x00RRGGBB, row r starts at px + r * stride_px */
    int width, height, stride_px;
    bool resized;         /* size changed since the last lock: redraw all */
    int n_damage;         /* rectangles changed since the last lock */
    const struct vd_vnc_rect *damage;
    guint64 serial;       /* grows with every update */
};
/* Locks the frame (the network thread waits only while it copies a
 * finished update in) and takes the damage. px is NULL before the first
 * frame. Unlock soon. */
void vd_vnc_frame_lock(struct vd_vnc *v, struct vd_vnc_frame *f);
void vd_vnc_frame_unlock(struct vd_vnc *v);

/* Whether keys go as QEMU extended key events (the server offered them). */
bool vd_vnc_has_scancodes(struct vd_vnc *v);

/* Input, queued; keysym from vnc-keymap.h, mods VD_MOD_*: presses the
 * modifiers, the key, and releases them again. */
void vd_vnc_key_press(struct vd_vnc *v, uint32_t keysym, unsigned mods);
void vd_vnc_key(struct vd_vnc *v, uint32_t keysym, bool down);
/* Types text (UTF-8; what has no key on a US keyboard is skipped). Returns
 * the number of characters typed. */
int vd_vnc_type_text(struct vd_vnc *v, const char *text);
/* buttons: bit 0 left, 1 middle, 2 right, 3 wheel up, 4 wheel down. */
void vd_vnc_pointer(struct vd_vnc *v, int x, int y, int buttons);
