#!/bin/bash
# virtdeck - 50 hosts at once (TAP)
# SPDX-License-Identifier: GPL-2.0-or-later
#
# 50 saved test-driver hosts (each its own file) in 5 groups, autoconnect:
# all connect; the host tree scrolls to the last and back to the first; the
# connection manager lists them by group and its finder switches to a host
# by a few letters of its name; an unreachable host costs the others nothing.
. "$(dirname "$0")/lib.sh"

ui_require
export XDG_CONFIG_HOME="$UI_TMPDIR/xdg" XDG_STATE_HOME="$UI_TMPDIR/state"
mkdir -p "$XDG_CONFIG_HOME/virtdeck" "$UI_TMPDIR/hosts"
CONF=$XDG_CONFIG_HOME/virtdeck/config
{
    printf '[general]\nhistory=false\n'
    for i in $(seq -w 1 50); do
        bash "$VD_SRCDIR/tests/lab/mkhost1000.sh" "$UI_TMPDIR/hosts/node$i.xml" 3
        printf '[connection:node%s]\nuri=test://%s/node%s.xml\nautoconnect=true\ngroup=rack%s\n' \
            "$i" "$UI_TMPDIR/hosts" "$i" $(( 10#$i % 5 ))
    done
    # refused at once (nothing listens on port 1): a dead host among them
    printf '[connection:deadhost]\nuri=qemu+tcp://127.0.0.1:1/system\nautoconnect=true\n'
} > "$CONF"

plan 9

n_connected() { ui_screen | grep -cE ' connected +test://'; }

ui_start 120 70 -- --config "$CONF"
ui_wait_for "domains" > /dev/null
ui_keys H
check "the manager lists 51 connections" ui_wait_for "Connections: 51"
t0=$(date +%s%N)
for _ in $(seq 150); do [ "$(n_connected)" -ge 50 ] && break; sleep 0.1; done
t1=$(date +%s%N)
diag "50 test hosts connected after $(( (t1 - t0) / 1000000 )) ms (from the manager opening)"
check "all 50 connected, the dead host does not hold them up" eval '[ "$(n_connected)" = 50 ]'
check "the dead host says disconnected" eval 'ui_screen | grep -E "^ deadhost " | grep -q disconnected'
check "grouped: rack0 .. rack4 headers" eval 'for g in 0 1 2 3 4; do ui_has "rack$g" || exit 1; done'
ui_keys Escape

# ---- the host tree scrolls -------------------------------------------------------
ui_resize 100 30
ui_keys h G
check "G in the host tree: the last host shows" ui_wait_for "deadhost"
check "and the first is scrolled away" eval '! ui_screen | sed "s/│.*//" | grep -qE "■ 1 node01"'
ui_keys g
check "g: back to the first" ui_wait_for "1 node01"

# ---- the finder --------------------------------------------------------------------
ui_keys H
ui_wait_for "Connections:" > /dev/null
ui_type n37
check "typing filters: node37 first" eval 'ui_wait_for "Find: n37" && ui_screen | grep -A1 "Name  *Group" | tail -n1 | grep -q node37'
ui_keys Enter
check "Enter switches to node37" eval 'ui_wait_gone "Connections:" && ui_screen | head -n1 | grep -q "node37"'

ui_keys q
tap_done
