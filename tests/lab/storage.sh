#!/bin/bash
# virtdeck - SPDX-License-Identifier: GPL-2.0-or-later
# Lab UI scenario (TAP): the storage view (b), locally and over qemu+ssh.
# Creates a dir pool vdstp under /var/tmp, a qcow2 volume, resizes it,
# uploads a qcow2 file of a few MiB and downloads it back byte-identical
# (sha256), refuses to delete a volume a domain uses, deletes the volume and
# the pool. Every step is checked on the screen AND with virsh.
# Needs root, the lab (tests/lab/lab.sh), tmux, qemu-img and qemu-io.
# shellcheck source=tests/lab/lib.sh disable=SC2016  # checks are eval'd in single quotes
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "lab tests need root"
command -v virsh > /dev/null || tap_skip_all "virsh is not installed"
command -v qemu-io > /dev/null || tap_skip_all "qemu-io is not installed (qemu-utils)"
vd_init

POOL=vdstp
POOL_DIR=/var/tmp/vdstp
VOL=vdstv.qcow2

tap_plan 51

lab_up || tap_bail "lab up failed"

remove_pool() {
    local uri=$1
    lab_virsh "$uri" vol-delete --pool "$POOL" "$VOL" > /dev/null 2>&1
    lab_virsh "$uri" vol-delete --pool "$POOL" vdstsp.img > /dev/null 2>&1
    lab_virsh "$uri" pool-destroy "$POOL" > /dev/null 2>&1
    lab_virsh "$uri" pool-undefine "$POOL" > /dev/null 2>&1
    rm -rf "$POOL_DIR"
}
cleanup() {
    lab_virsh "$LAB_URI" destroy vdstdom > /dev/null 2>&1
    lab_virsh "$LAB_URI" pool-undefine vdstp2 > /dev/null 2>&1
    remove_pool "$LAB_URI"
}
lab_on_exit cleanup
cleanup

# a qcow2 image with 3 MiB of data: a file of a few MiB
SRC=$VD_TMP/upload.qcow2
qemu-img create -q -f qcow2 "$SRC" 96M
qemu-io -f qcow2 -c "write -P 0x5a 0 2M" -c "write -P 0xa5 40M 1M" "$SRC" > /dev/null
SRC_SUM=$(sha256sum < "$SRC")

# the detail line under the pools names the selected pool: "vdstp: dir pool at ..."
pool_selected() { vd_screen | grep -qE "^ $1: "; }
select_pool() {
    local i
    vd_keys g
    for i in $(seq 30); do
        pool_selected "$1" && return 0
        vd_keys j
        sleep 0.1
    done
    pool_selected "$1"
}
# a row of the volumes table
vol_row() { vd_screen | grep -E "^ $1 " | head -n1; }
vol_row_has() { vol_row "$1" | grep -qF -- "$2"; }
wait_vol_row() { _vd_poll "$VD_TIMEOUT" vol_row_has "$1" "$2"; }
no_vol_row() { [ -z "$(vol_row "$1")" ]; }
pool_row() { vd_screen | grep -E "^ $1 +dir " | head -n1; }
pool_active() { pool_row "$POOL" | grep -q " active "; }
no_pool_row() { [ -z "$(pool_row "$POOL")" ]; }
# clear a text field and type
field() { vd_keys C-u; vd_type "$1"; }

virsh_pool_state() { lab_virsh "$1" pool-info "$POOL" 2> /dev/null | sed -n 's/^State: *//p'; }
virsh_vol_cap() { lab_virsh "$1" vol-info --bytes --pool "$POOL" "$VOL" 2> /dev/null | sed -n 's/^Capacity: *\([0-9]*\).*/\1/p'; }
virsh_vol_format() { lab_virsh "$1" vol-dumpxml --pool "$POOL" "$VOL" 2> /dev/null | sed -n "s/.*<format type='\([^']*\)'.*/\1/p" | head -n1; }
wait_virsh() {   # CMD... until it succeeds (20 s)
    local i
    for i in $(seq 100); do "$@" && return 0; sleep 0.2; done
    return 1
}
cap_is() { [ "$(virsh_vol_cap "$1")" = "$2" ]; }
pool_gone() { ! lab_virsh "$1" pool-info "$POOL" > /dev/null 2>&1; }
vol_gone() { ! lab_virsh "$1" vol-info --pool "$POOL" "$VOL" > /dev/null 2>&1; }

# ---- the volume as the disk of a running (paused) domain ----
running_disk_round() {
    local uri=$1
    cat > "$VD_TMP/vdstdom.xml" << EOF
<domain type='qemu'><name>vdstdom</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>
<os><type arch='x86_64' machine='pc'>hvm</type></os>
<devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
<source file='$POOL_DIR/$VOL'/><target dev='vda' bus='virtio'/></disk></devices></domain>
EOF
    lab_virsh "$uri" create "$VD_TMP/vdstdom.xml" --paused > /dev/null
    vd_keys F5
    vd_check "local: F5 reads again: the volume is used by vdstdom" wait_vol_row "$VOL" vdstdom
    vd_keys D
    vd_check "local: D refuses to delete the disk of vdstdom, naming it" \
        vd_wait_for "Volume $VOL is in use by vdstdom: not deleted"
    vd_keys r
    vd_wait_for "Resize $VOL"
    field 160M
    vd_keys Enter
    vd_check "local: the disk of the running domain grows live: virsh domblkinfo says 160 MiB" \
        eval 'vd_wait_for "Disk $VOL of running domain vdstdom grown to 160 MiB" &&
              wait_virsh eval "lab_virsh $uri domblkinfo vdstdom vda | grep -qE \"^Capacity: +167772160\""'
    vd_keys r
    vd_wait_for "Resize $VOL"
    field 100M
    vd_keys Enter
    vd_check "local: shrinking asks first" vd_wait_for "Shrink $VOL from 160 MiB to 100 MiB?"
    vd_keys y
    vd_check "local: a running domain's disk does not shrink" \
        eval 'vd_wait_for "it can only grow" && cap_is "$uri" 167772160'
    lab_virsh "$uri" destroy vdstdom > /dev/null
    vd_keys F5
    _vd_poll 10 eval '! vol_row "$VOL" | grep -q vdstdom'
    vd_keys r
    vd_wait_for "Resize $VOL"
    field 128M
    vd_keys Enter
    vd_wait_for "Shrink $VOL from 160 MiB to 128 MiB?"
    vd_keys y
    vd_check "local: unused, it shrinks after the question: virsh vol-info says 128 MiB" \
        eval 'vd_wait_for "Volume $VOL resized to 128 MiB" && wait_virsh cap_is "$uri" 134217728'
}

# ---- changes made by others: pool events ----
events_round() {
    local uri=$1
    lab_virsh "$uri" vol-create-as "$POOL" vdstext.img 1M > /dev/null
    lab_virsh "$uri" pool-refresh "$POOL" > /dev/null
    vd_check "local: a volume made with virsh shows after the pool's refresh event" \
        _vd_poll 10 eval '[ -n "$(vol_row vdstext.img)" ]'
    lab_virsh "$uri" vol-delete --pool "$POOL" vdstext.img > /dev/null
    lab_virsh "$uri" pool-define-as vdstp2 dir --target /var/tmp/vdstp2 > /dev/null
    vd_check "local: a pool defined with virsh shows, inactive (lifecycle event)" \
        _vd_poll 10 eval 'vd_screen | grep -qE "^ vdstp2 +dir +inactive "'
    lab_virsh "$uri" pool-undefine vdstp2 > /dev/null
    vd_check "local: and goes when undefined" _vd_poll 10 eval '! vd_screen | grep -qE "^ vdstp2 "'
}

# ---- a file with holes: sparse streams both ways, into a new raw volume
# (holes are sent as holes only into a volume with nothing allocated) ----
SPVOL=vdstsp.img
virsh_alloc_bytes() { lab_virsh "$1" vol-info --bytes --pool "$POOL" "$SPVOL" 2> /dev/null | sed -n 's/^Allocation: *\([0-9]*\).*/\1/p'; }
sparse_round() {
    local uri=$1 sp=$VD_TMP/sparse.img back=$VD_TMP/sparse-back.img
    truncate -s 64M "$sp"
    head -c 1M /dev/urandom | dd of="$sp" bs=1M seek=20 conv=notrunc status=none
    head -c 512K /dev/urandom | dd of="$sp" bs=512K seek=100 conv=notrunc status=none
    vd_keys n
    vd_wait_for "New volume in pool $POOL"
    vd_type "$SPVOL"
    vd_keys Tab Right Tab
    field 64M
    vd_keys Enter
    vd_wait_for "Volume $SPVOL created"
    wait_vol_row "$SPVOL" raw   # the list is read again after the message
    vd_keys g    # vdstsp.img sorts before vdstv.qcow2
    vd_keys u
    vd_wait_for "Upload a file into $SPVOL"
    field "$sp"
    vd_keys Enter
    vd_check "local: a sparse file uploads into a new raw volume, which stays sparse (virsh: < 8 MiB allocated)" \
        eval 'vd_wait_for "Uploaded $sp into $SPVOL" 60 && [ "$(virsh_alloc_bytes "$uri")" -lt 8388608 ]'
    rm -f "$back"
    vd_keys w
    vd_wait_for "Download $SPVOL to a file"
    field "$back"
    vd_keys Enter
    vd_check "local: and comes back byte-identical, still sparse (du < 8 MiB)" \
        eval 'vd_wait_for "Downloaded $SPVOL into $back" 60 && cmp -s "$sp" "$back" &&
              [ "$(du -k "$back" | cut -f1)" -lt 8192 ]'
    vd_keys D
    vd_wait_for "Delete volume $SPVOL?"
    vd_keys y
    vd_check "local: the raw volume is deleted" eval 'vd_wait_for "Volume $SPVOL deleted" && _vd_poll 10 no_vol_row "$SPVOL"'
}

run_round() {
    local uri=$1 where=$2 delete_storage=$3
    remove_pool "$uri"
    vd_start 100 30 -c "$uri"
    vd_check "$where: host connected" vd_wait_host 1 connected 30
    vd_keys b
    vd_check "$where: b opens the storage view with the default pool" \
        eval 'vd_wait_for "Storage of" && vd_wait_for " default "'

    # ---- pool ----
    vd_keys n
    vd_wait_for "New storage pool"
    vd_type "$POOL"
    vd_keys Enter
    vd_wait_for "New pool $POOL: Directory"
    field "$POOL_DIR"
    vd_check "$where: the form previews the pool XML" vd_wait_for "<path>$POOL_DIR</path>"
    vd_keys Enter
    vd_check "$where: pool created: virsh says running, the screen lists it active" \
        eval 'wait_virsh eval "[ \"\$(virsh_pool_state $uri)\" = running ]" &&
              vd_wait_for "Pool $POOL created and started" && _vd_poll 10 pool_active'
    vd_check "$where: $POOL_DIR exists (built)" test -d "$POOL_DIR"

    # ---- volume ----
    vd_check "$where: the pool can be selected" select_pool "$POOL"
    vd_keys Tab n
    vd_wait_for "New volume in pool $POOL"
    vd_type "$VOL"
    vd_keys Tab Tab
    field 64M
    vd_keys Enter
    vd_check "$where: qcow2 volume of 64 MiB: virsh vol-info and the screen" \
        eval 'wait_virsh cap_is "$uri" 67108864 && [ "$(virsh_vol_format "$uri")" = qcow2 ] &&
              wait_vol_row "$VOL" "qcow2"'

    vd_keys r
    vd_wait_for "Resize $VOL"
    field 128M
    vd_keys Enter
    vd_check "$where: resized to 128 MiB: virsh vol-info and the screen" \
        eval 'wait_virsh cap_is "$uri" 134217728 && vd_wait_for "Volume $VOL resized to 128 MiB" &&
              wait_vol_row "$VOL" "128M"'

    if [ "$where" = local ]; then
        running_disk_round "$uri"
        events_round "$uri"
    fi

    # ---- upload and download ----
    vd_keys u
    vd_wait_for "Upload a file into $VOL"
    field "$SRC"
    vd_keys Enter
    vd_check "$where: upload finished (status line)" vd_wait_for "Uploaded $SRC into $VOL" 60
    vd_check "$where: virsh sees the uploaded qcow2 image (96 MiB, qcow2)" \
        eval 'wait_virsh cap_is "$uri" 100663296 && [ "$(virsh_vol_format "$uri")" = qcow2 ] &&
              wait_vol_row "$VOL" "96M"'
    local dst=$VD_TMP/download-$where.qcow2
    rm -f "$dst"
    vd_keys w
    vd_wait_for "Download $VOL to a file"
    field "$dst"
    vd_keys Enter
    vd_check "$where: download finished (status line)" vd_wait_for "Downloaded $VOL into $dst" 60
    vd_check "$where: downloaded file is byte-identical (sha256)" \
        eval '[ "$(sha256sum < "$dst")" = "$SRC_SUM" ]'

    if [ "$where" = local ]; then
        sparse_round "$uri"
    fi

    # ---- delete the volume ----
    vd_keys D
    vd_check "$where: D asks to delete the volume" vd_wait_for "Delete volume $VOL?"
    vd_keys y
    vd_check "$where: volume deleted: gone in virsh and on the screen" \
        eval 'wait_virsh vol_gone "$uri" && vd_wait_for "Volume $VOL deleted" && _vd_poll 10 no_vol_row "$VOL"'

    # ---- delete the pool ----
    vd_keys Tab D
    vd_wait_for "Delete pool $POOL?"
    if [ "$delete_storage" = yes ]; then
        vd_keys Tab Space y
        vd_check "$where: a second question before deleting the directory" vd_wait_for "Really delete directory $POOL_DIR"
        vd_keys y
        vd_check "$where: pool and directory deleted: virsh pool-list, the screen, the file system" \
            eval 'wait_virsh pool_gone "$uri" && vd_wait_for "Pool $POOL and its storage deleted" &&
                  _vd_poll 10 no_pool_row && [ ! -e "$POOL_DIR" ]'
    else
        vd_keys y
        vd_check "$where: pool deleted: virsh pool-list and the screen; its directory is kept" \
            eval 'wait_virsh pool_gone "$uri" && vd_wait_for "Pool $POOL deleted" && _vd_poll 10 no_pool_row &&
                  [ -d "$POOL_DIR" ]'
    fi
    vd_check "$where: virsh pool-list --all no longer lists $POOL" \
        eval '! lab_virsh "$uri" pool-list --all --name | grep -qx "$POOL"'
}

# ---- a volume in use: refused, with the domain's name ----
in_use_round() {
    local uri=$1 where=$2
    vd_check "$where: the default pool can be selected" select_pool default
    vd_keys Tab
    vd_check "$where: the volumes table shows vdlab1.qcow2 used by vdlab1" \
        eval 'vol_row vdlab1.qcow2 | grep -q vdlab1'
    # move the cursor there: rows are sorted by name, count them from the top
    local n i
    n=$(vd_screen | sed -n '/^ Volume /,$p' | grep -nE "^ vdlab1.qcow2 " | cut -d: -f1)
    vd_keys g
    for i in $(seq 3 "$n"); do vd_keys j; done
    vd_keys D
    vd_check "$where: D on a volume in use is refused, naming the domain" \
        vd_wait_for "Volume vdlab1.qcow2 is in use by vdlab1: not deleted"
    vd_check "$where: virsh still has vdlab1.qcow2" lab_virsh "$uri" vol-info --pool default vdlab1.qcow2
    vd_keys Tab
}

run_round "$LAB_URI" local no
in_use_round "$LAB_URI" local
vd_keys q
vd_check "local: q closes the view, q quits with status 0" eval 'vd_wait_gone "Storage of" && vd_keys q && vd_wait_for "VIRTDECK-EXITED 0"'

run_round "$LAB_SSH_URI" ssh yes
vd_check "ssh: the screen still answers (q, q: exit 0)" eval 'vd_keys q && vd_keys q && vd_wait_for "VIRTDECK-EXITED 0"'

tap_done
