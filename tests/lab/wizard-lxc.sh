#!/bin/bash
# virtdeck - SPDX-License-Identifier: GPL-2.0-or-later
# Lab UI scenario (TAP): the new container wizard on lxc:///system.
# Walks the pages by keys, then checks with virsh the defined container
# (type, init, root directory, memory, network), that it runs a shell on
# its console, that a failed start leaves neither the container nor the
# busybox tree it built, and the inline checks. When this machine cannot
# start containers, the start checks are skipped with libvirt's reason and
# the generated XML is checked instead. Objects are named vdwct*.
# shellcheck source=tests/lab/lib.sh disable=SC2016,SC2034
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "lab tests need root"
command -v virsh > /dev/null || tap_skip_all "virsh is not installed"
command -v expect > /dev/null || tap_skip_all "expect is not installed (tests/deps.sh)"
[ -x /bin/busybox ] || tap_skip_all "busybox is not installed (busybox-static)"
vd_init

L=$LAB_LXC_URI
FS=/var/lib/libvirt/filesystems

tap_plan 17

lab_up || tap_bail "lab up failed"

cleanup() {
    local d
    for d in vdwct1 vdwct2 vdwct3; do
        lab_virsh "$L" destroy "$d" > /dev/null 2>&1
        lab_virsh "$L" undefine "$d" > /dev/null 2>&1
        case $d in vdwct*) rm -rf "${FS:?}/$d" ;; esac
    done
    return 0
}
lab_on_exit cleanup
cleanup

k() { vd_keys "$@"; sleep 0.1; }
t() { vd_type "$1"; sleep 0.1; }
page() { vd_wait_for "Step $1 of 3" 10; }

vd_config '[general]
refresh = 3600'
vd_start 80 24 -c "$L"
vd_wait_host 1 connected 20

# ---- walk and create -------------------------------------------------------------
k N; page 1
vd_wait_gone "Reading what the host offers" 20
t vdwct1
vd_check "the root directory follows the name" vd_wait_for "$FS/vdwct1" 5
k Enter; page 2
k C-u; t 48m
k Enter; page 3
vd_check "review: summary and XML" eval 'vd_has "Root: $FS/vdwct1 (new busybox tree)" && vd_has "<domain type=\"lxc\">"'
k Tab Enter
vd_wait_for "vdwct1" 60
if vd_wait_for "Created and started vdwct1" 60; then
    tap_ok 0 "create and start: the status line says so"
    STARTED=1
else
    tap_ok 0 "create: the wizard reported the start failure"
    REASON=$(vd_status)
    STARTED=
fi
X=$(lab_virsh "$L" dumpxml --inactive vdwct1 2> /dev/null)
if [ -n "$STARTED" ]; then
    tap_check "virsh: vdwct1 is running" lab_wait_domstate "$L" vdwct1 running 20
    tap_check "XML: lxc, init /bin/sh, 48 MiB, 1 vCPU" \
        eval 'grep -q "<domain type=.lxc." <<< "$X" && grep -q "<init>/bin/sh</init>" <<< "$X" && grep -q ">49152</memory>" <<< "$X" && grep -q ">1</vcpu>" <<< "$X"'
    tap_check "XML: root is the busybox tree, NIC on network default" \
        eval 'grep -q "<source dir=.$FS/vdwct1./>" <<< "$X" && grep -q "<source network=.default./>" <<< "$X"'
    tap_check "the tree: bin/busybox and bin/sh" eval '[ -x $FS/vdwct1/bin/busybox ] && [ -L $FS/vdwct1/bin/sh ]'
    shell_answers() {
        expect -c "
            set timeout 20
            spawn virsh -c $L console --force vdwct1
            after 1000
            send \"echo vdw-\$((6*7))\r\"
            expect {
                \"vdw-42\" { exit 0 }
                timeout { exit 1 }
            }" > "$VD_TMP/console.log" 2>&1
    }
    tap_check "its console runs a shell" shell_answers
    vd_check "its console opened in virtdeck" eval 'vd_wait_for "leaves" 20'
    k C-]
    vd_check "the new container is selected in the list" eval 'vd_wait_gone "leaves" 10 && [ "$(vd_cursor)" = vdwct1 ]'
else
    for d in "virsh: running" "XML" "XML root" "tree" "console" "console in virtdeck" "selected"; do
        tap_skip "containers cannot start here ($d): $REASON"
    done
fi

# ---- a start failure is undone: no container, no tree --------------------------------
k N; page 1
vd_wait_gone "Reading what the host offers" 20
t vdwct2; k Tab Tab Tab C-u; t /bin/nonexistent-init
k Enter; page 2; k Enter; page 3; k Tab Enter
vd_check "start failure: the wizard comes back with libvirt's message" \
    eval 'vd_wait_for "Could not start vdwct2" 60 && vd_has "Step 3 of 3"'
tap_check "start failure: no container vdwct2" eval '! lab_virsh "$L" dominfo vdwct2'
tap_check "start failure: its busybox tree was removed" eval '[ ! -e $FS/vdwct2 ]'
k Escape y

# ---- inline checks -----------------------------------------------------------------
k N; page 1
vd_wait_gone "Reading what the host offers" 20
t vdwct1
vd_check "a name in use is refused inline" vd_wait_for "A domain named vdwct1 already exists" 5
k C-u; t vdwct3; k Tab Tab C-u; t /etc
vd_check "a non-empty directory for a new tree is refused" vd_wait_for "exists and is not empty" 5
k Enter
vd_check "the page cannot be left with errors" eval 'vd_wait_for "Correct the answers marked" 5 && vd_has "Step 1 of 3"'
k Escape y
vd_check "nothing was made for vdwct3" eval '! lab_virsh "$L" dominfo vdwct3 && [ ! -e $FS/vdwct3 ]'

lab_virsh "$L" destroy vdwct1 > /dev/null 2>&1
tap_done
