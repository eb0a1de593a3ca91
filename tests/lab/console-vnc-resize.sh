#!/bin/bash
# virtdeck - SPDX-License-Identifier: GPL-2.0-or-later
# Lab UI scenario (TAP): a VNC console whose guest changes resolution. OVMF
# starts at 640x480 and switches to 1280x800: with libvncclient 0.9.14's
# own encoding list QEMU announced the new size with ExtendedDesktopSize,
# which that libvncclient ignores, and the session ended "The VNC server
# closed the connection" (Rect too large). virtdeck offers its own list
# (src/vnc-client.c set_encodings): the console follows the resize and stays
# connected. Objects are named vdvr*.
# shellcheck source=tests/lab/lib.sh disable=SC2016
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "lab tests need root"
command -v virsh > /dev/null || tap_skip_all "virsh is not installed"
ls /usr/share/qemu/firmware/*.json > /dev/null 2>&1 || tap_skip_all "no UEFI firmware descriptors (install ovmf: tests/deps.sh)"
vd_init

U=$LAB_URI
VM=vdvrefi

tap_plan 4

lab_up || tap_bail "lab up failed"

cleanup() {
    virsh -q -c "$U" destroy "$VM" > /dev/null 2>&1
    virsh -q -c "$U" undefine "$VM" --nvram > /dev/null 2>&1
}
lab_on_exit cleanup
cleanup

cat > "$VD_TMP/$VM.xml" << XML
<domain type='qemu'>
  <name>$VM</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os firmware='efi'>
    <type arch='x86_64' machine='q35'>hvm</type>
    <firmware><feature enabled='no' name='secure-boot'/></firmware>
    <boot dev='cdrom'/>
  </os>
  <features><acpi/></features>
  <devices>
    <disk type='file' device='cdrom'>
      <source file='$LAB_ISO'/><target dev='sda' bus='sata'/><readonly/>
    </disk>
    <graphics type='vnc' listen='127.0.0.1' port='-1'/>
    <video><model type='vga'/></video>
  </devices>
</domain>
XML
lab_virsh "$U" define "$VD_TMP/$VM.xml" > /dev/null || tap_bail "cannot define $VM"
lab_virsh "$U" start "$VM" > /dev/null || tap_bail "cannot start $VM"

# straight in while OVMF still shows its first mode
vd_start 120 40 -c "$U" --console "$VM" --vnc
vd_check "the VNC console opens on the UEFI guest" vd_wait_for "vnc · connected"
first=$(vd_screen | grep -o 'VNC [0-9]*×[0-9]*' | head -n1)
tap_diag "first mode: ${first:-not shown yet}"
vd_check "OVMF switches to 1280x800 and the console follows it" vd_wait_for "VNC 1280×800" 60
sleep 3
vd_check "after the resize the console is still connected" \
    eval 'vd_has "vnc · connected" && ! vd_has "closed the connection"'
vd_keys C-]
vd_check "Ctrl+] leaves with status 0" vd_wait_for "VIRTDECK-EXITED 0"
tap_done
