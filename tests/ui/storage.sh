#!/bin/bash
# virtdeck - the storage view on libvirt's test driver at 80x24 (TAP)
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test:///default has one dir pool (default-pool) and keeps everything in
# memory: pools and volumes are created, cloned and deleted for real there;
# it cannot resize, which shows libvirt's error in full. Transfers and real
# directories are checked in tests/lab/storage.sh.
. "$(dirname "$0")/lib.sh"
ui_require
export XDG_CONFIG_HOME="$UI_TMPDIR/xdg"

plan 22

# the volumes table: a row starts with the volume's name
vol_row() { ui_screen | grep -E "^ $1 " | head -n1; }
pool_row() { ui_screen | grep -E "^ $1 +dir " | head -n1; }
field() { ui_keys C-u; ui_type "$1"; }

ui_start 80 24 -- -c test:///default
ui_wait_for "test" > /dev/null
ui_keys b
check "b opens the storage view: default-pool, active" \
    eval 'ui_wait_for "Storage of" && pool_row default-pool | grep -q " active "'
check "the bottom bar shows the pool keys" ui_wait_for "start"
check "the F-key bar is the storage view's (F5 re-reads), not the domain list's" \
    eval 'ui_screen | tail -n1 | grep -q "^F1Help .*nNew .*F5Reread .*qClose" && ! ui_screen | tail -n1 | grep -q "Start"'
check "the pool's line names its target" ui_wait_for "default-pool: dir pool at /default-pool"

# the storage keys sit before the general ones: page up from the end
help_shows_storage() {
    for _i in 1 2 3 4 5 6; do
        ui_has "Storage view: moving" && ui_has "Upload a local file into the volume" && return 0
        ui_keys PageUp
        sleep 0.2
    done
    return 1
}
ui_keys '?'
ui_wait_for "virtdeck help" > /dev/null
ui_keys G
check "the help overlay lists the storage keys, grouped" help_shows_storage
ui_keys Escape

# ---- a new pool: the type decides the fields ----
ui_keys n
ui_wait_for "New storage pool" > /dev/null
ui_type vdstp
ui_keys Tab Right Right Enter
check "NFS type: host and export fields" \
    eval 'ui_wait_for "New pool vdstp: NFS share" && ui_has "Host" && ui_has "Export dir"'
ui_keys Enter
check "NFS without a host is refused with a message" ui_wait_for "Host: enter the server"
ui_type nfs.example.org
ui_keys Tab
ui_type /srv/images
check "the XML preview follows the fields" ui_wait_for '<host name="nfs.example.org"/><dir path="/srv/images"/>'
ui_keys Escape
ui_wait_gone "New pool" > /dev/null
ui_keys n
ui_wait_for "New storage pool" > /dev/null
ui_type vdstp
ui_keys Enter
ui_wait_for "New pool vdstp: Directory" > /dev/null
field /vdstp
ui_keys Enter
check "a dir pool is created, built, started and autostarted" \
    eval 'ui_wait_for "Pool vdstp created and started" && pool_row vdstp | grep -qE " active +yes "'

# ---- volumes of default-pool ----
ui_keys g Tab
check "an empty pool says how to add a volume" ui_wait_for "No volume in this pool"
ui_keys n
ui_wait_for "New volume in pool default-pool" > /dev/null
ui_type vol1.qcow2
ui_keys Tab Tab
field 12X
check "a bad size is refused with a message" ui_wait_for '"12X" is not a size'
field 10G
check "the form sums the volume up" ui_wait_for "10 GiB qcow2 volume"
ui_keys Enter
check "volume created: listed as qcow2, 10G" eval 'ui_wait_for "Volume vol1.qcow2 created" && vol_row vol1.qcow2 | grep -qE "qcow2 +10G"'
ui_keys r
ui_wait_for "Resize vol1.qcow2" > /dev/null
check "the resize form starts at the current size" ui_wait_for "New size 10G"
field 20G
ui_keys Enter
check "the driver's refusal shows in full" ui_wait_for "Could not resize volume vol1.qcow2: this function is not supported"
ui_keys c
ui_wait_for "Clone vol1.qcow2" > /dev/null
check "clone suggests a name" ui_wait_for "vol1-clone.qcow2"
ui_keys Enter
check "clone listed" eval 'ui_wait_for "Volume vol1.qcow2 cloned to vol1-clone.qcow2" && [ -n "$(vol_row vol1-clone.qcow2)" ]'
ui_keys g D
check "D asks, with the wipe option" eval 'ui_wait_for "Delete volume vol1-clone.qcow2?" && ui_has "Wipe the data first"'
ui_keys y
check "y deletes the clone" eval 'ui_wait_for "Volume vol1-clone.qcow2 deleted" && [ -z "$(vol_row vol1-clone.qcow2)" ]'

# ---- delete the new pool ----
ui_keys Tab G D
ui_wait_for "Delete pool vdstp?" > /dev/null
ui_keys n
check "n keeps the pool" eval 'ui_wait_for "Cancelled" && [ -n "$(pool_row vdstp)" ]'
ui_keys D
ui_wait_for "Delete pool vdstp?" > /dev/null
ui_keys y
check "y deletes the pool" eval 'ui_wait_for "Pool vdstp deleted" && [ -z "$(pool_row vdstp)" ]'
ui_keys q
check "q closes the view" eval 'ui_wait_gone "Storage of" && ui_has "test"'
tap_done
