/* virtdeck - the help overlay, generated from the key bindings
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <config.h>

#include "i18n.h"
#include "ui/app.h"
#include "ui/console.h"
#include "ui/draw.h"

struct help_line {
    int binding;            /* -1: group header or text; -2: a key that is no binding */
    char *keys;
    const char *text;
    enum vd_color slot;
};

static void
help_line_free(gpointer p)
{
    struct help_line *l = p;
    g_free(l->keys);
    g_free(l);
}

static void
add_line(GPtrArray *lines, int binding, char *keys, const char *text, enum vd_color slot)
{
    struct help_line *l = g_new0(struct help_line, 1);

    l->binding = binding;
    l->keys = keys;
    l->text = text;
    l->slot = slot;
    g_ptr_array_add(lines, l);
}

static void
add_screen_lines(GPtrArray *lines, const struct ui_help_entry *e)
{
    for (; e->text; e++) {
        if (!e->keys) {
            add_line(lines, -1, NULL, "", VD_C_NORMAL);
            add_line(lines, -1, NULL, _(e->text), VD_C_HELP_GROUP);
        } else {
            add_line(lines, UI_BIND_LAST, g_strdup(e->keys), _(e->text), VD_C_NORMAL);
        }
    }
}

static GPtrArray *
help_lines(const struct ui_app *app)
{
    GPtrArray *lines = g_ptr_array_new_with_free_func(help_line_free);

    for (int g = 0; g < UI_GROUP_LAST; g++) {
        /* the keys of the views (screens) before the general ones */
        if (g == UI_GROUP_GENERAL)
            add_screen_lines(lines, ui_storage_help);
        if (g)
            add_line(lines, -1, NULL, "", VD_C_NORMAL);
        add_line(lines, -1, NULL, ui_group_label(g), VD_C_HELP_GROUP);
        for (int b = 0; b < UI_BIND_LAST; b++) {
            if ((int)ui_binding_group(b) != g)
                continue;
            add_line(lines, b, ui_keymap_keys_text(app->keymap, b), ui_binding_help(b), VD_C_NORMAL);
        }
    }
    if (ui_networks_open_p(app)) {
        g_auto(GStrv) keys = ui_networks_keys(app);
        add_line(lines, -1, NULL, "", VD_C_NORMAL);
        add_line(lines, -1, NULL, _("Networks screen"), VD_C_HELP_GROUP);
        for (guint i = 0; keys[i] && keys[i + 1]; i += 2)
            add_line(lines, -2, g_strdup(keys[i]), g_intern_string(keys[i + 1]), VD_C_NORMAL);
    }
    /* the console screen's own keys ([console] in the configuration) */
    add_line(lines, -1, NULL, "", VD_C_NORMAL);
    add_line(lines, -1, NULL, _("In a console"), VD_C_HELP_GROUP);
    add_line(lines, -2, ui_console_key_label(app->cfg ? app->cfg->console_escape : VD_CONSOLE_ESCAPE_DEFAULT),
             _("Leave the console (back to the list; with --console: quit)"), VD_C_NORMAL);
    add_line(lines, -2, ui_console_key_label(app->cfg ? app->cfg->console_menu : VD_CONSOLE_MENU_DEFAULT),
             _("Console menu: full screen, scroll back, reset, send the escape key"), VD_C_NORMAL);
    add_line(lines, -2, g_strdup(_("Shift+PgUp/PgDn")), _("Scroll back through a serial console's output"),
             VD_C_NORMAL);
    add_line(lines, -2, g_strdup(_("Other keys")), _("Go to the guest (Alt+key as ESC key)"), VD_C_NORMAL);
    add_line(lines, -2, g_strdup_printf(_("%s then 2"), ui_console_key_label(app->cfg ? app->cfg->console_menu : VD_CONSOLE_MENU_DEFAULT)),
             _("VNC: next render mode (text, half blocks, quadrants, ASCII)"), VD_C_NORMAL);
    add_line(lines, -2, g_strdup(_("… then 3, 4")), _("VNC: fit to the pane or 1:1; pan the 1:1 view with the arrows"),
             VD_C_NORMAL);
    add_line(lines, -2, g_strdup(_("… then 5")),
             _("VNC: send Ctrl+Alt+Del/Backspace/F1-F12, PrintScreen, SysRq"),
             VD_C_NORMAL);
    add_line(lines, -2, g_strdup(_("… then 6")), _("VNC: type a line of text as keystrokes (a paste is typed too)"),
             VD_C_NORMAL);
    add_line(lines, -2, g_strdup(_("Mouse")), _("VNC: clicks, wheel and moves go to the guest"),
             VD_C_NORMAL);
    add_line(lines, -1, NULL, "", VD_C_NORMAL);
    add_line(lines, -1, NULL,
             _("Keys are set in the [keys] section of the configuration file, by name: force-off = F9 D"),
             VD_C_DIM);
    return lines;
}

static int
help_height(const struct ui_app *app)
{
    return MAX(app->lay.rows - 4, 3);
}

void
ui_help_draw(const struct ui_app *app)
{
    g_autoptr(GPtrArray) lines = help_lines(app);
    int w = MIN(app->lay.cols - 4, 90), h = help_height(app);
    int x = (app->lay.cols - w) / 2, y = 2, inner = h - 2, keyw = 16;
    attr_t attr = vd_attr(VD_C_NORMAL);
    g_autofree char *title = g_strdup_printf(" %s ", _("virtdeck help"));
    g_autofree char *footer = g_strdup_printf(" %s ", _("Esc or q: close, arrows: scroll"));

    ui_draw_rect(y, x, h, w, attr);
    ui_draw_box(y, x, h, w, vd_attr(VD_C_BORDER));
    ui_draw_text(y, x + 2, w - 4, title, vd_attr(VD_C_TITLE), UI_ALIGN_CENTER, false);
    ui_draw_text(y + h - 1, x + 2, w - 4, footer, vd_attr(VD_C_DIM), UI_ALIGN_RIGHT, false);
    for (int i = 0; i < inner && app->help_top + i < lines->len; i++) {
        const struct help_line *l = g_ptr_array_index(lines, app->help_top + i);
        int ly = y + 1 + i;

        if (l->binding == -1) {
            ui_draw_text(ly, x + 2, w - 4, l->text, vd_attr(l->slot), UI_ALIGN_LEFT, false);
            continue;
        }
        if (l->keys && *l->keys)
            ui_draw_text(ly, x + 3, keyw, l->keys, vd_attr(VD_C_HELP_KEY), UI_ALIGN_LEFT, false);
        else
            /* TRANSLATORS: help overlay, a command without a key */
            ui_draw_text(ly, x + 3, keyw, _("(no key)"), vd_attr(VD_C_DIM), UI_ALIGN_LEFT, false);
        ui_draw_text(ly, x + 3 + keyw + 1, w - keyw - 6, l->text, attr, UI_ALIGN_LEFT, false);
    }
}

unsigned
ui_help_key(struct ui_app *app, ui_key k)
{
    g_autoptr(GPtrArray) lines = help_lines(app);
    int inner = help_height(app) - 2;
    int max_top = MAX((int)lines->len - inner, 0);
    int top = (int)app->help_top;
    int b = ui_keymap_lookup(app->keymap, k);

    if (k == UI_KEY_ESC || k == 'q' || b == UI_CMD_HELP || b == UI_CMD_QUIT) {
        app->help_open = false;
        return UI_REDRAW;
    }
    switch (b) {
    case UI_CMD_MOVE_DOWN: top++; break;
    case UI_CMD_MOVE_UP: top--; break;
    case UI_CMD_PAGE_DOWN: top += inner - 1; break;
    case UI_CMD_PAGE_UP: top -= inner - 1; break;
    case UI_CMD_FIRST_ROW: top = 0; break;
    case UI_CMD_LAST_ROW: top = max_top; break;
    case UI_CMD_REDRAW: return UI_REPAINT | UI_REDRAW;
    default:
        if (k == ' ')
            top += inner - 1;
        break;
    }
    app->help_top = (guint)CLAMP(top, 0, max_top);
    return UI_REDRAW;
}
