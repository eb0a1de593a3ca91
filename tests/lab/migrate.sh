#!/bin/bash
# virtdeck - SPDX-License-Identifier: GPL-2.0-or-later
# Lab UI scenario (TAP): migration between the two lab hosts with M.
# A diskless guest vdcmig1 (the lab GRUB ISO as its CD, the same path on
# both hosts): offline host 1 -> host 2 (definition only), live host 1 ->
# host 2 with the limits dialog during the job, cancel (Esc) of a slow one,
# and suspended host 2 -> host 1 (data to tcp://10.254.0.1, host 1's side
# of the link). TCG, no shared storage. Needs root, the lab with host 2, tmux.
# shellcheck source=tests/lab/lib.sh disable=SC2016,SC2034
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "lab tests need root"
command -v virsh > /dev/null || tap_skip_all "virsh is not installed"
vd_init
tap_plan 13
lab_up || tap_bail "lab up failed"
eval "$("$LAB_CTL" env)"
[ -n "${LAB_H2_URI:-}" ] || tap_bail "no host 2 (tests/lab/lab.sh up-host2)"
H1=$LAB_URI H2=$LAB_H2_URI D=vdcmig1

gone() {   # off and undefined on both hosts
    local u
    for u in "$H1" "$H2"; do
        lab_virsh "$u" destroy "$D" > /dev/null 2>&1
        lab_virsh "$u" undefine "$D" > /dev/null 2>&1
    done
    return 0
}
lab_on_exit gone
gone
cat > "$VD_TMP/$D.xml" <<EOF
<domain type='qemu'><name>$D</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
 <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='cdrom'/></os>
 <devices>
  <disk type='file' device='cdrom'><source file='$LAB_ISO'/><target dev='hdc' bus='ide'/><readonly/></disk>
  <serial type='pty'/><console type='pty'><target type='serial'/></console>
 </devices></domain>
EOF
lab_virsh "$H1" define "$VD_TMP/$D.xml" > /dev/null || tap_bail "cannot define $D"

vd_start 120 40 -c "$H1" -c "$H2"
vd_wait_host 2 connected 30 > /dev/null
vd_keys 1
vd_filter "$D" > /dev/null
vd_wait_row "$D" "shut off" > /dev/null

# ---- offline -----------------------------------------------------------------------
vd_keys M
vd_check "M opens the form, offline chosen for a shut off domain" \
    eval 'vd_wait_for "Migrate $D (shut off)" && vd_has "offline (definition only)" && vd_has "labhost2"'
vd_keys Enter
vd_check "offline: migrated, defined on host 2, still on host 1" \
    eval 'vd_wait_for "Migrated $D to labhost2" 60 && [ "$(lab_domstate "$H2" "$D")" = "shut off" ] && [ "$(lab_domstate "$H1" "$D")" = "shut off" ]'
lab_virsh "$H2" undefine "$D" > /dev/null

# ---- live, with the limits during the job ---------------------------------------------
lab_virsh "$H1" start "$D" > /dev/null
vd_wait_row "$D" running 10 > /dev/null
vd_keys M
vd_wait_for "Mode" > /dev/null
vd_check "a running domain: live chosen" vd_has "◂ live ▸"
# bandwidth 1 MiB/s: slow enough to see the job
vd_keys Down Down Down Down Down Down Down Down
vd_type 1
vd_keys Enter
vd_check "progress in the status line (data, percent)" eval 'vd_wait_for "of 64" 60 && vd_has "%"'
vd_keys M
vd_check "M during the job: the limits dialog" vd_wait_for "Migration in progress"
vd_keys Tab C-u; vd_type 50; vd_keys Enter
vd_check "bandwidth raised to 50 MiB/s during the job" vd_wait_for "bandwidth 50 MiB/s" 3
vd_check "live: running on host 2, shut off on host 1" \
    eval 'vd_wait_for "Migrated $D to labhost2" 60 && [ "$(lab_domstate "$H2" "$D")" = running ] && [ "$(lab_domstate "$H1" "$D")" = "shut off" ]'

# ---- suspended, host 2 -> host 1 ----------------------------------------------------
vd_keys 2
vd_filter "$D" > /dev/null
vd_wait_row "$D" running 10 > /dev/null
vd_keys M
vd_wait_for "Mode" > /dev/null
vd_keys Down Right Right Down Down Down Down Down Down Down Down
vd_type tcp://10.254.0.1
vd_keys Enter
vd_check "suspended: back on host 1, paused there" \
    eval 'vd_wait_for "Migrated $D to vm" 60 || vd_wait_for "Migrated $D to" 5; [ "$(lab_domstate "$H1" "$D")" = paused ]'
vd_check "and gone from host 2's running list" eval '[ "$(lab_domstate "$H2" "$D")" != running ]'

# ---- cancel ---------------------------------------------------------------------------
lab_virsh "$H1" resume "$D" > /dev/null
lab_virsh "$H2" undefine "$D" > /dev/null 2>&1
vd_keys 1
vd_wait_row "$D" running 10 > /dev/null
vd_keys M
vd_wait_for "Mode" > /dev/null
vd_keys Down Down Down Down Down Down Down Down
vd_type 1
vd_keys Enter
vd_wait_for "of 64" 60 > /dev/null
vd_keys Escape
vd_check "Esc cancels the migration" vd_wait_for "Migration of $D cancelled" 30
vd_check "it still runs on host 1, not on host 2" \
    eval '[ "$(lab_domstate "$H1" "$D")" = running ] && [ "$(lab_domstate "$H2" "$D")" != running ]'

# ---- a bad value ---------------------------------------------------------------------
vd_keys M
vd_wait_for "Mode" > /dev/null
vd_keys Down Down Down Down Down Down Down
vd_type abc
vd_keys Enter
vd_check "a bad downtime is reported in the form" vd_wait_for "whole numbers"
vd_keys Escape
vd_alive; tap_ok $? "virtdeck still running" || true

tap_done
