/* virtdeck - the views of the main screen, one ops table each
 * SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "ui/app.h"

struct ui_view {
    const char *name;
    /* derived state from the snapshots (rows, selection) */
    void (*recalc)(struct ui_app *app);
    /* sizes from app->lay */
    void (*layout)(struct ui_app *app);
    /* pure: draws app's state, changes nothing */
    void (*draw)(const struct ui_app *app);
    /* a movement or list command while focused; returns UI_* flags */
    unsigned (*command)(struct ui_app *app, enum ui_cmd cmd);
    /* mouse: y, x relative to the screen; returns UI_* flags */
    unsigned (*click)(struct ui_app *app, int y, int x, bool wheel_up, bool wheel_down);
};

extern const struct ui_view ui_view_hosts;
extern const struct ui_view ui_view_domains;

/* Glyph and colour for a domain state (shared by both views). */
enum vd_color ui_dom_color(const struct vd_domain *d);
enum ui_glyph ui_dom_glyph(const struct vd_domain *d);
enum vd_color ui_host_color(enum vd_host_state s);

/* "0", "512K", "62M", "1.5G": bytes (or bytes/s) in at most 5 cells; "-" for NAN */
char *ui_short_bytes(double v);
/* "1.2M/340K" */
char *ui_short_pair(double a, double b);

struct ui_app;
/* Switch the domain list's columns on and off (saved in the configuration). */
void ui_domains_columns_dialog(struct ui_app *app);

enum ui_rate_key { UI_RATE_CPU, UI_RATE_HOST_CPU, UI_RATE_USED, UI_RATE_DISK, UI_RATE_NET };
/* Sort order of two domains by a rate: busiest first, unknown (NAN) last.
 * Shared by the domain list and the top view. */
int ui_compare_rates(const struct vd_dom_rates *a, const struct vd_dom_rates *b, enum ui_rate_key k);
/* Domains by their first IP address (IPv4 numerically), none last. */
int ui_compare_addrs(const struct vd_domain *a, const struct vd_domain *b);
