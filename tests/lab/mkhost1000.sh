#!/bin/bash
# virtdeck - SPDX-License-Identifier: GPL-2.0-or-later
# Write a large fake host for libvirt's test driver (see docs in LAB.md).
#   tests/lab/mkhost1000.sh OUT.xml [N]
# Domains vm-0000 .. vm-(N-1), N defaults to 1000. Per block of 20:
# 10 running, 6 shut off, 2 paused, 1 crashed, 1 pmsuspended, so N=1000 gives
# 500 running, 300 shut off, 100 paused, 50 crashed, 50 pmsuspended.
# UUIDs are fixed per index, so repeated runs give the same host.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 OUT.xml [N]" >&2
    exit 2
fi
out=$1
n=${2:-1000}
case $n in ''|*[!0-9]*) echo "$0: N must be a number" >&2; exit 2;; esac
if [ "$n" -gt 99999 ]; then echo "$0: N too large" >&2; exit 2; fi

tmp=$out.tmp.$$
trap 'rm -f "$tmp"' EXIT
{
    echo "<node>"
    i=0
    while [ "$i" -lt "$n" ]; do
        case $((i % 20)) in
            1[0-5]) s=5 ;;
            1[67]) s=3 ;;
            18) s=6 ;;
            19) s=7 ;;
            *) s=1 ;;
        esac
        printf "<domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'><name>vm-%04d</name><uuid>7d000000-0000-4000-8000-%012d</uuid><memory unit='MiB'>512</memory><vcpu>%d</vcpu><os><type>hvm</type></os><test:runstate>%d</test:runstate></domain>\n" \
            "$i" "$i" $((1 + i % 4)) "$s"
        i=$((i + 1))
    done
    echo "</node>"
} > "$tmp"
mv -f "$tmp" "$out"
trap - EXIT
