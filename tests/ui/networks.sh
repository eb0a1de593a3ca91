#!/bin/bash
# virtdeck - the networks screen (w) on libvirt's test driver (TAP)
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test:///default has the NAT network `default` (192.168.122.0/24) used by
# the domain `test`, whose address the driver reports as 192.168.122.3. The
# same flows against a real libvirtd (and over qemu+ssh) are in
# tests/lab/networks.sh.
. "$(dirname "$0")/lib.sh"
ui_require
export XDG_CONFIG_HOME="$UI_TMPDIR/xdg"

plan 18

ui_start 232 40 -- -c test:///default
ui_wait_for "test" >/dev/null
check "the IP column shows the test domain's address" \
    eval 'ui_wait_for "IP address" && ui_wait_row test "192.168.122.3"'
ui_keys w
check "w opens the networks screen: default, NAT, its subnet and range" \
    eval 'ui_wait_for "Networks of default" && ui_wait_for "192.168.122.0/24" && ui_has "192.168.122.2-254" && ui_has "NAT"'
check "the F-key bar names the network keys (New, Stop, Delete), not Conn or Kill" \
    eval 'ui_screen | tail -n1 | grep -q "^F1Help .*New .*F5Start .*Stop .*Delete .*qClose" && ! ui_screen | tail -n1 | grep -qE "Conn|Kill"'
ui_keys '?'
ui_wait_for "virtdeck help" >/dev/null
ui_keys G
check "the help overlay lists the screen's keys" eval 'ui_wait_for "Networks screen" && ui_has "Stop the network"'
ui_keys Escape

# delete asks and names the domain that uses it
ui_keys U
check "U on default names the domain using it" \
    eval 'ui_wait_for "Delete the network default? 1 domain uses it" && ui_has "network: test"'
ui_keys n
check "n: cancelled, default stays" eval 'ui_wait_for "Cancelled" && ui_has "192.168.122.0/24"'

# a new isolated network; the overlap check first
ui_keys c
ui_wait_for "New virtual network" >/dev/null
ui_type vdnui
ui_keys Down Right Right Down C-u
ui_type 192.168.122.0/23
ui_keys Enter
check "a subnet overlapping default is refused" ui_wait_for "overlaps 192.168.122.0/24"
ui_keys C-u
ui_type 10.66.0.0/24
ui_keys Enter
check "the second page shows the XML" \
    eval "ui_wait_for '<name>vdnui</name>' && ui_has \"<ip address='10.66.0.1' prefix='24'>\""
ui_keys Enter
check "created and started" ui_wait_for "Network vdnui created and started"
check "listed as active, isolated, 10.66.0.0/24" \
    eval 'ui_wait_for "10.66.0.0/24" && ui_screen | grep -F vdnui | grep -q "active.*isolated"'

# static hosts
for _ in 1 2 3; do ui_has "Leases and static hosts of vdnui" && break; ui_keys j; sleep 0.2; done
ui_keys Tab c
ui_wait_for "New static host on vdnui" >/dev/null
ui_keys C-u
ui_type 52:54:00:12:34:56
ui_keys Down
ui_type 10.66.0.255
ui_keys Enter
check "the broadcast address is refused" ui_wait_for "is the network, broadcast or host address"
ui_keys C-u
ui_type 10.66.0.20
ui_keys Down
ui_type web
ui_keys Enter
check "static host added" ui_wait_for "Static host 10.66.0.20 (52:54:00:12:34:56) added to vdnui"
check "the lower list shows it" eval 'ui_wait_for "10.66.0.20" && ui_screen | grep -F 52:54:00:12:34:56 | grep -q static'
ui_keys Enter
ui_wait_for "Change a static host of vdnui" >/dev/null
ui_keys Down C-u
ui_type 10.66.0.21
ui_keys Enter
check "changed" eval 'ui_wait_for "Static host 10.66.0.21 (52:54:00:12:34:56) changed in vdnui" && ui_screen | grep -F 52:54:00:12:34:56 | grep -q "10.66.0.21 "'
ui_keys U
ui_wait_for "Remove the static host 10.66.0.21" >/dev/null
ui_keys y
no_static_row() {
    for _ in $(seq 100); do
        ui_screen | grep -F 52:54:00:12:34:56 | grep -q static || return 0
        sleep 0.05
    done
    return 1
}
check "removed" eval 'ui_wait_for "removed from vdnui" && no_static_row'

# stop, start, autostart, delete
ui_keys Tab d
ui_wait_for "Stop the network vdnui?" >/dev/null
ui_keys y
check "stopped" eval 'ui_wait_for "Network vdnui stopped" && ui_screen | grep -F vdnui | grep -q inactive'
ui_keys s
check "started again" eval 'ui_wait_for "Network vdnui started"'
ui_keys U
ui_wait_for "Delete the network vdnui? No domain uses it." >/dev/null
ui_keys y
check "deleted" eval 'ui_wait_for "Network vdnui deleted" && ui_wait_gone "10.66.0.0/24"'
tap_done
