/* virtdeck - TCP tunnels through one shared SSH session per host (libssh2)
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A console on a qemu+ssh:// host reaches the remote VNC port (which listens
 * on the remote loopback) through a direct-tcpip channel. All channels to one
 * user@host:port share one SSH session, owned by one I/O thread that pumps
 * every channel into a socketpair; the console gets its end of the pair as a
 * plain socket. The session is closed when its last channel closes.
 *
 * Authentication: ssh-agent, then ~/.ssh/id_ed25519, id_ecdsa, id_rsa
 * (without passphrase; a key that has one is reported) and the URI's
 * keyfile= parameter. The host key is checked against ~/.ssh/known_hosts:
 * an unknown key is shown to the user (hostkey handler), a changed one is
 * refused. This header includes no libssh2 header. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

/* Blocking (call it from a console's own thread, never from the UI): opens
 * a channel to host:port as seen from the SSH server of uri (an ssh URI such
 * as qemu+ssh://root@10.0.0.2:2222/system), starting the host's session if
 * needed. Returns the local socket, or -1 and a translated *error. Closing
 * the socket closes the channel. */
int vd_ssh_tunnel_open(const char *uri, const char *host, int port, char **error);

/* Whether a libvirt URI goes over ssh (qemu+ssh, qemu+libssh2, qemu+libssh). */
bool vd_ssh_uri_is_ssh(const char *uri);

/* An unknown host key: the handler runs on ctx (the UI's context) with the
 * host ("[127.0.0.1]:2222" or "example.org"), the key type ("ssh-ed25519")
 * and fingerprint ("SHA256:..."); it must answer exactly once, later is
 * fine, with vd_ssh_question_answer(). Yes appends the key to known_hosts.
 * Without a handler, unknown keys are refused. */
struct vd_ssh_question;
typedef void (*vd_ssh_hostkey_fn)(struct vd_ssh_question *q, const char *host, const char *key_type,
                                  const char *fingerprint, gpointer user);
void vd_ssh_set_hostkey_handler(GMainContext *ctx, vd_ssh_hostkey_fn fn, gpointer user);
void vd_ssh_question_answer(struct vd_ssh_question *q, bool accept);

/* Live SSH sessions (for tests and the status line). */
guint vd_ssh_session_count(void);

/* ---- known_hosts decision, exposed for tests ---- */
enum vd_hostkey_verdict {
    VD_HOSTKEY_MATCH,    /* known, same key */
    VD_HOSTKEY_UNKNOWN,  /* no entry for this host and key type */
    VD_HOSTKEY_CHANGED,  /* an entry for this host has another key */
    VD_HOSTKEY_ERROR,
};
/* key: the server's public key blob (SSH wire format, as libssh2 returns it);
 * the known_hosts file may be missing (then UNKNOWN). Handles hashed
 * entries and the [host]:port form for port != 22. *error is set for
 * ERROR and CHANGED (translated, names the file and line when known). */
enum vd_hostkey_verdict vd_ssh_known_hosts_check(const char *path, const char *host, int port,
                                                 const unsigned char *key, size_t key_len,
                                                 char **error);
/* Host key algorithms for libssh2_session_method_pref: the types known_hosts
 * holds for host first; NULL when it holds none (g_free). */
char *vd_ssh_hostkey_prefs(const char *path, const char *host, int port);
/* Append one line for host (port != 22: [host]:port). */
bool vd_ssh_known_hosts_add(const char *path, const char *host, int port, const unsigned char *key,
                            size_t key_len, char **error);
/* "SHA256:base64" of a key blob, like ssh-keygen -l. */
char *vd_ssh_fingerprint(const unsigned char *key, size_t key_len);
/* Whether a private key file needs a passphrase (OpenSSH and PEM forms). */
bool vd_ssh_key_is_encrypted(const char *path);
