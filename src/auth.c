/* virtdeck - credentials asked in the UI (see auth.h)
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <glib/gstdio.h>

#include "auth.h"
#include "i18n.h"
#include "util.h"

struct vd_auth_request {
    gatomicrefcount ref;
    char *uri;
    char *prompt;
    enum vd_auth_kind kind;
    GMutex lock;
    GCond cond;
    bool done;
    bool cancelled;
    char *answer;
};

struct cached {
    char *answer;
    guint64 session;     /* the attempt that last got this answer */
};

static GMutex auth_lock;                 /* everything below */
static GMainContext *auth_ctx;
static vd_auth_fn auth_fn;
static gpointer auth_user;
static GHashTable *auth_cache;           /* "uri\nprompt" -> struct cached */
static GPtrArray *auth_pending;          /* struct vd_auth_request *, not owned */

void
vd_secret_wipe(void *p, gsize n)
{
    if (p && n)
        explicit_bzero(p, n);
}

void
vd_secret_free(char *s)
{
    if (s) {
        vd_secret_wipe(s, strlen(s));
        g_free(s);
    }
}

static void
cached_free(gpointer p)
{
    struct cached *c = p;

    vd_secret_free(c->answer);
    g_free(c);
}

static void
request_unref(struct vd_auth_request *r)
{
    if (!g_atomic_ref_count_dec(&r->ref))
        return;
    g_free(r->uri);
    g_free(r->prompt);
    vd_secret_free(r->answer);
    g_mutex_clear(&r->lock);
    g_cond_clear(&r->cond);
    g_free(r);
}

void
vd_auth_set_handler(GMainContext *ctx, vd_auth_fn fn, gpointer user)
{
    g_mutex_lock(&auth_lock);
    if (auth_ctx)
        g_main_context_unref(auth_ctx);
    auth_ctx = ctx ? g_main_context_ref(ctx) : NULL;
    auth_fn = fn;
    auth_user = user;
    if (!auth_cache)
        auth_cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, cached_free);
    if (!auth_pending)
        auth_pending = g_ptr_array_new();
    g_mutex_unlock(&auth_lock);
}

bool
vd_auth_interactive(void)
{
    bool on;

    g_mutex_lock(&auth_lock);
    on = auth_fn != NULL;
    g_mutex_unlock(&auth_lock);
    return on;
}

const char *
vd_auth_request_uri(const struct vd_auth_request *r)
{
    return r->uri;
}

const char *
vd_auth_request_prompt(const struct vd_auth_request *r)
{
    return r->prompt;
}

enum vd_auth_kind
vd_auth_request_kind(const struct vd_auth_request *r)
{
    return r->kind;
}

bool
vd_auth_request_cancelled(const struct vd_auth_request *r)
{
    bool c;

    g_mutex_lock((GMutex *)&r->lock);
    c = r->cancelled || r->done;
    g_mutex_unlock((GMutex *)&r->lock);
    return c;
}

static void
finish(struct vd_auth_request *r, const char *answer, bool cancelled)
{
    g_mutex_lock(&r->lock);
    if (!r->done) {
        r->done = true;
        r->cancelled = cancelled;
        r->answer = answer ? g_strdup(answer) : NULL;
        g_cond_broadcast(&r->cond);
    }
    g_mutex_unlock(&r->lock);
}

void
vd_auth_request_answer(struct vd_auth_request *r, const char *answer)
{
    finish(r, answer, answer == NULL);
    request_unref(r);
}

static gboolean
ask_in_ui(gpointer data)
{
    struct vd_auth_request *r = data;
    vd_auth_fn fn;
    gpointer user;

    g_mutex_lock(&auth_lock);
    fn = auth_fn;
    user = auth_user;
    g_mutex_unlock(&auth_lock);
    g_atomic_ref_count_inc(&r->ref);
    if (fn)
        fn(r, user);
    else
        vd_auth_request_answer(r, NULL);
    return G_SOURCE_REMOVE;
}

/* Keep line breaks (a host key question has several lines), sanitize the
 * lines, drop the empty ones. */
static char *
clean_prompt(const char *prompt)
{
    g_auto(GStrv) lines = g_strsplit(prompt ? prompt : "", "\n", -1);
    GString *out = g_string_new(NULL);

    for (guint i = 0; lines[i]; i++) {
        g_autofree char *l = g_strstrip(vd_sanitize(lines[i]));
        if (!*l)
            continue;
        if (out->len)
            g_string_append_c(out, '\n');
        g_string_append(out, l);
    }
    return g_string_free(out, FALSE);
}

char *
vd_auth_ask(const char *uri, const char *prompt, enum vd_auth_kind kind, guint64 session)
{
    struct vd_auth_request *r;
    g_autofree char *key = NULL;
    struct cached *hit;
    GSource *src;
    char *answer = NULL;

    g_mutex_lock(&auth_lock);
    if (!auth_fn) {
        g_mutex_unlock(&auth_lock);
        return NULL;
    }
    key = g_strdup_printf("%s\n%s", uri, prompt ? prompt : "");
    hit = g_hash_table_lookup(auth_cache, key);
    if (hit && hit->session == session && session) {
        /* the same attempt asks again: the cached answer was wrong */
        g_hash_table_remove(auth_cache, key);
    } else if (hit) {
        hit->session = session;
        answer = g_strdup(hit->answer);
        g_mutex_unlock(&auth_lock);
        return answer;
    }
    r = g_new0(struct vd_auth_request, 1);
    g_atomic_ref_count_init(&r->ref);
    r->uri = g_strdup(uri);
    r->prompt = clean_prompt(prompt);
    r->kind = kind;
    g_mutex_init(&r->lock);
    g_cond_init(&r->cond);
    g_ptr_array_add(auth_pending, r);
    src = g_idle_source_new();
    g_atomic_ref_count_inc(&r->ref);
    g_source_set_callback(src, ask_in_ui, r, (GDestroyNotify)request_unref);
    g_source_attach(src, auth_ctx);
    g_source_unref(src);
    g_mutex_unlock(&auth_lock);

    g_mutex_lock(&r->lock);
    while (!r->done)
        g_cond_wait(&r->cond, &r->lock);
    answer = g_steal_pointer(&r->answer);
    g_mutex_unlock(&r->lock);

    g_mutex_lock(&auth_lock);
    g_ptr_array_remove(auth_pending, r);
    /* a refused host key is asked again next time (the user may reconsider) */
    if (answer && (kind != VD_AUTH_CONFIRM || strcmp(answer, "yes") == 0)) {
        struct cached *c = g_new0(struct cached, 1);
        c->answer = g_strdup(answer);
        c->session = session;
        g_hash_table_replace(auth_cache, g_steal_pointer(&key), c);
    }
    g_mutex_unlock(&auth_lock);
    request_unref(r);
    return answer;
}

void
vd_auth_cancel_uri(const char *uri)
{
    g_mutex_lock(&auth_lock);
    for (guint i = 0; auth_pending && i < auth_pending->len; i++) {
        struct vd_auth_request *r = g_ptr_array_index(auth_pending, i);
        if (g_strcmp0(r->uri, uri) == 0)
            finish(r, NULL, true);
    }
    g_mutex_unlock(&auth_lock);
}

void
vd_auth_forget(const char *uri)
{
    GHashTableIter it;
    gpointer k;
    g_autofree char *prefix = g_strconcat(uri, "\n", NULL);

    g_mutex_lock(&auth_lock);
    if (auth_cache) {
        g_hash_table_iter_init(&it, auth_cache);
        while (g_hash_table_iter_next(&it, &k, NULL)) {
            struct cached *c = g_hash_table_lookup(auth_cache, k);
            /* a host key accepted stays accepted: ssh saved it */
            if (g_str_has_prefix(k, prefix) && !(c->answer && strcmp(c->answer, "yes") == 0))
                g_hash_table_iter_remove(&it);
        }
    }
    g_mutex_unlock(&auth_lock);
}

/* ---- messages ---------------------------------------------------------- */

static char *
uri_host(const char *uri)
{
    g_autoptr(GUri) u = g_uri_parse(uri, G_URI_FLAGS_NON_DNS | G_URI_FLAGS_ENCODED, NULL);
    const char *h = u ? g_uri_get_host(u) : NULL;

    if (!h || !*h)
        return g_strdup(uri);
    if (g_uri_get_port(u) > 0)
        return g_strdup_printf("%s:%d", h, g_uri_get_port(u));
    return g_strdup(h);
}

char *
vd_auth_explain_error(const char *uri, const char *err)
{
    g_autofree char *host = NULL;

    if (!err)
        return NULL;
    host = uri_host(uri);
    if (strstr(err, "REMOTE HOST IDENTIFICATION HAS CHANGED") ||
        strstr(err, "HOST KEY VERIFICATION FAILED") ||
        strstr(err, "differs from stored identity"))
        return g_strdup_printf(_("The host key for %s has CHANGED since it was saved in known_hosts: "
                                 "refusing to connect (this can be a man-in-the-middle attack). "
                                 "If the change is expected, remove the old key "
                                 "(ssh-keygen -R) and connect again."), host);
    if (strstr(err, "Host key verification failed"))
        return g_strdup_printf(_("The host key for %s was not accepted: not connected."), host);
    return NULL;
}

/* ---- ssh askpass: the server in virtdeck -------------------------------- */

static GMutex ap_lock;
static char *ap_dir;                     /* private directory, NULL: not running */
static char *ap_sock;
static int ap_fd = -1;
static GThread *ap_thread;
static GPtrArray *ap_uris;               /* wrapper id -> uri */

static bool
write_script(const char *path, const char *text, char **error)
{
    g_autoptr(GError) err = NULL;

    if (!g_file_set_contents_full(path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0700, &err)) {
        *error = g_strdup(err->message);
        return false;
    }
    return true;
}

static bool
read_all(int fd, GString *buf, gsize max)
{
    char tmp[1024];

    for (;;) {
        ssize_t n = read(fd, tmp, sizeof tmp);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return false;
        if (n == 0)
            return true;
        if (buf->len + (gsize)n > max)
            return false;
        g_string_append_len(buf, tmp, n);
        vd_secret_wipe(tmp, sizeof tmp);
    }
}

/* sock: a socket whose peer may be gone: no SIGPIPE (it would kill us) */
static bool
write_all(int fd, const char *p, gsize n, bool sock)
{
    while (n) {
        ssize_t w = sock ? send(fd, p, n, MSG_NOSIGNAL) : write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= (gsize)w;
    }
    return true;
}

static enum vd_auth_kind
prompt_kind(const char *prompt)
{
    if (strstr(prompt, "(yes/no"))
        return VD_AUTH_CONFIRM;
    return VD_AUTH_SECRET;
}

/* One helper: "ID PPID\nPROMPT" in, "+ANSWER" or "-" out. */
static gpointer
serve_client(gpointer data)
{
    int fd = GPOINTER_TO_INT(data);
    g_autoptr(GString) in = g_string_new(NULL);
    struct ucred cred;
    socklen_t len = sizeof cred;
    char *nl, *answer = NULL;
    guint id = 0;
    guint64 ppid = 0;
    g_autofree char *uri = NULL;

    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != getuid())
        goto out;
    if (!read_all(fd, in, 64 * 1024) || !(nl = strchr(in->str, '\n')))
        goto quiet;     /* not a helper (a stale-socket probe): no answer */
    *nl = '\0';
    if (sscanf(in->str, "%u %" G_GUINT64_FORMAT, &id, &ppid) != 2)
        goto out;
    g_mutex_lock(&ap_lock);
    if (ap_uris && id < ap_uris->len)
        uri = g_strdup(g_ptr_array_index(ap_uris, id));
    g_mutex_unlock(&ap_lock);
    if (!uri)
        goto out;
    /* the ssh process is the session: it asks again only after a wrong answer */
    answer = vd_auth_ask(uri, nl + 1, prompt_kind(nl + 1), ppid | G_GUINT64_CONSTANT(1) << 40);
out:
    if (answer) {
        write_all(fd, "+", 1, true);
        write_all(fd, answer, strlen(answer), true);
    } else {
        write_all(fd, "-", 1, true);
    }
quiet:
    vd_secret_free(answer);
    vd_secret_wipe(in->str, in->len);
    close(fd);
    return NULL;
}

static gpointer
accept_loop(gpointer data)
{
    int lfd = GPOINTER_TO_INT(data);

    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            break;          /* closed by vd_askpass_stop */
        }
        g_thread_unref(g_thread_new("vd-askpass", serve_client, GINT_TO_POINTER(fd)));
    }
    return NULL;
}

static void
remove_dir(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *n;

    while (d && (n = g_dir_read_name(d))) {
        g_autofree char *p = g_build_filename(dir, n, NULL);
        g_unlink(p);
    }
    g_rmdir(dir);
}

/* Directories of virtdeck processes that died without cleaning up (killed):
 * their socket no longer answers. */
static void
remove_stale(const char *base)
{
    g_autoptr(GDir) d = g_dir_open(base, 0, NULL);
    const char *n;

    while (d && (n = g_dir_read_name(d))) {
        g_autofree char *dir = NULL;
        g_autofree char *sock = NULL;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        GStatBuf st;
        int fd;
        bool alive;

        if (!g_str_has_prefix(n, "virtdeck-") || strlen(n) != strlen("virtdeck-XXXXXX"))
            continue;
        dir = g_build_filename(base, n, NULL);
        sock = g_build_filename(dir, "sock", NULL);
        if (g_lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid() ||
            strlen(sock) >= sizeof sa.sun_path)
            continue;
        g_strlcpy(sa.sun_path, sock, sizeof sa.sun_path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            continue;
        alive = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0 || errno != ECONNREFUSED;
        close(fd);
        if (!alive)
            remove_dir(dir);
    }
}

bool
vd_askpass_start(char **error)
{
    const char *base = g_getenv("XDG_RUNTIME_DIR");
    g_autofree char *tmpl = NULL;
    g_autofree char *exe = NULL;
    g_autofree char *script = NULL;
    g_autofree char *qexe = NULL;
    g_autofree char *path = NULL;
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd;

    g_mutex_lock(&ap_lock);
    if (ap_dir) {
        g_mutex_unlock(&ap_lock);
        return true;
    }
    /* $XDG_RUNTIME_DIR, else /tmp (the socket path must stay short) */
    if (!base || !*base || !g_file_test(base, G_FILE_TEST_IS_DIR) || strlen(base) > 60)
        base = g_get_tmp_dir();
    remove_stale(base);
    tmpl = g_build_filename(base, "virtdeck-XXXXXX", NULL);
    if (!g_mkdtemp_full(tmpl, 0700)) {
        *error = g_strdup_printf(_("cannot create %1$s: %2$s"), tmpl, g_strerror(errno));
        goto fail;
    }
    exe = g_file_read_link("/proc/self/exe", NULL);
    if (!exe) {
        *error = g_strdup(_("cannot find the virtdeck program (/proc/self/exe)"));
        goto fail_dir;
    }
    qexe = g_shell_quote(exe);
    script = g_strdup_printf("#!/bin/sh\nexec %s --askpass \"$@\"\n", qexe);
    path = g_build_filename(tmpl, "askpass", NULL);
    if (!write_script(path, script, error))
        goto fail_dir;
    g_free(path);
    path = g_build_filename(tmpl, "sock", NULL);
    if (strlen(path) >= sizeof sa.sun_path) {
        *error = g_strdup_printf(_("socket path too long: %s"), path);
        goto fail_dir;
    }
    g_strlcpy(sa.sun_path, path, sizeof sa.sun_path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 8) < 0) {
        *error = g_strdup_printf(_("cannot listen on %1$s: %2$s"), path, g_strerror(errno));
        if (fd >= 0)
            close(fd);
        goto fail_dir;
    }
    ap_fd = fd;
    ap_dir = g_steal_pointer(&tmpl);
    ap_sock = g_steal_pointer(&path);
    ap_uris = g_ptr_array_new_with_free_func(g_free);
    ap_thread = g_thread_new("vd-askpass-srv", accept_loop, GINT_TO_POINTER(fd));
    g_mutex_unlock(&ap_lock);
    return true;

fail_dir:
    {
        g_autofree char *a = g_build_filename(tmpl, "askpass", NULL);
        g_unlink(a);
        g_rmdir(tmpl);
    }
fail:
    g_mutex_unlock(&ap_lock);
    return false;
}

void
vd_askpass_stop(void)
{
    g_mutex_lock(&ap_lock);
    if (!ap_dir) {
        g_mutex_unlock(&ap_lock);
        return;
    }
    shutdown(ap_fd, SHUT_RDWR);
    close(ap_fd);
    ap_fd = -1;
    remove_dir(ap_dir);
    g_clear_pointer(&ap_dir, g_free);
    g_clear_pointer(&ap_sock, g_free);
    g_mutex_unlock(&ap_lock);
    if (ap_thread)
        g_thread_join(ap_thread);
    ap_thread = NULL;
}

char *
vd_askpass_ssh_command(const char *uri)
{
    guint id;
    g_autofree char *path = NULL;
    g_autofree char *qa = NULL;
    g_autofree char *qenv = NULL;
    g_autofree char *env = NULL;
    g_autofree char *askpass = NULL;
    g_autofree char *script = NULL;
    g_autofree char *opts = NULL;
    g_autofree char *err = NULL;
    const char *kh = g_getenv("VIRTDECK_SSH_KNOWN_HOSTS");

    g_mutex_lock(&ap_lock);
    if (!ap_dir) {
        g_mutex_unlock(&ap_lock);
        return NULL;
    }
    for (id = 0; id < ap_uris->len; id++)
        if (strcmp(g_ptr_array_index(ap_uris, id), uri) == 0)
            break;
    path = g_strdup_printf("%s/ssh-%u", ap_dir, id);
    if (id == ap_uris->len) {
        askpass = g_build_filename(ap_dir, "askpass", NULL);
        qa = g_shell_quote(askpass);
        env = g_strdup_printf("%s %u", ap_sock, id);
        qenv = g_shell_quote(env);
        if (kh && *kh) {
            g_autofree char *o = g_strconcat("UserKnownHostsFile=", kh, NULL);
            g_autofree char *qo = g_shell_quote(o);
            opts = g_strconcat(" -o ", qo, NULL);
        }
        script = g_strdup_printf("#!/bin/sh\n"
                                 "SSH_ASKPASS=%s SSH_ASKPASS_REQUIRE=force VIRTDECK_ASKPASS=%s\n"
                                 "export SSH_ASKPASS SSH_ASKPASS_REQUIRE VIRTDECK_ASKPASS\n"
                                 "exec ssh -o BatchMode=no%s \"$@\"\n", qa, qenv, opts ? opts : "");
        if (!write_script(path, script, &err)) {
            g_mutex_unlock(&ap_lock);
            return NULL;
        }
        g_ptr_array_add(ap_uris, g_strdup(uri));
    }
    g_mutex_unlock(&ap_lock);
    return g_steal_pointer(&path);
}

/* ---- ssh askpass: the helper (a separate process) ----------------------- */

int
vd_askpass_client(const char *prompt)
{
    const char *env = g_getenv("VIRTDECK_ASKPASS");
    g_autoptr(GString) head = NULL;
    g_autoptr(GString) in = g_string_new(NULL);
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    const char *sp;
    int fd, rc = 1;

    if (!env || !(sp = strrchr(env, ' ')) || (gsize)(sp - env) >= sizeof sa.sun_path) {
        fprintf(stderr, "virtdeck --askpass: %s\n", _("not started by virtdeck"));
        return 1;
    }
    memcpy(sa.sun_path, env, (gsize)(sp - env));
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        fprintf(stderr, "virtdeck --askpass: %s\n", g_strerror(errno));
        if (fd >= 0)
            close(fd);
        return 1;
    }
    head = g_string_new(NULL);
    g_string_printf(head, "%s %ld\n%s", sp + 1, (long)getppid(), prompt ? prompt : "");
    if (write_all(fd, head->str, head->len, true) && shutdown(fd, SHUT_WR) == 0 &&
        read_all(fd, in, 64 * 1024) && in->len && in->str[0] == '+') {
        g_string_append_c(in, '\n');
        rc = write_all(STDOUT_FILENO, in->str + 1, in->len - 1, false) ? 0 : 1;
    }
    vd_secret_wipe(in->str, in->len);
    close(fd);
    return rc;
}
