/* virtdeck - configuration file ($XDG_CONFIG_HOME/virtdeck/config)
 * (named conf.h: "config.h" is autoconf's generated header)
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * GKeyFile. Example:
 *   [general]
 *   theme=default
 *   refresh=5
 *   [connection:lab]
 *   uri=qemu+ssh://root@10.0.0.2/system
 *   autoconnect=true
 *   [keys]
 *   force-off=F9
 *   [console]
 *   escape-key=C-]     (leaves a console, like virsh)
 *   menu-key=C-^       (the console menu: full screen, scroll back...)
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

struct vd_saved_conn {
    char *name;
    char *uri;
    bool autoconnect;
    char *group;              /* group/tag in the connection manager, NULL: none */
};

struct vd_config {
    char *path;               /* file it was loaded from / is saved to */
    char *theme;              /* default "default" */
    guint refresh_s;          /* statistics tick, default 2 */
    bool history;             /* keep RRD history, default true */
    GPtrArray *conns;         /* struct vd_saved_conn * */
    GHashTable *keys;         /* binding name -> key spec, user overrides */
    int console_escape;       /* control character leaving a console (C-] = 0x1d) */
    int console_menu;         /* control character opening the console menu (C-^) */
    GKeyFile *kf;             /* whole file, to keep unknown keys on save */
    GHashTable *lines;        /* "group\nkey" (or "group") -> line number */
};

#define VD_CONSOLE_ESCAPE_DEFAULT 0x1d   /* C-] */
#define VD_CONSOLE_MENU_DEFAULT 0x1e     /* C-^ */

/* "C-]" -> 0x1d: Ctrl keys C-a .. C-z and C-[ C-\ C-] C-^ C-_. */
bool vd_parse_ctrl_key(const char *spec, int *out);

/* Line of a key (or of a group with key NULL) in the loaded file, 0 if
 * unknown: for messages about values the caller checks itself. */
guint vd_config_line(const struct vd_config *cfg, const char *group, const char *key);

/* Path of the config file: $XDG_CONFIG_HOME/virtdeck/config. */
char *vd_config_default_path(void);

/* Load from path. A missing file gives defaults and returns the config.
 * A malformed file still gives a usable config (defaults for what could not
 * be read) and *warning is set to a translated message naming the line
 * ("config line 7: ..."). Never fails hard. */
struct vd_config *vd_config_load(const char *path, char **warning);
void vd_config_free(struct vd_config *cfg);

/* Add (or update by URI) a saved connection and write the file. */
bool vd_config_add_conn(struct vd_config *cfg, const char *name, const char *uri,
                        bool autoconnect, GError **error);
/* Replace the saved connection named old_name (NULL or not found: add one)
 * with these values and write the file. group may be NULL or empty. A name
 * another connection already has is refused (translated *error). */
bool vd_config_set_conn(struct vd_config *cfg, const char *old_name, const char *name,
                        const char *uri, bool autoconnect, const char *group, GError **error);
/* Remove a saved connection by name and write the file. */
bool vd_config_remove_conn(struct vd_config *cfg, const char *name, GError **error);
const struct vd_saved_conn *vd_config_find_conn(const struct vd_config *cfg, const char *name);
bool vd_config_save(struct vd_config *cfg, GError **error);
