#!/bin/bash
# virtdeck - a 1000-domain test-driver host: the UI stays smooth (TAP)
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Measures how long the screen takes to answer moving, paging, jumping and
# filtering, the CPU an idle virtdeck uses and its memory, and asserts
# generous bounds so a regression (a redraw storm, O(n^2) filtering) fails.
. "$(dirname "$0")/lib.sh"

ui_require
export XDG_CONFIG_HOME="$UI_TMPDIR/xdg" XDG_STATE_HOME="$UI_TMPDIR/state"
# the UI and the statistics ticks only: writing the RRD history of 700
# fake-busy domains is measured by tests/bench, not here
mkdir -p "$XDG_CONFIG_HOME/virtdeck"
printf '[general]\nhistory=false\n' > "$XDG_CONFIG_HOME/virtdeck/config"
HOST="$UI_TMPDIR/host1000.xml"
bash "$VD_SRCDIR/tests/lab/mkhost1000.sh" "$HOST" 1000

plan 8

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# key_ms KEY...: send keys, return (echo) ms until the screen changed; 9999 if never
# (with attributes: moving the selection changes only the highlight)
screen_e() { _tmux capture-pane -e -p -t "$UI_SESSION" 2>/dev/null; }
key_ms() {
    local before t0 deadline
    before=$(screen_e)
    t0=$(now_ms); deadline=$((t0 + 3000))
    ui_keys "$@"
    while [ "$(now_ms)" -lt "$deadline" ]; do
        [ "$(screen_e)" != "$before" ] && { echo $(( $(now_ms) - t0 )); return; }
        sleep 0.005
    done
    echo 9999
}

stats() {  # numbers on stdin -> "median max"
    sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)], a[NR]}'
}

ui_start 80 24 -- -c "test://$HOST"
check "1000 domains listed" ui_wait_for "1000 domains" 20
ui_keys l

moves=$(for i in $(seq 20); do key_ms Down; done | stats)
diag "Down x20: median/max ms: $moves"
check "moving answers within 150 ms (max ${moves#* })" test "${moves#* }" -lt 150

pages=$(for i in $(seq 10); do key_ms NPage; done | stats)
diag "PgDn x10: median/max ms: $pages"
check "paging answers within 150 ms (max ${pages#* })" test "${pages#* }" -lt 150

end=$(key_ms End)
check "End jumps to the last domain (${end} ms)" ui_wait_for "vm-0999" 2
diag "End: $end ms"

# filtering: type a pattern, measure the last key, check the result
ui_keys /
ui_type "vm-09"
t=$(key_ms 7)
diag "filter key over 1000 rows: $t ms"
check "filter narrows the list (${t} ms)" ui_wait_for "vm-0970" 2
check "filter hides the rest" ui_wait_gone "vm-0999" 2
ui_keys Enter Escape
check "Esc brings all 1000 back" ui_wait_for "vm-0000" 3

pid=$(ui_pid)
sleep 1
t0=$(ui_cpu_ticks "$pid"); sleep 10; t1=$(ui_cpu_ticks "$pid")
tck=$(getconf CLK_TCK)
cpu=$(awk -v d=$((t1 - t0)) -v h="$tck" 'BEGIN {printf "%.2f", d / h / 10 * 100}')
diag "idle CPU over 10 s with 1000 domains (stats tick every 2 s, no history): $cpu % of a core"
check "idle virtdeck uses under 5 % of a core ($cpu %)" awk -v c="$cpu" 'BEGIN {exit !(c < 5)}'
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
diag "RSS with 1000 domains: $((rss / 1024)) MiB"

tap_done
