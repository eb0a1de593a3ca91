#!/bin/bash
# virtdeck - SPDX-License-Identifier: GPL-2.0-or-later
# Lab UI scenario (TAP): a host over SSH (qemu+ssh on the lab's sshd), alone
# and next to the local host. Drives the real binary in tmux and checks the
# screen AND libvirt's state with virsh over the same URI.
# Needs root, the lab (tests/lab/lab.sh) and tmux.
# shellcheck source=tests/lab/lib.sh disable=SC2016,SC2034  # checks are eval'd in single quotes
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "lab tests need root"
command -v virsh > /dev/null || tap_skip_all "virsh is not installed"
vd_init

S=$LAB_SSH_URI
SSH_PREFIX=${S%/system}       # what fits in the host pane: qemu+ssh://root@127.0.0.1:2222

tap_plan 18

lab_up || tap_bail "lab up failed"
cleanup() { lab_domains_off "$LAB_URI" vdlab1 vdlab2; }
lab_on_exit cleanup
cleanup

# screen changes come from action results and events only
vd_config '[general]
refresh = 3600'

# the title bar: " virtdeck │ HOST  N domains, ..."
title_host_is() {
    vd_screen | head -n1 | grep -qF -- "│ $1  "
}
# the host pane under the tree starts with a rule that names the host
host_pane_has() {
    vd_screen | grep -F -- "─$1" > /dev/null
}

# ---- the SSH host alone -----------------------------------------------------------
vd_start 100 30 -c "$S"
vd_check "over SSH: vdlab1 listed, host connected" \
    eval 'vd_wait_row vdlab1 "shut off" 30 && vd_wait_host 1 connected'
vd_check "the host pane shows the SSH URI" vd_has " $SSH_PREFIX"

vd_filter vdlab1
vd_keys s
vd_check "s: virsh -c $S says vdlab1 is running" lab_wait_domstate "$S" vdlab1 running
vd_check "s: the screen shows vdlab1 running" \
    eval 'vd_wait_row vdlab1 running && vd_wait_for "Started vdlab1"'
vd_keys D
vd_check "D asks 'Force off vdlab1?'" vd_wait_for "Force off vdlab1?"
vd_keys y
vd_check "y: shut off in virsh -c $S and on the screen" \
    eval 'lab_wait_domstate "$S" vdlab1 "shut off" && vd_wait_row vdlab1 "shut off"'
vd_keys q
vd_check "q quits with status 0" vd_wait_for "VIRTDECK-EXITED 0"

# ---- two hosts: local and SSH ------------------------------------------------------------
vd_start 100 30 -c "$LAB_URI" -c "$S"
vd_check "two hosts in the tree, both connected" \
    eval 'vd_wait_host 1 connected 30 && vd_wait_host 2 connected 30'
vd_check "host 1 is selected first: title bar and host pane name $LAB_URI" \
    eval 'vd_wait title_host_is "$LAB_URI" && host_pane_has "$LAB_URI" && vd_wait_row vdlab1 "shut off"'
vd_keys Tab
vd_check "Tab selects host 2: title bar and host pane name $S" \
    eval 'vd_wait title_host_is "$S" && host_pane_has "$SSH_PREFIX"'
vd_keys 1
vd_check "1 selects host 1 again" \
    eval 'vd_wait title_host_is "$LAB_URI" && host_pane_has "$LAB_URI"'
vd_keys 2
vd_check "2 selects host 2 again" \
    eval 'vd_wait title_host_is "$S" && host_pane_has "$SSH_PREFIX"'

# an action on host 2 (the lab's SSH URI reaches the same libvirtd)
vd_filter vdlab2
vd_keys s
vd_check "s on host 2: virsh -c $S says vdlab2 is running" lab_wait_domstate "$S" vdlab2 running
vd_check "s on host 2: its list shows vdlab2 running" \
    eval 'vd_wait_row vdlab2 running && vd_wait_for "Started vdlab2" && title_host_is "$S"'
vd_keys 1
vd_check "host 1 (same libvirtd, its own connection) shows vdlab2 running too" \
    eval 'vd_wait title_host_is "$LAB_URI" && vd_wait_row vdlab2 running'
vd_keys 2
vd_wait title_host_is "$S"
vd_keys D
vd_wait_for "Force off vdlab2?" > /dev/null
vd_keys y
vd_check "D y on host 2: vdlab2 shut off in virsh -c $S and on the screen" \
    eval 'lab_wait_domstate "$S" vdlab2 "shut off" && vd_wait_row vdlab2 "shut off"'

vd_check "virtdeck is still running" vd_alive
vd_keys Escape q
vd_check "q quits with status 0" vd_wait_for "VIRTDECK-EXITED 0"

tap_done
