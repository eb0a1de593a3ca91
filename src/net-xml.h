/* virtdeck - virtual network definitions: XML builder, parser, validators
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Pure functions (no libvirt, no I/O): the networks view builds a
 * struct vd_net_def from its form, validates it against the host's other
 * networks and turns it into libvirt network XML; the network module parses
 * libvirt's XML back into the same structure. Messages are translated. */
#pragma once

#include <glib.h>
#include <stdbool.h>

/* <forward mode=...>: isolated has no <forward> element. */
enum vd_net_forward {
    VD_NET_NAT = 0,
    VD_NET_ROUTE,
    VD_NET_ISOLATED,
    VD_NET_OPEN,
    VD_NET_BRIDGE,          /* a host bridge (<forward mode='bridge'/><bridge name='br0'/>) */
    VD_NET_OTHER,           /* passthrough, private, vepa, hostdev...: shown, not created */
    VD_NET_FORWARD_LAST
};

const char *vd_net_forward_id(enum vd_net_forward f);     /* "nat", "route", ... */
const char *vd_net_forward_name(enum vd_net_forward f);   /* translated */

/* An address with a prefix length (a single address has the full length). */
struct vd_cidr {
    int family;             /* 4 or 6 */
    guint8 a[16];
    guint prefix;
};

/* "192.168.10.1" (prefix 32/128). */
bool vd_ip_parse(const char *text, struct vd_cidr *out);
/* "192.168.10.0/24", "fd00:1::/64". *err (translated) on failure. */
bool vd_cidr_parse(const char *text, struct vd_cidr *out, char **err);
/* Address only ("192.168.10.1"), or with "/prefix". */
char *vd_ip_format(const struct vd_cidr *c, bool with_prefix);
/* The network address (host bits cleared). */
void vd_cidr_network(const struct vd_cidr *c, struct vd_cidr *net);
bool vd_cidr_contains(const struct vd_cidr *net, const struct vd_cidr *ip);
bool vd_cidr_overlap(const struct vd_cidr *a, const struct vd_cidr *b);
/* -1, 0, 1 comparing addresses of the same family. */
int vd_ip_cmp(const struct vd_cidr *a, const struct vd_cidr *b);

/* "52:54:00:ab:cd:ef": six hex pairs separated by ':', unicast. */
bool vd_mac_valid(const char *mac);
/* Lower case copy of a valid MAC, NULL if invalid. */
char *vd_mac_normalize(const char *mac);
/* A DNS name: labels of letters, digits and '-', dots between. */
bool vd_dns_name_valid(const char *name);
/* A libvirt object name we accept: letters, digits, '.', '_', '-'. */
bool vd_net_name_valid(const char *name);

struct vd_net_host {
    char *mac;              /* may be NULL (IPv6 hosts use id/name) */
    char *name;             /* may be NULL */
    char *ip;
};

struct vd_net_subnet {
    bool set;
    char *address;          /* the host's address on the network ("192.168.100.1") */
    guint prefix;
    char *dhcp_start;       /* NULL: no DHCP */
    char *dhcp_end;
    GPtrArray *hosts;       /* struct vd_net_host * (DHCP static hosts) */
};

struct vd_net_def {
    char *name;
    char *uuid;             /* may be NULL */
    enum vd_net_forward forward;
    char *forward_mode;     /* the raw mode for VD_NET_OTHER */
    char *forward_dev;      /* nat/route: outgoing device, may be NULL */
    char *bridge;           /* bridge device name, may be NULL (libvirt picks virbrN) */
    char *domain;           /* DNS domain, may be NULL */
    struct vd_net_subnet v4, v6;
};

struct vd_net_def *vd_net_def_new(void);
void vd_net_def_free(struct vd_net_def *d);
struct vd_net_def *vd_net_def_copy(const struct vd_net_def *d);
typedef struct vd_net_def vd_net_def;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(vd_net_def, vd_net_def_free)

struct vd_net_host *vd_net_host_new(const char *mac, const char *name, const char *ip);
void vd_net_host_free(struct vd_net_host *h);

/* Fill v (address, prefix, default DHCP range) from "192.168.150.0/24" or
 * "192.168.150.1/24": a network address gives the host .1; the range is the
 * rest of the subnet (for IPv6: ::100 to ::1ff). family 4 or 6. */
bool vd_net_subnet_from_cidr(struct vd_net_subnet *v, int family, const char *cidr, bool dhcp,
                             char **err);
/* "192.168.150.0/24" of a subnet, NULL when unset. */
char *vd_net_subnet_cidr(const struct vd_net_subnet *v);

/* Everything libvirt would refuse or that would break the host: name,
 * mode-specific fields, subnets (prefix, host address), DHCP range inside
 * the subnet, static hosts, and overlap with others (struct vd_net_def *,
 * the host's other networks; a network of the same name is skipped). */
bool vd_net_def_validate(const struct vd_net_def *d, const GPtrArray *others, char **err);

/* libvirt network XML (validate first). */
char *vd_net_def_xml(const struct vd_net_def *d);
/* Parse libvirt's network XML (sanitizes every string). NULL and *err on failure. */
struct vd_net_def *vd_net_def_parse(const char *xml, char **err);

/* The <host .../> element for virNetworkUpdate. */
char *vd_net_host_xml(const struct vd_net_host *h);
/* A static host for the IPv4 subnet of d: MAC format, IP inside the subnet
 * and not the network, broadcast or host address, and MAC, IP and name not
 * used by another entry. old_mac: the entry being changed (skipped), or NULL. */
bool vd_net_host_validate(const struct vd_net_def *d, const struct vd_net_host *h, const char *old_mac,
                          char **err);
