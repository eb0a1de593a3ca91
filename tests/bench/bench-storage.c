/* SPDX-License-Identifier: GPL-2.0-or-later
 * Upload or download a volume with virtdeck's storage core (the code the
 * storage view runs), print the seconds it took.
 * Usage: bench-storage URI up|down POOL VOLUME FILE */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include "storage.h"

int
main(int argc, char **argv)
{
    if (argc != 6 || (strcmp(argv[2], "up") && strcmp(argv[2], "down"))) {
        fprintf(stderr, "usage: %s URI up|down POOL VOLUME FILE\n", argv[0]);
        return 2;
    }
    char *err = NULL;
    gint64 t0 = g_get_monotonic_time();
    if (!vd_storage_transfer_sync(argv[1], strcmp(argv[2], "up") == 0, argv[3], argv[4], argv[5], &err)) {
        fprintf(stderr, "%s\n", err ? err : "failed");
        return 1;
    }
    printf("%.3f\n", (g_get_monotonic_time() - t0) / 1e6);
    return 0;
}
