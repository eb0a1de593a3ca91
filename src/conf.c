/* virtdeck - configuration file
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>

#include "i18n.h"
#include "conf.h"

#define CONN_PREFIX "connection:"

static void
saved_conn_free(struct vd_saved_conn *sc)
{
    g_free(sc->name);
    g_free(sc->uri);
    g_free(sc->group);
    g_free(sc);
}

char *
vd_config_default_path(void)
{
    return g_build_filename(g_get_user_config_dir(), "virtdeck", "config", NULL);
}

static void
add_warning(GString *w, guint line, const char *msg)
{
    if (w->len)
        g_string_append(w, "; ");
    if (line)
        g_string_append_printf(w, _("config line %1$u: %2$s"), line, msg);
    else
        g_string_append(w, msg);
}

static bool
valid_key_line(const char *l)
{
    const char *eq = strchr(l, '=');

    if (!eq || eq == l)
        return false;
    /* GKeyFile's rules, minus localized keys (key[ru]), which we never use:
     * anything else makes it reject the whole file */
    for (const char *p = l; p < eq; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("-_.@ ", *p))
            return false;
    }
    return true;
}

/* Keep the lines GKeyFile accepts, report the first bad ones by number. */
static char *
filter_lines(const char *text, GString *warn, GHashTable *key_lines)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    GString *out = g_string_new(NULL);
    g_autofree char *group = NULL;
    guint bad = 0;

    for (guint i = 0; lines[i]; i++) {
        g_autofree char *l = g_strstrip(g_strdup(lines[i]));
        bool ok = true;

        if (!*l || *l == '#') {
        } else if (*l == '[') {
            size_t n = strlen(l);
            ok = n > 2 && l[n - 1] == ']' && !memchr(l + 1, '[', n - 2) && !memchr(l + 1, ']', n - 2);
            for (size_t k = 1; ok && k + 1 < n; k++)
                ok = (unsigned char)l[k] >= 0x20 && l[k] != 0x7f;
            if (ok) {
                g_free(group);
                group = g_strndup(l + 1, n - 2);
                g_hash_table_insert(key_lines, g_strdup(group), GUINT_TO_POINTER(i + 1));
            }
        } else if (!group) {
            ok = false;
        } else {
            ok = valid_key_line(l);
            if (ok) {
                g_autofree char *key = g_strstrip(g_strndup(l, strchr(l, '=') - l));
                g_hash_table_insert(key_lines, g_strdup_printf("%s\n%s", group, key), GUINT_TO_POINTER(i + 1));
            }
        }
        if (!ok) {
            if (bad++ < 3) {
                g_autofree char *msg = g_strdup_printf(
                    !group && *l != '[' ? _("“%s” is outside of any [section]")
                                         : _("cannot parse “%s”"), l);
                add_warning(warn, i + 1, msg);
            }
            g_string_append_c(out, '\n');     /* keep line numbers aligned */
            continue;
        }
        g_string_append(out, lines[i]);
        g_string_append_c(out, '\n');
    }
    return g_string_free(out, FALSE);
}

guint
vd_config_line(const struct vd_config *cfg, const char *group, const char *key)
{
    g_autofree char *k = key ? g_strdup_printf("%s\n%s", group, key) : g_strdup(group);
    return cfg && cfg->lines ? GPOINTER_TO_UINT(g_hash_table_lookup(cfg->lines, k)) : 0;
}

static guint
line_of(GHashTable *key_lines, const char *group, const char *key)
{
    g_autofree char *k = key ? g_strdup_printf("%s\n%s", group, key) : g_strdup(group);
    return GPOINTER_TO_UINT(g_hash_table_lookup(key_lines, k));
}

static void
read_general(struct vd_config *cfg, GString *warn, GHashTable *kl)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *theme = NULL;
    int refresh;

    theme = g_key_file_get_string(cfg->kf, "general", "theme", NULL);
    if (theme && *theme) {
        g_free(cfg->theme);
        cfg->theme = g_steal_pointer(&theme);
    }
    if (g_key_file_has_key(cfg->kf, "general", "history", NULL)) {
        g_autoptr(GError) herr = NULL;
        bool h = g_key_file_get_boolean(cfg->kf, "general", "history", &herr);
        if (herr)
            add_warning(warn, line_of(kl, "general", "history"), _("history must be true or false"));
        else
            cfg->history = h;
    }
    if (!g_key_file_has_key(cfg->kf, "general", "refresh", NULL))
        return;
    refresh = g_key_file_get_integer(cfg->kf, "general", "refresh", &err);
    if (err || refresh < 1 || refresh > 3600)
        add_warning(warn, line_of(kl, "general", "refresh"),
                    _("refresh must be a number of seconds between 1 and 3600"));
    else
        cfg->refresh_s = refresh;
}

static void
read_conns(struct vd_config *cfg, GString *warn, GHashTable *kl)
{
    g_auto(GStrv) groups = g_key_file_get_groups(cfg->kf, NULL);

    for (guint i = 0; groups[i]; i++) {
        struct vd_saved_conn *sc;
        g_autoptr(GError) err = NULL;
        g_autofree char *uri = NULL;
        bool autoconnect = false;

        if (!g_str_has_prefix(groups[i], CONN_PREFIX))
            continue;
        uri = g_key_file_get_string(cfg->kf, groups[i], "uri", NULL);
        if (!uri || !*uri || !strstr(uri, ":")) {
            add_warning(warn, line_of(kl, groups[i], uri ? "uri" : NULL),
                        _("connection needs uri=DRIVER[+TRANSPORT]://[USER@]HOST/PATH"));
            continue;
        }
        if (g_key_file_has_key(cfg->kf, groups[i], "autoconnect", NULL)) {
            autoconnect = g_key_file_get_boolean(cfg->kf, groups[i], "autoconnect", &err);
            if (err)
                add_warning(warn, line_of(kl, groups[i], "autoconnect"),
                            _("autoconnect must be true or false"));
        }
        sc = g_new0(struct vd_saved_conn, 1);
        sc->name = g_strdup(groups[i] + strlen(CONN_PREFIX));
        sc->uri = g_steal_pointer(&uri);
        sc->autoconnect = autoconnect;
        sc->group = g_key_file_get_string(cfg->kf, groups[i], "group", NULL);
        if (sc->group && !*sc->group)
            g_clear_pointer(&sc->group, g_free);
        g_ptr_array_add(cfg->conns, sc);
    }
}

static void
read_keys(struct vd_config *cfg)
{
    g_auto(GStrv) keys = g_key_file_get_keys(cfg->kf, "keys", NULL, NULL);

    for (guint i = 0; keys && keys[i]; i++) {
        char *v = g_key_file_get_string(cfg->kf, "keys", keys[i], NULL);
        if (v)
            g_hash_table_replace(cfg->keys, g_strdup(keys[i]), v);
    }
}

bool
vd_parse_ctrl_key(const char *spec, int *out)
{
    char c;

    if (!spec || (spec[0] != 'C' && spec[0] != 'c') || spec[1] != '-' || !spec[2] || spec[3])
        return false;
    c = g_ascii_tolower(spec[2]);
    if (c >= 'a' && c <= 'z') {
        *out = c - 'a' + 1;
        return true;
    }
    if (c < '[' || c > '_')    /* [ \ ] ^ _ */
        return false;
    *out = c - '@';
    return true;
}

/* [console] escape-key, menu-key: Ctrl keys the guest rarely needs */
static void
read_console(struct vd_config *cfg, GString *warn, GHashTable *kl)
{
    static const char *const names[] = { "escape-key", "menu-key" };
    int *fields[] = { &cfg->console_escape, &cfg->console_menu };

    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree char *v = g_key_file_get_string(cfg->kf, "console", names[i], NULL);
        int k;

        if (!v)
            continue;
        g_strstrip(v);
        if (!vd_parse_ctrl_key(v, &k) || k == '\t' || k == '\r' || k == 27) {
            g_autofree char *msg =
                /* TRANSLATORS: %s is the option name (escape-key); C-] etc. are key names, keep them */
                g_strdup_printf(_("%s must be a Ctrl key such as C-] or C-^ (not C-i, C-m or C-[: "
                                  "the guest needs Tab, Enter and Esc)"), names[i]);
            add_warning(warn, line_of(kl, "console", names[i]), msg);
            continue;
        }
        *fields[i] = k;
    }
    if (cfg->console_escape == cfg->console_menu) {
        add_warning(warn, line_of(kl, "console", "menu-key"),
                    _("menu-key must differ from escape-key"));
        cfg->console_escape = VD_CONSOLE_ESCAPE_DEFAULT;
        cfg->console_menu = VD_CONSOLE_MENU_DEFAULT;
    }
}

static struct vd_config *
config_new(const char *path)
{
    struct vd_config *cfg = g_new0(struct vd_config, 1);

    cfg->path = path ? g_strdup(path) : vd_config_default_path();
    cfg->theme = g_strdup("default");
    cfg->refresh_s = 2;
    cfg->history = true;
    cfg->console_escape = VD_CONSOLE_ESCAPE_DEFAULT;
    cfg->console_menu = VD_CONSOLE_MENU_DEFAULT;
    cfg->conns = g_ptr_array_new_with_free_func((GDestroyNotify)saved_conn_free);
    cfg->keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    cfg->kf = g_key_file_new();
    cfg->lines = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return cfg;
}

struct vd_config *
vd_config_load(const char *path, char **warning)
{
    struct vd_config *cfg = config_new(path);
    g_autoptr(GError) err = NULL;
    g_autoptr(GString) warn = g_string_new(NULL);
    GHashTable *kl = cfg->lines;
    g_autofree char *text = NULL;
    g_autofree char *clean = NULL;

    if (warning)
        *warning = NULL;
    if (!g_file_get_contents(cfg->path, &text, NULL, &err)) {
        if (!g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            add_warning(warn, 0, err->message);
        goto done;
    }
    if (!g_utf8_validate(text, -1, NULL)) {
        g_autofree char *msg = g_strdup_printf(_("%s is not valid UTF-8; ignored"), cfg->path);
        add_warning(warn, 0, msg);
        goto done;
    }
    clean = filter_lines(text, warn, kl);
    if (!g_key_file_load_from_data(cfg->kf, clean, -1,
                                   G_KEY_FILE_KEEP_COMMENTS, &err)) {
        add_warning(warn, 0, err->message);
        g_key_file_free(cfg->kf);
        cfg->kf = g_key_file_new();
        goto done;
    }
    read_general(cfg, warn, kl);
    read_conns(cfg, warn, kl);
    read_keys(cfg);
    read_console(cfg, warn, kl);

done:
    if (warning && warn->len)
        *warning = g_strdup(warn->str);
    return cfg;
}

void
vd_config_free(struct vd_config *cfg)
{
    if (!cfg)
        return;
    g_free(cfg->path);
    g_free(cfg->theme);
    g_ptr_array_unref(cfg->conns);
    g_hash_table_unref(cfg->keys);
    g_key_file_free(cfg->kf);
    g_hash_table_unref(cfg->lines);
    g_free(cfg);
}

bool
vd_config_save(struct vd_config *cfg, GError **error)
{
    g_autofree char *dir = g_path_get_dirname(cfg->path);

    if (g_mkdir_with_parents(dir, 0700) < 0) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
                    _("cannot create %1$s: %2$s"), dir, g_strerror(errno));
        return false;
    }
    return g_key_file_save_to_file(cfg->kf, cfg->path, error);
}

bool
vd_config_add_conn(struct vd_config *cfg, const char *name, const char *uri,
                   bool autoconnect, GError **error)
{
    g_autofree char *group = NULL;
    struct vd_saved_conn *sc = NULL;

    for (guint i = 0; i < cfg->conns->len; i++) {
        struct vd_saved_conn *x = cfg->conns->pdata[i];
        if (g_strcmp0(x->uri, uri) == 0 || (name && *name && g_strcmp0(x->name, name) == 0)) {
            sc = x;
            break;
        }
    }
    if (sc) {
        g_autofree char *old = g_strconcat(CONN_PREFIX, sc->name, NULL);
        g_key_file_remove_group(cfg->kf, old, NULL);
        g_free(sc->name);
        g_free(sc->uri);
    } else {
        sc = g_new0(struct vd_saved_conn, 1);
        g_ptr_array_add(cfg->conns, sc);
    }
    sc->name = g_strdup(name && *name ? name : uri);
    /* group names cannot hold [ ] or newlines */
    g_strdelimit(sc->name, "[]\n\r", '_');
    sc->uri = g_strdup(uri);
    sc->autoconnect = autoconnect;
    group = g_strconcat(CONN_PREFIX, sc->name, NULL);
    g_key_file_set_string(cfg->kf, group, "uri", uri);
    g_key_file_set_boolean(cfg->kf, group, "autoconnect", autoconnect);
    return vd_config_save(cfg, error);
}

const struct vd_saved_conn *
vd_config_find_conn(const struct vd_config *cfg, const char *name)
{
    for (guint i = 0; cfg && name && i < cfg->conns->len; i++) {
        const struct vd_saved_conn *sc = cfg->conns->pdata[i];
        if (strcmp(sc->name, name) == 0)
            return sc;
    }
    return NULL;
}

static int
conn_index(const struct vd_config *cfg, const char *name)
{
    for (guint i = 0; name && i < cfg->conns->len; i++)
        if (strcmp(((struct vd_saved_conn *)cfg->conns->pdata[i])->name, name) == 0)
            return (int)i;
    return -1;
}

bool
vd_config_set_conn(struct vd_config *cfg, const char *old_name, const char *name,
                   const char *uri, bool autoconnect, const char *group, GError **error)
{
    int at = conn_index(cfg, old_name), other;
    struct vd_saved_conn *sc;
    g_autofree char *clean = g_strdup(name && *name ? name : uri);
    g_autofree char *kgroup = NULL;

    /* group names cannot hold [ ] or newlines */
    g_strdelimit(clean, "[]\n\r", '_');
    other = conn_index(cfg, clean);
    if (other >= 0 && other != at) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                    _("a connection named “%s” already exists"), clean);
        return false;
    }
    if (at >= 0) {
        g_autofree char *old = NULL;
        sc = cfg->conns->pdata[at];
        old = g_strconcat(CONN_PREFIX, sc->name, NULL);
        g_key_file_remove_group(cfg->kf, old, NULL);
        g_free(sc->name);
        g_free(sc->uri);
        g_free(sc->group);
    } else {
        sc = g_new0(struct vd_saved_conn, 1);
        g_ptr_array_add(cfg->conns, sc);
    }
    sc->name = g_steal_pointer(&clean);
    sc->uri = g_strdup(uri);
    sc->autoconnect = autoconnect;
    sc->group = group && *group ? g_strdup(group) : NULL;
    kgroup = g_strconcat(CONN_PREFIX, sc->name, NULL);
    g_key_file_set_string(cfg->kf, kgroup, "uri", uri);
    g_key_file_set_boolean(cfg->kf, kgroup, "autoconnect", autoconnect);
    if (sc->group)
        g_key_file_set_string(cfg->kf, kgroup, "group", sc->group);
    return vd_config_save(cfg, error);
}

bool
vd_config_remove_conn(struct vd_config *cfg, const char *name, GError **error)
{
    int at = conn_index(cfg, name);
    g_autofree char *kgroup = NULL;

    if (at < 0)
        return true;
    kgroup = g_strconcat(CONN_PREFIX, name, NULL);
    g_key_file_remove_group(cfg->kf, kgroup, NULL);
    g_ptr_array_remove_index(cfg->conns, (guint)at);
    return vd_config_save(cfg, error);
}
