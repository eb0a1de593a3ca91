/* virtdeck - UI commands and key bindings
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <config.h>

#include <string.h>

#include "i18n.h"
#include "conf.h"
#include "ui/keys.h"
#include "ui/term.h"

#define UI_CMD_INFO(id, name, help, group) { name, help, group },
static const struct {
    const char *name;
    const char *help;
    enum ui_group group;
} commands[] = { UI_COMMANDS(UI_CMD_INFO) };
#undef UI_CMD_INFO

/* The built-in bindings, in the same format as the user's [keys] section. */
const char ui_default_keys[] =
    "move-down = j Down\n"
    "move-up = k Up\n"
    "page-down = PgDn C-f\n"
    "page-up = PgUp C-b\n"
    "first = g Home\n"
    "last = G End\n"
    "focus-hosts = h Left\n"
    "focus-domains = l Right\n"
    "mark = Space\n"
    "mark-all = *\n"
    "clear = Esc\n"
    "filter = / F3\n"
    "sort-next = F6 o\n"
    "sort-reverse = O\n"
    "next-host = Tab\n"
    "prev-host = S-Tab\n"
    "host-1 = 1\nhost-2 = 2\nhost-3 = 3\nhost-4 = 4\nhost-5 = 5\n"
    "host-6 = 6\nhost-7 = 7\nhost-8 = 8\nhost-9 = 9\n"
    "add-connection = F2 c\n"
    "reconnect = F4 x\n"
    "hosts-manager = H\n"
    "migrate = M\n"
    "help = F1 ?\n"
    "show-message = e\n"
    "redraw = C-l\n"
    "quit = F10 q\n"
    "start = F5 s\n"
    "shutdown = F8 d\n"
    "reboot = r\n"
    "reset = R\n"
    "force-off = F9 D\n"
    "pause-resume = p\n"
    "save = m\n"
    "restore = S\n"
    "autostart-toggle = a\n"
    "graphs = v F7\n"
    "prune-history = P\n"
    "top = T\n"
    "storage = b\n"
    "columns = C\n"
    "undefine = U\n"
    "new-vm = n\n"
    "new-container = N\n"
    "clone = y\n"
    "networks = w\n"
    "console = Enter\n"
    "serial-console = t\n"
    "vnc-console = V\n";

static const char *const group_labels[UI_GROUP_LAST] = {
    [UI_GROUP_MOVE] = N_("Moving around"),
    [UI_GROUP_LIST] = N_("Lists: marks, filter, sort"),
    [UI_GROUP_DOMAIN] = N_("Domains (on the marked ones, else the selected one)"),
    [UI_GROUP_HOST] = N_("Hosts"),
    [UI_GROUP_GENERAL] = N_("General"),
};

int
ui_binding_from_name(const char *name)
{
    int a;

    for (int i = 0; i < UI_CMD_LAST; i++)
        if (strcmp(commands[i].name, name) == 0)
            return i;
    a = vd_action_from_name(name);
    return a >= 0 ? UI_BIND_ACTION(a) : -1;
}

const char *
ui_binding_name(int b)
{
    if (b >= 0 && b < UI_CMD_LAST)
        return commands[b].name;
    if (UI_BIND_IS_ACTION(b))
        return vd_action_name(UI_BIND_TO_ACTION(b));
    return "?";
}

const char *
ui_binding_help(int b)
{
    if (b >= 0 && b < UI_CMD_LAST)
        return _(commands[b].help);
    if (b == UI_BIND_ACTION(VD_ACTION_START))
        return _("Start (restores a managed save)");
    if (UI_BIND_IS_ACTION(b))
        return vd_action_label(UI_BIND_TO_ACTION(b));
    return "?";
}

enum ui_group
ui_binding_group(int b)
{
    if (b >= 0 && b < UI_CMD_LAST)
        return commands[b].group;
    return UI_GROUP_DOMAIN;
}

const char *
ui_group_label(enum ui_group g)
{
    return g < UI_GROUP_LAST ? _(group_labels[g]) : "?";
}

static const struct {
    const char *name;
    ui_key key;
} named_keys[] = {
    { "Up", UI_KEY_FN | KEY_UP }, { "Down", UI_KEY_FN | KEY_DOWN },
    { "Left", UI_KEY_FN | KEY_LEFT }, { "Right", UI_KEY_FN | KEY_RIGHT },
    { "PgUp", UI_KEY_FN | KEY_PPAGE }, { "PgDn", UI_KEY_FN | KEY_NPAGE },
    { "Home", UI_KEY_FN | KEY_HOME }, { "End", UI_KEY_FN | KEY_END },
    { "Ins", UI_KEY_FN | KEY_IC }, { "Del", UI_KEY_FN | KEY_DC },
    { "S-Tab", UI_KEY_FN | KEY_BTAB }, { "Tab", '\t' },
    { "Enter", '\n' }, { "Esc", UI_KEY_ESC }, { "Space", ' ' },
    { "Backspace", UI_KEY_FN | KEY_BACKSPACE },
};

bool
ui_key_parse(const char *spec, ui_key *out)
{
    gunichar c;

    if (!spec || !*spec)
        return false;
    for (size_t i = 0; i < G_N_ELEMENTS(named_keys); i++) {
        if (g_ascii_strcasecmp(spec, named_keys[i].name) == 0) {
            *out = named_keys[i].key;
            return true;
        }
    }
    if ((spec[0] == 'F' || spec[0] == 'f') && g_ascii_isdigit(spec[1])) {
        char *end;
        long n = strtol(spec + 1, &end, 10);
        if (*end || n < 1 || n > 24)
            return false;
        *out = UI_KEY_FN | KEY_F(n);
        return true;
    }
    if ((spec[0] == 'C' || spec[0] == 'c') && spec[1] == '-' && spec[2] && !spec[3]) {
        char l = g_ascii_tolower(spec[2]);
        if (l < 'a' || l > 'z')
            return false;
        *out = l - 'a' + 1;
        return true;
    }
    if (!g_utf8_validate(spec, -1, NULL))
        return false;
    c = g_utf8_get_char(spec);
    if (*g_utf8_next_char(spec) || !g_unichar_isprint(c))
        return false;
    *out = (ui_key)c;
    return true;
}

char *
ui_key_format(ui_key k)
{
    char buf[8] = { 0 };

    for (size_t i = 0; i < G_N_ELEMENTS(named_keys); i++)
        if (named_keys[i].key == k)
            return g_strdup(named_keys[i].name);
    if (k & UI_KEY_FN) {
        int code = k & ~UI_KEY_FN;
        if (code >= KEY_F(1) && code <= KEY_F(24))
            return g_strdup_printf("F%d", code - KEY_F0);
        return g_strdup_printf("<%d>", code);
    }
    if (k >= 1 && k <= 26)
        return g_strdup_printf("C-%c", 'a' + k - 1);
    if (k < 32 || k == 127)
        return g_strdup_printf("<%d>", k);
    g_unichar_to_utf8((gunichar)k, buf);
    return g_strdup(buf);
}

struct ui_keymap {
    GHashTable *map;                 /* key -> binding + 1 */
    GArray *keys[UI_BIND_LAST];      /* ui_key, in the order given */
};

struct ui_keymap *
ui_keymap_new(void)
{
    struct ui_keymap *km = g_new0(struct ui_keymap, 1);
    g_autoptr(GString) errors = g_string_new(NULL);

    km->map = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (int b = 0; b < UI_BIND_LAST; b++)
        km->keys[b] = g_array_new(FALSE, FALSE, sizeof(ui_key));
    if (!ui_keymap_parse(km, ui_default_keys, errors))
        g_warning("built-in key bindings: %s", errors->str);
    return km;
}

void
ui_keymap_free(struct ui_keymap *km)
{
    if (!km)
        return;
    for (int b = 0; b < UI_BIND_LAST; b++)
        g_array_free(km->keys[b], TRUE);
    g_hash_table_destroy(km->map);
    g_free(km);
}

static void
unbind_key(struct ui_keymap *km, ui_key k)
{
    gpointer v;

    if (!g_hash_table_lookup_extended(km->map, GINT_TO_POINTER(k), NULL, &v))
        return;
    GArray *a = km->keys[GPOINTER_TO_INT(v) - 1];
    for (guint i = 0; i < a->len; i++) {
        if (g_array_index(a, ui_key, i) == k) {
            g_array_remove_index(a, i);
            break;
        }
    }
    g_hash_table_remove(km->map, GINT_TO_POINTER(k));
}

bool
ui_keymap_bind(struct ui_keymap *km, const char *name, const char *spec, char **error)
{
    int b = ui_binding_from_name(name);
    g_auto(GStrv) words = NULL;
    g_autoptr(GArray) parsed = g_array_new(FALSE, FALSE, sizeof(ui_key));

    if (b < 0) {
        *error = g_strdup_printf(_("unknown command \"%s\""), name);
        return false;
    }
    words = g_strsplit_set(spec, " \t,", -1);
    for (guint i = 0; words[i]; i++) {
        ui_key k;
        if (!*words[i] || strcmp(words[i], "none") == 0)
            continue;
        if (!ui_key_parse(words[i], &k)) {
            *error = g_strdup_printf(_("unknown key \"%1$s\" for %2$s"), words[i], name);
            return false;
        }
        g_array_append_val(parsed, k);
    }
    while (km->keys[b]->len > 0)
        unbind_key(km, g_array_index(km->keys[b], ui_key, 0));
    for (guint i = 0; i < parsed->len; i++) {
        ui_key k = g_array_index(parsed, ui_key, i);
        unbind_key(km, k);
        g_array_append_val(km->keys[b], k);
        g_hash_table_insert(km->map, GINT_TO_POINTER(k), GINT_TO_POINTER(b + 1));
    }
    return true;
}

bool
ui_keymap_parse(struct ui_keymap *km, const char *text, GString *errors)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    bool ok = true;

    for (guint i = 0; lines[i]; i++) {
        char *line = g_strstrip(lines[i]);
        char *eq;
        g_autofree char *error = NULL;

        if (!*line || *line == '#')
            continue;
        eq = strchr(line, '=');
        if (!eq) {
            g_string_append_printf(errors, _("keys line %u: expected name = keys\n"), i + 1);
            ok = false;
            continue;
        }
        *eq = '\0';
        if (!ui_keymap_bind(km, g_strstrip(line), g_strstrip(eq + 1), &error)) {
            g_string_append_printf(errors, _("keys line %1$u: %2$s\n"), i + 1, error);
            ok = false;
        }
    }
    return ok;
}

static int
compare_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

bool
ui_keymap_apply(struct ui_keymap *km, const struct vd_config *cfg, GString *errors)
{
    GHashTable *overrides = cfg ? cfg->keys : NULL;
    g_autofree gpointer *names = NULL;
    guint n = 0;
    bool ok = true;

    if (!overrides)
        return true;
    names = g_hash_table_get_keys_as_array(overrides, &n);
    qsort(names, n, sizeof(gpointer), compare_str);
    for (guint i = 0; i < n; i++) {
        const char *spec = g_hash_table_lookup(overrides, names[i]);
        g_autofree char *error = NULL;
        if (!ui_keymap_bind(km, names[i], spec ? spec : "", &error)) {
            guint line = vd_config_line(cfg, "keys", names[i]);
            if (line)
                g_string_append_printf(errors, _("config line %1$u: %2$s"), line, error);
            else
                g_string_append_printf(errors, _("[keys] %s"), error);
            g_string_append_c(errors, '\n');
            ok = false;
        }
    }
    return ok;
}

int
ui_keymap_lookup(const struct ui_keymap *km, ui_key k)
{
    return GPOINTER_TO_INT(g_hash_table_lookup(km->map, GINT_TO_POINTER(k))) - 1;
}

guint
ui_keymap_n_keys(const struct ui_keymap *km, int b)
{
    return b >= 0 && b < UI_BIND_LAST ? km->keys[b]->len : 0;
}

ui_key
ui_keymap_key(const struct ui_keymap *km, int b, guint i)
{
    return g_array_index(km->keys[b], ui_key, i);
}

char *
ui_keymap_keys_text(const struct ui_keymap *km, int b)
{
    GString *s = g_string_new(NULL);

    for (guint i = 0; i < ui_keymap_n_keys(km, b); i++) {
        g_autofree char *name = ui_key_format(ui_keymap_key(km, b, i));
        if (i)
            g_string_append(s, ", ");
        g_string_append(s, name);
    }
    return g_string_free(s, FALSE);
}

char *
ui_keymap_label(const struct ui_keymap *km, int b, bool fkey)
{
    guint n = ui_keymap_n_keys(km, b);

    if (n == 0)
        return NULL;
    if (fkey) {
        for (guint i = 0; i < n; i++) {
            ui_key k = ui_keymap_key(km, b, i);
            if ((k & UI_KEY_FN) && (k & ~UI_KEY_FN) >= KEY_F(1) && (k & ~UI_KEY_FN) <= KEY_F(24))
                return ui_key_format(k);
        }
    }
    return ui_key_format(ui_keymap_key(km, b, 0));
}
