/* virtdeck - UI commands and key bindings
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A binding is either a UI command (the table below) or a domain action
 * from src/actions.h, both named ("move-down", "force-off"). Keys are
 * configuration: the defaults are a built-in text in the same
 * "name = key key ..." form as the user's [keys] section, parsed by the
 * same code. Key specs: a character ("x", "?", "*"), C-x (Ctrl), F1-F12,
 * Up Down Left Right PgUp PgDn Home End Ins Del Tab S-Tab Enter Esc Space
 * Backspace; "none" unbinds. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include "actions.h"

enum ui_group {
    UI_GROUP_MOVE = 0,
    UI_GROUP_LIST,
    UI_GROUP_DOMAIN,
    UI_GROUP_HOST,
    UI_GROUP_GENERAL,
    UI_GROUP_LAST
};

/* _(ID, "name", N_("help text"), group) */
#define UI_COMMANDS(_) \
    _(MOVE_DOWN,      "move-down",      N_("Move down"),                            UI_GROUP_MOVE) \
    _(MOVE_UP,        "move-up",        N_("Move up"),                              UI_GROUP_MOVE) \
    _(PAGE_DOWN,      "page-down",      N_("Page down"),                            UI_GROUP_MOVE) \
    _(PAGE_UP,        "page-up",        N_("Page up"),                              UI_GROUP_MOVE) \
    _(FIRST_ROW,          "first",          N_("Go to the first row"),                  UI_GROUP_MOVE) \
    _(LAST_ROW,           "last",           N_("Go to the last row"),                   UI_GROUP_MOVE) \
    _(FOCUS_HOSTS,    "focus-hosts",    N_("Focus the host tree (left pane)"),      UI_GROUP_MOVE) \
    _(FOCUS_DOMAINS,  "focus-domains",  N_("Focus the domain list (right pane)"),   UI_GROUP_MOVE) \
    _(MARK,           "mark",           N_("Mark or unmark the domain and move down"), UI_GROUP_LIST) \
    _(MARK_ALL,       "mark-all",       N_("Mark all visible domains, or clear the marks"), UI_GROUP_LIST) \
    _(CLEAR,          "clear",          N_("Cancel a save or restore, else clear filter and marks"),       UI_GROUP_LIST) \
    _(FILTER,         "filter",         N_("Filter domains by name"),               UI_GROUP_LIST) \
    _(SORT_NEXT,      "sort-next",      N_("Sort by the next column"),              UI_GROUP_LIST) \
    _(SORT_REVERSE,   "sort-reverse",   N_("Reverse the sort order"),               UI_GROUP_LIST) \
    _(COLUMNS,        "columns",        N_("Choose the columns of the domain list"), UI_GROUP_LIST) \
    _(PAUSE_TOGGLE,   "pause-resume",   N_("Pause a running domain, resume a paused one"), UI_GROUP_DOMAIN) \
    _(AUTOSTART_TOGGLE, "autostart-toggle", N_("Toggle autostart"),                 UI_GROUP_DOMAIN) \
    _(CONSOLE,        "console",        N_("Open the domain's console (in the host tree: focus the domain list)"), UI_GROUP_DOMAIN) \
    _(SERIAL_CONSOLE, "serial-console", N_("Open the domain's serial (text) console"), UI_GROUP_DOMAIN) \
    _(VNC_CONSOLE,    "vnc-console",    N_("Open the domain's VNC (graphical) console"), UI_GROUP_DOMAIN) \
    _(MIGRATE,        "migrate",        N_("Migrate the domain to another connected host (again: downtime, bandwidth)"), UI_GROUP_DOMAIN) \
    _(GRAPHS,         "graphs",         N_("History graphs of the domain (or host)"), UI_GROUP_DOMAIN) \
    _(CLONE,          "clone",          N_("Clone the virtual machine (new name, MACs, copied disks)"), UI_GROUP_DOMAIN) \
    _(NEW_VM,         "new-vm",         N_("New virtual machine (wizard) on the selected host"), UI_GROUP_HOST) \
    _(NEW_CONTAINER,  "new-container",  N_("New container (wizard) on an lxc:// host"), UI_GROUP_HOST) \
    _(PRUNE_HISTORY,  "prune-history",  N_("Delete the history of vanished domains"), UI_GROUP_HOST) \
    _(TOP,            "top",            N_("Top: running domains of all hosts by CPU"), UI_GROUP_HOST) \
    _(NETWORKS,       "networks",       N_("Virtual networks of the host: DHCP leases, static hosts"), UI_GROUP_HOST) \
    _(STORAGE,        "storage",        N_("Storage pools and volumes of the host"), UI_GROUP_HOST) \
    _(NEXT_HOST,      "next-host",      N_("Next host"),                            UI_GROUP_HOST) \
    _(PREV_HOST,      "prev-host",      N_("Previous host"),                        UI_GROUP_HOST) \
    _(HOST_1,         "host-1",         N_("Go to host 1"),                         UI_GROUP_HOST) \
    _(HOST_2,         "host-2",         N_("Go to host 2"),                         UI_GROUP_HOST) \
    _(HOST_3,         "host-3",         N_("Go to host 3"),                         UI_GROUP_HOST) \
    _(HOST_4,         "host-4",         N_("Go to host 4"),                         UI_GROUP_HOST) \
    _(HOST_5,         "host-5",         N_("Go to host 5"),                         UI_GROUP_HOST) \
    _(HOST_6,         "host-6",         N_("Go to host 6"),                         UI_GROUP_HOST) \
    _(HOST_7,         "host-7",         N_("Go to host 7"),                         UI_GROUP_HOST) \
    _(HOST_8,         "host-8",         N_("Go to host 8"),                         UI_GROUP_HOST) \
    _(HOST_9,         "host-9",         N_("Go to host 9"),                         UI_GROUP_HOST) \
    _(ADD_CONNECTION, "add-connection", N_("Add a connection"),                     UI_GROUP_HOST) \
    _(RECONNECT,      "reconnect",      N_("Reconnect the selected host"),          UI_GROUP_HOST) \
    _(HOSTS_MANAGER,  "hosts-manager",  N_("Connections: saved hosts, find a host by name (type), connect, disconnect"), UI_GROUP_HOST) \
    _(HELP,           "help",           N_("Show this help"),                       UI_GROUP_GENERAL) \
    _(SHOW_MESSAGE,   "show-message",   N_("Show the last message in full"),        UI_GROUP_GENERAL) \
    _(REDRAW,         "redraw",         N_("Repaint the screen"),                   UI_GROUP_GENERAL) \
    _(QUIT,           "quit",           N_("Quit"),                                 UI_GROUP_GENERAL)

#define UI_CMD_ENUM(id, name, help, group) UI_CMD_##id,
enum ui_cmd {
    UI_COMMANDS(UI_CMD_ENUM)
    UI_CMD_LAST
};
#undef UI_CMD_ENUM

/* Bindings: UI commands first, then domain actions. */
#define UI_BIND_ACTION(a) (UI_CMD_LAST + (int)(a))
#define UI_BIND_LAST UI_BIND_ACTION(VD_ACTION_LAST)
#define UI_BIND_IS_ACTION(b) ((b) >= UI_CMD_LAST && (b) < UI_BIND_LAST)
#define UI_BIND_TO_ACTION(b) ((enum vd_action)((b) - UI_CMD_LAST))

/* A key: a Unicode character (control characters for Ctrl-x), or
 * UI_KEY_FN | a curses KEY_* code. */
typedef int ui_key;
#define UI_KEY_FN 0x40000000
#define UI_KEY_ESC 27

int ui_binding_from_name(const char *name);    /* -1 if unknown */
const char *ui_binding_name(int b);
const char *ui_binding_help(int b);            /* translated */
enum ui_group ui_binding_group(int b);
const char *ui_group_label(enum ui_group g);   /* translated */

bool ui_key_parse(const char *spec, ui_key *out);
char *ui_key_format(ui_key k);

struct ui_keymap;
/* A keymap with the built-in defaults. */
struct ui_keymap *ui_keymap_new(void);
void ui_keymap_free(struct ui_keymap *km);
/* Bind name to the keys in spec (space separated), replacing its keys and
 * taking each key away from any other binding. */
bool ui_keymap_bind(struct ui_keymap *km, const char *name, const char *spec, char **error);
/* Parse "name = keys" lines ('#' comments). Errors are appended to *errors
 * (translated, one per line) and the rest still applies. */
bool ui_keymap_parse(struct ui_keymap *km, const char *text, GString *errors);
/* Apply user overrides (binding name -> key spec), e.g. config->keys. */
struct vd_config;
/* Apply the [keys] section of the configuration; errors name their line. */
bool ui_keymap_apply(struct ui_keymap *km, const struct vd_config *cfg, GString *errors);
int ui_keymap_lookup(const struct ui_keymap *km, ui_key k);   /* binding or -1 */
guint ui_keymap_n_keys(const struct ui_keymap *km, int b);
ui_key ui_keymap_key(const struct ui_keymap *km, int b, guint i);
/* "j, Down" or "" */
char *ui_keymap_keys_text(const struct ui_keymap *km, int b);
/* The preferred key to show for b (an F-key when fkey and there is one);
 * newly allocated, NULL when unbound. */
char *ui_keymap_label(const struct ui_keymap *km, int b, bool fkey);

extern const char ui_default_keys[];
