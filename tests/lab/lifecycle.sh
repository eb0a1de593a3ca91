#!/bin/bash
# virtdeck - SPDX-License-Identifier: GPL-2.0-or-later
# Lab UI scenario (TAP): domain lifecycle on the local qemu:///system.
# Drives the real binary in tmux and checks the screen AND libvirt's state
# with virsh. Needs root, the lab (tests/lab/lab.sh) and tmux.
#
# The periodic refresh is set to an hour, so whatever changes on the screen
# comes from an action's own result or from a libvirt event.
# shellcheck source=tests/lab/lib.sh disable=SC2016,SC2034  # checks are eval'd in single quotes
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "lab tests need root"
command -v virsh > /dev/null || tap_skip_all "virsh is not installed"
vd_init

U=$LAB_URI
TMP_VM=vdlab-tmp          # defined and undefined by virtdeck
BAD_VM=vdlab-bad          # its CD-ROM file does not exist
BAD_ISO=$LAB_IMAGES/vdlab-missing.iso

tap_plan 35

lab_up || tap_bail "lab up failed"

remove_throwaways() {
    local d
    for d in "$TMP_VM" "$BAD_VM"; do
        lab_virsh "$U" destroy "$d" > /dev/null 2>&1
        lab_virsh "$U" undefine --managed-save "$d" > /dev/null 2>&1
    done
    lab_virsh "$U" vol-delete --pool default "$TMP_VM.qcow2" > /dev/null 2>&1
    return 0
}
cleanup() {
    remove_throwaways
    lab_domains_off "$U" vdlab1 vdlab2
}
lab_on_exit cleanup
cleanup

vd_config '[general]
refresh = 3600'
vd_start 100 30 -c "$U"

vd_check "virtdeck lists vdlab1 and vdlab2 shut off, host connected" \
    eval 'vd_wait_row vdlab1 "shut off" && vd_row_has vdlab2 "shut off" && vd_wait_host 1 connected'

# ---- start by key ---------------------------------------------------------------
vd_filter vdlab1
vd_keys s
vd_check "s: virsh domstate vdlab1 is running" lab_wait_domstate "$U" vdlab1 running
vd_check "s: the screen shows vdlab1 running and 'Started vdlab1'" \
    eval 'vd_wait_row vdlab1 running && vd_wait_for "Started vdlab1"'

# ---- changes made outside virtdeck arrive by events --------------------------------
# measured from the moment virsh returns (the state has changed by then)
event_latency() {   # event_latency VIRSH-VERB STATE
    local t0 rc
    t0=$(lab_ms)
    lab_virsh "$U" "$1" vdlab1 > /dev/null || { tap_diag "virsh $1 vdlab1 failed"; return 1; }
    local virsh_ms=$(($(lab_ms) - t0))
    vd_wait_row vdlab1 "$2" 5; rc=$?
    tap_diag "virsh $1: '$2' on screen ${VD_WAITED_MS} ms after virsh returned (virsh itself took ${virsh_ms} ms)"
    [ "$rc" = 0 ] && [ "$VD_WAITED_MS" -le 1000 ]
}
vd_check "virsh suspend: 'paused' on screen within 1 s" event_latency suspend paused
vd_check "virsh resume: 'running' on screen within 1 s" event_latency resume running

# ---- pause and resume by key ----------------------------------------------------------
vd_keys p
vd_check "p: virsh says paused, the screen too" \
    eval 'lab_wait_domstate "$U" vdlab1 paused && vd_wait_row vdlab1 paused'
vd_keys p
vd_check "p again: virsh says running, the screen too" \
    eval 'lab_wait_domstate "$U" vdlab1 running && vd_wait_row vdlab1 running'

# ---- force off by key, with confirmation -------------------------------------------------
vd_keys D
vd_check "D asks 'Force off vdlab1?'" vd_wait_for "Force off vdlab1?"
vd_keys n
vd_check "n: the question closes, 'Cancelled'" \
    eval 'vd_wait_gone "Force off vdlab1?" && vd_wait_for Cancelled'
vd_check "n: vdlab1 is still running (virsh and screen)" \
    eval '[ "$(lab_domstate "$U" vdlab1)" = running ] && vd_row_has vdlab1 running'
vd_keys D
vd_wait_for "Force off vdlab1?" > /dev/null
vd_keys y
vd_check "D y: virsh says shut off, the screen too" \
    eval 'lab_wait_domstate "$U" vdlab1 "shut off" && vd_wait_row vdlab1 "shut off" && vd_wait_for "Forced off vdlab1"'

# ---- marks: two domains with one key --------------------------------------------------
vd_keys Escape
vd_filter vdlab
vd_keys g Space Space
vd_check "Space twice marks vdlab1 and vdlab2" vd_wait_for "2 marked"
vd_keys s
vd_check "s with two marks: both running in virsh" \
    eval 'lab_wait_domstate "$U" vdlab1 running && lab_wait_domstate "$U" vdlab2 running'
vd_check "s with two marks: both running on screen, 'Started vdlab1, vdlab2'" \
    eval 'vd_wait_row vdlab1 running && vd_wait_row vdlab2 running && vd_wait_for "Started vdlab1, vdlab2"'
vd_keys D
vd_check "D with two marks asks once, naming both" vd_wait_for "Force off 2 domains: vdlab1, vdlab2?"
vd_keys y
vd_check "y: both shut off in virsh and on screen" \
    eval 'lab_wait_domstate "$U" vdlab1 "shut off" && lab_wait_domstate "$U" vdlab2 "shut off" &&
          vd_wait_row vdlab1 "shut off" && vd_wait_row vdlab2 "shut off"'
vd_keys Escape
vd_wait_gone "marked" > /dev/null

# ---- managed save and restore ------------------------------------------------------------
vd_filter vdlab1
vd_keys s
vd_check "s: vdlab1 running again" \
    eval 'lab_wait_domstate "$U" vdlab1 running && vd_wait_row vdlab1 running'
vd_keys m
vd_check "m: virsh says shut off with 'Managed save: yes'" \
    eval 'lab_wait_domstate "$U" vdlab1 "shut off" 60 && [ "$(lab_dominfo "$U" vdlab1 "Managed save")" = yes ]'
vd_check "m: the screen shows 'Saved vdlab1' and the row says saved" \
    eval 'vd_wait_for "Saved vdlab1" && vd_wait_row vdlab1 saved'
vd_keys S
vd_check "S: restored, virsh running and 'Managed save: no'" \
    eval 'lab_wait_domstate "$U" vdlab1 running 60 && [ "$(lab_dominfo "$U" vdlab1 "Managed save")" = no ]'
vd_check "S: the screen shows 'Restored vdlab1' and running" \
    eval 'vd_wait_for "Restored vdlab1" && vd_wait_row vdlab1 running'
vd_keys D
vd_wait_for "Force off vdlab1?" > /dev/null
vd_keys y
vd_check "D y after restore: shut off" \
    eval 'lab_wait_domstate "$U" vdlab1 "shut off" && vd_wait_row vdlab1 "shut off"'

# ---- autostart ----------------------------------------------------------------------------
autostart_is() { [ "$(lab_dominfo "$U" vdlab1 Autostart)" = "$1" ]; }
vd_keys a
vd_check "a: virsh dominfo says 'Autostart: enable', screen 'Autostart on'" \
    eval 'VD_WAIT_SECS=10 vd_wait autostart_is enable && vd_wait_for "Autostart on for vdlab1"'
vd_keys a
vd_check "a again: 'Autostart: disable', screen 'Autostart off'" \
    eval 'VD_WAIT_SECS=10 vd_wait autostart_is disable && vd_wait_for "Autostart off for vdlab1"'

# ---- undefine a throw-away domain -------------------------------------------------------------
# vdlab1's inactive XML with a new name, no UUID, no MAC and a volume of its own
tmp_defined=1
{
    lab_virsh "$U" vol-create-as default "$TMP_VM.qcow2" 16M --format qcow2 > /dev/null &&
        lab_virsh "$U" dumpxml --inactive vdlab1 |
        sed -e "s|<name>vdlab1</name>|<name>$TMP_VM</name>|" -e '/<uuid>/d' -e '/<mac address/d' \
            -e "s|volume='vdlab1.qcow2'|volume='$TMP_VM.qcow2'|" > "$VD_TMP/$TMP_VM.xml" &&
        lab_virsh "$U" define "$VD_TMP/$TMP_VM.xml" > /dev/null
} || tmp_defined=0
vd_filter "$TMP_VM"
vd_check "$TMP_VM defined with virsh shows up in virtdeck (define event)" \
    eval '[ "$tmp_defined" = 1 ] && vd_wait_row "$TMP_VM" "shut off"'
vd_keys U
vd_check "U asks, naming $TMP_VM" vd_wait_for "Undefine $TMP_VM?"
vd_keys y
gone_from_virsh() { ! lab_virsh "$U" list --all --name | grep -qx "$TMP_VM"; }
vd_check "y: $TMP_VM is gone from virsh list --all" eval 'VD_WAIT_SECS=10 vd_wait gone_from_virsh'
vd_check "y: the screen says 'Undefined $TMP_VM (storage kept)', the row is gone" \
    eval 'vd_wait_for "Undefined $TMP_VM (storage kept)" && [ -z "$(vd_row "$TMP_VM")" ]'
vd_check "its volume $TMP_VM.qcow2 is still there" \
    eval 'lab_virsh "$U" vol-info --pool default "$TMP_VM.qcow2" > /dev/null'
remove_throwaways

# ---- a libvirt error in full on the status line -----------------------------------------------
rm -f "$BAD_ISO"
cat > "$VD_TMP/$BAD_VM.xml" << EOF
<domain type='qemu'><name>$BAD_VM</name><memory unit='MiB'>64</memory>
 <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='cdrom'/></os>
 <devices>
  <disk type='file' device='cdrom'><source file='$BAD_ISO'/><target dev='hdc' bus='ide'/><readonly/></disk>
 </devices></domain>
EOF
lab_virsh "$U" define "$VD_TMP/$BAD_VM.xml" > /dev/null
# what virsh says: its last "error: " line is libvirt's message
virsh_out=$(lab_virsh "$U" start "$BAD_VM" 2>&1)
virsh_rc=$?
libvirt_msg=$(printf '%s\n' "$virsh_out" | sed -n 's/^error: //p' | tail -n1)
tap_diag "virsh start $BAD_VM: $libvirt_msg"
vd_check "virsh start $BAD_VM fails with a message" \
    eval '[ "$virsh_rc" != 0 ] && [ -n "$libvirt_msg" ]'
vd_wait_row "$BAD_VM" "shut off" > /dev/null
vd_filter "$BAD_VM"
vd_keys s
status_has_msg() {
    case $(vd_status) in *"$(vd_squeeze "$libvirt_msg")"*) return 0 ;; esac
    return 1
}
vd_check "s: the status line shows libvirt's whole message" \
    eval '[ -n "$libvirt_msg" ] && VD_WAIT_SECS=15 vd_wait status_has_msg'
vd_check "the status line names the action and the domain ('Start failed: $BAD_VM:')" \
    eval 'vd_status | grep -qF "Startfailed:$BAD_VM:"'
vd_check "$BAD_VM is still shut off" eval '[ "$(lab_domstate "$U" "$BAD_VM")" = "shut off" ]'
remove_throwaways

# ---- the end ----------------------------------------------------------------------------------
vd_check "virtdeck is still running" vd_alive
vd_keys Escape q
vd_check "q quits with status 0" vd_wait_for "VIRTDECK-EXITED 0"

tap_done
