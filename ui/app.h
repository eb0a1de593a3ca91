/* virtdeck - application state and the UI main loop
 * SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include "conn.h"
#include "conf.h"
#include "ui/keys.h"
#include "ui/list.h"
#include "ui/theme.h"

/* What a handler asks for (htop's HandlerResult). */
enum {
    UI_OK = 0,
    UI_REDRAW = 1u << 0,     /* draw again */
    UI_RECALC = 1u << 1,     /* rebuild list rows (filter, sort, marks changed) */
    UI_REPAINT = 1u << 2,    /* forget what is on the terminal (Ctrl-L) */
    UI_QUIT = 1u << 3,
};

struct ui_host {
    struct vd_conn *conn;
    struct vd_host_snap *snap;      /* latest, own reference, never NULL */
    enum vd_host_state last_state;
    GHashTable *marks;              /* domain UUID -> (set) */
    char *name;                     /* saved connection name or NULL */
    char *sel_uuid;                 /* domain selected when we left this host */
    guint index;
};

enum ui_focus {
    UI_FOCUS_HOSTS = 0,
    UI_FOCUS_DOMAINS,
};

struct ui_tree_row {
    guint host;
    int dom;                        /* index in the host's domains, -1: the host */
    char key[64];
};

struct ui_layout {
    int rows, cols;
    bool too_small;
    bool narrow;                    /* tree shows names only */
    int pane_y, pane_h;             /* between title bar and status */
    int left_w;                     /* tree pane, without the separator */
    int tree_h;                     /* tree list rows (with its header) */
    int info_y, info_h;             /* host details under the tree */
    int right_x, right_w;
    int dom_msg_h;                  /* lines of host error above the domain list */
    int status_y, status_h;
    int fkey_y;
};

struct ui_dialog;
struct ui_app;

/* A screen: a view that covers the panes (or the whole terminal) until it
 * is closed: storage, networks, a console, a wizard... Screens stack; the
 * top one gets the keys and is drawn over the host and domain panes, with
 * the status line and F-key bar still drawn by the app unless fullscreen. */
/* One item of the F-key bar: the key shown is the keymap's label for
 * binding, or key when binding is UI_FKEY_LITERAL; a list ends with label
 * NULL. */
#define UI_FKEY_LITERAL (-1)
struct ui_fkey {
    int binding;
    const char *key;
    const char *label;                      /* NC_("fkey", ...): 6 cells */
    int drop;                               /* dropped first when the bar does not fit: highest */
};

struct ui_screen_ops {
    const char *name;                       /* stable id: "storage" */
    bool fullscreen;                        /* no title, status or F-key bar */
    void (*draw)(const struct ui_app *app, gpointer state);
    unsigned (*key)(struct ui_app *app, gpointer state, ui_key k);   /* UI_* flags */
    void (*recalc)(struct ui_app *app, gpointer state);   /* may be NULL: snapshots changed */
    /* may be NULL: a mouse event inside the screen (curses MEVENT fields) */
    unsigned (*mouse)(struct ui_app *app, gpointer state, int y, int x, unsigned long bstate);
    void (*free)(gpointer state);
    /* may be NULL: the screen's F-key bar (valid until the next draw); the
     * main screen's bar when NULL */
    const struct ui_fkey *(*fkeys)(const struct ui_app *app, gpointer state);
};

struct ui_screen {
    const struct ui_screen_ops *ops;
    gpointer state;
};

struct ui_app {
    GMainLoop *loop;
    GMainContext *ctx;              /* the UI thread's own context: libvirt's
                                       event loop runs the default one */
    struct vd_config *cfg;
    struct ui_keymap *keymap;
    struct vd_conn_options conn_opt;
    GPtrArray *hosts;               /* struct ui_host * */
    guint cur;                      /* selected host */
    enum ui_focus focus;

    GArray *tree_rows;              /* struct ui_tree_row */
    struct ui_list tree;
    struct ui_list doms;
    int doms_host;                  /* host the domain list shows, -1 none */
    char *dom_empty;                /* text shown by an empty domain list */
    char *dom_msg;                  /* host problem shown above the domain list */

    char *status;                   /* last message, full */
    enum vd_color status_slot;
    char *filter;                   /* active domain filter or NULL */
    GString *prompt;                /* filter being edited, NULL when not */
    bool help_open;
    guint help_top;
    struct ui_graph_state *graph;   /* history view, NULL when closed */
    struct ui_top_state *top;       /* top view across hosts, NULL when closed */
    struct ui_dialog *dialog;
    GArray *screens;                /* struct ui_screen, top last */

    struct ui_layout lay;
    bool ascii;
    bool use_color;
    GSource *redraw_src;
    GSource *sources[5];
    int exit_code;
    int saved_stderr;               /* the terminal's stderr while curses runs */
};

struct ui_app *ui_app_new(struct vd_config *cfg);
void ui_app_free(struct ui_app *app);
/* Open a connection and add it as a host; returns its index. */
guint ui_app_add_host(struct ui_app *app, const char *uri, const char *name);
/* Close the host's connection and drop it from the tree. */
void ui_app_remove_host(struct ui_app *app, guint index);
/* Close the host's connection, keep it in the tree as disconnected
 * (vd_conn_reconnect connects it again). */
void ui_app_disconnect_host(struct ui_app *app, guint index);
void ui_app_set_status(struct ui_app *app, enum vd_color slot, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* initscr, theme, stderr to a log file. Before adding hosts. */
bool ui_app_start_terminal(struct ui_app *app, const char *theme, bool force_ascii);
/* The main loop until quit, then endwin. Returns the exit code. */
int ui_app_run(struct ui_app *app);

/* Schedule a redraw (coalesced into one idle source). */
void ui_app_queue_redraw(struct ui_app *app);
/* Rebuild derived view state from the snapshots (after model changes). */
void ui_app_recalc(struct ui_app *app);
struct ui_host *ui_app_host(const struct ui_app *app);   /* selected, may be NULL */
/* Saved name, else hostname, else URI; the URI when two hosts share a hostname. */
const char *ui_host_label(const struct ui_app *app, const struct ui_host *h);
void ui_app_select_host(struct ui_app *app, guint index);
/* Show a modal dialog (app takes it). Commands run only while no dialog is
 * open; a dialog's done callback may open the next one. */
void ui_app_open_dialog(struct ui_app *app, struct ui_dialog *d);
/* Open a screen on top (app owns state from now on; ops->free frees it). */
void ui_app_push_screen(struct ui_app *app, const struct ui_screen_ops *ops, gpointer state);
/* Close the top screen (or the given one, wherever it is in the stack). */
void ui_app_pop_screen(struct ui_app *app);
void ui_app_close_screen(struct ui_app *app, gpointer state);
/* Switch an open screen to other ops (a console going full screen). */
void ui_app_set_screen_ops(struct ui_app *app, gpointer state, const struct ui_screen_ops *ops);
/* The state of the topmost open screen with these ops, or NULL. */
gpointer ui_app_find_screen(const struct ui_app *app, const struct ui_screen_ops *ops);
/* Apply flags returned by a handler. */
void ui_app_handle_flags(struct ui_app *app, unsigned flags);

/* commands.c */
unsigned ui_app_command(struct ui_app *app, int binding);
unsigned ui_app_filter_key(struct ui_app *app, ui_key k);

/* view-storage.c: pools and volumes of the selected host (a screen) */
void ui_storage_open(struct ui_app *app);
/* keys of the storage view for the help overlay: { keys, N_(text) },
 * group headers have keys NULL, the list ends with text NULL */
struct ui_help_entry {
    const char *keys;
    const char *text;
};
extern const struct ui_help_entry ui_storage_help[];

/* view-top.c */
void ui_top_open(struct ui_app *app);
void ui_top_close(struct ui_app *app);
void ui_top_recalc(struct ui_app *app);
void ui_top_draw(const struct ui_app *app);
unsigned ui_top_key(struct ui_app *app, ui_key k);

/* view-graph.c */
void ui_graph_open(struct ui_app *app);
void ui_graph_close(struct ui_app *app);
void ui_graph_recalc(struct ui_app *app);
void ui_graph_draw(const struct ui_app *app);
unsigned ui_graph_key(struct ui_app *app, ui_key k);

/* help.c */
void ui_help_draw(const struct ui_app *app);
unsigned ui_help_key(struct ui_app *app, ui_key k);

/* view-networks.c */
void ui_networks_open(struct ui_app *app);
bool ui_networks_open_p(const struct ui_app *app);
/* (keys, text) pairs of the networks screen for the help overlay; g_strfreev */
char **ui_networks_keys(const struct ui_app *app);

/* dialog-connect.c: the host form (add, or edit the saved connection
 * named edit_name); done runs after it was saved (may be NULL). */
void ui_connect_dialog_open(struct ui_app *app);
void ui_host_form_open(struct ui_app *app, const char *edit_name,
                       void (*done)(struct ui_app *app, const char *name, gpointer user),
                       gpointer user);

/* view-hosts-manager.c: saved hosts, connect/disconnect, fuzzy finder (H) */
void ui_hosts_manager_open(struct ui_app *app);

/* commands.c: the yes/no question every confirmation uses; Yes answers
 * UI_CONFIRM_YES */
#define UI_CONFIRM_YES 1
struct ui_dialog *ui_yes_no_dialog(const char *title, const char *text);

/* dialog-auth.c: passwords and host keys asked by the hosts (src/auth.h) */
void ui_auth_init(struct ui_app *app);
void ui_auth_shutdown(struct ui_app *app);

/* dialog-migrate.c: migrate the selected domain (M); M again while it runs
 * sets the maximum downtime and bandwidth */
void ui_migrate_open(struct ui_app *app);
