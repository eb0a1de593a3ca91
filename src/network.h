/* virtdeck - virtual networks of a host: list, actions, DHCP hosts and leases
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The calls run on the host's worker (quick tasks, conn-task.h); results
 * come back on the UI context through a vd_task_done_fn. No libvirt type
 * here. Every string has passed vd_sanitize(). */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "conn.h"
#include "net-xml.h"

struct vd_net_lease {
    char *network;          /* the network it came from */
    char *mac;              /* may be NULL (DHCPv6 without MAC) */
    char *ip;               /* without prefix */
    guint prefix;
    int family;             /* 4 or 6 */
    char *hostname;         /* may be NULL */
    gint64 expiry;          /* seconds since the epoch, 0: never */
};

struct vd_network {
    char *name;
    char uuid[37];
    bool active;
    bool autostart;
    bool persistent;
    struct vd_net_def *def; /* parsed from the XML (inactive config for a defined network) */
    guint n_leases;         /* of an active network; 0 otherwise */
};

/* One fetch: the host's networks (sorted by name) and their leases. */
struct vd_net_list {
    GPtrArray *networks;    /* struct vd_network * */
    GPtrArray *leases;      /* struct vd_net_lease *, by network then IP */
    guint rpc;              /* libvirt calls the fetch made */
};

/* Reference counted: a done callback that keeps the result takes a reference. */
struct vd_net_list *vd_net_list_ref(struct vd_net_list *l);
void vd_net_list_unref(struct vd_net_list *l);
typedef struct vd_net_list vd_net_list;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(vd_net_list, vd_net_list_unref)

const struct vd_network *vd_net_list_find(const struct vd_net_list *l, const char *name);
/* The definitions of every network (struct vd_net_def *, not owned): for
 * vd_net_def_validate()'s overlap check. */
GPtrArray *vd_net_list_defs(const struct vd_net_list *l);

/* Fetch the networks: 1 list call, 1 XML per network, 1 lease call per
 * active network. result: struct vd_net_list * (freed after done). */
void vd_network_fetch(struct vd_conn *c, vd_task_done_fn done, gpointer user);
/* The same, synchronously on its own connection (--dump, tests). */
struct vd_net_list *vd_network_fetch_uri(const char *uri, char **err);

enum vd_net_op {
    VD_NET_OP_START = 0,
    VD_NET_OP_STOP,
    VD_NET_OP_AUTOSTART_ON,
    VD_NET_OP_AUTOSTART_OFF,
    VD_NET_OP_DELETE,       /* stop if active, then undefine */
    VD_NET_OP_LAST
};
void vd_network_op(struct vd_conn *c, const char *name, enum vd_net_op op, vd_task_done_fn done,
                   gpointer user);
/* Define xml (persistent), then optionally start it and set autostart. */
void vd_network_create(struct vd_conn *c, const char *xml, bool start, bool autostart, vd_task_done_fn done,
                       gpointer user);

/* Static DHCP hosts of the IPv4 subnet, live (active network) and in the
 * persistent config (persistent network). Change: old is the entry as it
 * is now; a changed MAC is a delete and an add. */
void vd_network_host_add(struct vd_conn *c, const char *network, const struct vd_net_host *h,
                         vd_task_done_fn done, gpointer user);
void vd_network_host_change(struct vd_conn *c, const char *network, const struct vd_net_host *old,
                            const struct vd_net_host *h, vd_task_done_fn done, gpointer user);
void vd_network_host_remove(struct vd_conn *c, const char *network, const struct vd_net_host *h,
                            vd_task_done_fn done, gpointer user);

/* Names of the domains with an interface on this network (1 list call and
 * 1 XML per domain: asked before a delete only). result: GStrv. */
void vd_network_users(struct vd_conn *c, const char *network, vd_task_done_fn done, gpointer user);

/* The host's bridges that are not a libvirt network's own (for a host
 * bridge network): virConnectListAllInterfaces and each one's XML; the
 * node device list as fallback. result: GStrv (may be empty). */
void vd_network_bridges(struct vd_conn *c, vd_task_done_fn done, gpointer user);

/* Network lifecycle events while a view is open: changed runs on ctx (the
 * UI context), coalesced. A reconnect drops the registration: watch again
 * when the host is connected again. */
struct vd_net_watch;
struct vd_net_watch *vd_network_watch(struct vd_conn *c, GMainContext *ctx, void (*changed)(gpointer user),
                                      gpointer user);
/* Deregister (on the worker) and stop calling changed at once. */
void vd_network_unwatch(struct vd_conn *c, struct vd_net_watch *w);

/* "in 58 min", "expired" */
char *vd_net_lease_expiry_text(gint64 expiry, gint64 now);
