#!/bin/bash
# virtdeck - SPDX-License-Identifier: GPL-2.0-or-later
# Lab UI scenario (TAP): cloning a VM (key y) on qemu:///system.
# A source VM is made with --create; the clone form makes a full copy and a
# linked clone; virsh checks names, new MACs, the copied volume (size,
# format) and the linked one's backing file; the full clone boots; a running
# source and a taken name are refused. Objects are named vdwc*.
# shellcheck source=tests/lab/lib.sh disable=SC2016,SC2034
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "lab tests need root"
command -v virsh > /dev/null || tap_skip_all "virsh is not installed"
vd_init

U=$LAB_URI
VMS="vdwcs vdwcs-clone vdwcl vdwcs2"

tap_plan 14

lab_up || tap_bail "lab up failed"

cleanup() {
    local d
    for d in $VMS; do
        lab_virsh "$U" destroy "$d" > /dev/null 2>&1
        lab_virsh "$U" undefine "$d" > /dev/null 2>&1
    done
    # the linked clone before its backing volume
    for d in vdwcl.qcow2 vdwcs2.qcow2 vdwcs-clone.qcow2 vdwcs.qcow2; do
        lab_virsh "$U" vol-delete --pool default "$d" > /dev/null 2>&1
    done
    return 0
}
lab_on_exit cleanup
cleanup

k() { vd_keys "$@"; sleep 0.1; }
t() { vd_type "$1"; sleep 0.1; }

cat > "$VD_TMP/src.vm" << EOF
[vm]
name=vdwcs
virt-type=qemu
install=iso-path
iso-path=$LAB_ISO
memory-mib=64
disk=new
disk-pool=default
disk-size-mib=40
start=false
EOF
tap_check "the source VM is made with --create" "$VD_BIN" -c "$U" --create "$VD_TMP/src.vm"
SRC_MAC=$(lab_virsh "$U" domiflist vdwcs | awk '{print $5}')

vd_config '[general]
refresh = 3600'
vd_start 80 24 -c "$U"
vd_wait_host 1 connected 20
vd_filter vdwcs
vd_wait_row vdwcs "shut off" 10

# ---- full copy -------------------------------------------------------------------
k y
vd_check "y opens the clone form with a proposed name" eval 'vd_wait_for "Clone vdwcs" 5 && vd_has "vdwcs-clone"'
k Enter
vd_check "the status line says it is cloned" vd_wait_for "Cloned vdwcs as vdwcs-clone" 120
tap_check "virsh: vdwcs-clone is defined" lab_virsh "$U" dominfo vdwcs-clone
V=$(lab_virsh "$U" vol-dumpxml --pool default vdwcs-clone.qcow2)
tap_check "its disk: vdwcs-clone.qcow2, 40 MiB, qcow2" \
    eval 'grep -q ">41943040</capacity>" <<< "$V" && grep -q "<format type=.qcow2./>" <<< "$V"'
X=$(lab_virsh "$U" dumpxml --inactive vdwcs-clone)
tap_check "its XML points at the copy and keeps the CD" \
    eval 'grep -q "volume=.vdwcs-clone.qcow2." <<< "$X" && grep -q "source file=.$LAB_ISO." <<< "$X"'
CL_MAC=$(lab_virsh "$U" domiflist vdwcs-clone | awk '{print $5}')
tap_check "a new MAC ($SRC_MAC -> $CL_MAC)" eval '[ -n "$CL_MAC" ] && [ "$CL_MAC" != "$SRC_MAC" ]'
tap_check "the clone starts" eval 'lab_virsh "$U" start vdwcs-clone && lab_wait_domstate "$U" vdwcs-clone running 20'
lab_virsh "$U" destroy vdwcs-clone > /dev/null 2>&1

# ---- linked clone ------------------------------------------------------------------
vd_check "the new clone is selected in the list" eval '[ "$(vd_cursor)" = vdwcs-clone ]'
k g   # back to vdwcs, the first row
k y; vd_wait_for "Clone vdwcs " 5
k C-u; t vdwcl; k Tab Space Enter
vd_check "linked: the status line says so" vd_wait_for "Cloned vdwcs as vdwcl (linked disks)" 60
V=$(lab_virsh "$U" vol-dumpxml --pool default vdwcl.qcow2)
tap_check "linked: vdwcl.qcow2 is qcow2 over vdwcs.qcow2" \
    eval 'grep -q "<format type=.qcow2./>" <<< "$V" && grep -A2 "<backingStore>" <<< "$V" | grep -q "$LAB_IMAGES/vdwcs.qcow2"'

# ---- refusals ------------------------------------------------------------------------
k g
k y; vd_wait_for "Clone vdwcs " 5
k C-u; t vdwcl
vd_check "a taken name is refused inline" vd_wait_for "A domain with this name exists" 5
k Escape
lab_virsh "$U" start vdwcs > /dev/null
vd_wait_row vdwcs running 10
k g y
vd_check "a running source: the form says to shut it down" vd_wait_for "Shut the machine down first" 5
k C-u; t vdwcs2; k Enter
vd_check "and the clone fails with that reason, nothing made" \
    eval 'vd_wait_for "cannot be copied safely" 30 && ! lab_virsh "$U" dominfo vdwcs2 && ! lab_virsh "$U" vol-info --pool default vdwcs2.qcow2'
lab_virsh "$U" destroy vdwcs > /dev/null 2>&1

tap_done
