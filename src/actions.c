/* virtdeck - domain lifecycle action table
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "actions.h"
#include "i18n.h"

struct action_info {
    const char *name;
    const char *label;
    enum vd_action_need need;
    unsigned int flags;
};

#define VD_ACTION_INFO(id, nm, lbl, nd, fl) [VD_ACTION_##id] = { nm, lbl, nd, fl },
static const struct action_info actions[VD_ACTION_LAST] = {
    VD_ACTIONS(VD_ACTION_INFO)
};
#undef VD_ACTION_INFO

const char *
vd_action_name(enum vd_action a)
{
    return (unsigned)a < VD_ACTION_LAST ? actions[a].name : "";
}

const char *
vd_action_label(enum vd_action a)
{
    return (unsigned)a < VD_ACTION_LAST ? _(actions[a].label) : "";
}

bool
vd_action_confirm(enum vd_action a)
{
    return (unsigned)a < VD_ACTION_LAST && (actions[a].flags & VD_ACT_CONFIRM);
}

int
vd_action_from_name(const char *name)
{
    for (int i = 0; i < VD_ACTION_LAST; i++)
        if (strcmp(actions[i].name, name) == 0)
            return i;
    return -1;
}

bool
vd_action_allowed(enum vd_action a, const struct vd_domain *d, const char **why)
{
    const char *reason = NULL;
    bool active = vd_dom_is_active(d);

    if ((unsigned)a >= VD_ACTION_LAST)
        return false;
    switch (actions[a].need) {
    case VD_NEED_ANY:
        break;
    case VD_NEED_ACTIVE:
        if (!active)
            reason = N_("not running");
        break;
    case VD_NEED_INACTIVE:
        if (active)
            reason = N_("already running");
        break;
    case VD_NEED_RUNNING:
        if (!active || d->state == VD_DOM_PAUSED)
            reason = d->state == VD_DOM_PAUSED ? N_("already paused") : N_("not running");
        break;
    case VD_NEED_PAUSED:
        if (d->state != VD_DOM_PAUSED)
            reason = N_("not paused");
        break;
    case VD_NEED_PERSISTENT:
        if (!d->persistent)
            reason = N_("transient domain");
        break;
    case VD_NEED_MANAGED_SAVE:
        if (active)
            reason = N_("already running");
        else if (!d->managed_save)
            reason = N_("no managed save image");
        break;
    }
    if (!reason && a == VD_ACTION_AUTOSTART_ON && d->autostart)
        reason = N_("autostart already on");
    if (!reason && a == VD_ACTION_AUTOSTART_OFF && !d->autostart)
        reason = N_("autostart already off");
    if (why)
        *why = reason ? _(reason) : NULL;
    return reason == NULL;
}
