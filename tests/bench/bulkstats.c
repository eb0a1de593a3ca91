/* Reference for tests/bench/startup.sh: open a connection and make one
 * virConnectGetAllDomainStats call, nothing else. SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <libvirt/libvirt.h>

int
main(int argc, char **argv)
{
    virDomainStatsRecordPtr *recs = NULL;
    virConnectPtr c = virConnectOpen(argc > 1 ? argv[1] : NULL);
    int n;

    if (!c)
        return 1;
    n = virConnectGetAllDomainStats(c, VIR_DOMAIN_STATS_STATE, &recs, 0);
    if (n < 0)
        return 1;
    printf("%d\n", n);
    virDomainStatsRecordListFree(recs);
    virConnectClose(c);
    return 0;
}
