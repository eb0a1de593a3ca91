/* virtdeck - a domain's text console as a byte stream
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Threads: the open runs as a quick task on the host's worker; from then on
 * the stream is served by libvirt's event loop thread (on_stream); the
 * owner (UI) thread only queues writes and reads delivered events. Events
 * for the owner go through one ordered queue (data and status never
 * overtake each other) drained by one idle source on its context. The
 * struct is reference counted: the owner, the open task, the stream
 * callback and posted sources each hold one. */
#include "config.h"

#include <string.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "console.h"
#include "conn-task.h"
#include "i18n.h"
#include "util.h"

/* Stop reading from the guest while this much is waiting for the owner:
 * a flood cannot grow memory without bound. */
#define VD_CONSOLE_BACKLOG (1u << 20)

struct console_event {
    enum vd_console_status st;
    bool is_data;
    GByteArray *data;
    char *message;
};

struct vd_console {
    gint refs;
    GMutex lock;
    GMainContext *ctx;
    struct vd_console_callbacks cb;
    gpointer user;
    char *uuid;
    char *devname;
    bool force;

    /* lock */
    virStreamPtr st;
    bool closed;                /* owner closed: drop everything */
    bool ended;                 /* EOF or error seen */
    bool cb_added;
    int events;                 /* events the stream callback waits for */
    GByteArray *out;            /* to the guest */
    GQueue queue;               /* struct console_event *, to the owner */
    size_t backlog;             /* data bytes in queue */
    bool posted;                /* a drain source is pending */
    bool task_ran;
    int kick;                   /* libvirt timeout id for a pending write kick, -1 */
};

static struct vd_console *
console_ref(struct vd_console *con)
{
    g_atomic_int_inc(&con->refs);
    return con;
}

static void
event_free(struct console_event *ev)
{
    if (ev->data)
        g_byte_array_unref(ev->data);
    g_free(ev->message);
    g_free(ev);
}

static void
console_unref(gpointer data)
{
    struct vd_console *con = data;

    if (!g_atomic_int_dec_and_test(&con->refs))
        return;
    g_queue_clear_full(&con->queue, (GDestroyNotify)event_free);
    if (con->out)
        g_byte_array_unref(con->out);
    g_main_context_unref(con->ctx);
    g_mutex_clear(&con->lock);
    g_free(con->uuid);
    g_free(con->devname);
    g_free(con);
}

bool
vd_console_error_is_busy(int code, const char *message)
{
    return code == VIR_ERR_OPERATION_FAILED && message &&
           strstr(message, "Active console session exists") != NULL;
}

/* ---- delivery to the owner ------------------------------------------------ */

static void update_events_locked(struct vd_console *con);

static gboolean
drain_in_owner(gpointer data)
{
    struct vd_console *con = data;
    GQueue q = G_QUEUE_INIT;
    struct console_event *ev;
    bool resume;

    g_mutex_lock(&con->lock);
    con->posted = false;
    q = con->queue;
    g_queue_init(&con->queue);
    resume = con->backlog >= VD_CONSOLE_BACKLOG;
    con->backlog = 0;
    if (resume && !con->closed)
        update_events_locked(con);
    g_mutex_unlock(&con->lock);

    while ((ev = g_queue_pop_head(&q))) {
        /* closed is only set on this thread: no callback after close */
        if (!con->closed) {
            if (ev->is_data && con->cb.data)
                con->cb.data((const char *)ev->data->data, ev->data->len, con->user);
            else if (!ev->is_data && con->cb.status)
                con->cb.status(ev->st, ev->message, con->user);
        }
        event_free(ev);
    }
    return G_SOURCE_REMOVE;
}

/* lock held */
static void
post_locked(struct vd_console *con)
{
    GSource *src;

    if (con->posted || con->closed)
        return;
    con->posted = true;
    src = g_idle_source_new();
    g_source_set_priority(src, G_PRIORITY_DEFAULT);
    g_source_set_callback(src, drain_in_owner, console_ref(con), console_unref);
    g_source_attach(src, con->ctx);
    g_source_unref(src);
}

/* lock held */
static void
push_data_locked(struct vd_console *con, const char *buf, size_t len)
{
    struct console_event *last = g_queue_peek_tail(&con->queue);

    if (!last || !last->is_data) {
        last = g_new0(struct console_event, 1);
        last->is_data = true;
        last->data = g_byte_array_new();
        g_queue_push_tail(&con->queue, last);
    }
    g_byte_array_append(last->data, (const guint8 *)buf, (guint)len);
    con->backlog += len;
    post_locked(con);
}

/* lock held; message is taken */
static void
push_status_locked(struct vd_console *con, enum vd_console_status st, char *message)
{
    struct console_event *ev = g_new0(struct console_event, 1);

    ev->st = st;
    ev->message = message;
    g_queue_push_tail(&con->queue, ev);
    post_locked(con);
}

static char *
libvirt_error(void)
{
    const char *m = virGetLastErrorMessage();
    return vd_sanitize(m && *m ? m : _("unknown libvirt error"));
}

/* ---- the stream, on libvirt's event loop thread ------------------------------ */

/* lock held */
static void
update_events_locked(struct vd_console *con)
{
    int ev = VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP;

    if (!con->st || !con->cb_added || con->ended)
        return;
    if (con->backlog < VD_CONSOLE_BACKLOG)
        ev |= VIR_STREAM_EVENT_READABLE;
    if (con->out->len)
        ev |= VIR_STREAM_EVENT_WRITABLE;
    if (ev != con->events) {
        con->events = ev;
        virStreamEventUpdateCallback(con->st, ev);
    }
}

/* lock held: the stream is finished for us (EOF or error) */
static void
end_locked(struct vd_console *con, enum vd_console_status st, char *message)
{
    if (con->ended)
        return;
    con->ended = true;
    if (con->cb_added) {
        virStreamEventRemoveCallback(con->st);
        con->cb_added = false;
    }
    push_status_locked(con, st, message);
}

/* lock held */
static void
flush_out_locked(struct vd_console *con)
{
    while (con->out->len && !con->ended) {
        int n = virStreamSend(con->st, (const char *)con->out->data, con->out->len);

        if (n == -2)
            break;
        if (n < 0) {
            g_autofree char *err = libvirt_error();
            end_locked(con, VD_CONSOLE_FAILED,
                       g_strdup_printf(_("Console write failed: %s"), err));
            break;
        }
        g_byte_array_remove_range(con->out, 0, (guint)n);
    }
}

/* lock held */
static void
read_in_locked(struct vd_console *con)
{
    char buf[16384];

    while (!con->ended && con->backlog < VD_CONSOLE_BACKLOG) {
        int n = virStreamRecv(con->st, buf, sizeof(buf));

        if (n == -2)
            break;
        if (n == 0) {
            end_locked(con, VD_CONSOLE_EOF, g_strdup(_("The console was closed by the other side")));
            break;
        }
        if (n < 0) {
            /* what a client sees when another one takes the console over */
            g_autofree char *err = libvirt_error();
            end_locked(con, VD_CONSOLE_EOF,
                       g_strdup_printf(_("The console stream ended (%s): another client may have taken "
                                         "the console over, or the guest stopped"), err));
            break;
        }
        push_data_locked(con, buf, (size_t)n);
    }
}

static void
on_stream(virStreamPtr st, int events, void *opaque)
{
    struct vd_console *con = opaque;

    g_mutex_lock(&con->lock);
    if (con->closed || con->ended || st != con->st) {
        g_mutex_unlock(&con->lock);
        return;
    }
    if (events & VIR_STREAM_EVENT_READABLE)
        read_in_locked(con);
    if (events & VIR_STREAM_EVENT_WRITABLE)
        flush_out_locked(con);
    if (!con->ended && (events & (VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP))) {
        /* what is still buffered first, then the end */
        read_in_locked(con);
        if (events & VIR_STREAM_EVENT_ERROR)
            end_locked(con, VD_CONSOLE_EOF,
                       g_strdup(_("The console stream ended: another client may have taken the console "
                                  "over, or the guest stopped")));
        else
            end_locked(con, VD_CONSOLE_EOF, g_strdup(_("The console was closed by the other side")));
    }
    update_events_locked(con);
    g_mutex_unlock(&con->lock);
}

/* A zero timeout on the event loop: a write was queued by the owner. */
static void
on_kick(int timer, void *opaque)
{
    struct vd_console *con = opaque;

    g_mutex_lock(&con->lock);
    virEventRemoveTimeout(timer);
    if (con->kick == timer)
        con->kick = -1;
    if (!con->closed && !con->ended && con->st && con->cb_added) {
        flush_out_locked(con);
        update_events_locked(con);
    }
    g_mutex_unlock(&con->lock);
}

/* ---- open, on the host's worker ---------------------------------------------- */

static bool
flags_unsupported(void)
{
    virErrorPtr e = virGetLastError();

    return e && (e->code == VIR_ERR_INVALID_ARG || e->code == VIR_ERR_NO_SUPPORT) && e->message &&
           strstr(e->message, "unsupported flags");
}

static void
open_task(virConnectPtr vc, struct vd_task *t, gpointer data)
{
    struct vd_console *con = data;
    virDomainPtr dom;
    virStreamPtr st;
    unsigned int flags = VIR_DOMAIN_CONSOLE_SAFE | (con->force ? VIR_DOMAIN_CONSOLE_FORCE : 0);
    int rc;

    g_mutex_lock(&con->lock);
    con->task_ran = true;
    if (con->closed) {
        g_mutex_unlock(&con->lock);
        return;
    }
    g_mutex_unlock(&con->lock);

    dom = virDomainLookupByUUIDString(vc, con->uuid);
    if (!dom) {
        g_autofree char *err = libvirt_error();
        g_mutex_lock(&con->lock);
        push_status_locked(con, VD_CONSOLE_FAILED, g_strdup_printf(_("No such domain: %s"), err));
        g_mutex_unlock(&con->lock);
        return;
    }
    st = virStreamNew(vc, VIR_STREAM_NONBLOCK);
    rc = st ? virDomainOpenConsole(dom, con->devname, st, flags) : -1;
    if (rc < 0 && st && flags_unsupported()) {
        /* LXC takes no flags (and has no console lock to take over) */
        virStreamFree(st);
        st = virStreamNew(vc, VIR_STREAM_NONBLOCK);
        rc = st ? virDomainOpenConsole(dom, con->devname, st, 0) : -1;
    }
    if (rc < 0) {
        virErrorPtr e = virGetLastError();
        bool busy = e && vd_console_error_is_busy(e->code, e->message);
        g_autofree char *err = libvirt_error();
        g_autofree char *name = vd_sanitize(virDomainGetName(dom));

        g_mutex_lock(&con->lock);
        if (busy)
            push_status_locked(con, VD_CONSOLE_BUSY,
                               g_strdup_printf(_("The console of %s is in use by another client"), name));
        else
            push_status_locked(con, VD_CONSOLE_FAILED,
                               g_strdup_printf(_("Cannot open the console of %s: %s"), name, err));
        g_mutex_unlock(&con->lock);
        if (st)
            virStreamFree(st);
        virDomainFree(dom);
        return;
    }
    virDomainFree(dom);

    g_mutex_lock(&con->lock);
    if (con->closed) {
        g_mutex_unlock(&con->lock);
        virStreamAbort(st);
        virStreamFree(st);
        return;
    }
    con->st = st;
    push_status_locked(con, VD_CONSOLE_OPENED, NULL);
    con->events = VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP;
    if (con->out->len)
        con->events |= VIR_STREAM_EVENT_WRITABLE;
    if (virStreamEventAddCallback(st, con->events, on_stream, console_ref(con), console_unref) < 0) {
        g_autofree char *err = libvirt_error();
        console_unref(con);
        con->ended = true;
        push_status_locked(con, VD_CONSOLE_FAILED, g_strdup_printf(_("Cannot watch the console: %s"), err));
    } else {
        con->cb_added = true;
    }
    g_mutex_unlock(&con->lock);
}

/* Runs on the owner's context after the task (unless the host closed). */
static void
open_done(struct vd_conn *c, bool ok, const char *message, gpointer result, gpointer user)
{
    struct vd_console *con = user;

    g_mutex_lock(&con->lock);
    /* the task never ran: not connected */
    if (!con->task_ran && !con->closed)
        push_status_locked(con, VD_CONSOLE_FAILED, vd_sanitize(message ? message : _("Not connected")));
    g_mutex_unlock(&con->lock);
    console_unref(con);
}

struct vd_console *
vd_console_open(struct vd_conn *c, const char *uuid, const char *devname, bool force,
                GMainContext *ctx, const struct vd_console_callbacks *cb, gpointer user)
{
    struct vd_console *con = g_new0(struct vd_console, 1);

    con->refs = 1;
    g_mutex_init(&con->lock);
    con->ctx = g_main_context_ref(ctx);
    con->cb = *cb;
    con->user = user;
    con->uuid = g_strdup(uuid);
    con->devname = g_strdup(devname);
    con->force = force;
    con->out = g_byte_array_new();
    con->kick = -1;
    g_queue_init(&con->queue);
    /* the task's data holds one reference, the done callback one */
    console_ref(con);
    vd_conn_submit(c, VD_TASK_QUICK, NULL, open_task, console_ref(con), console_unref,
                   open_done, con);
    return con;
}

void
vd_console_write(struct vd_console *con, const char *buf, size_t len)
{
    if (!con || !len)
        return;
    g_mutex_lock(&con->lock);
    if (!con->closed && !con->ended) {
        g_byte_array_append(con->out, (const guint8 *)buf, (guint)len);
        /* the owner never calls into the stream: the event loop writes */
        if (con->st && con->cb_added && con->kick < 0)
            con->kick = virEventAddTimeout(0, on_kick, console_ref(con), console_unref);
    }
    g_mutex_unlock(&con->lock);
}

static gpointer
close_thread(gpointer data)
{
    struct vd_console *con = data;
    virStreamPtr st;
    bool ended;

    g_mutex_lock(&con->lock);
    st = g_steal_pointer(&con->st);
    ended = con->ended;
    if (st && con->cb_added) {
        virStreamEventRemoveCallback(st);
        con->cb_added = false;
    }
    g_mutex_unlock(&con->lock);
    if (st) {
        /* a remote call: never on the owner's or the event loop's thread */
        if (!ended)
            virStreamAbort(st);
        virStreamFree(st);
    }
    console_unref(con);
    return NULL;
}

void
vd_console_close(struct vd_console *con)
{
    bool has_stream;

    if (!con)
        return;
    g_mutex_lock(&con->lock);
    con->closed = true;
    has_stream = con->st != NULL;
    g_mutex_unlock(&con->lock);
    if (has_stream)
        g_thread_unref(g_thread_new("vd-console-close", close_thread, con));
    else
        console_unref(con);
}
