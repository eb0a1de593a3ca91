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
    g_test_add_func("/size/parse", test_size_parse);
    g_test_add_func("/size/format", test_size_format);
    return g_test_run();
}
