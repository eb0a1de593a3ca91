#!/bin/bash
# virtdeck - SPDX-License-Identifier: GPL-2.0-or-later
# Many-hosts benchmark (issue 8.6): 48 test-driver hosts (each its own file,
# so they are distinct hosts), the two lab hosts (qemu:///system and host 2
# over SSH) and two dead hosts (qemu+ssh to 192.0.2.1, TEST-NET: no route;
# and to a local port that accepts TCP and never says a word: ssh hangs),
# all saved with autoconnect, opened at once by one virtdeck:
#  1. time until the 50 live hosts show connected, with and without the dead one;
#  2. idle CPU of virtdeck over 60 s (utime + stime from /proc/PID/stat);
#  3. RSS and threads.
# Needs root, the lab (tests/lab/lab.sh up) and tmux. Prints figures; not a
# pass/fail test. Usage: tests/bench/manyhosts.sh [VIRTDECK_BINARY] [IDLE_SECS]
# shellcheck source=tests/lab/lib.sh disable=SC2016
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
VD_BIN=${1:-$top/virtdeck}
IDLE=${2:-60}
. "$top/tests/lab/lib.sh"
vd_init > /dev/null
eval "$("$LAB_CTL" env)"
trap _lab_run_exit EXIT

hosts=$VD_TMP/hosts
mkdir -p "$hosts"
conf() {   # conf WITH_DEAD: the config with every host
    local i
    echo "[general]"
    echo "history=false"
    for i in $(seq -w 1 48); do
        printf '[connection:t%s]\nuri=test://%s/host%s.xml\nautoconnect=true\ngroup=test%s\n' \
            "$i" "$hosts" "$i" "$(( 10#$i % 4 ))"
    done
    printf '[connection:lab1]\nuri=%s\nautoconnect=true\ngroup=lab\n' "$LAB_URI"
    printf '[connection:lab2]\nuri=%s\nautoconnect=true\ngroup=lab\n' "$LAB_H2_URI"
    if [ "$1" = 1 ]; then
        printf '[connection:dead]\nuri=qemu+ssh://root@192.0.2.1/system\nautoconnect=true\ngroup=lab\n'
        printf '[connection:hung]\nuri=qemu+ssh://root@127.0.0.1:%s/system\nautoconnect=true\ngroup=lab\n' "$HUNG_PORT"
    fi
}
# a listener that completes TCP handshakes and never answers
exec {hp}< <(exec /usr/bin/python3 -c 'import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(64)
print(s.getsockname()[1], flush=True); time.sleep(3600)')
HUNG_PID=$!
read -r HUNG_PORT <&"$hp"
lab_on_exit kill "$HUNG_PID"
for i in $(seq -w 1 48); do
    "$top/tests/lab/mkhost1000.sh" "$hosts/host$i.xml" 5
done

ms() { echo $(( $(date +%s%N) / 1000000 )); }
n_connected() { vd_screen | grep -cE ' connected +(test|qemu)'; }

run() {   # run WITH_DEAD -> prints ms until 50 connected
    local s
    vd_config "$(conf "$1")"
    s=$(ms)
    vd_start 160 70
    vd_wait_for "domains" 30 > /dev/null
    vd_keys H
    VD_WAIT_SECS=60 vd_wait eval '[ "$(n_connected)" -ge 50 ]'
    echo $(($(ms) - s))
}
without=$(run 0)
VD_SESSION=vd2
with=$(run 1)
echo "50 live hosts (48 test:// files, $LAB_URI, $LAB_H2_URI), opened in parallel:"
echo "  all 50 connected after $without ms (no dead host), $with ms (with two dead hosts)"
vd_screen | grep -E '^ (dead|hung) ' | sed 's/^/  dead host: /;s/  */ /g'

pid=$(vd_pid)
vd_keys Escape
sleep 5
read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$pid/stat")
sleep "$IDLE"
read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$pid/stat")
hz=$(getconf CLK_TCK)
ticks=$(( (u1 - u0) + (s1 - s0) ))
echo "idle CPU over ${IDLE} s: $ticks ticks = $(awk -v t="$ticks" -v hz="$hz" -v s="$IDLE" 'BEGIN {printf "%.2f", 100 * t / hz / s}') % of one core"
echo "RSS $(awk '/VmRSS/ {print $2, $3}' "/proc/$pid/status"), threads $(awk '/Threads/ {print $2}' "/proc/$pid/status")"
