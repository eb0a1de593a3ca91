#!/bin/bash
# virtdeck - SPDX-License-Identifier: GPL-2.0-or-later
# Lab hosts test (TAP): host 2 is a separate libvirtd reachable only over SSH,
# with VMs of its own; the Linux lab guests boot and get DHCP leases; the LXC
# container starts; the delay proxy adds the latency it is asked for.
# Needs root, libvirtd, QEMU, sshd, python3 (see tests/lab/lab.sh).
# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "lab tests need root"
for c in virsh libvirtd qemu-system-x86_64 /usr/sbin/sshd ip nsenter python3 expect; do
    command -v "$c" > /dev/null || tap_skip_all "$c is not installed"
done

tap_plan 20

lab_up || tap_bail "lab up failed"
eval "$("$LAB_CTL" env)"    # LAB_LXC_CT is there only once up has checked it

H1=$LAB_URI
H2=$LAB_H2_URI
L1=$LAB_LINUX_VM
L2=$LAB_H2_LINUX_VM
DELAY_STARTED=

cleanup() {
    lab_domains_off "$H1" "$L1"
    lab_domains_off "$H2" "$L2"
    [ -z "${LAB_LXC_CT:-}" ] || lab_virsh "$LAB_LXC_URI" destroy "$LAB_LXC_CT" > /dev/null 2>&1
    [ -z "$DELAY_STARTED" ] || "$LAB_CTL" delay-down > /dev/null 2>&1
}
lab_on_exit cleanup

# ---- host 2 ------------------------------------------------------------------

h2name=$(lab_virsh "$H2" hostname 2>&1)
[ "$h2name" = labhost2 ]
tap_ok $? "host 2 answers over SSH ($H2): hostname '$h2name'" || true

h1name=$(lab_virsh "$H1" hostname 2>&1)
[ -n "$h1name" ] && [ "$h1name" != "$h2name" ]
tap_ok $? "host 1 is another host: hostname '$h1name'" || true

uuid() { lab_virsh "$1" capabilities 2> /dev/null | sed -n 's:.*<uuid>\(.*\)</uuid>.*:\1:p' | head -n1; }
u1=$(uuid "$H1") u2=$(uuid "$H2")
[ -n "$u1" ] && [ -n "$u2" ] && [ "$u1" != "$u2" ]
tap_ok $? "the hosts have different host UUIDs ($u1, $u2)" || true

names() { lab_virsh "$1" list --all --name 2> /dev/null | sed '/^$/d' | sort; }
n1=$(names "$H1") n2=$(names "$H2")
want2=$(printf '%s\n' $LAB_H2_VMS "$L2" | sort)
[ "$(printf '%s\n' "$n2" | grep '^vdh2' || true)" = "$want2" ]
tap_ok $? "host 2 has its VMs: $(echo "$want2" | tr '\n' ' ')" || tap_diag "host 2: $n2"

common=$(comm -12 <(printf '%s\n' "$n1") <(printf '%s\n' "$n2"))
[ -z "$common" ]
tap_ok $? "no VM name is on both hosts" || tap_diag "on both: $common"

[ "$(lab_virsh "$H2" net-info default 2> /dev/null | awk '$1 == "Active:" {print $2}')" = yes ] &&
    [ "$(lab_virsh "$H2" pool-info default 2> /dev/null | awk '$1 == "State:" {print $2}')" = running ]
tap_ok $? "host 2's network default is active and its pool default is running" || true

# Only SSH reaches it: no libvirt TCP port on 10.254.0.2, and its unix
# socket lives in its own /run, not the one host 1 (and virsh here) uses.
tcp_open() { timeout 3 bash -c "exec 3<> /dev/tcp/$1/$2" 2> /dev/null; }
! tcp_open 10.254.0.2 16509 && ! tcp_open 10.254.0.2 16514 && tcp_open 10.254.0.2 22
tap_ok $? "10.254.0.2: port 22 open, libvirt ports 16509/16514 closed" || true

h2pid=$(awk '$1 == "libvirtd" {print $2}' "$LAB/host2/pids" 2> /dev/null)
sock2=/proc/$h2pid/root/run/libvirt/libvirt-sock
[ -n "$h2pid" ] && [ -S "$sock2" ] && [ -S /run/libvirt/libvirt-sock ] &&
    [ "$(stat -L -c %i "$sock2")" != "$(stat -L -c %i /run/libvirt/libvirt-sock)" ] &&
    [ "$(readlink "/proc/$h2pid/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ] &&
    [ "$(readlink "/proc/$h2pid/ns/net")" != "$(readlink /proc/self/ns/net)" ]
tap_ok $? "host 2's libvirtd (PID $h2pid) has its own mount and network namespace and socket" || true

# ---- Linux guests: boot, DHCP lease, serial shell --------------------------------

lab_domains_off "$H1" "$L1"
lab_domains_off "$H2" "$L2"

# A lease from an earlier boot stays for an hour: a fresh one is a lease for
# the guest's MAC whose expiry time differs from the one before the start.
mac() { lab_virsh "$1" domiflist "$2" 2> /dev/null | awk '$2 == "network" {print $5; exit}'; }
expiry() { lab_virsh "$1" net-dhcp-leases default --mac "$2" 2> /dev/null | awk 'NF > 4 {print $1, $2; exit}'; }
mac1=$(mac "$H1" "$L1") mac2=$(mac "$H2" "$L2")
old1=$(expiry "$H1" "$mac1") old2=$(expiry "$H2" "$mac2")

# boot budget: 30 s (a fresh lease came 9-19 s after start with the load of
# 2 cores running several test suites)
BOOT_SECS=${LAB_BOOT_SECS:-30}
start_ms=$(lab_ms)
tap_check "start $L1 on host 1" lab_virsh "$H1" start "$L1"
tap_check "start $L2 on host 2 (over SSH)" lab_virsh "$H2" start "$L2"

# wait_lease URI NAME MAC OLD-EXPIRY: a fresh lease within BOOT_SECS of the start
wait_lease() {
    local e
    LEASE=
    while [ $(($(lab_ms) - start_ms)) -lt $((BOOT_SECS * 1000)) ]; do
        e=$(expiry "$1" "$3")
        if [ -n "$e" ] && [ "$e" != "$4" ]; then
            LEASE=$(lab_virsh "$1" domifaddr "$2" 2> /dev/null | awk '$3 == "ipv4" {print $4; exit}')
            break
        fi
        sleep 0.5
    done
    LEASE_MS=$(($(lab_ms) - start_ms))
    [ -n "$LEASE" ]
}
wait_lease "$H1" "$L1" "$mac1" "$old1"
tap_ok $? "$L1 gets a fresh DHCP lease within $BOOT_SECS s of its start (${LEASE:-none} after ${LEASE_MS} ms)" || true
lab_virsh "$H1" net-dhcp-leases default 2> /dev/null | grep -q " ${LEASE:-none} *$L1 "
tap_ok $? "net-dhcp-leases default on host 1 lists $L1 with hostname $L1" ||
    tap_diag "$(lab_virsh "$H1" net-dhcp-leases default 2>&1)"
wait_lease "$H2" "$L2" "$mac2" "$old2"
tap_ok $? "$L2 gets a fresh DHCP lease on host 2 within $BOOT_SECS s of its start (${LEASE:-none} after ${LEASE_MS} ms)" || true

# the serial line has a shell: echo a random word through virsh console
word=vd-$RANDOM$RANDOM
out=$(timeout 40 expect -c "
    set timeout 15
    spawn virsh -c $H1 console $L1 --force
    expect \"Escape character\"
    send \"\r\"
    expect \"$L1# \"
    send \"echo $word-\\\$((6*7))\r\"
    expect \"$word-42\" { send \"\x1d\"; expect eof; exit 0 }
    exit 1" 2>&1)
tap_ok $? "$L1's serial console runs a shell (echo $word-\$((6*7)) gives $word-42)" || tap_diag "$out"

# idle: under 1 % of a core over 3 s, once booted
qpid=$(cat "/run/libvirt/qemu/$L1.pid" 2> /dev/null)
t1=$(awk '{print $14 + $15}' "/proc/$qpid/stat" 2> /dev/null)
sleep 3
t2=$(awk '{print $14 + $15}' "/proc/$qpid/stat" 2> /dev/null)
[ -n "$t1" ] && [ -n "$t2" ] && [ $((t2 - t1)) -le 6 ]
tap_ok $? "$L1 idles: $((${t2:-0} - ${t1:-0})) ticks (1/100 s) of CPU in 3 s" || true

# ACPI power button: acpid in the guest powers it off
lab_virsh "$H1" shutdown "$L1" > /dev/null 2>&1
lab_wait_domstate "$H1" "$L1" "shut off" 20
tap_ok $? "virsh shutdown $L1 powers it off (ACPI button, acpid)" || true

lab_virsh "$H1" destroy "$L1" > /dev/null 2>&1
lab_virsh "$H2" destroy "$L2" > /dev/null 2>&1
[ "$(lab_domstate "$H1" "$L1")" = "shut off" ] && [ "$(lab_domstate "$H2" "$L2")" = "shut off" ]
tap_ok $? "both Linux guests are off" || true

# ---- LXC ---------------------------------------------------------------------------

if [ -n "${LAB_LXC_CT:-}" ]; then
    lab_virsh "$LAB_LXC_URI" start "$LAB_LXC_CT" > /dev/null 2>&1 &&
        [ "$(lab_domstate "$LAB_LXC_URI" "$LAB_LXC_CT")" = running ] &&
        lab_virsh "$LAB_LXC_URI" destroy "$LAB_LXC_CT" > /dev/null 2>&1 &&
        [ "$(lab_domstate "$LAB_LXC_URI" "$LAB_LXC_CT")" = "shut off" ]
    tap_ok $? "container $LAB_LXC_CT starts and stops on $LAB_LXC_URI" || true
else
    tap_skip "lab.sh found that LXC containers do not start here (no LAB_LXC_CT)"
fi

# ---- delay proxy -----------------------------------------------------------------

if [ -z "$("$LAB_CTL" status 2> /dev/null | awk '$1 == "delay" && $2 == "running,"')" ]; then
    "$LAB_CTL" delay-up 75 > "$LAB/delay-up.log" 2>&1 8>&- && DELAY_STARTED=1
fi
ms=$(cat "$LAB/delay-proxy.ms" 2> /dev/null)   # the proxy on LAB_DELAY_PORT 2223
out=$(python3 "$LAB_LIB_DIR/delay-check.py" "$LAB/delay-proxy" 75 2>&1)
rtt=$(printf '%s\n' "$out" | sed -n 's/^rtt_ms=//p')
burst=$(printf '%s\n' "$out" | sed -n 's/^burst_ms=//p')
[ -n "$rtt" ] && [ "$rtt" -ge 150 ] && [ "$rtt" -lt 200 ] &&
    [ -n "$burst" ] && [ "$burst" -lt 500 ] && printf '%s\n' "$out" | grep -qx 'bytes_ok=1'
tap_ok $? "delay-proxy at 75 ms: round trip ${rtt:-?} ms, 10 messages 20 ms apart in ${burst:-?} ms (pipelined), 1 MiB intact" ||
    tap_diag "$out"

# the lab's proxy in front of sshd: libvirt over it is slower by some round trips
t0=$(lab_ms); lab_virsh "$LAB_SSH_URI" list --all > /dev/null 2>&1; rc1=$?; direct=$(($(lab_ms) - t0))
t0=$(lab_ms); lab_virsh "$LAB_DELAY_URI" list --all > /dev/null 2>&1; rc2=$?; delayed=$(($(lab_ms) - t0))
[ "$rc1" = 0 ] && [ "$rc2" = 0 ] && [ -n "$ms" ] && [ $((delayed - direct)) -ge $((4 * 2 * ms)) ]
tap_ok $? "virsh list --all: ${direct} ms direct, ${delayed} ms through $LAB_DELAY_URI (${ms:-?} ms each way)" || true

tap_done
