#!/bin/bash
# virtdeck - SPDX-License-Identifier: GPL-2.0-or-later
# Lab UI scenario (TAP): the new VM wizard and --create on the real libvirtd.
# Walks every page by keys in tmux, then checks with virsh what was made
# (domain XML, volume size and format), that the guest boots the lab GRUB
# ISO (its serial console shows the menu), the same over qemu+ssh, and that
# failures at each step leave no domain and no volume: a name taken
# meanwhile, a full pool, a CD image missing on the host, a start failure
# (customized XML); --create exit codes. Objects are named vdw*.
# shellcheck source=tests/lab/lib.sh disable=SC2016,SC2034
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "lab tests need root"
command -v virsh > /dev/null || tap_skip_all "virsh is not installed"
command -v expect > /dev/null || tap_skip_all "expect is not installed (tests/deps.sh)"
vd_init

U=$LAB_URI
R=$LAB_SSH_URI
VMS="vdw1 vdw2 vdwtaken vdwfull vdwbad vdwedit vdwcli vdwcli2 vdwtpl"
TINY=vdwtiny
TINY_DIR=/run/vdwtiny   # in libvirtd's mount namespace

tap_plan 43

lab_up || tap_bail "lab up failed"

# libvirtd has a mount namespace of its own (lab.sh): the tiny pool's tmpfs
# is mounted and filled there
in_libvirtd() {
    local pid
    pid=$(lab_libvirtd_pid) || return 1
    nsenter -t "$pid" -m -- sh -c "$1"
}
cleanup() {
    local d
    for d in $VMS; do
        lab_virsh "$U" destroy "$d" > /dev/null 2>&1
        lab_virsh "$U" undefine "$d" > /dev/null 2>&1
        lab_virsh "$U" vol-delete --pool default "$d.qcow2" > /dev/null 2>&1
        lab_virsh "$U" vol-delete --pool default "$d.img" > /dev/null 2>&1
    done
    lab_virsh "$U" vol-delete --pool "$TINY" vdwfull.qcow2 > /dev/null 2>&1
    lab_virsh "$U" pool-destroy "$TINY" > /dev/null 2>&1
    lab_virsh "$U" pool-undefine "$TINY" > /dev/null 2>&1
    in_libvirtd "umount $TINY_DIR; rmdir $TINY_DIR" 2> /dev/null
    return 0
}
lab_on_exit cleanup
cleanup

# The editor of "Edit XML": applies $VD_TMP/edit.sed to the file.
cat > "$VD_TMP/editor.sh" << 'EOF'
#!/bin/sh
sed -i -f "$(dirname "$0")/edit.sed" "$1"
EOF
chmod +x "$VD_TMP/editor.sh"
: > "$VD_TMP/edit.sed"
export EDITOR="$VD_TMP/editor.sh" VISUAL=

k() { vd_keys "$@"; sleep 0.1; }
t() { vd_type "$1"; sleep 0.1; }
page() { vd_wait_for "Step $1 of 7" 10; }

# walk NAME ISO MEM_MIB SIZE_MIB [raw-falloc] [pool]: pages 1-6, ends on the review page
# (raw-falloc: raw format, allocated; pool: typed into the pool list to pick it)
walk() {
    local name=$1 iso=$2 mem=$3 size=$4 rawfull=$5 pool=$6
    k n; page 1 || return 1
    vd_wait_gone "Reading what the host offers" 20 || return 1
    t "$name"; k NPage; page 2 || return 1
    # install: "CD image by path" from the list
    k Enter; k Down Down Enter; k Tab; t "$iso"; k NPage; page 3 || return 1
    # 1 vCPU, memory and a maximum a bit above it
    k Tab Tab C-u; t 1; k Tab Tab C-u; t "${mem}m"; k Tab C-u; t "$((mem + 32))m"
    k NPage; page 4 || return 1
    # storage: a new volume, size; raw + full preallocation; SATA bus
    k Tab
    [ -n "$pool" ] && { k Enter; t "$pool"; k Enter; }
    k Tab Tab C-u; t "${size}m"; k Tab
    [ -n "$rawfull" ] && { k Right; k Tab Right Right; k BTab; }
    k Tab Tab Right
    k NPage; page 5 || return 1
    # network: the default NAT network, e1000e
    k Tab Tab Right; k NPage; page 6 || return 1
    k NPage; page 7
}
# press the Nth button of the review page (1 create and start, 2 create only, 3 edit, 4 save)
button() { local i; for ((i = 0; i < $1; i++)); do k Tab; done; k Enter; }

no_trace() {   # no_trace URI NAME [POOL]: no domain, no volume
    ! lab_virsh "$1" dominfo "$2" > /dev/null 2>&1 &&
        ! lab_virsh "$1" vol-info --pool "${3:-default}" "$2.qcow2" > /dev/null 2>&1 &&
        ! lab_virsh "$1" vol-info --pool "${3:-default}" "$2.img" > /dev/null 2>&1
}
xml_has() {    # xml_has URI NAME XPATH-ish grep pattern
    lab_virsh "$1" dumpxml --inactive "$2" | grep -q -- "$3"
}

vd_config '[general]
refresh = 3600'
vd_start 80 24 -c "$U"
vd_wait_host 1 connected 20

# ---- the whole walk, create and start ---------------------------------------------
walk vdw1 "$LAB_ISO" 96 64
vd_check "review page: summary and the generated XML" \
    eval 'vd_has "Name: vdw1" && vd_has "<name>vdw1</name>" && vd_has "Create and start"'
button 1
vd_check "create and start: the status line says so" vd_wait_for "Created and started vdw1" 60
tap_check "virsh: vdw1 is running" lab_wait_domstate "$U" vdw1 running 30
X=$(lab_virsh "$U" dumpxml --inactive vdw1)
tap_check "XML: type qemu, 1 vCPU" eval 'grep -q "<domain type=.qemu." <<< "$X" && grep -q "<vcpu placement=.static.>1</vcpu>" <<< "$X"'
tap_check "XML: memory 128 MiB maximum, 96 MiB current" \
    eval 'grep -q "<memory unit=.KiB.>131072<" <<< "$X" && grep -q "<currentMemory unit=.KiB.>98304<" <<< "$X"'
tap_check "XML: the disk is default/vdw1.qcow2 on SATA, qcow2" \
    eval 'grep -q "source pool=.default. volume=.vdw1.qcow2." <<< "$X" && grep -q "target dev=.sda. bus=.sata." <<< "$X" && grep -q "driver name=.qemu. type=.qcow2." <<< "$X"'
tap_check "XML: the CD is the lab ISO" eval 'grep -q "source file=.$LAB_ISO." <<< "$X"'
tap_check "XML: NIC e1000e on network default" \
    eval 'grep -q "<model type=.e1000e./>" <<< "$X" && grep -q "<source network=.default./>" <<< "$X"'
tap_check "XML: VNC on 127.0.0.1 and a serial console" \
    eval 'grep -q "graphics type=.vnc. port=.-1. autoport=.yes. listen=.127.0.0.1." <<< "$X" && grep -q "<serial type=.pty.>" <<< "$X"'
tap_check "XML: boot from CD, then disk" \
    eval 'grep -A1 "<boot dev=.cdrom./>" <<< "$X" | grep -q "<boot dev=.hd./>"'
V=$(lab_virsh "$U" vol-dumpxml --pool default vdw1.qcow2)
tap_check "volume: 64 MiB, qcow2" \
    eval 'grep -q "<capacity unit=.bytes.>67108864<" <<< "$V" && grep -q "<format type=.qcow2./>" <<< "$V"'
tap_check "vdw1 boots the lab GRUB ISO (serial console shows the menu)" lab_grub_menu "$U" vdw1
vd_check "create and start opened the console of vdw1" eval 'vd_wait_for "leaves" 20 && vd_has "vdw1"'
k C-]
vd_check "the new VM is selected in the domain list" eval 'vd_wait_gone "leaves" 10 && [ "$(vd_cursor)" = vdw1 ]'
lab_virsh "$U" destroy vdw1 > /dev/null 2>&1

# ---- name taken meanwhile: nothing is made ------------------------------------------
walk vdwtaken "$LAB_ISO" 64 32
cat > "$VD_TMP/taken.xml" << 'EOF'
<domain type='qemu'><name>vdwtaken</name><memory unit='MiB'>32</memory>
<os><type arch='x86_64'>hvm</type></os></domain>
EOF
lab_virsh "$U" define "$VD_TMP/taken.xml" > /dev/null
button 2
vd_check "name taken meanwhile: the wizard comes back with the reason" \
    eval 'vd_wait_for "already exists" 30 && vd_has "Step 7 of 7"'
tap_check "name taken meanwhile: no volume vdwtaken.qcow2 was made" \
    eval '! lab_virsh "$U" vol-info --pool default vdwtaken.qcow2'
tap_check "the other vdwtaken is untouched" eval 'lab_virsh "$U" dumpxml vdwtaken | grep -q "<memory unit=.KiB.>32768<"'
k Escape y; vd_wait_gone "Step 7 of 7" 5
lab_virsh "$U" undefine vdwtaken > /dev/null 2>&1

# ---- full pool: a tiny pool fills up between review and create ------------------------
in_libvirtd "mkdir -p $TINY_DIR && mount -t tmpfs -o size=8m vdwtiny $TINY_DIR" &&
    lab_virsh "$U" pool-create-as "$TINY" dir --target "$TINY_DIR" > /dev/null
walk vdwfull "$LAB_ISO" 64 6 "" vdwtiny
vd_check "full pool: the review shows the disk in the tiny pool" vd_has "vdwtiny/vdwfull.qcow2"
in_libvirtd "dd if=/dev/zero of=$TINY_DIR/filler bs=64k; dd if=/dev/zero of=$TINY_DIR/filler2 bs=1k" 2> /dev/null
button 2
vd_check "full pool: the wizard comes back with libvirt's reason" \
    eval 'vd_wait_for "Could not create volume vdwfull.qcow2" 30'
tap_check "full pool: no domain, no volume" no_trace "$U" vdwfull "$TINY"
k Escape y


# ---- bad CD image path: stopped on its page, inline -------------------------------------
k n; page 1; vd_wait_gone "Reading what the host offers" 20
t vdwbad; k NPage; page 2
k Enter; k Down Down Enter; k Tab; t "$LAB_IMAGES/vdw-missing.iso"; k NPage
vd_check "bad ISO path: the install page says so and stays" \
    eval 'vd_wait_for "No such file on the host" 5 && vd_has "Step 2 of 7"'
k Escape y
tap_check "bad ISO path: nothing made" no_trace "$U" vdwbad

# ---- start failure after customizing the XML: undone -----------------------------------
walk vdwedit "$LAB_ISO" 64 32
echo "s#$LAB_ISO#$LAB_IMAGES/vdw-missing.iso#" > "$VD_TMP/edit.sed"
button 3
vd_check "edit XML: the review shows the edited XML" eval 'vd_wait_for "Domain XML (edited" 10'
k BTab BTab BTab; k Tab; k Enter   # Create and start
vd_check "start failure: the wizard comes back with libvirt's message" \
    eval 'vd_wait_for "Could not start vdwedit" 60'
tap_check "start failure: no domain, no volume left" no_trace "$U" vdwedit
k Escape y

# ---- a template saved by the wizard, then --create ----------------------------------------
walk vdwtpl "$LAB_ISO" 64 32
button 4
vd_check "save template: the review says where" vd_wait_for "Template saved as" 5
k Escape y
TPL="$XDG_CONFIG_HOME/virtdeck/templates/vdwtpl.vm"
tap_check "the template file is there" test -s "$TPL"
out=$(XDG_CONFIG_HOME=$XDG_CONFIG_HOME "$VD_BIN" -c "$U" --create "$TPL" --name vdwcli 2> "$VD_TMP/create.err"); rc=$?
tap_diag "--create progress on stderr: $(tr '\n' '|' < "$VD_TMP/create.err")"
tap_check "--create TEMPLATE --name: exit 0, one line on stdout, the steps on stderr" \
    eval '[ $rc = 0 ] && [ "$(wc -l <<< "$out")" = 1 ] && grep -q "Created and started vdwcli on qemu:///system: 1 vCPU, 64 MiB" <<< "$out" && grep -q "^virtdeck: " "$VD_TMP/create.err"'
tap_check "--create: vdwcli runs, with its 32 MiB volume" \
    eval 'lab_wait_domstate "$U" vdwcli running 30 && lab_virsh "$U" vol-dumpxml --pool default vdwcli.qcow2 | grep -q ">33554432<"'
lab_virsh "$U" destroy vdwcli > /dev/null 2>&1
out=$("$VD_BIN" -c "$U" --create "$TPL" --name vdwcli 2>&1); rc=$?
tap_check "--create with a name in use: exit 1 and the reason" eval '[ $rc = 1 ] && grep -q "already exists" <<< "$out"'
sed 's/^memory-mib=.*/memory-mib=99999999/; s/^max-memory-mib=.*/max-memory-mib=99999999/' "$TPL" > "$VD_TMP/big.vm"
out=$("$VD_BIN" -c "$U" --create "$VD_TMP/big.vm" --name vdwcli2 2>&1); rc=$?
tap_check "--create beyond the host's memory: exit 1, nothing made" \
    eval '[ $rc = 1 ] && grep -q "The host has" <<< "$out" && no_trace "$U" vdwcli2'
out=$("$VD_BIN" -c "$U" --create "$VD_TMP/nonexistent.vm" 2>&1); rc=$?
tap_check "--create with a missing template: exit 1" eval '[ $rc = 1 ] && grep -q "cannot read the template" <<< "$out"'

# ---- the same walk over qemu+ssh --------------------------------------------------------
vd_start 80 24 -c "$R"
vd_wait_host 1 connected 30
walk vdw2 "$LAB_ISO" 96 48
button 1
vd_check "qemu+ssh: created and started, its console opens" \
    eval 'vd_wait_for "Created and started vdw2" 60 && vd_wait_for "leaves" 20'
k C-]; vd_wait_gone "leaves" 10
tap_check "qemu+ssh: vdw2 is running" lab_wait_domstate "$R" vdw2 running 30
X=$(lab_virsh "$R" dumpxml --inactive vdw2)
tap_check "qemu+ssh: XML memory, vCPU, SATA disk, e1000e" \
    eval 'grep -q ">131072<" <<< "$X" && grep -q ">1</vcpu>" <<< "$X" && grep -q "bus=.sata." <<< "$X" && grep -q "e1000e" <<< "$X"'
tap_check "qemu+ssh: volume 48 MiB qcow2" \
    eval 'lab_virsh "$R" vol-dumpxml --pool default vdw2.qcow2 | grep -q ">50331648<"'
tap_check "qemu+ssh: vdw2 boots the lab GRUB ISO" lab_grub_menu "$R" vdw2
lab_virsh "$R" destroy vdw2 > /dev/null 2>&1
# a CD image missing on the remote host: only starting shows it; undone
walk vdwbad "$LAB_IMAGES/vdw-missing.iso" 64 32
button 1
vd_check "qemu+ssh, missing CD image: start fails, the wizard says why" \
    eval 'vd_wait_for "Could not start vdwbad" 60'
tap_check "qemu+ssh, missing CD image: no domain, no volume" no_trace "$R" vdwbad
k Escape y

# ---- Esc asks before discarding ---------------------------------------------------------
k n; page 1
t vdwx; k Escape
vd_check "Esc asks before discarding the answers" vd_wait_for "Discard everything entered here?" 5
k n
vd_check "any other key keeps them" eval 'vd_wait_gone "Discard everything" 5 && vd_has "vdwx"'
k Escape y
vd_check "y discards" vd_wait_gone "Step 1 of 7" 5
vd_check "virtdeck still runs" vd_alive

tap_done
