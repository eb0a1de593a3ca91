/* virtdeck - --dump: print hosts and domains as stable text
 * SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdio.h>
#include <stdbool.h>
#include "model.h"

/* Prints the snapshot in the format documented in docs/dump-format.md. */
void vd_dump_host(FILE *out, const struct vd_host_snap *s, bool with_stats);
/* The host's networks, static DHCP hosts and leases (its own connection:
 * 4 list calls, 1 XML per network, 1 lease call per active network).
 * False (message on stderr) when they cannot be listed. */
bool vd_dump_networks(FILE *out, const char *uri, bool with_stats);
/* The host's storage pools and volumes (a connection of its own).
 * False (message on stderr) when they cannot be listed. */
bool vd_dump_storage(FILE *out, const char *uri, bool with_stats);
