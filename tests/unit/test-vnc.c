/* virtdeck - unit tests: VNC key tables, console key mapping, domain XML
 * targets, known_hosts decisions
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "src/ssh-tunnel.h"
#include "src/vnc-client.h"
#include "src/vnc-keymap.h"
#include "ui/console-vnc.h"
#include "ui/console.h"
#include "ui/term.h"

static void
test_keycodes(void)
{
    bool shift;

    /* letters: the same key either case, Shift for capitals */
    g_assert_cmphex(vd_keysym_to_keycode('a', &shift), ==, 0x1e);
    g_assert_false(shift);
    g_assert_cmphex(vd_keysym_to_keycode('A', &shift), ==, 0x1e);
    g_assert_true(shift);
    g_assert_cmphex(vd_keysym_to_keycode('q', NULL), ==, 0x10);
    g_assert_cmphex(vd_keysym_to_keycode('z', NULL), ==, 0x2c);
    g_assert_cmphex(vd_keysym_to_keycode('m', NULL), ==, 0x32);
    /* digits and their shifted symbols */
    g_assert_cmphex(vd_keysym_to_keycode('1', &shift), ==, 0x02);
    g_assert_false(shift);
    g_assert_cmphex(vd_keysym_to_keycode('0', NULL), ==, 0x0b);
    g_assert_cmphex(vd_keysym_to_keycode('!', &shift), ==, 0x02);
    g_assert_true(shift);
    g_assert_cmphex(vd_keysym_to_keycode('$', &shift), ==, 0x05);
    g_assert_true(shift);
    g_assert_cmphex(vd_keysym_to_keycode(')', NULL), ==, 0x0b);
    g_assert_cmphex(vd_keysym_to_keycode(' ', &shift), ==, 0x39);
    g_assert_false(shift);
    g_assert_cmphex(vd_keysym_to_keycode('-', &shift), ==, 0x0c);
    g_assert_false(shift);
    g_assert_cmphex(vd_keysym_to_keycode('_', &shift), ==, 0x0c);
    g_assert_true(shift);
    g_assert_cmphex(vd_keysym_to_keycode('~', &shift), ==, 0x29);
    g_assert_true(shift);
    g_assert_cmphex(vd_keysym_to_keycode('/', NULL), ==, 0x35);
    g_assert_cmphex(vd_keysym_to_keycode('|', &shift), ==, 0x2b);
    g_assert_true(shift);
    /* every printable ASCII character has a key */
    for (uint32_t c = 0x20; c < 0x7f; c++)
        g_assert_cmphex(vd_keysym_to_keycode(c, NULL), !=, 0);
    /* special keys, extended ones with the 0x80 bit (0xE0 prefix) */
    g_assert_cmphex(vd_keysym_to_keycode(VD_KS_RETURN, NULL), ==, 0x1c);
    g_assert_cmphex(vd_keysym_to_keycode(VD_KS_ESCAPE, NULL), ==, 0x01);
    g_assert_cmphex(vd_keysym_to_keycode(VD_KS_BACKSPACE, NULL), ==, 0x0e);
    g_assert_cmphex(vd_keysym_to_keycode(VD_KS_TAB, NULL), ==, 0x0f);
    g_assert_cmphex(vd_keysym_to_keycode(VD_KS_UP, NULL), ==, 0xc8);
    g_assert_cmphex(vd_keysym_to_keycode(VD_KS_DOWN, NULL), ==, 0xd0);
    g_assert_cmphex(vd_keysym_to_keycode(VD_KS_LEFT, NULL), ==, 0xcb);
    g_assert_cmphex(vd_keysym_to_keycode(VD_KS_RIGHT, NULL), ==, 0xcd);
    g_assert_cmphex(vd_keysym_to_keycode(VD_KS_HOME, NULL), ==, 0xc7);
    g_assert_cmphex(vd_keysym_to_keycode(VD_KS_END, NULL), ==, 0xcf);
    g_assert_cmphex(vd_keysym_to_keycode(VD_KS_PAGE_UP, NULL), ==, 0xc9);
    g_assert_cmphex(vd_keysym_to_keycode(VD_KS_PAGE_DOWN, NULL), ==, 0xd1);
    g_assert_cmphex(vd_keysym_to_keycode(VD_KS_INSERT, NULL), ==, 0xd2);
    g_assert_cmphex(vd_keysym_to_keycode(VD_KS_DELETE, NULL), ==, 0xd3);
    g_assert_cmphex(vd_keysym_to_keycode(VD_KS_CONTROL_L, NULL), ==, 0x1d);
    g_assert_cmphex(vd_keysym_to_keycode(VD_KS_CONTROL_R, NULL), ==, 0x9d);
    g_assert_cmphex(vd_keysym_to_keycode(VD_KS_ALT_L, NULL), ==, 0x38);
    g_assert_cmphex(vd_keysym_to_keycode(VD_KS_ALT_R, NULL), ==, 0xb8);
    g_assert_cmphex(vd_keysym_to_keycode(VD_KS_SHIFT_L, NULL), ==, 0x2a);
    g_assert_cmphex(vd_keysym_to_keycode(VD_KS_PRINT, NULL), ==, 0xb7);
    g_assert_cmphex(vd_keysym_to_keycode(VD_KS_SYS_REQ, NULL), ==, 0x54);
    /* F1-F10 are 0x3b-0x44, F11 and F12 0x57 and 0x58 */
    for (uint32_t i = 0; i < 10; i++)
        g_assert_cmphex(vd_keysym_to_keycode(VD_KS_F1 + i, NULL), ==, 0x3b + i);
    g_assert_cmphex(vd_keysym_to_keycode(VD_KS_F1 + 10, NULL), ==, 0x57);
    g_assert_cmphex(vd_keysym_to_keycode(VD_KS_F1 + 11, NULL), ==, 0x58);
    /* unknown keysyms: no key number (sent as keysym only) */
    g_assert_cmphex(vd_keysym_to_keycode(0x01000439, NULL), ==, 0);
    g_assert_cmphex(vd_keysym_to_keycode(0xfe50, NULL), ==, 0);
    g_assert_cmphex(vd_keysym_to_keycode(0x1f, NULL), ==, 0);
    /* text */
    g_assert_cmphex(vd_char_to_keysym('x'), ==, 'x');
    g_assert_cmphex(vd_char_to_keysym('\n'), ==, VD_KS_RETURN);
    g_assert_cmphex(vd_char_to_keysym('\t'), ==, VD_KS_TAB);
    g_assert_cmphex(vd_char_to_keysym(0x44f), ==, 0);
    g_assert_cmphex(vd_char_to_keysym(0x1b), ==, 0);
}

static void
check_key(ui_key k, uint32_t want_ks, unsigned want_mods)
{
    uint32_t ks = 0;
    unsigned mods = 0;

    g_assert_true(ui_vnc_key_to_keysym(k, &ks, &mods));
    g_assert_cmphex(ks, ==, want_ks);
    g_assert_cmpuint(mods, ==, want_mods);
}

static void
test_console_keys(void)
{
    uint32_t ks;
    unsigned mods;

    check_key('a', 'a', 0);
    check_key('A', 'A', 0);
    check_key('\n', VD_KS_RETURN, 0);
    check_key('\t', VD_KS_TAB, 0);
    check_key(UI_KEY_ESC, VD_KS_ESCAPE, 0);
    check_key(0x7f, VD_KS_BACKSPACE, 0);
    check_key(UI_KEY_FN | KEY_BACKSPACE, VD_KS_BACKSPACE, 0);
    check_key(3, 'c', VD_MOD_CTRL);                      /* Ctrl+C */
    check_key(0x1c, '\\', VD_MOD_CTRL);
    check_key('x' | UI_KEY_MOD_ALT, 'x', VD_MOD_ALT);
    check_key(UI_KEY_FN | KEY_UP, VD_KS_UP, 0);
    check_key((UI_KEY_FN | KEY_LEFT) | UI_KEY_MOD_CTRL, VD_KS_LEFT, VD_MOD_CTRL);
    check_key((UI_KEY_FN | KEY_RIGHT) | UI_KEY_MOD_SHIFT | UI_KEY_MOD_ALT, VD_KS_RIGHT,
              VD_MOD_SHIFT | VD_MOD_ALT);
    check_key(UI_KEY_FN | KEY_HOME, VD_KS_HOME, 0);
    check_key(UI_KEY_FN | KEY_END, VD_KS_END, 0);
    check_key(UI_KEY_FN | KEY_PPAGE, VD_KS_PAGE_UP, 0);
    check_key(UI_KEY_FN | KEY_NPAGE, VD_KS_PAGE_DOWN, 0);
    check_key(UI_KEY_FN | KEY_IC, VD_KS_INSERT, 0);
    check_key(UI_KEY_FN | KEY_DC, VD_KS_DELETE, 0);
    check_key(UI_KEY_FN | KEY_BTAB, VD_KS_TAB, VD_MOD_SHIFT);
    check_key(UI_KEY_FN | KEY_F(1), VD_KS_F1, 0);
    check_key(UI_KEY_FN | KEY_F(12), VD_KS_F1 + 11, 0);
    check_key(UI_KEY_FN | KEY_F(13), VD_KS_F1, VD_MOD_SHIFT);        /* Shift+F1 */
    check_key(UI_KEY_FN | KEY_F(29), VD_KS_F1 + 4, VD_MOD_CTRL);     /* Ctrl+F5 */
    check_key(UI_KEY_FN | KEY_F(52), VD_KS_F1 + 3, VD_MOD_ALT);      /* Alt+F4 */
    check_key(0xe9, 0xe9, 0);                                        /* é: Latin-1 keysym */
    check_key(0x44f, 0x0100044f, 0);                                 /* я: Unicode keysym */
    /* keys with no keysym */
    g_assert_false(ui_vnc_key_to_keysym(UI_KEY_FN | KEY_RESIZE, &ks, &mods));

    /* the send-key menu: Ctrl+Alt+Del first, every F key, distinct hot keys */
    g_assert_cmpuint(ui_vnc_n_combos, >=, 15);
    g_assert_cmphex(ui_vnc_combos[0].keysym, ==, VD_KS_DELETE);
    g_assert_cmpuint(ui_vnc_combos[0].mods, ==, VD_MOD_CTRL | VD_MOD_ALT);
    for (unsigned i = 0; i < ui_vnc_n_combos; i++) {
        g_assert_cmphex(vd_keysym_to_keycode(ui_vnc_combos[i].keysym, NULL), !=, 0);
        for (unsigned j = i + 1; j < ui_vnc_n_combos; j++)
            g_assert_cmpint(ui_vnc_combos[i].hotkey, !=, ui_vnc_combos[j].hotkey);
    }
}

static void
test_target(void)
{
    g_autoptr(vd_vnc_target) t = NULL;
    char *err = NULL;

    t = vd_vnc_target_parse("<domain><devices><graphics type='vnc' port='5901' autoport='yes' "
                            "listen='127.0.0.1'><listen type='address' address='127.0.0.1'/>"
                            "</graphics></devices></domain>", &err);
    g_assert_nonnull(t);
    g_assert_cmpstr(t->listen, ==, "127.0.0.1");
    g_assert_cmpint(t->port, ==, 5901);
    g_assert_null(t->socket);
    g_assert_false(t->password);
    g_clear_pointer(&t, vd_vnc_target_free);

    /* passwd set, any-address listen: connect to loopback */
    t = vd_vnc_target_parse("<domain><devices><graphics type='spice' port='5930'/>"
                            "<graphics type='vnc' port='5902' listen='0.0.0.0' passwd='********'/>"
                            "</devices></domain>", &err);
    g_assert_nonnull(t);
    g_assert_cmpstr(t->listen, ==, "127.0.0.1");
    g_assert_cmpint(t->port, ==, 5902);
    g_assert_true(t->password);
    g_clear_pointer(&t, vd_vnc_target_free);

    t = vd_vnc_target_parse("<domain><devices><graphics type='vnc' port='5903'>"
                            "<listen type='address' address='::'/></graphics></devices></domain>", &err);
    g_assert_cmpstr(t->listen, ==, "::1");
    g_clear_pointer(&t, vd_vnc_target_free);

    t = vd_vnc_target_parse("<domain><devices><graphics type='vnc' socket='/run/x.sock'>"
                            "<listen type='socket' socket='/run/x.sock'/></graphics></devices></domain>",
                            &err);
    g_assert_cmpstr(t->socket, ==, "/run/x.sock");
    g_assert_cmpint(t->port, ==, -1);
    g_clear_pointer(&t, vd_vnc_target_free);

    /* not running: port -1 */
    g_assert_null(vd_vnc_target_parse("<domain><devices><graphics type='vnc' port='-1' autoport='yes'/>"
                                      "</devices></domain>", &err));
    g_assert_nonnull(strstr(err, "not listening"));
    g_clear_pointer(&err, g_free);
    g_assert_null(vd_vnc_target_parse("<domain><devices><graphics type='spice' port='5900'/>"
                                      "</devices></domain>", &err));
    g_assert_nonnull(strstr(err, "no VNC"));
    g_clear_pointer(&err, g_free);
    g_assert_null(vd_vnc_target_parse("<domain", &err));
    g_assert_nonnull(err);
    g_clear_pointer(&err, g_free);
}

/* A fake ed25519 host key blob: string "ssh-ed25519", string 32 bytes. */
static GBytes *
fake_key(guint8 fill)
{
    GByteArray *b = g_byte_array_new();
    static const guint8 hdr[] = { 0, 0, 0, 11, 's', 's', 'h', '-', 'e', 'd', '2', '5', '5', '1', '9', 0, 0, 0, 32 };
    guint8 k[32];

    memset(k, fill, sizeof k);
    g_byte_array_append(b, hdr, sizeof hdr);
    g_byte_array_append(b, k, sizeof k);
    return g_byte_array_free_to_bytes(b);
}

static char *
key_line(const char *host, GBytes *key)
{
    g_autofree char *b64 = g_base64_encode(g_bytes_get_data(key, NULL), g_bytes_get_size(key));
    return g_strdup_printf("%s ssh-ed25519 %s\n", host, b64);
}

/* OpenSSH's hashed form: |1|salt|HMAC-SHA1(salt, host) */
static char *
hashed_host(const char *host)
{
    guint8 salt[20];
    gsize n = 20;
    g_autoptr(GHmac) h = NULL;
    guint8 mac[20];
    g_autofree char *s64 = NULL, *m64 = NULL;

    for (int i = 0; i < 20; i++)
        salt[i] = (guint8)(i * 7 + 3);
    h = g_hmac_new(G_CHECKSUM_SHA1, salt, sizeof salt);
    g_hmac_update(h, (const guchar *)host, (gssize)strlen(host));
    g_hmac_get_digest(h, mac, &n);
    s64 = g_base64_encode(salt, sizeof salt);
    m64 = g_base64_encode(mac, sizeof mac);
    return g_strdup_printf("|1|%s|%s", s64, m64);
}

static enum vd_hostkey_verdict
check(const char *path, const char *host, int port, GBytes *key, char **err)
{
    g_clear_pointer(err, g_free);
    return vd_ssh_known_hosts_check(path, host, port, g_bytes_get_data(key, NULL), g_bytes_get_size(key), err);
}

static void
test_known_hosts(void)
{
    g_autofree char *dir = g_dir_make_tmp("vdv-kh-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "known_hosts", NULL);
    g_autoptr(GBytes) k1 = fake_key(0x11), k2 = fake_key(0x22);
    g_autofree char *l1 = key_line("example.org", k1), *l2 = key_line("[10.0.0.5]:2222", k1);
    g_autofree char *h3 = hashed_host("[hashed.example]:2200"), *h4 = hashed_host("plainhashed");
    g_autofree char *l3 = key_line(h3, k1), *l4 = key_line(h4, k2);
    g_autofree char *text = NULL, *err = NULL, *fp = NULL;

    /* no file: unknown */
    g_assert_cmpint(check(path, "example.org", 22, k1, &err), ==, VD_HOSTKEY_UNKNOWN);
    text = g_strconcat("# comment\n", "@cert-authority *.ca ssh-ed25519 AAAA\n",
                       "garbage line that libssh2 cannot read\n", l1, l2, l3, l4, NULL);
    g_assert_true(g_file_set_contents(path, text, -1, NULL));

    g_assert_cmpint(check(path, "example.org", 22, k1, &err), ==, VD_HOSTKEY_MATCH);
    g_assert_cmpint(check(path, "example.org", 22, k2, &err), ==, VD_HOSTKEY_CHANGED);
    g_assert_nonnull(strstr(err, "CHANGED"));
    g_assert_nonnull(strstr(err, "example.org"));
    /* the [host]:port form: only for that port */
    g_assert_cmpint(check(path, "10.0.0.5", 2222, k1, &err), ==, VD_HOSTKEY_MATCH);
    g_assert_cmpint(check(path, "10.0.0.5", 2222, k2, &err), ==, VD_HOSTKEY_CHANGED);
    g_assert_nonnull(strstr(err, "[10.0.0.5]:2222"));
    g_assert_cmpint(check(path, "10.0.0.5", 22, k1, &err), ==, VD_HOSTKEY_UNKNOWN);
    g_assert_cmpint(check(path, "example.org", 2222, k1, &err), ==, VD_HOSTKEY_UNKNOWN);
    /* hashed entries, with and without a port */
    g_assert_cmpint(check(path, "hashed.example", 2200, k1, &err), ==, VD_HOSTKEY_MATCH);
    g_assert_cmpint(check(path, "hashed.example", 2200, k2, &err), ==, VD_HOSTKEY_CHANGED);
    g_assert_cmpint(check(path, "plainhashed", 22, k2, &err), ==, VD_HOSTKEY_MATCH);
    g_assert_cmpint(check(path, "plainhashed", 22, k1, &err), ==, VD_HOSTKEY_CHANGED);
    g_assert_cmpint(check(path, "other.example", 22, k1, &err), ==, VD_HOSTKEY_UNKNOWN);

    /* the algorithms to ask for: the recorded type first */
    {
        g_autofree char *prefs = vd_ssh_hostkey_prefs(path, "10.0.0.5", 2222);
        g_autofree char *none = vd_ssh_hostkey_prefs(path, "other.example", 22);
        g_assert_nonnull(prefs);
        g_assert_true(g_str_has_prefix(prefs, "ssh-ed25519,"));
        g_assert_nonnull(strstr(prefs, "ecdsa-sha2-nistp256"));
        g_assert_null(none);
    }

    /* accepting appends a line that the next check finds */
    g_assert_true(vd_ssh_known_hosts_add(path, "new.example", 2022, g_bytes_get_data(k2, NULL),
                                         g_bytes_get_size(k2), &err));
    g_assert_cmpint(check(path, "new.example", 2022, k2, &err), ==, VD_HOSTKEY_MATCH);
    g_assert_cmpint(check(path, "example.org", 22, k1, &err), ==, VD_HOSTKEY_MATCH);
    g_clear_pointer(&text, g_free);
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_assert_nonnull(strstr(text, "[new.example]:2022 ssh-ed25519 "));

    /* a key type nobody knows is an error, never a match */
    {
        static const guint8 odd[] = { 0, 0, 0, 3, 'f', 'o', 'o', 1, 2, 3 };
        g_clear_pointer(&err, g_free);
        g_assert_cmpint(vd_ssh_known_hosts_check(path, "example.org", 22, odd, sizeof odd, &err), ==,
                        VD_HOSTKEY_ERROR);
    }

    /* fingerprint as ssh-keygen -l prints it: SHA256 of the blob, unpadded base64 */
    fp = vd_ssh_fingerprint(g_bytes_get_data(k1, NULL), g_bytes_get_size(k1));
    g_assert_true(g_str_has_prefix(fp, "SHA256:"));
    g_assert_cmpuint(strlen(fp), ==, 7 + 43);
    g_remove(path);
    g_rmdir(dir);
}

static void
test_encrypted_keys(void)
{
    g_autofree char *dir = g_dir_make_tmp("vdv-key-XXXXXX", NULL);
    g_autofree char *plain = g_build_filename(dir, "plain", NULL);
    g_autofree char *locked = g_build_filename(dir, "locked", NULL);
    g_autofree char *pem = g_build_filename(dir, "pem", NULL);
    /* openssh-key-v1 headers: cipher "none" vs "aes256-ctr" */
    static const char none[] = "openssh-key-v1\0\0\0\0\4none\0\0\0\4none";
    static const char aes[] = "openssh-key-v1\0\0\0\0\12aes256-ctr\0\0\0\6bcrypt";
    g_autofree char *b1 = g_base64_encode((const guchar *)none, sizeof none - 1);
    g_autofree char *b2 = g_base64_encode((const guchar *)aes, sizeof aes - 1);
    g_autofree char *t1 = g_strdup_printf("-----BEGIN OPENSSH PRIVATE KEY-----\n%s\n-----END OPENSSH PRIVATE KEY-----\n", b1);
    g_autofree char *t2 = g_strdup_printf("-----BEGIN OPENSSH PRIVATE KEY-----\n%s\n-----END OPENSSH PRIVATE KEY-----\n", b2);

    g_assert_true(g_file_set_contents(plain, t1, -1, NULL));
    g_assert_true(g_file_set_contents(locked, t2, -1, NULL));
    g_assert_true(g_file_set_contents(pem, "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
                                           "DEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n",
                                      -1, NULL));
    g_assert_false(vd_ssh_key_is_encrypted(plain));
    g_assert_true(vd_ssh_key_is_encrypted(locked));
    g_assert_true(vd_ssh_key_is_encrypted(pem));
    g_assert_false(vd_ssh_key_is_encrypted("/nonexistent/key"));
    g_remove(plain);
    g_remove(locked);
    g_remove(pem);
    g_rmdir(dir);
}

static void
test_ssh_uri(void)
{
    g_assert_true(vd_ssh_uri_is_ssh("qemu+ssh://root@127.0.0.1:2222/system"));
    g_assert_true(vd_ssh_uri_is_ssh("qemu+libssh2://h/system?keyfile=/k"));
    g_assert_false(vd_ssh_uri_is_ssh("qemu:///system"));
    g_assert_false(vd_ssh_uri_is_ssh("qemu+tcp://h/system"));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vnc/keycodes", test_keycodes);
    g_test_add_func("/vnc/console-keys", test_console_keys);
    g_test_add_func("/vnc/target", test_target);
    g_test_add_func("/vnc/known-hosts", test_known_hosts);
    g_test_add_func("/vnc/encrypted-keys", test_encrypted_keys);
    g_test_add_func("/vnc/ssh-uri", test_ssh_uri);
    return g_test_run();
}
