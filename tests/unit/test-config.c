/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include "conf.h"

static char *
write_tmp(const char *text)
{
    g_autoptr(GError) err = NULL;
    char *path = NULL;
    int fd = g_file_open_tmp("vd-config-XXXXXX", &path, &err);

    g_assert_no_error(err);
    close(fd);
    g_assert_true(g_file_set_contents(path, text, -1, NULL));
    return path;
}

static void
test_missing(void)
{
    char *warn = NULL;
    struct vd_config *c = vd_config_load("/nonexistent/virtdeck/config", &warn);

    g_assert_null(warn);
    g_assert_cmpstr(c->theme, ==, "default");
    g_assert_cmpuint(c->refresh_s, ==, 2);
    g_assert_cmpuint(c->conns->len, ==, 0);
    vd_config_free(c);
}

static void
test_good(void)
{
    g_autofree char *p = write_tmp(
        "# comment\n[general]\ntheme=mono\nrefresh=3\n\n"
        "[connection:lab]\nuri=qemu+ssh://root@127.0.0.1:2222/system\nautoconnect=true\n"
        "[connection:demo]\nuri=test:///default\n"
        "[keys]\nforce-off=F9\nmove-down=j Down\n");
    char *warn = NULL;
    struct vd_config *c = vd_config_load(p, &warn);
    struct vd_saved_conn *sc;

    g_assert_null(warn);
    g_assert_cmpstr(c->theme, ==, "mono");
    g_assert_cmpuint(c->refresh_s, ==, 3);
    g_assert_cmpuint(c->conns->len, ==, 2);
    sc = c->conns->pdata[0];
    g_assert_cmpstr(sc->name, ==, "lab");
    g_assert_cmpstr(sc->uri, ==, "qemu+ssh://root@127.0.0.1:2222/system");
    g_assert_true(sc->autoconnect);
    sc = c->conns->pdata[1];
    g_assert_false(sc->autoconnect);
    g_assert_cmpstr(g_hash_table_lookup(c->keys, "move-down"), ==, "j Down");
    vd_config_free(c);
    g_unlink(p);
}

static void
expect_warning(const char *text, const char *fragment)
{
    g_autofree char *p = write_tmp(text);
    g_autofree char *warn = NULL;
    struct vd_config *c = vd_config_load(p, &warn);

    g_assert_nonnull(c);
    g_assert_nonnull(warn);
    if (!strstr(warn, fragment))
        g_error("warning “%s” lacks “%s”", warn, fragment);
    vd_config_free(c);
    g_unlink(p);
}

static void
test_bad_lines(void)
{
    expect_warning("[general]\ntheme=x\nthis is garbage\n", "config line 3:");
    expect_warning("stray=1\n[general]\n", "config line 1:");
    expect_warning("[general]\nrefresh=fast\n", "config line 2:");
    expect_warning("[general]\n\n\nrefresh=0\n", "config line 4:");
    expect_warning("[connection:x]\nautoconnect=true\n", "config line 1:");
    expect_warning("[connection:x]\nuri=test:///default\nautoconnect=maybe\n", "config line 3:");
    expect_warning("[broken\nuri=x\n", "config line 1:");
    expect_warning("\xff\xfe\n", "not valid UTF-8");
    /* lines GKeyFile itself would refuse (and with them the whole file) */
    expect_warning("[general]\nfoo]bar=1\n", "config line 2:");
    expect_warning("[general]\nfoo[=1\n", "config line 2:");
    expect_warning("[gen\teral]\ntheme=x\n", "config line 1:");

    /* the good parts of a file with bad lines are still used */
    g_autofree char *p = write_tmp("[general]\n=nokey\ntheme=mono\n[connection:a]\nuri=test:///default\n");
    g_autofree char *warn = NULL;
    struct vd_config *c = vd_config_load(p, &warn);
    g_assert_nonnull(strstr(warn, "config line 2:"));
    g_assert_cmpstr(c->theme, ==, "mono");
    g_assert_cmpuint(c->conns->len, ==, 1);
    vd_config_free(c);
    g_unlink(p);

    /* a bracket in a key drops that line only, not the connections */
    g_autofree char *p2 = write_tmp("[general]\ntheme=mono\nfoo]bar=1\n[connection:a]\nuri=test:///default\n[keys]\nquit=q\n");
    g_autofree char *warn2 = NULL;
    c = vd_config_load(p2, &warn2);
    g_assert_nonnull(strstr(warn2, "config line 3:"));
    g_assert_cmpstr(c->theme, ==, "mono");
    g_assert_cmpuint(c->conns->len, ==, 1);
    g_assert_cmpuint(vd_config_line(c, "keys", "quit"), ==, 7);
    g_assert_cmpuint(vd_config_line(c, "connection:a", NULL), ==, 4);
    g_assert_cmpuint(vd_config_line(c, "keys", "nope"), ==, 0);
    vd_config_free(c);
    g_unlink(p2);
}

static void
test_add_conn(void)
{
    g_autofree char *dir = g_dir_make_tmp("vd-cfg-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "sub", "config", NULL);
    g_autoptr(GError) err = NULL;
    struct vd_config *c = vd_config_load(path, NULL);
    char *warn = NULL;

    g_assert_true(vd_config_add_conn(c, "lab", "qemu+ssh://root@h/system", true, &err));
    g_assert_no_error(err);
    g_assert_true(vd_config_add_conn(c, "lab", "qemu+ssh://root@h2/system", false, &err));
    g_assert_true(vd_config_add_conn(c, "", "test:///default", false, &err));
    vd_config_free(c);

    c = vd_config_load(path, &warn);
    g_assert_null(warn);
    g_assert_cmpuint(c->conns->len, ==, 2);
    g_assert_cmpstr(((struct vd_saved_conn *)c->conns->pdata[0])->uri, ==, "qemu+ssh://root@h2/system");
    g_assert_cmpstr(((struct vd_saved_conn *)c->conns->pdata[1])->name, ==, "test:///default");
    vd_config_free(c);
    g_unlink(path);
}

static void
test_set_remove_conn(void)
{
    g_autofree char *p = write_tmp("[connection:a]\nuri=test:///default\nautoconnect=true\ngroup=lab\n");
    g_autoptr(GError) err = NULL;
    struct vd_config *c = vd_config_load(p, NULL);
    struct vd_config *r;
    const struct vd_saved_conn *sc;

    sc = vd_config_find_conn(c, "a");
    g_assert_nonnull(sc);
    g_assert_cmpstr(sc->group, ==, "lab");
    /* rename and regroup */
    g_assert_true(vd_config_set_conn(c, "a", "b", "qemu:///system", false, "rack1", &err));
    g_assert_no_error(err);
    g_assert_null(vd_config_find_conn(c, "a"));
    /* a second one cannot take the same name */
    g_assert_false(vd_config_set_conn(c, NULL, "b", "test:///default", true, NULL, &err));
    g_assert_nonnull(err);
    g_clear_error(&err);
    g_assert_true(vd_config_set_conn(c, NULL, "c", "test:///default", true, "", &err));
    r = vd_config_load(p, NULL);
    g_assert_cmpuint(r->conns->len, ==, 2);
    sc = vd_config_find_conn(r, "b");
    g_assert_cmpstr(sc->uri, ==, "qemu:///system");
    g_assert_cmpstr(sc->group, ==, "rack1");
    g_assert_false(sc->autoconnect);
    g_assert_null(vd_config_find_conn(r, "c")->group);
    vd_config_free(r);
    g_assert_true(vd_config_remove_conn(c, "b", &err));
    r = vd_config_load(p, NULL);
    g_assert_cmpuint(r->conns->len, ==, 1);
    g_assert_null(vd_config_find_conn(r, "b"));
    vd_config_free(r);
    vd_config_free(c);
    g_unlink(p);
}

static void
test_console_keys(void)
{
    g_autofree char *p = write_tmp("[console]\nescape-key = C-a\nmenu-key=C-_\n");
    g_autofree char *warn = NULL;
    struct vd_config *c = vd_config_load("/nonexistent/virtdeck/config", NULL);
    int k = -1;

    /* defaults: Ctrl+] like virsh, Ctrl+^ for the menu */
    g_assert_cmpint(c->console_escape, ==, 0x1d);
    g_assert_cmpint(c->console_menu, ==, 0x1e);
    vd_config_free(c);

    c = vd_config_load(p, &warn);
    g_assert_null(warn);
    g_assert_cmpint(c->console_escape, ==, 1);
    g_assert_cmpint(c->console_menu, ==, 0x1f);
    vd_config_free(c);
    g_unlink(p);

    g_assert_true(vd_parse_ctrl_key("C-]", &k));
    g_assert_cmpint(k, ==, 0x1d);
    g_assert_true(vd_parse_ctrl_key("c-\\", &k));
    g_assert_cmpint(k, ==, 0x1c);
    g_assert_true(vd_parse_ctrl_key("C-Z", &k));
    g_assert_cmpint(k, ==, 26);
    g_assert_false(vd_parse_ctrl_key("C-", &k));
    g_assert_false(vd_parse_ctrl_key("C-1", &k));
    g_assert_false(vd_parse_ctrl_key("M-x", &k));
    g_assert_false(vd_parse_ctrl_key("C-]]", &k));
    g_assert_false(vd_parse_ctrl_key("]", &k));
    g_assert_false(vd_parse_ctrl_key(NULL, &k));

    /* bad values name their line and keep the defaults */
    expect_warning("[general]\ntheme=x\n[console]\nescape-key=F12\n", "config line 4:");
    expect_warning("[console]\n\nescape-key=C-m\n", "config line 3:");
    expect_warning("[console]\nescape-key=C-[\n", "config line 2:");
    expect_warning("[console]\nescape-key=C-i\n", "config line 2:");
    expect_warning("[console]\nescape-key=C-g\nmenu-key=C-g\n", "config line 3:");
    g_autofree char *p2 = write_tmp("[console]\nescape-key=nonsense\nmenu-key=C-b\n");
    g_autofree char *warn2 = NULL;
    c = vd_config_load(p2, &warn2);
    g_assert_nonnull(strstr(warn2, "config line 2:"));
    g_assert_cmpint(c->console_escape, ==, 0x1d);
    g_assert_cmpint(c->console_menu, ==, 2);
    vd_config_free(c);
    g_unlink(p2);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/config/missing", test_missing);
    g_test_add_func("/config/good", test_good);
    g_test_add_func("/config/bad-lines", test_bad_lines);
    g_test_add_func("/config/add-conn", test_add_conn);
    g_test_add_func("/config/set-remove-conn", test_set_remove_conn);
    g_test_add_func("/config/console-keys", test_console_keys);
    return g_test_run();
}
