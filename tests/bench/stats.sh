#!/usr/bin/env bash
# Statistics benchmark (issue 4, point 6). Prints figures; not pass/fail.
#  1. calls per statistics tick and per full refresh with 10, 100 and 1000
#     domains defined on the lab's libvirtd (vdlab1 running), and the time of
#     a tick next to a bare GetAllDomainStats of the same groups;
#  2. CPU used by an idle virtdeck over 60 s with 100 running test-driver
#     domains (history on);
#  3. RSS with 1000 test-driver domains.
# Needs the lab up (tests/lab/lab.sh up) and tmux. Defines vdbench-* domains
# and undefines them at the end.
# Usage: tests/bench/stats.sh [BUILDDIR]   (default: _build/normal, else the top)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
b=${1:-$top/_build/normal}
[ -x "$b/virtdeck" ] || b=$top
uri=qemu:///system
tmp=$(mktemp -d)
sock=vdbench-$$

undefine_all() {
    virsh -c "$uri" list --all --name | grep '^vdbench-' | sed 's/^/undefine /' |
        virsh -c "$uri" -q > /dev/null 2>&1 || true
}
cleanup() { undefine_all; tmux -L "$sock" kill-server 2> /dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

define() {  # from to
    local i
    for i in $(seq "$1" $(($2 - 1))); do
        printf "<domain type='qemu'><name>vdbench-%04d</name><memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os></domain>\n" \
            "$i" > "$tmp/d$i.xml"
        echo "define $tmp/d$i.xml"
    done | virsh -c "$uri" -q > /dev/null
}

gcc -O2 -std=gnu11 -I"$b" -I"$top" -I"$top/src" -o "$tmp/bench-stats" "$top/tests/bench/bench-stats.c" \
    "$b/src/libvdcore.a" -lm $(pkg-config --cflags --libs libvirt glib-2.0 libxml-2.0 librrd)

undefine_all
virsh -c "$uri" start vdlab1 > /dev/null 2>&1 || true
# paused: it stays a running domain for the statistics, but its GRUB menu no
# longer spins a core of the two, which made the timings noisy
virsh -c "$uri" suspend vdlab1 > /dev/null 2>&1 || true
have=0
for n in 10 100 1000; do
    define "$have" "$n"; have=$n
    echo "== $n domains defined, 1 active (paused) ($uri)"
    XDG_STATE_HOME=$tmp/state "$tmp/bench-stats" "$uri" 8
done

# RSS of virtdeck itself with those 1000 domains: the driver runs in
# libvirtd, so only virtdeck's own memory counts (the test driver below runs
# inside virtdeck and adds its own objects)
rss_on() {  # uri -> "rss_kib"
    local sh pid
    tmux -L "$sock" kill-server 2> /dev/null || true
    sleep 0.5
    tmux -L "$sock" -f /dev/null new-session -d -s b -x 80 -y 24 \
        "env XDG_STATE_HOME=$tmp/state XDG_CONFIG_HOME=$tmp/cfg TERM=xterm-256color LANG=C.UTF-8 $b/virtdeck -c $1; sleep 600"
    sleep 8
    sh=$(tmux -L "$sock" display -p -t b '#{pane_pid}')
    pid=$(pgrep -P "$sh" | head -n1)
    awk '/VmRSS/ {print $2}' "/proc/$pid/status"
    tmux -L "$sock" kill-server 2> /dev/null || true
    sleep 0.5
}
rss=$(rss_on "$uri")
echo "== 1000 domains on $uri: virtdeck RSS $((rss / 1024)) MiB ($rss KiB)"
virsh -c "$uri" destroy vdlab1 > /dev/null 2>&1 || true
undefine_all

# idle CPU: 100 running test-driver domains (mkhost: half of them run)
bash "$top/tests/lab/mkhost1000.sh" "$tmp/h200.xml" 200
bash "$top/tests/lab/mkhost1000.sh" "$tmp/h1000.xml" 1000
run_for() {  # file seconds -> "cpu% rss_kib"
    local f=$1 secs=$2 sh pid t0 t1
    tmux -L "$sock" kill-server 2> /dev/null || true
    sleep 0.5   # a new server on the same socket right away can fail
    tmux -L "$sock" -f /dev/null new-session -d -s b -x 80 -y 24 \
        "env XDG_STATE_HOME=$tmp/state XDG_CONFIG_HOME=$tmp/cfg TERM=xterm-256color LANG=C.UTF-8 $b/virtdeck -c test://$f; sleep 600"
    sleep 5
    sh=$(tmux -L "$sock" display -p -t b '#{pane_pid}')
    pid=$(pgrep -P "$sh" | head -n1)
    t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    sleep "$secs"
    t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    awk -v d=$((t1 - t0)) -v h="$(getconf CLK_TCK)" -v s="$secs" 'BEGIN {printf "%.2f", d / h / s * 100}'
    echo " $(awk '/VmRSS/ {print $2}' "/proc/$pid/status")"
}
read -r cpu rss < <(run_for "$tmp/h200.xml" 60)
echo "== idle virtdeck, 100 running test-driver domains, 60 s, history on: $cpu % of a core (RSS $((rss / 1024)) MiB)"
read -r cpu rss < <(run_for "$tmp/h1000.xml" 10)
echo "== 1000 test-driver domains: RSS $((rss / 1024)) MiB ($rss KiB), CPU $cpu % over 10 s"
