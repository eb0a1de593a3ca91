#!/bin/bash
# virtdeck - SPDX-License-Identifier: GPL-2.0-or-later
# Lab UI scenario (TAP): a host bridge in the new VM wizard, on the real
# libvirtd. The lab has a Linux bridge with no uplink (vdlabbr0) and a veth
# pair (not a bridge); libvirt's interface driver lists both, the bridge as
# <interface type='bridge'> although, with no port yet, it calls it
# inactive. The wizard's network page lists the bridge only (not the veth,
# not eth0, not the libvirt network's virbr0); a VM made on it gets
# <interface type='bridge'><source bridge='vdlabbr0'/> with the chosen model
# and MAC, and once started its tap device is a port of vdlabbr0. The same
# over qemu+ssh against host 2, whose only bridge is vdlabh2br0 in its own
# netns: listed from libvirt there, never from this machine's /sys.
# Objects are named vdub*.
# shellcheck source=tests/lab/lib.sh disable=SC2016,SC2034
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "lab tests need root"
command -v virsh > /dev/null || tap_skip_all "virsh is not installed"
vd_init

U=$LAB_URI
H2=$LAB_H2_URI
VM=vdubr1
H2_VM=vdubr2
MAC1=52:54:00:5d:75:01
MAC2=52:54:00:5d:75:02

tap_plan 16

lab_up || tap_bail "lab up failed"
T0=$SECONDS   # after the wait for the lab lock

cleanup() {
    lab_virsh "$U" destroy "$VM" > /dev/null 2>&1
    lab_virsh "$U" undefine "$VM" > /dev/null 2>&1
    lab_virsh "$H2" destroy "$H2_VM" > /dev/null 2>&1
    lab_virsh "$H2" undefine "$H2_VM" > /dev/null 2>&1
    return 0
}
lab_on_exit cleanup
cleanup

k() { vd_keys "$@"; sleep 0.1; }
t() { vd_type "$1"; sleep 0.1; }
page() { vd_wait_for "Step $1 of 7" 10; }
iface_type() {   # iface_type URI NAME: the type libvirt's interface driver gives NAME
    lab_virsh "$1" iface-dumpxml "$2" | sed -n "s/^<interface type='\([a-z]*\)'.*/\1/p"
}
# the popup list of the Network/bridge field, between its frame lines
bridge_list() { vd_screen | sed -n '/Network\/bridge/,/└/p' | grep -o '│[a-z0-9_.-]*  *│' | tr -d '│ '; }

# walk NAME MAC: pages 1-5 (lab ISO by path, 64 MiB, no disk), then the
# network page: host bridge, opens the bridge list and leaves it open
walk() {
    k n; page 1 || return 1
    vd_wait_gone "Reading what the host offers" 20 || return 1
    t "$1"; k NPage; page 2 || return 1
    k Enter; k Down Down Enter; k Tab; t "$LAB_ISO"; k NPage; page 3 || return 1
    k Tab Tab C-u; t 1; k Tab Tab C-u; t 64m; k Tab C-u; t 64m
    k NPage; page 4 || return 1
    k Right Right    # no disk
    k NPage; page 5 || return 1
    k Right          # host bridge
    k Tab Enter      # the list of bridges
}
# finish MAC: close the list on the first entry, e1000e, the MAC, to the review
finish() {
    k Enter; k Tab Right; k Tab; t "$1"
    k NPage; page 6 || return 1
    k Tab Tab Tab Tab Left Left   # boot: CD-ROM, then (none): there is no disk
    k NPage; page 7
}
enslaved() {   # enslaved IP-ARGS URI NAME BRIDGE: NAME's tap is a port of BRIDGE
    local uri=$2 name=$3 br=$4 tap
    tap=$(lab_virsh "$uri" domiflist "$name" | awk 'NR == 1 {print $1}')
    [ -n "$tap" ] && [ "$tap" != - ] || { echo "no tap device for $name"; return 1; }
    ip $1 -o link show master "$br" | grep -q ": $tap[:@]" || { ip $1 link show master "$br"; return 1; }
}

vd_config '[general]
refresh = 3600'
vd_start 80 24 -c "$U"
vd_wait_host 1 connected 20

# ---- what libvirt says ------------------------------------------------------------------
tap_check "libvirt: $LAB_BRIDGE is <interface type='bridge'>" eval '[ "$(iface_type "$U" "$LAB_BRIDGE")" = bridge ]'
tap_check "libvirt: $LAB_NOT_BRIDGE is <interface type='ethernet'>" eval '[ "$(iface_type "$U" "$LAB_NOT_BRIDGE")" = ethernet ]'
tap_diag "interfaces libvirt calls active (the old filter): $(lab_virsh "$U" iface-list | awk '{print $1}' | tr '\n' ' ')"

# ---- host 1 --------------------------------------------------------------------------
walk "$VM"
L=$(bridge_list)
vd_check "the bridge list has $LAB_BRIDGE" eval 'grep -qx "$LAB_BRIDGE" <<< "$L"'
vd_check "and no veth, no eth0, no lo, no virbr0 (network default's own)" \
    eval '! grep -qE "^($LAB_NOT_BRIDGE|vdlabveth1|eth0|lo|virbr0)$" <<< "$L"'
tap_diag "bridges offered on $U: $(tr '\n' ' ' <<< "$L")"
# choose it (typed into the list's filter)
t "$LAB_BRIDGE"
finish "$MAC1"
vd_check "review: NIC on the host bridge $LAB_BRIDGE, e1000e, MAC $MAC1" \
    vd_has "Network: host bridge $LAB_BRIDGE, e1000e, MAC $MAC1"
k Tab; k Enter   # Create and start
vd_check "create and start: the status line says so" vd_wait_for "Created and started $VM" 60
tap_check "virsh: $VM is running" lab_wait_domstate "$U" "$VM" running 30
X=$(lab_virsh "$U" dumpxml --inactive "$VM")
tap_check "XML: <interface type='bridge'><source bridge='$LAB_BRIDGE'/>, MAC $MAC1, model e1000e" \
    eval 'tr -d "\n" <<< "$X" | grep -q "<interface type=.bridge.> *<mac address=.$MAC1./> *<source bridge=.$LAB_BRIDGE./> *<model type=.e1000e./>"'
tap_check "its tap device is a port of $LAB_BRIDGE (ip link show master)" enslaved "" "$U" "$VM" "$LAB_BRIDGE"
k C-]; vd_wait_gone "leaves" 10
lab_virsh "$U" destroy "$VM" > /dev/null

# ---- host 2 over qemu+ssh: its own bridge, from its libvirt ------------------------------
vd_start 80 24 -c "$H2"
vd_wait_host 1 connected 30
walk "$H2_VM"
L=$(bridge_list)
vd_check "host 2: the bridge list has $LAB_H2_BRIDGE" eval 'grep -qx "$LAB_H2_BRIDGE" <<< "$L"'
vd_check "host 2: not this machine's $LAB_BRIDGE (no local /sys for a remote host), no veth" \
    eval '! grep -qE "^($LAB_BRIDGE|$LAB_NOT_BRIDGE|vdlabveth1|lab2-ns|virbr0)$" <<< "$L"'
tap_diag "bridges offered on $H2: $(tr '\n' ' ' <<< "$L")"
t "$LAB_H2_BRIDGE"
finish "$MAC2"
k Tab; k Enter
vd_check "host 2: created and started" vd_wait_for "Created and started $H2_VM" 60
tap_check "host 2: $H2_VM is running" lab_wait_domstate "$H2" "$H2_VM" running 30
X=$(lab_virsh "$H2" dumpxml --inactive "$H2_VM")
tap_check "host 2 XML: bridge $LAB_H2_BRIDGE, MAC $MAC2, e1000e" \
    eval 'tr -d "\n" <<< "$X" | grep -q "<interface type=.bridge.> *<mac address=.$MAC2./> *<source bridge=.$LAB_H2_BRIDGE./> *<model type=.e1000e./>"'
tap_check "host 2: its tap device is a port of $LAB_H2_BRIDGE in netns labhost2" enslaved "-n labhost2" "$H2" "$H2_VM" "$LAB_H2_BRIDGE"
k C-]; vd_wait_gone "leaves" 10
vd_check "virtdeck still runs" vd_alive

tap_diag "run time after the lab lock: $((SECONDS - T0)) s"
tap_done
