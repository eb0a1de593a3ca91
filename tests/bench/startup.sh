#!/usr/bin/env bash
# Start-up benchmark (issue 3, point 13): with N qemu domains defined (not
# started) on the lab's real libvirtd, time `virtdeck --dump` against
# `virsh list --all` and a plain C program doing one GetAllDomainStats, in
# the same run; print RPC calls per refresh for 10 and N domains.
# Needs the lab up (tests/lab/lab.sh up). Defines vdbench-* domains and
# undefines them at the end. Prints figures; it is not a pass/fail test.
# Usage: tests/bench/startup.sh [VIRTDECK_BINARY] [N]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$top/_build/normal/virtdeck}
n=${2:-1000}
uri=qemu:///system
runs=${RUNS:-7}
tmp=$(mktemp -d)
trap 'cleanup' EXIT

undefine_all() {
    virsh -c "$uri" list --all --name | grep '^vdbench-' | sed 's/^/undefine /' |
        virsh -c "$uri" -q >/dev/null 2>&1 || true
}
cleanup() { undefine_all; rm -rf "$tmp"; }

define() {  # from to: defines vdbench-FROM .. vdbench-(TO-1)
    local i
    for i in $(seq "$1" $(($2 - 1))); do
        printf "<domain type='qemu'><name>vdbench-%04d</name><memory unit='MiB'>%d</memory><vcpu>%d</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os></domain>\n" \
            "$i" $((64 * (1 + i % 4))) $((1 + i % 4)) > "$tmp/d$i.xml"
        echo "define $tmp/d$i.xml"
    done | virsh -c "$uri" -q >/dev/null
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

time_ms() {  # command... -> median wall ms over $runs
    local i s e
    for i in $(seq "$runs"); do
        s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N)
        echo $(((e - s) / 1000000))
    done | median
}

rpc_per_refresh() {
    "$bin" --dump --stats -c "$uri" | awk -F'\t' '$1=="stats" {for (i=3;i<=NF;i++) if ($i ~ /^rpc_last_refresh=/) {sub(/.*=/,"",$i); print $i}}'
}

gcc -O2 -o "$tmp/bulkstats" "$top/tests/bench/bulkstats.c" $(pkg-config --cflags --libs libvirt)
undefine_all

define 0 10
rpc10=$(rpc_per_refresh)
define 10 "$n"
total=$(virsh -c "$uri" list --all --name | grep -c .)
rpcn=$(rpc_per_refresh)

virsh_ms=$(time_ms virsh -c "$uri" list --all)
vd_ms=$(time_ms "$bin" --dump -c "$uri")
bulk_ms=$(time_ms "$tmp/bulkstats" "$uri")

echo "domains on $uri: $total ($n vdbench-*), median of $runs runs"
echo "virsh list --all:        ${virsh_ms} ms"
echo "virtdeck --dump:         ${vd_ms} ms"
echo "one GetAllDomainStats:   ${bulk_ms} ms"
awk -v a="$vd_ms" -v b="$virsh_ms" -v c="$bulk_ms" 'BEGIN {
    printf "ratio virtdeck/virsh:   %.2f (target <= 0.35)\n", a / b
    printf "ratio bulkstats/virsh:  %.2f\n", c / b }'
echo "RPC calls per refresh:   10 domains: $rpc10, $n domains: $rpcn"
