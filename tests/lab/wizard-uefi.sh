#!/bin/bash
# virtdeck - SPDX-License-Identifier: GPL-2.0-or-later
# Lab UI scenario (TAP): UEFI in the new VM wizard, on the real libvirtd.
# The firmware choice offers UEFI only because libvirt's domain capabilities
# list a loader (OVMF's descriptors, package ovmf): walked by keys with a q35
# machine, created and started; checks the domain XML (firmware='efi' with
# Secure Boot off, so libvirt picks plain OVMF and no SMM), the loader and
# NVRAM file libvirt chose, that the guest boots the lab GRUB ISO under EFI
# (GRUB's menu on virtdeck's serial console, $grub_platform = efi) and how
# long that takes. UEFI with Secure Boot is offered for q35 (refused inline
# on pc): enrolled keys and SMM in the XML, libvirt starts it with the
# secure loader. The refusal: host 2 with OVMF's descriptors hidden from
# its libvirtd lists no loader, and the wizard there offers BIOS only.
# Objects are named vdu*.
# shellcheck source=tests/lab/lib.sh disable=SC2016,SC2034
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "lab tests need root"
command -v virsh > /dev/null || tap_skip_all "virsh is not installed"
vd_init

U=$LAB_URI
VM=vduefi1
H2_VM=vduefi2
FW_DIR=/usr/share/qemu/firmware

ls $FW_DIR/*.json > /dev/null 2>&1 || tap_skip_all "no UEFI firmware descriptors in $FW_DIR (install ovmf: tests/deps.sh)"

tap_plan 23

lab_up || tap_bail "lab up failed"
T0=$SECONDS   # after the wait for the lab lock

# host 2's libvirtd runs in mount and network namespaces of its own (lab.sh)
h2_libvirtd_pid() { awk '$1 == "libvirtd" {print $2}' "$LAB/host2/pids" 2> /dev/null; }
in_h2() {
    local pid
    pid=$(h2_libvirtd_pid) && [ -n "$pid" ] || return 1
    nsenter -t "$pid" -m -- sh -c "$1"
}
cleanup() {
    local d
    for d in $VM vdusb1; do
        lab_virsh "$U" destroy "$d" > /dev/null 2>&1
        lab_virsh "$U" undefine --nvram "$d" > /dev/null 2>&1
    done
    lab_virsh "$LAB_H2_URI" destroy "$H2_VM" > /dev/null 2>&1
    lab_virsh "$LAB_H2_URI" undefine --nvram "$H2_VM" > /dev/null 2>&1
    in_h2 "umount $FW_DIR" 2> /dev/null
    return 0
}
lab_on_exit cleanup
cleanup

k() { vd_keys "$@"; sleep 0.1; }
t() { vd_type "$1"; sleep 0.1; }
page() { vd_wait_for "Step $1 of 7" 10; }
efi_listed() {   # efi_listed URI: domcapabilities' firmware enum has efi
    lab_virsh "$1" domcapabilities --virttype qemu |
        awk '/<enum name=.firmware.>/ {f = 1} f && /<value>efi<\/value>/ {ok = 1} /<\/enum>/ {f = 0} END {exit !ok}'
}
firmware_line() { vd_screen | grep -m1 'Firmware'; }

# to page 3 with NAME and the lab ISO by path
to_page3() {
    k n; page 1 || return 1
    vd_wait_gone "Reading what the host offers" 20 || return 1
    t "$1"; k NPage; page 2 || return 1
    k Enter; k Down Down Enter; k Tab; t "$LAB_ISO"; k NPage; page 3
}

vd_config '[general]
refresh = 3600'
# wide enough for GRUB's 80 columns in the console pane
vd_start 110 30 -c "$U"
vd_wait_host 1 connected 20

# ---- host 1: OVMF installed, libvirt lists a loader, the wizard offers UEFI -------------
tap_check "qemu:///system: domcapabilities list the efi firmware" efi_listed "$U"
to_page3 "$VM"
# machine q35 (from the list), 1 vCPU, 128 MiB, then the firmware choice
k Tab; k Enter; t q35; k Enter
k Tab C-u; t 1; k Tab Tab C-u; t 128m; k Tab C-u; t 128m; k Tab
vd_check "page 3: BIOS first, no 'no loader' hint" \
    eval 'firmware_line | grep -q "BIOS" && ! vd_has "no loader"'
k Right
vd_check "page 3: Right offers UEFI" eval 'firmware_line | grep -q "UEFI"'
# storage: no disk (the GRUB ISO needs none); network: default NAT
k NPage; page 4; k Right Right
k NPage; page 5; k NPage; page 6
k Space                        # no VNC: "create and start" opens the serial console
k Tab Tab Tab Tab Left Left   # boot: CD-ROM, then (none): there is no disk
k NPage; page 7
vd_check "review: firmware UEFI, machine q35, the XML asks for efi without Secure Boot" \
    eval 'vd_has "firmware UEFI" && vd_has "machine q35" && vd_has "firmware=\"efi\""'
t0=$(lab_ms)
k Tab; k Enter   # Create and start
vd_check "create and start: the status line says so" vd_wait_for "Created and started $VM" 60
tap_check "virsh: $VM is running" lab_wait_domstate "$U" "$VM" running 30

X=$(lab_virsh "$U" dumpxml --inactive "$VM")
tap_check "XML: <os firmware='efi'> on a q35 machine" \
    eval 'grep -q "<os firmware=.efi.>" <<< "$X" && grep -q "machine=.pc-q35-" <<< "$X"'
tap_check "XML: Secure Boot off, no SMM" \
    eval 'grep -q "<feature enabled=.no. name=.secure-boot./>" <<< "$X" && ! grep -q "<smm" <<< "$X"'
L=$(lab_virsh "$U" dumpxml "$VM")
NVRAM=$(sed -n 's|.*<nvram[^>]*>\(.*\)</nvram>.*|\1|p' <<< "$L")
tap_check "live XML: libvirt chose a read-only pflash OVMF loader without Secure Boot" \
    eval 'grep -q "<loader readonly=.yes. type=.pflash.>/usr/share/OVMF/OVMF_CODE" <<< "$L" && ! grep -q "secure=.yes." <<< "$L"'
tap_check "libvirt made the NVRAM file from the template ($NVRAM)" \
    eval '[ -n "$NVRAM" ] && [ -s "$NVRAM" ] && grep -q "<nvram template=./usr/share/OVMF/OVMF_VARS" <<< "$L"'

# virtdeck opened the serial console: GRUB's menu there. GRUB draws it once
# and waits, so a key (Ctrl-N, "down" for GRUB, nothing for OVMF: no ESC that
# could open OVMF's setup) redraws it; pressed every second until it shows.
grub_menu_seen() {
    local i
    for i in $(seq 90); do
        vd_has "Lab entry one" && return 0
        k C-n; sleep 0.9
    done
    return 1
}
vd_check "virtdeck opened the console of $VM" vd_wait_for "leaves" 20
vd_check "the guest boots to the lab GRUB menu (virtdeck's serial console)" grub_menu_seen
tap_diag "UEFI boot to the GRUB menu: $(( $(lab_ms) - t0 )) ms from Create and start to the menu on the screen (TCG, q35, OVMF; 1 s polling)"
# GRUB's command line: which platform it was built for (typed one key at a
# time: GRUB polls the serial line)
slow_type() { local i; for ((i = 0; i < ${#1}; i++)); do vd_type "${1:i:1}"; sleep 0.05; done; }
k c; vd_wait_for "grub>" 10
slow_type 'echo plat=$grub_platform'; k Enter
vd_check "GRUB runs under EFI (\$grub_platform = efi)" vd_wait_for "plat=efi" 10
k C-]; vd_wait_gone "leaves" 10
lab_virsh "$U" destroy "$VM" > /dev/null
tap_check "undefine --nvram removes the domain and its NVRAM file" \
    eval 'lab_virsh "$U" undefine --nvram "$VM" > /dev/null && [ ! -e "$NVRAM" ]'

# ---- Secure Boot: offered for q35 (its domcapabilities list secure=yes), with SMM ------
SB=vdusb1
to_page3 "$SB"
k Tab; k Enter; t q35; k Enter
k Tab C-u; t 1; k Tab Tab C-u; t 128m; k Tab C-u; t 128m; k Tab
k Right Right
vd_check "page 3: Right twice offers UEFI with Secure Boot" eval 'firmware_line | grep -q "UEFI with Secure Boot"'
# machine pc (the first entry the list's filter finds for "pc"): refused inline
k BTab BTab BTab BTab BTab; k Enter; t pc; k Enter
vd_check "Secure Boot on machine pc: the wizard says it needs q35" vd_wait_for "needs a q35 machine" 5
k Enter; t q35; k Enter
vd_wait_gone "needs a q35 machine" 5
k NPage; page 4; k Right Right
k NPage; page 5; k NPage; page 6
k Tab Tab Tab Tab Left Left
k NPage; page 7
k Tab Tab; k Enter   # Create only
vd_wait_for "Created $SB" 60
X=$(lab_virsh "$U" dumpxml --inactive "$SB")
tap_check "Secure Boot XML: efi, secure-boot and enrolled-keys on, SMM on, q35" \
    eval 'grep -q "<feature enabled=.yes. name=.secure-boot./>" <<< "$X" && grep -q "<feature enabled=.yes. name=.enrolled-keys./>" <<< "$X" && grep -q "<smm state=.on./>" <<< "$X" && grep -q "machine=.pc-q35-" <<< "$X"'
L=
tap_check "Secure Boot: libvirt starts it with a secure pflash loader and the enrolled-keys NVRAM template" \
    eval 'lab_virsh "$U" start "$SB" > /dev/null && L=$(lab_virsh "$U" dumpxml "$SB") &&
          grep -q "<loader readonly=.yes. secure=.yes. type=.pflash.>" <<< "$L" && grep -q "<nvram template=./usr/share/OVMF/OVMF_VARS[^.]*\.ms\.fd" <<< "$L"'
lab_virsh "$U" destroy "$SB" > /dev/null 2>&1
lab_virsh "$U" undefine --nvram "$SB" > /dev/null 2>&1

# ---- refusal: host 2 without a loader (OVMF's descriptors hidden from its libvirtd) ----
in_h2 "mkdir -p /run/vdu-nofw && mount --bind /run/vdu-nofw $FW_DIR"
tap_check "host 2 with no firmware descriptors: domcapabilities list no efi" eval '! efi_listed "$LAB_H2_URI"'
vd_start 80 24 -c "$LAB_H2_URI"
vd_wait_host 1 connected 30
to_page3 "$H2_VM"
k Tab Tab Tab Tab Tab Tab
vd_check "host 2: the firmware field says there is no loader" \
    eval 'firmware_line | grep -q "BIOS" && vd_has "UEFI: no loader on this host"'
k Right
vd_check "host 2: Right offers no UEFI" eval 'firmware_line | grep -q "BIOS" && ! firmware_line | grep -q "UEFI ▸"'
k Escape y
vd_wait_gone "Step 3 of 7" 5
tap_check "host 2: nothing was made" eval '! lab_virsh "$LAB_H2_URI" dominfo "$H2_VM"'
in_h2 "umount $FW_DIR && rmdir /run/vdu-nofw"
tap_check "host 2 with its descriptors back lists efi again" efi_listed "$LAB_H2_URI"

tap_diag "run time after the lab lock: $((SECONDS - T0)) s"
tap_done
