/* SPDX-License-Identifier: GPL-2.0-or-later
 * Credentials asked through the UI context (src/auth.c): answers, the
 * session cache, a wrong answer asked again, cancel, the askpass helper
 * over its socket; migration flags (src/migrate.c). */
#include "config.h"

#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <libvirt/libvirt.h>
#include "auth.h"
#include "migrate.h"

struct handler {
    int calls;
    const char *answer;          /* NULL: keep the request (no answer) */
    struct vd_auth_request *kept;
};

static void
on_request(struct vd_auth_request *r, gpointer user)
{
    struct handler *h = user;

    h->calls++;
    if (h->answer)
        vd_auth_request_answer(r, h->answer);
    else
        h->kept = r;
}

struct ask {
    const char *uri, *prompt;
    enum vd_auth_kind kind;
    guint64 session;
    char *answer;
    gint done;
};

static gpointer
ask_thread(gpointer data)
{
    struct ask *a = data;

    a->answer = vd_auth_ask(a->uri, a->prompt, a->kind, a->session);
    g_atomic_int_set(&a->done, 1);
    return NULL;
}

/* Ask on a thread (as a worker does) while this one runs the "UI" context. */
static char *
ask(GMainContext *ctx, const char *uri, const char *prompt, enum vd_auth_kind kind, guint64 session)
{
    struct ask a = { uri, prompt, kind, session, NULL, 0 };
    GThread *t = g_thread_new("ask", ask_thread, &a);
    gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

    while (!g_atomic_int_get(&a.done) && g_get_monotonic_time() < end)
        g_main_context_iteration(ctx, FALSE);
    g_assert_true(g_atomic_int_get(&a.done));
    g_thread_join(t);
    return a.answer;
}

static void
test_ask_cache(void)
{
    GMainContext *ctx = g_main_context_new();
    struct handler h = { 0, "secret-1", NULL };
    char *a;

    g_assert_null(vd_auth_ask("qemu+ssh://x/system", "pw:", VD_AUTH_SECRET, 1));   /* no UI: refused */
    vd_auth_set_handler(ctx, on_request, &h);
    a = ask(ctx, "qemu+ssh://x/system", "pw:", VD_AUTH_SECRET, 1);
    g_assert_cmpstr(a, ==, "secret-1");
    g_assert_cmpint(h.calls, ==, 1);
    vd_secret_free(a);
    /* another attempt (a reconnect): from the cache, nobody asked */
    a = ask(ctx, "qemu+ssh://x/system", "pw:", VD_AUTH_SECRET, 2);
    g_assert_cmpstr(a, ==, "secret-1");
    g_assert_cmpint(h.calls, ==, 1);
    vd_secret_free(a);
    /* the same attempt asks again: the answer was wrong, ask the user */
    h.answer = "secret-2";
    a = ask(ctx, "qemu+ssh://x/system", "pw:", VD_AUTH_SECRET, 2);
    g_assert_cmpstr(a, ==, "secret-2");
    g_assert_cmpint(h.calls, ==, 2);
    vd_secret_free(a);
    /* another host: asked */
    a = ask(ctx, "qemu+ssh://y/system", "pw:", VD_AUTH_SECRET, 3);
    g_assert_cmpint(h.calls, ==, 3);
    vd_secret_free(a);
    /* a refused host key is asked again next time */
    h.answer = "no";
    vd_secret_free(ask(ctx, "qemu+ssh://z/system", "continue (yes/no)?", VD_AUTH_CONFIRM, 4));
    vd_secret_free(ask(ctx, "qemu+ssh://z/system", "continue (yes/no)?", VD_AUTH_CONFIRM, 5));
    g_assert_cmpint(h.calls, ==, 5);
    /* forgetting a host (authentication failed) asks again */
    h.answer = "secret-3";
    vd_auth_forget("qemu+ssh://x/system");
    a = ask(ctx, "qemu+ssh://x/system", "pw:", VD_AUTH_SECRET, 6);
    g_assert_cmpstr(a, ==, "secret-3");
    g_assert_cmpint(h.calls, ==, 6);
    vd_secret_free(a);
    vd_auth_set_handler(NULL, NULL, NULL);
    g_main_context_unref(ctx);
}

static gboolean
cancel_later(gpointer data)
{
    vd_auth_cancel_uri(data);
    return G_SOURCE_REMOVE;
}

static void
test_cancel(void)
{
    GMainContext *ctx = g_main_context_new();
    struct handler h = { 0, NULL, NULL };
    GSource *s = g_timeout_source_new(100);

    vd_auth_set_handler(ctx, on_request, &h);
    g_source_set_callback(s, cancel_later, (gpointer) "qemu+ssh://gone/system", NULL);
    g_source_attach(s, ctx);
    g_source_unref(s);
    /* nobody answers; the host is closed: the asker lets go */
    g_assert_null(ask(ctx, "qemu+ssh://gone/system", "pw:", VD_AUTH_SECRET, 7));
    g_assert_nonnull(h.kept);
    g_assert_true(vd_auth_request_cancelled(h.kept));
    g_assert_cmpstr(vd_auth_request_uri(h.kept), ==, "qemu+ssh://gone/system");
    vd_auth_request_answer(h.kept, NULL);
    vd_auth_set_handler(NULL, NULL, NULL);
    g_main_context_unref(ctx);
}

static void
test_prompt_sanitized(void)
{
    GMainContext *ctx = g_main_context_new();
    struct handler h = { 0, NULL, NULL };
    struct ask a = { "qemu+ssh://p/system", "line one\n\x1b[31mred\x1b[0m\n\nfingerprint is SHA256:x", VD_AUTH_CONFIRM, 8, NULL, 0 };
    GThread *t;

    vd_auth_set_handler(ctx, on_request, &h);
    t = g_thread_new("ask", ask_thread, &a);
    while (!h.kept)
        g_main_context_iteration(ctx, TRUE);
    g_assert_cmpstr(vd_auth_request_prompt(h.kept), ==, "line one\nred\nfingerprint is SHA256:x");
    g_assert_cmpint(vd_auth_request_kind(h.kept), ==, VD_AUTH_CONFIRM);
    vd_auth_request_answer(h.kept, "yes");
    g_thread_join(t);
    g_assert_cmpstr(a.answer, ==, "yes");
    vd_secret_free(a.answer);
    vd_auth_set_handler(NULL, NULL, NULL);
    g_main_context_unref(ctx);
}

static void
test_askpass(void)
{
    const char *bin = g_getenv("VD_BIN");
    GMainContext *ctx = g_main_context_new();
    struct handler h = { 0, "from-the-ui", NULL };
    g_autofree char *err = NULL;
    g_autofree char *wrapper = NULL;
    g_autofree char *script = NULL;
    g_autofree char *env = NULL;
    g_autofree char *out = NULL;
    g_autofree char *dir = NULL;
    char *p, *q;
    GPid pid;
    int fd_out = -1, status = 0;
    g_auto(GStrv) envp = NULL;
    const char *argv[] = { bin, "--askpass", "root@h's password: ", NULL };
    GStatBuf st;

    if (!bin || !g_file_test(bin, G_FILE_TEST_IS_EXECUTABLE)) {
        g_test_skip("VD_BIN (the virtdeck binary) is not set");
        return;
    }
    g_assert_null(vd_askpass_ssh_command("qemu+ssh://h/system"));    /* not started: BatchMode */
    g_assert_true(vd_askpass_start(&err));
    wrapper = vd_askpass_ssh_command("qemu+ssh://h/system");
    g_assert_nonnull(wrapper);
    dir = g_path_get_dirname(wrapper);
    g_assert_cmpint(g_stat(dir, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 0777, ==, 0700);
    g_assert_true(g_file_get_contents(wrapper, &script, NULL, NULL));
    g_assert_nonnull(strstr(script, "SSH_ASKPASS_REQUIRE=force"));
    p = strstr(script, "VIRTDECK_ASKPASS=");
    g_assert_nonnull(p);
    p += strlen("VIRTDECK_ASKPASS=");
    q = strchr(p, '\n');
    {
        g_autofree char *quoted = g_strndup(p, q - p);
        env = g_shell_unquote(quoted, NULL);
    }
    envp = g_environ_setenv(g_get_environ(), "VIRTDECK_ASKPASS", env, TRUE);

    vd_auth_set_handler(ctx, on_request, &h);
    g_assert_true(g_spawn_async_with_pipes(NULL, (char **)argv, envp, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                           &pid, NULL, &fd_out, NULL, NULL));
    {
        GString *buf = g_string_new(NULL);
        char tmp[256];
        ssize_t n;
        gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

        g_unix_set_fd_nonblocking(fd_out, TRUE, NULL);
        while (g_get_monotonic_time() < end) {
            g_main_context_iteration(ctx, FALSE);
            n = read(fd_out, tmp, sizeof tmp);
            if (n > 0)
                g_string_append_len(buf, tmp, n);
            else if (n == 0)
                break;
            else
                g_usleep(5000);
        }
        out = g_string_free(buf, FALSE);
    }
    close(fd_out);
    waitpid(pid, &status, 0);
    g_assert_cmpstr(out, ==, "from-the-ui\n");
    g_assert_cmpint(h.calls, ==, 1);
    vd_askpass_stop();
    g_assert_false(g_file_test(dir, G_FILE_TEST_EXISTS));
    vd_auth_set_handler(NULL, NULL, NULL);
    g_main_context_unref(ctx);
}

static void
test_explain(void)
{
    g_autofree char *a = vd_auth_explain_error("qemu+ssh://root@10.0.0.2/system",
        "Cannot recv data: @@@@\n@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @\nHost key verification failed.");
    g_autofree char *b = vd_auth_explain_error("qemu+ssh://root@h:2222/system",
        "Cannot recv data: Host key verification failed.: Connection reset by peer");

    g_assert_nonnull(strstr(a, "10.0.0.2 has CHANGED"));
    g_assert_nonnull(strstr(a, "refusing"));
    g_assert_nonnull(strstr(b, "h:2222 was not accepted"));
    g_assert_null(vd_auth_explain_error("qemu:///system", "Connection refused"));
}

static void
test_migrate_flags(void)
{
    struct vd_migrate_opts o = { .mode = VD_MIGRATE_LIVE, .persistent = true };
    g_autofree char *a1 = vd_migrate_default_address("qemu+ssh://root@10.254.0.2/system");
    g_autofree char *a2 = vd_migrate_default_address("qemu+ssh://root@[fe80::1]:22/system");

    g_assert_cmpuint(vd_migrate_flags(&o), ==, VIR_MIGRATE_LIVE | VIR_MIGRATE_PERSIST_DEST);
    o.mode = VD_MIGRATE_OFFLINE;
    o.persistent = false;
    o.compressed = o.copy_storage = true;      /* meaningless offline: dropped */
    g_assert_cmpuint(vd_migrate_flags(&o), ==, VIR_MIGRATE_OFFLINE | VIR_MIGRATE_PERSIST_DEST);
    o.mode = VD_MIGRATE_SUSPENDED;
    o.undefine_source = o.unsafe = true;
    g_assert_cmpuint(vd_migrate_flags(&o), ==, VIR_MIGRATE_PAUSED | VIR_MIGRATE_UNDEFINE_SOURCE |
                     VIR_MIGRATE_UNSAFE | VIR_MIGRATE_COMPRESSED | VIR_MIGRATE_NON_SHARED_DISK);
    g_assert_cmpstr(a1, ==, "tcp://10.254.0.2");
    g_assert_cmpstr(a2, ==, "tcp://[fe80::1]");
    g_assert_null(vd_migrate_default_address("qemu:///system"));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/auth/ask-cache", test_ask_cache);
    g_test_add_func("/auth/cancel", test_cancel);
    g_test_add_func("/auth/prompt-sanitized", test_prompt_sanitized);
    g_test_add_func("/auth/askpass", test_askpass);
    g_test_add_func("/auth/explain", test_explain);
    g_test_add_func("/migrate/flags", test_migrate_flags);
    return g_test_run();
}
