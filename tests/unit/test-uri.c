/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "uri.h"

static void
ok(struct vd_uri_parts p, const char *want)
{
    g_autofree char *err = NULL;
    g_autofree char *u = vd_uri_build(&p, &err);
    g_assert_null(err);
    g_assert_cmpstr(u, ==, want);
}

static void
bad(struct vd_uri_parts p, const char *fragment)
{
    g_autofree char *err = NULL;
    g_autofree char *u = vd_uri_build(&p, &err);
    g_assert_null(u);
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err, fragment));
}

static void
test_build(void)
{
    ok((struct vd_uri_parts){ .driver = "qemu" }, "qemu:///system");
    ok((struct vd_uri_parts){ .driver = "qemu", .transport = "local", .path = "session" }, "qemu:///session");
    ok((struct vd_uri_parts){ .driver = "lxc" }, "lxc:///system");
    ok((struct vd_uri_parts){ .driver = "qemu", .transport = "ssh", .user = "root", .host = "127.0.0.1", .port = 2222 },
       "qemu+ssh://root@127.0.0.1:2222/system");
    ok((struct vd_uri_parts){ .driver = "qemu", .transport = "tls", .host = "kvm1.example.org" },
       "qemu+tls://kvm1.example.org/system");
    ok((struct vd_uri_parts){ .driver = "qemu", .transport = "ssh", .host = "::1" }, "qemu+ssh://[::1]/system");
    ok((struct vd_uri_parts){ .driver = "test", .path = "/tmp/demo.xml" }, "test:///tmp/demo.xml");
    ok((struct vd_uri_parts){ .driver = "test" }, "test:///default");
    bad((struct vd_uri_parts){ .driver = "qemu", .transport = "ssh" }, "needs a host");
    bad((struct vd_uri_parts){ .driver = "vmware" }, "unknown driver");
    bad((struct vd_uri_parts){ .driver = "qemu", .transport = "carrier-pigeon", .host = "h" }, "unknown transport");
    bad((struct vd_uri_parts){ .driver = "qemu", .transport = "ssh", .host = "h;rm -rf" }, "invalid host");
    bad((struct vd_uri_parts){ .driver = "qemu", .transport = "ssh", .host = "h", .user = "a@b" }, "invalid user");
    bad((struct vd_uri_parts){ .driver = "qemu", .transport = "ssh", .host = "h", .port = 70000 }, "port");
    bad((struct vd_uri_parts){ .driver = "qemu", .transport = "ssh", .host = "server1:2222" }, "Port field");
    bad((struct vd_uri_parts){ .driver = "qemu", .transport = "ssh", .host = "[::1]" }, "invalid host");
    ok((struct vd_uri_parts){ .driver = "qemu", .transport = "ssh", .host = "fe80::1", .port = 22 },
       "qemu+ssh://[fe80::1]:22/system");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/uri/build", test_build);
    return g_test_run();
}
