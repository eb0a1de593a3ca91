#!/bin/bash
# virtdeck - SPDX-License-Identifier: GPL-2.0-or-later
# Slow-link benchmark (issue 8.5). Through the lab's delay proxy
# (127.0.0.1:2223 -> the lab sshd, 75 ms each way: 150 ms round trip) to a
# throw-away user's qemu:///session holding N defined domains (vdcbench-*):
#  1. RPC calls of connect + first refresh for 10 and for N domains (constant);
#  2. the complete list: time until virtdeck's screen says "N domains", and
#     `virtdeck --dump`, against a plain C program doing one
#     virConnectGetAllDomainStats (tests/bench/bulkstats.c), same run, medians;
#  3. key latency while statistics RPCs are in flight (1 s ticks): a key
#     sent with tmux, capture-pane polled until the cursor moved.
# Needs root, the lab (tests/lab/lab.sh up) and tmux. Creates the user
# vdcbench (key login) and its domains; undefines them at the end (KEEP=1
# keeps them). Prints figures; not a pass/fail test.
# Usage: tests/bench/slowlink.sh [VIRTDECK_BINARY] [N]
# shellcheck source=tests/lab/lib.sh disable=SC2016
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
VD_BIN=${1:-$top/virtdeck}
N=${2:-1000}
RUNS=${RUNS:-3}
KEYS=${KEYS:-40}
BUSER=vdcbench
. "$top/tests/lab/lib.sh"
vd_init > /dev/null
eval "$("$LAB_CTL" env)"
"$LAB_CTL" delay-up 75 > /dev/null 2>&1 || { echo "delay proxy did not start" >&2; exit 1; }
URI="qemu+ssh://$BUSER@127.0.0.1:$LAB_DELAY_PORT/session"

# ---- the throw-away user and its domains --------------------------------------
id "$BUSER" > /dev/null 2>&1 || useradd -m -s /bin/bash "$BUSER"
install -d -m 700 -o "$BUSER" -g "$BUSER" "/home/$BUSER/.ssh"
install -m 600 -o "$BUSER" -g "$BUSER" "$HOME/.ssh/id_ed25519.pub" "/home/$BUSER/.ssh/authorized_keys"
# its session daemon through the lab sshd without delay (virt-ssh-helper
# starts it when needed)
FAST="qemu+ssh://$BUSER@127.0.0.1:$LAB_SSH_PORT/session"
bvirsh() { virsh -q -c "$FAST" "$@" < /dev/null 8>&-; }
count() { bvirsh list --all --name | grep -c '^vdcbench-'; }
define() {  # FROM TO
    local i d=$VD_TMP/defs
    mkdir -p "$d"
    for i in $(seq "$1" $(($2 - 1))); do
        printf "<domain type='qemu'><name>vdcbench-%04d</name><memory unit='MiB'>%d</memory><vcpu>%d</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os></domain>\n" \
            "$i" $((64 * (1 + i % 4))) $((1 + i % 4)) > "$d/$i.xml"
        echo "define $d/$i.xml"
    done > "$d/cmds"
    virsh -q -c "$FAST" < "$d/cmds" > /dev/null 8>&-
}
undefine_all() {
    bvirsh list --all --name | grep '^vdcbench-' | sed 's/^/undefine /' > "$VD_TMP/undef"
    virsh -q -c "$FAST" < "$VD_TMP/undef" > /dev/null 8>&-
}
finish() { [ -n "${KEEP:-}" ] || undefine_all; _lab_run_exit; }
trap finish EXIT

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms() { echo $(( $(date +%s%N) / 1000000 )); }
rpc_of() {  # the connect + first refresh RPC count from --dump --stats
    "$VD_BIN" --dump --stats -c "$URI" | awk -F'\t' '$1=="stats" {for (i=3;i<=NF;i++) if ($i ~ /^rpc_total=/) {sub(/.*=/,"",$i); print $i}}'
}

gcc -O2 -o "$VD_TMP/bulkstats" "$top/tests/bench/bulkstats.c" $(pkg-config --cflags --libs libvirt) || exit 1

[ "$(count)" -ge 10 ] || define 0 10
[ "$(count)" -le 10 ] && rpc10=$(rpc_of) || rpc10=?
[ "$(count)" -ge "$N" ] || define "$(count)" "$N"
total=$(count)
rpcn=$(rpc_of)
echo "link: $URI (delay proxy, 75 ms each way)"
echo "domains: $total defined (vdcbench-*), medians of $RUNS runs"
echo "RPC calls, connect + first refresh (--dump --stats rpc_total): 10 domains: $rpc10, $total domains: $rpcn"

# ---- the complete list -----------------------------------------------------------
bulk=() dump=() ui=()
for _ in $(seq "$RUNS"); do
    s=$(ms); "$VD_TMP/bulkstats" "$URI" > /dev/null; e=$(ms); bulk+=($((e - s)))
    s=$(ms); "$VD_BIN" --dump -c "$URI" > /dev/null; e=$(ms); dump+=($((e - s)))
    s=$(ms)
    vd_start 120 40 -c "$URI"
    VD_WAIT_SECS=60 vd_wait eval 'vd_screen | head -n1 | grep -q "$total domains"'
    e=$(ms); ui+=($((e - s)))
    _vd_tmux kill-session -t "$VD_SESSION" 2> /dev/null
    VD_SESSION=vd$RANDOM
done
b=$(printf '%s\n' "${bulk[@]}" | median)
d=$(printf '%s\n' "${dump[@]}" | median)
u=$(printf '%s\n' "${ui[@]}" | median)
echo "one GetAllDomainStats (C program):     $b ms   [${bulk[*]}]"
echo "virtdeck --dump (connect + refresh):   $d ms   [${dump[*]}]   ratio $(awk -v a="$d" -v b="$b" 'BEGIN {printf "%.2f", a / b}')"
echo "virtdeck UI until '$total domains':  $u ms   [${ui[*]}]   ratio $(awk -v a="$u" -v b="$b" 'BEGIN {printf "%.2f", a / b}')"

# ---- keys while RPCs are in flight ---------------------------------------------------
vd_config "[general]
refresh=1"
vd_start 120 40 -c "$URI"
VD_WAIT_SECS=60 vd_wait eval 'vd_screen | head -n1 | grep -q "$total domains"'
sleep 3
lat=()
for i in $(seq "$KEYS"); do
    before=$(vd_cursor)
    k=j; [ $((i % 2)) = 0 ] && k=k
    vd_keys "$k"
    VD_WAIT_SECS=2 vd_wait eval '[ "$(vd_cursor)" != "$before" ]'
    lat+=("$VD_WAITED_MS")
    sleep "0.$((RANDOM % 9 + 1))"
done
sorted=$(printf '%s\n' "${lat[@]}" | sort -n)
pct() { echo "$sorted" | awk -v p="$1" '{a[NR]=$1} END {i=int(NR*p/100+0.999); if (i<1) i=1; print a[i]}'; }
echo "key latency, $KEYS keys (j/k, 1 s statistics ticks over the link; tmux poll every 20 ms):"
echo "  min $(pct 0) ms, median $(pct 50) ms, p90 $(pct 90) ms, max $(pct 100) ms; under 50 ms: $(echo "$sorted" | awk '$1 < 50' | wc -l)/$KEYS"
