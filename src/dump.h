/* virtdeck - --dump: print hosts and domains as stable text
 * SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdio.h>
#include <stdbool.h>
#include "model.h"

/* Prints the snapshot in the format documented in docs/dump-format.md. */
void vd_dump_host(FILE *out, const struct vd_host_snap *s, bool with_stats);
/* The host's networks, static DHCP hosts and leases (4 list calls, 1 XML
 * per network, 1 lease call per active network), on the host's shared
 * connection (vd_conn_share_begin) if there is one, else its own.
 * False (message on err_out) when they cannot be listed. */
bool vd_dump_networks(FILE *out, FILE *err_out, const char *uri, bool with_stats);
/* The host's storage pools and volumes, like vd_dump_networks.
 * False (message on err_out) when they cannot be listed. */
bool vd_dump_storage(FILE *out, FILE *err_out, const char *uri, bool with_stats);
