/* Install trees over HTTP (src/fetch.c) against a real HTTP server: python3
 * http.server (tests/unit/http-tree.py) on 127.0.0.1 serving temporary
 * trees: a Fedora-like one with .treeinfo, a Debian CD-like one without,
 * an empty one; 404s, a body cut short, a cancel while the server is silent.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "fetch.h"

static GPid server_pid;
static char *root;            /* the served directory */
static char *base;            /* http://127.0.0.1:PORT/ */
static GBytes *kernel_data;   /* the Fedora tree's kernel */

static void
write_file(const char *rel, const void *data, gsize len)
{
    g_autofree char *path = g_build_filename(root, rel, NULL);
    g_autofree char *dir = g_path_get_dirname(path);
    g_autoptr(GError) err = NULL;

    g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
    g_assert_true(g_file_set_contents(path, data, (gssize)len, &err));
}

static GBytes *
random_bytes(gsize len)
{
    guint8 *b = g_malloc(len);

    for (gsize i = 0; i < len; i++)
        b[i] = (guint8)g_random_int();
    return g_bytes_new_take(b, len);
}

static void
make_trees(void)
{
    static const char treeinfo[] =
        "[general]\nfamily = Fedora\nversion = 39\narch = x86_64\nname = Fedora 39\nplatforms = x86_64\n\n"
        "[images-x86_64]\nkernel = images/pxeboot/vmlinuz\ninitrd = images/pxeboot/initrd.img\n";
    /* names files it does not have */
    static const char liar[] =
        "[general]\nfamily = Fedora\nversion = 39\narch = x86_64\n\n"
        "[images-x86_64]\nkernel = images/pxeboot/vmlinuz\ninitrd = images/pxeboot/initrd.img\n";
    g_autoptr(GBytes) initrd = random_bytes(100 * 1024);
    g_autoptr(GError) err = NULL;

    root = g_dir_make_tmp("vdn-fetch-XXXXXX", &err);
    g_assert_no_error(err);
    kernel_data = random_bytes(3 * 1024 * 1024 + 123);
    write_file("fedora/.treeinfo", treeinfo, strlen(treeinfo));
    write_file("fedora/images/pxeboot/vmlinuz", g_bytes_get_data(kernel_data, NULL), g_bytes_get_size(kernel_data));
    write_file("fedora/images/pxeboot/initrd.img", g_bytes_get_data(initrd, NULL), g_bytes_get_size(initrd));
    write_file("debian/install.amd/vmlinuz", "kernel", 6);
    write_file("debian/install.amd/initrd.gz", "initrd", 6);
    write_file("liar/.treeinfo", liar, strlen(liar));
    write_file("empty/README", "nothing", 7);
}

static void
start_server(void)
{
    g_autofree char *script = g_build_filename(g_getenv("VD_SRCDIR") ? g_getenv("VD_SRCDIR") : ".",
                                               "tests/unit/http-tree.py", NULL);
    const char *argv[] = { "python3", script, root, NULL };
    g_autoptr(GError) err = NULL;
    char line[32] = "";
    int out = -1;
    ssize_t n, got = 0;

    if (!g_spawn_async_with_pipes(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                                  NULL, NULL, &server_pid, NULL, &out, NULL, &err))
        g_error("cannot start %s: %s", script, err->message);
    while (got < (ssize_t)sizeof line - 1 && (n = read(out, line + got, sizeof line - 1 - got)) > 0) {
        got += n;
        if (strchr(line, '\n'))
            break;
    }
    close(out);
    g_assert_cmpint(atoi(line), >, 0);
    base = g_strdup_printf("http://127.0.0.1:%d/", atoi(line));
}

static char *
url(const char *rel)
{
    return g_strconcat(base, rel, NULL);
}

static bool
never(gpointer user)
{
    return false;
}

static void
test_supported(void)
{
    g_autofree char *why = NULL;

    g_assert_false(vd_fetch_url_supported("ftp://mirror/tree/", &why));
    g_assert_nonnull(strstr(why, "ftp and nfs are not"));
    g_clear_pointer(&why, g_free);
    g_assert_false(vd_fetch_url_supported("nfs:server:/export/tree", &why));
    g_assert_nonnull(strstr(why, "ftp and nfs are not"));
    g_clear_pointer(&why, g_free);
    g_assert_false(vd_fetch_url_supported("file:///srv/tree", &why));
    g_clear_pointer(&why, g_free);
    g_assert_false(vd_fetch_url_supported("http:///tree", &why));
    g_assert_nonnull(strstr(why, "Not a valid URL"));
    g_clear_pointer(&why, g_free);
    g_assert_true(vd_fetch_url_supported("https://mirror.example/fedora/39/os/", &why));
    g_assert_null(why);
}

static void
test_treeinfo(void)
{
    g_autoptr(vd_fetch) f = vd_fetch_new(never, NULL);
    g_autofree char *u = url("fedora");   /* no trailing slash: added */
    g_autofree char *err = NULL;
    g_autoptr(vd_fetch_tree) t = vd_fetch_find_tree(f, u, "x86_64", NULL, NULL, NULL, &err);
    g_autofree char *want = url("fedora/images/pxeboot/vmlinuz");
    g_autofree char *slash = g_strconcat(u, "/", NULL);

    g_assert_null(err);
    g_assert_nonnull(t);
    g_assert_cmpstr(t->base, ==, slash);
    g_assert_cmpstr(t->kernel, ==, "images/pxeboot/vmlinuz");
    g_assert_cmpstr(t->initrd, ==, "images/pxeboot/initrd.img");
    g_assert_cmpstr(t->kernel_url, ==, want);
    g_assert_cmpstr(t->how, ==, ".treeinfo");
    /* libosinfo identified the tree from its .treeinfo */
    g_assert_nonnull(t->os);
    g_assert_nonnull(strstr(t->os->id, "fedora"));
}

static void
test_layouts(void)
{
    g_autoptr(vd_fetch) f = vd_fetch_new(never, NULL);
    g_autofree char *u = url("debian/");
    g_autofree char *err = NULL;
    g_autoptr(vd_fetch_tree) t = vd_fetch_find_tree(f, u, "x86_64", NULL, NULL, NULL, &err);

    /* no .treeinfo: Debian's CD layout */
    g_assert_null(err);
    g_assert_nonnull(t);
    g_assert_cmpstr(t->kernel, ==, "install.amd/vmlinuz");
    g_assert_cmpstr(t->initrd, ==, "install.amd/initrd.gz");
    g_assert_null(t->os);
    g_clear_pointer(&t, vd_fetch_tree_free);

    /* overrides: relative to the tree */
    t = vd_fetch_find_tree(f, u, "x86_64", NULL, "install.amd/initrd.gz", "install.amd/vmlinuz", &err);
    g_assert_nonnull(t);
    g_assert_cmpstr(t->kernel, ==, "install.amd/initrd.gz");
    g_clear_pointer(&t, vd_fetch_tree_free);
    t = vd_fetch_find_tree(f, u, "x86_64", NULL, "install.amd/nope", "install.amd/vmlinuz", &err);
    g_assert_null(t);
    g_assert_nonnull(strstr(err, "HTTP 404"));
    g_assert_nonnull(strstr(err, "debian/install.amd/nope"));
}

static void
test_not_found(void)
{
    g_autoptr(vd_fetch) f = vd_fetch_new(never, NULL);
    g_autofree char *u = url("empty/");
    g_autofree char *err = NULL;
    g_autofree char *ti = url("empty/.treeinfo");
    g_autoptr(vd_fetch_tree) t = vd_fetch_find_tree(f, u, "x86_64", NULL, NULL, NULL, &err);

    g_assert_null(t);
    g_assert_nonnull(strstr(err, "HTTP 404"));
    g_assert_nonnull(strstr(err, ti));
    g_clear_pointer(&err, g_free);

    /* the .treeinfo names files that are not there: which one */
    {
        g_autofree char *lu = url("liar/");
        g_autofree char *k = url("liar/images/pxeboot/vmlinuz");
        t = vd_fetch_find_tree(f, lu, "x86_64", NULL, NULL, NULL, &err);
        g_assert_null(t);
        g_assert_nonnull(strstr(err, "HTTP 404"));
        g_assert_nonnull(strstr(err, k));
        g_clear_pointer(&err, g_free);
    }
    /* nobody listens: one clear error, not a list of layouts */
    t = vd_fetch_find_tree(f, "http://127.0.0.1:1/tree/", "x86_64", NULL, NULL, NULL, &err);
    g_assert_null(t);
    g_assert_nonnull(strstr(err, "http://127.0.0.1:1/tree/.treeinfo"));
}

struct prog {
    guint calls;
    guint64 last_done, last_total;
};

static void
on_progress(guint64 done, guint64 total, gpointer user)
{
    struct prog *p = user;

    g_assert_cmpuint(done, >=, p->last_done);
    p->calls++;
    p->last_done = done;
    p->last_total = total;
}

static int
tmp_fd(void)
{
    g_autofree char *path = NULL;
    int fd = g_file_open_tmp("vdn-fetch-XXXXXX", &path, NULL);

    g_assert_cmpint(fd, >=, 0);
    unlink(path);
    return fd;
}

static void
test_download(void)
{
    g_autoptr(vd_fetch) f = vd_fetch_new(never, NULL);
    g_autofree char *u = url("fedora/images/pxeboot/vmlinuz");
    g_autofree char *err = NULL;
    struct prog p = { 0 };
    guint64 size = 0;
    gsize want = g_bytes_get_size(kernel_data);
    int fd = tmp_fd();
    g_autofree char *got = g_malloc(want + 1);

    g_assert_true(vd_fetch_to_fd(f, u, fd, &size, on_progress, &p, &err));
    g_assert_null(err);
    g_assert_cmpuint(size, ==, want);
    g_assert_cmpuint(p.calls, >=, 1);
    g_assert_cmpuint(p.last_done, ==, want);
    g_assert_cmpuint(p.last_total, ==, want);
    g_assert_cmpint(pread(fd, got, want + 1, 0), ==, (ssize_t)want);
    g_assert_true(memcmp(got, g_bytes_get_data(kernel_data, NULL), want) == 0);
    close(fd);
}

static void
test_download_errors(void)
{
    g_autoptr(vd_fetch) f = vd_fetch_new(never, NULL);
    g_autofree char *u404 = url("fedora/images/pxeboot/missing");
    g_autofree char *ut = url("trunc/vmlinuz");
    g_autofree char *err = NULL;
    guint64 size = 1;
    int fd = tmp_fd();

    g_assert_false(vd_fetch_to_fd(f, u404, fd, &size, NULL, NULL, &err));
    g_assert_cmpuint(size, ==, 0);
    g_assert_nonnull(strstr(err, "HTTP 404"));
    g_assert_nonnull(strstr(err, u404));
    g_clear_pointer(&err, g_free);

    /* Content-Length 100000, 1000 bytes, then the connection closes */
    g_assert_false(vd_fetch_to_fd(f, ut, fd, &size, NULL, NULL, &err));
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err, ut));
    g_test_message("truncated: %s", err);
    close(fd);
}

static gint cancel_flag;

static bool
flag_set(gpointer user)
{
    return g_atomic_int_get(&cancel_flag) != 0;
}

static gboolean
set_flag(gpointer user)
{
    g_atomic_int_set(&cancel_flag, 1);
    return G_SOURCE_REMOVE;
}

static gpointer
cancel_later(gpointer user)
{
    g_usleep(400 * 1000);
    set_flag(NULL);
    return NULL;
}

static void
test_cancel(void)
{
    g_autoptr(vd_fetch) f = vd_fetch_new(flag_set, NULL);
    g_autofree char *u = url("slow/vmlinuz");
    g_autofree char *err = NULL;
    struct prog p = { 0 };
    guint64 size = 0;
    int fd = tmp_fd();
    GThread *th;
    gint64 t0 = g_get_monotonic_time(), secs;

    /* the server sends 64 KiB of 10 MiB and goes silent for 60 s: the
     * cancel must end the blocked read */
    th = g_thread_new("cancel", cancel_later, NULL);
    g_assert_false(vd_fetch_to_fd(f, u, fd, &size, on_progress, &p, &err));
    secs = (g_get_monotonic_time() - t0) / G_USEC_PER_SEC;
    g_thread_join(th);
    g_assert_cmpstr(err, ==, "Cancelled");
    g_assert_cmpuint(p.last_done, >, 0);
    g_assert_cmpuint(p.last_done, <, 10 << 20);
    g_assert_cmpint(secs, <, 5);
    close(fd);
}

int
main(int argc, char **argv)
{
    int rc;

    g_setenv("LC_ALL", "C", TRUE);
    g_test_init(&argc, &argv, NULL);
    make_trees();
    start_server();
    g_test_add_func("/fetch/supported", test_supported);
    g_test_add_func("/fetch/treeinfo", test_treeinfo);
    g_test_add_func("/fetch/layouts", test_layouts);
    g_test_add_func("/fetch/not-found", test_not_found);
    g_test_add_func("/fetch/download", test_download);
    g_test_add_func("/fetch/download-errors", test_download_errors);
    g_test_add_func("/fetch/cancel", test_cancel);
    rc = g_test_run();
    kill(server_pid, SIGTERM);
    g_spawn_close_pid(server_pid);
    {
        g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", root);
        if (system(cmd) != 0)
            g_printerr("cannot remove %s\n", root);
    }
    return rc;
}
