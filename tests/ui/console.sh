#!/bin/bash
# virtdeck - console keys on the demo host (TAP)
# SPDX-License-Identifier: GPL-2.0-or-later
#
# libvirt's test driver has no consoles: opening one must fail with a clear
# message, never a crash, and the list must still work. Real consoles are
# checked in tests/lab/console-serial.sh.
. "$(dirname "$0")/lib.sh"
ui_require
export XDG_CONFIG_HOME="$UI_TMPDIR/xdg"

plan 12

ui_start 100 30 -- --demo
ui_wait_for "web-frontend" >/dev/null
ui_keys Enter
check "Enter in the host tree still focuses the domain list (no console opened)" \
    eval '! ui_has "serial ·" && ui_keys / w e b - f Enter && ui_wait_for "Filter: web-f"'
ui_keys Enter
check "Enter on a running domain: the console screen says why it cannot open" \
    eval 'ui_wait_for "Cannot open the console of web-frontend" && ui_has "web-frontend on demo"'
check "the escape hint is shown" ui_has "Ctrl+] leaves"
ui_keys C-]
check "Ctrl+] returns to the list" eval 'ui_wait_gone "Ctrl+] leaves" && ui_has "web-frontend"'
ui_keys Escape / b u i l d Enter t
check "t on a shut off domain: not running, no console screen" \
    eval 'ui_wait_for "build-runner is not running" && ! ui_has "Ctrl+] leaves"'
ui_keys ?
check "the help lists Enter (console) and t (serial console)" \
    eval 'ui_wait_for "serial (text) console" && ui_has "Open the domain'"'"'s console"'
ui_keys End
check "the help lists the console's own keys" \
    eval 'ui_wait_for "In a console" && ui_has "Ctrl+]" && ui_has "Ctrl+^" && ui_has "Shift+PgUp/PgDn"'
ui_keys q

# a configured escape key shows in the hint and in the help
mkdir -p "$XDG_CONFIG_HOME/virtdeck"
printf '[console]\nescape-key = C-g\n' > "$XDG_CONFIG_HOME/virtdeck/config"
ui_start 100 30 -- --demo
ui_wait_for "web-frontend" >/dev/null
ui_keys l / w e b - f Enter Enter
check "[console] escape-key = C-g: the hint says Ctrl+G" ui_wait_for "Ctrl+G leaves"
ui_keys C-g
check "Ctrl+G leaves" eval 'ui_wait_gone "Ctrl+G leaves" && ui_has "web-frontend"'
# option errors, before any terminal is needed
out=$("$VD_BIN" --serial 2>&1); rc=$?
check "--serial without --console: exit 2 with a message" eval '[ $rc = 2 ] && echo "$out" | grep -q "go with --console"'
out=$("$VD_BIN" --console x 2>&1); rc=$?
check "--console without -c: exit 2 with a message" eval '[ $rc = 2 ] && echo "$out" | grep -q "exactly one -c URI"'
out=$("$VD_BIN" -c test:///default --console test --serial --vnc 2>&1); rc=$?
check "--serial with --vnc: exit 2 with a message" eval '[ $rc = 2 ] && echo "$out" | grep -q "exclude each other"'
tap_done
