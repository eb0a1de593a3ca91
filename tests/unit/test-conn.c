/* Connection worker against libvirt's in-process test driver.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>
#include "conn.h"
#include "conn-task.h"
#include "dump.h"

#define TEST_UUID "6695eb01-f6a4-8304-79aa-97f2502e193f"   /* test:///default "test" */

static void
test_fetch_once(void)
{
    g_autofree char *err = NULL;
    g_autoptr(vd_host_snap) s = vd_conn_fetch_once("test:///default", &err);
    const struct vd_domain *d;

    g_assert_null(err);
    g_assert_nonnull(s);
    g_assert_cmpint(s->state, ==, VD_HOST_CONNECTED);
    g_assert_cmpuint(s->cpus, >, 0);
    g_assert_cmpuint(s->domains->len, ==, 1);
    d = s->domains->pdata[0];
    g_assert_cmpstr(d->name, ==, "test");
    g_assert_cmpstr(d->uuid, ==, TEST_UUID);
    g_assert_cmpint(d->state, ==, VD_DOM_RUNNING);
    g_assert_cmpuint(d->vcpus, ==, 2);
    g_assert_cmpuint(d->max_mem_kib, ==, 8388608);
    g_assert_true(d->persistent);
    g_assert_false(d->container);
    g_assert_cmpuint(s->rpc_last_refresh, >=, 4);
}

static void
test_fetch_fail(void)
{
    g_autofree char *err = NULL;
    struct vd_host_snap *s = vd_conn_fetch_once("qemu+unix:///system?socket=/nonexistent/sock", &err);

    g_assert_null(s);
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err, "/nonexistent/sock"));
}

static void
test_dump_format(void)
{
    g_autofree char *err = NULL;
    g_autoptr(vd_host_snap) s = vd_conn_fetch_once("test:///default", &err);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    g_auto(GStrv) lines = NULL;

    vd_dump_host(f, s, true);
    fclose(f);
    lines = g_strsplit(buf, "\n", -1);
    g_assert_true(g_str_has_prefix(lines[0], "host\ttest:///default\t"));
    g_assert_nonnull(strstr(lines[0], "\tconnected\tTEST\t"));
    g_assert_cmpstr(lines[1], ==, "domain\ttest:///default\ttest\t" TEST_UUID "\trunning\tvcpus=2\t"
                    "memory_kib=2097152\tmax_memory_kib=8388608\tautostart=no\tpersistent=yes\ttype=vm\t"
                    "addresses=192.168.122.3");
    g_assert_true(g_str_has_prefix(lines[2], "stats\ttest:///default\tdomains=1\trpc_last_refresh="));
    free(buf);
}

/* ---- asynchronous worker ---- */

struct ctx {
    struct vd_conn *c;
    guint notifies;
    bool done;
    bool ok;
    char *msg;
};

static void
on_notify(struct vd_conn *c, gpointer user)
{
    ((struct ctx *)user)->notifies++;
}

static void
on_done(struct vd_conn *c, bool ok, const char *message, gpointer user)
{
    struct ctx *x = user;
    x->done = true;
    x->ok = ok;
    g_free(x->msg);
    x->msg = g_strdup(message);
}

/* The "UI" context of these tests. Not the global default context: that
 * one belongs to libvirt's event loop thread (virEventRegisterDefaultImpl). */
static GMainContext *ui_ctx;

/* Spin the UI context until pred holds or 5 s pass. */
static bool
wait_for(struct ctx *x, bool (*pred)(struct ctx *))
{
    gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    while (!pred(x) && g_get_monotonic_time() < end)
        g_main_context_iteration(ui_ctx, FALSE), g_usleep(2000);
    return pred(x);
}

static bool
connected(struct ctx *x)
{
    g_autoptr(vd_host_snap) s = vd_conn_snapshot(x->c);
    return s->state == VD_HOST_CONNECTED && s->domains->len > 0;
}

static bool
notified(struct ctx *x)
{
    return x->notifies > 0;
}

static bool
action_done(struct ctx *x)
{
    return x->done;
}

static enum vd_dom_state want_state;
static bool
dom_in_state(struct ctx *x)
{
    g_autoptr(vd_host_snap) s = vd_conn_snapshot(x->c);
    const struct vd_domain *d = vd_host_snap_find(s, TEST_UUID);
    return d && d->state == want_state;
}

static void
act(struct ctx *x, enum vd_action a)
{
    const char *uuids[] = { TEST_UUID };
    x->done = false;
    vd_conn_action(x->c, a, uuids, 1, on_done, x);
    g_assert_true(wait_for(x, action_done));
}

static void
test_worker(void)
{
    struct ctx x = { 0 };
    g_autoptr(vd_host_snap) s = NULL;

    x.c = vd_conn_new("test:///default", NULL, ui_ctx, on_notify, &x);
    g_assert_true(wait_for(&x, connected));
    /* the UI hears about it through its own context */
    g_assert_true(wait_for(&x, notified));
    g_assert_cmpstr(vd_conn_uri(x.c), ==, "test:///default");

    act(&x, VD_ACTION_DESTROY);
    g_assert_true(x.ok);
    g_assert_cmpstr(x.msg, ==, "Forced off test");
    want_state = VD_DOM_SHUTOFF;
    g_assert_true(wait_for(&x, dom_in_state));

    act(&x, VD_ACTION_START);
    g_assert_true(x.ok);
    want_state = VD_DOM_RUNNING;
    g_assert_true(wait_for(&x, dom_in_state));

    act(&x, VD_ACTION_SUSPEND);
    want_state = VD_DOM_PAUSED;
    g_assert_true(wait_for(&x, dom_in_state));
    act(&x, VD_ACTION_RESUME);
    want_state = VD_DOM_RUNNING;
    g_assert_true(wait_for(&x, dom_in_state));

    /* libvirt's own error text reaches the caller in full */
    act(&x, VD_ACTION_RESUME);
    g_assert_false(x.ok);
    g_assert_nonnull(strstr(x.msg, "test: "));
    g_assert_nonnull(strstr(x.msg, "not paused"));

    /* long actions run on a helper thread, with a job the UI can watch */
    act(&x, VD_ACTION_MANAGED_SAVE);
    g_assert_true(x.ok);
    g_assert_cmpstr(x.msg, ==, "Saved test");
    want_state = VD_DOM_SHUTOFF;
    g_assert_true(wait_for(&x, dom_in_state));
    {
        g_autoptr(vd_host_snap) s2 = vd_conn_snapshot(x.c);
        g_autofree char *label = NULL;
        int pct;
        g_assert_true(vd_host_snap_find(s2, TEST_UUID)->managed_save);
        g_assert_false(vd_conn_job(x.c, &label, &pct));
        g_assert_false(vd_conn_abort_job(x.c));
    }
    act(&x, VD_ACTION_RESTORE);
    g_assert_true(x.ok);
    want_state = VD_DOM_RUNNING;
    g_assert_true(wait_for(&x, dom_in_state));

    act(&x, VD_ACTION_AUTOSTART_ON);
    g_assert_true(x.ok);
    s = vd_conn_snapshot(x.c);
    g_assert_true(vd_host_snap_find(s, TEST_UUID)->autostart);

    g_free(x.msg);
    vd_conn_close(x.c);
}

static bool
disconnected(struct ctx *x)
{
    return vd_conn_state(x->c) == VD_HOST_DISCONNECTED;
}

static void
test_worker_unreachable(void)
{
    struct ctx x = { 0 };
    g_autoptr(vd_host_snap) s = NULL;

    x.c = vd_conn_new("qemu+unix:///system?socket=/nonexistent/sock", NULL,
                      ui_ctx, on_notify, &x);
    g_assert_true(wait_for(&x, disconnected));
    s = vd_conn_snapshot(x.c);
    g_assert_nonnull(s->error);
    g_assert_nonnull(strstr(s->error, "/nonexistent/sock"));

    /* an action on a host that is not connected fails with a message */
    act(&x, VD_ACTION_START);
    g_assert_false(x.ok);
    g_assert_nonnull(strstr(x.msg, "not connected"));
    g_free(x.msg);
    vd_conn_close(x.c);
}

static bool
ticked(struct ctx *x)
{
    g_autoptr(vd_host_snap) s = vd_conn_snapshot(x->c);
    for (guint i = 0; i < s->domains->len; i++) {
        const struct vd_domain *d = s->domains->pdata[i];
        if (g_str_equal(d->name, "web-frontend"))
            return !isnan(d->rates.cpu_pct);
    }
    return false;
}

/* Quick ticks ask only for running domains and carry the others over. */
static void
test_ticks(void)
{
    const char *src = g_getenv("VD_SRCDIR");
    g_autofree char *uri = g_strdup_printf("test://%s/data/demo.xml",
                                           src ? src : ".");
    struct vd_conn_options o = { .refresh_ms = 100 };
    struct ctx x = { 0 };
    g_autoptr(vd_host_snap) s = NULL;
    guint shutoff = 0;

    if (!g_path_is_absolute(uri + 7)) {
        g_autofree char *cwd = g_get_current_dir();
        g_free(uri);
        uri = g_strdup_printf("test://%s/data/demo.xml", cwd);
    }
    x.c = vd_conn_new(uri, &o, ui_ctx, on_notify, &x);
    g_assert_true(wait_for(&x, connected));
    g_assert_true(wait_for(&x, ticked));
    g_usleep(500000);   /* several more quick ticks */
    s = vd_conn_snapshot(x.c);
    g_assert_cmpuint(s->domains->len, ==, 14);
    for (guint i = 0; i < s->domains->len; i++) {
        const struct vd_domain *d = s->domains->pdata[i];
        if (d->state == VD_DOM_SHUTOFF) {
            shutoff++;
            g_assert_true(isnan(d->rates.cpu_pct));
        }
    }
    g_assert_cmpuint(shutoff, ==, 2);
    g_assert_cmpuint(s->rpc_last_refresh, <=, 1 + 14);   /* a quick tick: 1 stats call (+ GetInfo per domain here) */
    vd_conn_close(x.c);
}

/* A quick tick builds its list from the running domains it asked for and
 * the others carried over from the last snapshot, merged in order, with the
 * list flags and sort keys taken over: it must equal what a full refresh
 * lists. Names in mixed case and running ones between stopped ones. */
static guint64 tick_gen;

static bool
ticked_after(struct ctx *x)
{
    g_autoptr(vd_host_snap) s = vd_conn_snapshot(x->c);
    return s->state == VD_HOST_CONNECTED && s->generation > tick_gen && s->refresh_us > 0;
}

static void
test_tick_merge(void)
{
    static const char *const prefix[] = { "Zeta", "alpha", "Mid", "beta" };
    g_autofree char *dir = g_dir_make_tmp("vd-tick-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "host.xml", NULL);
    g_autofree char *uri = g_strdup_printf("test://%s", path);
    GString *xml = g_string_new("<node>\n");
    struct vd_conn_options o = { .refresh_ms = 3600 * 1000, .notify_every_refresh = true };
    struct ctx x = { 0 };
    g_autoptr(vd_host_snap) full = NULL;
    guint active = 0;

    /* 0: shut off, 1: paused, 2 and 3: running */
    for (int i = 59; i >= 0; i--)
        g_string_append_printf(xml, "<domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>"
                               "<name>%s-%02d</name><memory unit='MiB'>64</memory><os><type>hvm</type></os>"
                               "<test:runstate>%d</test:runstate></domain>\n",
                               prefix[i % 4], i, (i / 4) % 4 == 0 ? 5 : (i / 4) % 4 == 1 ? 3 : 1);
    g_string_append(xml, "</node>\n");
    g_assert_true(g_file_set_contents(path, xml->str, -1, NULL));
    g_string_free(xml, TRUE);

    x.c = vd_conn_new(uri, &o, ui_ctx, on_notify, &x);
    g_assert_true(wait_for(&x, ticked_after));
    full = vd_conn_snapshot(x.c);
    g_assert_true(full->last_refresh_full);
    g_assert_cmpuint(full->domains->len, ==, 60);
    for (guint i = 0; i < full->domains->len; i++)
        active += vd_dom_is_active(full->domains->pdata[i]);
    g_assert_cmpuint(active, ==, 44);
    for (int k = 0; k < 4; k++) {
        g_autoptr(vd_host_snap) s = NULL;

        s = vd_conn_snapshot(x.c);
        tick_gen = s->generation;
        g_clear_pointer(&s, vd_host_snap_unref);
        vd_conn_tick(x.c);
        g_assert_true(wait_for(&x, ticked_after));
        s = vd_conn_snapshot(x.c);
        g_assert_false(s->last_refresh_full);
        g_assert_cmpuint(s->domains->len, ==, 60);
        g_assert_cmpuint(s->times.bulk_us, >, 0);
        for (guint i = 0; i < s->domains->len; i++) {
            const struct vd_domain *d = s->domains->pdata[i], *f = full->domains->pdata[i];
            g_autofree char *key = g_utf8_collate_key(d->name, -1);

            g_assert_cmpstr(d->uuid, ==, f->uuid);
            g_assert_cmpstr(d->name, ==, f->name);
            g_assert_cmpstr(d->collate_key, ==, key);
            g_assert_cmpint(d->persistent, ==, f->persistent);
            g_assert_cmpint(d->autostart, ==, f->autostart);
            g_assert_cmpint(d->state, ==, f->state);
            if (i)
                g_assert_cmpint(strcmp(((const struct vd_domain *)s->domains->pdata[i - 1])->collate_key,
                                       d->collate_key), <=, 0);
        }
    }
    vd_conn_close(x.c);
    g_unlink(path);
    g_rmdir(dir);
}

/* ---- tasks (conn-task.h) ---- */

struct tctx {
    bool done, ok;
    char *msg;
    int result;
    gint started;     /* atomic: the long task runs */
    gint release;     /* atomic: the call it cannot interrupt may return */
};

static void
count_domains(virConnectPtr vc, struct vd_task *t, gpointer data)
{
    int n = virConnectNumOfDomains(vc);

    if (n < 0) {
        vd_task_fail_libvirt(t, "count");
        return;
    }
    vd_task_set_result(t, GINT_TO_POINTER(n + 100), NULL);
    vd_task_set_message(t, "%d running\x1b[2J", n);
}

static void
wait_cancel(virConnectPtr vc, struct vd_task *t, gpointer data)
{
    struct tctx *x = data;

    vd_task_progress(t, 42, "1 MiB/s");
    g_atomic_int_set(&x->started, 1);
    for (int i = 0; i < 500 && !vd_task_cancelled(t); i++)
        g_usleep(10000);
    if (vd_task_cancelled(t))
        vd_task_fail(t, "Cancelled");
}

/* A call that cannot be interrupted, then a cancellable wait. */
static void
wait_uninterruptible(virConnectPtr vc, struct vd_task *t, gpointer data)
{
    struct tctx *x = data;

    vd_task_progress(t, 80, "starting");
    vd_task_set_interruptible(t, false);
    g_atomic_int_set(&x->started, 1);
    for (int i = 0; i < 500 && !g_atomic_int_get(&x->release); i++)
        g_usleep(10000);
    vd_task_set_interruptible(t, true);
    if (vd_task_cancelled(t))
        vd_task_fail(t, "Cancelled after the step");
}

static void
on_task_done(struct vd_conn *c, bool ok, const char *message, gpointer result, gpointer user)
{
    struct tctx *x = user;

    x->done = true;
    x->ok = ok;
    x->result = GPOINTER_TO_INT(result);
    g_free(x->msg);
    x->msg = g_strdup(message);
}

static bool
task_done(struct tctx *x)
{
    return x->done;
}

static bool
task_started(struct tctx *x)
{
    return g_atomic_int_get(&x->started);
}

static bool
wait_task(struct tctx *x, bool (*pred)(struct tctx *))
{
    gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    while (!pred(x) && g_get_monotonic_time() < end)
        g_main_context_iteration(ui_ctx, FALSE), g_usleep(2000);
    return pred(x);
}

static void
test_tasks(void)
{
    struct ctx cx = { 0 };
    struct tctx x = { 0 };
    g_autofree char *label = NULL;
    g_autofree char *msg = NULL;
    gpointer res = NULL;
    int pct = 0;

    cx.c = vd_conn_new("test:///default", NULL, ui_ctx, on_notify, &cx);
    g_assert_true(wait_for(&cx, connected));

    /* a quick task: result and a sanitized message reach the UI context */
    vd_conn_submit(cx.c, VD_TASK_QUICK, NULL, count_domains, NULL, NULL, on_task_done, &x);
    g_assert_true(wait_task(&x, task_done));
    g_assert_true(x.ok);
    g_assert_cmpint(x.result, ==, 101);
    g_assert_cmpstr(x.msg, ==, "1 running");

    /* a long task shows as the host's job and is cancelled by abort */
    memset(&x, 0, sizeof x);
    vd_conn_submit(cx.c, VD_TASK_LONG, "Waiting", wait_cancel, &x, NULL, on_task_done, &x);
    g_assert_true(wait_task(&x, task_started));
    g_assert_true(vd_conn_job(cx.c, &label, &pct));
    g_assert_cmpstr(label, ==, "Waiting (1 MiB/s)");
    g_assert_cmpint(pct, ==, 42);
    g_assert_true(vd_conn_abort_job(cx.c));
    g_assert_true(wait_task(&x, task_done));
    g_assert_false(x.ok);
    g_assert_cmpstr(x.msg, ==, "Cancelled");
    g_clear_pointer(&label, g_free);
    g_assert_false(vd_conn_job(cx.c, &label, &pct));
    g_free(x.msg);

    /* a step that cannot be interrupted: Esc says so, the cancel waits for it */
    memset(&x, 0, sizeof x);
    vd_conn_submit(cx.c, VD_TASK_LONG, "Creating", wait_uninterruptible, &x, NULL, on_task_done, &x);
    g_assert_true(wait_task(&x, task_started));
    g_assert_cmpint(vd_conn_job_cancel(cx.c), ==, VD_JOB_CANCEL_AFTER_STEP);
    g_assert_true(vd_conn_abort_job(cx.c));
    g_assert_cmpint(vd_conn_job_cancel(cx.c), ==, VD_JOB_CANCELLING_AFTER_STEP);
    g_usleep(100000);
    g_main_context_iteration(ui_ctx, FALSE);
    g_assert_false(x.done);
    g_atomic_int_set(&x.release, 1);
    g_assert_true(wait_task(&x, task_done));
    g_assert_false(x.ok);
    g_assert_cmpstr(x.msg, ==, "Cancelled after the step");
    g_assert_cmpint(vd_conn_job_cancel(cx.c), ==, VD_JOB_CANCEL_NOW);   /* no job */
    g_free(x.msg);
    vd_conn_close(cx.c);

    /* synchronous, for the command line */
    g_assert_true(vd_conn_run_sync("test:///default", count_domains, NULL, &msg, &res));
    g_assert_cmpint(GPOINTER_TO_INT(res), ==, 101);
    g_clear_pointer(&msg, g_free);
    g_assert_false(vd_conn_run_sync("qemu+unix:///system?socket=/nonexistent/sock", count_domains,
                                    NULL, &msg, NULL));
    g_assert_nonnull(strstr(msg, "/nonexistent/sock"));
}

static void
test_task_not_connected(void)
{
    struct ctx cx = { 0 };
    struct tctx x = { 0 };

    cx.c = vd_conn_new("qemu+unix:///system?socket=/nonexistent/sock", NULL, ui_ctx, on_notify, &cx);
    g_assert_true(wait_for(&cx, disconnected));
    vd_conn_submit(cx.c, VD_TASK_QUICK, NULL, count_domains, NULL, NULL, on_task_done, &x);
    g_assert_true(wait_task(&x, task_done));
    g_assert_false(x.ok);
    g_assert_nonnull(strstr(x.msg, "Not connected"));
    g_free(x.msg);
    vd_conn_close(cx.c);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    vd_conn_global_init();
    ui_ctx = g_main_context_new();
    g_main_context_push_thread_default(ui_ctx);
    g_test_add_func("/conn/fetch-once", test_fetch_once);
    g_test_add_func("/conn/fetch-fail", test_fetch_fail);
    g_test_add_func("/conn/dump-format", test_dump_format);
    g_test_add_func("/conn/worker", test_worker);
    g_test_add_func("/conn/worker-unreachable", test_worker_unreachable);
    g_test_add_func("/conn/ticks", test_ticks);
    g_test_add_func("/conn/tick-merge", test_tick_merge);
    g_test_add_func("/conn/tasks", test_tasks);
    g_test_add_func("/conn/task-not-connected", test_task_not_connected);
    return g_test_run();
}
