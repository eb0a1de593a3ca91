/* virtdeck - run independent calls at once
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * libvirt's RPC client sends the calls of several threads on one connection
 * without waiting for each other's replies, so n independent calls made at
 * once cost one round trip instead of n. vd_parallel() runs fn(0..n-1) on a
 * shared pool of threads and on the calling thread, and returns when all are
 * done. The caller takes any index no thread has started yet, so nested
 * calls (from inside fn) never wait for a free thread: no deadlock however
 * busy the pool is. libvirt errors are per thread: fn must read its own. */
#pragma once

#include <glib.h>

typedef void (*vd_parallel_fn)(guint i, gpointer data);

void vd_parallel(guint n, vd_parallel_fn fn, gpointer data);
