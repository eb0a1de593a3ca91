#!/bin/bash
# virtdeck - SPDX-License-Identifier: GPL-2.0-or-later
# Lab UI scenario (TAP): OS detection from a CD image in the new VM wizard.
# Builds, with xorriso, a copy of the lab GRUB ISO whose primary volume
# descriptor carries the volume id of an Alpine Linux 3.17 "virt" CD
# (osinfo-db matches that media on the volume id alone), so the image is
# detected and still boots to the lab GRUB menu. Walks the wizard by keys
# with that image as a host path and as a pool volume: the OS field shows
# the detected OS, its recommended RAM, disk and vCPUs (read here from the
# osinfo-db XML) are prefilled, virtio is chosen; the created domain carries
# the libosinfo metadata. An image that matches nothing says so (and clears
# an OS detected before); a remote host says why nothing is detected.
# Objects are named vdi*.
# shellcheck source=tests/lab/lib.sh disable=SC2016,SC2034
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "lab tests need root"
command -v virsh > /dev/null || tap_skip_all "virsh is not installed"
command -v xorriso > /dev/null || tap_skip_all "xorriso is not installed (tests/deps.sh)"
command -v xmllint > /dev/null || tap_skip_all "xmllint is not installed (tests/deps.sh)"
command -v expect > /dev/null || tap_skip_all "expect is not installed (tests/deps.sh)"
OSXML=/usr/share/osinfo/os/alpinelinux.org/alpinelinux-3.17.xml
[ -r "$OSXML" ] || tap_skip_all "osinfo-db has no Alpine Linux 3.17 ($OSXML)"
vd_init

U=$LAB_URI
R=$LAB_SSH_URI
VMS="vdi1 vdi2"
ISO=$LAB_IMAGES/vdi-alpine.iso

tap_plan 25

lab_up || tap_bail "lab up failed"
T0=$(lab_ms)

cleanup() {
    local d
    for d in $VMS; do
        lab_virsh "$U" destroy "$d" > /dev/null 2>&1
        lab_virsh "$U" undefine "$d" > /dev/null 2>&1
        lab_virsh "$U" vol-delete --pool default "$d.qcow2" > /dev/null 2>&1
    done
    lab_virsh "$U" vol-delete --pool default vdi-alpine.iso > /dev/null 2>&1
    rm -f "$ISO"
    return 0
}
lab_on_exit cleanup
cleanup

# ---- the image and what osinfo-db says about it -------------------------------------
# A copy of the lab ISO with the volume id of the primary volume descriptor
# (sector 16, bytes 40-71, space padded) rewritten in place: the boot records
# stay byte for byte (xorriso -boot_image any replay cannot rewrite every
# layout grub-mkrescue makes: GPT entries overlap). xorriso reads it back.
VOLID="alpine-virt 3.17.0 x86_64"
cp "$LAB_ISO" "$ISO.tmp" &&
    [ "$(dd if="$ISO.tmp" bs=1 skip=32768 count=6 2> /dev/null | od -An -c | tr -d ' ')" = '001CD001' ] &&
    printf '%-32s' "$VOLID" | dd of="$ISO.tmp" bs=1 seek=$((32768 + 40)) conv=notrunc 2> /dev/null &&
    mv "$ISO.tmp" "$ISO" || tap_bail "cannot write $ISO"
xorriso -indev "$ISO" -pvd_info > "$VD_TMP/pvd.txt" 2>&1
tap_check "xorriso reads the volume id $VOLID back, and the El Torito boot record" \
    eval 'grep -q "^Volume Id *: $VOLID\$" "$VD_TMP/pvd.txt" && grep -q "Boot record *: El Torito" "$VD_TMP/pvd.txt"'
chmod 644 "$ISO"
lab_virsh "$U" pool-refresh default > /dev/null
x() { xmllint --xpath "string($1)" "$OSXML"; }
OS_ID=$(x '//os/@id')
OS_NAME=$(x '//os/name[not(@xml:lang)]')
OS_SHORT=$(x '//os/short-id')
REC_RAM=$(($(x '//os/resources[@arch="all"]/recommended/ram') / 1048576))
REC_DISK=$(($(x '//os/resources[@arch="all"]/recommended/storage') / 1048576))
REC_CPUS=$(x '//os/resources[@arch="all"]/recommended/n-cpus')
# virtio-block (PCI 1af4:1001 or 1af4:1042) on this OS or one it derives from
has_virtio() {
    local f=$OSXML id
    while [ -n "$f" ]; do
        grep -qE 'device id="http://pcisig.com/pci/1af4/10(01|42)"' "$f" && return 0
        id=$(xmllint --xpath 'string(//os/derives-from/@id)' "$f")
        [ -n "$id" ] || return 1
        f=$(grep -l "<os id=\"$id\"" /usr/share/osinfo/os/*/*.xml | head -n1)
    done
    return 1
}
has_virtio && BUS=virtio || BUS=sata
tap_diag "osinfo-db: $OS_NAME ($OS_ID): ${REC_RAM} MiB RAM, ${REC_DISK} MiB disk, $REC_CPUS vCPUs, bus $BUS"
tap_check "the osinfo-db XML gives the recommended resources" \
    eval '[ "$OS_NAME" = "Alpine Linux 3.17" ] && [ "$REC_RAM" -gt 0 ] && [ "$REC_DISK" -gt 0 ] && [ "$REC_CPUS" -gt 0 ]'

k() { vd_keys "$@"; sleep 0.1; }
t() { vd_type "$1"; sleep 0.1; }
page() { vd_wait_for "Step $1 of 7" 10; }
squeezed() { vd_screen | tr -d ' \t\n' | grep -qF -- "$(vd_squeeze "$1")"; }
# the field line "LABEL VALUE" on the screen
field() { vd_screen | grep -E -- "│ $1 +$2( |$)" > /dev/null; }
os_field_empty() { vd_screen | grep -qE '│ Operating system +(Enter: search)? *│'; }
# the number field LABEL shows N (MiB) or N/1024 GiB
size_is() {
    local mib=$2
    field "$1" "$mib +MiB" || { [ $((mib % 1024)) = 0 ] && field "$1" "$((mib / 1024)) +GiB"; }
}

vd_config '[general]
refresh = 3600'
vd_start 80 24 -c "$U"
vd_wait_host 1 connected 20

# ---- the image as a host path ---------------------------------------------------------
k n; page 1
vd_wait_gone "Reading what the host offers" 20
t vdi1; k NPage; page 2
k Enter; k Down Down Enter; k Tab
t "${ISO%?}"; sleep 0.3; vd_type "${ISO: -1}"
vd_check "path: the wizard says the image was detected" vd_wait_for "Detected on the CD image: $OS_NAME" 10
DETECT_MS=$VD_WAITED_MS
tap_diag "detection: the detected OS on screen ${DETECT_MS} ms after the last key of the path"
vd_check "path: the OS field holds $OS_SHORT, its name shown next to it" \
    eval 'vd_screen | grep -qE "│ Operating system $OS_SHORT +$OS_NAME │"'
vd_check "path: the page shows the recommended RAM and disk" \
    squeezed "($((REC_RAM)) MiB rec.), disk"
k NPage; page 3
vd_check "path: memory prefilled with the recommended ${REC_RAM} MiB" \
    eval 'size_is Memory "$REC_RAM" && size_is "Maximum memory" "$REC_RAM"'
vd_check "path: vCPUs prefilled with $REC_CPUS" field vCPUs "$REC_CPUS"
k NPage; page 4
vd_check "path: disk size prefilled with the recommended ${REC_DISK} MiB, bus $BUS" \
    eval 'size_is Size "$REC_DISK" && field Bus "◂ $BUS ▸"'
# the recommended values stay: the qcow2 volume is sparse, GRUB touches little memory
k NPage; page 5
vd_check "path: NIC model virtio" field Model "◂ virtio ▸"
k NPage; page 6; k NPage; page 7
vd_check "review: the OS and the libosinfo metadata" \
    eval 'vd_has "OS: $OS_NAME ($OS_SHORT)" && squeezed "<libosinfo:os id=\"$OS_ID\"/>"'
k Tab Enter   # Create and start
vd_check "create and start: done" vd_wait_for "Created and started vdi1" 60
vd_wait_for leaves 20 && k C-]
X=$(lab_virsh "$U" dumpxml --inactive vdi1)
tap_check "XML: libosinfo metadata names $OS_ID" \
    eval 'grep -q "<libosinfo:os id=.$OS_ID./>" <<< "$X" && grep -q "xmlns:libosinfo=.http://libosinfo.org/xmlns/libvirt/domain/1.0." <<< "$X"'
tap_check "XML: disk on the $BUS bus, NIC virtio (what $OS_NAME supports)" \
    eval 'grep -q "<target dev=.vda. bus=.$BUS./>" <<< "$X" && grep -q "<model type=.virtio./>" <<< "$X"'
tap_check "XML: the CD is the detected image" eval 'grep -q "<source file=.$ISO./>" <<< "$X"'
tap_check "vdi1 boots the detected image to the lab GRUB menu" lab_grub_menu "$U" vdi1
lab_virsh "$U" destroy vdi1 > /dev/null 2>&1

# ---- an image that matches nothing, after one that was detected ----------------------
k n; page 1
vd_wait_gone "Reading what the host offers" 20
t vdi2; k NPage; page 2
k Enter; k Down Down Enter; k Tab; t "$ISO"
vd_wait_for "Detected on the CD image: $OS_NAME" 10
k C-u; t "$LAB_ISO"
vd_check "no match: the wizard says the lab ISO is no known OS" \
    vd_wait_for "OS not detected: lab.iso is not a CD image of an OS the database knows" 10
vd_check "no match: the OS detected before is cleared" os_field_empty

# ---- the image as a pool volume ------------------------------------------------------
k BTab; k Enter; k Up Enter   # install from: CD image in a pool
k Tab Tab Enter; t vdi-alpine; k Enter
vd_check "pool volume: detected" vd_wait_for "Detected on the CD image: $OS_NAME" 10
vd_check "pool volume: the OS field holds $OS_SHORT" \
    eval 'vd_screen | grep -qE "│ Operating system $OS_SHORT +$OS_NAME │"'
k NPage; page 3
vd_check "pool volume: memory prefilled with ${REC_RAM} MiB" size_is Memory "$REC_RAM"
k NPage NPage NPage NPage; page 7
k Tab Tab Enter   # Create only
vd_check "pool volume: created" vd_wait_for "Created vdi2" 60
X=$(lab_virsh "$U" dumpxml --inactive vdi2)
tap_check "pool volume: XML has the libosinfo metadata, ${REC_RAM} MiB, $BUS disk, virtio NIC, the volume as CD" \
    eval 'grep -q "<libosinfo:os id=.$OS_ID./>" <<< "$X" && grep -q "<memory unit=.KiB.>$((REC_RAM * 1024))<" <<< "$X" &&
          grep -q "bus=.$BUS." <<< "$X" && grep -q "<model type=.virtio./>" <<< "$X" &&
          grep -q "<source pool=.default. volume=.vdi-alpine.iso./>" <<< "$X"'

# ---- a remote host: nothing is read here, and the wizard says so ---------------------
vd_start 80 24 -c "$R"
vd_wait_host 1 connected 30
k n; page 1
vd_wait_gone "Reading what the host offers" 30
t vdi3; k NPage; page 2
k Enter; k Down Down Enter; k Tab; t "$ISO"
vd_check "remote host: no detection, and why" \
    vd_wait_for "No OS detection: the image is on a remote host; choose the OS (Enter)" 10
vd_check "remote host: the OS field stays empty" os_field_empty
k Escape y
vd_check "virtdeck still runs" vd_alive
tap_diag "run time after the lab lock: $((($(lab_ms) - T0) / 1000)) s"

tap_done
