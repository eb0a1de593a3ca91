/* virtdeck - reading a host's facts inside a task (src/ only: libvirt)
 * SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <libvirt/libvirt.h>
#include "plan-vm.h"

/* On the task's connection; NULL and *error (libvirt's message) on failure. */
struct vd_host_facts *vd_host_facts_fetch(virConnectPtr vc, const char *uri, char **error);
