#!/bin/bash
# virtdeck - SPDX-License-Identifier: GPL-2.0-or-later
# Lab smoke test (TAP): the lab is up and a lab VM really starts and stops.
# Needs root, libvirtd, QEMU and sshd (see tests/lab/lab.sh).
# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "lab tests need root"
for c in virsh libvirtd virtlogd qemu-system-x86_64 /usr/sbin/sshd grub-mkrescue; do
    command -v "$c" > /dev/null || tap_skip_all "$c is not installed"
done

VM=vdlab1
tap_plan 12

lab_up || tap_bail "lab up failed"

v() { timeout 30 virsh -q -c "$LAB_URI" "$@" < /dev/null; }

# field FIELD VIRSH-ARGS...: the value of "FIELD: value" in virsh output
field() {
    local f=$1; shift
    v "$@" 2> /dev/null | awk -v f="$f:" '$1 == f {print $2; exit}'
}

# state: the domain state, one line, as virsh domstate prints it
state() {
    v domstate "$VM" 2> /dev/null | sed '/^$/d'
}

# wait_state STATE SECONDS
wait_state() {
    local _ s=
    for _ in $(seq $(($2 * 10))); do
        s=$(state)
        [ "$s" = "$1" ] && return 0
        sleep 0.1
    done
    tap_diag "$VM is '$s', expected '$1' within $2 s"
    return 1
}

cleanup() {
    if [ "$(state)" != "shut off" ]; then
        v destroy "$VM" > /dev/null 2>&1
    fi
}
trap cleanup EXIT

tap_check "libvirtd answers on $LAB_URI" v version

tap_check "libvirtd answers over SSH ($LAB_SSH_URI)" \
    timeout 30 setsid -w virsh -c "$LAB_SSH_URI" version

[ "$(field Active net-info default)" = yes ]
tap_ok $? "network default is active"

[ "$(field State pool-info default)" = running ]
tap_ok $? "pool default is running"

[ "$(field Name dominfo "$VM")" = "$VM" ]
tap_ok $? "$VM is defined"

# A previous run may have left it running.
[ "$(state)" = "shut off" ] || v destroy "$VM" > /dev/null 2>&1
tap_check "virsh start $VM" v start "$VM"

wait_state running 10
tap_ok $? "$VM is running"

disp=$(v domdisplay "$VM" 2>&1)
[[ $disp =~ ^vnc://127\.0\.0\.1:([0-9]+)$ ]]
tap_ok $? "domdisplay gives a VNC display on 127.0.0.1 ($disp)" || true
port=$((5900 + ${BASH_REMATCH[1]:-0}))

# The VNC server speaks first: "RFB 003.008\n".
rfb=
if { exec 3<> "/dev/tcp/127.0.0.1/$port"; } 2> /dev/null; then
    read -r -t 5 -n 12 rfb <&3 || true
    exec 3>&-
fi
[[ $rfb == RFB\ 003.* ]]
tap_ok $? "VNC server on port $port greets with RFB ($rfb)" || true

tap_check "virsh destroy $VM" v destroy "$VM"

wait_state "shut off" 10
tap_ok $? "$VM is shut off"

# destroy must have ended the QEMU process
! pgrep -f -- "-name guest=$VM," > /dev/null
tap_ok $? "no QEMU process left for $VM"

tap_done
