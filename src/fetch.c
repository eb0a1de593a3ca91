/* virtdeck - install trees over HTTP: find and download a kernel and initrd
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <config.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <libsoup/soup.h>

#include "fetch.h"
#include "i18n.h"
#include "util.h"
#include "vol-xml.h"

#define READ_BUF (256 * 1024)
/* a kernel or initrd is smaller: a larger file is a wrong URL */
#define VD_FETCH_MAX_BYTES (G_GUINT64_CONSTANT(4) << 30)
#define TEXT_MAX (1024 * 1024)

struct vd_fetch {
    SoupSession *session;
    GMainContext *ctx;        /* pushed as thread default during each call */
    GCancellable *cancellable;
    vd_fetch_cancelled_fn cancelled;
    gpointer user;
    GThread *watcher;
    gint stop;                /* atomic: the watcher ends */
};

static bool
is_cancelled(struct vd_fetch *f)
{
    return g_cancellable_is_cancelled(f->cancellable) || (f->cancelled && f->cancelled(f->user));
}

/* A read blocked on a silent server must still end when the user cancels:
 * the watcher turns the task's flag into a GCancellable cancel. */
static gpointer
watch_thread(gpointer data)
{
    struct vd_fetch *f = data;

    while (!g_atomic_int_get(&f->stop)) {
        if (f->cancelled(f->user)) {
            g_cancellable_cancel(f->cancellable);
            break;
        }
        g_usleep(50 * 1000);
    }
    return NULL;
}

struct vd_fetch *
vd_fetch_new(vd_fetch_cancelled_fn cancelled, gpointer user)
{
    struct vd_fetch *f = g_new0(struct vd_fetch, 1);
    g_autofree char *agent = g_strdup_printf("virtdeck/%s ", PACKAGE_VERSION);

    f->ctx = g_main_context_new();
    g_main_context_push_thread_default(f->ctx);
    /* timeout: no byte for 30 s ends a request; the trailing space makes
     * libsoup append its own name and version */
    f->session = soup_session_new_with_options("timeout", 30, "idle-timeout", 30, "user-agent", agent, NULL);
    /* the files as the server has them: an initrd.gz served with
     * Content-Encoding: gzip must not be unpacked (nor its length differ
     * from Content-Length) */
    soup_session_remove_feature_by_type(f->session, SOUP_TYPE_CONTENT_DECODER);
    g_main_context_pop_thread_default(f->ctx);
    f->cancellable = g_cancellable_new();
    f->cancelled = cancelled;
    f->user = user;
    if (cancelled)
        f->watcher = g_thread_new("vd-fetch-cancel", watch_thread, f);
    return f;
}

void
vd_fetch_free(struct vd_fetch *f)
{
    if (!f)
        return;
    if (f->watcher) {
        g_atomic_int_set(&f->stop, 1);
        g_thread_join(f->watcher);
    }
    g_main_context_push_thread_default(f->ctx);
    g_object_unref(f->session);
    /* let the session's sources go before the context */
    while (g_main_context_iteration(f->ctx, FALSE))
        ;
    g_main_context_pop_thread_default(f->ctx);
    g_main_context_unref(f->ctx);
    g_object_unref(f->cancellable);
    g_free(f);
}

bool
vd_fetch_is_url(const char *s)
{
    return s && (g_ascii_strncasecmp(s, "http://", 7) == 0 || g_ascii_strncasecmp(s, "https://", 8) == 0);
}

bool
vd_fetch_url_supported(const char *url, char **why)
{
    g_autoptr(GUri) u = NULL;

    if (!url || !*url) {
        *why = g_strdup(_("The URL of the install tree is needed (http:// or https://)"));
        return false;
    }
    if (g_ascii_strncasecmp(url, "ftp://", 6) == 0 || g_ascii_strncasecmp(url, "nfs:", 4) == 0) {
        *why = g_strdup(_("Only http:// and https:// install trees can be fetched (ftp and nfs are not): "
                          "copy the tree to a web server, or use a CD image"));
        return false;
    }
    if (!vd_fetch_is_url(url)) {
        *why = g_strdup(_("An http:// or https:// address of the install tree is needed"));
        return false;
    }
    u = g_uri_parse(url, G_URI_FLAGS_NONE, NULL);
    if (!u || !g_uri_get_host(u) || !*g_uri_get_host(u)) {
        *why = g_strdup_printf(_("Not a valid URL: %s"), url);
        return false;
    }
    return true;
}

/* ---- requests ---- */

static char *
status_text(SoupMessage *m, const char *url)
{
    guint st = soup_message_get_status(m);
    const char *reason = soup_message_get_reason_phrase(m);

    /* TRANSLATORS: "HTTP 404 Not Found: http://host/tree/.treeinfo" */
    return g_strdup_printf(_("HTTP %1$u %2$s: %3$s"), st, reason ? reason : "", url);
}

static char *
transport_text(GError *err, const char *url)
{
    if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return g_strdup(_("Cancelled"));
    /* TRANSLATORS: "Could not connect to 127.0.0.1: Connection refused (http://...)" */
    return g_strdup_printf(_("%1$s (%2$s)"), err->message, url);
}

/* Send a request; the response stream or NULL and *error. */
static GInputStream *
send(struct vd_fetch *f, const char *method, const char *url, SoupMessage **out, guint *status, char **error)
{
    SoupMessage *m = soup_message_new(method, url);
    g_autoptr(GError) err = NULL;
    GInputStream *in;

    *out = NULL;
    if (status)
        *status = 0;
    if (!m) {
        *error = g_strdup_printf(_("Not a valid URL: %s"), url);
        return NULL;
    }
    if (is_cancelled(f)) {
        g_object_unref(m);
        *error = g_strdup(_("Cancelled"));
        return NULL;
    }
    in = soup_session_send(f->session, m, f->cancellable, &err);
    if (!in) {
        *error = transport_text(err, url);
        g_object_unref(m);
        return NULL;
    }
    if (status)
        *status = soup_message_get_status(m);
    if (!SOUP_STATUS_IS_SUCCESSFUL(soup_message_get_status(m))) {
        *error = status_text(m, url);
        g_input_stream_close(in, NULL, NULL);
        g_object_unref(in);
        g_object_unref(m);
        return NULL;
    }
    *out = m;
    return in;
}

char *
vd_fetch_text(struct vd_fetch *f, const char *url, gsize max, guint *status, char **error)
{
    SoupMessage *m = NULL;
    GInputStream *in;
    GString *s = NULL;
    char buf[16384];

    g_main_context_push_thread_default(f->ctx);
    in = send(f, "GET", url, &m, status, error);
    if (in) {
        s = g_string_new(NULL);
        for (;;) {
            g_autoptr(GError) err = NULL;
            gssize n = g_input_stream_read(in, buf, sizeof buf, f->cancellable, &err);
            if (n < 0) {
                *error = transport_text(err, url);
                g_string_free(s, TRUE);
                s = NULL;
                break;
            }
            if (n == 0)
                break;
            if (s->len + n > max) {
                *error = g_strdup_printf(_("%s is too large for a .treeinfo file"), url);
                g_string_free(s, TRUE);
                s = NULL;
                break;
            }
            g_string_append_len(s, buf, n);
        }
        g_input_stream_close(in, NULL, NULL);
        g_object_unref(in);
        g_object_unref(m);
    }
    g_main_context_pop_thread_default(f->ctx);
    return s ? g_string_free(s, FALSE) : NULL;
}

bool
vd_fetch_exists(struct vd_fetch *f, const char *url, guint *status, char **error)
{
    SoupMessage *m = NULL;
    GInputStream *in;
    guint st = 0;

    g_main_context_push_thread_default(f->ctx);
    in = send(f, "HEAD", url, &m, &st, error);
    if (!in && (st == SOUP_STATUS_METHOD_NOT_ALLOWED || st == SOUP_STATUS_NOT_IMPLEMENTED)) {
        /* HEAD refused: a GET, closed before the body */
        g_clear_pointer(error, g_free);
        in = send(f, "GET", url, &m, &st, error);
    }
    if (in) {
        g_input_stream_close(in, NULL, NULL);
        g_object_unref(in);
        g_object_unref(m);
    }
    g_main_context_pop_thread_default(f->ctx);
    if (status)
        *status = st;
    return in != NULL;
}

bool
vd_fetch_to_fd(struct vd_fetch *f, const char *url, int fd, guint64 *size, vd_fetch_progress_fn progress,
               gpointer user, char **error)
{
    SoupMessage *m = NULL;
    GInputStream *in;
    guint64 done = 0, total = 0;
    gint64 last = 0;
    bool ok = false;
    char *buf = NULL;

    *size = 0;
    g_main_context_push_thread_default(f->ctx);
    in = send(f, "GET", url, &m, NULL, error);
    if (!in) {
        g_main_context_pop_thread_default(f->ctx);
        return false;
    }
    {
        SoupMessageHeaders *h = soup_message_get_response_headers(m);
        if (soup_message_headers_get_encoding(h) == SOUP_ENCODING_CONTENT_LENGTH)
            total = (guint64)soup_message_headers_get_content_length(h);
    }
    if (total > VD_FETCH_MAX_BYTES) {
        g_autofree char *sz = vd_format_bytes(total);
        /* TRANSLATORS: a kernel or initrd larger than 4 GiB: "URL is 12 GiB: not a kernel or initrd" */
        *error = g_strdup_printf(_("%1$s is %2$s: too large for a kernel or initrd"), url, sz);
        goto out;
    }
    buf = g_malloc(READ_BUF);
    for (;;) {
        g_autoptr(GError) err = NULL;
        gssize n;

        if (is_cancelled(f)) {
            *error = g_strdup(_("Cancelled"));
            goto out;
        }
        n = g_input_stream_read(in, buf, READ_BUF, f->cancellable, &err);
        if (n < 0) {
            /* TRANSLATORS: "Download of URL stopped after 1.2 MiB: Connection terminated unexpectedly" */
            g_autofree char *got = vd_format_bytes(done);
            if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CANCELLED) || is_cancelled(f))
                *error = g_strdup(_("Cancelled"));
            else
                *error = g_strdup_printf(_("Download of %1$s stopped after %2$s: %3$s"), url, got, err->message);
            goto out;
        }
        if (n == 0)
            break;
        if (!vd_write_all(fd, buf, n)) {
            *error = g_strdup_printf(_("Cannot write the download of %1$s: %2$s"), url, g_strerror(errno));
            goto out;
        }
        done += n;
        if (done > VD_FETCH_MAX_BYTES) {
            g_autofree char *sz = vd_format_bytes(done);
            *error = g_strdup_printf(_("%1$s is %2$s: too large for a kernel or initrd"), url, sz);
            goto out;
        }
        if (progress) {
            gint64 now = g_get_monotonic_time();
            if (now - last >= 100 * 1000) {
                last = now;
                progress(done, total, user);
            }
        }
    }
    if (total && done != total) {
        g_autofree char *got = vd_format_bytes(done);
        g_autofree char *want = vd_format_bytes(total);
        *error = g_strdup_printf(_("Download of %1$s is incomplete: %2$s of %3$s (the server closed the connection)"),
                                 url, got, want);
        goto out;
    }
    if (progress)
        progress(done, total ? total : done, user);
    *size = done;
    ok = true;
out:
    g_free(buf);
    g_input_stream_close(in, NULL, NULL);
    g_object_unref(in);
    g_object_unref(m);
    g_main_context_pop_thread_default(f->ctx);
    return ok;
}

/* ---- finding the kernel and initrd ---- */

void
vd_fetch_tree_free(struct vd_fetch_tree *t)
{
    if (!t)
        return;
    g_free(t->base);
    g_free(t->kernel_url);
    g_free(t->initrd_url);
    g_free(t->kernel);
    g_free(t->initrd);
    vd_os_free(t->os);
    g_free(t->how);
    g_free(t);
}

/* Known layouts when there is no .treeinfo; {arch} is the libvirt arch,
 * {deb} Debian's name for it. */
static const struct layout {
    const char *kernel, *initrd, *what;
} layouts[] = {
    { "images/pxeboot/vmlinuz", "images/pxeboot/initrd.img", "Fedora/RHEL" },
    { "install.{deb1}/vmlinuz", "install.{deb1}/initrd.gz", "Debian CD tree" },
    { "current/images/netboot/debian-installer/{deb}/linux",
      "current/images/netboot/debian-installer/{deb}/initrd.gz", "Debian mirror" },
    { "current/legacy-images/netboot/ubuntu-installer/{deb}/linux",
      "current/legacy-images/netboot/ubuntu-installer/{deb}/initrd.gz", "Ubuntu mirror" },
    { "install/netboot/ubuntu-installer/{deb}/linux", "install/netboot/ubuntu-installer/{deb}/initrd.gz", "Ubuntu" },
    { "casper/vmlinuz", "casper/initrd", "Ubuntu live" },
    { "boot/{arch}/loader/linux", "boot/{arch}/loader/initrd", "openSUSE" },
    { "isolinux/vmlinuz", "isolinux/initrd.img", "isolinux" },
};

static const char *
deb_arch(const char *arch)
{
    static const char *const map[][2] = {
        { "x86_64", "amd64" }, { "aarch64", "arm64" }, { "i686", "i386" }, { "ppc64le", "ppc64el" },
        { "armv7l", "armhf" },
    };
    for (guint i = 0; i < G_N_ELEMENTS(map); i++)
        if (g_strcmp0(arch, map[i][0]) == 0)
            return map[i][1];
    return arch;
}

/* Debian CD trees: install.amd, install.a64, install.386 */
static const char *
deb_cd_arch(const char *arch)
{
    if (g_strcmp0(arch, "x86_64") == 0)
        return "amd";
    if (g_strcmp0(arch, "aarch64") == 0)
        return "a64";
    if (g_strcmp0(arch, "i686") == 0)
        return "386";
    return deb_arch(arch);
}

static char *
replace(char *s, const char *what, const char *with)
{
    g_auto(GStrv) parts = g_strsplit(s, what, -1);

    g_free(s);
    return g_strjoinv(with, parts);
}

static char *
expand(const char *pat, const char *arch)
{
    char *s = g_strdup(pat);

    s = replace(s, "{arch}", arch);
    s = replace(s, "{deb1}", deb_cd_arch(arch));
    return replace(s, "{deb}", deb_arch(arch));
}

static char *
resolve(const char *base, const char *rel)
{
    if (vd_fetch_is_url(rel))
        return g_strdup(rel);
    while (*rel == '/')
        rel++;   /* relative to the tree, not to the server's root */
    return g_uri_resolve_relative(base, rel, G_URI_FLAGS_NONE, NULL);
}

/* Both files there? false: *error set; *fatal when the server cannot be
 * reached at all (no point trying other layouts). */
static bool
pair_exists(struct vd_fetch *f, struct vd_fetch_tree *t, const char *kernel, const char *initrd, bool *fatal,
            char **error)
{
    g_autofree char *ku = resolve(t->base, kernel);
    g_autofree char *iu = resolve(t->base, initrd);
    guint st = 0;

    *fatal = false;
    if (!ku || !iu) {
        *error = g_strdup_printf(_("Not a valid path in the tree: %s"), !ku ? kernel : initrd);
        return false;
    }
    if (!vd_fetch_exists(f, ku, &st, error) || !vd_fetch_exists(f, iu, &st, error)) {
        *fatal = st == 0;
        return false;
    }
    g_free(t->kernel_url);
    g_free(t->initrd_url);
    g_free(t->kernel);
    g_free(t->initrd);
    t->kernel_url = g_steal_pointer(&ku);
    t->initrd_url = g_steal_pointer(&iu);
    t->kernel = g_strdup(kernel);
    t->initrd = g_strdup(initrd);
    return true;
}

struct vd_fetch_tree *
vd_fetch_find_tree(struct vd_fetch *f, const char *url, const char *arch, const char *os_id, const char *kernel,
                   const char *initrd, char **error)
{
    g_autoptr(vd_fetch_tree) t = g_new0(struct vd_fetch_tree, 1);
    g_autofree char *why = NULL;
    g_autofree char *first = NULL;     /* the first failure: the .treeinfo's */
    g_autofree char *ti_url = NULL;
    g_autofree char *text = NULL;
    g_autofree char *ti_kernel = NULL;
    g_autofree char *ti_initrd = NULL;
    g_autoptr(vd_os) chosen = NULL;
    bool fatal = false;
    guint st = 0;

    arch = arch && *arch ? arch : "x86_64";
    if (!vd_fetch_url_supported(url, &why)) {
        *error = g_steal_pointer(&why);
        return NULL;
    }
    t->base = g_str_has_suffix(url, "/") ? g_strdup(url) : g_strconcat(url, "/", NULL);

    /* .treeinfo (or treeinfo): libosinfo reads it and identifies the OS */
    ti_url = resolve(t->base, ".treeinfo");
    text = vd_fetch_text(f, ti_url, TEXT_MAX, &st, &first);
    if (!text && st == 404) {
        g_autofree char *alt = resolve(t->base, "treeinfo");
        g_autofree char *e2 = NULL;
        text = vd_fetch_text(f, alt, TEXT_MAX, &st, &e2);
    }
    if (!text && st == 0) {
        /* no server, a TLS failure, a cancel: nothing else can work */
        *error = g_steal_pointer(&first);
        return NULL;
    }
    if (text) {
        g_autofree char *err = NULL;
        if (!vd_osinfo_treeinfo(text, t->base, arch, &ti_kernel, &ti_initrd, &t->os, &err)) {
            g_free(first);
            first = g_strdup_printf("%s: %s", ti_url, err);
        }
    }

    /* overrides given: only they count */
    if (kernel || initrd) {
        const char *k = kernel ? kernel : ti_kernel ? ti_kernel : t->os ? t->os->kernel_path : NULL;
        const char *i = initrd ? initrd : ti_initrd ? ti_initrd : t->os ? t->os->initrd_path : NULL;
        if (!k || !i) {
            *error = g_strdup(kernel ? _("The tree gives no initrd: type its path too")
                                     : _("The tree gives no kernel: type its path too"));
            return NULL;
        }
        if (!pair_exists(f, t, k, i, &fatal, error))
            return NULL;
        t->how = g_strdup(_("as typed"));
        return g_steal_pointer(&t);
    }
    if (ti_kernel && ti_initrd) {
        if (pair_exists(f, t, ti_kernel, ti_initrd, &fatal, error)) {
            t->how = g_strdup(".treeinfo");
            return g_steal_pointer(&t);
        }
        return NULL;   /* the tree names files it does not have: say which */
    }
    /* the layouts osinfo-db knows for the identified or chosen OS */
    if (!t->os && os_id)
        chosen = vd_osinfo_lookup(os_id, arch);
    for (int pass = 0; pass < 2; pass++) {
        const struct vd_os *o = pass == 0 ? t->os : chosen;
        g_autofree char *e = NULL;
        if (!o || !o->kernel_path || !o->initrd_path)
            continue;
        if (pair_exists(f, t, o->kernel_path, o->initrd_path, &fatal, &e)) {
            t->how = g_strdup_printf(_("osinfo-db layout of %s"), o->name);
            return g_steal_pointer(&t);
        }
        if (fatal) {
            *error = g_steal_pointer(&e);
            return NULL;
        }
    }
    for (guint i = 0; i < G_N_ELEMENTS(layouts); i++) {
        g_autofree char *k = expand(layouts[i].kernel, arch);
        g_autofree char *in = expand(layouts[i].initrd, arch);
        g_autofree char *e = NULL;
        if (pair_exists(f, t, k, in, &fatal, &e)) {
            t->how = g_strdup_printf(_("%s layout"), layouts[i].what);
            return g_steal_pointer(&t);
        }
        if (fatal) {
            *error = g_steal_pointer(&e);
            return NULL;
        }
    }
    *error = g_strdup_printf(_("No kernel and initrd found in the install tree %1$s (%2$s; no known layout "
                               "such as images/pxeboot/vmlinuz or install.amd/vmlinuz is there either)"),
                             t->base, first ? first : _("no .treeinfo"));
    return NULL;
}

/* ---- the wizard's lookup ---- */

struct lookup {
    char *url, *arch, *os_id, *kernel, *initrd;
    GCancellable *cancel;
    vd_fetch_lookup_fn done;
    gpointer user;
    GDestroyNotify user_free;
    struct vd_fetch_tree *tree;   /* result */
    char *error;
};

static void
lookup_free(gpointer p)
{
    struct lookup *l = p;

    g_free(l->url);
    g_free(l->arch);
    g_free(l->os_id);
    g_free(l->kernel);
    g_free(l->initrd);
    g_clear_object(&l->cancel);
    vd_fetch_tree_free(l->tree);
    g_free(l->error);
    if (l->user_free)
        l->user_free(l->user);
    g_free(l);
}

static bool
lookup_cancelled(gpointer user)
{
    return g_cancellable_is_cancelled(user);
}

static void
lookup_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancel)
{
    struct lookup *l = data;
    g_autoptr(vd_fetch) f = vd_fetch_new(cancel ? lookup_cancelled : NULL, cancel);

    l->tree = vd_fetch_find_tree(f, l->url, l->arch, l->os_id, l->kernel, l->initrd, &l->error);
    g_task_return_boolean(task, TRUE);
}

static void
lookup_ready(GObject *source, GAsyncResult *res, gpointer user)
{
    struct lookup *l = g_task_get_task_data(G_TASK(res));

    if (!g_cancellable_is_cancelled(l->cancel))
        l->done(l->tree, l->tree ? NULL : l->error ? l->error : _("unknown error"), l->user);
}

void
vd_fetch_lookup_async(const char *url, const char *arch, const char *os_id, const char *kernel,
                      const char *initrd, GCancellable *cancel, vd_fetch_lookup_fn done, gpointer user,
                      GDestroyNotify user_free)
{
    struct lookup *l = g_new0(struct lookup, 1);
    GTask *task;

    l->url = g_strdup(url);
    l->arch = g_strdup(arch);
    l->os_id = g_strdup(os_id);
    l->kernel = g_strdup(kernel);
    l->initrd = g_strdup(initrd);
    l->cancel = cancel ? g_object_ref(cancel) : g_cancellable_new();
    l->done = done;
    l->user = user;
    l->user_free = user_free;
    task = g_task_new(NULL, l->cancel, lookup_ready, NULL);
    g_task_set_task_data(task, l, lookup_free);
    g_task_set_return_on_cancel(task, FALSE);
    g_task_run_in_thread(task, lookup_thread);
    g_object_unref(task);
}
