#!/usr/bin/env bash
# Statistics benchmark (issue 4, point 6). Prints figures; not pass/fail.
#  1. a statistics tick next to a bare GetAllDomainStats of the same groups
#     and flags, in PAIRS paired samples (bench-stats.c), with 10, 100 and
#     1000 domains of ours defined on the lab's libvirtd, in three
#     conditions: our own small guest running, the same guest paused, and
#     none of ours running; calls per tick and where the tick's time goes;
#  2. RSS with 1000 domains there and on the test driver;
#  3. CPU used by an idle virtdeck over 60 s with 100 running test-driver
#     domains (history on).
# Needs the lab up (tests/lab/lab.sh up) and tmux. Defines vdsbench-*
# domains, starts vdsbench-run (diskless: the lab's Linux kernel and initrd,
# else its GRUB ISO) and removes them at the end. Other helpers' running
# domains count for both sides alike (the bench prints how many it saw).
# Usage: tests/bench/stats.sh [BUILDDIR]   (default: _build/normal, else the top)
#        PAIRS=60 (pairs per size and condition)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
b=${1:-$top/_build/normal}
[ -x "$b/virtdeck" ] || b=$top
uri=qemu:///system
pairs=${PAIRS:-60}
tmp=$(mktemp -d)
sock=vdsbench-$$
guest=vdsbench-run
images=/var/lib/libvirt/images

undefine_all() {
    virsh -c "$uri" destroy "$guest" > /dev/null 2>&1 || true
    virsh -c "$uri" list --all --name | grep '^vdsbench-' | sed 's/^/undefine /' |
        virsh -c "$uri" -q > /dev/null 2>&1 || true
}
cleanup() { undefine_all; tmux -L "$sock" kill-server 2> /dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

define() {  # from to
    local i
    for i in $(seq "$1" $(($2 - 1))); do
        printf "<domain type='qemu'><name>vdsbench-%04d</name><memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os></domain>\n" \
            "$i" > "$tmp/d$i.xml"
        echo "define $tmp/d$i.xml"
    done | virsh -c "$uri" -q > /dev/null
}
undefine() {  # from to
    local i
    for i in $(seq "$1" $(($2 - 1))); do printf 'undefine vdsbench-%04d\n' "$i"; done |
        virsh -c "$uri" -q > /dev/null
}

# our guest: the lab's Linux guest files idle (under 1 % of a core); the
# GRUB ISO spins a core while it runs
if [ -s "$images/lab-vmlinux" ] && [ -s "$images/lab-initrd.gz" ]; then
    boot="<kernel>$images/lab-vmlinux</kernel><initrd>$images/lab-initrd.gz</initrd><cmdline>console=ttyS0 quiet vd.name=$guest</cmdline>"
    what="Linux, idle"
else
    boot="<boot dev='cdrom'/>"
    what="GRUB menu, spinning"
fi
cat > "$tmp/guest.xml" << EOF
<domain type='qemu'><name>$guest</name><memory unit='MiB'>96</memory><vcpu>1</vcpu>
 <os><type arch='x86_64' machine='pc'>hvm</type>$boot</os><features><acpi/></features>
 <devices><controller type='usb' model='none'/>
  <disk type='file' device='cdrom'><source file='$images/lab.iso'/><target dev='hdc' bus='ide'/><readonly/></disk>
  <interface type='network'><source network='default'/><model type='virtio'/></interface>
  <serial type='pty'/><console type='pty'><target type='serial'/></console></devices></domain>
EOF

gcc -O2 -std=gnu11 -I"$b" -I"$top" -I"$top/src" -o "$tmp/bench-stats" "$top/tests/bench/bench-stats.c" \
    "$b/src/libvdcore.a" -lm $(pkg-config --cflags --libs libvirt glib-2.0 libxml-2.0 librrd)

undefine_all
rows=$tmp/rows
: > "$rows"
bench() {  # label
    XDG_STATE_HOME=$tmp/state "$tmp/bench-stats" "$uri" "$pairs" "$1" | tee "$tmp/out"
    grep '^ROW' "$tmp/out" >> "$rows" || true
}
virsh -c "$uri" define "$tmp/guest.xml" > /dev/null
virsh -c "$uri" start "$guest" > /dev/null
sleep 10   # its boot, under TCG
have=1     # the guest counts as one of ours
for n in 10 100 1000; do
    define "$have" "$n"; have=$n
    echo "== $n domains of ours defined, $guest running ($what); $uri"
    bench "running $n"
    virsh -c "$uri" suspend "$guest" > /dev/null
    echo "== $n domains of ours defined, $guest paused"
    bench "paused $n"
    virsh -c "$uri" resume "$guest" > /dev/null
done
virsh -c "$uri" destroy "$guest" > /dev/null
define 0 1   # vdsbench-0000 stands in for the guest: still 1000 of ours

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
echo "== 1000 domains of ours on $uri: virtdeck RSS $((rss / 1024)) MiB ($rss KiB)"

for n in 1000 100 10; do
    if [ "$have" -gt "$n" ]; then undefine "$n" "$have"; fi
    have=$n
    echo "== $n domains of ours defined, none of ours running"
    bench "none $n"
done
undefine_all

echo "== summary: quick tick vs bare GetAllDomainStats (same groups and flags), $pairs pairs each"
printf '%-14s %7s %9s %9s %9s %9s %10s %9s %6s\n' condition domains tick_med tick_p90 bare_med bare_p90 pair_ratio med_ratio calls
awk -F'\t' '{printf "%-14s %7s %9s %9s %9s %9s %10s %9s %6s\n", $2, $3, $4, $5, $6, $7, $8, $9, $10}' "$rows"

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
# what of that is libvirt and its in-process test driver: a bare client
# holding the same 1000 domains
gcc -O2 -o "$tmp/rss-bare" "$top/tests/bench/rss-bare.c" $(pkg-config --cflags --libs libvirt)
bare=$("$tmp/rss-bare" "test://$tmp/h1000.xml")
echo "== a bare libvirt client with the same 1000 test-driver domains: RSS $((bare / 1024)) MiB ($bare KiB); virtdeck adds $(((rss - bare) / 1024)) MiB ($((rss - bare)) KiB)"
