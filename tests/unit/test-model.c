/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "actions.h"
#include "model.h"

static struct vd_domain *
mk(const char *name, enum vd_dom_state st, int id)
{
    struct vd_domain *d = vd_domain_new();
    d->name = g_strdup(name);
    g_strlcpy(d->uuid, "00000000-0000-0000-0000-000000000001", sizeof d->uuid);
    d->state = st;
    d->id = id;
    d->persistent = true;
    return d;
}

static void
test_snapshot_copy(void)
{
    struct vd_host_snap *s = vd_host_snap_new("test:///default");
    struct vd_host_snap *c;

    s->hostname = g_strdup("h1");
    g_ptr_array_add(s->domains, mk("a", VD_DOM_RUNNING, 1));
    c = vd_host_snap_copy(s);
    g_assert_cmpstr(c->uri, ==, "test:///default");
    g_assert_cmpstr(vd_host_snap_label(c), ==, "h1");
    g_assert_cmpuint(c->domains->len, ==, 1);
    /* domains are shared (immutable), and outlive the snapshot they came from */
    g_assert_true(c->domains->pdata[0] == s->domains->pdata[0]);
    {
        struct vd_domain *d = vd_domain_copy(s->domains->pdata[0]);
        g_assert_true(d != s->domains->pdata[0]);
        g_assert_cmpstr(d->name, ==, "a");
        g_assert_true(d->name != ((struct vd_domain *)s->domains->pdata[0])->name);
        vd_domain_unref(d);
    }
    g_assert_nonnull(vd_host_snap_find(c, "00000000-0000-0000-0000-000000000001"));
    g_assert_null(vd_host_snap_find(c, "nope"));
    {
        struct vd_host_snap *h = vd_host_snap_copy_host(s);
        g_assert_cmpuint(h->domains->len, ==, 0);
        g_assert_cmpstr(h->hostname, ==, "h1");
        g_assert_cmpuint(s->domains->len, ==, 1);
        vd_host_snap_unref(h);
    }
    vd_host_snap_unref(vd_host_snap_ref(s));
    vd_host_snap_unref(s);
    g_assert_cmpstr(((struct vd_domain *)c->domains->pdata[0])->name, ==, "a");
    vd_host_snap_unref(c);

    s = vd_host_snap_new("qemu:///system");
    g_assert_cmpstr(vd_host_snap_label(s), ==, "qemu:///system");
    vd_host_snap_unref(s);
}

static void
test_states(void)
{
    g_assert_cmpstr(vd_dom_state_id(VD_DOM_SHUTOFF), ==, "shutoff");
    g_assert_cmpstr(vd_dom_state_id(VD_DOM_PMSUSPENDED), ==, "pmsuspended");
    g_assert_cmpstr(vd_dom_state_id(99), ==, "unknown");
    g_assert_cmpstr(vd_host_state_id(VD_HOST_NOT_RESPONDING), ==, "not-responding");
    g_assert_cmpstr(vd_host_state_name(VD_HOST_NOT_RESPONDING), ==, "not responding");
}

static void
test_actions(void)
{
    struct vd_domain *run = mk("r", VD_DOM_RUNNING, 3);
    struct vd_domain *off = mk("o", VD_DOM_SHUTOFF, -1);
    struct vd_domain *paused = mk("p", VD_DOM_PAUSED, 4);
    const char *why = NULL;

    g_assert_true(vd_action_allowed(VD_ACTION_START, off, NULL));
    g_assert_false(vd_action_allowed(VD_ACTION_START, run, &why));
    g_assert_cmpstr(why, ==, "already running");
    g_assert_true(vd_action_allowed(VD_ACTION_DESTROY, paused, NULL));
    g_assert_false(vd_action_allowed(VD_ACTION_DESTROY, off, &why));
    g_assert_cmpstr(why, ==, "not running");
    g_assert_true(vd_action_allowed(VD_ACTION_SUSPEND, run, NULL));
    g_assert_false(vd_action_allowed(VD_ACTION_SUSPEND, paused, NULL));
    g_assert_true(vd_action_allowed(VD_ACTION_RESUME, paused, NULL));
    g_assert_false(vd_action_allowed(VD_ACTION_RESUME, run, NULL));
    g_assert_false(vd_action_allowed(VD_ACTION_RESTORE, off, &why));
    g_assert_cmpstr(why, ==, "no managed save image");
    off->managed_save = true;
    g_assert_true(vd_action_allowed(VD_ACTION_RESTORE, off, NULL));
    g_assert_true(vd_action_allowed(VD_ACTION_AUTOSTART_ON, off, NULL));
    g_assert_false(vd_action_allowed(VD_ACTION_AUTOSTART_OFF, off, NULL));
    run->persistent = false;
    g_assert_false(vd_action_allowed(VD_ACTION_UNDEFINE, run, &why));
    g_assert_cmpstr(why, ==, "transient domain");

    g_assert_true(vd_action_confirm(VD_ACTION_DESTROY));
    g_assert_true(vd_action_confirm(VD_ACTION_UNDEFINE));
    g_assert_false(vd_action_confirm(VD_ACTION_START));
    g_assert_cmpint(vd_action_from_name("force-off"), ==, VD_ACTION_DESTROY);
    g_assert_cmpint(vd_action_from_name("bogus"), ==, -1);
    for (int a = 0; a < VD_ACTION_LAST; a++) {
        g_assert_cmpint(vd_action_from_name(vd_action_name(a)), ==, a);
        g_assert_cmpstr(vd_action_label(a), !=, "");
    }
    vd_domain_unref(run);
    vd_domain_unref(off);
    vd_domain_unref(paused);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/model/snapshot-copy", test_snapshot_copy);
    g_test_add_func("/model/states", test_states);
    g_test_add_func("/model/actions", test_actions);
    return g_test_run();
}
