/* virtdeck - domain lifecycle actions
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * One table: id, stable name (used in key bindings and --help), label,
 * precondition and flags. The UI builds menus, help and confirmations from it;
 * the connection worker carries the action out. */
#pragma once

#include <stdbool.h>
#include "model.h"

enum vd_action_need {
    VD_NEED_ANY = 0,
    VD_NEED_ACTIVE,        /* running, paused, ... */
    VD_NEED_INACTIVE,      /* shut off or crashed-and-stopped */
    VD_NEED_RUNNING,       /* running (not paused) */
    VD_NEED_PAUSED,
    VD_NEED_PERSISTENT,
    VD_NEED_MANAGED_SAVE,  /* inactive with a managed save image */
};

#define VD_ACT_CONFIRM   (1u << 0)   /* destructive: ask first */

/* _(ID, "name", N_("label"), need, flags) */
#define VD_ACTIONS(_) \
    _(START,         "start",          N_("Start"),                VD_NEED_INACTIVE,     0) \
    _(SHUTDOWN,      "shutdown",       N_("Shut down (ACPI)"),     VD_NEED_ACTIVE,       VD_ACT_CONFIRM) \
    _(REBOOT,        "reboot",         N_("Reboot"),               VD_NEED_ACTIVE,       VD_ACT_CONFIRM) \
    _(RESET,         "reset",          N_("Reset"),                VD_NEED_ACTIVE,       VD_ACT_CONFIRM) \
    _(DESTROY,       "force-off",      N_("Force off"),            VD_NEED_ACTIVE,       VD_ACT_CONFIRM) \
    _(SUSPEND,       "pause",          N_("Pause"),                VD_NEED_RUNNING,      0) \
    _(RESUME,        "resume",         N_("Resume"),               VD_NEED_PAUSED,       0) \
    _(MANAGED_SAVE,  "save",           N_("Managed save"),         VD_NEED_ACTIVE,       0) \
    _(RESTORE,       "restore",        N_("Restore from managed save"), VD_NEED_MANAGED_SAVE, 0) \
    _(AUTOSTART_ON,  "autostart-on",   N_("Autostart on"),         VD_NEED_PERSISTENT,   0) \
    _(AUTOSTART_OFF, "autostart-off",  N_("Autostart off"),        VD_NEED_PERSISTENT,   0) \
    _(UNDEFINE,      "undefine",       N_("Undefine (keep storage)"), VD_NEED_PERSISTENT, VD_ACT_CONFIRM)

#define VD_ACTION_ENUM(id, name, label, need, flags) VD_ACTION_##id,
enum vd_action {
    VD_ACTIONS(VD_ACTION_ENUM)
    VD_ACTION_LAST
};
#undef VD_ACTION_ENUM

const char *vd_action_name(enum vd_action a);     /* "force-off" */
const char *vd_action_label(enum vd_action a);    /* translated */
bool vd_action_confirm(enum vd_action a);
int vd_action_from_name(const char *name);        /* -1 if unknown */

/* Whether the action makes sense for this domain now; when not and why is
 * non-NULL, *why gets a translated reason ("not running"). */
bool vd_action_allowed(enum vd_action a, const struct vd_domain *d, const char **why);
