/* SPDX-License-Identifier: GPL-2.0-or-later
 * Network XML (every forward mode, parsed back field by field and checked
 * with virt-xml-validate when it is installed) and the validators. */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <glib/gstdio.h>

#include "net-xml.h"

/* ---- helpers ------------------------------------------------------------- */

static struct vd_net_def *
make_def(const char *name, enum vd_net_forward fwd, const char *v4, const char *v6)
{
    struct vd_net_def *d = vd_net_def_new();
    g_autofree char *err = NULL;

    d->name = g_strdup(name);
    d->forward = fwd;
    if (v4)
        g_assert_true(vd_net_subnet_from_cidr(&d->v4, 4, v4, true, &err));
    if (v6)
        g_assert_true(vd_net_subnet_from_cidr(&d->v6, 6, v6, true, &err));
    return d;
}

static bool
valid(const struct vd_net_def *d, const GPtrArray *others, char **msg)
{
    g_autofree char *err = NULL;
    bool ok = vd_net_def_validate(d, others, &err);

    if (msg)
        *msg = g_steal_pointer(&err);
    return ok;
}

/* virt-xml-validate FILE network, when the tool is there. */
static void
schema_check(const char *xml)
{
    g_autofree char *tool = g_find_program_in_path("virt-xml-validate");
    g_autofree char *path = NULL;
    g_autofree char *out = NULL, *errout = NULL;
    g_autoptr(GError) error = NULL;
    int fd, status = -1;

    if (!tool)
        return;
    fd = g_file_open_tmp("vdn-XXXXXX.xml", &path, &error);
    g_assert_no_error(error);
    g_assert_true(write(fd, xml, strlen(xml)) == (ssize_t)strlen(xml));
    close(fd);
    {
        const char *argv[] = { tool, path, "network", NULL };
        g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &errout, &status,
                                   &error));
    }
    g_unlink(path);
    if (!g_spawn_check_wait_status(status, NULL))
        g_error("virt-xml-validate refused:\n%s\n%s%s", xml, out, errout);
}

static struct vd_net_def *
round_trip(const struct vd_net_def *d)
{
    g_autofree char *xml = vd_net_def_xml(d);
    g_autofree char *err = NULL;
    struct vd_net_def *p;

    schema_check(xml);
    p = vd_net_def_parse(xml, &err);
    g_assert_nonnull(p);
    g_assert_null(err);
    g_assert_cmpstr(p->name, ==, d->name);
    g_assert_cmpint(p->forward, ==, d->forward);
    return p;
}

static void
assert_subnet(const struct vd_net_subnet *s, const char *addr, guint prefix, const char *start, const char *end)
{
    g_assert_true(s->set);
    g_assert_cmpstr(s->address, ==, addr);
    g_assert_cmpuint(s->prefix, ==, prefix);
    g_assert_cmpstr(s->dhcp_start, ==, start);
    g_assert_cmpstr(s->dhcp_end, ==, end);
}

/* ---- every forward mode ---------------------------------------------------- */

static void
test_nat(void)
{
    g_autoptr(vd_net_def) d = make_def("vdnnat", VD_NET_NAT, "192.168.150.0/24", NULL);
    g_autoptr(vd_net_def) p = NULL;

    d->domain = g_strdup("lab.example");
    d->forward_dev = g_strdup("eth0");
    g_ptr_array_add(d->v4.hosts, vd_net_host_new("52:54:00:00:00:01", "web", "192.168.150.10"));
    g_assert_true(valid(d, NULL, NULL));
    p = round_trip(d);
    assert_subnet(&p->v4, "192.168.150.1", 24, "192.168.150.2", "192.168.150.254");
    g_assert_false(p->v6.set);
    g_assert_cmpstr(p->domain, ==, "lab.example");
    g_assert_cmpstr(p->forward_dev, ==, "eth0");
    g_assert_null(p->bridge);
    g_assert_cmpuint(p->v4.hosts->len, ==, 1);
    {
        const struct vd_net_host *h = p->v4.hosts->pdata[0];
        g_assert_cmpstr(h->mac, ==, "52:54:00:00:00:01");
        g_assert_cmpstr(h->name, ==, "web");
        g_assert_cmpstr(h->ip, ==, "192.168.150.10");
    }
}

static void
test_routed(void)
{
    g_autoptr(vd_net_def) d = make_def("vdnroute", VD_NET_ROUTE, "10.77.0.1/16", "fd00:77::/64");
    g_autoptr(vd_net_def) p = NULL;

    g_assert_true(valid(d, NULL, NULL));
    p = round_trip(d);
    /* a host address in the CIDR is kept as the host's */
    assert_subnet(&p->v4, "10.77.0.1", 16, "10.77.0.2", "10.77.255.254");
    assert_subnet(&p->v6, "fd00:77::1", 64, "fd00:77::100", "fd00:77::1ff");
}

static void
test_isolated(void)
{
    g_autoptr(vd_net_def) d = make_def("vdnnet1", VD_NET_ISOLATED, "192.168.231.0/28", NULL);
    g_autoptr(vd_net_def) p = NULL;
    g_autofree char *xml = vd_net_def_xml(d);

    g_assert_null(strstr(xml, "<forward"));
    d->bridge = g_strdup("vdnbr7");
    g_assert_true(valid(d, NULL, NULL));
    p = round_trip(d);
    assert_subnet(&p->v4, "192.168.231.1", 28, "192.168.231.2", "192.168.231.14");
    g_assert_cmpstr(p->bridge, ==, "vdnbr7");

    /* isolated without any subnet is allowed (L2 only) */
    {
        g_autoptr(vd_net_def) l2 = make_def("vdnl2", VD_NET_ISOLATED, NULL, NULL);
        g_autoptr(vd_net_def) q = NULL;
        g_assert_true(valid(l2, NULL, NULL));
        q = round_trip(l2);
        g_assert_false(q->v4.set);
    }
}

static void
test_open(void)
{
    g_autoptr(vd_net_def) d = make_def("vdnopen", VD_NET_OPEN, "172.20.5.0/24", NULL);
    g_autoptr(vd_net_def) p = NULL;
    g_autofree char *xml = vd_net_def_xml(d);

    g_assert_nonnull(strstr(xml, "<forward mode='open'/>"));
    g_assert_true(valid(d, NULL, NULL));
    p = round_trip(d);
    assert_subnet(&p->v4, "172.20.5.1", 24, "172.20.5.2", "172.20.5.254");
}

static void
test_bridge(void)
{
    g_autoptr(vd_net_def) d = make_def("vdnlan", VD_NET_BRIDGE, NULL, NULL);
    g_autoptr(vd_net_def) p = NULL;
    g_autofree char *err = NULL;
    g_autofree char *xml = NULL;

    g_assert_false(valid(d, NULL, &err));         /* needs the bridge */
    g_assert_nonnull(strstr(err, "bridge"));
    d->bridge = g_strdup("br0");
    g_assert_true(valid(d, NULL, NULL));
    xml = vd_net_def_xml(d);
    g_assert_nonnull(strstr(xml, "<forward mode='bridge'/>"));
    g_assert_null(strstr(xml, "<ip"));
    p = round_trip(d);
    g_assert_cmpstr(p->bridge, ==, "br0");
    g_assert_false(p->v4.set);
    /* no subnet of its own */
    g_clear_pointer(&err, g_free);
    g_assert_true(vd_net_subnet_from_cidr(&d->v4, 4, "192.168.9.0/24", true, &err));
    g_assert_false(valid(d, NULL, &err));
}

static void
test_parse_libvirt(void)
{
    /* as libvirt writes `default`: netmask, nat port range, mac */
    const char *xml =
        "<network connections='1'><name>default</name><uuid>bac2ebd4-bdf6-46c4-89f7-65e43fca4308</uuid>"
        "<forward mode='nat'><nat><port start='1024' end='65535'/></nat></forward>"
        "<bridge name='virbr0' stp='on' delay='0'/><mac address='52:54:00:d1:7d:d1'/>"
        "<ip address='192.168.122.1' netmask='255.255.255.0'><dhcp>"
        "<range start='192.168.122.2' end='192.168.122.254'/>"
        "<host mac='52:54:00:3c:84:c6' name='vd\xe2\x80\xaelinux' ip='192.168.122.9'/></dhcp></ip></network>";
    g_autofree char *err = NULL;
    g_autoptr(vd_net_def) d = vd_net_def_parse(xml, &err);
    g_autofree char *cidr = NULL;

    g_assert_nonnull(d);
    g_assert_cmpstr(d->name, ==, "default");
    g_assert_cmpstr(d->uuid, ==, "bac2ebd4-bdf6-46c4-89f7-65e43fca4308");
    g_assert_cmpint(d->forward, ==, VD_NET_NAT);
    g_assert_cmpstr(d->bridge, ==, "virbr0");
    assert_subnet(&d->v4, "192.168.122.1", 24, "192.168.122.2", "192.168.122.254");
    cidr = vd_net_subnet_cidr(&d->v4);
    g_assert_cmpstr(cidr, ==, "192.168.122.0/24");
    g_assert_cmpuint(d->v4.hosts->len, ==, 1);
    /* the bidi override is gone */
    g_assert_cmpstr(((struct vd_net_host *)d->v4.hosts->pdata[0])->name, ==, "vdlinux");

    g_assert_null(vd_net_def_parse("<domain/>", &err));
    g_clear_pointer(&err, g_free);
    g_assert_null(vd_net_def_parse("<network", &err));
    g_assert_nonnull(err);
    g_clear_pointer(&err, g_free);
    {
        g_autoptr(vd_net_def) o = vd_net_def_parse("<network><name>x</name><forward mode='hostdev'/></network>", &err);
        g_assert_cmpint(o->forward, ==, VD_NET_OTHER);
        g_assert_cmpstr(o->forward_mode, ==, "hostdev");
        g_assert_false(valid(o, NULL, NULL));     /* shown, never created */
    }
}

/* ---- validators -------------------------------------------------------------- */

static void
test_cidr(void)
{
    struct vd_cidr a, b, ip;
    g_autofree char *err = NULL;

    g_assert_true(vd_cidr_parse("192.168.122.0/24", &a, &err));
    g_assert_cmpint(a.family, ==, 4);
    g_assert_cmpuint(a.prefix, ==, 24);
    g_assert_true(vd_cidr_parse("fd00::/64", &b, &err));
    g_assert_cmpint(b.family, ==, 6);
    static const char *const bad[] = { "192.168.1.0", "192.168.1.0/33", "192.168.1/24", "300.1.1.1/8",
                                       "10.0.0.0/", "10.0.0.0/2x", "fd00::/129", "", "/24" };
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_clear_pointer(&err, g_free);
        g_assert_false(vd_cidr_parse(bad[i], &a, &err));
        g_assert_nonnull(err);
    }
    g_clear_pointer(&err, g_free);
    g_assert_true(vd_cidr_parse("192.168.122.0/24", &a, &err));
    g_assert_true(vd_ip_parse("192.168.122.77", &ip));
    g_assert_true(vd_cidr_contains(&a, &ip));
    g_assert_true(vd_ip_parse("192.168.123.1", &ip));
    g_assert_false(vd_cidr_contains(&a, &ip));
    g_assert_true(vd_ip_parse("fd00::1", &ip));
    g_assert_false(vd_cidr_contains(&a, &ip));     /* other family */
}

static void
test_overlap(void)
{
    static const struct { const char *a, *b; bool overlap; } cases[] = {
        { "192.168.122.0/24", "192.168.122.128/25", true },
        { "192.168.122.128/25", "192.168.122.0/24", true },
        { "192.168.122.0/24", "192.168.123.0/24", false },
        { "10.0.0.0/8", "10.200.3.0/24", true },
        { "192.168.122.0/25", "192.168.122.128/25", false },
        { "192.168.122.1/24", "192.168.122.200/30", true },
        { "fd00:1::/64", "fd00:1::/48", true },
        { "fd00:1::/64", "fd00:2::/64", false },
        { "192.168.0.0/16", "fd00::/8", false },
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        struct vd_cidr a, b;
        g_autofree char *err = NULL;
        g_assert_true(vd_cidr_parse(cases[i].a, &a, &err));
        g_assert_true(vd_cidr_parse(cases[i].b, &b, &err));
        g_assert_cmpint(vd_cidr_overlap(&a, &b), ==, cases[i].overlap);
    }

    /* the host's other networks: `default` refuses an overlapping subnet */
    {
        g_autoptr(GPtrArray) others = g_ptr_array_new_with_free_func((GDestroyNotify)vd_net_def_free);
        g_autoptr(vd_net_def) d = make_def("vdnnet1", VD_NET_ISOLATED, "192.168.122.128/25", NULL);
        g_autoptr(vd_net_def) ok = make_def("vdnnet1", VD_NET_ISOLATED, "192.168.231.0/24", NULL);
        g_autoptr(vd_net_def) same = make_def("default", VD_NET_NAT, "192.168.122.0/24", NULL);
        g_autofree char *err = NULL;

        g_ptr_array_add(others, make_def("default", VD_NET_NAT, "192.168.122.0/24", NULL));
        g_ptr_array_add(others, make_def("vdnv6", VD_NET_ROUTE, "10.9.0.0/24", "fd00:9::/64"));
        g_assert_false(valid(d, others, &err));
        g_assert_nonnull(strstr(err, "default"));
        g_assert_true(valid(ok, others, NULL));
        /* a network does not overlap itself (editing it) */
        g_assert_true(valid(same, others, NULL));
        g_clear_pointer(&err, g_free);
        g_assert_true(vd_net_subnet_from_cidr(&ok->v6, 6, "fd00:9::/56", true, &err));
        g_assert_false(valid(ok, others, &err));
        g_assert_nonnull(strstr(err, "vdnv6"));
    }
}

static void
test_range(void)
{
    g_autoptr(vd_net_def) d = make_def("vdnr", VD_NET_NAT, "192.168.50.0/24", NULL);
    static const struct { const char *start, *end; bool ok; } cases[] = {
        { "192.168.50.100", "192.168.50.200", true },
        { "192.168.50.2", "192.168.50.254", true },
        { "192.168.50.200", "192.168.50.100", false },     /* reversed */
        { "192.168.50.100", "192.168.51.10", false },      /* outside */
        { "192.168.49.5", "192.168.50.10", false },
        { "192.168.50.1", "192.168.50.10", false },        /* includes the host */
        { "192.168.50.0", "192.168.50.10", false },        /* network address */
        { "192.168.50.10", "192.168.50.255", false },      /* broadcast */
        { "192.168.50.10", "fd00::1", false },
        { "192.168.50.10", "nonsense", false },
    };
    g_autofree char *err = NULL;

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_free(d->v4.dhcp_start);
        g_free(d->v4.dhcp_end);
        d->v4.dhcp_start = g_strdup(cases[i].start);
        d->v4.dhcp_end = g_strdup(cases[i].end);
        g_clear_pointer(&err, g_free);
        g_assert_cmpint(valid(d, NULL, &err), ==, cases[i].ok);
        if (!cases[i].ok)
            g_assert_nonnull(err);
    }
    /* prefixes with no room */
    g_clear_pointer(&err, g_free);
    g_assert_false(vd_net_subnet_from_cidr(&d->v4, 4, "192.168.50.0/31", true, &err));
    g_clear_pointer(&err, g_free);
    g_assert_false(vd_net_subnet_from_cidr(&d->v4, 6, "192.168.50.0/24", true, &err));
    g_clear_pointer(&err, g_free);
    g_assert_false(vd_net_subnet_from_cidr(&d->v4, 4, "192.168.50.255/24", true, &err));
    /* NAT needs IPv4 */
    {
        g_autoptr(vd_net_def) n = make_def("vdnn", VD_NET_NAT, NULL, "fd00:3::/64");
        g_assert_false(valid(n, NULL, NULL));
    }
}

static void
test_mac_names(void)
{
    g_autofree char *m = vd_mac_normalize("52:54:00:AB:cd:EF");

    g_assert_cmpstr(m, ==, "52:54:00:ab:cd:ef");
    g_assert_true(vd_mac_valid("52:54:00:00:00:01"));
    g_assert_false(vd_mac_valid("01:00:5e:00:00:01"));    /* multicast */
    g_assert_false(vd_mac_valid("52:54:00:00:00"));
    g_assert_false(vd_mac_valid("52:54:00:00:00:0g"));
    g_assert_false(vd_mac_valid("52-54-00-00-00-01"));
    g_assert_false(vd_mac_valid("52:54:00:00:00:011"));
    g_assert_false(vd_mac_valid(NULL));
    g_assert_null(vd_mac_normalize("zz"));

    g_assert_true(vd_net_name_valid("vdnnet1"));
    g_assert_true(vd_net_name_valid("lab_net-2.x"));
    g_assert_false(vd_net_name_valid(""));
    g_assert_false(vd_net_name_valid("a/b"));
    g_assert_false(vd_net_name_valid("a b"));
    g_assert_false(vd_net_name_valid("-x"));
    g_assert_false(vd_net_name_valid("\x1b[31m"));

    g_assert_true(vd_dns_name_valid("lab.example"));
    g_assert_true(vd_dns_name_valid("web-1"));
    g_assert_false(vd_dns_name_valid("-web"));
    g_assert_false(vd_dns_name_valid("web-"));
    g_assert_false(vd_dns_name_valid("a..b"));
    g_assert_false(vd_dns_name_valid("a_b"));
    g_assert_false(vd_dns_name_valid(""));
}

static void
test_hosts(void)
{
    g_autoptr(vd_net_def) d = make_def("vdnnet1", VD_NET_ISOLATED, "192.168.231.0/24", NULL);
    g_autoptr(vd_net_def) none = make_def("vdnl2", VD_NET_ISOLATED, NULL, NULL);
    static const struct { const char *mac, *name, *ip; bool ok; } cases[] = {
        { "52:54:00:aa:bb:02", "db", "192.168.231.20", true },
        { "52:54:00:aa:bb:02", NULL, "192.168.231.21", true },
        { "52:54:00:aa:bb:01", "db", "192.168.231.20", false },   /* MAC taken */
        { "52:54:00:aa:bb:02", "db", "192.168.231.10", false },   /* IP taken */
        { "52:54:00:aa:bb:02", "web", "192.168.231.22", false },  /* name taken */
        { "52:54:00:aa:bb:02", "db", "192.168.232.20", false },   /* outside */
        { "52:54:00:aa:bb:02", "db", "192.168.231.1", false },    /* the host */
        { "52:54:00:aa:bb:02", "db", "192.168.231.255", false },  /* broadcast */
        { "52:54:00:aa:bb:02", "db", "192.168.231.0", false },    /* network */
        { "52:54:00:aa:bb", "db", "192.168.231.20", false },
        { "52:54:00:aa:bb:02", "d b", "192.168.231.20", false },
        { "52:54:00:aa:bb:02", "db", "fd00::20", false },
        { "52:54:00:aa:bb:02", "db", NULL, false },
    };
    g_autofree char *err = NULL;
    g_autofree char *xml = NULL;

    g_ptr_array_add(d->v4.hosts, vd_net_host_new("52:54:00:aa:bb:01", "web", "192.168.231.10"));
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        struct vd_net_host *h = vd_net_host_new(cases[i].mac, cases[i].name, cases[i].ip);
        g_clear_pointer(&err, g_free);
        g_assert_cmpint(vd_net_host_validate(d, h, NULL, &err), ==, cases[i].ok);
        vd_net_host_free(h);
    }
    /* changing the entry itself: its own MAC, IP and name are free */
    {
        struct vd_net_host *h = vd_net_host_new("52:54:00:aa:bb:01", "web", "192.168.231.11");
        g_assert_true(vd_net_host_validate(d, h, "52:54:00:AA:BB:01", &err));
        xml = vd_net_host_xml(h);
        g_assert_cmpstr(xml, ==, "<host mac='52:54:00:aa:bb:01' name='web' ip='192.168.231.11'/>");
        vd_net_host_free(h);
    }
    {
        struct vd_net_host *h = vd_net_host_new("52:54:00:aa:bb:05", NULL, "192.168.231.12");
        g_clear_pointer(&err, g_free);
        g_assert_false(vd_net_host_validate(none, h, NULL, &err));   /* no IPv4 subnet */
        vd_net_host_free(h);
    }
    /* a definition with a broken static host does not validate */
    g_ptr_array_add(d->v4.hosts, vd_net_host_new("52:54:00:aa:bb:09", NULL, "192.168.231.10"));
    g_assert_false(valid(d, NULL, NULL));
}

int
main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/netxml/nat", test_nat);
    g_test_add_func("/netxml/routed", test_routed);
    g_test_add_func("/netxml/isolated", test_isolated);
    g_test_add_func("/netxml/open", test_open);
    g_test_add_func("/netxml/bridge", test_bridge);
    g_test_add_func("/netxml/parse-libvirt", test_parse_libvirt);
    g_test_add_func("/netxml/cidr", test_cidr);
    g_test_add_func("/netxml/overlap", test_overlap);
    g_test_add_func("/netxml/dhcp-range", test_range);
    g_test_add_func("/netxml/mac-and-names", test_mac_names);
    g_test_add_func("/netxml/static-hosts", test_hosts);
    return g_test_run();
}
