#!/bin/bash
# virtdeck - SPDX-License-Identifier: GPL-2.0-or-later
# Lab UI scenario (TAP): virtual networks, static DHCP hosts and guest IPs.
# Drives the real binary in tmux (networks screen, key w) and checks
# libvirt's state with virsh, locally and over qemu+ssh:
#   create an isolated network vdnnet1 (the overlap check refuses a subnet
#   inside `default` first), add a static host, change it, remove it (live
#   and in the saved config), delete the network;
#   a copy of the Linux lab guest (vdn1, fresh MAC) gets a lease and its IP
#   shows in the domain list's IP column and in --dump.
# Needs root, the lab (tests/lab/lab.sh) and tmux.
# shellcheck source=tests/lab/lib.sh disable=SC2016  # checks are eval'd in single quotes
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "lab tests need root"
command -v virsh > /dev/null || tap_skip_all "virsh is not installed"
vd_init

NET=vdnnet1
GUEST=vdn1
GUEST_MAC=52:54:00:d7:$(printf '%02x:%02x' $((RANDOM % 256)) $((RANDOM % 256)))

tap_plan 52

lab_up || tap_bail "lab up failed"

remove_net() {
    lab_virsh "$LAB_URI" net-destroy "$NET" > /dev/null 2>&1
    lab_virsh "$LAB_URI" net-undefine "$NET" > /dev/null 2>&1
    return 0
}
cleanup() {
    remove_net
    lab_virsh "$LAB_URI" destroy "$GUEST" > /dev/null 2>&1
    return 0
}
lab_on_exit cleanup
cleanup

# net_xml [--inactive]: virsh net-dumpxml of the test network
net_xml() {
    lab_virsh "$LAB_URI" net-dumpxml "$@" "$NET" 2> /dev/null
}
net_has() {     # net_has TEXT [--inactive]
    net_xml ${2:+"$2"} | grep -qF -- "$1"
}
net_lacks() {
    net_xml ${2:+"$2"} > "$VD_TMP/net.xml" && ! grep -qF -- "$1" "$VD_TMP/net.xml"
}
wait_net_has() {
    VD_WAIT_SECS=10 vd_wait net_has "$@"
}
wait_net_lacks() {
    VD_WAIT_SECS=10 vd_wait net_lacks "$@"
}

# Select the network NAME in the upper list (j until the lower title names it).
select_net() {
    local i
    vd_keys g
    for i in $(seq 20); do
        vd_wait_for "Leases and static hosts of $1" 1 && return 0
        vd_keys j
    done
    return 1
}

# ---- the round trip, on one URI ------------------------------------------------------
round_trip() {
    local uri=$1 tag=$2 third=$3 sub
    sub=10.213.$third

    remove_net
    vd_config '[general]
refresh = 3600'
    vd_start 130 40 -c "$uri"
    vd_wait_host 1 connected 20
    vd_keys w
    vd_check "$tag: w opens the networks screen with default (NAT, 192.168.122.0/24)" \
        eval 'vd_wait_for "Networks of" && vd_wait_for "192.168.122.0/24" && vd_has NAT'

    # the overlap check refuses a subnet inside default's
    vd_keys c
    vd_wait_for "New virtual network" 5
    vd_type "$NET"
    vd_keys Down Right Right Down C-u
    vd_type "192.168.122.128/25"
    vd_keys Enter
    vd_check "$tag: a subnet inside default's is refused, naming default" \
        eval 'vd_wait_for "overlaps 192.168.122.0/24 of the" 5 && vd_has "network default"'
    vd_check "$tag: nothing was defined" eval '! lab_virsh "$uri" net-info "$NET" > /dev/null 2>&1'

    vd_keys C-u
    vd_type "$sub.0/24"
    vd_keys Down Down Down Down Down
    vd_type "vdn.test"
    vd_keys Enter
    vd_check "$tag: the XML preview shows the name, no <forward> (isolated) and the DHCP range" \
        eval 'vd_wait_for "<name>$NET</name>" 5 && vd_has "range start='"'"'$sub.2'"'"' end='"'"'$sub.254'"'"'" && ! vd_has "<forward"'
    vd_keys Enter
    vd_check "$tag: 'Network $NET created and started'" vd_wait_for "Network $NET created and started" 10
    vd_check "$tag: virsh: $NET is active, persistent, autostart, isolated, $sub.1/24, DHCP range, DNS domain" \
        eval 'lab_virsh "$uri" net-info "$NET" | grep -Eq "^Active: +yes" &&
              lab_virsh "$uri" net-info "$NET" | grep -Eq "^Autostart: +yes" &&
              net_has "<ip address='"'"'$sub.1'"'"' prefix='"'"'24'"'"'>" &&
              net_has "<range start='"'"'$sub.2'"'"' end='"'"'$sub.254'"'"'/>" &&
              net_has "<domain name='"'"'vdn.test'"'"'" && net_lacks "<forward"'
    vd_check "$tag: the list shows $NET active, isolated, $sub.0/24" \
        eval 'vd_wait_for "$sub.0/24" 5 && vd_screen | grep -F "$NET" | grep -q "active.*isolated"'

    # a static host
    select_net "$NET"
    vd_keys Tab c
    vd_wait_for "New static host on $NET" 5
    vd_keys C-u
    vd_type "zz:54"
    vd_keys Down
    vd_type "$sub.50"
    vd_keys Enter
    vd_check "$tag: a bad MAC is refused" vd_wait_for "is not a MAC address" 5
    vd_keys Up C-u
    vd_type "52:54:00:D7:00:01"
    vd_keys Down C-u
    vd_type "$sub.300"
    vd_keys Enter
    vd_check "$tag: an address outside IPv4 is refused" vd_wait_for "is not an IPv4 address" 5
    vd_keys C-u
    vd_type "10.99.0.5"
    vd_keys Enter
    vd_check "$tag: an address outside the subnet is refused" vd_wait_for "is not inside the subnet" 5
    vd_keys C-u
    vd_type "$sub.50"
    vd_keys Down
    vd_type "vdnhost1"
    vd_keys Enter
    vd_check "$tag: 'Static host ... added'" vd_wait_for "Static host $sub.50 (52:54:00:d7:00:01) added to $NET" 10
    vd_check "$tag: virsh net-dumpxml has the host, live and in the config" \
        eval 'wait_net_has "<host mac='"'"'52:54:00:d7:00:01'"'"' name='"'"'vdnhost1'"'"' ip='"'"'$sub.50'"'"'/>" &&
              net_has "<host mac='"'"'52:54:00:d7:00:01'"'"' name='"'"'vdnhost1'"'"' ip='"'"'$sub.50'"'"'/>" --inactive'
    vd_check "$tag: the lower list shows the static host" \
        eval 'vd_wait_for "$sub.50" 5 && vd_screen | grep -F "52:54:00:d7:00:01" | grep -q static'

    # a second one with the same IP is refused
    vd_keys c
    vd_wait_for "New static host on $NET" 5
    vd_keys C-u
    vd_type "52:54:00:d7:00:02"
    vd_keys Down
    vd_type "$sub.50"
    vd_keys Enter
    vd_check "$tag: the same IP for another MAC is refused" vd_wait_for "$sub.50 is already given to 52:54:00:d7:00:01" 5
    vd_keys Escape

    # change it: new IP, then new MAC (a delete and an add for libvirt)
    vd_keys Enter
    vd_wait_for "Change a static host of $NET" 5
    vd_keys Down C-u
    vd_type "$sub.51"
    vd_keys Enter
    vd_check "$tag: changed IP: virsh shows $sub.51 live and in the config, not .50" \
        eval 'wait_net_has "ip='"'"'$sub.51'"'"'" && net_has "ip='"'"'$sub.51'"'"'" --inactive && net_lacks "ip='"'"'$sub.50'"'"'" --inactive'
    vd_wait_for "changed in $NET" 5
    vd_keys Enter
    vd_wait_for "Change a static host of $NET" 5
    vd_keys C-u
    vd_type "52:54:00:d7:00:03"
    vd_keys Enter
    vd_check "$tag: changed MAC: virsh shows only the new MAC, live and in the config" \
        eval 'wait_net_has "52:54:00:d7:00:03" && net_has "52:54:00:d7:00:03" --inactive &&
              net_lacks "52:54:00:d7:00:01" && net_lacks "52:54:00:d7:00:01" --inactive'

    # remove it
    vd_wait_for "52:54:00:d7:00:03" 5
    vd_keys U
    vd_check "$tag: U asks to remove the static host" vd_wait_for "Remove the static host $sub.51" 5
    vd_keys y
    vd_check "$tag: removed: no <host> in virsh net-dumpxml, live and config" \
        eval 'wait_net_lacks "<host" && net_lacks "<host" --inactive'

    # delete the network
    vd_keys Tab U
    vd_check "$tag: U on the network says no domain uses it" vd_wait_for "Delete the network $NET? No domain uses it." 10
    vd_keys y
    vd_check "$tag: 'Network $NET deleted' and virsh no longer knows it" \
        eval 'vd_wait_for "Network $NET deleted" 10 && ! lab_virsh "$uri" net-info "$NET" > /dev/null 2>&1'
    vd_check "$tag: the screen drops it" vd_wait_gone "$sub.0/24" 5
    vd_keys Escape
}

round_trip "$LAB_URI" local 41
round_trip "$LAB_SSH_URI" ssh 42

# ---- a guest's address ----------------------------------------------------------------
if ! lab_virsh "$LAB_URI" dominfo vdlinux > /dev/null 2>&1; then
    for _ in $(seq 10); do tap_skip "the Linux lab guest vdlinux is not defined"; done
    tap_done
    exit
fi
lab_virsh "$LAB_URI" dumpxml --inactive vdlinux |
    sed -e "s|<name>vdlinux</name>|<name>$GUEST</name>|" -e '/<uuid>/d' \
        -e "s|<mac address='[^']*'/>|<mac address='$GUEST_MAC'/>|" > "$VD_TMP/$GUEST.xml"

# the IP column is the first to go on a narrow screen: make room for it
vd_config '[view]
hidden-columns=uuid;id;persistent'
vd_start 150 30 -c "$LAB_URI"
vd_wait_host 1 connected 20
t0=$(lab_ms)
vd_check "virsh create $GUEST (vdlinux's XML, MAC $GUEST_MAC)" \
    lab_virsh "$LAB_URI" create "$VD_TMP/$GUEST.xml"

lease_ip() {
    lab_virsh "$LAB_URI" net-dhcp-leases default --mac "$GUEST_MAC" 2> /dev/null |
        awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[0-9.]+\/[0-9]+$/) { sub(/\/.*/, "", $i); print $i; exit } }'
}
has_lease() { [ -n "$(lease_ip)" ]; }
VD_WAIT_SECS=60 vd_wait has_lease
lease_ms=$(($(lab_ms) - t0))
IP=$(lease_ip)
vd_check "$GUEST gets a DHCP lease on default (virsh net-dhcp-leases)" test -n "$IP"
tap_diag "lease $IP ${lease_ms} ms after virsh create"
if [ -n "$IP" ]; then
    vd_wait_row "$GUEST" "$IP" 30
    rc=$?
    tap_diag "IP column shows it ${VD_WAITED_MS} ms after virsh saw the lease"
    vd_check "the domain list's IP column shows $IP for $GUEST" test "$rc" = 0
    vd_check "… within 10 s of the lease (retried every 3 s while the guest is young)" test "$VD_WAITED_MS" -le 10000
else
    tap_skip "no lease"
    tap_skip "no lease"
fi
vd_keys l
for _ in $(seq 10); do [ "$(vd_cursor)" = "$GUEST" ] && break; vd_keys j; done
vd_check "the info box names the selected guest's address" \
    eval 'vd_wait_for "$GUEST: $IP" 5'

for pair in "local $LAB_URI" "ssh $LAB_SSH_URI"; do
    tag=${pair%% *} uri=${pair#* }
    "$VD_BIN" --dump --stats -c "$uri" > "$VD_TMP/dump.txt" 2> "$VD_TMP/dump.err"
    vd_check "$tag: --dump lists $GUEST with addresses=$IP" \
        eval 'grep -P "^domain\t[^\t]*\t$GUEST\t" "$VD_TMP/dump.txt" | grep -qP "\taddresses=$IP(,|$)"'
    vd_check "$tag: --dump lists default (nat, 192.168.122.0/24, DHCP range) and $GUEST's lease" \
        eval 'grep -qP "^network\t[^\t]*\tdefault\tactive\tnat\t.*\tipv4=192.168.122.0/24\tipv4_dhcp=192.168.122.2-192.168.122.254" "$VD_TMP/dump.txt" &&
              grep -qP "^lease\t[^\t]*\tdefault\t$GUEST_MAC\t$IP/" "$VD_TMP/dump.txt"'
    tap_diag "$tag: $(grep -P '^(stats|network-stats)\t' "$VD_TMP/dump.txt" | tr '\t' ' ' | tr '\n' ';')"
done
lab_virsh "$LAB_URI" destroy "$GUEST" > /dev/null 2>&1
vd_check "destroying $GUEST clears its address in the list" \
    eval 'vd_wait_gone "$IP" 10'

tap_done
