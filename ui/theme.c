/* virtdeck - semantic colour slots and theme files
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <config.h>

#include <string.h>

#include "i18n.h"
#include "ui/theme.h"

#define VD_COLOR_NAME(id, key) key,
static const char *const slot_names[] = { VD_COLOR_SLOTS(VD_COLOR_NAME) };
#undef VD_COLOR_NAME

static attr_t slot_attr[VD_C_LAST];

/* Built-in copies of themes/default.theme and themes/mono.theme: used when
 * the files cannot be found or are broken. Keep them in sync. */
static const char builtin_default[] =
    "[theme]\n"
    "name=Default\n"
    "[colors]\n"
    "normal=default,default\n"
    "header=black,cyan\n"
    "title=cyan,default,bold\n"
    "column_header=black,green\n"
    "selected=black,cyan\n"
    "selected_unfocused=black,white\n"
    "marked=yellow,default,bold\n"
    "status_ok=green,default\n"
    "status_error=brightred,default,bold\n"
    "status_info=cyan,default\n"
    "fkey_key=white,black\n"
    "fkey_label=black,cyan\n"
    "border=blue,default\n"
    "host_connected=green,default,bold\n"
    "host_connecting=yellow,default\n"
    "host_not_responding=magenta,default,bold\n"
    "host_disconnected=red,default\n"
    "dom_running=green,default\n"
    "dom_paused=yellow,default\n"
    "dom_shutoff=default,default\n"
    "dom_crashed=red,default,bold\n"
    "dom_other=cyan,default\n"
    "dialog=black,white\n"
    "dialog_title=blue,white,bold\n"
    "dialog_field=white,blue\n"
    "dialog_focus=black,cyan\n"
    "dialog_error=red,white,bold\n"
    "help_key=yellow,default,bold\n"
    "help_group=cyan,default,bold\n"
    "filter=black,yellow\n"
    "dim=brightblack,default\n"
    "dim.16=default,default,dim\n"
    "error_text=red,default\n";

static const char builtin_mono[] =
    "[theme]\n"
    "name=Monochrome\n"
    "[colors]\n"
    "normal=default,default\n"
    "header=default,default,reverse\n"
    "title=default,default,bold\n"
    "column_header=default,default,underline\n"
    "selected=default,default,reverse\n"
    "selected_unfocused=default,default,underline\n"
    "marked=default,default,bold\n"
    "status_ok=default,default\n"
    "status_error=default,default,bold\n"
    "status_info=default,default\n"
    "fkey_key=default,default\n"
    "fkey_label=default,default,reverse\n"
    "border=default,default\n"
    "host_connected=default,default,bold\n"
    "host_connecting=default,default\n"
    "host_not_responding=default,default,underline\n"
    "host_disconnected=default,default,dim\n"
    "dom_running=default,default,bold\n"
    "dom_paused=default,default,underline\n"
    "dom_shutoff=default,default\n"
    "dom_crashed=default,default,bold,underline\n"
    "dom_other=default,default\n"
    "dialog=default,default,reverse\n"
    "dialog_title=default,default,reverse,bold\n"
    "dialog_field=default,default,underline\n"
    "dialog_focus=default,default,bold,underline\n"
    "dialog_error=default,default,reverse,bold\n"
    "help_key=default,default,bold\n"
    "help_group=default,default,underline\n"
    "filter=default,default,reverse\n"
    "dim=default,default,dim\n"
    "error_text=default,default,bold\n";

attr_t
vd_attr(enum vd_color slot)
{
    if (slot >= VD_C_LAST)
        return A_NORMAL;
    return slot_attr[slot];
}

const char *
vd_color_slot_name(enum vd_color slot)
{
    return slot < VD_C_LAST ? slot_names[slot] : "?";
}

static const char *const color_names[] = {
    "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

/* 256-colour index to the nearest of the 16 basic colours. */
static int
map_256_to_16(int n)
{
    int r, g, b, bright;

    if (n < 16)
        return n;
    if (n >= 232)
        return n < 238 ? 0 : n < 244 ? 8 : n < 250 ? 7 : 15;
    n -= 16;
    r = n / 36;
    g = (n / 6) % 6;
    b = n % 6;
    bright = (r > 3 || g > 3 || b > 3) ? 8 : 0;
    return ((r >= 2) | ((g >= 2) << 1) | ((b >= 2) << 2)) + bright;
}

/* Parse one colour. Returns false if unknown. *value is -1 for default;
 * *bold is set when a bright colour had to be shown as bold. */
static bool
parse_color(const char *s, int ncolors, int *value, bool *bold)
{
    char *end;
    long n;

    if (g_ascii_strcasecmp(s, "default") == 0) {
        *value = -1;
        return true;
    }
    for (int i = 0; i < 8; i++) {
        if (g_ascii_strcasecmp(s, color_names[i]) == 0) {
            *value = i;
            return true;
        }
        if (g_ascii_strncasecmp(s, "bright", 6) == 0 &&
            g_ascii_strcasecmp(s + 6, color_names[i]) == 0) {
            n = i + 8;
            goto number;
        }
    }
    n = strtol(s, &end, 10);
    if (end == s || *end || n < 0 || n > 255)
        return false;
number:
    if (ncolors < 256 && n >= 16)
        n = map_256_to_16((int)n);
    if (ncolors < 16 && n >= 8) {
        n -= 8;
        *bold = true;
    }
    *value = (int)n;
    return true;
}

static bool
parse_attr(const char *s, attr_t *attr)
{
    static const struct { const char *name; attr_t attr; } attrs[] = {
        { "bold", A_BOLD }, { "reverse", A_REVERSE },
        { "underline", A_UNDERLINE }, { "dim", A_DIM }, { "normal", A_NORMAL },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(attrs); i++) {
        if (g_ascii_strcasecmp(s, attrs[i].name) == 0) {
            *attr |= attrs[i].attr;
            return true;
        }
    }
    return false;
}

/* "fg,bg[,attr...]" -> attribute (and colour pair slot+1 when use_color). */
static bool
parse_slot(enum vd_color slot, const char *spec, bool use_color, int ncolors,
           attr_t *out, char **error)
{
    g_auto(GStrv) parts = g_strsplit(spec, ",", -1);
    guint n = g_strv_length(parts);
    int fg = -1, bg = -1;
    bool bold = false, bgbold = false;
    attr_t attr = A_NORMAL;

    for (guint i = 0; i < n; i++)
        g_strstrip(parts[i]);
    if (n < 2) {
        *error = g_strdup_printf(_("colour \"%1$s\" for %2$s: expected fg,bg[,attributes]"),
                                 spec, slot_names[slot]);
        return false;
    }
    if (!parse_color(parts[0], ncolors, &fg, &bold) ||
        !parse_color(parts[1], ncolors, &bg, &bgbold)) {
        *error = g_strdup_printf(_("unknown colour in \"%1$s\" for %2$s"), spec, slot_names[slot]);
        return false;
    }
    for (guint i = 2; i < n; i++) {
        if (!parse_attr(parts[i], &attr)) {
            *error = g_strdup_printf(_("unknown attribute \"%1$s\" for %2$s"),
                                     parts[i], slot_names[slot]);
            return false;
        }
    }
    if (use_color) {
        if (bold)
            attr |= A_BOLD;
        if (init_pair((short)(slot + 1), (short)fg, (short)bg) != ERR)
            attr |= COLOR_PAIR(slot + 1);
    }
    *out = attr;
    return true;
}

bool
ui_theme_parse(const char *text, bool use_color, int ncolors, char **error)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GError) err = NULL;
    attr_t attrs[VD_C_LAST];

    if (!g_key_file_load_from_data(kf, text, -1, G_KEY_FILE_NONE, &err)) {
        *error = g_strdup(err->message);
        return false;
    }
    if (!g_key_file_has_group(kf, "colors")) {
        *error = g_strdup(_("no [colors] section"));
        return false;
    }
    for (int s = 0; s < VD_C_LAST; s++) {
        g_autofree char *key16 = g_strdup_printf("%s.16", slot_names[s]);
        g_autofree char *spec = NULL;

        if (use_color && ncolors < 256)
            spec = g_key_file_get_string(kf, "colors", key16, NULL);
        if (!spec)
            spec = g_key_file_get_string(kf, "colors", slot_names[s], NULL);
        if (!spec) {
            attrs[s] = s == VD_C_NORMAL ? A_NORMAL : attrs[VD_C_NORMAL];
            continue;
        }
        if (!parse_slot(s, spec, use_color, ncolors, &attrs[s], error))
            return false;
    }
    memcpy(slot_attr, attrs, sizeof(attrs));
    return true;
}

static char *
find_theme_file(const char *name)
{
    g_autofree char *file = g_strconcat(name, ".theme", NULL);
    const char *dirs[3];
    g_autofree char *user = g_build_filename(g_get_user_config_dir(), "virtdeck", "themes", NULL);

    if (strchr(name, '/'))
        return g_file_test(name, G_FILE_TEST_IS_REGULAR) ? g_strdup(name) : NULL;
    dirs[0] = user;
    dirs[1] = VD_DATADIR "/themes";
    dirs[2] = VD_SRCTHEMEDIR;
    for (size_t i = 0; i < G_N_ELEMENTS(dirs); i++) {
        char *path = g_build_filename(dirs[i], file, NULL);
        if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
            return path;
        g_free(path);
    }
    return NULL;
}

void
ui_theme_init(const char *name, bool use_color, char **warning)
{
    g_autofree char *path = NULL;
    g_autofree char *text = NULL;
    g_autofree char *error = NULL;
    g_autoptr(GError) err = NULL;
    int ncolors = 0;

    if (use_color) {
        start_color();
        use_default_colors();
        ncolors = COLORS;
    }
    if (!use_color)
        name = "mono";
    else if (!name || !*name)
        name = "default";

    path = find_theme_file(name);
    if (!path) {
        if (strcmp(name, "default") != 0 && strcmp(name, "mono") != 0)
            *warning = g_strdup_printf(_("Theme \"%s\" not found, using the default theme"), name);
    } else if (!g_file_get_contents(path, &text, NULL, &err)) {
        *warning = g_strdup_printf(_("Cannot read theme %1$s: %2$s"), path, err->message);
    } else if (!ui_theme_parse(text, use_color, ncolors, &error)) {
        *warning = g_strdup_printf(_("Theme %1$s is broken (%2$s), using the default theme"),
                                   path, error);
    } else {
        return;
    }
    g_clear_pointer(&error, g_free);
    if (!ui_theme_parse(use_color ? builtin_default : builtin_mono, use_color, ncolors, &error))
        g_warning("built-in theme: %s", error);
}
