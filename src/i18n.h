/* virtdeck - gettext helpers
 * SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <libintl.h>
#include <locale.h>

#define _(s) gettext(s)
#define N_(s) (s)
#define C_(ctx, s) vd_pgettext(ctx "\004" s, s)
/* mark a string with a context for later lookup with vd_pgettext_rt() */
#define NC_(ctx, s) (s)

#include <glib.h>

/* Context known at run time (tables marked with NC_). */
static inline const char *
vd_pgettext_rt(const char *ctx, const char *msgid)
{
    return g_dpgettext2(NULL, ctx, msgid);
}

static inline const char *
vd_pgettext(const char *msg_ctxt_id, const char *msgid)
{
    const char *t = gettext(msg_ctxt_id);
    return t == msg_ctxt_id ? msgid : t;
}
