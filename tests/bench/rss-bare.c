/* virtdeck - RSS of a bare libvirt client: open URI, one
 * virConnectGetAllDomainStats, print VmRSS in KiB. The share of the RSS that
 * libvirt and its driver take whatever the program (tests/bench/stats.sh).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <libvirt/libvirt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
main(int argc, char **argv)
{
    virConnectPtr c;
    virDomainStatsRecordPtr *r = NULL;
    char line[256];
    FILE *f;
    int n;

    if (argc < 2 || !(c = virConnectOpenReadOnly(argv[1])))
        return 1;
    n = virConnectGetAllDomainStats(c, 0, &r, 0);
    if (n >= 0)
        virDomainStatsRecordListFree(r);
    f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            printf("%ld\n", strtol(line + 6, NULL, 10));
    if (f)
        fclose(f);
    virConnectClose(c);
    return n < 0;
}
