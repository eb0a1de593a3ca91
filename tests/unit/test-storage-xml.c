/* SPDX-License-Identifier: GPL-2.0-or-later
 * Volume and pool XML builders: parsed back with libxml2 and checked field by
 * field, validated against libvirt's schema with virt-xml-validate; the
 * size parser. */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "vol-xml.h"
#include "pool-xml.h"

/* ---- helpers ---- */

struct doc {
    xmlDocPtr doc;
    xmlXPathContextPtr ctx;
};

static void
doc_open(struct doc *d, const char *xml)
{
    d->doc = xmlReadMemory(xml, (int)strlen(xml), "t.xml", NULL, XML_PARSE_NONET);
    g_assert_nonnull(d->doc);
    d->ctx = xmlXPathNewContext(d->doc);
}

static void
doc_close(struct doc *d)
{
    xmlXPathFreeContext(d->ctx);
    xmlFreeDoc(d->doc);
}

/* string value of an XPath expression, "" when absent */
static char *
xp(struct doc *d, const char *expr)
{
    xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, d->ctx);
    g_assert_nonnull(o);
    xmlChar *s = xmlXPathCastToString(o);
    char *r = g_strdup((const char *)s);
    xmlFree(s);
    xmlXPathFreeObject(o);
    return r;
}

static int
xcount(struct doc *d, const char *expr)
{
    g_autofree char *e = g_strdup_printf("count(%s)", expr);
    xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST e, d->ctx);
    int n = (int)xmlXPathCastToNumber(o);
    xmlXPathFreeObject(o);
    return n;
}

#define ASSERT_XP(d, expr, want)                                                                   \
    do {                                                                                           \
        g_autofree char *got_ = xp((d), (expr));                                                   \
        g_assert_cmpstr(got_, ==, (want));                                                         \
    } while (0)

/* virt-xml-validate FILE schema; skipped when the tool is missing */
static void
validate(const char *xml, const char *schema)
{
    g_autofree char *tool = g_find_program_in_path("virt-xml-validate");
    if (!tool) {
        g_test_message("virt-xml-validate not installed (libvirt-clients): schema check skipped");
        return;
    }
    g_autofree char *path = NULL;
    int fd = g_file_open_tmp("vdst-XXXXXX.xml", &path, NULL);
    g_assert_cmpint(fd, >=, 0);
    g_assert_true(g_file_set_contents(path, xml, -1, NULL));
    close(fd);
    const char *argv[] = { tool, path, schema, NULL };
    g_autofree char *out = NULL, *err = NULL;
    int status = 0;
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                               &status, NULL));
    if (!g_spawn_check_wait_status(status, NULL))
        g_error("virt-xml-validate %s failed:\n%s\n%s%s", schema, xml, out, err);
    g_unlink(path);
}

/* ---- volumes ---- */

static void
test_vol_qcow2(void)
{
    struct vd_vol_plan p = { .name = "disk.qcow2", .format = VD_VOL_QCOW2,
                             .capacity = 20ULL << 30, .prealloc = VD_PREALLOC_OFF };
    g_autofree char *err = NULL;
    g_autofree char *xml = vd_vol_xml(&p, &err);
    g_assert_null(err);
    g_assert_nonnull(xml);
    struct doc d;
    doc_open(&d, xml);
    ASSERT_XP(&d, "/volume/name", "disk.qcow2");
    ASSERT_XP(&d, "/volume/capacity", "21474836480");
    ASSERT_XP(&d, "/volume/capacity/@unit", "bytes");
    ASSERT_XP(&d, "/volume/allocation", "0");
    ASSERT_XP(&d, "/volume/target/format/@type", "qcow2");
    g_assert_cmpint(xcount(&d, "/volume/backingStore"), ==, 0);
    doc_close(&d);
    g_assert_cmpuint(vd_vol_plan_create_flags(&p), ==, 0);
    validate(xml, "storagevol");
}

static void
test_vol_prealloc(void)
{
    struct {
        enum vd_vol_format f;
        enum vd_vol_prealloc pa;
        const char *alloc;
        unsigned flags;
        bool zero;
    } cases[] = {
        { VD_VOL_QCOW2, VD_PREALLOC_METADATA, "0", 1, false },
        { VD_VOL_QCOW2, VD_PREALLOC_FALLOC, "1048576", 1, false },
        { VD_VOL_RAW, VD_PREALLOC_OFF, "0", 0, false },
        { VD_VOL_RAW, VD_PREALLOC_FALLOC, "1048576", 0, false },
        { VD_VOL_RAW, VD_PREALLOC_FULL, "1048576", 0, true },
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        struct vd_vol_plan p = { .name = "v.img", .format = cases[i].f, .capacity = 1 << 20,
                                 .prealloc = cases[i].pa };
        g_autofree char *xml = vd_vol_xml(&p, NULL);
        g_assert_nonnull(xml);
        struct doc d;
        doc_open(&d, xml);
        ASSERT_XP(&d, "/volume/allocation", cases[i].alloc);
        ASSERT_XP(&d, "/volume/target/format/@type", vd_vol_format_name(cases[i].f));
        doc_close(&d);
        g_assert_cmpuint(vd_vol_plan_create_flags(&p), ==, cases[i].flags);
        g_assert_cmpint(vd_vol_plan_needs_zero_fill(&p), ==, cases[i].zero);
        validate(xml, "storagevol");
    }
}

static void
test_vol_backing(void)
{
    struct vd_vol_plan p = { .name = "overlay.qcow2", .format = VD_VOL_QCOW2, .capacity = 10ULL << 30,
                             .backing_path = "/var/lib/libvirt/images/base <&>.qcow2",
                             .backing_format = "raw" };
    g_autofree char *xml = vd_vol_xml(&p, NULL);
    g_assert_nonnull(xml);
    struct doc d;
    doc_open(&d, xml);
    ASSERT_XP(&d, "/volume/backingStore/path", "/var/lib/libvirt/images/base <&>.qcow2");
    ASSERT_XP(&d, "/volume/backingStore/format/@type", "raw");
    doc_close(&d);
    validate(xml, "storagevol");
}

static void
test_vol_escaping(void)
{
    struct vd_vol_plan p = { .name = "a<b>&\"c'.img", .format = VD_VOL_RAW, .capacity = 512 };
    g_autofree char *xml = vd_vol_xml(&p, NULL);
    g_assert_nonnull(xml);
    struct doc d;
    doc_open(&d, xml);
    ASSERT_XP(&d, "/volume/name", "a<b>&\"c'.img");
    doc_close(&d);
}

static void
test_vol_invalid(void)
{
    struct vd_vol_plan bad[] = {
        { .name = "", .capacity = 1 },
        { .name = NULL, .capacity = 1 },
        { .name = "a/b", .capacity = 1 },
        { .name = "..", .capacity = 1 },
        { .name = "x\033[2J", .capacity = 1 },
        { .name = "zero", .capacity = 0 },
        { .name = "r", .format = VD_VOL_RAW, .capacity = 1, .prealloc = VD_PREALLOC_METADATA },
        { .name = "q", .format = VD_VOL_QCOW2, .capacity = 1, .prealloc = VD_PREALLOC_FULL },
        { .name = "rb", .format = VD_VOL_RAW, .capacity = 1, .backing_path = "/x" },
        { .name = "rel", .format = VD_VOL_QCOW2, .capacity = 1, .backing_path = "x.qcow2" },
        { .name = "bf", .format = VD_VOL_QCOW2, .capacity = 1, .backing_path = "/x", .backing_format = "vmdk" },
        { .name = "bp", .format = VD_VOL_QCOW2, .capacity = 1, .backing_path = "/x", .prealloc = VD_PREALLOC_FALLOC },
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree char *err = NULL;
        g_autofree char *xml = vd_vol_xml(&bad[i], &err);
        g_assert_null(xml);
        g_assert_nonnull(err);
        g_assert_cmpstr(err, !=, "");
    }
}

/* ---- sizes ---- */

static void
test_size_parse(void)
{
    struct { const char *in; guint64 want; } ok[] = {
        { "4096", 4096 }, { "20G", 20ULL << 30 }, { "20g", 20ULL << 30 }, { "512M", 512ULL << 20 },
        { "512 MiB", 512ULL << 20 }, { " 1.5T ", 3ULL << 39 }, { "10 GB", 10ULL << 30 },
        { "1K", 1024 }, { "1kib", 1024 }, { "7B", 7 }, { "7 bytes", 7 }, { "0.5G", 1ULL << 29 },
        { "1P", 1ULL << 50 }, { "8191P", 8191ULL << 50 },
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(ok); i++) {
        guint64 b = 0;
        g_autofree char *err = NULL;
        if (!vd_parse_size(ok[i].in, &b, &err))
            g_error("%s: %s", ok[i].in, err);
        g_assert_cmpuint(b, ==, ok[i].want);
    }
    const char *bad[] = { "", "   ", NULL, "G", "-1G", "+5M", "12X", "1.2.3G", "10 G G", "1e9",
                          "1.5", "9999999999999999999999", "8192P", "99999999999T", ".", "0x10" };
    for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
        guint64 b = 0;
        g_autofree char *err = NULL;
        if (vd_parse_size(bad[i], &b, &err))
            g_error("\"%s\" parsed as %" G_GUINT64_FORMAT, bad[i] ? bad[i] : "(null)", b);
        g_assert_nonnull(err);
    }
}

static void
test_size_format(void)
{
    struct { guint64 b; const char *want; } c[] = {
        { 0, "0 B" }, { 512, "512 B" }, { 1024, "1 KiB" }, { 1536, "1.5 KiB" },
        { 20ULL << 30, "20 GiB" }, { 3ULL << 39, "1.5 TiB" }, { 200ULL << 20, "200 MiB" },
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(c); i++) {
        g_autofree char *s = vd_format_bytes(c[i].b);
        g_assert_cmpstr(s, ==, c[i].want);
    }
}


/* ---- pools ---- */

static struct doc
pool_doc(const struct vd_pool_plan *p, const char *type)
{
    g_autofree char *err = NULL;
    g_autofree char *xml = vd_pool_xml(p, &err);
    if (!xml)
        g_error("%s pool: %s", type, err);
    validate(xml, "storagepool");
    struct doc d;
    doc_open(&d, xml);
    ASSERT_XP(&d, "/pool/@type", type);
    ASSERT_XP(&d, "/pool/name", p->name);
    return d;
}

static void
test_pool_dir(void)
{
    struct vd_pool_plan p = { .type = VD_POOL_DIR, .name = "vdstp", .target = "/var/tmp/vdstp" };
    struct doc d = pool_doc(&p, "dir");
    ASSERT_XP(&d, "/pool/target/path", "/var/tmp/vdstp");
    g_assert_cmpint(xcount(&d, "/pool/source"), ==, 0);
    doc_close(&d);
}

static void
test_pool_fs(void)
{
    struct vd_pool_plan p = { .type = VD_POOL_FS, .name = "fs1", .target = "/mnt/fs1", .devices = "/dev/sdb1",
                              .format = "xfs" };
    struct doc d = pool_doc(&p, "fs");
    ASSERT_XP(&d, "/pool/source/device/@path", "/dev/sdb1");
    ASSERT_XP(&d, "/pool/source/format/@type", "xfs");
    ASSERT_XP(&d, "/pool/target/path", "/mnt/fs1");
    doc_close(&d);
    p.format = NULL;   /* default: auto */
    d = pool_doc(&p, "fs");
    ASSERT_XP(&d, "/pool/source/format/@type", "auto");
    doc_close(&d);
}

static void
test_pool_netfs(void)
{
    struct vd_pool_plan p = { .type = VD_POOL_NETFS, .name = "nfs", .target = "/var/lib/libvirt/nfs",
                              .host = "nfs.example.org", .source_dir = "/srv/nfs/images" };
    struct doc d = pool_doc(&p, "netfs");
    ASSERT_XP(&d, "/pool/source/host/@name", "nfs.example.org");
    ASSERT_XP(&d, "/pool/source/dir/@path", "/srv/nfs/images");
    ASSERT_XP(&d, "/pool/source/format/@type", "nfs");
    ASSERT_XP(&d, "/pool/target/path", "/var/lib/libvirt/nfs");
    doc_close(&d);
    p.host = "192.168.1.10";
    p.format = "glusterfs";
    d = pool_doc(&p, "netfs");
    ASSERT_XP(&d, "/pool/source/host/@name", "192.168.1.10");
    ASSERT_XP(&d, "/pool/source/format/@type", "glusterfs");
    doc_close(&d);
}

static void
test_pool_logical(void)
{
    struct vd_pool_plan p = { .type = VD_POOL_LOGICAL, .name = "lvm", .source_name = "vg_vms",
                              .devices = "/dev/sdb, /dev/sdc", .target = "/dev/vg_vms" };
    struct doc d = pool_doc(&p, "logical");
    ASSERT_XP(&d, "/pool/source/name", "vg_vms");
    g_assert_cmpint(xcount(&d, "/pool/source/device"), ==, 2);
    ASSERT_XP(&d, "/pool/source/device[1]/@path", "/dev/sdb");
    ASSERT_XP(&d, "/pool/source/device[2]/@path", "/dev/sdc");
    ASSERT_XP(&d, "/pool/source/format/@type", "lvm2");
    ASSERT_XP(&d, "/pool/target/path", "/dev/vg_vms");
    doc_close(&d);
    p.devices = NULL;  /* an existing VG */
    p.target = NULL;
    d = pool_doc(&p, "logical");
    g_assert_cmpint(xcount(&d, "/pool/source/device"), ==, 0);
    ASSERT_XP(&d, "/pool/target/path", "/dev/vg_vms");
    doc_close(&d);
}

static void
test_pool_iscsi(void)
{
    struct vd_pool_plan p = { .type = VD_POOL_ISCSI, .name = "san", .host = "san.example.org",
                              .iqn = "iqn.2004-04.com.example:storage.disk1", .target = "/dev/disk/by-path",
                              .initiator = "iqn.2020-01.org.example:host1" };
    struct doc d = pool_doc(&p, "iscsi");
    ASSERT_XP(&d, "/pool/source/host/@name", "san.example.org");
    ASSERT_XP(&d, "/pool/source/device/@path", "iqn.2004-04.com.example:storage.disk1");
    ASSERT_XP(&d, "/pool/source/initiator/iqn/@name", "iqn.2020-01.org.example:host1");
    ASSERT_XP(&d, "/pool/target/path", "/dev/disk/by-path");
    doc_close(&d);
}

static void
test_pool_zfs(void)
{
    struct vd_pool_plan p = { .type = VD_POOL_ZFS, .name = "tank", .source_name = "tank",
                              .devices = "/dev/sdb" };
    struct doc d = pool_doc(&p, "zfs");
    ASSERT_XP(&d, "/pool/source/name", "tank");
    ASSERT_XP(&d, "/pool/source/device/@path", "/dev/sdb");
    g_assert_cmpint(xcount(&d, "/pool/target"), ==, 0);
    doc_close(&d);
}

static void
test_pool_disk(void)
{
    struct vd_pool_plan p = { .type = VD_POOL_DISK, .name = "sdb", .devices = "/dev/sdb", .target = "/dev",
                              .format = "dos" };
    struct doc d = pool_doc(&p, "disk");
    ASSERT_XP(&d, "/pool/source/device/@path", "/dev/sdb");
    ASSERT_XP(&d, "/pool/source/format/@type", "dos");
    ASSERT_XP(&d, "/pool/target/path", "/dev");
    doc_close(&d);
}

static void
test_pool_invalid(void)
{
    struct vd_pool_plan bad[] = {
        { .type = VD_POOL_DIR, .name = "", .target = "/x" },
        { .type = VD_POOL_DIR, .name = "a/b", .target = "/x" },
        { .type = VD_POOL_DIR, .name = "x\033]0;t\007", .target = "/x" },
        { .type = VD_POOL_DIR, .name = "p" },
        { .type = VD_POOL_DIR, .name = "p", .target = "relative/dir" },
        { .type = VD_POOL_FS, .name = "p", .target = "/m" },
        { .type = VD_POOL_FS, .name = "p", .target = "/m", .devices = "/dev/a /dev/b" },
        { .type = VD_POOL_FS, .name = "p", .target = "/m", .devices = "/dev/a", .format = "ntfs3g" },
        { .type = VD_POOL_NETFS, .name = "p", .target = "/m", .source_dir = "/e" },
        { .type = VD_POOL_NETFS, .name = "p", .target = "/m", .host = "bad host!", .source_dir = "/e" },
        { .type = VD_POOL_NETFS, .name = "p", .target = "/m", .host = "h", .source_dir = "e" },
        { .type = VD_POOL_LOGICAL, .name = "p" },
        { .type = VD_POOL_LOGICAL, .name = "p", .source_name = "vg name" },
        { .type = VD_POOL_LOGICAL, .name = "p", .source_name = "vg", .devices = "sdb" },
        { .type = VD_POOL_ISCSI, .name = "p", .host = "h" },
        { .type = VD_POOL_ISCSI, .name = "p", .host = "h", .iqn = "not-an-iqn" },
        { .type = VD_POOL_ISCSI, .name = "p", .host = "h", .iqn = "iqn.2004-04.com.x:d", .initiator = "x" },
        { .type = VD_POOL_ZFS, .name = "p" },
        { .type = VD_POOL_ZFS, .name = "p", .source_name = "/tank" },
        { .type = VD_POOL_ZFS, .name = "p", .source_name = "tank", .devices = "/dev/a /dev/b" },
        { .type = VD_POOL_DISK, .name = "p" },
        { .type = VD_POOL_DISK, .name = "p", .devices = "/dev/sdb", .format = "mac" },
        { .type = VD_POOL_TYPE_LAST, .name = "p" },
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree char *err = NULL;
        g_autofree char *xml = vd_pool_xml(&bad[i], &err);
        if (xml)
            g_error("case %u accepted:\n%s", i, xml);
        g_assert_nonnull(err);
    }
}

static void
test_pool_types(void)
{
    for (unsigned t = 0; t < VD_POOL_TYPE_LAST; t++) {
        enum vd_pool_type back;
        g_assert_true(vd_pool_type_parse(vd_pool_type_name(t), &back));
        g_assert_cmpint(back, ==, t);
        g_assert_cmpuint(vd_pool_type_required(t) & ~vd_pool_type_fields(t), ==, 0);
        g_assert_cmpstr(vd_pool_type_label(t), !=, "");
    }
    g_assert_false(vd_pool_type_parse("rbd2", &(enum vd_pool_type){ 0 }));
}

int
main(int argc, char **argv)
{
    setlocale(LC_ALL, "C.UTF-8");
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vol-xml/qcow2", test_vol_qcow2);
    g_test_add_func("/vol-xml/prealloc", test_vol_prealloc);
    g_test_add_func("/vol-xml/backing", test_vol_backing);
    g_test_add_func("/vol-xml/escaping", test_vol_escaping);
    g_test_add_func("/vol-xml/invalid", test_vol_invalid);
    g_test_add_func("/pool-xml/dir", test_pool_dir);
    g_test_add_func("/pool-xml/fs", test_pool_fs);
    g_test_add_func("/pool-xml/netfs", test_pool_netfs);
    g_test_add_func("/pool-xml/logical", test_pool_logical);
    g_test_add_func("/pool-xml/iscsi", test_pool_iscsi);
    g_test_add_func("/pool-xml/zfs", test_pool_zfs);
    g_test_add_func("/pool-xml/disk", test_pool_disk);
    g_test_add_func("/pool-xml/invalid", test_pool_invalid);
    g_test_add_func("/pool-xml/types", test_pool_types);
    g_test_add_func("/size/parse", test_size_parse);
    g_test_add_func("/size/format", test_size_format);
    return g_test_run();
}
