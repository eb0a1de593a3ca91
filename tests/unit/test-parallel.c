/* virtdeck - vd_parallel: every index once, at once, nested without deadlock
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <config.h>

#include "parallel.h"

struct sums {
    gint hits[200];
    gint running, max_running;
};

static void
count_fn(guint i, gpointer data)
{
    struct sums *s = data;
    gint now = g_atomic_int_add(&s->running, 1) + 1;
    gint max;

    while ((max = g_atomic_int_get(&s->max_running)) < now &&
           !g_atomic_int_compare_and_exchange(&s->max_running, max, now))
        ;
    g_usleep(20000);            /* a 20 ms "round trip" */
    g_atomic_int_inc(&s->hits[i]);
    g_atomic_int_add(&s->running, -1);
}

static void
test_each_once(void)
{
    guint sizes[] = { 0, 1, 2, 7, 16, 17, 200 };

    for (guint k = 0; k < G_N_ELEMENTS(sizes); k++) {
        struct sums s = { 0 };
        vd_parallel(sizes[k], count_fn, &s);
        for (guint i = 0; i < G_N_ELEMENTS(s.hits); i++)
            g_assert_cmpint(s.hits[i], ==, i < sizes[k] ? 1 : 0);
        g_assert_cmpint(s.running, ==, 0);
    }
}

static void
test_at_once(void)
{
    struct sums s = { 0 };

    /* 10 calls of 20 ms overlap (one after another, max_running is 1) */
    vd_parallel(10, count_fn, &s);
    g_assert_cmpint(s.max_running, >=, 3);
}

/* Every call starts 8 more: 8 x 8 calls, more than the pool's threads, and
 * the outer ones wait inside the pool's threads. */
static void
outer_fn(guint i, gpointer data)
{
    struct sums *s = data;
    vd_parallel(8, count_fn, &s[i + 1]);
    g_atomic_int_inc(&s[0].hits[i]);
}

static void
test_nested(void)
{
    struct sums *s = g_new0(struct sums, 9);

    vd_parallel(8, outer_fn, s);
    for (guint i = 0; i < 8; i++) {
        g_assert_cmpint(s[0].hits[i], ==, 1);
        for (guint k = 0; k < 8; k++)
            g_assert_cmpint(s[i + 1].hits[k], ==, 1);
    }
    g_free(s);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/parallel/each-once", test_each_once);
    g_test_add_func("/parallel/at-once", test_at_once);
    g_test_add_func("/parallel/nested", test_nested);
    return g_test_run();
}
