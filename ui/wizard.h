/* virtdeck - creation wizards (new VM, new container) and the clone form
 * SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "ui/app.h"

/* The VM wizard for the selected host (key n). */
void ui_wizard_vm_open(struct ui_app *app);
/* The container wizard (key N): an lxc:// host, the selected one if it is. */
void ui_wizard_lxc_open(struct ui_app *app);
/* Clone the selected domain (key y). */
void ui_clone_open(struct ui_app *app);

/* Shared by the wizards: after a creation, select the new domain in the
 * list once the host's snapshot has it (gives up after 10 s), and with
 * console open its console (ui/console.h, kind NULL: VNC if it has it). */
void ui_wizard_select_later(struct ui_app *app, guint host, const char *uuid, bool console);
/* Run $VISUAL / $EDITOR (vi) on a file with curses suspended; false and
 * *error when it could not run. */
bool ui_wizard_edit_file(struct ui_app *app, const char *path, char **error);
