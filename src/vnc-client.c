/* virtdeck - VNC client of one console (libvncclient on its own thread)
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib-unix.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <rfb/rfbclient.h>

#include "conn-task.h"
#include "i18n.h"
#include "ssh-tunnel.h"
#include "util.h"
#include "vnc-client.h"
#include "vnc-keymap.h"

#define MAX_DAMAGE 64
#define CONNECT_TIMEOUT_MS 8000

/* ---- target from the domain XML ---------------------------------------- */

void
vd_vnc_target_free(struct vd_vnc_target *t)
{
    if (!t)
        return;
    g_free(t->listen);
    g_free(t->socket);
    g_free(t);
}

struct vd_vnc_target *
vd_vnc_target_dup(const struct vd_vnc_target *t)
{
    struct vd_vnc_target *d = g_new0(struct vd_vnc_target, 1);

    *d = *t;
    d->listen = g_strdup(t->listen);
    d->socket = g_strdup(t->socket);
    return d;
}

static char *
prop(xmlNode *n, const char *name)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    char *s = v ? g_strdup((const char *)v) : NULL;

    xmlFree(v);
    return s;
}

static xmlNode *
child(xmlNode *n, const char *name)
{
    for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
            return c;
    return NULL;
}

static xmlNode *
vnc_graphics(xmlNode *root)
{
    for (xmlNode *c = child(root, "devices") ? child(root, "devices")->children : NULL; c; c = c->next) {
        g_autofree char *type = NULL;
        if (c->type != XML_ELEMENT_NODE || strcmp((const char *)c->name, "graphics") != 0)
            continue;
        type = prop(c, "type");
        if (g_strcmp0(type, "vnc") == 0)
            return c;
    }
    return NULL;
}

/* Fill listen/socket from <listen> children (they win over the attribute). */
static void
parse_listen(xmlNode *g, struct vd_vnc_target *t)
{
    for (xmlNode *c = g->children; c; c = c->next) {
        g_autofree char *type = NULL;
        if (c->type != XML_ELEMENT_NODE || strcmp((const char *)c->name, "listen") != 0)
            continue;
        type = prop(c, "type");
        if (g_strcmp0(type, "socket") == 0) {
            g_free(t->socket);
            t->socket = prop(c, "socket");
            return;
        }
        if (g_strcmp0(type, "address") == 0 || g_strcmp0(type, "network") == 0) {
            char *a = prop(c, "address");
            if (a) {
                g_free(t->listen);
                t->listen = a;
            }
            return;
        }
    }
}

struct vd_vnc_target *
vd_vnc_target_parse(const char *xml, char **error)
{
    g_autoptr(vd_vnc_target) t = g_new0(struct vd_vnc_target, 1);
    g_autofree char *port = NULL, *passwd = NULL, *sock = NULL;
    xmlDoc *doc;
    xmlNode *g;

    doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc) {
        *error = g_strdup(_("The domain XML could not be read"));
        return NULL;
    }
    g = vnc_graphics(xmlDocGetRootElement(doc));
    if (!g) {
        xmlFreeDoc(doc);
        *error = g_strdup(_("The domain has no VNC display"));
        return NULL;
    }
    port = prop(g, "port");
    passwd = prop(g, "passwd");
    sock = prop(g, "socket");
    t->listen = prop(g, "listen");
    t->password = passwd != NULL;
    if (passwd)
        memset(passwd, 0, strlen(passwd));
    t->port = port ? atoi(port) : -1;
    t->socket = g_steal_pointer(&sock);
    parse_listen(g, t);
    xmlFreeDoc(doc);
    if (t->socket) {
        g_clear_pointer(&t->listen, g_free);
        t->port = -1;
        return g_steal_pointer(&t);
    }
    if (t->port <= 0 || t->port > 65535) {
        *error = g_strdup(_("The VNC display is not listening (is the domain running?)"));
        return NULL;
    }
    if (!t->listen || !*t->listen || strcmp(t->listen, "0.0.0.0") == 0) {
        g_free(t->listen);
        t->listen = g_strdup("127.0.0.1");
    } else if (strcmp(t->listen, "::") == 0) {
        g_free(t->listen);
        t->listen = g_strdup("::1");
    }
    return g_steal_pointer(&t);
}

/* The real password never enters a parsed tree: blank out the value of
 * passwd='...' in the text first (libvirt escapes quotes inside values). */
static void
blank_passwords(char *xml)
{
    for (char *p = strstr(xml, " passwd="); p; p = strstr(p + 1, " passwd=")) {
        char q = p[8], *v = p + 9, *end;
        if (q != '\'' && q != '"')
            continue;
        end = strchr(v, q);
        if (!end)
            return;
        memset(v, '*', (size_t)(end - v));
    }
}

struct lookup {
    char *uuid;
};

static void
lookup_free(gpointer p)
{
    struct lookup *l = p;

    g_free(l->uuid);
    g_free(l);
}

static void
lookup_task(virConnectPtr vc, struct vd_task *t, gpointer data)
{
    struct lookup *l = data;
    virDomainPtr dom = virDomainLookupByUUIDString(vc, l->uuid);
    g_autofree char *err = NULL;
    struct vd_vnc_target *target;
    char *xml;

    if (!dom) {
        vd_task_fail_libvirt(t, _("Domain not found"));
        return;
    }
    /* the secure form shows whether a password is set; a read-only
     * connection may not have it */
    xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_SECURE);
    if (!xml)
        xml = virDomainGetXMLDesc(dom, 0);
    virDomainFree(dom);
    if (!xml) {
        vd_task_fail_libvirt(t, _("Could not read the domain XML"));
        return;
    }
    blank_passwords(xml);
    target = vd_vnc_target_parse(xml, &err);
    memset(xml, 0, strlen(xml));
    free(xml);
    if (!target) {
        vd_task_fail(t, "%s", err);
        return;
    }
    vd_task_set_result(t, target, (GDestroyNotify)vd_vnc_target_free);
}

void
vd_vnc_lookup(struct vd_conn *c, const char *uuid, vd_task_done_fn done, gpointer user)
{
    struct lookup *l = g_new0(struct lookup, 1);

    l->uuid = g_strdup(uuid);
    vd_conn_submit(c, VD_TASK_QUICK, NULL, lookup_task, l, lookup_free, done, user);
}

/* ---- the client ------------------------------------------------------------ */

enum ev_kind { EV_KEY, EV_POINTER };
struct input_ev {
    enum ev_kind kind;
    uint32_t keysym;
    bool down;
    int x, y, buttons;
};

struct vd_vnc {
    gint ref;
    char *uri;
    struct vd_vnc_target *target;
    char *password;          /* wiped after the handshake */
    bool password_asked;

    GMainContext *ui_ctx;
    GMutex lock;             /* everything below */
    vd_vnc_event_fn ev;
    gpointer user;
    enum vd_vnc_state state;
    enum vd_vnc_error error;
    char *message;
    uint32_t *px;            /* the UI's copy */
    int width, height;
    bool resized;
    struct vd_vnc_rect damage[MAX_DAMAGE];
    int n_damage;
    guint64 serial;

    gint notify_pending;     /* atomic */
    gint stop;               /* atomic */
    gint scancodes;          /* atomic */
    int wake[2];
    GAsyncQueue *input;

    /* network thread only */
    rfbClient *cl;
    uint8_t *fb;             /* libvncclient's framebuffer (we allocate it) */
    struct vd_vnc_rect pending[MAX_DAMAGE];
    int n_pending;
};

static int client_tag;
static __thread char last_error[512];
static __thread char last_log[512];

static void
vd_vnc_unref(struct vd_vnc *v)
{
    struct input_ev *e;

    if (!g_atomic_int_dec_and_test(&v->ref))
        return;
    if (v->password) {
        memset(v->password, 0, strlen(v->password));
        g_free(v->password);
    }
    while ((e = g_async_queue_try_pop(v->input)))
        g_free(e);
    g_async_queue_unref(v->input);
    close(v->wake[0]);
    close(v->wake[1]);
    g_free(v->uri);
    vd_vnc_target_free(v->target);
    g_free(v->message);
    g_free(v->px);
    g_mutex_clear(&v->lock);
    g_free(v);
}

/* Informational messages are not shown, but the last one is kept: some
 * failures (authentication) are reported through this hook. */
static void
log_quiet(const char *format, ...)
{
    va_list ap;

    va_start(ap, format);
    vsnprintf(last_log, sizeof last_log, format, ap);
    va_end(ap);
}

/* libvncclient reports errors through a global printf-like hook with no
 * user data: keep the last one per thread (each client has its thread). */
static void
log_error(const char *format, ...)
{
    va_list ap;
    size_t n;

    va_start(ap, format);
    vsnprintf(last_error, sizeof last_error, format, ap);
    va_end(ap);
    n = strlen(last_error);
    while (n && (last_error[n - 1] == '\n' || last_error[n - 1] == ' '))
        last_error[--n] = '\0';
}

static gboolean
notify_ui(gpointer data)
{
    struct vd_vnc *v = data;
    vd_vnc_event_fn ev;
    gpointer user;

    g_atomic_int_set(&v->notify_pending, 0);
    g_mutex_lock(&v->lock);
    ev = v->ev;
    user = v->user;
    g_mutex_unlock(&v->lock);
    if (ev)
        ev(v, user);
    return G_SOURCE_REMOVE;
}

static void
post_notify(struct vd_vnc *v)
{
    GSource *s;

    if (!g_atomic_int_compare_and_exchange(&v->notify_pending, 0, 1))
        return;
    g_atomic_int_inc(&v->ref);
    s = g_idle_source_new();
    g_source_set_priority(s, G_PRIORITY_DEFAULT);
    g_source_set_callback(s, notify_ui, v, (GDestroyNotify)vd_vnc_unref);
    g_source_attach(s, v->ui_ctx);
    g_source_unref(s);
}

static void
set_state(struct vd_vnc *v, enum vd_vnc_state st, enum vd_vnc_error err, char *message)
{
    g_mutex_lock(&v->lock);
    v->state = st;
    v->error = err;
    g_free(v->message);
    v->message = message;
    g_mutex_unlock(&v->lock);
    post_notify(v);
}

static void
add_rect(struct vd_vnc_rect *list, int *n, struct vd_vnc_rect r)
{
    if (r.w <= 0 || r.h <= 0)
        return;
    if (*n < MAX_DAMAGE) {
        list[(*n)++] = r;
        return;
    }
    /* too many: merge everything into the bounding box */
    for (int i = 0; i < *n; i++) {
        int x1 = MIN(r.x, list[i].x), y1 = MIN(r.y, list[i].y);
        int x2 = MAX(r.x + r.w, list[i].x + list[i].w), y2 = MAX(r.y + r.h, list[i].y + list[i].h);
        r = (struct vd_vnc_rect){ x1, y1, x2 - x1, y2 - y1 };
    }
    list[0] = r;
    *n = 1;
}

static rfbBool
on_malloc_fb(rfbClient *cl)
{
    struct vd_vnc *v = rfbClientGetClientData(cl, &client_tag);
    size_t n = (size_t)cl->width * (size_t)cl->height * 4;

    free(v->fb);
    v->fb = cl->frameBuffer = n ? calloc(1, n) : NULL;
    return cl->frameBuffer != NULL || n == 0;
}

static void
on_update(rfbClient *cl, int x, int y, int w, int h)
{
    struct vd_vnc *v = rfbClientGetClientData(cl, &client_tag);

    x = CLAMP(x, 0, cl->width);
    y = CLAMP(y, 0, cl->height);
    w = MIN(w, cl->width - x);
    h = MIN(h, cl->height - y);
    add_rect(v->pending, &v->n_pending, (struct vd_vnc_rect){ x, y, w, h });
}

/* Copy the rectangles of a finished update into the UI's frame. */
static void
on_finished(rfbClient *cl)
{
    struct vd_vnc *v = rfbClientGetClientData(cl, &client_tag);
    const uint32_t *src = (const uint32_t *)cl->frameBuffer;

    if (!src)
        return;
    g_mutex_lock(&v->lock);
    if (v->width != cl->width || v->height != cl->height || !v->px) {
        g_free(v->px);
        v->px = g_new(uint32_t, (gsize)cl->width * (gsize)cl->height);
        v->width = cl->width;
        v->height = cl->height;
        v->resized = true;
        v->n_pending = 0;
        add_rect(v->pending, &v->n_pending, (struct vd_vnc_rect){ 0, 0, cl->width, cl->height });
    }
    for (int i = 0; i < v->n_pending; i++) {
        struct vd_vnc_rect r = v->pending[i];
        for (int row = r.y; row < r.y + r.h; row++)
            memcpy(v->px + (gsize)row * v->width + r.x, src + (gsize)row * cl->width + r.x,
                   (gsize)r.w * 4);
        add_rect(v->damage, &v->n_damage, r);
    }
    v->n_pending = 0;
    v->serial++;
    g_mutex_unlock(&v->lock);
    post_notify(v);
}

static char *
on_password(rfbClient *cl)
{
    struct vd_vnc *v = rfbClientGetClientData(cl, &client_tag);

    v->password_asked = true;
    /* libvncclient wipes and frees it after use */
    return strdup(v->password ? v->password : "");
}

static void
wipe_password(struct vd_vnc *v)
{
    if (v->password) {
        memset(v->password, 0, strlen(v->password));
        g_clear_pointer(&v->password, g_free);
    }
}

/* ---- connecting ------------------------------------------------------------ */

static int
connect_unix(const char *path, char **error)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof sa.sun_path) {
        *error = g_strdup_printf(_("Socket path too long: %s"), path);
        return -1;
    }
    strcpy(sa.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        *error = g_strdup_printf(_("Could not connect to %s: %s"), path, g_strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static int
connect_addr(const struct addrinfo *ai, int *err)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    struct pollfd p;
    socklen_t len = sizeof *err;
    int flags;

    if (fd < 0) {
        *err = errno;
        return -1;
    }
    flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
        *err = errno;
        close(fd);
        return -1;
    }
    p = (struct pollfd){ .fd = fd, .events = POLLOUT };
    if (poll(&p, 1, CONNECT_TIMEOUT_MS) <= 0) {
        *err = ETIMEDOUT;
        close(fd);
        return -1;
    }
    getsockopt(fd, SOL_SOCKET, SO_ERROR, err, &len);
    if (*err) {
        close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, flags);
    return fd;
}

static int
connect_tcp(const char *host, int port, char **error)
{
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
    char service[16];
    int fd = -1, err = 0, one = 1, rc;

    snprintf(service, sizeof service, "%d", port);
    rc = getaddrinfo(host, service, &hints, &res);
    if (rc != 0) {
        *error = g_strdup_printf(_("Could not resolve %s: %s"), host, gai_strerror(rc));
        return -1;
    }
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next)
        fd = connect_addr(ai, &err);
    freeaddrinfo(res);
    if (fd < 0) {
        *error = g_strdup_printf(_("Could not connect to the VNC display at %s port %d: %s"), host,
                                 port, g_strerror(err));
        return -1;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static bool
is_loopback(const char *addr)
{
    return g_str_has_prefix(addr, "127.") || strcmp(addr, "::1") == 0 ||
           strcmp(addr, "localhost") == 0;
}

/* Local hosts: straight to the address. ssh hosts: through the tunnel.
 * Other remote transports (tcp, tls): to the listen address when it is
 * reachable from here, else the URI's host. */
static int
connect_target(struct vd_vnc *v, char **error)
{
    const struct vd_vnc_target *t = v->target;
    g_autoptr(GUri) u = g_uri_parse(v->uri, G_URI_FLAGS_NON_DNS, NULL);
    const char *uri_host = u ? g_uri_get_host(u) : NULL;
    bool remote = uri_host && *uri_host;

    if (remote && vd_ssh_uri_is_ssh(v->uri)) {
        if (t->socket) {
            *error = g_strdup(_("The VNC display listens on a unix socket on the remote host; "
                                "virtdeck reaches remote displays by TCP only"));
            return -1;
        }
        return vd_ssh_tunnel_open(v->uri, t->listen, t->port, error);
    }
    if (t->socket) {
        if (remote) {
            *error = g_strdup(_("The VNC display listens on a unix socket on the remote host; "
                                "connect over qemu+ssh"));
            return -1;
        }
        return connect_unix(t->socket, error);
    }
    if (remote && is_loopback(t->listen))
        return connect_tcp(uri_host, t->port, error);
    return connect_tcp(t->listen, t->port, error);
}

/* ---- the thread ------------------------------------------------------------ */

static void
send_input(struct vd_vnc *v)
{
    struct input_ev *e;
    bool ext = SupportsClient2Server(v->cl, rfbQemuEvent);

    g_atomic_int_set(&v->scancodes, ext);
    while ((e = g_async_queue_try_pop(v->input))) {
        if (e->kind == EV_POINTER) {
            SendPointerEvent(v->cl, e->x, e->y, e->buttons);
        } else {
            uint32_t code = vd_keysym_to_keycode(e->keysym, NULL);
            if (!ext || !code || !SendExtendedKeyEvent(v->cl, e->keysym, code, e->down))
                SendKeyEvent(v->cl, e->keysym, e->down);
        }
        g_free(e);
    }
}

static rfbClient *
new_client(struct vd_vnc *v, int fd)
{
    rfbClient *cl = rfbGetClient(8, 3, 4);

    /* 0x00RRGGBB in a host-order uint32 */
    cl->format.redShift = 16;
    cl->format.greenShift = 8;
    cl->format.blueShift = 0;
    cl->format.redMax = cl->format.greenMax = cl->format.blueMax = 255;
    cl->format.bigEndian = G_BYTE_ORDER == G_BIG_ENDIAN;
    cl->canHandleNewFBSize = TRUE;
    cl->MallocFrameBuffer = on_malloc_fb;
    cl->GotFrameBufferUpdate = on_update;
    cl->FinishedFrameBufferUpdate = on_finished;
    cl->GetPassword = on_password;
    cl->programName = "virtdeck";
    cl->appData.encodingsString = "copyrect zrle hextile zlib raw";
    /* our own socket: no connect inside libvncclient */
    cl->listenSpecified = TRUE;
    cl->sock = fd;
    rfbClientSetClientData(cl, &client_tag, v);
    return cl;
}

/* libvncclient 0.9.14 always offers the ExtendedDesktopSize pseudo-encoding
 * but ignores QEMU's answer to it (it takes screen id 0 for an invalid
 * screen): when the guest changes resolution (OVMF, a kernel's framebuffer)
 * QEMU sends a rectangle of the new size and the session ends with "Rect
 * too large". Offer the same list without it, so that QEMU resizes with
 * the plain DesktopSize pseudo-encoding, which libvncclient handles. */
static bool
set_encodings(rfbClient *cl)
{
    const int32_t encs[] = {
        rfbEncodingCopyRect, rfbEncodingZRLE, rfbEncodingHextile, rfbEncodingZlib, rfbEncodingRaw,
        rfbEncodingCompressLevel0 + CLAMP(cl->appData.compressLevel, 0, 9),
        rfbEncodingKeyboardLedState, rfbEncodingNewFBSize, rfbEncodingLastRect,
        rfbEncodingSupportedMessages, rfbEncodingSupportedEncodings, rfbEncodingServerIdentity,
        rfbEncodingXvp, rfbEncodingQemuExtendedKeyEvent,
    };
    char buf[sz_rfbSetEncodingsMsg + sizeof encs];
    rfbSetEncodingsMsg *se = (rfbSetEncodingsMsg *)buf;

    se->type = rfbSetEncodings;
    se->pad = 0;
    se->nEncodings = GUINT16_TO_BE((uint16_t)G_N_ELEMENTS(encs));
    for (size_t i = 0; i < G_N_ELEMENTS(encs); i++) {
        uint32_t e = GUINT32_TO_BE((uint32_t)encs[i]);
        memcpy(buf + sz_rfbSetEncodingsMsg + i * 4, &e, 4);
    }
    return WriteToRFBServer(cl, buf, (unsigned int)sizeof buf);
}

static void
handshake_failed(struct vd_vnc *v)
{
    bool auth = strstr(last_error, "uthentication") || strstr(last_error, "assword") ||
                strstr(last_log, "uthentication") || strstr(last_log, "assword");

    /* a server that asked for the password and then ended the handshake
     * refused it (QEMU closes without a reason) */
    if (v->password_asked && v->password)
        auth = true;
    if (v->password_asked && !v->password)
        set_state(v, VD_VNC_FAILED, VD_VNC_ERR_NEED_PASSWORD,
                  g_strdup(_("The VNC display needs a password")));
    else if (v->password_asked && auth)
        set_state(v, VD_VNC_FAILED, VD_VNC_ERR_AUTH, g_strdup(_("VNC authentication failed: wrong password")));
    else
        set_state(v, VD_VNC_FAILED, VD_VNC_ERR_PROTOCOL,
                  g_strdup_printf(_("VNC handshake failed: %s"),
                                  *last_error ? last_error : _("the server closed the connection")));
}

static void
run_session(struct vd_vnc *v)
{
    for (;;) {
        struct pollfd p[2] = { { .fd = v->cl->sock, .events = POLLIN }, { .fd = v->wake[0], .events = POLLIN } };
        char buf[64];

        send_input(v);
        if (g_atomic_int_get(&v->stop))
            return;
        if (v->cl->buffered == 0 && poll(p, 2, -1) < 0 && errno != EINTR)
            break;
        if (p[1].revents & POLLIN)
            while (read(v->wake[0], buf, sizeof buf) > 0)
                ;
        if (g_atomic_int_get(&v->stop))
            return;
        if ((v->cl->buffered > 0 || (p[0].revents & (POLLIN | POLLHUP | POLLERR))) &&
            !HandleRFBServerMessage(v->cl))
            break;
    }
    set_state(v, VD_VNC_CLOSED, VD_VNC_ERR_NONE,
              *last_error ? g_strdup_printf(_("The VNC server closed the connection: %s"), last_error)
                          : g_strdup(_("The VNC server closed the connection")));
}

static gpointer
vnc_thread(gpointer data)
{
    struct vd_vnc *v = data;
    char *error = NULL;
    int fd = connect_target(v, &error);

    last_error[0] = last_log[0] = '\0';
    if (fd < 0) {
        wipe_password(v);
        set_state(v, VD_VNC_FAILED, VD_VNC_ERR_CONNECT, vd_sanitize(error));
        g_free(error);
        vd_vnc_unref(v);
        return NULL;
    }
    v->cl = new_client(v, fd);
    if (!rfbInitClient(v->cl, NULL, NULL)) {
        /* rfbInitClient freed the client and closed the socket */
        v->cl = NULL;
        g_clear_pointer(&v->fb, free);
        handshake_failed(v);
        wipe_password(v);
        vd_vnc_unref(v);
        return NULL;
    }
    wipe_password(v);
    set_state(v, VD_VNC_CONNECTED, VD_VNC_ERR_NONE, NULL);
    last_error[0] = '\0';
    if (set_encodings(v->cl))
        run_session(v);
    else
        set_state(v, VD_VNC_CLOSED, VD_VNC_ERR_NONE,
                  *last_error ? g_strdup_printf(_("The VNC server closed the connection: %s"), last_error)
                              : g_strdup(_("The VNC server closed the connection")));
    rfbClientCleanup(v->cl);
    g_clear_pointer(&v->fb, free);
    v->cl = NULL;
    vd_vnc_unref(v);
    return NULL;
}

static void
global_init(void)
{
    static gsize once;

    if (g_once_init_enter(&once)) {
        /* a console whose server or tunnel went away must not kill us
         * when libvncclient writes to its socket */
        signal(SIGPIPE, SIG_IGN);
        rfbClientLog = log_quiet;
        rfbClientErr = log_error;
        g_once_init_leave(&once, 1);
    }
}

struct vd_vnc *
vd_vnc_open(const char *uri, const struct vd_vnc_target *t, const char *password,
            GMainContext *ui_ctx, vd_vnc_event_fn ev, gpointer user)
{
    struct vd_vnc *v = g_new0(struct vd_vnc, 1);
    GError *err = NULL;

    global_init();
    v->ref = 2; /* caller + thread */
    v->uri = g_strdup(uri);
    v->target = vd_vnc_target_dup(t);
    v->password = password && *password ? g_strdup(password) : NULL;
    v->ui_ctx = ui_ctx;
    v->ev = ev;
    v->user = user;
    v->state = VD_VNC_CONNECTING;
    v->input = g_async_queue_new();
    g_mutex_init(&v->lock);
    if (!g_unix_open_pipe(v->wake, FD_CLOEXEC, &err)) {
        g_error("pipe: %s", err->message);
    }
    g_unix_set_fd_nonblocking(v->wake[0], TRUE, NULL);
    g_unix_set_fd_nonblocking(v->wake[1], TRUE, NULL);
    g_thread_unref(g_thread_new("vnc", vnc_thread, v));
    return v;
}

static void
wake(struct vd_vnc *v)
{
    ssize_t rc = write(v->wake[1], "x", 1);
    (void)rc; /* a full pipe already wakes the thread */
}

void
vd_vnc_close(struct vd_vnc *v)
{
    if (!v)
        return;
    g_mutex_lock(&v->lock);
    v->ev = NULL;
    g_mutex_unlock(&v->lock);
    g_atomic_int_set(&v->stop, 1);
    wake(v);
    vd_vnc_unref(v);
}

enum vd_vnc_state
vd_vnc_get_state(struct vd_vnc *v, enum vd_vnc_error *err, char **message)
{
    enum vd_vnc_state st;

    g_mutex_lock(&v->lock);
    st = v->state;
    if (err)
        *err = v->error;
    if (message)
        *message = g_strdup(v->message);
    g_mutex_unlock(&v->lock);
    return st;
}

void
vd_vnc_frame_lock(struct vd_vnc *v, struct vd_vnc_frame *f)
{
    static struct vd_vnc_rect taken[MAX_DAMAGE]; /* UI thread only */

    g_mutex_lock(&v->lock);
    f->px = v->px;
    f->width = v->width;
    f->height = v->height;
    f->stride_px = v->width;
    f->resized = v->resized;
    f->n_damage = v->n_damage;
    memcpy(taken, v->damage, sizeof(struct vd_vnc_rect) * (size_t)v->n_damage);
    f->damage = taken;
    f->serial = v->serial;
    v->resized = false;
    v->n_damage = 0;
}

void
vd_vnc_frame_unlock(struct vd_vnc *v)
{
    g_mutex_unlock(&v->lock);
}

bool
vd_vnc_has_scancodes(struct vd_vnc *v)
{
    return g_atomic_int_get(&v->scancodes) != 0;
}

static void
push(struct vd_vnc *v, struct input_ev e)
{
    g_async_queue_push(v->input, g_memdup2(&e, sizeof e));
}

void
vd_vnc_key(struct vd_vnc *v, uint32_t keysym, bool down)
{
    push(v, (struct input_ev){ .kind = EV_KEY, .keysym = keysym, .down = down });
    wake(v);
}

static void
press(struct vd_vnc *v, uint32_t keysym, unsigned mods)
{
    static const struct { unsigned mod; uint32_t keysym; } mk[] = {
        { VD_MOD_CTRL, VD_KS_CONTROL_L }, { VD_MOD_ALT, VD_KS_ALT_L }, { VD_MOD_SHIFT, VD_KS_SHIFT_L },
    };
    bool shift = false;

    vd_keysym_to_keycode(keysym, &shift);
    if (shift)
        mods |= VD_MOD_SHIFT;
    for (size_t i = 0; i < G_N_ELEMENTS(mk); i++)
        if (mods & mk[i].mod)
            push(v, (struct input_ev){ .kind = EV_KEY, .keysym = mk[i].keysym, .down = true });
    push(v, (struct input_ev){ .kind = EV_KEY, .keysym = keysym, .down = true });
    push(v, (struct input_ev){ .kind = EV_KEY, .keysym = keysym, .down = false });
    for (size_t i = G_N_ELEMENTS(mk); i-- > 0;)
        if (mods & mk[i].mod)
            push(v, (struct input_ev){ .kind = EV_KEY, .keysym = mk[i].keysym, .down = false });
}

void
vd_vnc_key_press(struct vd_vnc *v, uint32_t keysym, unsigned mods)
{
    press(v, keysym, mods);
    wake(v);
}

int
vd_vnc_type_text(struct vd_vnc *v, const char *text)
{
    int n = 0;

    if (!g_utf8_validate(text, -1, NULL))
        return 0;
    for (const char *p = text; *p; p = g_utf8_next_char(p)) {
        uint32_t ks = vd_char_to_keysym(g_utf8_get_char(p));
        if (!ks)
            continue;
        press(v, ks, 0);
        n++;
    }
    wake(v);
    return n;
}

void
vd_vnc_pointer(struct vd_vnc *v, int x, int y, int buttons)
{
    push(v, (struct input_ev){ .kind = EV_POINTER, .x = x, .y = y, .buttons = buttons });
    wake(v);
}
