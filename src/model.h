/* virtdeck - immutable host snapshots published by connection workers
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A worker builds a new struct vd_host_snap after every refresh and swaps
 * it in; readers (the UI thread, --dump) take a reference and never see it
 * change. All strings in a snapshot are already sanitized for display. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "stats.h"

/* Same order and values as libvirt's virDomainState. */
enum vd_dom_state {
    VD_DOM_NOSTATE = 0,
    VD_DOM_RUNNING,
    VD_DOM_BLOCKED,
    VD_DOM_PAUSED,
    VD_DOM_SHUTDOWN,
    VD_DOM_SHUTOFF,
    VD_DOM_CRASHED,
    VD_DOM_PMSUSPENDED,
    VD_DOM_STATE_LAST
};

enum vd_host_state {
    VD_HOST_CONNECTING = 0,
    VD_HOST_CONNECTED,
    VD_HOST_NOT_RESPONDING,
    VD_HOST_DISCONNECTED,
    VD_HOST_STATE_LAST
};

struct vd_domain {
    char *name;               /* sanitized */
    char *collate_key;        /* g_utf8_collate_key(name): sort with strcmp */
    char uuid[37];
    int id;                   /* -1 when inactive */
    enum vd_dom_state state;
    int reason;
    unsigned int vcpus;       /* current */
    unsigned int max_vcpus;
    unsigned long long mem_kib;      /* current (balloon) */
    unsigned long long max_mem_kib;
    bool autostart;
    bool persistent;
    bool managed_save;        /* has a managed save image */
    bool container;           /* LXC (or other container driver) */
    struct vd_dom_rates rates;  /* from the last two samples; NAN unknown */
    char **addrs;             /* running: IP addresses (sanitized, IPv4 first), NULL-terminated; NULL none known */
};

/* Where the time of a refresh went, in microseconds (wall time on the
 * worker; for tests/bench/stats.sh and --dump --stats). */
struct vd_refresh_times {
    guint64 bulk_us;          /* the virConnectGetAllDomainStats calls */
    guint64 records_us;       /* turning their records into domains and counters */
    guint64 carry_us;         /* quick tick: stopped domains and list flags from the last snapshot */
    guint64 lists_us;         /* full refresh: the three list calls */
    guint64 node_lag_us;      /* host CPU and memory calls (a pool thread each): request to thread start */
    guint64 node_us;          /* from the request to the later answer (concurrent with the domain calls) */
    guint64 node_wait_us;     /* the worker waiting for them after its own calls */
    guint64 addrs_us;         /* guest addresses, when due (their own calls) */
    guint64 rates_us;         /* rate maths and list flags */
    guint64 sort_us;          /* sorting the domains */
    guint64 prev_publish_us;  /* the previous refresh: comparing and swapping in its snapshot */
    guint64 prev_history_us;  /* the previous refresh: its RRD history writes (every 10 s) */
};

struct vd_host_snap {
    char *uri;                /* as given by the user */
    char *hostname;           /* sanitized, may be NULL before first connect */
    char *driver;             /* "QEMU", "LXC", "TEST", ... may be NULL */
    enum vd_host_state state;
    char *error;              /* last libvirt error, sanitized, may be NULL */
    char *history_error;      /* writing the RRD history failed (first message), may be NULL */
    unsigned int cpus;
    unsigned long long mem_kib;
    unsigned long long free_kib;
    unsigned long libvirt_version;  /* 9000000 = 9.0.0, 0 unknown */
    GPtrArray *domains;       /* struct vd_domain *, sorted by name */
    struct vd_host_rates rates;  /* host CPU % and memory; NAN unknown */
    guint64 generation;       /* increases with every published snapshot */
    guint rpc_last_refresh;   /* RPC calls the last refresh made */
    bool last_refresh_full;   /* it was a full refresh (lists too), not a stats tick */
    guint64 refresh_us;       /* how long the last refresh took (calls and rates) */
    guint64 rpc_total;        /* RPC calls since start */
    guint rpc_last_addresses; /* calls of the last guest address refresh (src/net-addr.h) */
    struct vd_refresh_times times;  /* of the last refresh (refresh_us in parts) */
};

const char *vd_dom_state_name(enum vd_dom_state s);     /* translated */
const char *vd_dom_state_id(enum vd_dom_state s);       /* stable, untranslated: "running" */
const char *vd_host_state_name(enum vd_host_state s);   /* translated */
const char *vd_host_state_id(enum vd_host_state s);     /* "connected" */

bool vd_dom_is_active(const struct vd_domain *d);

/* Domains are reference counted so that a refresh can share the unchanged
 * ones with the previous snapshot. A domain in a published snapshot is
 * never modified: copy it to change it. */
struct vd_domain *vd_domain_new(void);
struct vd_domain *vd_domain_copy(const struct vd_domain *d);   /* deep, a new reference */
struct vd_domain *vd_domain_ref(const struct vd_domain *d);
void vd_domain_unref(struct vd_domain *d);

struct vd_host_snap *vd_host_snap_new(const char *uri);
/* Copy of the scalar fields sharing the (immutable) domains. */
struct vd_host_snap *vd_host_snap_copy(const struct vd_host_snap *s);
/* The same without the domains (an empty list). */
struct vd_host_snap *vd_host_snap_copy_host(const struct vd_host_snap *s);
struct vd_host_snap *vd_host_snap_ref(struct vd_host_snap *s);
void vd_host_snap_unref(struct vd_host_snap *s);
typedef struct vd_host_snap vd_host_snap;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(vd_host_snap, vd_host_snap_unref)

const struct vd_domain *vd_host_snap_find(const struct vd_host_snap *s, const char *uuid);
/* Display label: hostname when known, else the URI. */
const char *vd_host_snap_label(const struct vd_host_snap *s);
