/* The console stream core (src/console.c) against libvirt's test driver,
 * which has no consoles: every path that does not need a guest.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>
#include <libvirt/virterror.h>
#include "conn.h"
#include "console.h"

#define TEST_UUID "6695eb01-f6a4-8304-79aa-97f2502e193f"   /* test:///default "test" */

static GMainContext *ui_ctx;

struct seen {
    guint statuses;
    enum vd_console_status st;
    char *msg;
    gsize bytes;
};

static void
on_data(const char *buf, size_t len, gpointer user)
{
    struct seen *s = user;
    s->bytes += len;
}

static void
on_status(enum vd_console_status st, const char *message, gpointer user)
{
    struct seen *s = user;
    s->statuses++;
    s->st = st;
    g_free(s->msg);
    s->msg = g_strdup(message);
}

static const struct vd_console_callbacks cbs = { on_data, on_status };

static void
spin(guint ms, struct seen *s, bool until_status)
{
    gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;
    while (g_get_monotonic_time() < end && !(until_status && s->statuses))
        g_main_context_iteration(ui_ctx, FALSE), g_usleep(2000);
}

static void
noop_notify(struct vd_conn *c, gpointer user)
{
}

static struct vd_conn *
connect_test(void)
{
    struct vd_conn *c = vd_conn_new("test:///default", NULL, ui_ctx, noop_notify, NULL);
    gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

    for (;;) {
        struct vd_host_snap *s = vd_conn_snapshot(c);
        bool ok = s->state == VD_HOST_CONNECTED && s->domains->len > 0;
        vd_host_snap_unref(s);
        if (ok || g_get_monotonic_time() > end)
            break;
        g_main_context_iteration(ui_ctx, FALSE), g_usleep(2000);
    }
    return c;
}

static void
test_busy_error(void)
{
    g_assert_true(vd_console_error_is_busy(VIR_ERR_OPERATION_FAILED,
                                           "operation failed: Active console session exists for this domain"));
    g_assert_false(vd_console_error_is_busy(VIR_ERR_OPERATION_INVALID,
                                            "Active console session exists for this domain"));
    g_assert_false(vd_console_error_is_busy(VIR_ERR_OPERATION_FAILED, "operation failed: domain is not running"));
    g_assert_false(vd_console_error_is_busy(VIR_ERR_OPERATION_FAILED, NULL));
}

static void
test_unsupported(void)
{
    struct vd_conn *c = connect_test();
    struct seen s = { 0 };
    struct vd_console *con = vd_console_open(c, TEST_UUID, NULL, false, ui_ctx, &cbs, &s);

    /* writes before the stream exists are kept or dropped, never a crash */
    vd_console_write(con, "x", 1);
    spin(5000, &s, true);
    g_assert_cmpuint(s.statuses, ==, 1);
    g_assert_cmpint(s.st, ==, VD_CONSOLE_FAILED);
    g_assert_nonnull(strstr(s.msg, "Cannot open the console of test"));
    g_assert_nonnull(strstr(s.msg, "not supported"));
    g_assert_cmpuint(s.bytes, ==, 0);
    vd_console_close(con);
    g_free(s.msg);
    vd_conn_close(c);
}

static void
test_no_domain(void)
{
    struct vd_conn *c = connect_test();
    struct seen s = { 0 };
    struct vd_console *con = vd_console_open(c, "00000000-0000-0000-0000-000000000001", NULL, true, ui_ctx,
                                             &cbs, &s);

    spin(5000, &s, true);
    g_assert_cmpint(s.st, ==, VD_CONSOLE_FAILED);
    g_assert_nonnull(strstr(s.msg, "No such domain"));
    vd_console_close(con);
    g_free(s.msg);
    vd_conn_close(c);
}

static void
test_close_at_once(void)
{
    struct vd_conn *c = connect_test();
    struct seen s = { 0 };
    struct vd_console *con = vd_console_open(c, TEST_UUID, NULL, false, ui_ctx, &cbs, &s);

    /* closed before the worker ran the open: no callback afterwards */
    vd_console_close(con);
    spin(300, &s, false);
    g_assert_cmpuint(s.statuses, ==, 0);
    vd_conn_close(c);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    vd_conn_global_init();
    ui_ctx = g_main_context_new();
    g_main_context_push_thread_default(ui_ctx);
    g_test_add_func("/console/busy-error", test_busy_error);
    g_test_add_func("/console/unsupported", test_unsupported);
    g_test_add_func("/console/no-domain", test_no_domain);
    g_test_add_func("/console/close-at-once", test_close_at_once);
    return g_test_run();
}
