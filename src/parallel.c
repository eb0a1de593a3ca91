/* virtdeck - run independent calls at once (see parallel.h)
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <config.h>

#include "parallel.h"

/* Threads of the pool; more calls than this still run, the caller and the
 * busy threads take them in turn. */
#define VD_PARALLEL_THREADS 16

struct batch {
    gatomicrefcount ref;
    guint n;
    gint next;                  /* atomic: the next index to take */
    vd_parallel_fn fn;
    gpointer data;
    GMutex lock;
    GCond cond;
    guint done;                 /* under lock */
};

static GThreadPool *pool;
static GMutex pool_lock;

static void
batch_unref(struct batch *b)
{
    if (!g_atomic_ref_count_dec(&b->ref))
        return;
    g_mutex_clear(&b->lock);
    g_cond_clear(&b->cond);
    g_free(b);
}

/* Take indices until none is left; count the ones done here. */
static void
batch_work(struct batch *b)
{
    guint mine = 0;

    for (;;) {
        gint i = g_atomic_int_add(&b->next, 1);
        if (i < 0 || (guint)i >= b->n)
            break;
        b->fn((guint)i, b->data);
        mine++;
    }
    if (!mine)
        return;
    g_mutex_lock(&b->lock);
    b->done += mine;
    if (b->done == b->n)
        g_cond_broadcast(&b->cond);
    g_mutex_unlock(&b->lock);
}

static void
helper(gpointer data, gpointer user G_GNUC_UNUSED)
{
    struct batch *b = data;

    batch_work(b);
    batch_unref(b);
}

static GThreadPool *
get_pool(void)
{
    g_mutex_lock(&pool_lock);
    if (!pool)
        pool = g_thread_pool_new(helper, NULL, VD_PARALLEL_THREADS, FALSE, NULL);
    g_mutex_unlock(&pool_lock);
    return pool;
}

void
vd_parallel(guint n, vd_parallel_fn fn, gpointer data)
{
    struct batch *b;
    GThreadPool *p;

    if (n == 0)
        return;
    if (n == 1) {
        fn(0, data);
        return;
    }
    b = g_new0(struct batch, 1);
    g_atomic_ref_count_init(&b->ref);
    b->n = n;
    b->fn = fn;
    b->data = data;
    g_mutex_init(&b->lock);
    g_cond_init(&b->cond);
    p = get_pool();
    /* one helper per index but this thread's, as many as the pool has */
    for (guint i = 1; i < n && i <= VD_PARALLEL_THREADS; i++) {
        g_atomic_ref_count_inc(&b->ref);
        /* FALSE: no new thread could start, but the item is queued all the
         * same and keeps its reference; this thread takes the indices */
        if (!g_thread_pool_push(p, b, NULL))
            break;
    }
    batch_work(b);
    g_mutex_lock(&b->lock);
    while (b->done < b->n)
        g_cond_wait(&b->cond, &b->lock);
    g_mutex_unlock(&b->lock);
    batch_unref(b);
}
