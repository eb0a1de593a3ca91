#!/bin/bash
# virtdeck - statistics columns and the history graph view on the demo host (TAP)
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The test driver's running domains report CPU time, so CPU% appears after
# two ticks. The graph view's keys are checked here; real history of a real
# guest is checked in tests/lab/stats.sh.
. "$(dirname "$0")/lib.sh"
ui_require
export XDG_CONFIG_HOME="$UI_TMPDIR/xdg"

plan 16

ui_start 100 30 -- --demo
ui_wait_for "web-frontend" >/dev/null
# first, within the first seconds: the first history sample is written 10 to
# 20 s after start
ui_keys l / w e b - f Enter v
check "v opens the history of the selected domain" ui_wait_for "History of web-frontend, last hour, average"
check "no history yet: says so and why" ui_wait_for "No history yet"
ui_keys d
check "d: last day" ui_wait_for "History of web-frontend, last day, average"
ui_keys a
check "a: maximum" ui_wait_for "History of web-frontend, last day, maximum"
ui_keys Escape
check "Esc: back to the list" eval 'ui_wait_gone "History of" && ui_has "web-frontend"'
ui_keys Escape
check "CPU% column shown" ui_wait_for "CPU%"
check "a running domain gets a CPU% after two ticks" \
    eval 'ui_wait_row web-frontend "running" && ui_wait_for_row_re web-frontend "running +[0-9]+\.[0-9] "'
check "a shut off domain has no CPU%" eval 'ui_row build-runner | grep -qE "shut off +- "'
ui_keys h v
check "v on the host tree: the host's history" ui_wait_for "History of demo, last hour"
ui_keys Escape P
check "P: no history of vanished domains yet" ui_wait_for "No history of vanished domains on this host"
# top across hosts: a second host, busiest domains of both
ui_start 120 30 -- --demo -c test:///default
ui_wait_for "win2022-rdp" >/dev/null
ui_keys T
check "T: top over both hosts, running domains only" \
    eval 'ui_wait_for "Top: 13 running domains on all connected hosts" && ui_has "default" && ! ui_has "build-runner"'
first_top_busy() { ui_screen | sed -n 5p | grep -qE " 100\.0 "; }
check "top: sorted by CPU%, busiest first (after two ticks)" \
    eval 'for _i in $(seq 50); do first_top_busy && break; sleep 0.2; done; first_top_busy'
ui_keys End Enter
check "Enter: back to the lists, on that domain's host" eval 'ui_wait_gone "Top:" && ui_has "Hosts"'
# columns switched off stay off, also after a restart
ui_start 150 30 -- --demo
check "150 columns: Disk R/W and Net RX/TX shown" eval 'ui_wait_for "Disk R/W" && ui_has "Net RX/TX"'
ui_keys C
ui_wait_for "Columns of the domain list" >/dev/null
ui_keys Down Down Down Down Down Down Space Down Space Enter
check "C: Disk and Net switched off, saved in the config" \
    eval 'ui_wait_gone "Disk R/W" && ! ui_has "Net RX/TX" && grep -q "^hidden-columns=disk;net;" "$XDG_CONFIG_HOME/virtdeck/config"'
ui_start 150 30 -- --demo
check "after a restart they are still off" eval 'ui_wait_for "win2022-rdp" && ! ui_has "Disk R/W" && ui_has "Memory"'
tap_done
