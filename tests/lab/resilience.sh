#!/bin/bash
# virtdeck - SPDX-License-Identifier: GPL-2.0-or-later
# Lab UI scenario (TAP): a libvirtd that hangs (SIGSTOP) and one that goes
# away and comes back. virtdeck must keep answering keys, say what is going
# on, and reconnect by itself (same process), with events registered again.
# Needs root, the lab (tests/lab/lab.sh) and tmux. Runs with the default
# configuration (periodic refresh every 5 s, keepalive 2 s x 3).
# shellcheck source=tests/lab/lib.sh disable=SC2016,SC2034  # checks are eval'd in single quotes
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "lab tests need root"
command -v virsh > /dev/null || tap_skip_all "virsh is not installed"
vd_init

U=$LAB_URI
KEY_MS=300          # a key must change the screen within this

tap_plan 21

lab_up || tap_bail "lab up failed"

STOPPED_PID=
cleanup() {
    # never leave libvirtd stopped or down, whatever failed
    [ -z "$STOPPED_PID" ] || kill -CONT "$STOPPED_PID" 2> /dev/null
    lab_libvirtd_pid > /dev/null 2>&1 || lab_start_libvirtd
    lab_domains_off "$U" vdlab1 vdlab2
}
lab_on_exit cleanup
lab_domains_off "$U" vdlab1 vdlab2

vd_start 100 30 -c "$U"
vd_check "virtdeck on $U: host connected, vdlab1 and vdlab2 listed" \
    eval 'vd_wait_host 1 connected && vd_wait_row vdlab1 "shut off" && vd_wait_row vdlab2 "shut off"'
VD_PID=$(vd_pid)
vd_keys g
vd_wait_cursor vdlab1 > /dev/null

proc_state() { local s; s=$(cat "/proc/$1/stat" 2> /dev/null) || return 0; s=${s##*) }; echo "${s%% *}"; }

# ---- libvirtd hangs --------------------------------------------------------------------
STOPPED_PID=$(lab_libvirtd_pid)
kill -STOP "$STOPPED_PID"
tap_diag "libvirtd (PID $STOPPED_PID) stopped with SIGSTOP"
vd_wait_host 1 "not responding" 15; rc=$?
tap_diag "'not responding' after $VD_WAITED_MS ms"
vd_check "the host shows 'not responding' within 10 s" \
    eval '[ "$rc" = 0 ] && [ "$VD_WAITED_MS" -le 10000 ]'

# key_ms DESC CHECK-CMD...: the keys were just sent; poll CHECK-CMD (up to 3 s)
# and check that it came true within KEY_MS
key_ms() {
    local desc=$1 rc; shift
    VD_WAIT_SECS=3 vd_wait "$@"; rc=$?
    tap_diag "$desc: ${VD_WAITED_MS} ms"
    [ "$rc" = 0 ] && [ "$VD_WAITED_MS" -le "$KEY_MS" ]
}
help_open() { vd_has "virtdeck help"; }
help_closed() { ! vd_has "virtdeck help"; }
prompt_shows() { vd_screen | grep -qE "^Filter: vdlab2 *$" && [ -z "$(vd_row vdlab1)" ]; }

vd_keys j
vd_check "while libvirtd is stopped: j moves the cursor within $KEY_MS ms" \
    key_ms "j (cursor to vdlab2)" _vd_cursor_is vdlab2
vd_keys k
vd_check "while libvirtd is stopped: k moves the cursor within $KEY_MS ms" \
    key_ms "k (cursor to vdlab1)" _vd_cursor_is vdlab1
vd_keys '?'
vd_check "while libvirtd is stopped: ? opens the help within $KEY_MS ms" \
    key_ms "? (help opens)" help_open
vd_keys Escape
vd_check "while libvirtd is stopped: Esc closes the help within $KEY_MS ms" \
    key_ms "Esc (help closes)" help_closed
vd_keys /
vd_type vdlab2
vd_check "while libvirtd is stopped: / vdlab2 filters within $KEY_MS ms" \
    key_ms "/vdlab2 (prompt shows, list narrows)" prompt_shows
vd_keys Escape
vd_wait_gone "Filter: vdlab2" > /dev/null
vd_check "libvirtd was still stopped (state T) during the key checks" \
    eval '[ "$(proc_state "$STOPPED_PID")" = T ] && tap_diag "host state now: $(vd_host_state 1)"'

kill -CONT "$STOPPED_PID"
STOPPED_PID=
vd_wait_host 1 connected 40 && vd_wait_row vdlab1 "shut off" 5; rc=$?
tap_diag "after SIGCONT: connected again after $VD_WAITED_MS ms"
vd_check "SIGCONT: the host is 'connected' again within 30 s, domains listed" \
    eval '[ "$rc" = 0 ] && [ "$VD_WAITED_MS" -le 30000 ] && vd_row_has vdlab2 "shut off"'
vd_check "... by the same virtdeck process" eval '[ -n "$VD_PID" ] && [ "$(vd_pid)" = "$VD_PID" ]'

# ---- libvirtd goes away ------------------------------------------------------------------
lab_stop_libvirtd
err=$(timeout 10 virsh -q -c "$U" version < /dev/null 2>&1 | sed -n 's/^error: //p' | tail -n1)
tap_diag "virsh with libvirtd stopped: $err"
vd_check "libvirtd stopped: the host shows 'disconnected' within 10 s" vd_wait_host 1 disconnected 10
right_has_err() {
    case $(vd_right | tr -d ' \t\n') in *"$(vd_squeeze "$err")"*) return 0 ;; esac
    return 1
}
vd_check "libvirt's error text is shown ($err)" \
    eval '[ -n "$err" ] && VD_WAIT_SECS=10 vd_wait right_has_err'

lab_start_libvirtd
t0=$(lab_ms)
vd_wait_host 1 connected 40 && vd_wait_row vdlab1 "shut off" 5; rc=$?
t1=$(lab_ms)
tap_diag "libvirtd started: virtdeck connected and listing after $((t1 - t0)) ms"
vd_check "virtdeck reconnects by itself within 30 s and lists the VMs" \
    eval '[ "$rc" = 0 ] && [ $((t1 - t0)) -le 30000 ] && vd_row_has vdlab2 "shut off"'
vd_check "... still the same virtdeck process" eval '[ "$(vd_pid)" = "$VD_PID" ]'

# Events registered again: three outside changes in a row, each on screen
# within 1 s. The periodic refresh (every 5 s) could explain one of them at
# most.
event_latency() {   # event_latency VIRSH-VERB STATE
    local rc
    lab_virsh "$U" "$1" vdlab1 > /dev/null || { tap_diag "virsh $1 vdlab1 failed"; return 1; }
    vd_wait_row vdlab1 "$2" 5; rc=$?
    tap_diag "after reconnect: virsh $1 -> '$2' on screen ${VD_WAITED_MS} ms after virsh returned"
    [ "$rc" = 0 ] && [ "$VD_WAITED_MS" -le 1000 ]
}
vd_check "after reconnect: virsh start vdlab1 shows 'running' within 1 s (event)" event_latency start running
vd_check "after reconnect: virsh suspend shows 'paused' within 1 s (event)" event_latency suspend paused
vd_check "after reconnect: virsh resume shows 'running' within 1 s (event)" event_latency resume running

vd_filter vdlab1
vd_keys D
vd_check "D asks 'Force off vdlab1?'" vd_wait_for "Force off vdlab1?"
vd_keys y
vd_check "y: vdlab1 shut off in virsh and on the screen" \
    eval 'lab_wait_domstate "$U" vdlab1 "shut off" && vd_wait_row vdlab1 "shut off"'

vd_check "virtdeck is still running" vd_alive
vd_keys Escape q
vd_check "q quits with status 0" vd_wait_for "VIRTDECK-EXITED 0"

tap_done
