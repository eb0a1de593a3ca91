/* virtdeck - networks screen (w): a host's virtual networks, their DHCP
 * leases and static hosts
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A screen over the panes. The list comes from src/network.c (a quick task
 * on the host's worker) when the screen opens, after every action, on
 * network lifecycle events and every 10 s for the leases (which have no
 * event). Keys reuse the global bindings for what they mean here: start,
 * shut down / force off (stop), autostart, undefine (delete), add
 * connection (new network or static host). */
#include <config.h>

#include <string.h>
#include <time.h>

#include "i18n.h"
#include "network.h"
#include "util.h"
#include "ui/app.h"
#include "ui/dialog.h"
#include "ui/draw.h"
#include "ui/term.h"
#include "ui/views.h"

#define NET_LEASE_REFRESH_S 10

/* Outlives the screen while tasks are in flight: callbacks check v. */
struct nv_token {
    gatomicrefcount ref;
    struct net_view *v;
};

enum nv_pane { PANE_NETS, PANE_DETAIL };

struct det_row {
    bool lease;             /* else a static host */
    guint index;            /* in list->leases or in the network's v4 hosts */
    char key[96];
};

enum { NCOL_NAME, NCOL_STATE, NCOL_AUTO, NCOL_FORWARD, NCOL_BRIDGE, NCOL_V4, NCOL_V6, NCOL_DHCP,
       NCOL_LEASES, NCOL_LAST };

struct net_view {
    struct ui_app *app;
    guint host;
    struct nv_token *token;
    struct vd_net_list *list;       /* latest, own reference, may be NULL */
    char *error;                    /* the last fetch failed */
    bool fetching, fetch_again;
    struct vd_net_watch *watch;
    enum vd_host_state last_state;
    GSource *timer;
    GStrv bridges;                  /* host bridges, NULL: not known yet */
    bool bridges_asked;
    enum nv_pane pane;
    struct ui_list nets;
    bool net_hidden[NCOL_LAST];     /* IPv6 while no network has it */
    struct ui_list detail;
    GArray *rows;                   /* struct det_row of the selected network */
    char *det_net;                  /* network the detail rows belong to */
};

static void nv_fetch(struct net_view *v);
static const struct ui_screen_ops networks_ops;

static struct nv_token *
token_ref(struct nv_token *t)
{
    g_atomic_ref_count_inc(&t->ref);
    return t;
}

static void
token_unref(struct nv_token *t)
{
    if (t && g_atomic_ref_count_dec(&t->ref))
        g_free(t);
}

static struct ui_host *
nv_host(const struct net_view *v)
{
    return v->host < v->app->hosts->len ? g_ptr_array_index(v->app->hosts, v->host) : NULL;
}

static struct vd_conn *
nv_conn(const struct net_view *v)
{
    struct ui_host *h = nv_host(v);
    return h ? h->conn : NULL;
}

/* ---- networks table ------------------------------------------------------- */

static const struct ui_list_col net_cols[NCOL_LAST] = {
    [NCOL_NAME] = { N_("Name"), NULL, 10, 14, 1, 0, UI_ALIGN_LEFT, true },
    [NCOL_STATE] = { N_("State"), NULL, 8, 0, 0, 1, UI_ALIGN_LEFT, true },
    /* TRANSLATORS: short column header for Autostart (4 cells) */
    [NCOL_AUTO] = { N_("Autostart"), N_("Auto"), 4, 0, 0, 7, UI_ALIGN_LEFT, true },
    /* TRANSLATORS: column header: forward mode of a network (NAT, routed...) */
    [NCOL_FORWARD] = { N_("Mode"), NULL, 10, 11, 0, 2, UI_ALIGN_LEFT, true },
    [NCOL_BRIDGE] = { N_("Bridge"), NULL, 6, 8, 0, 6, UI_ALIGN_LEFT, true },
    [NCOL_V4] = { N_("IPv4 subnet"), N_("IPv4"), 16, 18, 0, 3, UI_ALIGN_LEFT, true },
    [NCOL_V6] = { N_("IPv6 subnet"), N_("IPv6"), 6, 18, 0, 8, UI_ALIGN_LEFT, true },
    [NCOL_DHCP] = { N_("DHCP range"), N_("DHCP"), 17, 17, 0, 4, UI_ALIGN_LEFT, true },
    [NCOL_LEASES] = { N_("Leases"), NULL, 6, 0, 0, 5, UI_ALIGN_RIGHT, true },
};

static const struct vd_network *
net_at(const void *data, guint row)
{
    const struct net_view *v = data;
    return g_ptr_array_index(v->list->networks, row);
}

static guint
net_count(const void *data)
{
    const struct net_view *v = data;
    return v->list ? v->list->networks->len : 0;
}

/* "192.168.122.2-254" when both ends share the first three IPv4 octets,
 * else "start - end": the range then fits next to the subnet at 80 columns */
static char *
dhcp_text(const struct vd_net_subnet *s)
{
    const char *a = s->dhcp_start, *b = s->dhcp_end, *dot;

    if (!a)
        return g_strdup("-");
    if (!b)
        return g_strdup(a);
    dot = strrchr(a, '.');
    if (dot && !strchr(a, ':') && strncmp(a, b, (size_t)(dot - a + 1)) == 0 && !strchr(b + (dot - a + 1), '.'))
        return g_strdup_printf("%s-%s", a, b + (dot - a + 1));
    return g_strdup_printf("%s - %s", a, b);
}

static char *
net_cell(const void *data, guint row, int col)
{
    const struct vd_network *n = net_at(data, row);
    const struct vd_net_def *d = n->def;

    switch (col) {
    case NCOL_NAME: return g_strdup(n->name);
    case NCOL_STATE: return g_strdup(n->active ? _("active") : _("inactive"));
    case NCOL_AUTO: return g_strdup(n->autostart ? _("yes") : _("no"));
    case NCOL_FORWARD:
        if (d && d->forward == VD_NET_OTHER && d->forward_mode)
            return g_strdup(d->forward_mode);
        return g_strdup(d ? vd_net_forward_name(d->forward) : "-");
    case NCOL_BRIDGE: return g_strdup(d && d->bridge ? d->bridge : "-");
    case NCOL_V4: {
        char *c = d ? vd_net_subnet_cidr(&d->v4) : NULL;
        return c ? c : g_strdup("-");
    }
    case NCOL_V6: {
        char *c = d ? vd_net_subnet_cidr(&d->v6) : NULL;
        return c ? c : g_strdup("-");
    }
    case NCOL_DHCP: return d ? dhcp_text(d->v4.set ? &d->v4 : &d->v6) : g_strdup("-");
    case NCOL_LEASES: return n->active ? g_strdup_printf("%u", n->n_leases) : g_strdup("-");
    }
    return g_strdup("");
}

static enum vd_color
net_color(const void *data, guint row, int col)
{
    const struct vd_network *n = net_at(data, row);

    if (col == NCOL_NAME || col == NCOL_STATE)
        return n->active ? VD_C_DOM_RUNNING : VD_C_DOM_SHUTOFF;
    return VD_C_NORMAL;
}

static const char *
net_key(const void *data, guint row)
{
    return net_at(data, row)->name;
}

static int
net_compare(const void *data, guint ra, guint rb, int col)
{
    const struct vd_network *a = net_at(data, ra), *b = net_at(data, rb);
    g_autofree char *x = NULL, *y = NULL;

    switch (col) {
    case NCOL_STATE: return (int)b->active - (int)a->active;
    case NCOL_AUTO: return (int)b->autostart - (int)a->autostart;
    case NCOL_LEASES: return (int)b->n_leases - (int)a->n_leases;
    case NCOL_NAME: return g_utf8_collate(a->name, b->name);
    default:
        x = net_cell(data, ra, col);
        y = net_cell(data, rb, col);
        return g_strcmp0(x, y);
    }
}

static const struct ui_list_src net_src = {
    .cols = net_cols,
    .n_cols = NCOL_LAST,
    .count = net_count,
    .cell = net_cell,
    .color = net_color,
    .key = net_key,
    .name = net_key,
    .compare = net_compare,
};

static const struct vd_network *
selected_net(const struct net_view *v)
{
    int r = v->list ? ui_list_selected(&v->nets) : -1;
    return r >= 0 ? net_at(v, (guint)r) : NULL;
}

/* ---- leases and static hosts of the selected network ----------------------- */

enum { DCOL_KIND, DCOL_MAC, DCOL_IP, DCOL_NAME, DCOL_EXPIRY, DCOL_LAST };

static const struct ui_list_col det_cols[DCOL_LAST] = {
    /* TRANSLATORS: column header: "lease" or "static" */
    [DCOL_KIND] = { N_("Kind"), NULL, 8, 0, 0, 1, UI_ALIGN_LEFT, true },
    [DCOL_MAC] = { N_("MAC address"), N_("MAC"), 17, 0, 0, 0, UI_ALIGN_LEFT, true },
    [DCOL_IP] = { N_("IP address"), N_("IP"), 15, 20, 0, 0, UI_ALIGN_LEFT, true },
    [DCOL_NAME] = { N_("Host name"), N_("Name"), 8, 20, 1, 2, UI_ALIGN_LEFT, true },
    [DCOL_EXPIRY] = { N_("Expires"), NULL, 8, 12, 0, 3, UI_ALIGN_LEFT, true },
};

static const struct det_row *
det_row(const void *data, guint row)
{
    const struct net_view *v = data;
    return &g_array_index(v->rows, struct det_row, row);
}

static const struct vd_net_host *
det_host(const struct net_view *v, const struct det_row *r)
{
    const struct vd_network *n = vd_net_list_find(v->list, v->det_net);
    return !r->lease && n && n->def && r->index < n->def->v4.hosts->len ? n->def->v4.hosts->pdata[r->index] : NULL;
}

static const struct vd_net_lease *
det_lease(const struct net_view *v, const struct det_row *r)
{
    return r->lease && r->index < v->list->leases->len ? v->list->leases->pdata[r->index] : NULL;
}

static guint
det_count(const void *data)
{
    const struct net_view *v = data;
    return v->rows->len;
}

static char *
det_cell(const void *data, guint row, int col)
{
    const struct net_view *v = data;
    const struct det_row *r = det_row(data, row);
    const struct vd_net_lease *l = det_lease(v, r);
    const struct vd_net_host *h = det_host(v, r);

    switch (col) {
    /* TRANSLATORS: kind of a DHCP entry: a current lease or a static host */
    case DCOL_KIND: return g_strdup(l ? _("lease") : _("static"));
    case DCOL_MAC: return g_strdup(l ? (l->mac ? l->mac : "-") : (h && h->mac ? h->mac : "-"));
    case DCOL_IP:
        if (l)
            return g_strdup_printf("%s/%u", l->ip, l->prefix);
        return g_strdup(h && h->ip ? h->ip : "-");
    case DCOL_NAME: return g_strdup(l ? (l->hostname ? l->hostname : "-") : (h && h->name ? h->name : "-"));
    case DCOL_EXPIRY:
        return l ? vd_net_lease_expiry_text(l->expiry, (gint64)time(NULL)) : g_strdup("-");
    }
    return g_strdup("");
}

static enum vd_color
det_color(const void *data, guint row, int col)
{
    return det_row(data, row)->lease ? VD_C_NORMAL : VD_C_TITLE;
}

static const char *
det_key(const void *data, guint row)
{
    return det_row(data, row)->key;
}

static int
det_compare(const void *data, guint ra, guint rb, int col)
{
    g_autofree char *x = det_cell(data, ra, col);
    g_autofree char *y = det_cell(data, rb, col);
    return g_strcmp0(x, y);
}

static const struct ui_list_src det_src = {
    .cols = det_cols,
    .n_cols = DCOL_LAST,
    .count = det_count,
    .cell = det_cell,
    .color = det_color,
    .key = det_key,
    .compare = det_compare,
};

static void
rebuild_detail(struct net_view *v)
{
    const struct vd_network *n = selected_net(v);

    g_array_set_size(v->rows, 0);
    g_free(v->det_net);
    v->det_net = n ? g_strdup(n->name) : NULL;
    for (guint i = 0; n && n->def && i < n->def->v4.hosts->len; i++) {
        const struct vd_net_host *h = n->def->v4.hosts->pdata[i];
        struct det_row r = { .lease = false, .index = i };
        g_snprintf(r.key, sizeof r.key, "h/%s/%s", h->mac ? h->mac : "", h->ip ? h->ip : "");
        g_array_append_val(v->rows, r);
    }
    for (guint i = 0; n && i < v->list->leases->len; i++) {
        const struct vd_net_lease *l = v->list->leases->pdata[i];
        struct det_row r = { .lease = true, .index = i };
        if (strcmp(l->network, n->name) != 0)
            continue;
        g_snprintf(r.key, sizeof r.key, "l/%s/%s", l->mac ? l->mac : "", l->ip);
        g_array_append_val(v->rows, r);
    }
    ui_list_recalc(&v->detail, v);
}

static void
nv_recalc_lists(struct net_view *v)
{
    bool v6 = false;

    for (guint i = 0; v->list && i < v->list->networks->len && !v6; i++) {
        const struct vd_network *n = g_ptr_array_index(v->list->networks, i);
        v6 = n->def && n->def->v6.set;
    }
    /* the room goes to the IPv4 subnet and the DHCP range instead */
    v->net_hidden[NCOL_V6] = !v6;
    ui_list_recalc(&v->nets, v);
    rebuild_detail(v);
}

/* ---- fetching ----------------------------------------------------------------- */

static void
fetch_done(struct vd_conn *c, bool ok, const char *message, gpointer result, gpointer user)
{
    struct nv_token *t = user;
    struct net_view *v = t->v;

    token_unref(t);
    if (!v)
        return;
    v->fetching = false;
    if (ok && result) {
        if (v->list)
            vd_net_list_unref(v->list);
        v->list = vd_net_list_ref(result);
        g_clear_pointer(&v->error, g_free);
    } else {
        g_free(v->error);
        v->error = g_strdup(message ? message : _("Could not list the networks"));
    }
    nv_recalc_lists(v);
    ui_app_queue_redraw(v->app);
    if (v->fetch_again) {
        v->fetch_again = false;
        nv_fetch(v);
    }
}

/* One fetch at a time; a request during one makes one more after it. */
static void
nv_fetch(struct net_view *v)
{
    struct vd_conn *c = nv_conn(v);

    if (!c)
        return;
    if (v->fetching) {
        v->fetch_again = true;
        return;
    }
    v->fetching = true;
    vd_network_fetch(c, fetch_done, token_ref(v->token));
}

static void
bridges_done(struct vd_conn *c, bool ok, const char *message, gpointer result, gpointer user)
{
    struct nv_token *t = user;
    struct net_view *v = t->v;

    token_unref(t);
    if (!v)
        return;
    g_strfreev(v->bridges);
    v->bridges = ok && result ? g_strdupv(result) : g_new0(char *, 1);
}

static void
on_net_event(gpointer user)
{
    struct net_view *v = user;
    nv_fetch(v);
}

static gboolean
on_timer(gpointer user)
{
    struct net_view *v = user;
    nv_fetch(v);
    return G_SOURCE_CONTINUE;
}

/* (Re)connect: fetch and watch the events of the new connection. */
static void
nv_attach(struct net_view *v)
{
    struct vd_conn *c = nv_conn(v);

    if (!c)
        return;
    if (v->watch)
        vd_network_unwatch(c, v->watch);
    v->watch = vd_network_watch(c, v->app->ctx, on_net_event, v);
    nv_fetch(v);
    if (!v->bridges_asked) {
        v->bridges_asked = true;
        vd_network_bridges(c, bridges_done, token_ref(v->token));
    }
}

/* ---- actions -------------------------------------------------------------------- */

static void
action_done(struct vd_conn *c, bool ok, const char *message, gpointer result, gpointer user)
{
    struct nv_token *t = user;
    struct net_view *v = t->v;

    token_unref(t);
    if (!v)
        return;
    ui_app_set_status(v->app, ok ? VD_C_STATUS_OK : VD_C_STATUS_ERROR, "%s", message ? message : "");
    nv_fetch(v);
    ui_app_queue_redraw(v->app);
}

struct nv_confirm {
    struct nv_token *token;
    char *network;
    enum vd_net_op op;
    struct vd_net_host *host;       /* removing a static host */
};

static void
confirm_free(gpointer p)
{
    struct nv_confirm *q = p;
    token_unref(q->token);
    g_free(q->network);
    vd_net_host_free(q->host);
    g_free(q);
}

static bool
confirm_done(struct ui_dialog *d, int result, gpointer user)
{
    struct nv_confirm *q = user;
    struct net_view *v = q->token->v;

    if (!v)
        return true;
    if (result != UI_CONFIRM_YES) {
        ui_app_set_status(v->app, VD_C_STATUS_INFO, "%s", _("Cancelled"));
        return true;
    }
    if (q->host)
        vd_network_host_remove(nv_conn(v), q->network, q->host, action_done, token_ref(v->token));
    else
        vd_network_op(nv_conn(v), q->network, q->op, action_done, token_ref(v->token));
    return true;
}

static void
ask(struct net_view *v, const char *title, const char *text, const char *network, enum vd_net_op op,
    const struct vd_net_host *host)
{
    struct ui_dialog *d = ui_yes_no_dialog(title, text);
    struct nv_confirm *q = g_new0(struct nv_confirm, 1);

    q->token = token_ref(v->token);
    q->network = g_strdup(network);
    q->op = op;
    q->host = host ? vd_net_host_new(host->mac, host->name, host->ip) : NULL;
    ui_dialog_set_callbacks(d, NULL, confirm_done, q, confirm_free);
    ui_app_open_dialog(v->app, d);
}

static void
users_done(struct vd_conn *c, bool ok, const char *message, gpointer result, gpointer user)
{
    struct nv_confirm *q = user;
    struct net_view *v = q->token->v;
    g_autofree char *text = NULL;
    GStrv names = result;

    if (v && !ok) {
        ui_app_set_status(v->app, VD_C_STATUS_ERROR, "%s", message ? message : "");
    } else if (v) {
        guint n = names ? g_strv_length(names) : 0;
        g_autofree char *list = n ? g_strjoinv(", ", names) : NULL;

        if (n)
            text = g_strdup_printf(ngettext("Delete the network %1$s? %2$u domain uses it and loses its network: %3$s",
                                            "Delete the network %1$s? %2$u domains use it and lose their network: %3$s",
                                            n),
                                   q->network, n, list);
        else
            text = g_strdup_printf(_("Delete the network %s? No domain uses it."), q->network);
        ask(v, _("Delete network"), text, q->network, VD_NET_OP_DELETE, NULL);
    }
    confirm_free(q);
}

static void
cmd_delete_network(struct net_view *v, const struct vd_network *n)
{
    struct nv_confirm *q = g_new0(struct nv_confirm, 1);

    q->token = token_ref(v->token);
    q->network = g_strdup(n->name);
    ui_app_set_status(v->app, VD_C_STATUS_INFO, _("Looking for domains that use %s…"), n->name);
    vd_network_users(nv_conn(v), n->name, users_done, q);
}

/* ---- static host form ------------------------------------------------------------- */

struct host_form {
    struct nv_token *token;
    char *network;
    struct vd_net_host *old;        /* changing this entry, NULL: adding */
};

static void
host_form_free(gpointer p)
{
    struct host_form *f = p;
    token_unref(f->token);
    g_free(f->network);
    vd_net_host_free(f->old);
    g_free(f);
}

static bool
host_form_done(struct ui_dialog *d, int result, gpointer user)
{
    struct host_form *f = user;
    struct net_view *v = f->token->v;
    const struct vd_network *n;
    g_autofree char *err = NULL;
    g_autofree char *mac = NULL;
    struct vd_net_host *h;

    if (!v || result != 1)
        return true;
    n = vd_net_list_find(v->list, f->network);
    if (!n || !n->def) {
        ui_dialog_set_error(d, _("The network is gone"));
        return false;
    }
    mac = vd_mac_normalize(g_strstrip((char *)ui_dialog_value(d, "mac")));
    h = vd_net_host_new(mac ? mac : ui_dialog_value(d, "mac"), g_strstrip((char *)ui_dialog_value(d, "name")),
                        g_strstrip((char *)ui_dialog_value(d, "ip")));
    if (!vd_net_host_validate(n->def, h, f->old ? f->old->mac : NULL, &err)) {
        ui_dialog_set_error(d, err);
        vd_net_host_free(h);
        return false;
    }
    if (f->old)
        vd_network_host_change(nv_conn(v), f->network, f->old, h, action_done, token_ref(v->token));
    else
        vd_network_host_add(nv_conn(v), f->network, h, action_done, token_ref(v->token));
    vd_net_host_free(h);
    return true;
}

static void
host_form_open(struct net_view *v, const struct vd_network *n, const struct vd_net_host *old,
               const char *mac, const char *name, const char *ip)
{
    g_autofree char *title = old ? g_strdup_printf(_("Change a static host of %s"), n->name)
                                 : g_strdup_printf(_("New static host on %s"), n->name);
    g_autofree char *cidr = n->def ? vd_net_subnet_cidr(&n->def->v4) : NULL;
    g_autofree char *msg = NULL;
    struct ui_dialog *d;
    struct host_form *f;

    if (!cidr) {
        ui_app_set_status(v->app, VD_C_STATUS_ERROR, _("The network %s has no IPv4 subnet for static hosts"),
                          n->name);
        return;
    }
    msg = g_strdup_printf(_("The guest with this MAC address always gets this IP address from the DHCP server "
                            "of %1$s (subnet %2$s). Changed live and in the saved configuration."),
                          n->name, cidr);
    d = ui_dialog_new(title, 64);
    ui_dialog_set_message(d, msg);
    ui_dialog_add_text(d, "mac", _("MAC address"), mac ? mac : "52:54:00:");
    ui_dialog_add_text(d, "ip", _("IP address"), ip ? ip : "");
    ui_dialog_add_text(d, "name", _("Host name"), name ? name : "");
    ui_dialog_add_button(d, old ? _("Save") : _("Add"), 1);
    ui_dialog_add_button(d, _("Cancel"), 0);
    ui_dialog_set_default(d, 1);
    f = g_new0(struct host_form, 1);
    f->token = token_ref(v->token);
    f->network = g_strdup(n->name);
    f->old = old ? vd_net_host_new(old->mac, old->name, old->ip) : NULL;
    ui_dialog_set_callbacks(d, NULL, host_form_done, f, host_form_free);
    ui_app_open_dialog(v->app, d);
}

/* ---- new network form ------------------------------------------------------------------ */

static const enum vd_net_forward form_modes[] = { VD_NET_NAT, VD_NET_ROUTE, VD_NET_ISOLATED, VD_NET_OPEN,
                                                  VD_NET_BRIDGE };

struct net_form {
    struct nv_token *token;
    struct vd_net_def *def;         /* the values, kept between the form and the preview */
    bool dhcp, start, autostart;
    char *v4, *v6;                  /* as typed */
};

static void
net_form_free(gpointer p)
{
    struct net_form *f = p;
    token_unref(f->token);
    vd_net_def_free(f->def);
    g_free(f->v4);
    g_free(f->v6);
    g_free(f);
}

static void net_form_open(struct net_view *v, struct net_form *f);

/* The first 192.168.N.0/24 that overlaps no network of the host. */
static char *
free_subnet(const struct net_view *v)
{
    g_autoptr(GPtrArray) defs = vd_net_list_defs(v->list);

    for (int n = 100; n < 255; n++) {
        g_autofree char *cidr = g_strdup_printf("192.168.%d.0/24", n);
        g_autoptr(vd_net_def) d = vd_net_def_new();
        char *err = NULL;

        d->name = g_strdup("free-subnet-probe");
        vd_net_subnet_from_cidr(&d->v4, 4, cidr, false, &err);
        d->forward = VD_NET_ISOLATED;
        if (vd_net_def_validate(d, defs, &err))
            return g_steal_pointer(&cidr);
        g_free(err);
    }
    return g_strdup("");
}

static enum vd_net_forward
form_mode(const struct ui_dialog *d)
{
    const struct ui_field *f = ui_dialog_field(d, "mode");
    return form_modes[f ? MIN(f->choice, G_N_ELEMENTS(form_modes) - 1) : 0];
}

static void
net_form_changed(struct ui_dialog *d, struct ui_field *f, gpointer user)
{
    struct net_form *nf = user;
    struct net_view *v = nf->token->v;

    /* host bridge: propose the first bridge found on the host */
    if (f && strcmp(f->id, "mode") == 0 && form_mode(d) == VD_NET_BRIDGE && v && v->bridges && v->bridges[0] &&
        !*ui_dialog_value(d, "bridge"))
        ui_field_set_text(ui_dialog_field(d, "bridge"), v->bridges[0]);
    /* a new subnet proposes its DHCP range */
    if (f && strcmp(f->id, "v4") == 0) {
        struct vd_net_subnet s = { 0 };
        char *err = NULL;

        if (vd_net_subnet_from_cidr(&s, 4, f->text->str, true, &err)) {
            ui_field_set_text(ui_dialog_field(d, "dhcp_start"), s.dhcp_start);
            ui_field_set_text(ui_dialog_field(d, "dhcp_end"), s.dhcp_end);
        }
        g_free(err);
        g_free(s.address);
        g_free(s.dhcp_start);
        g_free(s.dhcp_end);
    }
    ui_dialog_set_error(d, NULL);
}

/* Read the form into f->def; false with the message in the dialog. */
static bool
net_form_read(struct ui_dialog *d, struct net_form *f, const struct net_view *v)
{
    g_autoptr(vd_net_def) def = vd_net_def_new();
    g_autoptr(GPtrArray) defs = vd_net_list_defs(v->list);
    g_autofree char *err = NULL;
    const char *v4 = g_strstrip((char *)ui_dialog_value(d, "v4"));
    const char *v6 = g_strstrip((char *)ui_dialog_value(d, "v6"));
    const char *ds = g_strstrip((char *)ui_dialog_value(d, "dhcp_start"));
    const char *de = g_strstrip((char *)ui_dialog_value(d, "dhcp_end"));

    def->name = g_strdup(g_strstrip((char *)ui_dialog_value(d, "name")));
    def->forward = form_mode(d);
    def->bridge = g_strdup(g_strstrip((char *)ui_dialog_value(d, "bridge")));
    def->domain = g_strdup(g_strstrip((char *)ui_dialog_value(d, "domain")));
    def->forward_dev = g_strdup(g_strstrip((char *)ui_dialog_value(d, "dev")));
    f->dhcp = ui_dialog_checked(d, "dhcp");
    f->start = ui_dialog_checked(d, "start");
    f->autostart = ui_dialog_checked(d, "autostart");
    g_free(f->v4);
    g_free(f->v6);
    f->v4 = g_strdup(v4);
    f->v6 = g_strdup(v6);
    if (def->forward == VD_NET_BRIDGE) {
        g_clear_pointer(&def->domain, g_free);
        v4 = v6 = "";
    }
    if (*v4 && !vd_net_subnet_from_cidr(&def->v4, 4, v4, f->dhcp, &err))
        goto fail;
    if (*v4 && f->dhcp && (*ds || *de)) {
        g_free(def->v4.dhcp_start);
        g_free(def->v4.dhcp_end);
        def->v4.dhcp_start = g_strdup(ds);
        def->v4.dhcp_end = g_strdup(de);
    }
    if (*v6 && !vd_net_subnet_from_cidr(&def->v6, 6, v6, f->dhcp, &err))
        goto fail;
    if (!vd_net_def_validate(def, defs, &err))
        goto fail;
    vd_net_def_free(f->def);
    f->def = g_steal_pointer(&def);
    return true;
fail:
    ui_dialog_set_error(d, err);
    return false;
}

enum { FORM_CANCEL = 0, FORM_NEXT = 1, FORM_CREATE = 2, FORM_BACK = 3 };

static struct net_form *
form_copy(const struct net_form *f)
{
    struct net_form *c = g_new0(struct net_form, 1);

    c->token = token_ref(f->token);
    c->def = f->def ? vd_net_def_copy(f->def) : NULL;
    c->dhcp = f->dhcp;
    c->start = f->start;
    c->autostart = f->autostart;
    c->v4 = g_strdup(f->v4);
    c->v6 = g_strdup(f->v6);
    return c;
}

static bool
preview_done(struct ui_dialog *d, int result, gpointer user)
{
    struct net_form *f = user;
    struct net_view *v = f->token->v;
    g_autofree char *xml = NULL;

    if (!v)
        return true;
    if (result == FORM_BACK) {
        net_form_open(v, form_copy(f));
        return true;
    }
    if (result != FORM_CREATE)
        return true;
    xml = vd_net_def_xml(f->def);
    ui_app_set_status(v->app, VD_C_STATUS_INFO, _("Creating the network %s…"), f->def->name);
    vd_network_create(nv_conn(v), xml, f->start, f->autostart, action_done, token_ref(v->token));
    return true;
}

/* Second step: the XML libvirt gets. */
static void
preview_open(struct net_view *v, struct net_form *f)
{
    g_autofree char *xml = vd_net_def_xml(f->def);
    g_auto(GStrv) lines = g_strsplit(xml, "\n", -1);
    g_autofree char *title = g_strdup_printf(_("New network %s: XML"), f->def->name);
    struct ui_dialog *d = ui_dialog_new(title, 76);

    for (guint i = 0; lines[i]; i++)
        if (*lines[i])
            ui_dialog_add_label(d, NULL, lines[i]);
    ui_dialog_add_button(d, _("Create"), FORM_CREATE);
    ui_dialog_add_button(d, _("Back"), FORM_BACK);
    ui_dialog_add_button(d, _("Cancel"), FORM_CANCEL);
    ui_dialog_set_default(d, FORM_CREATE);
    ui_dialog_focus_button(d, FORM_CREATE);
    ui_dialog_set_callbacks(d, NULL, preview_done, f, net_form_free);
    ui_app_open_dialog(v->app, d);
}

static bool
net_form_done(struct ui_dialog *d, int result, gpointer user)
{
    struct net_form *f = user;
    struct net_view *v = f->token->v;

    if (!v || result != FORM_NEXT)
        return true;
    if (!net_form_read(d, f, v))
        return false;
    preview_open(v, form_copy(f));
    return true;
}

static void
net_form_open(struct net_view *v, struct net_form *f)
{
    struct ui_dialog *d = ui_dialog_new(_("New virtual network"), 72);
    const struct vd_net_def *def = f->def;
    const char *modes[G_N_ELEMENTS(form_modes) + 1] = { NULL };
    guint mode = 0;
    g_autofree char *bridges = NULL;
    g_autofree char *hint = NULL;

    for (guint i = 0; i < G_N_ELEMENTS(form_modes); i++) {
        modes[i] = vd_net_forward_name(form_modes[i]);
        if (def && def->forward == form_modes[i])
            mode = i;
    }
    bridges = v->bridges && v->bridges[0] ? g_strjoinv(", ", v->bridges) : NULL;
    if (bridges)
        hint = g_strdup_printf(_("NAT: guests reach out through the host. Routed: no NAT, the LAN routes to the "
                                 "subnet. Isolated: guests and host only. Host bridge: guests on the LAN (bridges "
                                 "here: %s)."),
                               bridges);
    else
        hint = g_strdup(_("NAT: guests reach out through the host. Routed: no NAT, the LAN routes to the subnet. "
                          "Isolated: guests and host only. Host bridge: guests on the LAN (no bridge found on "
                          "the host)."));
    ui_dialog_set_message(d, hint);
    ui_dialog_add_text(d, "name", _("Name"), def ? def->name : "");
    ui_dialog_add_choice(d, "mode", _("Mode"), modes, mode);
    ui_dialog_add_text(d, "v4", _("IPv4 subnet"), f->v4 ? f->v4 : "");
    ui_dialog_add_check(d, "dhcp", _("DHCP server"), f->dhcp);
    ui_dialog_add_text(d, "dhcp_start", _("DHCP from"), def && def->v4.dhcp_start ? def->v4.dhcp_start : "");
    ui_dialog_add_text(d, "dhcp_end", _("DHCP to"), def && def->v4.dhcp_end ? def->v4.dhcp_end : "");
    ui_dialog_add_text(d, "v6", _("IPv6 subnet"), f->v6 ? f->v6 : "");
    ui_dialog_add_text(d, "domain", _("DNS domain"), def && def->domain ? def->domain : "");
    ui_dialog_add_text(d, "bridge", _("Bridge"),
                       def && def->bridge ? def->bridge
                                          : (v->bridges && v->bridges[0] && mode == 4 ? v->bridges[0] : ""));
    ui_dialog_add_text(d, "dev", _("Via device"), def && def->forward_dev ? def->forward_dev : "");
    ui_dialog_add_check(d, "start", _("Start it now"), f->start);
    ui_dialog_add_check(d, "autostart", _("Start with the host (autostart)"), f->autostart);
    ui_dialog_add_button(d, _("Next: XML"), FORM_NEXT);
    ui_dialog_add_button(d, _("Cancel"), FORM_CANCEL);
    ui_dialog_set_default(d, FORM_NEXT);
    ui_dialog_set_callbacks(d, net_form_changed, net_form_done, f, net_form_free);
    if (!def)
        net_form_changed(d, ui_dialog_field(d, "v4"), f);
    ui_app_open_dialog(v->app, d);
}

static void
cmd_new_network(struct net_view *v)
{
    struct net_form *f = g_new0(struct net_form, 1);

    f->token = token_ref(v->token);
    f->dhcp = f->start = f->autostart = true;
    f->v4 = free_subnet(v);
    net_form_open(v, f);
}

/* ---- screen --------------------------------------------------------------------------- */

static int
split_y(const struct ui_app *app)
{
    int y = app->lay.pane_y, h = app->lay.status_y - y;
    return y + 2 + MAX((h - 4) / 2, 3);
}

static char *
key_label(const struct ui_app *app, int b)
{
    char *k = ui_keymap_label(app->keymap, b, false);
    return k ? k : g_strdup("-");
}

/* The keys of this screen, for the bar and the help overlay: pairs of
 * (keys, text); NULL-terminated, g_strfreev. */
char **
ui_networks_keys(const struct ui_app *app)
{
    g_autofree char *add = ui_keymap_keys_text(app->keymap, UI_CMD_ADD_CONNECTION);
    g_autofree char *start = ui_keymap_keys_text(app->keymap, UI_BIND_ACTION(VD_ACTION_START));
    g_autofree char *stop1 = ui_keymap_keys_text(app->keymap, UI_BIND_ACTION(VD_ACTION_SHUTDOWN));
    g_autofree char *stop2 = ui_keymap_keys_text(app->keymap, UI_BIND_ACTION(VD_ACTION_DESTROY));
    g_autofree char *aut = ui_keymap_keys_text(app->keymap, UI_CMD_AUTOSTART_TOGGLE);
    g_autofree char *del = ui_keymap_keys_text(app->keymap, UI_BIND_ACTION(VD_ACTION_UNDEFINE));
    g_autofree char *tab = ui_keymap_keys_text(app->keymap, UI_CMD_NEXT_HOST);
    g_autofree char *stop = g_strdup_printf("%s, %s", stop1, stop2);
    g_autofree char *close = ui_keymap_keys_text(app->keymap, UI_CMD_NETWORKS);
    g_autofree char *closek = g_strdup_printf("Esc, q, %s", close);
    const char *pairs[] = {
        add, _("New network (in the lower list: new static host)"),
        "Enter", _("Lower list: change the static host; on a lease: make it static"),
        start, _("Start the network"),
        stop, _("Stop the network"),
        aut, _("Toggle autostart of the network"),
        del, _("Delete the network (lower list: remove the static host)"),
        tab, _("Switch between the networks and their leases and static hosts"),
        closek, _("Close the networks screen"),
        NULL,
    };
    return g_strdupv((char **)pairs);
}

static void
networks_draw(const struct ui_app *app, gpointer state)
{
    struct net_view *v = state;
    const struct ui_host *h = nv_host(v);
    int y = app->lay.pane_y, h_all = app->lay.status_y - y, w = app->lay.cols;
    int sy = split_y(app), top_h = sy - (y + 2), bot_h = app->lay.status_y - sy - 1;
    const struct vd_network *n = selected_net(v);
    g_autofree char *title = NULL, *sub = NULL, *add = key_label(app, UI_CMD_ADD_CONNECTION);
    g_autofree char *st = key_label(app, UI_BIND_ACTION(VD_ACTION_START));
    g_autofree char *sp = key_label(app, UI_BIND_ACTION(VD_ACTION_SHUTDOWN));
    g_autofree char *au = key_label(app, UI_CMD_AUTOSTART_TOGGLE);
    g_autofree char *de = key_label(app, UI_BIND_ACTION(VD_ACTION_UNDEFINE));
    g_autofree char *keys = NULL;

    ui_draw_rect(y, 0, h_all, w, vd_attr(VD_C_NORMAL));
    title = g_strdup_printf(_("Networks of %s"), h ? ui_host_label(app, h) : "?");
    if (v->fetching && !v->list)
        sub = g_strdup(_("loading…"));
    ui_draw_text(y, 1, w - 2, title, vd_attr(VD_C_TITLE), UI_ALIGN_LEFT, true);
    if (v->pane == PANE_NETS)
        /* TRANSLATORS: key hints of the networks screen: key, then what it does */
        keys = g_strdup_printf(_("%1$s new  %2$s start  %3$s stop  %4$s autostart  %5$s delete  Tab: leases  Esc: back"),
                               add, st, sp, au, de);
    else
        /* TRANSLATORS: key hints of the lease/static host list */
        keys = g_strdup_printf(_("%1$s new static host  Enter: change / make static  %2$s remove  Tab: networks  "
                                 "Esc: back"),
                               add, de);
    ui_draw_text(y + 1, 1, w - 2, keys, vd_attr(VD_C_DIM), UI_ALIGN_LEFT, true);
    if (v->error)
        ui_draw_text(y + 1, 1, w - 2, v->error, vd_attr(VD_C_ERROR_TEXT), UI_ALIGN_LEFT, true);
    ui_list_layout(&v->nets, top_h - 1, w - 2);
    ui_list_draw(&v->nets, y + 2, 1, v->pane == PANE_NETS);
    if (sub)
        ui_draw_text(y + 4, 2, w - 4, sub, vd_attr(VD_C_DIM), UI_ALIGN_LEFT, false);
    {
        g_autofree char *t = NULL;
        if (n && n->def && n->def->domain)
            t = g_strdup_printf(_("Leases and static hosts of %1$s (DNS domain %2$s)"), n->name, n->def->domain);
        else if (n)
            t = g_strdup_printf(_("Leases and static hosts of %s"), n->name);
        ui_draw_hline(sy, 0, w, vd_attr(VD_C_BORDER));
        if (t)
            ui_draw_text(sy, 2, w - 4, t, vd_attr(VD_C_TITLE), UI_ALIGN_LEFT, false);
    }
    ui_list_layout(&v->detail, bot_h - 1, w - 2);
    ui_list_draw(&v->detail, sy + 1, 1, v->pane == PANE_DETAIL);
}

static void
networks_recalc(struct ui_app *app, gpointer state)
{
    struct net_view *v = state;
    struct ui_host *h = nv_host(v);

    if (!h)
        return;
    /* a reconnect dropped the event registration: watch and fetch again */
    if (h->snap->state == VD_HOST_CONNECTED && v->last_state != VD_HOST_CONNECTED &&
        v->last_state != VD_HOST_NOT_RESPONDING)
        nv_attach(v);
    v->last_state = h->snap->state;
}

static struct vd_net_host *
host_of_row(struct net_view *v, const struct det_row **rp)
{
    int r = ui_list_selected(&v->detail);
    const struct det_row *row = r >= 0 ? det_row(v, (guint)r) : NULL;

    *rp = row;
    return row ? (struct vd_net_host *)det_host(v, row) : NULL;
}

static unsigned
detail_key(struct net_view *v, int b, ui_key k)
{
    const struct vd_network *n = vd_net_list_find(v->list, v->det_net);
    const struct det_row *row = NULL;
    const struct vd_net_host *h = host_of_row(v, &row);

    if (!n)
        return UI_OK;
    if (k == '\n') {
        if (h)
            host_form_open(v, n, h, h->mac, h->name, h->ip);
        else if (row && row->lease) {
            const struct vd_net_lease *l = det_lease(v, row);
            if (l)
                host_form_open(v, n, NULL, l->mac, l->hostname, l->family == 4 ? l->ip : NULL);
        }
        return UI_REDRAW;
    }
    if (b == UI_CMD_ADD_CONNECTION) {
        host_form_open(v, n, NULL, NULL, NULL, NULL);
        return UI_REDRAW;
    }
    if (b == UI_BIND_ACTION(VD_ACTION_UNDEFINE) || k == (UI_KEY_FN | KEY_DC)) {
        g_autofree char *text = NULL;
        if (!h) {
            ui_app_set_status(v->app, VD_C_STATUS_INFO, "%s", _("A lease is not a static host: nothing to remove"));
            return UI_REDRAW;
        }
        text = g_strdup_printf(_("Remove the static host %1$s (%2$s) from %3$s? Live and in the saved configuration."),
                               h->ip ? h->ip : "-", h->mac ? h->mac : "-", n->name);
        ask(v, _("Remove static host"), text, n->name, VD_NET_OP_LAST, h);
        return UI_REDRAW;
    }
    return UI_OK;
}

static unsigned
nets_key(struct net_view *v, int b, ui_key k)
{
    const struct vd_network *n = selected_net(v);
    g_autofree char *text = NULL;

    if (b == UI_CMD_ADD_CONNECTION) {
        if (!v->list) {
            ui_app_set_status(v->app, VD_C_STATUS_INFO, "%s", _("The networks are not listed yet"));
            return UI_REDRAW;
        }
        cmd_new_network(v);
        return UI_REDRAW;
    }
    if (!n)
        return UI_OK;
    if (k == '\n') {
        v->pane = PANE_DETAIL;
        return UI_REDRAW;
    }
    if (b == UI_BIND_ACTION(VD_ACTION_START)) {
        if (n->active)
            ui_app_set_status(v->app, VD_C_STATUS_INFO, _("The network %s is already active"), n->name);
        else
            vd_network_op(nv_conn(v), n->name, VD_NET_OP_START, action_done, token_ref(v->token));
        return UI_REDRAW;
    }
    if (b == UI_BIND_ACTION(VD_ACTION_SHUTDOWN) || b == UI_BIND_ACTION(VD_ACTION_DESTROY)) {
        if (!n->active) {
            ui_app_set_status(v->app, VD_C_STATUS_INFO, _("The network %s is not active"), n->name);
            return UI_REDRAW;
        }
        text = g_strdup_printf(_("Stop the network %s? Running guests on it lose their connection."), n->name);
        ask(v, _("Stop network"), text, n->name, VD_NET_OP_STOP, NULL);
        return UI_REDRAW;
    }
    if (b == UI_CMD_AUTOSTART_TOGGLE) {
        if (!n->persistent) {
            ui_app_set_status(v->app, VD_C_STATUS_ERROR, _("The network %s is transient: no autostart"), n->name);
            return UI_REDRAW;
        }
        vd_network_op(nv_conn(v), n->name, n->autostart ? VD_NET_OP_AUTOSTART_OFF : VD_NET_OP_AUTOSTART_ON,
                      action_done, token_ref(v->token));
        return UI_REDRAW;
    }
    if (b == UI_BIND_ACTION(VD_ACTION_UNDEFINE) || k == (UI_KEY_FN | KEY_DC)) {
        cmd_delete_network(v, n);
        return UI_REDRAW;
    }
    return UI_OK;
}

static unsigned
networks_key(struct ui_app *app, gpointer state, ui_key k)
{
    struct net_view *v = state;
    struct ui_list *l = v->pane == PANE_NETS ? &v->nets : &v->detail;
    int b = ui_keymap_lookup(app->keymap, k);
    bool moved = false;

    if (k == UI_KEY_ESC || k == 'q' || b == UI_CMD_NETWORKS) {
        if (v->pane == PANE_DETAIL && k == UI_KEY_ESC) {
            v->pane = PANE_NETS;
            return UI_REDRAW;
        }
        ui_app_close_screen(app, v);
        return UI_REDRAW;
    }
    switch (b) {
    case UI_CMD_MOVE_DOWN: moved = ui_list_move(l, 1); break;
    case UI_CMD_MOVE_UP: moved = ui_list_move(l, -1); break;
    case UI_CMD_PAGE_DOWN: moved = ui_list_page(l, 1); break;
    case UI_CMD_PAGE_UP: moved = ui_list_page(l, -1); break;
    case UI_CMD_FIRST_ROW: moved = ui_list_first(l); break;
    case UI_CMD_LAST_ROW: moved = ui_list_last(l); break;
    case UI_CMD_SORT_NEXT: ui_list_sort_next(l); return UI_REDRAW;
    case UI_CMD_SORT_REVERSE: ui_list_sort_reverse(l); return UI_REDRAW;
    case UI_CMD_NEXT_HOST: case UI_CMD_PREV_HOST:
        v->pane = v->pane == PANE_NETS ? PANE_DETAIL : PANE_NETS;
        return UI_REDRAW;
    case UI_CMD_REDRAW:
        nv_fetch(v);
        return ui_app_command(app, b);
    case UI_CMD_HELP: case UI_CMD_QUIT: case UI_CMD_SHOW_MESSAGE:
        return ui_app_command(app, b);
    default:
        break;
    }
    if (moved) {
        if (l == &v->nets)
            rebuild_detail(v);
        return UI_REDRAW;
    }
    if (k == '\r')
        k = '\n';
    if (b == UI_CMD_FOCUS_DOMAINS && k != '\n')
        return UI_OK;
    return v->pane == PANE_NETS ? nets_key(v, b, k) : detail_key(v, b, k);
}

static void
networks_free(gpointer state)
{
    struct net_view *v = state;
    struct vd_conn *c = nv_conn(v);

    if (v->watch && c)
        vd_network_unwatch(c, v->watch);
    if (v->timer) {
        g_source_destroy(v->timer);
        g_source_unref(v->timer);
    }
    v->token->v = NULL;
    token_unref(v->token);
    if (v->list)
        vd_net_list_unref(v->list);
    ui_list_clear(&v->nets);
    ui_list_clear(&v->detail);
    g_array_unref(v->rows);
    g_strfreev(v->bridges);
    g_free(v->det_net);
    g_free(v->error);
    g_free(v);
}

static const struct ui_fkey networks_fkeys[] = {
    { UI_CMD_HELP, NULL, NC_("fkey", "Help"), 2 },
    { UI_CMD_ADD_CONNECTION, NULL, NC_("fkey", "New"), 3 },
    { UI_BIND_ACTION(VD_ACTION_START), NULL, NC_("fkey", "Start"), 1 },
    { UI_CMD_SORT_NEXT, NULL, NC_("fkey", "Sort"), 5 },
    { UI_BIND_ACTION(VD_ACTION_SHUTDOWN), NULL, NC_("fkey", "Stop"), 1 },
    { UI_BIND_ACTION(VD_ACTION_UNDEFINE), NULL, NC_("fkey", "Delete"), 3 },
    { UI_FKEY_LITERAL, "q", NC_("fkey", "Close"), 0 },
    { UI_CMD_QUIT, NULL, NC_("fkey", "Quit"), 1 },
    { 0, NULL, NULL, 0 },
};

static const struct ui_fkey *
networks_fkeys_cb(const struct ui_app *app G_GNUC_UNUSED, gpointer state G_GNUC_UNUSED)
{
    return networks_fkeys;
}

static const struct ui_screen_ops networks_ops = {
    .name = "networks",
    .fkeys = networks_fkeys_cb,
    .draw = networks_draw,
    .key = networks_key,
    .recalc = networks_recalc,
    .free = networks_free,
};

bool
ui_networks_open_p(const struct ui_app *app)
{
    return ui_app_find_screen(app, &networks_ops) != NULL;
}

void
ui_networks_open(struct ui_app *app)
{
    struct ui_host *h = ui_app_host(app);
    struct net_view *v;

    if (!h)
        return;
    if (h->snap->state != VD_HOST_CONNECTED) {
        ui_app_set_status(app, VD_C_STATUS_ERROR, "%s", _("The host is not connected"));
        return;
    }
    v = g_new0(struct net_view, 1);
    v->app = app;
    v->host = h->index;
    v->token = g_new0(struct nv_token, 1);
    g_atomic_ref_count_init(&v->token->ref);
    v->token->v = v;
    v->rows = g_array_new(FALSE, FALSE, sizeof(struct det_row));
    ui_list_init(&v->nets, &net_src, true);
    v->nets.hidden = v->net_hidden;
    ui_list_init(&v->detail, &det_src, true);
    v->nets.empty_text = _("No virtual network on this host");
    v->detail.empty_text = _("No lease and no static host");
    v->last_state = VD_HOST_CONNECTED;
    v->timer = g_timeout_source_new_seconds(NET_LEASE_REFRESH_S);
    g_source_set_callback(v->timer, on_timer, v, NULL);
    g_source_attach(v->timer, app->ctx);
    nv_attach(v);
    ui_app_push_screen(app, &networks_ops, v);
}
