#!/bin/bash
# virtdeck - main screen scenarios against libvirt's test driver (TAP)
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The test driver lives inside virtdeck's process, so state is checked on
# the screen only; checks against a real libvirtd are in tests/lab.
. "$(dirname "$0")/lib.sh"

ui_require

DEMO="$VD_SRCDIR/data/demo.xml"
if [ -f "$DEMO" ]; then
    DEMO_URI="test://$(cd "$(dirname "$DEMO")" && pwd)/demo.xml"
    HAVE_DEMO=1
else
    DEMO_URI="test:///default"
    HAVE_DEMO=
fi
HOSTILE="$VD_SRCDIR/data/hostile.xml"
XDG="$UI_TMPDIR/xdg"
mkdir -p "$XDG"
# never read or write the user's own configuration
export XDG_CONFIG_HOME="$XDG"

plan 52

# ---- main screen at 80x24 -----------------------------------------------
ui_start 80 24 -- --demo
if [ -n "$HAVE_DEMO" ]; then
    check "main screen shows the demo domains" ui_wait_for "win2022-rdp"
    check "domain count in the title bar" ui_has "14 domains"
else
    check "main screen shows the test domain" ui_wait_for " test "
    skip "no data/demo.xml"
fi
check "column headers at 80x24" ui_has "Name"
check "state column" ui_has "State"
check "F-key bar fits at 80 columns" eval 'ui_screen | tail -n1 | grep -q "^F1Help .*F10Quit"'
check "host info shows the connection state" ui_has "connected"
check "not too small at 80x24" eval '! ui_has "Terminal too small"'

# ---- filter ---------------------------------------------------------------
if [ -n "$HAVE_DEMO" ]; then
    ui_keys /
    ui_type k8s
    check "filter prompt shows what is typed" ui_wait_for "Filter: k8s"
    check "filter narrows the list live" eval '[ "$(ui_right | grep -c "k8s-node")" = 3 ] && ! ui_right | grep -q win2022-rdp'
    ui_keys Enter
    check "Enter keeps the filter (title bar)" ui_wait_for "│ Filter: k8s"
    ui_keys Escape
    check "Esc restores the full list" eval 'ui_wait_for "win2022-rdp" && ui_right | grep -q "backup-nas" && ! ui_has "Filter: k8s"'
    ui_keys /
    ui_type zzz-nothing
    check "a filter that matches nothing says so" ui_wait_for "No domain matches"
    ui_keys Escape
    ui_wait_gone "No domain matches"
else
    for i in 1 2 3 4 5; do skip "filter needs data/demo.xml"; done
fi

# ---- help overlay -------------------------------------------------------
ui_keys '?'
check "help overlay opens with ?" ui_wait_for "virtdeck help"
check "help starts with moving around" ui_has "Move down"
ui_keys PageDown
check "help lists domain actions" ui_wait_for "Force off"
check "help shows the keys of an action" eval 'ui_screen | grep -F "Force off" | grep -q "F9, D"'
ui_keys G
check "help scrolls to the end" ui_wait_for "Repaint the screen"
ui_keys q
check "q closes the help (does not quit)" eval 'ui_wait_gone "virtdeck help" && ui_has "F10Quit"'

# ---- resize ---------------------------------------------------------------
ui_resize 200 60
check "200x60 shows the UUID column" ui_wait_for "UUID"
ui_resize 232 60
check "232x60 shows full column titles and the IP column" \
    eval 'ui_wait_for "Autostart" && ui_has "IP address" && ui_has "Persistent" && ui_row web-frontend | grep -q "192.168.122.3"'
ui_resize 80 24
check "back at 80x24 the extra columns are gone" ui_wait_gone "UUID"
check "80x24 after resize has no garbage" eval '[ "$(ui_screen | wc -L)" -le 80 ] && ! ui_has "Persistent" && ui_screen | tail -n1 | grep -q "^F1Help"'
ui_resize 60 20
check "60x20 says the terminal is too small" ui_wait_for "Terminal too small (60x20), need 80x24"
ui_resize 80 24
check "80x24 again after too small" eval 'ui_wait_gone "Terminal too small" && ui_has "Name"'

# ---- sort -------------------------------------------------------------------
if [ -n "$HAVE_DEMO" ]; then
    first_row() { ui_right | sed -n '2p'; }
    ui_keys F6 F6
    check "F6 twice sorts by state (indicator)" ui_wait_for "State▲"
    check "sorted by state: a running domain first" eval 'first_row | grep -q running'
    ui_keys O
    check "O reverses: shut off first" eval 'ui_wait_for "State▼" && first_row | grep -qE "shut off|saved"'
    # as many F6 as there are sortable columns shown, then the natural order
    for _i in $(seq 16); do ui_screen | sed -n 2p | grep -q "[▲▼]" || break; ui_keys F6; sleep 0.1; done
    check "F6 cycles back to the natural order" eval '! ui_screen | sed -n 2p | grep -q "[▲▼]"'
else
    for i in 1 2 3 4; do skip "sort needs data/demo.xml"; done
fi

# ---- actions ----------------------------------------------------------------
if [ -n "$HAVE_DEMO" ]; then
    ui_keys O g
    ui_wait_for "backup-nas"
    check "first row is backup-nas (shut off with a managed save: saved)" eval 'ui_right | sed -n 2p | grep -q "backup-nas.*saved"'
    ui_keys s
    check "s starts it" eval 'ui_wait_for "Started backup-nas" && ui_wait_row backup-nas running'
    ui_keys p
    check "p pauses it" eval 'ui_wait_for "Paused backup-nas" && ui_wait_row backup-nas paused'
    ui_keys p
    check "p again resumes it" eval 'ui_wait_for "Resumed backup-nas" && ui_wait_row backup-nas running'
    ui_keys D
    check "D asks before forcing off" ui_wait_for "Force off backup-nas?"
    ui_keys Enter
    check "Enter on the confirmation means No" eval 'ui_wait_for "Cancelled" && ui_row backup-nas | grep -q running'
    ui_keys F9 y
    check "F9 then y forces it off" eval 'ui_wait_for "Forced off backup-nas" && ui_wait_row backup-nas "shut off"'
    ui_keys p
    check "pause on a shut off domain is skipped with a reason" ui_wait_for "backup-nas: not running"
    ui_keys Space Space
    check "Space marks two domains" ui_wait_for "2 marked"
    ui_keys s
    check "s starts both marked domains" eval 'ui_wait_for "Started backup-nas, build-runner" && ui_wait_row build-runn running'
    ui_keys Escape
    check "Esc clears the marks" ui_wait_gone "marked"
else
    for i in $(seq 11); do skip "actions need data/demo.xml"; done
fi

# ---- idle CPU --------------------------------------------------------------
pid=$(ui_pid)
t0=$(ui_cpu_ticks "$pid"); sleep 2; t1=$(ui_cpu_ticks "$pid")
check "idle: under 5 CPU ticks in 2 s ($((t1 - t0)))" [ $((t1 - t0)) -lt 5 ]

ui_keys q
check "q quits with status 0" ui_wait_for "VIRTDECK-EXITED 0"

# ---- two hosts ----------------------------------------------------------------
ui_start 80 24 -- -c test:///default -c "$DEMO_URI"
# both connected: the tree lists the domains of both
[ -n "$HAVE_DEMO" ] && ui_wait_for "win2022-rdp" >/dev/null
check "two hosts: the first is selected" eval 'ui_wait_for "1 domain," && ui_right | grep -q " test "'
ui_keys Tab
check "Tab selects the second host (named after its file)" eval 'ui_wait_for "│ demo  " && ! ui_right | grep -q " test  "'
ui_keys 1
check "1 goes back to the first host" ui_wait_for "1 domain,"
ui_keys 2
check "2 selects the second host" eval 'ui_wait_gone "1 domain," && ui_has "│ demo  " && ui_has "1 default"'
if [ -n "$HAVE_DEMO" ]; then
    ui_keys j j j 1 2 s
    check "each host keeps its selection" ui_wait_for "ct-nginx: already running"
else
    skip "needs data/demo.xml"
fi
ui_keys q

# ---- add connection ----------------------------------------------------------
ui_start 80 24 -- -c test:///default
ui_wait_for " test " >/dev/null
ui_keys F2
check "F2 opens the add connection dialog" ui_wait_for "Add connection"
ui_type lab
ui_keys Tab Tab Tab Right Tab
ui_type root
ui_keys Tab
ui_type server1
check "URI preview from the parts" ui_wait_for "URI: qemu+ssh://root@server1/system"
ui_keys Tab
ui_type x
check "a bad port is reported inline" ui_wait_for "port must be a number"
ui_keys BSpace Tab Tab
ui_type test:///default
ui_keys Enter
check "OK adds the connection" eval 'ui_wait_for "Added connection lab" && ui_wait_gone "Add connection"'
check "the new host is selected" ui_has "│ lab "
check "the connection is saved in the config" eval 'grep -q "uri=test:///default" "$XDG/virtdeck/config" && grep -q "lab" "$XDG/virtdeck/config"'
ui_keys q

tap_done
