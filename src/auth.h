/* virtdeck - credentials asked in the UI: passwords, passphrases, host keys
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A worker thread (libvirt's auth callback) or the askpass server thread (ssh
 * run by libvirt for qemu+ssh://) calls vd_auth_ask(): the question is
 * posted to the UI context, the calling thread waits until the UI answers
 * or the host is closed. Answers are kept in memory for the session (same
 * host, same prompt: asked once), never written anywhere, and wiped when
 * dropped. Without a handler (--dump, tests) every question is refused.
 *
 * The ssh transport: vd_askpass_start() makes a private directory (0700)
 * with a unix socket and two small scripts; ssh runs through a wrapper
 * (the URI's command= parameter) that sets SSH_ASKPASS to `virtdeck
 * --askpass` and SSH_ASKPASS_REQUIRE=force, so ssh never opens the
 * terminal; the helper sends the prompt over the socket and prints the
 * answer. This header includes no libvirt header. */
#pragma once

#include <glib.h>
#include <stdbool.h>

enum vd_auth_kind {
    VD_AUTH_SECRET = 0,      /* password, passphrase: hidden input */
    VD_AUTH_TEXT,            /* user name: visible input */
    VD_AUTH_CONFIRM,         /* host key: yes or no */
};

struct vd_auth_request;
/* Runs on the UI context; the handler owns one reference of r until it
 * calls vd_auth_request_answer(). */
typedef void (*vd_auth_fn)(struct vd_auth_request *r, gpointer user);

void vd_auth_set_handler(GMainContext *ctx, vd_auth_fn fn, gpointer user);
bool vd_auth_interactive(void);

/* The host (URI) asking; the prompt, sanitized, lines split by '\n'. */
const char *vd_auth_request_uri(const struct vd_auth_request *r);
const char *vd_auth_request_prompt(const struct vd_auth_request *r);
enum vd_auth_kind vd_auth_request_kind(const struct vd_auth_request *r);
/* The host was closed or the asker gave up: the UI drops its dialog. */
bool vd_auth_request_cancelled(const struct vd_auth_request *r);
/* answer NULL: cancelled by the user. For CONFIRM give "yes" or "no".
 * Drops the handler's reference. */
void vd_auth_request_answer(struct vd_auth_request *r, const char *answer);

/* Worker side: blocks until answered; NULL when refused or cancelled.
 * session: an id of the asking attempt (an ssh process, one open call):
 * an answer taken from the cache that the same session asks for again was
 * wrong, so it is dropped and the user is asked. Free with vd_secret_free. */
char *vd_auth_ask(const char *uri, const char *prompt, enum vd_auth_kind kind, guint64 session);
/* Cancel the questions of this host (it was closed). */
void vd_auth_cancel_uri(const char *uri);
/* Forget the cached answers of this host (authentication failed). */
void vd_auth_forget(const char *uri);
/* Wipe and free. */
void vd_secret_free(char *s);
void vd_secret_wipe(void *p, gsize n);

/* ---- ssh askpass ---- */

/* UI mode only: private directory, socket and server thread. */
bool vd_askpass_start(char **error);
void vd_askpass_stop(void);
/* The ssh wrapper to pass as command= for this URI, or NULL when askpass is
 * not running (then ssh runs in BatchMode). */
char *vd_askpass_ssh_command(const char *uri);
/* `virtdeck --askpass PROMPT`: the helper ssh runs. Exit code. */
int vd_askpass_client(const char *prompt);

/* A friendly message for ssh's and libssh2's host key refusals, or NULL
 * when err is something else. */
char *vd_auth_explain_error(const char *uri, const char *err);
