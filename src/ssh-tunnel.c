/* virtdeck - TCP tunnels through one shared SSH session per host (libssh2)
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * libssh2 sessions are not thread safe: each session has one I/O thread
 * that owns it, opens the channels asked for (requests queue) and pumps
 * every channel into its socketpair with the session in non-blocking mode. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gstdio.h>
#include <libssh2.h>

#include "i18n.h"
#include "ssh-tunnel.h"
#include "util.h"

#define BUF_SIZE 32768
#define CONNECT_TIMEOUT_MS 10000

struct channel {
    LIBSSH2_CHANNEL *ch;
    int fd; /* our end of the socketpair */
    char to_remote[BUF_SIZE];
    size_t tr_len, tr_off;
    char to_local[BUF_SIZE];
    size_t tl_len, tl_off;
    bool closing;
};

struct request {
    char *host;
    int port;
    bool done;
    int fd;
    char *error;
};

struct session {
    gint ref;  /* the I/O thread, and each console waiting for a channel */
    char *key; /* user@host:port */
    char *user, *host, *keyfile;
    int port;
    GMutex lock; /* requests, request results */
    GCond cond;
    GPtrArray *requests;
    int wake[2];
    /* I/O thread only */
    int sock;
    LIBSSH2_SESSION *s;
    GPtrArray *channels;
};

static GMutex registry_lock;
static GHashTable *registry; /* key -> struct session */

static GMainContext *hostkey_ctx;
static vd_ssh_hostkey_fn hostkey_fn;
static gpointer hostkey_user;

/* ---- URIs ---------------------------------------------------------------- */

bool
vd_ssh_uri_is_ssh(const char *uri)
{
    g_autofree char *scheme = g_uri_parse_scheme(uri);

    return scheme && (g_str_has_suffix(scheme, "+ssh") || g_str_has_suffix(scheme, "+libssh2") ||
                      g_str_has_suffix(scheme, "+libssh"));
}

static char *
query_param(GUri *u, const char *name)
{
    const char *q = g_uri_get_query(u);
    g_autoptr(GHashTable) params = NULL;

    if (!q)
        return NULL;
    params = g_uri_parse_params(q, -1, "&", G_URI_PARAMS_NONE, NULL);
    return params ? g_strdup(g_hash_table_lookup(params, name)) : NULL;
}

/* ---- known_hosts ------------------------------------------------------- */

static int
key_type_mask(const unsigned char *key, size_t len, const char **name)
{
    static const struct { const char *name; int mask; } types[] = {
        { "ssh-ed25519", LIBSSH2_KNOWNHOST_KEY_ED25519 },
        { "ssh-rsa", LIBSSH2_KNOWNHOST_KEY_SSHRSA },
        { "ssh-dss", LIBSSH2_KNOWNHOST_KEY_SSHDSS },
        { "ecdsa-sha2-nistp256", LIBSSH2_KNOWNHOST_KEY_ECDSA_256 },
        { "ecdsa-sha2-nistp384", LIBSSH2_KNOWNHOST_KEY_ECDSA_384 },
        { "ecdsa-sha2-nistp521", LIBSSH2_KNOWNHOST_KEY_ECDSA_521 },
    };
    uint32_t n;

    *name = "unknown";
    if (len < 4)
        return -1;
    n = (uint32_t)key[0] << 24 | (uint32_t)key[1] << 16 | (uint32_t)key[2] << 8 | key[3];
    if (n > len - 4)
        return -1;
    for (size_t i = 0; i < G_N_ELEMENTS(types); i++)
        if (strlen(types[i].name) == n && memcmp(key + 4, types[i].name, n) == 0) {
            *name = types[i].name;
            return types[i].mask;
        }
    return -1;
}

static char *
host_name(const char *host, int port)
{
    return port == 22 || port <= 0 ? g_strdup(host) : g_strdup_printf("[%s]:%d", host, port);
}

/* Read the file line by line: one line libssh2 cannot parse (a key type it
 * does not know, a @cert-authority marker) must not hide the others. */
static bool
read_known_hosts(LIBSSH2_KNOWNHOSTS *kh, const char *path, char **error)
{
    g_autofree char *text = NULL;
    g_autoptr(GError) err = NULL;
    g_auto(GStrv) lines = NULL;

    if (!g_file_get_contents(path, &text, NULL, &err)) {
        if (g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            return true;
        *error = g_strdup_printf(_("Could not read %s: %s"), path, err->message);
        return false;
    }
    lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        g_strstrip(*l);
        if (**l && **l != '#')
            libssh2_knownhost_readline(kh, *l, strlen(*l), LIBSSH2_KNOWNHOST_FILE_OPENSSH);
    }
    return true;
}

enum vd_hostkey_verdict
vd_ssh_known_hosts_check(const char *path, const char *host, int port, const unsigned char *key,
                         size_t key_len, char **error)
{
    const char *type_name;
    int type = key_type_mask(key, key_len, &type_name);
    g_autofree char *name = host_name(host, port);
    LIBSSH2_SESSION *s;
    LIBSSH2_KNOWNHOSTS *kh;
    struct libssh2_knownhost *found = NULL;
    enum vd_hostkey_verdict v;
    int rc;

    if (type < 0) {
        *error = g_strdup(_("The server's host key has a type virtdeck does not know"));
        return VD_HOSTKEY_ERROR;
    }
    s = libssh2_session_init();
    kh = s ? libssh2_knownhost_init(s) : NULL;
    if (!kh) {
        if (s)
            libssh2_session_free(s);
        *error = g_strdup(_("Out of memory"));
        return VD_HOSTKEY_ERROR;
    }
    if (!read_known_hosts(kh, path, error)) {
        libssh2_knownhost_free(kh);
        libssh2_session_free(s);
        return VD_HOSTKEY_ERROR;
    }
    rc = libssh2_knownhost_checkp(kh, name, -1, (const char *)key, key_len,
                                  LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | type,
                                  &found);
    switch (rc) {
    case LIBSSH2_KNOWNHOST_CHECK_MATCH:
        v = VD_HOSTKEY_MATCH;
        break;
    case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
        v = VD_HOSTKEY_CHANGED;
        *error = g_strdup_printf(_("The %s host key of %s has CHANGED since it was recorded in %s. "
                                   "Someone may be intercepting the connection, or the host was "
                                   "reinstalled: check it and remove the old key (ssh-keygen -R '%s')"),
                                 type_name, name, path, name);
        break;
    case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND:
        v = VD_HOSTKEY_UNKNOWN;
        break;
    default:
        v = VD_HOSTKEY_ERROR;
        *error = g_strdup_printf(_("Could not check the host key of %s"), name);
    }
    libssh2_knownhost_free(kh);
    libssh2_session_free(s);
    return v;
}

/* The host key algorithms to ask for: the types known_hosts already has for
 * this host first (as OpenSSH does), so that a known host is checked with
 * the key it was recorded with rather than reported as unknown. NULL when
 * none is known (libssh2's default order). */
char *
vd_ssh_hostkey_prefs(const char *path, const char *host, int port)
{
    static const struct { const char *method; int mask; } types[] = {
        { "ssh-ed25519", LIBSSH2_KNOWNHOST_KEY_ED25519 },
        { "ecdsa-sha2-nistp256", LIBSSH2_KNOWNHOST_KEY_ECDSA_256 },
        { "ecdsa-sha2-nistp384", LIBSSH2_KNOWNHOST_KEY_ECDSA_384 },
        { "ecdsa-sha2-nistp521", LIBSSH2_KNOWNHOST_KEY_ECDSA_521 },
        { "rsa-sha2-512,rsa-sha2-256,ssh-rsa", LIBSSH2_KNOWNHOST_KEY_SSHRSA },
    };
    g_autofree char *name = host_name(host, port), *error = NULL;
    g_autoptr(GString) known = g_string_new(NULL), other = g_string_new(NULL);
    LIBSSH2_SESSION *s = libssh2_session_init();
    LIBSSH2_KNOWNHOSTS *kh = s ? libssh2_knownhost_init(s) : NULL;
    static const char dummy[1] = { 0 };

    if (!kh || !read_known_hosts(kh, path, &error)) {
        if (kh)
            libssh2_knownhost_free(kh);
        if (s)
            libssh2_session_free(s);
        return NULL;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(types); i++) {
        /* a one-byte key never matches: MISMATCH means an entry of this type */
        int rc = libssh2_knownhost_checkp(kh, name, -1, dummy, sizeof dummy,
                                          LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW |
                                              types[i].mask,
                                          NULL);
        GString *to = rc == LIBSSH2_KNOWNHOST_CHECK_MISMATCH ? known : other;
        g_string_append_printf(to, "%s%s", to->len ? "," : "", types[i].method);
    }
    libssh2_knownhost_free(kh);
    libssh2_session_free(s);
    if (!known->len)
        return NULL;
    return g_strdup_printf("%s,%s", known->str, other->str);
}

bool
vd_ssh_known_hosts_add(const char *path, const char *host, int port, const unsigned char *key,
                       size_t key_len, char **error)
{
    const char *type_name;
    int type = key_type_mask(key, key_len, &type_name);
    g_autofree char *name = host_name(host, port), *dir = g_path_get_dirname(path);
    LIBSSH2_SESSION *s;
    LIBSSH2_KNOWNHOSTS *kh;
    struct libssh2_knownhost *store = NULL;
    char line[8192];
    size_t out = 0;
    bool ok = false;
    FILE *f;

    if (type < 0) {
        *error = g_strdup(_("The server's host key has a type virtdeck does not know"));
        return false;
    }
    s = libssh2_session_init();
    kh = libssh2_knownhost_init(s);
    if (libssh2_knownhost_addc(kh, name, NULL, (const char *)key, key_len, NULL, 0,
                               LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | type,
                               &store) == 0 &&
        libssh2_knownhost_writeline(kh, store, line, sizeof line, &out,
                                    LIBSSH2_KNOWNHOST_FILE_OPENSSH) == 0) {
        g_mkdir_with_parents(dir, 0700);
        f = fopen(path, "a");
        if (f) {
            ok = fwrite(line, 1, out, f) == out;
            ok = fclose(f) == 0 && ok;
        }
        if (!ok)
            *error = g_strdup_printf(_("Could not write %s: %s"), path, g_strerror(errno));
    } else {
        *error = g_strdup(_("Could not record the host key"));
    }
    libssh2_knownhost_free(kh);
    libssh2_session_free(s);
    return ok;
}

char *
vd_ssh_fingerprint(const unsigned char *key, size_t key_len)
{
    guint8 digest[32];
    gsize dlen = sizeof digest;
    g_autoptr(GChecksum) c = g_checksum_new(G_CHECKSUM_SHA256);
    g_autofree char *b64 = NULL;
    size_t n;

    g_checksum_update(c, key, key_len);
    g_checksum_get_digest(c, digest, &dlen);
    b64 = g_base64_encode(digest, dlen);
    n = strlen(b64);
    while (n && b64[n - 1] == '=')
        b64[--n] = '\0';
    return g_strdup_printf("SHA256:%s", b64);
}

bool
vd_ssh_key_is_encrypted(const char *path)
{
    static const char begin[] = "-----BEGIN OPENSSH PRIVATE KEY-----";
    g_autofree char *text = NULL, *body = NULL;
    g_autofree guchar *raw = NULL;
    const char *p, *end;
    gsize n = 0;
    uint32_t len;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return false;
    if (strstr(text, "ENCRYPTED"))
        return true; /* PEM: Proc-Type: 4,ENCRYPTED or BEGIN ENCRYPTED PRIVATE KEY */
    p = strstr(text, begin);
    if (!p)
        return false;
    p += sizeof begin - 1;
    end = strstr(p, "-----END");
    if (!end)
        return false;
    body = g_strndup(p, (gsize)(end - p));
    raw = g_base64_decode(body, &n);
    /* "openssh-key-v1\0", string ciphername */
    if (n < 19 || memcmp(raw, "openssh-key-v1", 15) != 0)
        return false;
    len = (uint32_t)raw[15] << 24 | (uint32_t)raw[16] << 16 | (uint32_t)raw[17] << 8 | raw[18];
    return !(len == 4 && n >= 23 && memcmp(raw + 19, "none", 4) == 0);
}

/* ---- host key question ------------------------------------------------- */

struct vd_ssh_question {
    GMutex lock;
    GCond cond;
    bool answered, accept;
    char *host, *type, *fingerprint;
};

void
vd_ssh_set_hostkey_handler(GMainContext *ctx, vd_ssh_hostkey_fn fn, gpointer user)
{
    g_mutex_lock(&registry_lock);
    hostkey_ctx = ctx;
    hostkey_fn = fn;
    hostkey_user = user;
    g_mutex_unlock(&registry_lock);
}

void
vd_ssh_question_answer(struct vd_ssh_question *q, bool accept)
{
    g_mutex_lock(&q->lock);
    q->answered = true;
    q->accept = accept;
    g_cond_signal(&q->cond);
    g_mutex_unlock(&q->lock);
}

static gboolean
ask_in_ui(gpointer data)
{
    struct vd_ssh_question *q = data;
    vd_ssh_hostkey_fn fn;
    gpointer user;

    g_mutex_lock(&registry_lock);
    fn = hostkey_fn;
    user = hostkey_user;
    g_mutex_unlock(&registry_lock);
    if (fn)
        fn(q, q->host, q->type, q->fingerprint, user);
    else
        vd_ssh_question_answer(q, false);
    return G_SOURCE_REMOVE;
}

/* On the session thread: ask the UI and wait for the answer. */
static bool
ask_hostkey(const char *host, const char *type, const char *fingerprint)
{
    struct vd_ssh_question q = { 0 };
    GMainContext *ctx;
    GSource *src;

    g_mutex_lock(&registry_lock);
    ctx = hostkey_fn ? hostkey_ctx : NULL;
    g_mutex_unlock(&registry_lock);
    if (!ctx)
        return false;
    g_mutex_init(&q.lock);
    g_cond_init(&q.cond);
    q.host = (char *)host;
    q.type = (char *)type;
    q.fingerprint = (char *)fingerprint;
    src = g_idle_source_new();
    g_source_set_callback(src, ask_in_ui, &q, NULL);
    g_source_attach(src, ctx);
    g_source_unref(src);
    g_mutex_lock(&q.lock);
    while (!q.answered)
        g_cond_wait(&q.cond, &q.lock);
    g_mutex_unlock(&q.lock);
    g_mutex_clear(&q.lock);
    g_cond_clear(&q.cond);
    return q.accept;
}

/* ---- connecting and authenticating ------------------------------------- */

static int
tcp_connect(const char *host, int port, char **error)
{
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
    char service[16];
    int fd = -1, err = ECONNREFUSED, rc, one = 1;

    snprintf(service, sizeof service, "%d", port);
    rc = getaddrinfo(host, service, &hints, &res);
    if (rc != 0) {
        *error = g_strdup_printf(_("Could not resolve %s: %s"), host, gai_strerror(rc));
        return -1;
    }
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        struct pollfd p;
        socklen_t len = sizeof err;
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
            err = errno;
        } else {
            p = (struct pollfd){ .fd = fd, .events = POLLOUT };
            if (poll(&p, 1, CONNECT_TIMEOUT_MS) <= 0)
                err = ETIMEDOUT;
            else
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        }
        if (err) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0) {
        *error = g_strdup_printf(_("Could not connect to %s port %d: %s"), host, port, g_strerror(err));
        return -1;
    }
    g_unix_set_fd_nonblocking(fd, FALSE, NULL);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static char *
ssh_error(LIBSSH2_SESSION *s)
{
    char *msg = NULL;

    libssh2_session_last_error(s, &msg, NULL, 0);
    return vd_sanitize(msg);
}

static bool
check_host_key(struct session *ss, char **error)
{
    size_t len = 0;
    int type = 0;
    const char *key = libssh2_session_hostkey(ss->s, &len, &type);
    g_autofree char *path = g_build_filename(g_get_home_dir(), ".ssh", "known_hosts", NULL);
    g_autofree char *fp = NULL, *name = NULL;
    const char *type_name;

    if (!key) {
        *error = g_strdup(_("The SSH server sent no host key"));
        return false;
    }
    switch (vd_ssh_known_hosts_check(path, ss->host, ss->port, (const unsigned char *)key, len, error)) {
    case VD_HOSTKEY_MATCH:
        return true;
    case VD_HOSTKEY_CHANGED:
    case VD_HOSTKEY_ERROR:
        return false;
    case VD_HOSTKEY_UNKNOWN:
        break;
    }
    fp = vd_ssh_fingerprint((const unsigned char *)key, len);
    name = host_name(ss->host, ss->port);
    key_type_mask((const unsigned char *)key, len, &type_name);
    if (!ask_hostkey(name, type_name, fp)) {
        *error = g_strdup_printf(_("The host key of %s (%s) is not known and was not accepted"), name, fp);
        return false;
    }
    return vd_ssh_known_hosts_add(path, ss->host, ss->port, (const unsigned char *)key, len, error);
}

static bool
auth_agent(struct session *ss)
{
    LIBSSH2_AGENT *agent = libssh2_agent_init(ss->s);
    struct libssh2_agent_publickey *id = NULL, *prev = NULL;
    bool ok = false;

    if (!agent)
        return false;
    if (g_getenv("SSH_AUTH_SOCK") && libssh2_agent_connect(agent) == 0) {
        if (libssh2_agent_list_identities(agent) == 0)
            while (!ok && libssh2_agent_get_identity(agent, &id, prev) == 0) {
                ok = libssh2_agent_userauth(agent, ss->user, id) == 0;
                prev = id;
            }
        libssh2_agent_disconnect(agent);
    }
    libssh2_agent_free(agent);
    return ok;
}

/* Tries the key files; lists the keys that need a passphrase in *locked. */
static bool
auth_keys(struct session *ss, GString *locked)
{
    static const char *const names[] = { "id_ed25519", "id_ecdsa", "id_rsa" };
    g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);

    if (ss->keyfile)
        g_ptr_array_add(files, g_strdup(ss->keyfile));
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
        g_ptr_array_add(files, g_build_filename(g_get_home_dir(), ".ssh", names[i], NULL));
    for (guint i = 0; i < files->len; i++) {
        const char *priv = files->pdata[i];
        g_autofree char *pub = g_strconcat(priv, ".pub", NULL);
        if (!g_file_test(priv, G_FILE_TEST_IS_REGULAR))
            continue;
        if (vd_ssh_key_is_encrypted(priv)) {
            g_string_append_printf(locked, "%s%s", locked->len ? ", " : "", priv);
            continue;
        }
        if (libssh2_userauth_publickey_fromfile(ss->s, ss->user,
                                                g_file_test(pub, G_FILE_TEST_IS_REGULAR) ? pub : NULL,
                                                priv, NULL) == 0)
            return true;
    }
    return false;
}

static bool
authenticate(struct session *ss, char **error)
{
    g_autoptr(GString) locked = g_string_new(NULL);
    char *methods = libssh2_userauth_list(ss->s, ss->user, (unsigned)strlen(ss->user));

    if (!methods && libssh2_userauth_authenticated(ss->s))
        return true;
    if (auth_agent(ss) || auth_keys(ss, locked))
        return true;
    if (locked->len)
        *error = g_strdup_printf(_("SSH authentication as %s on %s failed: the key %s needs a "
                                   "passphrase, which virtdeck cannot ask for yet (load it into "
                                   "ssh-agent)"),
                                 ss->user, ss->host, locked->str);
    else
        *error = g_strdup_printf(_("SSH authentication as %s on %s failed (tried ssh-agent and "
                                   "~/.ssh/id_ed25519, id_ecdsa, id_rsa)"),
                                 ss->user, ss->host);
    return false;
}

static bool
session_start(struct session *ss, char **error)
{
    ss->sock = tcp_connect(ss->host, ss->port, error);
    if (ss->sock < 0)
        return false;
    ss->s = libssh2_session_init();
    if (!ss->s) {
        *error = g_strdup(_("Out of memory"));
        return false;
    }
    libssh2_session_set_blocking(ss->s, 1);
    libssh2_session_set_timeout(ss->s, CONNECT_TIMEOUT_MS * 2);
    {
        g_autofree char *path = g_build_filename(g_get_home_dir(), ".ssh", "known_hosts", NULL);
        g_autofree char *prefs = vd_ssh_hostkey_prefs(path, ss->host, ss->port);
        if (prefs)
            libssh2_session_method_pref(ss->s, LIBSSH2_METHOD_HOSTKEY, prefs);
    }
    if (libssh2_session_handshake(ss->s, ss->sock) != 0) {
        g_autofree char *m = ssh_error(ss->s);
        *error = g_strdup_printf(_("SSH handshake with %s failed: %s"), ss->host, m);
        return false;
    }
    if (!check_host_key(ss, error) || !authenticate(ss, error))
        return false;
    libssh2_keepalive_config(ss->s, 1, 15);
    libssh2_session_set_timeout(ss->s, 0);
    return true;
}

/* ---- channels ------------------------------------------------------------ */

static void
channel_free(struct session *ss, struct channel *c)
{
    if (c->ch) {
        libssh2_session_set_blocking(ss->s, 1);
        libssh2_session_set_timeout(ss->s, 2000);
        libssh2_channel_close(c->ch);
        libssh2_channel_free(c->ch);
        libssh2_session_set_timeout(ss->s, 0);
        libssh2_session_set_blocking(ss->s, 0);
    }
    if (c->fd >= 0)
        close(c->fd);
    g_free(c);
}

static void
finish_request(struct session *ss, struct request *r, int fd, char *error)
{
    g_mutex_lock(&ss->lock);
    r->fd = fd;
    r->error = error;
    r->done = true;
    g_cond_broadcast(&ss->cond);
    g_mutex_unlock(&ss->lock);
}

static void
open_channel(struct session *ss, struct request *r)
{
    struct channel *c;
    LIBSSH2_CHANNEL *ch;
    int sv[2];

    libssh2_session_set_blocking(ss->s, 1);
    libssh2_session_set_timeout(ss->s, CONNECT_TIMEOUT_MS);
    ch = libssh2_channel_direct_tcpip_ex(ss->s, r->host, r->port, "127.0.0.1", 22);
    libssh2_session_set_timeout(ss->s, 0);
    libssh2_session_set_blocking(ss->s, 0);
    if (!ch) {
        g_autofree char *m = ssh_error(ss->s);
        finish_request(ss, r, -1,
                       g_strdup_printf(_("The SSH server %s could not open a tunnel to %s port %d: %s"),
                                       ss->host, r->host, r->port, m));
        return;
    }
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        finish_request(ss, r, -1, g_strdup_printf("socketpair: %s", g_strerror(errno)));
        libssh2_channel_free(ch);
        return;
    }
    g_unix_set_fd_nonblocking(sv[0], TRUE, NULL);
    c = g_new0(struct channel, 1);
    c->ch = ch;
    c->fd = sv[0];
    g_ptr_array_add(ss->channels, c);
    finish_request(ss, r, sv[1], NULL);
}

/* Move data both ways without blocking; true if anything moved. A channel
 * done in either direction is marked closing. */
static bool
pump(struct channel *c, bool *session_error)
{
    bool moved = false;
    ssize_t n;

    if (c->tr_len == 0) {
        n = read(c->fd, c->to_remote, BUF_SIZE);
        if (n > 0) {
            c->tr_len = (size_t)n;
            c->tr_off = 0;
        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
            c->closing = true; /* the console closed its end */
        }
    }
    while (c->tr_off < c->tr_len) {
        n = libssh2_channel_write(c->ch, c->to_remote + c->tr_off, c->tr_len - c->tr_off);
        if (n == LIBSSH2_ERROR_EAGAIN)
            break;
        if (n < 0) {
            c->closing = true;
            *session_error = n != LIBSSH2_ERROR_CHANNEL_CLOSED && n != LIBSSH2_ERROR_CHANNEL_EOF_SENT;
            return moved;
        }
        c->tr_off += (size_t)n;
        moved = true;
    }
    if (c->tr_off == c->tr_len)
        c->tr_len = c->tr_off = 0;
    if (c->tl_len == 0) {
        n = libssh2_channel_read(c->ch, c->to_local, BUF_SIZE);
        if (n > 0) {
            c->tl_len = (size_t)n;
            c->tl_off = 0;
        } else if (n == 0 || n == LIBSSH2_ERROR_EAGAIN) {
            if (libssh2_channel_eof(c->ch))
                c->closing = true;
        } else {
            c->closing = true;
            *session_error = n != LIBSSH2_ERROR_CHANNEL_CLOSED;
        }
    }
    while (c->tl_off < c->tl_len) {
        n = send(c->fd, c->to_local + c->tl_off, c->tl_len - c->tl_off, MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            break;
        if (n < 0) {
            c->closing = true;
            break;
        }
        c->tl_off += (size_t)n;
        moved = true;
    }
    if (c->tl_off == c->tl_len)
        c->tl_len = c->tl_off = 0;
    /* data the server sent before closing is delivered first */
    if (c->closing && c->tl_len)
        c->closing = c->tl_len == 0;
    return moved;
}

static void
take_requests(struct session *ss, GPtrArray *out)
{
    g_mutex_lock(&ss->lock);
    while (ss->requests->len)
        g_ptr_array_add(out, g_ptr_array_steal_index(ss->requests, 0));
    g_mutex_unlock(&ss->lock);
}

/* Leave the registry if there is nothing left to do. */
static bool
retire_if_idle(struct session *ss, bool failed)
{
    bool idle;

    g_mutex_lock(&registry_lock);
    g_mutex_lock(&ss->lock);
    idle = ss->requests->len == 0 && (failed || ss->channels->len == 0);
    if (idle && g_hash_table_lookup(registry, ss->key) == ss)
        g_hash_table_remove(registry, ss->key);
    g_mutex_unlock(&ss->lock);
    g_mutex_unlock(&registry_lock);
    return idle;
}

static void
wait_io(struct session *ss)
{
    g_autofree struct pollfd *p = g_new0(struct pollfd, ss->channels->len + 2);
    int dirs = libssh2_session_block_directions(ss->s), next = 15;
    char buf[64];
    guint n = 0;

    libssh2_keepalive_send(ss->s, &next);
    p[n++] = (struct pollfd){ .fd = ss->sock,
                              .events = POLLIN | (dirs & LIBSSH2_SESSION_BLOCK_OUTBOUND ? POLLOUT : 0) };
    p[n++] = (struct pollfd){ .fd = ss->wake[0], .events = POLLIN };
    for (guint i = 0; i < ss->channels->len; i++) {
        struct channel *c = ss->channels->pdata[i];
        p[n++] = (struct pollfd){ .fd = c->fd, .events = (c->tr_len == 0 ? POLLIN : 0) |
                                                         (c->tl_len ? POLLOUT : 0) };
    }
    poll(p, n, MAX(next, 1) * 1000);
    while (read(ss->wake[0], buf, sizeof buf) > 0)
        ;
}

static void
session_loop(struct session *ss)
{
    g_autoptr(GPtrArray) reqs = g_ptr_array_new();

    libssh2_session_set_blocking(ss->s, 0);
    for (;;) {
        bool moved = true, session_error = false;

        take_requests(ss, reqs);
        for (guint i = 0; i < reqs->len; i++)
            open_channel(ss, reqs->pdata[i]);
        g_ptr_array_set_size(reqs, 0);
        while (moved && !session_error) {
            moved = false;
            for (guint i = 0; i < ss->channels->len; i++)
                moved |= pump(ss->channels->pdata[i], &session_error);
        }
        for (guint i = ss->channels->len; i-- > 0;) {
            struct channel *c = ss->channels->pdata[i];
            if (c->closing || session_error) {
                g_ptr_array_remove_index(ss->channels, i);
                if (session_error)
                    c->ch = NULL; /* the session is gone: nothing to close politely */
                channel_free(ss, c);
            }
        }
        if (retire_if_idle(ss, session_error))
            return;
        wait_io(ss);
    }
}

static void
session_unref(struct session *ss)
{
    if (!g_atomic_int_dec_and_test(&ss->ref))
        return;
    close(ss->wake[0]);
    close(ss->wake[1]);
    g_ptr_array_unref(ss->requests);
    g_mutex_clear(&ss->lock);
    g_cond_clear(&ss->cond);
    g_free(ss->key);
    g_free(ss->user);
    g_free(ss->host);
    g_free(ss->keyfile);
    g_free(ss);
}

/* On the I/O thread: close the channels and the SSH connection. */
static void
session_end(struct session *ss)
{
    for (guint i = 0; i < ss->channels->len; i++)
        channel_free(ss, ss->channels->pdata[i]);
    g_ptr_array_set_size(ss->channels, 0);
    g_ptr_array_unref(ss->channels);
    if (ss->s) {
        libssh2_session_set_blocking(ss->s, 1);
        libssh2_session_set_timeout(ss->s, 2000);
        libssh2_session_disconnect(ss->s, "virtdeck: last console closed");
        libssh2_session_free(ss->s);
        ss->s = NULL;
    }
    if (ss->sock >= 0)
        close(ss->sock);
    ss->sock = -1;
}

static gpointer
session_thread(gpointer data)
{
    struct session *ss = data;
    char *error = NULL;

    if (session_start(ss, &error)) {
        session_loop(ss);
    } else {
        /* fail everything asked so far, and leave the registry so that the
         * next console tries again */
        g_autoptr(GPtrArray) reqs = g_ptr_array_new();
        g_mutex_lock(&registry_lock);
        if (g_hash_table_lookup(registry, ss->key) == ss)
            g_hash_table_remove(registry, ss->key);
        g_mutex_unlock(&registry_lock);
        take_requests(ss, reqs);
        for (guint i = 0; i < reqs->len; i++)
            finish_request(ss, reqs->pdata[i], -1, g_strdup(error));
        g_free(error);
    }
    session_end(ss);
    session_unref(ss);
    return NULL;
}

static struct session *
session_new(const char *key, const char *user, const char *host, int port, const char *keyfile)
{
    struct session *ss = g_new0(struct session, 1);

    ss->ref = 1;
    ss->key = g_strdup(key);
    ss->user = g_strdup(user);
    ss->host = g_strdup(host);
    ss->port = port;
    ss->keyfile = g_strdup(keyfile);
    ss->sock = -1;
    g_mutex_init(&ss->lock);
    g_cond_init(&ss->cond);
    ss->requests = g_ptr_array_new();
    ss->channels = g_ptr_array_new();
    if (!g_unix_open_pipe(ss->wake, FD_CLOEXEC, NULL))
        g_error("pipe: %s", g_strerror(errno));
    g_unix_set_fd_nonblocking(ss->wake[0], TRUE, NULL);
    g_unix_set_fd_nonblocking(ss->wake[1], TRUE, NULL);
    return ss;
}

int
vd_ssh_tunnel_open(const char *uri, const char *host, int port, char **error)
{
    static gsize once;
    g_autoptr(GUri) u = g_uri_parse(uri, G_URI_FLAGS_NON_DNS | G_URI_FLAGS_ENCODED_QUERY, NULL);
    g_autofree char *key = NULL, *keyfile = NULL;
    const char *user, *ssh_host;
    struct request r = { .host = (char *)host, .port = port, .fd = -1 };
    struct session *ss;
    int ssh_port;
    ssize_t rc;

    if (g_once_init_enter(&once)) {
        libssh2_init(0);
        registry = g_hash_table_new(g_str_hash, g_str_equal);
        g_once_init_leave(&once, 1);
    }
    if (!u || !g_uri_get_host(u) || !*g_uri_get_host(u)) {
        *error = g_strdup_printf(_("Not an SSH URI: %s"), uri);
        return -1;
    }
    ssh_host = g_uri_get_host(u);
    user = g_uri_get_user(u) ? g_uri_get_user(u) : g_get_user_name();
    ssh_port = g_uri_get_port(u) > 0 ? g_uri_get_port(u) : 22;
    keyfile = query_param(u, "keyfile");
    key = g_strdup_printf("%s@%s:%d", user, ssh_host, ssh_port);

    g_mutex_lock(&registry_lock);
    ss = g_hash_table_lookup(registry, key);
    if (!ss) {
        ss = session_new(key, user, ssh_host, ssh_port, keyfile);
        g_hash_table_insert(registry, ss->key, ss);
        g_thread_unref(g_thread_new("ssh", session_thread, ss));
    }
    g_atomic_int_inc(&ss->ref);
    g_mutex_lock(&ss->lock);
    g_ptr_array_add(ss->requests, &r);
    g_mutex_unlock(&ss->lock);
    rc = write(ss->wake[1], "x", 1);
    (void)rc;
    g_mutex_unlock(&registry_lock);

    g_mutex_lock(&ss->lock);
    while (!r.done)
        g_cond_wait(&ss->cond, &ss->lock);
    g_mutex_unlock(&ss->lock);
    session_unref(ss);
    if (r.fd < 0)
        *error = r.error;
    return r.fd;
}

guint
vd_ssh_session_count(void)
{
    guint n;

    g_mutex_lock(&registry_lock);
    n = registry ? g_hash_table_size(registry) : 0;
    g_mutex_unlock(&registry_lock);
    return n;
}
