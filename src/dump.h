/* virtdeck - --dump: print hosts and domains as stable text
 * SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdio.h>
#include <stdbool.h>
#include "model.h"

/* Prints the snapshot in the format documented in docs/dump-format.md. */
void vd_dump_host(FILE *out, const struct vd_host_snap *s, bool with_stats);
