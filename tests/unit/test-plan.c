/* VM plan: every option combination -> domain XML, parsed back and checked
 * field by field, validated against libvirt's schema (in process, the same
 * RelaxNG file virt-xml-validate uses, and with virt-xml-validate itself);
 * validation messages; templates; the transaction on libvirt's test driver.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>
#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include <libvirt/libvirt.h>

#include "clone-vm.h"
#include "create-vm.h"
#include "osinfo.h"
#include "plan-lxc.h"
#include "plan-vm.h"

#define SCHEMA "/usr/share/libvirt/schemas/domain.rng"
#define VOL_SCHEMA "/usr/share/libvirt/schemas/storagevol.rng"

static xmlRelaxNGPtr rng, vol_rng;

static xmlRelaxNGPtr
load_schema(const char *path)
{
    xmlRelaxNGParserCtxtPtr pc = xmlRelaxNGNewParserCtxt(path);
    xmlRelaxNGPtr s = xmlRelaxNGParse(pc);

    xmlRelaxNGFreeParserCtxt(pc);
    return s;
}

static bool
schema_valid(xmlRelaxNGPtr schema, xmlDocPtr doc)
{
    xmlRelaxNGValidCtxtPtr vc = xmlRelaxNGNewValidCtxt(schema);
    int r = xmlRelaxNGValidateDoc(vc, doc);

    xmlRelaxNGFreeValidCtxt(vc);
    return r == 0;
}

static xmlXPathContextPtr xp_ctx;

static char *
xp(xmlDocPtr doc, const char *expr)
{
    xmlXPathObjectPtr o;
    char *out = NULL;

    if (!xp_ctx || xp_ctx->doc != doc) {
        if (xp_ctx)
            xmlXPathFreeContext(xp_ctx);
        xp_ctx = xmlXPathNewContext(doc);
        xmlXPathRegisterNs(xp_ctx, BAD_CAST "lo", BAD_CAST "http://libosinfo.org/xmlns/libvirt/domain/1.0");
    }
    o = xmlXPathEvalExpression(BAD_CAST expr, xp_ctx);
    if (o && o->type == XPATH_NODESET && o->nodesetval && o->nodesetval->nodeNr > 0) {
        xmlChar *s = xmlNodeGetContent(o->nodesetval->nodeTab[0]);
        out = g_strdup((char *)s);
        xmlFree(s);
    } else if (o && o->type == XPATH_NUMBER) {
        out = g_strdup_printf("%g", o->floatval);
    }
    xmlXPathFreeObject(o);
    return out;
}

static void
assert_xp(xmlDocPtr doc, const char *expr, const char *want)
{
    g_autofree char *got = xp(doc, expr);
    if (g_strcmp0(got, want) != 0)
        g_error("%s: got %s, want %s", expr, got ? got : "(none)", want ? want : "(none)");
}

static struct vd_host_facts *
fake_facts(void)
{
    struct vd_host_facts *f = vd_host_facts_new();
    struct vd_fact_pool *p = vd_fact_pool_new();
    struct vd_fact_vol *v;

    f->uri = g_strdup("qemu+ssh://nowhere/system");
    f->arch = g_strdup("x86_64");
    g_ptr_array_add(f->virt_types, g_strdup("qemu"));
    g_ptr_array_add(f->machines, g_strdup("pc"));
    g_ptr_array_add(f->machines, g_strdup("q35"));
    f->max_vcpus = 255;
    f->cpu_modes[VD_CPU_DEFAULT] = f->cpu_modes[VD_CPU_HOST_MODEL] = f->cpu_modes[VD_CPU_MAXIMUM] = true;
    f->uefi = false;
    f->virtio_scsi = true;
    f->cpus = 4;
    f->mem_kib = 8 * 1024 * 1024;
    f->free_kib = 2 * 1024 * 1024;
    p->name = g_strdup("default");
    p->active = true;
    p->path = g_strdup("/var/lib/libvirt/images");
    p->capacity = 100ULL << 30;
    p->available = 20ULL << 30;
    v = vd_fact_vol_new();
    v->name = g_strdup("base.qcow2");
    v->path = g_strdup("/var/lib/libvirt/images/base.qcow2");
    v->format = g_strdup("qcow2");
    g_ptr_array_add(p->volumes, v);
    v = vd_fact_vol_new();
    v->name = g_strdup("boot.iso");
    v->path = g_strdup("/var/lib/libvirt/images/boot.iso");
    v->format = g_strdup("iso");
    g_ptr_array_add(p->volumes, v);
    g_ptr_array_add(f->pools, p);
    p = vd_fact_pool_new();
    p->name = g_strdup("off");
    g_ptr_array_add(f->pools, p);
    g_ptr_array_add(f->networks, g_strdup("default"));
    g_ptr_array_add(f->inactive_networks, g_strdup("isolated"));
    g_ptr_array_add(f->bridges, g_strdup("br0"));
    g_ptr_array_add(f->domains, g_strdup("taken"));
    g_ptr_array_add(f->macs, g_strdup("52:54:00:00:00:01"));
    return f;
}

/* ---- every combination ---- */

struct combo {
    enum vd_install install;
    enum vd_disk_mode disk;
    enum vd_disk_bus bus;
    enum vd_disk_format fmt;
    enum vd_cache cache;
    enum vd_net_kind net;
    enum vd_nic_model nic;
    enum vd_firmware fw;
    enum vd_cpu_mode cpu;
    int console;              /* 1 vnc, 2 serial, 3 both */
    bool q35;
    bool os;
};

static struct vd_plan_vm *
combo_plan(const struct combo *c)
{
    struct vd_plan_vm *p = vd_plan_vm_new();

    p->name = g_strdup("vdwunit");
    p->virt_type = g_strdup("qemu");
    p->arch = g_strdup("x86_64");
    p->machine = g_strdup(c->q35 ? "q35" : "pc");
    p->os_id = c->os ? g_strdup("http://debian.org/debian/12") : NULL;
    p->install = c->install;
    p->iso_pool = g_strdup("default");
    p->iso_volume = g_strdup("boot.iso");
    p->iso_path = g_strdup("/srv/iso/with space & <odd>.iso");
    p->url = g_strdup("http://deb.example/debian/dists/bookworm/main/installer-amd64/");
    p->kernel = g_strdup("/var/lib/libvirt/boot/linux");
    p->initrd = g_strdup("/var/lib/libvirt/boot/initrd.gz");
    p->cmdline = g_strdup("console=ttyS0 priority=low");
    p->vcpus = 2;
    p->cpu_mode = c->cpu;
    p->memory_mib = 512;
    p->max_memory_mib = 1024;
    p->firmware = c->fw;
    p->disk = c->disk;
    p->disk_pool = g_strdup("default");
    if (c->disk == VD_DISK_EXISTING)
        p->disk_volume = g_strdup("base.qcow2");
    p->disk_size_mib = 2048;
    p->disk_format = c->fmt;
    p->disk_bus = c->bus;
    p->cache = c->cache;
    p->net = c->net;
    p->net_source = g_strdup(c->net == VD_NET_BRIDGE ? "br0" : "default");
    p->nic_model = c->nic;
    p->mac = g_strdup("52:54:00:AB:cd:0e");
    p->vnc = c->console & 1;
    p->serial = c->console & 2;
    vd_plan_vm_default_boot(p);
    if (c->net != VD_NET_NONE && c->install != VD_INSTALL_PXE)
        p->boot[2] = VD_BOOT_NETWORK;
    return p;
}

static void
check_combo(const struct combo *c, const struct vd_host_facts *f, GPtrArray *samples, bool schema)
{
    g_autoptr(vd_plan_vm) p = combo_plan(c);
    g_autofree char *err = NULL;
    g_autofree char *xml = vd_plan_vm_domain_xml(p, f, &err);
    xmlDocPtr doc;
    bool cd = c->install == VD_INSTALL_ISO_VOLUME || c->install == VD_INSTALL_ISO_PATH;
    static const char *const prefix[] = { "vd", "sd", "sd", "hd" };

    g_assert_nonnull(xml);
    doc = xmlReadMemory(xml, (int)strlen(xml), "d.xml", NULL, XML_PARSE_NONET);
    g_assert_nonnull(doc);
    if (schema && !schema_valid(rng, doc))
        g_error("not valid against %s:\n%s", SCHEMA, xml);

    assert_xp(doc, "/domain/@type", "qemu");
    assert_xp(doc, "/domain/name", "vdwunit");
    assert_xp(doc, "/domain/memory", "1024");
    assert_xp(doc, "/domain/memory/@unit", "MiB");
    assert_xp(doc, "/domain/currentMemory", "512");
    assert_xp(doc, "/domain/vcpu", "2");
    assert_xp(doc, "/domain/os/type/@arch", "x86_64");
    assert_xp(doc, "/domain/os/type/@machine", c->q35 ? "q35" : "pc");
    assert_xp(doc, "/domain/os/@firmware", c->fw != VD_FW_BIOS ? "efi" : NULL);
    /* UEFI without Secure Boot: libvirt must not pick the enrolled-keys
     * firmware; with it: enrolled keys and SMM, which that firmware needs */
    assert_xp(doc, "/domain/os/firmware/feature[@name='secure-boot']/@enabled",
              c->fw == VD_FW_UEFI ? "no" : c->fw == VD_FW_UEFI_SECURE ? "yes" : NULL);
    assert_xp(doc, "/domain/os/firmware/feature[@name='enrolled-keys']/@enabled",
              c->fw == VD_FW_UEFI_SECURE ? "yes" : NULL);
    assert_xp(doc, "count(/domain/os/firmware/feature)",
              c->fw == VD_FW_UEFI ? "1" : c->fw == VD_FW_UEFI_SECURE ? "2" : "0");
    assert_xp(doc, "/domain/features/smm/@state", c->fw == VD_FW_UEFI_SECURE ? "on" : NULL);
    assert_xp(doc, "/domain/cpu/@mode", c->cpu == VD_CPU_DEFAULT ? NULL : vd_cpu_mode_id(c->cpu));
    assert_xp(doc, "/domain/metadata/lo:libosinfo/lo:os/@id", c->os ? "http://debian.org/debian/12" : NULL);

    /* boot order follows the install source */
    {
        const char *first = cd ? "cdrom" : c->install == VD_INSTALL_PXE ? "network" : "hd";
        assert_xp(doc, "/domain/os/boot[1]/@dev", first);
        assert_xp(doc, "count(/domain/os/boot[@dev='hd'])", "1");
    }
    /* the final definition never has a kernel: a network install boots it
     * once from the install definition */
    assert_xp(doc, "/domain/os/kernel", NULL);
    assert_xp(doc, "/domain/os/initrd", NULL);
    assert_xp(doc, "/domain/os/cmdline", NULL);
    assert_xp(doc, "/domain/on_reboot", "restart");
    if (c->install == VD_INSTALL_URL) {
        g_autofree char *cmd = vd_plan_vm_cmdline(p);
        g_autofree char *e2 = NULL;
        g_autofree char *ix = vd_plan_vm_install_xml(xml, "/var/lib/libvirt/images/vdwunit-kernel",
                                                     "/var/lib/libvirt/images/vdwunit-initrd", cmd, &e2);
        xmlDocPtr id;

        g_assert_nonnull(ix);
        id = xmlReadMemory(ix, (int)strlen(ix), "i.xml", NULL, XML_PARSE_NONET);
        g_assert_nonnull(id);
        if (schema && !schema_valid(rng, id))
            g_error("install XML not valid against %s:\n%s", SCHEMA, ix);
        assert_xp(id, "/domain/os/kernel", "/var/lib/libvirt/images/vdwunit-kernel");
        assert_xp(id, "/domain/os/initrd", "/var/lib/libvirt/images/vdwunit-initrd");
        assert_xp(id, "/domain/os/cmdline", "console=ttyS0 priority=low");
        assert_xp(id, "/domain/on_reboot", "destroy");
        assert_xp(id, "/domain/os/type/@machine", c->q35 ? "q35" : "pc");
        assert_xp(id, "count(/domain/devices/disk[@device='disk'])", c->disk == VD_DISK_NONE ? "0" : "1");
        xmlFreeDoc(id);
    }

    /* the disk */
    assert_xp(doc, "count(/domain/devices/disk[@device='disk'])", c->disk == VD_DISK_NONE ? "0" : "1");
    if (c->disk != VD_DISK_NONE) {
        g_autofree char *dev = g_strdup_printf("%sa", prefix[c->bus]);
        const char *fmt = c->disk == VD_DISK_EXISTING ? "qcow2" : vd_disk_format_id(c->fmt);
        assert_xp(doc, "/domain/devices/disk[@device='disk']/@type", "volume");
        assert_xp(doc, "/domain/devices/disk[@device='disk']/driver/@type", fmt);
        assert_xp(doc, "/domain/devices/disk[@device='disk']/driver/@cache",
                  c->cache == VD_CACHE_DEFAULT ? NULL : vd_cache_id(c->cache));
        assert_xp(doc, "/domain/devices/disk[@device='disk']/source/@pool", "default");
        assert_xp(doc, "/domain/devices/disk[@device='disk']/source/@volume",
                  c->disk == VD_DISK_EXISTING ? "base.qcow2" : c->fmt == VD_FMT_RAW ? "vdwunit.img" : "vdwunit.qcow2");
        assert_xp(doc, "/domain/devices/disk[@device='disk']/target/@bus", vd_disk_bus_id(c->bus));
        assert_xp(doc, "/domain/devices/disk[@device='disk']/target/@dev", dev);
    }
    assert_xp(doc, "count(/domain/devices/controller[@type='scsi'][@model='virtio-scsi'])",
              c->disk != VD_DISK_NONE && c->bus == VD_BUS_SCSI ? "1" : "0");
    /* the CD */
    assert_xp(doc, "count(/domain/devices/disk[@device='cdrom'])", cd ? "1" : "0");
    if (cd) {
        assert_xp(doc, "/domain/devices/disk[@device='cdrom']/target/@bus", c->q35 ? "sata" : "ide");
        assert_xp(doc, "count(/domain/devices/disk[@device='cdrom']/readonly)", "1");
        if (c->install == VD_INSTALL_ISO_PATH)
            assert_xp(doc, "/domain/devices/disk[@device='cdrom']/source/@file", "/srv/iso/with space & <odd>.iso");
        else
            assert_xp(doc, "/domain/devices/disk[@device='cdrom']/source/@volume", "boot.iso");
    }
    /* target names are unique */
    if (schema)
        assert_xp(doc, "count(/domain/devices/disk/target[@dev = following::disk/target/@dev])", "0");
    /* the NIC */
    assert_xp(doc, "count(/domain/devices/interface)", c->net == VD_NET_NONE ? "0" : "1");
    if (c->net != VD_NET_NONE) {
        assert_xp(doc, "/domain/devices/interface/@type", c->net == VD_NET_BRIDGE ? "bridge" : "network");
        assert_xp(doc, c->net == VD_NET_BRIDGE ? "/domain/devices/interface/source/@bridge"
                  : "/domain/devices/interface/source/@network", c->net == VD_NET_BRIDGE ? "br0" : "default");
        assert_xp(doc, "/domain/devices/interface/model/@type", vd_nic_model_id(c->nic));
        assert_xp(doc, "/domain/devices/interface/mac/@address", "52:54:00:ab:cd:0e");
    }
    /* consoles */
    assert_xp(doc, "count(/domain/devices/serial[@type='pty'])", c->console & 2 ? "1" : "0");
    assert_xp(doc, "count(/domain/devices/console[@type='pty']/target[@type='serial'])", c->console & 2 ? "1" : "0");
    assert_xp(doc, "count(/domain/devices/graphics[@type='vnc'][@listen='127.0.0.1'][@autoport='yes'])",
              c->console & 1 ? "1" : "0");
    assert_xp(doc, "/domain/devices/graphics/listen/@address", c->console & 1 ? "127.0.0.1" : NULL);

    if (samples && g_random_int_range(0, 60) == 0)
        g_ptr_array_add(samples, g_steal_pointer(&xml));
    xmlXPathFreeContext(xp_ctx);
    xp_ctx = NULL;
    xmlFreeDoc(doc);
}

static void
test_xml_combinations(void)
{
    g_autoptr(vd_host_facts) f = fake_facts();
    g_autoptr(GPtrArray) samples = g_ptr_array_new_with_free_func(g_free);
    struct combo c = { 0 };
    guint n = 0, validated = 0;

    if (!rng)
        rng = load_schema(SCHEMA);
    g_assert_nonnull(rng);
    g_random_set_seed(6);
    for (c.install = 0; c.install < VD_INSTALL_LAST; c.install++)
    for (c.disk = 0; c.disk < VD_DISK_MODE_LAST; c.disk++)
    for (c.bus = 0; c.bus < VD_BUS_LAST; c.bus++)
    for (c.fmt = 0; c.fmt < VD_FMT_LAST; c.fmt++)
    for (c.net = 0; c.net < VD_NET_KIND_LAST; c.net++)
    for (c.nic = 0; c.nic < VD_NIC_LAST; c.nic++)
    for (c.fw = 0; c.fw < VD_FW_LAST; c.fw++)
    for (c.cpu = 0; c.cpu < VD_CPU_MODE_LAST; c.cpu++)
    for (c.console = 1; c.console <= 3; c.console++)
    for (int q = 0; q < 2; q++) {
        c.q35 = q;
        c.cache = (enum vd_cache)(n % VD_CACHE_LAST);
        c.os = n % 2;
        /* The schema check costs 0.7 ms: every combination of the answers
         * that shape the devices (install, disk, bus, network, console,
         * machine), the others (format, NIC model, firmware, CPU mode,
         * cache, OS) in turn; all are checked field by field. */
        {
            bool schema = c.fmt == (enum vd_disk_format)((n / 2) % VD_FMT_LAST)
                          && c.fw == (enum vd_firmware)((n / 7) % VD_FW_LAST)
                          && c.cpu == (enum vd_cpu_mode)((n / 5) % VD_CPU_MODE_LAST)
                          && c.nic == (enum vd_nic_model)((n / 3) % VD_NIC_LAST);
            check_combo(&c, f, samples && schema ? samples : NULL, schema);
            validated += schema;
        }
        n++;
    }
    g_test_message("%u combinations checked field by field, %u of them against %s", n, validated, SCHEMA);
    g_assert_cmpuint(validated, >, 1296 / 2);
    g_assert_cmpuint(n, ==, 6 * 3 * 4 * 2 * 3 * 3 * VD_FW_LAST * 4 * 3 * 2);

    /* and a sample through virt-xml-validate itself */
    if (!g_find_program_in_path("virt-xml-validate")) {
        g_test_skip("virt-xml-validate not installed (package libvirt-clients)");
        return;
    }
    g_assert_cmpuint(samples->len, >, 10);
    for (guint i = 0; i < samples->len; i++) {
        g_autofree char *path = NULL;
        g_autofree char *out = NULL;
        g_autofree char *errout = NULL;
        int status = 0;
        int fd = g_file_open_tmp("vdw-XXXXXX.xml", &path, NULL);
        char *argv[] = { (char *)"virt-xml-validate", path, (char *)"domain", NULL };

        g_assert_cmpint(fd, >=, 0);
        g_assert_true(g_file_set_contents(path, samples->pdata[i], -1, NULL));
        close(fd);
        g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &errout,
                                   &status, NULL));
        if (!g_spawn_check_wait_status(status, NULL))
            g_error("virt-xml-validate failed: %s%s\n%s", out, errout, (char *)samples->pdata[i]);
        unlink(path);
    }
    g_test_message("%u samples passed virt-xml-validate", samples->len);
}

static void
test_volume_xml(void)
{
    g_autoptr(vd_plan_vm) p = vd_plan_vm_new();
    xmlDocPtr doc;
    char *xml;

    if (!vol_rng)
        vol_rng = load_schema(VOL_SCHEMA);
    p->name = g_strdup("vdw1");
    p->disk_size_mib = 3072;
    p->disk_format = VD_FMT_RAW;
    p->prealloc = VD_PREALLOC_FULL;
    xml = vd_plan_vm_volume_xml(p, NULL);
    doc = xmlReadMemory(xml, (int)strlen(xml), "v.xml", NULL, 0);
    g_assert_true(schema_valid(vol_rng, doc));
    assert_xp(doc, "/volume/name", "vdw1.img");
    assert_xp(doc, "/volume/capacity", "3221225472");
    assert_xp(doc, "/volume/capacity/@unit", "bytes");
    assert_xp(doc, "/volume/allocation", "3221225472");
    assert_xp(doc, "/volume/target/format/@type", "raw");
    xmlFreeDoc(doc);
    g_free(xml);

    p->disk_format = VD_FMT_QCOW2;
    p->prealloc = VD_PREALLOC_OFF;
    p->disk_volume = g_strdup("my disk.qcow2");
    xml = vd_plan_vm_volume_xml(p, NULL);
    doc = xmlReadMemory(xml, (int)strlen(xml), "v.xml", NULL, 0);
    assert_xp(doc, "/volume/name", "my disk.qcow2");
    assert_xp(doc, "/volume/allocation", "0");
    assert_xp(doc, "/volume/target/format/@type", "qcow2");
    xmlFreeDoc(doc);
    g_free(xml);

    p->disk = VD_DISK_EXISTING;
    g_assert_null(vd_plan_vm_volume_xml(p, NULL));
}

/* Untrusted answers never become markup. */
static void
test_xml_escaping(void)
{
    g_autoptr(vd_plan_vm) p = vd_plan_vm_new();
    g_autofree char *xml = NULL;
    xmlDocPtr doc;

    p->name = g_strdup("a</name><evil/>");
    p->install = VD_INSTALL_ISO_PATH;
    p->iso_path = g_strdup("/x'/><disk device='disk'/>");
    p->net_source = g_strdup("\"><script/>");
    xml = vd_plan_vm_domain_xml(p, NULL, NULL);
    doc = xmlReadMemory(xml, (int)strlen(xml), "d.xml", NULL, 0);
    g_assert_nonnull(doc);
    assert_xp(doc, "/domain/name", "a</name><evil/>");
    assert_xp(doc, "count(//evil)", "0");
    assert_xp(doc, "count(//script)", "0");
    assert_xp(doc, "/domain/devices/disk[@device='cdrom']/source/@file", "/x'/><disk device='disk'/>");
    assert_xp(doc, "/domain/devices/interface/source/@network", "\"><script/>");
    xmlFreeDoc(doc);
}

/* ---- validation messages ---- */

static struct vd_plan_vm *
good_plan(void)
{
    struct vd_plan_vm *p = vd_plan_vm_new();

    p->name = g_strdup("vdwgood");
    p->virt_type = g_strdup("qemu");
    p->arch = g_strdup("x86_64");
    p->machine = g_strdup("pc");
    p->disk_pool = g_strdup("default");
    p->net_source = g_strdup("default");
    p->memory_mib = 512;
    return p;
}

static const char *
msg_for(struct vd_plan_vm *p, const struct vd_host_facts *f, const char *field, bool *warning)
{
    static char buf[512];
    g_autoptr(GPtrArray) e = vd_plan_errors_new();
    const struct vd_plan_error *x;

    vd_plan_vm_validate(p, f, e);
    x = vd_plan_errors_find(e, field);
    if (!x)
        return NULL;
    if (warning)
        *warning = x->warning;
    g_strlcpy(buf, x->message, sizeof buf);
    return buf;
}

#define EXPECT(p, field, substr)                                               \
    do {                                                                       \
        const char *m_ = msg_for(p, f, field, NULL);                           \
        if (!m_ || !strstr(m_, substr))                                        \
            g_error("%s: got \"%s\", want \"%s\"", field, m_ ? m_ : "(none)", substr); \
    } while (0)

static void
test_validation(void)
{
    g_autoptr(vd_host_facts) f = fake_facts();
    g_autoptr(GPtrArray) e = vd_plan_errors_new();
    struct vd_plan_vm *p = good_plan();
    bool warn = false;

    g_assert_true(vd_plan_vm_validate(p, f, e));
    g_assert_cmpuint(e->len, ==, 0);

#define TRY(setup, field, substr)                                              \
    do {                                                                       \
        g_autoptr(vd_plan_vm) q = vd_plan_vm_copy(p);                          \
        setup;                                                                 \
        EXPECT(q, field, substr);                                              \
    } while (0)
    TRY(g_clear_pointer(&q->name, g_free), "name", "A name is needed");
    TRY((g_free(q->name), q->name = g_strdup("a b")), "name", "Only letters, digits");
    TRY((g_free(q->name), q->name = g_strdup("-x")), "name", "cannot start");
    TRY((g_free(q->name), q->name = g_strdup("taken")), "name", "already exists");
    TRY(q->vcpus = 5, "vcpus", "The host has 4 CPUs");
    TRY(q->vcpus = 0, "vcpus", "At least 1 vCPU");
    TRY(q->cpu_mode = VD_CPU_HOST_PASSTHROUGH, "cpu-mode", "not offered");
    TRY(q->memory_mib = 9000, "memory", "The host has 8 GiB");
    TRY(q->max_memory_mib = 256, "max-memory", "cannot be below");
    TRY(q->firmware = VD_FW_UEFI, "firmware", "no UEFI");
    TRY(q->firmware = VD_FW_UEFI_SECURE, "firmware", "no UEFI");
    f->uefi = true;
    TRY((g_free(q->machine), q->machine = g_strdup("q35"), q->firmware = VD_FW_UEFI_SECURE), "firmware",
        "no Secure Boot firmware");
    f->uefi_secure = true;
    TRY(q->firmware = VD_FW_UEFI_SECURE, "firmware", "needs a q35 machine");
    {
        g_autoptr(vd_plan_vm) q = vd_plan_vm_copy(p);
        g_autoptr(GPtrArray) e2 = vd_plan_errors_new();
        g_free(q->machine);
        q->machine = g_strdup("q35");
        q->firmware = VD_FW_UEFI_SECURE;
        g_assert_true(vd_plan_vm_validate(q, f, e2));
        q->firmware = VD_FW_UEFI;
        g_free(q->machine);
        q->machine = g_strdup("pc");
        g_assert_true(vd_plan_vm_validate(q, f, e2));
    }
    /* a downloaded kernel has no shim: Secure Boot would refuse it */
    TRY((g_free(q->machine), q->machine = g_strdup("q35"), q->firmware = VD_FW_UEFI_SECURE,
         q->install = VD_INSTALL_URL), "firmware", "without shim");
    {
        /* libvirt before 7.2 has no <firmware> features in <os>: plain efi */
        g_autoptr(vd_plan_vm) q = vd_plan_vm_copy(p);
        g_autofree char *err = NULL, *x1 = NULL, *x2 = NULL;
        xmlDocPtr d;

        q->firmware = VD_FW_UEFI;
        x1 = vd_plan_vm_domain_xml(q, f, &err);
        g_assert_nonnull(x1);
        d = xmlReadMemory(x1, (int)strlen(x1), "d.xml", NULL, XML_PARSE_NONET);
        assert_xp(d, "/domain/os/@firmware", "efi");
        assert_xp(d, "/domain/os/firmware/feature[@name='secure-boot']/@enabled", "no");
        xmlFreeDoc(d);
        f->fw_features = false;
        x2 = vd_plan_vm_domain_xml(q, f, &err);
        g_assert_nonnull(x2);
        d = xmlReadMemory(x2, (int)strlen(x2), "d.xml", NULL, XML_PARSE_NONET);
        assert_xp(d, "/domain/os/@firmware", "efi");
        assert_xp(d, "count(/domain/os/firmware)", "0");
        xmlFreeDoc(d);
        f->fw_features = true;
    }
    f->uefi = f->uefi_secure = false;
    TRY((g_free(q->machine), q->machine = g_strdup("virt")), "machine", "not offered");
    TRY((g_free(q->machine), q->machine = g_strdup("q35"), q->disk_bus = VD_BUS_IDE), "disk-bus", "no IDE");
    TRY(q->disk_size_mib = 0, "disk-size", "above 0");
    TRY((q->disk_size_mib = 30 * 1024, q->prealloc = VD_PREALLOC_FALLOC), "disk-size", "Only 20 GiB free");
    TRY((q->disk_format = VD_FMT_RAW, q->prealloc = VD_PREALLOC_METADATA), "prealloc", "needs the qcow2 format");
    TRY((q->prealloc = VD_PREALLOC_FULL), "prealloc", "use falloc for qcow2");
    TRY((g_free(q->disk_pool), q->disk_pool = g_strdup("nope")), "disk-pool", "No pool named nope");
    TRY((g_free(q->disk_pool), q->disk_pool = g_strdup("off")), "disk-pool", "not active");
    TRY(q->disk_volume = g_strdup("base.qcow2"), "disk-volume", "already has a volume base.qcow2");
    TRY((q->disk = VD_DISK_EXISTING, q->disk_volume = g_strdup("gone.qcow2")), "disk-volume", "No volume gone.qcow2");
    TRY(q->install = VD_INSTALL_IMPORT, "install", "existing volume");
    TRY((q->install = VD_INSTALL_PXE, q->net = VD_NET_NONE), "install", "needs a network");
    TRY((q->install = VD_INSTALL_ISO_VOLUME, q->iso_pool = g_strdup("default"), q->iso_volume = g_strdup("x.iso")),
        "iso", "No volume x.iso");
    TRY((q->install = VD_INSTALL_ISO_PATH, q->iso_path = g_strdup("rel.iso")), "iso", "absolute");
    TRY((q->install = VD_INSTALL_URL, q->url = g_strdup("file:///x")), "url", "http://");
    TRY((q->install = VD_INSTALL_URL, q->url = g_strdup("ftp://x/tree/")), "url", "ftp and nfs are not");
    TRY((q->install = VD_INSTALL_URL, q->url = g_strdup("http:///tree/")), "url", "Not a valid URL");
    {
        /* a path in the tree is not a host path; a host path must exist */
        g_autoptr(vd_plan_vm) q = vd_plan_vm_copy(p);
        bool was = f->local;
        q->install = VD_INSTALL_URL;
        q->url = g_strdup("http://x/");
        q->kernel = g_strdup("images/pxeboot/vmlinuz");
        g_assert_null(msg_for(q, f, "kernel", NULL));
        f->local = true;
        g_free(q->kernel);
        q->kernel = g_strdup("/nonexistent/k");
        EXPECT(q, "kernel", "No such file");
        f->local = was;
    }
    TRY((q->install = VD_INSTALL_URL, q->url = g_strdup("http://x/"), q->start = false), "install",
        "Create and start");
    TRY((g_free(q->net_source), q->net_source = g_strdup("isolated")), "net-source", "not active");
    TRY((g_free(q->net_source), q->net_source = g_strdup("zzz")), "net-source", "No network named zzz");
    TRY((q->net = VD_NET_BRIDGE, g_free(q->net_source), q->net_source = g_strdup("virbr0")), "net-source",
        "No bridge named virbr0");
    TRY(q->mac = g_strdup("52:54:00:12:34"), "mac", "Six hexadecimal pairs");
    TRY(q->mac = g_strdup("52:54:00:12:34:zz"), "mac", "Six hexadecimal pairs");
    TRY(q->mac = g_strdup("01:54:00:12:34:56"), "mac", "multicast");
    TRY(q->mac = g_strdup("52:54:00:00:00:01"), "mac", "already used");
    TRY((q->vnc = false, q->serial = false), "console", "VNC, a serial console or both");
    TRY(q->boot[0] = VD_BOOT_CDROM, "boot", "CD image");
    TRY((q->disk = VD_DISK_NONE), "boot", "needs a disk");
    TRY(q->os_id = g_strdup("nosuchos99"), "os", "Unknown OS");
#undef TRY
    /* warnings do not stop the creation */
    {
        g_autoptr(vd_plan_vm) q = vd_plan_vm_copy(p);
        g_autoptr(GPtrArray) e2 = vd_plan_errors_new();
        q->memory_mib = 3 * 1024;
        q->disk_size_mib = 25 * 1024;
        g_assert_true(vd_plan_vm_validate(q, f, e2));
        g_assert_nonnull(strstr(msg_for(q, f, "memory", &warn), "Only 2 GiB free"));
        g_assert_true(warn);
        g_assert_nonnull(strstr(msg_for(q, f, "disk-size", &warn), "sparse volume"));
        g_assert_true(warn);
    }
    /* typed MACs are normalised; generated ones avoid those in use */
    {
        g_autofree char *m = vd_plan_mac_canonical("52:54:00:AB:CD:EF");
        g_assert_cmpstr(m, ==, "52:54:00:ab:cd:ef");
        g_assert_null(vd_plan_mac_canonical("52:54:00:AB:CD:EF:"));
        g_assert_null(vd_plan_mac_canonical("5:54:00:AB:CD:EF"));
        vd_plan_vm_fill_mac(p, f);
        g_assert_true(g_str_has_prefix(p->mac, "52:54:00:"));
        g_assert_cmpstr(p->mac, !=, "52:54:00:00:00:01");
    }
    vd_plan_vm_free(p);
}

/* ---- OS database ---- */

static void
test_osinfo(void)
{
    g_autofree char *err = NULL;
    g_autoptr(vd_os) os = NULL;
    g_autoptr(GPtrArray) hits = NULL;

    if (!vd_osinfo_available(&err)) {
        g_test_skip(err);
        return;
    }
    os = vd_osinfo_lookup("debian11", "x86_64");
    g_assert_nonnull(os);
    g_assert_cmpstr(os->id, ==, "http://debian.org/debian/11");
    g_assert_cmpstr(os->name, ==, "Debian 11");
    g_assert_cmpuint(os->min_ram_mib, >, 0);
    g_assert_cmpuint(os->rec_ram_mib, >=, os->min_ram_mib);
    g_assert_cmpuint(os->min_disk_mib, >, 0);
    g_assert_true(os->virtio);
    hits = vd_osinfo_search("debian 1", "x86_64", 50);
    g_assert_cmpuint(hits->len, >, 2);
    for (guint i = 0; i < hits->len; i++)
        g_assert_nonnull(strstr(((struct vd_os *)hits->pdata[i])->name, "Debian"));
    g_clear_pointer(&hits, g_ptr_array_unref);
    hits = vd_osinfo_search("WINDOWS xp", "x86_64", 5);
    g_assert_cmpuint(hits->len, >=, 1);
    g_assert_false(((struct vd_os *)hits->pdata[0])->virtio);
    g_assert_null(vd_osinfo_lookup("no-such-os", "x86_64"));
    /* a file that is no CD image */
    g_clear_pointer(&err, g_free);
    g_assert_null(vd_osinfo_detect("/etc/hostname", "x86_64", &err));
    g_assert_nonnull(err);
}

/* xorriso writes dir/NAME, a CD image with volume id VOLID, bootable (an El
 * Torito no-emulation image) or not. */
static char *
make_iso(const char *xorriso, const char *dir, const char *name, const char *volid, bool bootable)
{
    g_autofree char *tree = g_build_filename(dir, "tree", NULL);
    g_autofree char *img = g_build_filename(tree, "boot.img", NULL);
    g_autofree char *zeros = g_malloc0(2048);
    char *iso = g_build_filename(dir, name, NULL);
    const char *argv[] = { xorriso, "-as", "mkisofs", "-quiet", "-V", volid, "-o", iso,
                           bootable ? "-b" : tree, "boot.img", "-no-emul-boot", "-boot-load-size", "4",
                           tree, NULL };
    g_autoptr(GError) gerr = NULL;
    int status = -1;

    if (!bootable)
        argv[9] = NULL;   /* xorriso ... -o ISO TREE */
    g_assert_cmpint(g_mkdir_with_parents(tree, 0700), ==, 0);
    g_assert_true(g_file_set_contents(img, zeros, 2048, NULL));
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                               NULL, NULL, NULL, NULL, &status, &gerr));
    g_assert_no_error(gerr);
    g_assert_cmpint(status, ==, 0);
    g_unlink(img);
    g_rmdir(tree);
    return iso;
}

/* CD images whose primary volume descriptor has the volume id of an Alpine
 * Linux 3.17 "virt" CD (osinfo-db matches that media on it alone). */
static void
test_osinfo_detect(void)
{
    g_autofree char *err = NULL;
    g_autofree char *xorriso = g_find_program_in_path("xorriso");
    g_autofree char *dir = NULL;
    g_autofree char *iso = NULL;
    g_autofree char *flat = NULL;
    g_autofree char *other = NULL;
    g_autoptr(vd_os) os = NULL;
    g_autoptr(vd_os) alpine = NULL;
    g_autoptr(GError) gerr = NULL;

    if (!vd_osinfo_available(&err)) {
        g_test_skip(err);
        return;
    }
    if (!xorriso) {
        g_test_skip("xorriso is not installed (tests/deps.sh)");
        return;
    }
    alpine = vd_osinfo_lookup("alpinelinux3.17", "x86_64");
    if (!alpine) {
        g_test_skip("osinfo-db has no Alpine Linux 3.17");
        return;
    }
    dir = g_dir_make_tmp("vd-iso-XXXXXX", &gerr);
    g_assert_no_error(gerr);
    iso = make_iso(xorriso, dir, "alpine.iso", "alpine-virt 3.17.0 x86_64", true);
    os = vd_osinfo_detect(iso, "x86_64", &err);
    g_assert_cmpstr(err, ==, NULL);
    g_assert_nonnull(os);
    g_assert_cmpstr(os->id, ==, "http://alpinelinux.org/alpinelinux/3.17");
    g_assert_cmpstr(os->short_id, ==, "alpinelinux3.17");
    g_assert_cmpstr(os->name, ==, "Alpine Linux 3.17");
    /* osinfo-db: <resources arch="all"> recommended 768 MiB RAM, 4 GiB disk, 1 CPU */
    g_assert_cmpuint(os->rec_ram_mib, ==, 768);
    g_assert_cmpuint(os->rec_disk_mib, ==, 4096);
    g_assert_cmpuint(os->rec_cpus, ==, 1);
    g_assert_cmpuint(os->min_ram_mib, ==, 128);
    g_assert_true(os->virtio);   /* devices of alpinelinux3.11, which it derives from */
    /* not bootable: libosinfo does not take it for install media */
    flat = make_iso(xorriso, dir, "flat.iso", "alpine-virt 3.17.0 x86_64", false);
    g_clear_pointer(&os, vd_os_free);
    os = vd_osinfo_detect(flat, "x86_64", &err);
    g_assert_null(os);
    g_assert_nonnull(strstr(err, "flat.iso"));
    g_assert_nonnull(strstr(err, "not bootable"));
    /* bootable, a volume id no media has */
    g_clear_pointer(&err, g_free);
    other = make_iso(xorriso, dir, "other.iso", "VDTEST", true);
    os = vd_osinfo_detect(other, "x86_64", &err);
    g_assert_null(os);
    g_assert_cmpstr(err, ==, "other.iso is not a CD image of an OS the database knows");
    g_unlink(iso);
    g_unlink(flat);
    g_unlink(other);
    g_rmdir(dir);
}

/* ---- templates ---- */

static void
test_template(void)
{
    g_autoptr(vd_plan_vm) p = vd_plan_vm_new();
    g_autoptr(vd_plan_vm) q = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *data = NULL;
    g_autofree char *data2 = NULL;
    g_autofree char *path = NULL;
    int fd;

    p->name = g_strdup("vdwtpl");
    p->virt_type = g_strdup("qemu");
    p->arch = g_strdup("x86_64");
    p->machine = g_strdup("q35");
    p->os_id = g_strdup("http://debian.org/debian/12");
    p->install = VD_INSTALL_URL;
    p->url = g_strdup("http://deb.example/d/");
    p->kernel = g_strdup("/boot/k");
    p->initrd = g_strdup("/boot/i");
    p->cmdline = g_strdup("a=b c");
    p->vcpus = 3;
    p->cpu_mode = VD_CPU_MAXIMUM;
    p->memory_mib = 768;
    p->max_memory_mib = 1536;
    p->firmware = VD_FW_UEFI;
    p->disk = VD_DISK_NEW;
    p->disk_pool = g_strdup("default");
    p->disk_volume = g_strdup("d.img");
    p->disk_size_mib = 12345;
    p->disk_format = VD_FMT_RAW;
    p->prealloc = VD_PREALLOC_FULL;
    p->disk_bus = VD_BUS_SCSI;
    p->cache = VD_CACHE_WRITEBACK;
    p->net = VD_NET_BRIDGE;
    p->net_source = g_strdup("br0");
    p->nic_model = VD_NIC_RTL8139;
    p->mac = g_strdup("52:54:00:01:02:03");
    p->vnc = false;
    p->serial = true;
    p->boot[0] = VD_BOOT_NETWORK;
    p->boot[1] = VD_BOOT_HD;
    p->boot[2] = VD_BOOT_NONE;
    p->start = false;

    fd = g_file_open_tmp("vdw-XXXXXX.vm", &path, NULL);
    close(fd);
    g_assert_true(vd_plan_vm_save(p, path, &err));
    q = vd_plan_vm_load(path, &err);
    g_assert_no_error(err);
    unlink(path);
#define SAME_S(f) g_assert_cmpstr(q->f, ==, p->f)
#define SAME_I(f) g_assert_cmpint(q->f, ==, p->f)
    SAME_S(name); SAME_S(virt_type); SAME_S(arch); SAME_S(machine); SAME_S(os_id);
    SAME_I(install); SAME_S(url); SAME_S(kernel); SAME_S(initrd); SAME_S(cmdline);
    SAME_I(vcpus); SAME_I(cpu_mode); SAME_I(memory_mib); SAME_I(max_memory_mib); SAME_I(firmware);
    SAME_I(disk); SAME_S(disk_pool); SAME_S(disk_volume); SAME_I(disk_size_mib); SAME_I(disk_format);
    SAME_I(prealloc); SAME_I(disk_bus); SAME_I(cache); SAME_I(net); SAME_S(net_source);
    SAME_I(nic_model); SAME_S(mac); SAME_I(vnc); SAME_I(serial); SAME_I(start);
    SAME_I(boot[0]); SAME_I(boot[1]); SAME_I(boot[2]);
#undef SAME_S
#undef SAME_I
    data = vd_plan_vm_to_keyfile(p);
    data2 = vd_plan_vm_to_keyfile(q);
    g_assert_cmpstr(data, ==, data2);

    /* bad templates say what is wrong */
    g_clear_pointer(&q, vd_plan_vm_free);
    q = vd_plan_vm_from_keyfile("[vm]\ndisk-bus=usb\n", &err);
    g_assert_null(q);
    g_assert_nonnull(strstr(err->message, "\"usb\" for disk-bus"));
    g_clear_error(&err);
    q = vd_plan_vm_from_keyfile("[vm]\nmemory-mib=lots\n", &err);
    g_assert_null(q);
    g_clear_error(&err);
    q = vd_plan_vm_from_keyfile("[domain]\nname=x\n", &err);
    g_assert_null(q);
    g_assert_nonnull(strstr(err->message, "no [vm] group"));
    g_clear_error(&err);
    /* a minimal one takes the defaults, boot from the install source */
    q = vd_plan_vm_from_keyfile("[vm]\nname=m\ninstall=pxe\n", &err);
    g_assert_nonnull(q);
    g_assert_cmpint(q->boot[0], ==, VD_BOOT_NETWORK);
    g_assert_cmpint(q->boot[1], ==, VD_BOOT_HD);
    g_assert_cmpuint(q->memory_mib, ==, 1024);
}

/* ---- the transaction on libvirt's test driver (shared in this process) ---- */

static void
test_transaction(void)
{
    const char *uri = "test:///default";
    g_autofree char *err = NULL;
    g_autofree char *msg = NULL;
    g_autofree char *uuid = NULL;
    g_autoptr(vd_host_facts) f = vd_host_facts_fetch_sync(uri, &err);
    g_autoptr(vd_host_facts) f2 = NULL;
    g_autoptr(vd_plan_vm) p = vd_plan_vm_new();
    const struct vd_fact_pool *pool;
    /* the test driver's state lives while a connection is open */
    virConnectPtr keep = virConnectOpen(uri);

    g_assert_nonnull(keep);
    g_clear_pointer(&f, vd_host_facts_free);
    f = vd_host_facts_fetch_sync(uri, &err);
    g_assert_nonnull(f);
    g_assert_cmpuint(f->cpus, >, 0);
    g_assert_true(vd_host_facts_has_domain(f, "test"));
    g_assert_nonnull(vd_host_facts_pool(f, "default-pool"));
    g_assert_cmpuint(f->networks->len, ==, 1);

    p->name = g_strdup("vdwtx");
    p->memory_mib = 64;
    p->disk_pool = g_strdup("default-pool");
    p->disk_size_mib = 16;
    p->vnc = false;
    g_assert_true(vd_create_vm_sync(uri, p, NULL, &msg, &uuid));
    g_assert_cmpstr(msg, ==, "Created and started vdwtx");
    g_assert_cmpuint(strlen(uuid), ==, 36);
    f2 = vd_host_facts_fetch_sync(uri, &err);
    g_assert_true(vd_host_facts_has_domain(f2, "vdwtx"));
    pool = vd_host_facts_pool(f2, "default-pool");
    g_assert_nonnull(vd_fact_pool_vol(pool, "vdwtx.qcow2"));
    g_assert_cmpuint(vd_fact_pool_vol(pool, "vdwtx.qcow2")->capacity, ==, 16 << 20);
    g_assert_cmpuint(f2->macs->len, >, f->macs->len);

    /* the name is taken now: refused before anything is made */
    g_clear_pointer(&msg, g_free);
    g_assert_false(vd_create_vm_sync(uri, p, NULL, &msg, NULL));
    g_assert_nonnull(strstr(msg, "already exists"));

    /* customized XML libvirt refuses: nothing remains */
    g_clear_pointer(&msg, g_free);
    g_free(p->name);
    p->name = g_strdup("vdwtx2");
    g_assert_false(vd_create_vm_sync(uri, p, "<domain type='test'><name>vdwtx2</name></domain>", &msg, NULL));
    g_assert_nonnull(strstr(msg, "Could not define vdwtx2"));
    g_clear_pointer(&f2, vd_host_facts_free);
    f2 = vd_host_facts_fetch_sync(uri, &err);
    g_assert_false(vd_host_facts_has_domain(f2, "vdwtx2"));
    g_assert_null(vd_fact_pool_vol(vd_host_facts_pool(f2, "default-pool"), "vdwtx2.qcow2"));
    virConnectClose(keep);
}

/* ---- containers ---- */

static void
test_lxc_xml(void)
{
    if (!rng)
        rng = load_schema(SCHEMA);
    for (int net = 0; net < VD_NET_KIND_LAST; net++) {
        for (int mac = 0; mac < 2; mac++) {
            g_autoptr(vd_plan_lxc) p = vd_plan_lxc_new();
            g_autofree char *xml = NULL;
            xmlDocPtr doc;

            p->name = g_strdup("vdwct");
            p->rootfs_dir = g_strdup("/srv/ct/<root> & co");
            p->init = g_strdup("/sbin/init");
            p->memory_mib = 48;
            p->vcpus = 2;
            p->net = net;
            p->net_source = g_strdup(net == VD_NET_BRIDGE ? "br0" : "default");
            p->mac = mac ? g_strdup("52:54:00:AA:00:01") : NULL;
            xml = vd_plan_lxc_domain_xml(p, NULL);
            doc = xmlReadMemory(xml, (int)strlen(xml), "c.xml", NULL, 0);
            if (!schema_valid(rng, doc))
                g_error("not valid:\n%s", xml);
            assert_xp(doc, "/domain/@type", "lxc");
            assert_xp(doc, "/domain/name", "vdwct");
            assert_xp(doc, "/domain/memory", "48");
            assert_xp(doc, "/domain/memory/@unit", "MiB");
            assert_xp(doc, "/domain/vcpu", "2");
            assert_xp(doc, "/domain/os/type", "exe");
            assert_xp(doc, "/domain/os/init", "/sbin/init");
            assert_xp(doc, "/domain/devices/filesystem[@type='mount']/source/@dir", "/srv/ct/<root> & co");
            assert_xp(doc, "/domain/devices/filesystem/target/@dir", "/");
            assert_xp(doc, "count(/domain/devices/console[@type='pty'])", "1");
            assert_xp(doc, "count(/domain/devices/interface)", net == VD_NET_NONE ? "0" : "1");
            if (net != VD_NET_NONE) {
                assert_xp(doc, "/domain/devices/interface/@type", net == VD_NET_BRIDGE ? "bridge" : "network");
                assert_xp(doc, net == VD_NET_BRIDGE ? "/domain/devices/interface/source/@bridge"
                          : "/domain/devices/interface/source/@network", net == VD_NET_BRIDGE ? "br0" : "default");
                assert_xp(doc, "/domain/devices/interface/mac/@address", mac ? "52:54:00:aa:00:01" : NULL);
            }
            xmlXPathFreeContext(xp_ctx);
            xp_ctx = NULL;
            xmlFreeDoc(doc);
        }
    }
}

static void
test_lxc_validation(void)
{
    g_autoptr(vd_host_facts) f = fake_facts();
    g_autofree char *tmp = g_dir_make_tmp("vdw-XXXXXX", NULL);
    g_autofree char *full = g_build_filename(tmp, "full", NULL);
    g_autofree char *file = g_build_filename(full, "x", NULL);
    g_autoptr(vd_plan_lxc) p = vd_plan_lxc_new();

    f->local = true;
    g_mkdir(full, 0755);
    g_file_set_contents(file, "x", -1, NULL);
    p->name = g_strdup("vdwct");
    p->net_source = g_strdup("default");
    p->rootfs_dir = g_build_filename(tmp, "new", NULL);
    {
        g_autoptr(GPtrArray) e = vd_plan_errors_new();
        if (vd_lxc_busybox_path())
            g_assert_true(vd_plan_lxc_validate(p, f, e));
    }
#define LTRY(setup, field, substr)                                             \
    do {                                                                       \
        g_autoptr(vd_plan_lxc) q = vd_plan_lxc_copy(p);                        \
        g_autoptr(GPtrArray) e = vd_plan_errors_new();                         \
        const struct vd_plan_error *x;                                         \
        setup;                                                                 \
        vd_plan_lxc_validate(q, f, e);                                         \
        x = vd_plan_errors_find(e, field);                                     \
        if (!x || !strstr(x->message, substr))                                 \
            g_error("%s: got \"%s\", want \"%s\"", field, x ? x->message : "(none)", substr); \
    } while (0)
    LTRY((g_free(q->name), q->name = g_strdup("taken")), "name", "already exists");
    LTRY((g_free(q->rootfs_dir), q->rootfs_dir = g_strdup(full)), "rootfs-dir", "not empty");
    LTRY((g_free(q->rootfs_dir), q->rootfs_dir = g_strdup("rel")), "rootfs-dir", "absolute");
    LTRY((g_free(q->rootfs_dir), q->rootfs_dir = g_strdup("/")), "rootfs-dir", "host's own root");
    LTRY((q->rootfs = VD_ROOTFS_EXISTING), "rootfs-dir", "No such directory");
    LTRY((q->rootfs = VD_ROOTFS_EXISTING, g_free(q->rootfs_dir), q->rootfs_dir = g_strdup(full)), "init",
         "has no /bin/sh");
    LTRY((g_free(q->init), q->init = g_strdup("sh")), "init", "absolute path");
    LTRY(q->memory_mib = 8, "memory", "At least 16 MiB");
    LTRY(q->vcpus = 9, "vcpus", "The host has 4 CPUs");
    LTRY((g_free(q->net_source), q->net_source = g_strdup("isolated")), "net-source", "No active network");
    LTRY(q->mac = g_strdup("zz"), "mac", "Six hexadecimal");
    f->local = false;
    LTRY((void)0, "rootfs-dir", "only when the host is this machine");
#undef LTRY
    g_unlink(file);
    g_rmdir(full);
    g_rmdir(tmp);
}

static void
test_busybox_tree(void)
{
    g_autofree char *tmp = g_dir_make_tmp("vdw-XXXXXX", NULL);
    g_autofree char *root = g_build_filename(tmp, "ct", "root", NULL);
    g_autofree char *err = NULL;
    g_autofree char *sh = g_build_filename(root, "bin", "sh", NULL);
    g_autofree char *bb = g_build_filename(root, "bin", "busybox", NULL);
    g_autofree char *passwd = NULL;
    g_autofree char *pw = g_build_filename(root, "etc", "passwd", NULL);
    g_autofree char *link = NULL;
    g_autofree char *parent = g_build_filename(tmp, "ct", NULL);
    bool created = false;

    if (!vd_lxc_busybox_path()) {
        g_test_skip("busybox is not installed (package busybox-static)");
        return;
    }
    g_assert_true(vd_lxc_build_busybox(root, "vdwct", &created, &err));
    g_assert_null(err);
    g_assert_true(created);
    g_assert_true(g_file_test(bb, G_FILE_TEST_IS_EXECUTABLE));
    g_assert_true(g_file_test(sh, G_FILE_TEST_IS_SYMLINK));
    link = g_file_read_link(sh, NULL);
    g_assert_cmpstr(link, ==, "/bin/busybox");
    g_assert_true(g_file_get_contents(pw, &passwd, NULL, NULL));
    g_assert_true(g_str_has_prefix(passwd, "root:x:0:0:"));
    /* not over a tree that is there */
    g_clear_pointer(&err, g_free);
    g_assert_false(vd_lxc_build_busybox(root, "vdwct", &created, &err));
    g_assert_nonnull(strstr(err, "not empty"));
    vd_lxc_remove_tree(root);
    g_assert_false(g_file_test(root, G_FILE_TEST_EXISTS));
    g_rmdir(parent);
    g_assert_cmpint(g_rmdir(tmp), ==, 0);
}

/* ---- clone ---- */

static void
test_clone_names(void)
{
    char *n;

#define NAME(src, old, new, tgt, linked, want)                                 \
    n = vd_clone_volume_name(src, old, new, tgt, linked);                      \
    g_assert_cmpstr(n, ==, want);                                              \
    g_free(n)
    NAME("web.qcow2", "web", "web2", "vda", false, "web2.qcow2");
    NAME("web-data.img", "web", "copy", "vdb", false, "copy-data.img");
    NAME("web-data.img", "web", "copy", "vdb", true, "copy-data.qcow2");
    NAME("disk0.raw", "web", "copy", "sda", false, "copy-sda.raw");
    NAME("disk0", "web", "copy", "sda", false, "copy-sda");
    NAME("disk0.raw", "web", "copy", "sda", true, "copy-sda.qcow2");
#undef NAME
}

static void
test_clone_xml(void)
{
    const char *src =
        "<domain type='qemu'><name>web</name><uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>"
        "<memory unit='KiB'>65536</memory><os><type>hvm</type><nvram>/var/lib/nvram/web.fd</nvram></os>"
        "<devices><interface type='network'><mac address='52:54:00:01:02:03'/><source network='default'/>"
        "<target dev='vnet3'/></interface>"
        "<graphics type='vnc' port='5907' autoport='no' listen='127.0.0.1'/></devices></domain>";
    g_autofree char *err = NULL;
    g_autofree char *xml = vd_clone_domain_xml(src, "web & <co>", &err);
    xmlDocPtr doc;

    g_assert_nonnull(xml);
    doc = xmlReadMemory(xml, (int)strlen(xml), "c.xml", NULL, 0);
    assert_xp(doc, "/domain/name", "web & <co>");
    assert_xp(doc, "count(/domain/uuid)", "0");
    assert_xp(doc, "count(//mac)", "0");
    assert_xp(doc, "count(//interface/target)", "0");
    assert_xp(doc, "/domain/devices/interface/source/@network", "default");
    assert_xp(doc, "count(//graphics/@port)", "0");
    assert_xp(doc, "//graphics/@autoport", "yes");
    assert_xp(doc, "count(//nvram)", "0");
    assert_xp(doc, "/domain/memory", "65536");
    xmlXPathFreeContext(xp_ctx);
    xp_ctx = NULL;
    xmlFreeDoc(doc);
    g_assert_null(vd_clone_domain_xml("<network/>", "x", &err));
    g_assert_nonnull(err);
}

static void
test_clone_transaction(void)
{
    const char *uri = "test:///default";
    virConnectPtr keep = virConnectOpen(uri);
    g_autoptr(vd_plan_vm) p = vd_plan_vm_new();
    g_autofree char *msg = NULL;
    g_autofree char *err = NULL;
    g_autoptr(vd_host_facts) f = NULL;
    const struct vd_fact_pool *pool;

    g_assert_nonnull(keep);
    p->name = g_strdup("vdwsrc");
    p->memory_mib = 64;
    p->disk_pool = g_strdup("default-pool");
    p->disk_size_mib = 8;
    p->start = false;
    p->vnc = false;
    g_assert_true(vd_create_vm_sync(uri, p, NULL, &msg, NULL));
    g_clear_pointer(&msg, g_free);

    g_assert_true(vd_clone_vm_sync(uri, "vdwsrc", "vdwcopy", false, &msg, NULL));
    g_assert_cmpstr(msg, ==, "Cloned vdwsrc as vdwcopy");
    g_clear_pointer(&msg, g_free);
    g_assert_true(vd_clone_vm_sync(uri, "vdwsrc", "vdwlink", true, &msg, NULL));
    g_assert_cmpstr(msg, ==, "Cloned vdwsrc as vdwlink (linked disks)");
    f = vd_host_facts_fetch_sync(uri, &err);
    pool = vd_host_facts_pool(f, "default-pool");
    g_assert_true(vd_host_facts_has_domain(f, "vdwcopy"));
    g_assert_true(vd_host_facts_has_domain(f, "vdwlink"));
    g_assert_nonnull(vd_fact_pool_vol(pool, "vdwcopy.qcow2"));
    g_assert_cmpuint(vd_fact_pool_vol(pool, "vdwcopy.qcow2")->capacity, ==, 8 << 20);
    g_assert_nonnull(vd_fact_pool_vol(pool, "vdwlink.qcow2"));
    {
        virDomainPtr d = virDomainLookupByName(keep, "vdwcopy");
        g_autofree char *x = virDomainGetXMLDesc(d, 0);
        g_assert_nonnull(strstr(x, "volume='vdwcopy.qcow2'"));
        virDomainFree(d);
    }
    /* new MACs */
    {
        const char *names[] = { "vdwsrc", "vdwcopy", "vdwlink" };
        char *macs[3];
        for (int i = 0; i < 3; i++) {
            virDomainPtr d = virDomainLookupByName(keep, names[i]);
            g_autofree char *x = virDomainGetXMLDesc(d, 0);
            const char *m = strstr(x, "<mac address='");
            g_assert_nonnull(m);
            macs[i] = g_strndup(m + 14, 17);
            virDomainFree(d);
        }
        g_assert_cmpstr(macs[0], !=, macs[1]);
        g_assert_cmpstr(macs[0], !=, macs[2]);
        g_assert_cmpstr(macs[1], !=, macs[2]);
        for (int i = 0; i < 3; i++)
            g_free(macs[i]);
    }

    /* the name is taken; a running source is refused; a disk outside pools */
    g_clear_pointer(&msg, g_free);
    g_assert_false(vd_clone_vm_sync(uri, "vdwsrc", "vdwcopy", false, &msg, NULL));
    g_assert_nonnull(strstr(msg, "already exists"));
    g_clear_pointer(&msg, g_free);
    g_assert_false(vd_clone_vm_sync(uri, "test", "vdwtest2", false, &msg, NULL));
    g_assert_nonnull(strstr(msg, "running guest"));
    virConnectClose(keep);
}

/* An edited domain XML without <on_reboot>: the install definition gets
 * destroy, so the installer's reboot does not start the installer again. */
static void
test_install_xml_on_reboot(void)
{
    const char *xml = "<domain type='qemu'><name>vdwunit</name><memory unit='MiB'>256</memory>"
                      "<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os></domain>";
    g_autofree char *err = NULL;
    g_autofree char *ix = vd_plan_vm_install_xml(xml, "/k", "/i", "console=ttyS0", &err);
    xmlDocPtr d;

    g_assert_nonnull(ix);
    d = xmlReadMemory(ix, (int)strlen(ix), "i.xml", NULL, XML_PARSE_NONET);
    g_assert_nonnull(d);
    assert_xp(d, "/domain/on_reboot", "destroy");
    assert_xp(d, "count(/domain/on_reboot)", "1");
    assert_xp(d, "/domain/os/kernel", "/k");
    xmlFreeDoc(d);
    /* no <os>: refused with a reason */
    g_free(ix);
    ix = vd_plan_vm_install_xml("<domain type='qemu'><name>x</name></domain>", "/k", "/i", NULL, &err);
    g_assert_null(ix);
    g_assert_nonnull(err);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_setenv("LC_ALL", "C", TRUE);
    g_test_add_func("/plan/xml-combinations", test_xml_combinations);
    g_test_add_func("/plan/volume-xml", test_volume_xml);
    g_test_add_func("/plan/install-xml-on-reboot", test_install_xml_on_reboot);
    g_test_add_func("/plan/xml-escaping", test_xml_escaping);
    g_test_add_func("/plan/validation", test_validation);
    g_test_add_func("/plan/osinfo", test_osinfo);
    g_test_add_func("/plan/osinfo-detect", test_osinfo_detect);
    g_test_add_func("/plan/template", test_template);
    g_test_add_func("/plan/transaction", test_transaction);
    g_test_add_func("/plan/lxc-xml", test_lxc_xml);
    g_test_add_func("/plan/lxc-validation", test_lxc_validation);
    g_test_add_func("/plan/busybox-tree", test_busybox_tree);
    g_test_add_func("/clone/names", test_clone_names);
    g_test_add_func("/clone/xml", test_clone_xml);
    g_test_add_func("/clone/transaction", test_clone_transaction);
    return g_test_run();
}
