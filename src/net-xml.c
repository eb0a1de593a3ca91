/* virtdeck - virtual network definitions: XML builder, parser, validators
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "i18n.h"
#include "net-xml.h"
#include "util.h"

static const char *const forward_ids[VD_NET_FORWARD_LAST] = {
    "nat", "route", "isolated", "open", "bridge", "other",
};
static const char *const forward_names[VD_NET_FORWARD_LAST] = {
    N_("NAT"), N_("routed"), N_("isolated"), N_("open"), N_("host bridge"), N_("other"),
};

const char *
vd_net_forward_id(enum vd_net_forward f)
{
    return (unsigned)f < VD_NET_FORWARD_LAST ? forward_ids[f] : "other";
}

const char *
vd_net_forward_name(enum vd_net_forward f)
{
    return (unsigned)f < VD_NET_FORWARD_LAST ? _(forward_names[f]) : _("other");
}

/* ---- addresses ------------------------------------------------------------ */

bool
vd_ip_parse(const char *text, struct vd_cidr *out)
{
    memset(out, 0, sizeof *out);
    if (!text || !*text)
        return false;
    if (inet_pton(AF_INET, text, out->a) == 1) {
        out->family = 4;
        out->prefix = 32;
        return true;
    }
    if (inet_pton(AF_INET6, text, out->a) == 1) {
        out->family = 6;
        out->prefix = 128;
        return true;
    }
    return false;
}

bool
vd_cidr_parse(const char *text, struct vd_cidr *out, char **err)
{
    g_autofree char *addr = NULL;
    const char *slash;
    char *end = NULL;
    guint64 p;

    slash = text ? strchr(text, '/') : NULL;
    if (!slash) {
        *err = g_strdup_printf(_("“%s” is not a subnet: write it as address/prefix, e.g. 192.168.150.0/24"),
                               text ? text : "");
        return false;
    }
    addr = g_strndup(text, slash - text);
    if (!vd_ip_parse(g_strstrip(addr), out)) {
        *err = g_strdup_printf(_("“%s” is not an IPv4 or IPv6 address"), addr);
        return false;
    }
    p = g_ascii_strtoull(slash + 1, &end, 10);
    if (!slash[1] || *end || p > (out->family == 4 ? 32u : 128u)) {
        *err = g_strdup_printf(_("“%s” is not a valid prefix length"), slash + 1);
        return false;
    }
    out->prefix = (guint)p;
    return true;
}

char *
vd_ip_format(const struct vd_cidr *c, bool with_prefix)
{
    char buf[INET6_ADDRSTRLEN];

    if (!inet_ntop(c->family == 4 ? AF_INET : AF_INET6, c->a, buf, sizeof buf))
        return g_strdup("?");
    return with_prefix ? g_strdup_printf("%s/%u", buf, c->prefix) : g_strdup(buf);
}

static guint
addr_bytes(const struct vd_cidr *c)
{
    return c->family == 4 ? 4 : 16;
}

static void
mask_bits(guint8 *a, guint n, guint prefix, bool set_host)
{
    for (guint i = 0; i < n; i++) {
        guint bits = prefix >= (i + 1) * 8 ? 8 : prefix > i * 8 ? prefix - i * 8 : 0;
        guint8 m = (guint8)(bits ? 0xff << (8 - bits) : 0);
        a[i] = set_host ? (guint8)(a[i] | ~m) : (guint8)(a[i] & m);
    }
}

void
vd_cidr_network(const struct vd_cidr *c, struct vd_cidr *net)
{
    *net = *c;
    mask_bits(net->a, addr_bytes(c), c->prefix, false);
}

static void
cidr_last(const struct vd_cidr *c, struct vd_cidr *last)
{
    *last = *c;
    mask_bits(last->a, addr_bytes(c), c->prefix, true);
}

int
vd_ip_cmp(const struct vd_cidr *a, const struct vd_cidr *b)
{
    int r = memcmp(a->a, b->a, addr_bytes(a));
    return r < 0 ? -1 : r > 0;
}

bool
vd_cidr_contains(const struct vd_cidr *net, const struct vd_cidr *ip)
{
    struct vd_cidr n1, n2;

    if (net->family != ip->family)
        return false;
    vd_cidr_network(net, &n1);
    n2 = *ip;
    n2.prefix = net->prefix;
    vd_cidr_network(&n2, &n2);
    return memcmp(n1.a, n2.a, addr_bytes(net)) == 0;
}

bool
vd_cidr_overlap(const struct vd_cidr *a, const struct vd_cidr *b)
{
    /* two prefixes overlap when the shorter one contains the other */
    if (a->family != b->family)
        return false;
    return a->prefix <= b->prefix ? vd_cidr_contains(a, b) : vd_cidr_contains(b, a);
}

static void
ip_add(struct vd_cidr *c, guint v)
{
    for (int i = (int)addr_bytes(c) - 1; i >= 0 && v; i--) {
        guint s = c->a[i] + (v & 0xff);
        c->a[i] = (guint8)s;
        v = (v >> 8) + (s >> 8);
    }
}

static void
ip_sub1(struct vd_cidr *c)
{
    for (int i = (int)addr_bytes(c) - 1; i >= 0; i--)
        if (c->a[i]-- != 0)
            break;
}

bool
vd_mac_valid(const char *mac)
{
    if (!mac || strlen(mac) != 17)
        return false;
    for (int i = 0; i < 17; i++) {
        if (i % 3 == 2 ? mac[i] != ':' : !g_ascii_isxdigit(mac[i]))
            return false;
    }
    /* unicast: the lowest bit of the first octet clear */
    return (g_ascii_xdigit_value(mac[1]) & 1) == 0;
}

char *
vd_mac_normalize(const char *mac)
{
    return vd_mac_valid(mac) ? g_ascii_strdown(mac, -1) : NULL;
}

bool
vd_dns_name_valid(const char *name)
{
    gsize len = name ? strlen(name) : 0, label = 0;

    if (!len || len > 253 || name[0] == '.' || name[len - 1] == '.')
        return false;
    for (gsize i = 0; i < len; i++) {
        char ch = name[i];
        if (ch == '.') {
            if (!label || name[i - 1] == '-')
                return false;
            label = 0;
            continue;
        }
        if (!g_ascii_isalnum(ch) && ch != '-')
            return false;
        if (ch == '-' && label == 0)
            return false;
        if (++label > 63)
            return false;
    }
    return name[len - 1] != '-';
}

bool
vd_net_name_valid(const char *name)
{
    gsize len = name ? strlen(name) : 0;

    if (!len || len > 64 || name[0] == '.' || name[0] == '-')
        return false;
    for (gsize i = 0; i < len; i++)
        if (!g_ascii_isalnum(name[i]) && !strchr("._-", name[i]))
            return false;
    return true;
}

/* ---- definitions --------------------------------------------------------- */

struct vd_net_host *
vd_net_host_new(const char *mac, const char *name, const char *ip)
{
    struct vd_net_host *h = g_new0(struct vd_net_host, 1);

    h->mac = mac && *mac ? g_strdup(mac) : NULL;
    h->name = name && *name ? g_strdup(name) : NULL;
    h->ip = ip && *ip ? g_strdup(ip) : NULL;
    return h;
}

void
vd_net_host_free(struct vd_net_host *h)
{
    if (!h)
        return;
    g_free(h->mac);
    g_free(h->name);
    g_free(h->ip);
    g_free(h);
}

static void
subnet_init(struct vd_net_subnet *v)
{
    memset(v, 0, sizeof *v);
    v->hosts = g_ptr_array_new_with_free_func((GDestroyNotify)vd_net_host_free);
}

static void
subnet_clear(struct vd_net_subnet *v)
{
    g_free(v->address);
    g_free(v->dhcp_start);
    g_free(v->dhcp_end);
    if (v->hosts)
        g_ptr_array_unref(v->hosts);
    memset(v, 0, sizeof *v);
}

static void
subnet_copy(struct vd_net_subnet *dst, const struct vd_net_subnet *src)
{
    subnet_init(dst);
    dst->set = src->set;
    dst->address = g_strdup(src->address);
    dst->prefix = src->prefix;
    dst->dhcp_start = g_strdup(src->dhcp_start);
    dst->dhcp_end = g_strdup(src->dhcp_end);
    for (guint i = 0; src->hosts && i < src->hosts->len; i++) {
        const struct vd_net_host *h = src->hosts->pdata[i];
        g_ptr_array_add(dst->hosts, vd_net_host_new(h->mac, h->name, h->ip));
    }
}

struct vd_net_def *
vd_net_def_new(void)
{
    struct vd_net_def *d = g_new0(struct vd_net_def, 1);

    subnet_init(&d->v4);
    subnet_init(&d->v6);
    return d;
}

void
vd_net_def_free(struct vd_net_def *d)
{
    if (!d)
        return;
    g_free(d->name);
    g_free(d->uuid);
    g_free(d->forward_mode);
    g_free(d->forward_dev);
    g_free(d->bridge);
    g_free(d->domain);
    subnet_clear(&d->v4);
    subnet_clear(&d->v6);
    g_free(d);
}

struct vd_net_def *
vd_net_def_copy(const struct vd_net_def *s)
{
    struct vd_net_def *d = g_new0(struct vd_net_def, 1);

    d->name = g_strdup(s->name);
    d->uuid = g_strdup(s->uuid);
    d->forward = s->forward;
    d->forward_mode = g_strdup(s->forward_mode);
    d->forward_dev = g_strdup(s->forward_dev);
    d->bridge = g_strdup(s->bridge);
    d->domain = g_strdup(s->domain);
    subnet_copy(&d->v4, &s->v4);
    subnet_copy(&d->v6, &s->v6);
    return d;
}

bool
vd_net_subnet_from_cidr(struct vd_net_subnet *v, int family, const char *cidr, bool dhcp, char **err)
{
    struct vd_cidr c, net, last, host, start, end;
    guint bits;

    if (!vd_cidr_parse(cidr, &c, err))
        return false;
    if (c.family != family) {
        *err = g_strdup_printf(family == 4 ? _("“%s” is not an IPv4 subnet") : _("“%s” is not an IPv6 subnet"),
                               cidr);
        return false;
    }
    bits = (family == 4 ? 32 : 128) - c.prefix;
    if (family == 4 && (c.prefix < 8 || c.prefix > 30)) {
        *err = g_strdup_printf(_("IPv4 prefix /%u: use /8 to /30 (room for the host and guests)"), c.prefix);
        return false;
    }
    if (family == 6 && (c.prefix < 48 || c.prefix > 120)) {
        *err = g_strdup_printf(_("IPv6 prefix /%u: use /48 to /120 (libvirt's DHCPv6 wants /64)"), c.prefix);
        return false;
    }
    vd_cidr_network(&c, &net);
    cidr_last(&c, &last);
    host = c;
    if (vd_ip_cmp(&c, &net) == 0)
        ip_add(&host, 1);
    if (vd_ip_cmp(&host, &last) == 0 && family == 4) {
        *err = g_strdup_printf(_("%s is the broadcast address of the subnet"), cidr);
        return false;
    }
    g_free(v->address);
    g_clear_pointer(&v->dhcp_start, g_free);
    g_clear_pointer(&v->dhcp_end, g_free);
    v->set = true;
    v->address = vd_ip_format(&host, false);
    v->prefix = c.prefix;
    if (!dhcp)
        return true;
    /* the rest of the subnet after the host (IPv4) or ::100-::1ff (IPv6) */
    if (family == 4) {
        start = host;
        ip_add(&start, 1);
        end = last;
        ip_sub1(&end);
        if (vd_ip_cmp(&start, &host) <= 0 || vd_ip_cmp(&start, &end) > 0) {
            start = net;
            ip_add(&start, 1);
        }
    } else {
        start = net;
        ip_add(&start, bits >= 9 ? 0x100 : 2);
        end = start;
        ip_add(&end, bits >= 9 ? 0xff : (1u << bits) - 3);
    }
    v->dhcp_start = vd_ip_format(&start, false);
    v->dhcp_end = vd_ip_format(&end, false);
    return true;
}

char *
vd_net_subnet_cidr(const struct vd_net_subnet *v)
{
    struct vd_cidr c;

    if (!v->set || !vd_ip_parse(v->address, &c))
        return NULL;
    c.prefix = v->prefix;
    vd_cidr_network(&c, &c);
    return vd_ip_format(&c, true);
}

/* The subnet as a CIDR with the host address; false when unset or broken. */
static bool
subnet_cidr(const struct vd_net_subnet *v, struct vd_cidr *c)
{
    if (!v->set || !vd_ip_parse(v->address, c))
        return false;
    c->prefix = v->prefix;
    return true;
}

static bool
check_subnet(const struct vd_net_subnet *v, int family, char **err)
{
    struct vd_cidr c, net, last, s, e;

    if (!v->set)
        return true;
    if (!vd_ip_parse(v->address, &c) || c.family != family ||
        v->prefix > (family == 4 ? 30u : 128u) || v->prefix < 8) {
        *err = g_strdup_printf(_("The subnet %1$s/%2$u is not valid"), v->address ? v->address : "", v->prefix);
        return false;
    }
    c.prefix = v->prefix;
    vd_cidr_network(&c, &net);
    cidr_last(&c, &last);
    if (vd_ip_cmp(&c, &net) == 0 || (family == 4 && vd_ip_cmp(&c, &last) == 0)) {
        *err = g_strdup_printf(_("The host address %s cannot be the network or broadcast address"), v->address);
        return false;
    }
    if (!v->dhcp_start && !v->dhcp_end)
        return true;
    if (!vd_ip_parse(v->dhcp_start, &s) || !vd_ip_parse(v->dhcp_end, &e) || s.family != family ||
        e.family != family) {
        *err = g_strdup_printf(_("The DHCP range %1$s - %2$s is not two addresses"),
                               v->dhcp_start ? v->dhcp_start : "", v->dhcp_end ? v->dhcp_end : "");
        return false;
    }
    if (!vd_cidr_contains(&c, &s) || !vd_cidr_contains(&c, &e)) {
        g_autofree char *cidr = vd_net_subnet_cidr(v);
        *err = g_strdup_printf(_("The DHCP range %1$s - %2$s is not inside the subnet %3$s"), v->dhcp_start,
                               v->dhcp_end, cidr);
        return false;
    }
    if (vd_ip_cmp(&s, &e) > 0) {
        *err = g_strdup_printf(_("The DHCP range starts after it ends (%1$s - %2$s)"), v->dhcp_start, v->dhcp_end);
        return false;
    }
    if (vd_ip_cmp(&s, &net) == 0 || (family == 4 && vd_ip_cmp(&e, &last) == 0)) {
        *err = g_strdup(_("The DHCP range cannot include the network or broadcast address"));
        return false;
    }
    if (vd_ip_cmp(&s, &c) <= 0 && vd_ip_cmp(&c, &e) <= 0) {
        *err = g_strdup_printf(_("The DHCP range %1$s - %2$s includes the host address %3$s"), v->dhcp_start,
                               v->dhcp_end, v->address);
        return false;
    }
    return true;
}

static bool
check_overlap(const struct vd_net_def *d, const GPtrArray *others, char **err)
{
    for (guint i = 0; others && i < others->len; i++) {
        const struct vd_net_def *o = others->pdata[i];
        const struct vd_net_subnet *mine[2] = { &d->v4, &d->v6 }, *theirs[2] = { &o->v4, &o->v6 };

        if (!o->name || (d->name && strcmp(o->name, d->name) == 0))
            continue;
        for (int k = 0; k < 2; k++) {
            struct vd_cidr a, b;
            if (subnet_cidr(mine[k], &a) && subnet_cidr(theirs[k], &b) && vd_cidr_overlap(&a, &b)) {
                g_autofree char *ca = vd_net_subnet_cidr(mine[k]);
                g_autofree char *cb = vd_net_subnet_cidr(theirs[k]);
                *err = g_strdup_printf(_("The subnet %1$s overlaps %2$s of the network %3$s"), ca, cb, o->name);
                return false;
            }
        }
    }
    return true;
}

bool
vd_net_def_validate(const struct vd_net_def *d, const GPtrArray *others, char **err)
{
    if (!vd_net_name_valid(d->name)) {
        *err = g_strdup_printf(_("“%s” is not a valid network name: use letters, digits, '.', '_' and '-'"),
                               d->name ? d->name : "");
        return false;
    }
    if (d->forward == VD_NET_OTHER || (unsigned)d->forward >= VD_NET_FORWARD_LAST) {
        *err = g_strdup(_("Choose NAT, routed, isolated, open or host bridge"));
        return false;
    }
    if (d->bridge && *d->bridge && (strlen(d->bridge) > 15 || !vd_net_name_valid(d->bridge))) {
        *err = g_strdup_printf(_("“%s” is not a valid bridge name (at most 15 letters, digits, '.', '_', '-')"),
                               d->bridge);
        return false;
    }
    if (d->forward == VD_NET_BRIDGE) {
        if (!d->bridge || !*d->bridge) {
            *err = g_strdup(_("A host bridge network needs the name of an existing bridge on the host"));
            return false;
        }
        if (d->v4.set || d->v6.set || (d->domain && *d->domain)) {
            *err = g_strdup(_("A host bridge network has no subnet, DHCP or DNS of its own: the LAN provides them"));
            return false;
        }
        return true;
    }
    if (d->forward_dev && *d->forward_dev && !vd_net_name_valid(d->forward_dev)) {
        *err = g_strdup_printf(_("“%s” is not a valid device name"), d->forward_dev);
        return false;
    }
    if ((d->forward == VD_NET_NAT || d->forward == VD_NET_ROUTE) && !d->v4.set && !d->v6.set) {
        *err = g_strdup(_("A NAT or routed network needs a subnet"));
        return false;
    }
    if (d->forward == VD_NET_NAT && !d->v4.set) {
        *err = g_strdup(_("NAT needs an IPv4 subnet"));
        return false;
    }
    if (d->domain && *d->domain && !vd_dns_name_valid(d->domain)) {
        *err = g_strdup_printf(_("“%s” is not a valid DNS domain"), d->domain);
        return false;
    }
    if (!check_subnet(&d->v4, 4, err) || !check_subnet(&d->v6, 6, err))
        return false;
    for (guint i = 0; i < d->v4.hosts->len; i++) {
        const struct vd_net_host *h = d->v4.hosts->pdata[i];
        if (!vd_net_host_validate(d, h, h->mac, err))
            return false;
    }
    return check_overlap(d, others, err);
}

/* ---- XML out ------------------------------------------------------------- */

static void
attr(GString *s, const char *name, const char *value)
{
    g_autofree char *e = g_markup_escape_text(value, -1);
    g_string_append_printf(s, " %s='%s'", name, e);
}

static void
host_xml(GString *s, const struct vd_net_host *h)
{
    g_string_append(s, "<host");
    if (h->mac)
        attr(s, "mac", h->mac);
    if (h->name)
        attr(s, "name", h->name);
    if (h->ip)
        attr(s, "ip", h->ip);
    g_string_append(s, "/>");
}

char *
vd_net_host_xml(const struct vd_net_host *h)
{
    GString *s = g_string_new(NULL);
    host_xml(s, h);
    return g_string_free(s, FALSE);
}

static void
subnet_xml(GString *s, const struct vd_net_subnet *v, int family)
{
    g_autofree char *prefix = g_strdup_printf("%u", v->prefix);

    if (!v->set)
        return;
    g_string_append(s, "  <ip");
    if (family == 6)
        attr(s, "family", "ipv6");
    attr(s, "address", v->address);
    attr(s, "prefix", prefix);
    if (!v->dhcp_start && (!v->hosts || !v->hosts->len)) {
        g_string_append(s, "/>\n");
        return;
    }
    g_string_append(s, ">\n    <dhcp>\n");
    if (v->dhcp_start) {
        g_string_append(s, "      <range");
        attr(s, "start", v->dhcp_start);
        attr(s, "end", v->dhcp_end);
        g_string_append(s, "/>\n");
    }
    for (guint i = 0; v->hosts && i < v->hosts->len; i++) {
        g_string_append(s, "      ");
        host_xml(s, v->hosts->pdata[i]);
        g_string_append(s, "\n");
    }
    g_string_append(s, "    </dhcp>\n  </ip>\n");
}

char *
vd_net_def_xml(const struct vd_net_def *d)
{
    GString *s = g_string_new("<network>\n  <name>");
    g_autofree char *name = g_markup_escape_text(d->name ? d->name : "", -1);

    g_string_append_printf(s, "%s</name>\n", name);
    if (d->uuid && *d->uuid) {
        g_autofree char *u = g_markup_escape_text(d->uuid, -1);
        g_string_append_printf(s, "  <uuid>%s</uuid>\n", u);
    }
    if (d->forward != VD_NET_ISOLATED) {
        g_string_append(s, "  <forward");
        attr(s, "mode", d->forward == VD_NET_OTHER && d->forward_mode ? d->forward_mode
                                                                       : vd_net_forward_id(d->forward));
        if (d->forward_dev && *d->forward_dev && (d->forward == VD_NET_NAT || d->forward == VD_NET_ROUTE))
            attr(s, "dev", d->forward_dev);
        g_string_append(s, "/>\n");
    }
    if (d->forward == VD_NET_BRIDGE) {
        g_string_append(s, "  <bridge");
        attr(s, "name", d->bridge ? d->bridge : "");
        g_string_append(s, "/>\n");
        g_string_append(s, "</network>\n");
        return g_string_free(s, FALSE);
    }
    g_string_append(s, "  <bridge");
    if (d->bridge && *d->bridge)
        attr(s, "name", d->bridge);
    g_string_append(s, " stp='on' delay='0'/>\n");
    if (d->domain && *d->domain) {
        g_string_append(s, "  <domain");
        attr(s, "name", d->domain);
        attr(s, "localOnly", "yes");
        g_string_append(s, "/>\n");
    }
    subnet_xml(s, &d->v4, 4);
    subnet_xml(s, &d->v6, 6);
    g_string_append(s, "</network>\n");
    return g_string_free(s, FALSE);
}

/* ---- XML in -------------------------------------------------------------- */

static char *
prop(xmlNodePtr n, const char *name)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    char *r = v ? vd_sanitize((const char *)v) : NULL;
    xmlFree(v);
    return r;
}

static xmlNodePtr
child(xmlNodePtr n, const char *name)
{
    for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
            return c;
    return NULL;
}

static char *
text_of(xmlNodePtr n)
{
    xmlChar *v = n ? xmlNodeGetContent(n) : NULL;
    char *r = v ? vd_sanitize((const char *)v) : NULL;
    xmlFree(v);
    return r;
}

static void
parse_ip(xmlNodePtr ip, struct vd_net_def *d)
{
    g_autofree char *family = prop(ip, "family");
    g_autofree char *address = prop(ip, "address");
    g_autofree char *prefix = prop(ip, "prefix");
    g_autofree char *netmask = prop(ip, "netmask");
    struct vd_cidr c;
    struct vd_net_subnet *v;
    xmlNodePtr dhcp, range;

    if (!address || !vd_ip_parse(address, &c))
        return;
    v = c.family == 6 ? &d->v6 : &d->v4;
    if (v->set)                 /* only the first subnet of each family */
        return;
    v->set = true;
    v->address = g_steal_pointer(&address);
    if (prefix) {
        v->prefix = (guint)g_ascii_strtoull(prefix, NULL, 10);
    } else if (netmask) {
        struct vd_cidr m;
        guint bits = 0;
        if (vd_ip_parse(netmask, &m) && m.family == 4)
            for (int i = 0; i < 4; i++)
                for (int b = 7; b >= 0; b--)
                    bits += (m.a[i] >> b) & 1;
        v->prefix = bits;
    } else {
        v->prefix = c.family == 4 ? 24 : 64;
    }
    (void)family;
    dhcp = child(ip, "dhcp");
    range = child(dhcp, "range");
    if (range) {
        v->dhcp_start = prop(range, "start");
        v->dhcp_end = prop(range, "end");
    }
    for (xmlNodePtr h = dhcp ? dhcp->children : NULL; h; h = h->next) {
        g_autofree char *mac = NULL, *name = NULL, *hip = NULL;
        if (h->type != XML_ELEMENT_NODE || strcmp((const char *)h->name, "host") != 0)
            continue;
        mac = prop(h, "mac");
        name = prop(h, "name");
        hip = prop(h, "ip");
        g_ptr_array_add(v->hosts, vd_net_host_new(mac, name, hip));
    }
}

struct vd_net_def *
vd_net_def_parse(const char *xml, char **err)
{
    xmlDocPtr doc;
    xmlNodePtr root, fw, br, dom;
    struct vd_net_def *d;
    g_autofree char *mode = NULL;

    doc = xml ? xmlReadMemory(xml, (int)strlen(xml), "network.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
                                                                                 XML_PARSE_NOWARNING)
              : NULL;
    root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root || strcmp((const char *)root->name, "network") != 0) {
        *err = g_strdup(_("The network XML could not be read"));
        xmlFreeDoc(doc);
        return NULL;
    }
    d = vd_net_def_new();
    d->name = text_of(child(root, "name"));
    d->uuid = text_of(child(root, "uuid"));
    fw = child(root, "forward");
    mode = fw ? prop(fw, "mode") : NULL;
    if (!fw)
        d->forward = VD_NET_ISOLATED;
    else if (!mode || strcmp(mode, "nat") == 0)
        d->forward = VD_NET_NAT;          /* <forward/> without mode is NAT */
    else if (strcmp(mode, "route") == 0)
        d->forward = VD_NET_ROUTE;
    else if (strcmp(mode, "open") == 0)
        d->forward = VD_NET_OPEN;
    else if (strcmp(mode, "bridge") == 0)
        d->forward = VD_NET_BRIDGE;
    else
        d->forward = VD_NET_OTHER;
    d->forward_mode = g_steal_pointer(&mode);
    if (fw)
        d->forward_dev = prop(fw, "dev");
    br = child(root, "bridge");
    if (br)
        d->bridge = prop(br, "name");
    dom = child(root, "domain");
    if (dom)
        d->domain = prop(dom, "name");
    for (xmlNodePtr c = root->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "ip") == 0)
            parse_ip(c, d);
    xmlFreeDoc(doc);
    return d;
}

/* ---- static hosts -------------------------------------------------------- */

bool
vd_net_host_validate(const struct vd_net_def *d, const struct vd_net_host *h, const char *old_mac, char **err)
{
    struct vd_cidr sub, ip, net, last;

    if (!subnet_cidr(&d->v4, &sub)) {
        *err = g_strdup_printf(_("The network %s has no IPv4 subnet for static hosts"), d->name ? d->name : "");
        return false;
    }
    if (!vd_mac_valid(h->mac)) {
        *err = g_strdup_printf(_("“%s” is not a MAC address like 52:54:00:12:34:56 (unicast)"),
                               h->mac ? h->mac : "");
        return false;
    }
    if (h->name && *h->name && !vd_dns_name_valid(h->name)) {
        *err = g_strdup_printf(_("“%s” is not a valid host name"), h->name);
        return false;
    }
    if (!vd_ip_parse(h->ip, &ip) || ip.family != 4) {
        *err = g_strdup_printf(_("“%s” is not an IPv4 address"), h->ip ? h->ip : "");
        return false;
    }
    vd_cidr_network(&sub, &net);
    cidr_last(&sub, &last);
    if (!vd_cidr_contains(&sub, &ip)) {
        g_autofree char *cidr = vd_net_subnet_cidr(&d->v4);
        *err = g_strdup_printf(_("%1$s is not inside the subnet %2$s"), h->ip, cidr);
        return false;
    }
    if (vd_ip_cmp(&ip, &net) == 0 || vd_ip_cmp(&ip, &last) == 0 || vd_ip_cmp(&ip, &sub) == 0) {
        *err = g_strdup_printf(_("%s is the network, broadcast or host address"), h->ip);
        return false;
    }
    for (guint i = 0; i < d->v4.hosts->len; i++) {
        const struct vd_net_host *o = d->v4.hosts->pdata[i];
        struct vd_cidr oip;

        if (old_mac && o->mac && g_ascii_strcasecmp(o->mac, old_mac) == 0)
            continue;
        if (o->mac && g_ascii_strcasecmp(o->mac, h->mac) == 0) {
            *err = g_strdup_printf(_("The MAC address %s already has a static host"), h->mac);
            return false;
        }
        if (o->ip && vd_ip_parse(o->ip, &oip) && vd_ip_cmp(&oip, &ip) == 0 && oip.family == 4) {
            *err = g_strdup_printf(_("%1$s is already given to %2$s"), h->ip, o->mac ? o->mac : o->name);
            return false;
        }
        if (h->name && *h->name && o->name && g_ascii_strcasecmp(o->name, h->name) == 0) {
            *err = g_strdup_printf(_("The host name %s is already used"), h->name);
            return false;
        }
    }
    return true;
}
