#!/bin/bash
# virtdeck - SPDX-License-Identifier: GPL-2.0-or-later
#
# Lab controller: a real libvirtd + QEMU + sshd on loopback, without systemd.
# Root only. See /work/shared/LAB.md (docs/ in the tree) for the recipes.
#
#   tests/lab/lab.sh up              start daemons, network, pool, sshd, ISO, VMs
#   tests/lab/lab.sh down [--purge]  stop vd* domains and all lab daemons by PID;
#                                    --purge also removes the lab VMs, volumes, ISO,
#                                    kernel, container and host 2's directory
#   tests/lab/lab.sh status          what is up (exit 0 only if all of it)
#   tests/lab/lab.sh env             shell export lines (eval "$(lab.sh env)")
#   tests/lab/lab.sh up-host2        only host 2 (part of `up` unless LAB_HOST2=no)
#   tests/lab/lab.sh down-host2      stop host 2 and remove its netns
#   tests/lab/lab.sh delay-up [MS]   delay proxy 127.0.0.1:2223 -> lab sshd, MS each
#                                    way (default 75); LAB_DELAY_URI goes through it
#   tests/lab/lab.sh delay-down      stop it (`down` does too)
# Helpers for tests (used by lib.sh):
#   tests/lab/lab.sh pid NAME        print the PID of libvirtd|virtlogd|sshd-lab
#   tests/lab/lab.sh start-libvirtd  start libvirtd (if needed) and wait for it
#   tests/lab/lab.sh stop-libvirtd   stop libvirtd by PID and wait for it
#
# Every step checks first, so `up` is idempotent and fast when all is up.
# Names: lab VMs are vdlab1, vdlab2 (GRUB ISO), vdlinux (Linux + busybox),
# container vdct1 (lxc:///system); host 2 (qemu+ssh://root@10.254.0.2/system)
# has vdh2a, vdh2b, vdh2linux. Host bridges vdlabbr0 (host 2: vdlabh2br0),
# veth vdlabveth0/1 (not a bridge) on both. Tests must only touch names starting "vd".
set -euo pipefail

# Daemons started here must not keep a descriptor we inherited: a lock file
# (flock(1), lib.sh's $LAB/.tests.lock) held open by libvirtd would block
# every later lab test. Close everything above 2 (bash reads this script on 255).
for _fd in /proc/$$/fd/*; do
    _fd=${_fd##*/}
    case $_fd in 0|1|2|255|*[!0-9]*) continue ;; esac
    eval "exec $_fd>&-" 2> /dev/null || true
done
unset _fd

LAB=${LAB:-/var/tmp/virtdeck-lab}
LAB_SSH_PORT=${LAB_SSH_PORT:-2222}
LAB_IMAGES=/var/lib/libvirt/images
LAB_ISO=$LAB_IMAGES/lab.iso
LAB_VMS="vdlab1 vdlab2"
LAB_LINUX_VM=vdlinux
LAB_URI=qemu:///system
LAB_LXC_URI=lxc:///system
LAB_SSH_URI=qemu+ssh://root@127.0.0.1:$LAB_SSH_PORT/system

PIDFILE_libvirtd=/run/libvirtd.pid
PIDFILE_virtlogd=/run/virtlogd.pid
PIDFILE_sshd_lab=/run/sshd-lab.pid

START_TIMEOUT=${LAB_START_TIMEOUT:-60}   # seconds for libvirtd to answer
STOP_TIMEOUT=${LAB_STOP_TIMEOUT:-30}     # seconds for a daemon to exit

# ssh and sshd use the passwd home directory, not $HOME
ROOT_HOME=$(getent passwd "$(id -un)" | cut -d: -f6)
ROOT_HOME=${ROOT_HOME:-/root}

prog=${0##*/}
say() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() { printf '%s: error: %s\n' "$prog" "$*" >&2; exit 1; }

virsh_q() { virsh -q -c "$LAB_URI" "$@"; }

# info_field FIELD VIRSH-ARGS...: value of "FIELD: value" in virsh's output
# (awk reads everything: no SIGPIPE under pipefail, unlike grep -q)
info_field() {
    local field=$1; shift
    virsh_q "$@" 2> /dev/null | awk -v f="$field:" '$1 == f {print $2; exit}'
}

# ---- processes ------------------------------------------------------------

# proc_state PID: one-letter state from /proc/PID/stat, empty if gone.
proc_state() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
    stat=${stat##*) }          # the comm field may contain spaces
    printf '%s' "${stat%% *}"
}

# pid_of NAME: the live, non-zombie PID of a lab daemon, from its pid file.
# Checks the command name too, so a stale pid file with a reused PID is ignored.
pid_of() {
    local name=$1 file comm pid st
    case $name in
        libvirtd) file=$PIDFILE_libvirtd comm=libvirtd ;;
        virtlogd) file=$PIDFILE_virtlogd comm=virtlogd ;;
        sshd-lab) file=$PIDFILE_sshd_lab comm=sshd ;;
        *) die "unknown daemon $name" ;;
    esac
    [ -r "$file" ] || return 1
    pid=$(tr -dc '0-9' < "$file")
    [ -n "$pid" ] || return 1
    st=$(proc_state "$pid")
    case $st in ''|Z|X) return 1 ;; esac
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ] || return 1
    printf '%s\n' "$pid"
}

# wait_gone PID NAME: wait for PID to exit; SIGKILL after STOP_TIMEOUT.
# An exited daemon is a zombie until PID 1 reaps it (here about 2 s later);
# it counts as exited, and its PID goes to ZOMBIES for wait_reaped.
# Returns 0 when exited, 1 if it would not die.
ZOMBIES=()
wait_gone() {
    local pid=$1 name=$2 i=0
    while :; do
        case $(proc_state "$pid") in
            '') return 0 ;;
            Z|X) ZOMBIES+=("$pid:$name"); return 0 ;;
        esac
        i=$((i + 1))
        if [ "$i" -eq $((STOP_TIMEOUT * 10)) ]; then
            say "warning: $name (PID $pid) still running after ${STOP_TIMEOUT}s, sending SIGKILL"
            kill -KILL "$pid" 2> /dev/null || true
        elif [ "$i" -gt $((STOP_TIMEOUT * 10 + 50)) ]; then
            say "error: $name (PID $pid) does not exit"
            return 1
        fi
        sleep 0.1
    done
}

# wait_reaped: give the parents of ZOMBIES 5 s to reap them, report the rest.
wait_reaped() {
    local i z left=()
    for i in $(seq 50); do
        left=()
        for z in ${ZOMBIES[@]+"${ZOMBIES[@]}"}; do
            [ "$(proc_state "${z%%:*}")" != Z ] || left+=("$z")
        done
        [ ${#left[@]} -gt 0 ] || return 0
        sleep 0.1
    done
    for z in "${left[@]}"; do
        say "warning: ${z#*:} (PID ${z%%:*}) exited but is still a zombie: parent PID $(awk '{print $4}' "/proc/${z%%:*}/stat" 2> /dev/null) has not reaped it"
    done
}

# stop_daemon NAME: SIGTERM by PID, wait. No-op when not running.
stop_daemon() {
    local name=$1 pid
    pid=$(pid_of "$name") || { return 0; }
    say "stopping $name (PID $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    wait_gone "$pid" "$name"
}

# ---- libvirt daemons --------------------------------------------------------

start_virtlogd() {
    pid_of virtlogd > /dev/null && return 0
    say "starting virtlogd"
    virtlogd -d 9>&- || die "virtlogd -d failed"
    local i
    for i in $(seq 50); do pid_of virtlogd > /dev/null && return 0; sleep 0.1; done
    die "virtlogd did not write $PIDFILE_virtlogd"
}

libvirtd_answers() {
    timeout 20 virsh -c "$LAB_URI" version < /dev/null > /dev/null 2>&1
}

# /dev/kvm and libvirt 9.0's QEMU capability cache (LAB_KVM):
# Without udev, /dev/kvm is root:root 0600. QEMU's capability probe still finds
# KVM, but libvirt's own access check (as user libvirt-qemu) fails, so libvirt
# throws the cache away on every lookup and probes QEMU again: 4-18 s for each
# GetVersion, define, start or domcapabilities. Making /dev/kvm usable (udev's
# root:kvm 0660) fixes that, but then about every second libvirtd start finds
# "host cpuid changed" (nested KVM here) and probes again for 8 s.
#   hide (default): libvirtd runs with a plain 0600 file bound over /dev/kvm in
#        its private mount namespace: no KVM for libvirt at all, capabilities
#        offer only type 'qemu' (TCG, which lab domains use anyway), the cache
#        stays valid, and libvirtd starts in about 0.2 s. QEMU's per-domain
#        mount namespace cannot carry that bind mount ("Unable to move ...
#        mount to /dev/kvm"), so the same namespace also sees a copy of
#        qemu.conf with namespaces = [ ]. Nothing on the host is changed.
#   udev: chgrp kvm + chmod 0660 /dev/kvm on the host, capabilities offer 'kvm'.
#   host: leave /dev/kvm alone.
LAB_KVM=${LAB_KVM:-hide}

kvm_setup() {
    case $LAB_KVM in
        hide)
            install -m 0600 /dev/null "$LAB/no-kvm"
            {
                grep -v '^[[:space:]]*namespaces[[:space:]]*=' /etc/libvirt/qemu.conf
                printf '\n# virtdeck lab (tests/lab/lab.sh, LAB_KVM=hide)\nnamespaces = [ ]\n'
            } > "$LAB/qemu.conf" ;;
        udev)
            [ -c /dev/kvm ] || return 0
            getent passwd libvirt-qemu > /dev/null && getent group kvm > /dev/null || return 0
            runuser -u libvirt-qemu -- test -r /dev/kvm -a -w /dev/kvm 2> /dev/null && return 0
            say "making /dev/kvm group kvm, mode 0660 (as udev would)"
            chgrp kvm /dev/kvm && chmod 0660 /dev/kvm ;;
        host) ;;
        *) die "LAB_KVM must be hide, udev or host" ;;
    esac
}

start_libvirtd() {
    start_virtlogd
    if ! pid_of libvirtd > /dev/null; then
        say "starting libvirtd"
        mkdir -p "$LAB"
        kvm_setup
        # A private mount namespace without the cgroup2 mount at
        # /sys/fs/cgroup/unified: libvirt 9.0 LXC fails on that hybrid layout.
        # With LAB_KVM=hide, /dev/kvm is covered there too (see above).
        # shellcheck disable=SC2016
        unshare -m --propagation private sh -c '
            umount /sys/fs/cgroup/unified 2>/dev/null
            if [ "$1" = hide ]; then
                mount --bind "$2/qemu.conf" /etc/libvirt/qemu.conf || exit 1
                if [ -e /dev/kvm ]; then mount --bind "$2/no-kvm" /dev/kvm || exit 1; fi
            fi
            exec libvirtd -d' sh "$LAB_KVM" "$LAB" 9>&- \
            || die "libvirtd -d failed"
    fi
    local t0=$SECONDS
    until libvirtd_answers; do
        if ! pid_of libvirtd > /dev/null && [ $((SECONDS - t0)) -ge 5 ]; then
            die "libvirtd is not running (see /var/log/libvirt/ and 'libvirtd -v' in the foreground)"
        fi
        if [ $((SECONDS - t0)) -ge "$START_TIMEOUT" ]; then
            die "libvirtd did not answer 'virsh -c $LAB_URI version' within ${START_TIMEOUT}s"
        fi
        sleep 0.2
    done
}

stop_libvirtd() {
    stop_daemon libvirtd
}

# ---- network and pool -------------------------------------------------------

ensure_network() {
    if ! virsh_q net-info default > /dev/null 2>&1; then
        say "defining network default"
        virsh_q net-define /usr/share/libvirt/networks/default.xml > /dev/null
        virsh_q net-autostart default > /dev/null
    fi
    if [ "$(info_field Active net-info default)" != yes ]; then
        say "starting network default"
        virsh_q net-start default > /dev/null
    fi
}

ensure_pool() {
    if ! virsh_q pool-info default > /dev/null 2>&1; then
        say "defining pool default at $LAB_IMAGES"
        virsh_q pool-define-as default dir --target "$LAB_IMAGES" > /dev/null
        virsh_q pool-build default > /dev/null
        virsh_q pool-autostart default > /dev/null
    fi
    if [ "$(info_field State pool-info default)" != running ]; then
        say "starting pool default"
        virsh_q pool-start default > /dev/null
    fi
}

# ---- sshd on loopback --------------------------------------------------------

# host keys as "TYPE BASE64" lines, sorted
keyscan() {
    ssh-keyscan -T 5 -p "$LAB_SSH_PORT" 127.0.0.1 2> /dev/null | awk '!/^#/ && NF >= 3 {print $2, $3}' | sort
}

ensure_sshd() {
    local home=$ROOT_HOME key pub
    mkdir -p /run/sshd "$home/.ssh"
    chmod 700 "$home/.ssh"
    ssh-keygen -A > /dev/null
    key=$home/.ssh/id_ed25519
    if [ ! -f "$key" ]; then
        say "generating $key"
        ssh-keygen -q -t ed25519 -N '' -C "virtdeck-lab" -f "$key"
    fi
    pub=$(cat "$key.pub")
    touch "$home/.ssh/authorized_keys"
    chmod 600 "$home/.ssh/authorized_keys"
    grep -qxF "$pub" "$home/.ssh/authorized_keys" || printf '%s\n' "$pub" >> "$home/.ssh/authorized_keys"

    local started=0
    if ! pid_of sshd-lab > /dev/null; then
        started=1
        if [ -n "$(ss -Hltn "sport = :$LAB_SSH_PORT" 2> /dev/null)" ]; then
            die "port $LAB_SSH_PORT is in use by something else: $(ss -Hltnp "sport = :$LAB_SSH_PORT" | tr -s ' ')"
        fi
        say "starting sshd on 127.0.0.1:$LAB_SSH_PORT"
        /usr/sbin/sshd -p "$LAB_SSH_PORT" -o ListenAddress=127.0.0.1 \
            -o PidFile="$PIDFILE_sshd_lab" -o PermitRootLogin=prohibit-password \
            -o PubkeyAuthentication=yes -o PasswordAuthentication=no \
            -o KbdInteractiveAuthentication=no -o MaxStartups=100:30:200 9>&- \
            || die "sshd failed to start"
    fi
    # quick path: sshd was up and libvirt over SSH works (host keys known)
    [ "$started" = 1 ] || ! ssh_virsh_ok "$LAB_SSH_URI" list || return 0
    local i keys=
    for i in $(seq 50); do
        keys=$(keyscan) && [ -n "$keys" ] && break
        sleep 0.1
    done
    [ -n "$keys" ] || die "sshd on 127.0.0.1:$LAB_SSH_PORT does not answer ssh-keyscan"
    record_host_keys "[127.0.0.1]:$LAB_SSH_PORT" "$keys"

    # The real check: libvirt over SSH, with no terminal and no way to prompt.
    local out
    if ! out=$(timeout 30 setsid -w virsh -c "$LAB_SSH_URI" list < /dev/null 2>&1); then
        die "virsh -c $LAB_SSH_URI list failed: $out"
    fi
}

# ssh_virsh_ok URI ARGS: virsh over SSH works, with no terminal to prompt on
ssh_virsh_ok() {
    local uri=$1; shift
    timeout 30 setsid -w virsh -q -c "$uri" "$@" < /dev/null > /dev/null 2>&1
}

# record_host_keys HOST KEYS: make HOST's entries in known_hosts exactly KEYS
# ("TYPE BASE64" lines, sorted)
record_host_keys() {
    local host=$1 keys=$2 kh=$ROOT_HOME/.ssh/known_hosts
    touch "$kh"
    if [ "$(ssh-keygen -F "$host" -f "$kh" 2> /dev/null | awk '!/^#/ && NF >= 3 {print $2, $3}' | sort)" != "$keys" ]; then
        say "recording host keys of $host in $kh"
        ssh-keygen -R "$host" -f "$kh" > /dev/null 2>&1 || true
        rm -f "$kh.old"
        printf '%s\n' "$keys" | sed "s/^/$host /" >> "$kh"
    fi
}

# ---- ISO and VMs ---------------------------------------------------------------

# iso_has_efi ISO: its El Torito catalogue has a UEFI boot image
iso_has_efi() {
    xorriso -indev "$1" -report_el_torito plain 2> /dev/null | grep -q '^El Torito boot img : *[0-9]* *UEFI'
}

# grub-mkrescue puts an EFI boot image in the ISO only when grub-efi-amd64-bin
# is installed (/usr/lib/grub/x86_64-efi): then the lab ISO boots under BIOS
# and under UEFI (OVMF). An ISO built before that package came is rebuilt.
ensure_iso() {
    local rebuild=0
    if [ -s "$LAB_ISO" ] && [ -d /usr/lib/grub/x86_64-efi ] && ! iso_has_efi "$LAB_ISO"; then
        say "$LAB_ISO has no EFI boot image: rebuilding it"
        rebuild=1
    fi
    if [ ! -s "$LAB_ISO" ] || [ "$rebuild" = 1 ]; then
        say "building $LAB_ISO"
        mkdir -p "$LAB/iso/boot/grub"
        cat > "$LAB/iso/boot/grub/grub.cfg" << 'EOF'
serial --unit=0 --speed=115200
terminal_input console serial
terminal_output console serial
set timeout=-1
echo "lab guest: GRUB up"
menuentry "Lab entry one" { echo "one"; sleep 5 }
menuentry "Lab entry two" { echo "two"; sleep 5 }
EOF
        grub-mkrescue -o "$LAB_ISO.tmp" "$LAB/iso" > "$LAB/grub-mkrescue.log" 2>&1 \
            || { cat "$LAB/grub-mkrescue.log" >&2; rm -f "$LAB_ISO.tmp"; die "grub-mkrescue failed"; }
        mv -f "$LAB_ISO.tmp" "$LAB_ISO"
        virsh_q pool-refresh default > /dev/null
    elif ! virsh_q vol-info --pool default lab.iso > /dev/null 2>&1; then
        virsh_q pool-refresh default > /dev/null
    fi
}

vm_xml() {
    cat << EOF
<domain type='qemu'>
  <name>$1</name>
  <title>virtdeck lab VM</title>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='cdrom'/><boot dev='hd'/></os>
  <devices>
    <disk type='volume'><driver name='qemu' type='qcow2'/><source pool='default' volume='$1.qcow2'/><target dev='vda' bus='virtio'/></disk>
    <disk type='file' device='cdrom'><source file='$LAB_ISO'/><target dev='hdc' bus='ide'/><readonly/></disk>
    <interface type='network'><source network='default'/><model type='virtio'/></interface>
    <serial type='pty'/><console type='pty'><target type='serial'/></console>
    <graphics type='vnc' autoport='yes' listen='127.0.0.1'/><video><model type='vga'/></video>
  </devices>
</domain>
EOF
}

ensure_vm() {
    local name=$1
    if ! virsh_q vol-info --pool default "$name.qcow2" > /dev/null 2>&1; then
        say "creating volume $name.qcow2"
        virsh_q vol-create-as default "$name.qcow2" 64M --format qcow2 > /dev/null
    fi
    if ! virsh_q dominfo "$name" > /dev/null 2>&1; then
        say "defining domain $name"
        vm_xml "$name" > "$LAB/$name.xml"
        virsh_q define "$LAB/$name.xml" > /dev/null
    fi
}

# ---- UEFI: OVMF in libvirt's domain capabilities ------------------------------

# The ovmf package puts firmware descriptors in /usr/share/qemu/firmware.
# libvirt 9.0 reads them at each domcapabilities call and at define/start
# (measured: installed while libvirtd ran, the loader was listed at once), so
# no restart is needed there; a daemon that still lists no loader while the
# descriptors exist is restarted once here, and only then.
uefi_listed() {
    virsh_q domcapabilities --virttype qemu 2> /dev/null |
        awk '/<enum name=.firmware.>/ {f = 1} f && /<value>efi<\/value>/ {ok = 1} /<\/enum>/ {f = 0} END {exit !ok}'
}

ensure_uefi() {
    ls /usr/share/qemu/firmware/*.json > /dev/null 2>&1 || {
        say "warning: no UEFI firmware descriptors (install ovmf: tests/deps.sh): no UEFI guests"
        return 0
    }
    uefi_listed && return 0
    say "libvirtd lists no UEFI loader although OVMF is installed: restarting it"
    stop_libvirtd
    start_libvirtd
    uefi_listed || say "warning: libvirtd still lists no UEFI loader"
}

# ---- host bridges: one real Linux bridge, one device that is not a bridge -------

# vdlabbr0: a bridge with no uplink (guests on it reach each other only);
# vdlabveth0/1: a veth pair, listed by libvirt's interface driver as
# ethernet, which the wizard must not offer as a bridge. Host 2 has its own
# bridge under another name, vdlabh2br0 (and a veth pair), inside its netns:
# a wizard that read this machine's /sys for a remote host would show
# vdlabbr0 there.
LAB_BRIDGE=vdlabbr0
LAB_H2_BRIDGE=vdlabh2br0
LAB_NOT_BRIDGE=vdlabveth0

# ensure_bridge NAME [IP-ARGS...]: the bridge NAME and the veth pair there
ensure_bridge() {
    local br=$1; shift
    if ! ip "$@" link show "$br" > /dev/null 2>&1; then
        say "creating bridge $br${1:+ (ip $*)}"
        ip "$@" link add "$br" type bridge
    fi
    ip "$@" link set "$br" up
    if ! ip "$@" link show "$LAB_NOT_BRIDGE" > /dev/null 2>&1; then
        ip "$@" link add "$LAB_NOT_BRIDGE" type veth peer name "${LAB_NOT_BRIDGE%0}1"
    fi
    ip "$@" link set "$LAB_NOT_BRIDGE" up
}

remove_bridge() {
    ip link del "$LAB_NOT_BRIDGE" 2> /dev/null || true
    if ip link show "$LAB_BRIDGE" > /dev/null 2>&1; then
        say "removing bridge $LAB_BRIDGE"
        ip link del "$LAB_BRIDGE" || return 1
    fi
}

# ---- Linux guest (kernel + busybox initrd, direct kernel boot) -----------------

# The kernel and its virtio modules come from Debian's linux-image package
# (apt-get download, cached in $LAB/linux); the initrd is busybox-static with
# an init that loads the modules, runs udhcpc on eth0 and keeps a shell on
# ttyS0 and on tty1. The guest idles (under 1 % of a core) and gets a DHCP
# lease on `default` about 9 s after start. `vd.name=NAME` on the kernel
# command line sets its hostname (sent with the DHCP request) and prompt.
LINUX_DIR=$LAB/linux
LINUX_MODULES="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover net_failover virtio_net button evdev"

linux_init() {
    cat << EOF
#!/bin/sh
# virtdeck lab guest init (tests/lab/lab.sh)
export PATH=/bin HOME=/
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $LINUX_MODULES; do insmod /lib/modules/\$m.ko; done
name=vdlinux
for a in \$(cat /proc/cmdline); do case \$a in vd.name=*) name=\${a#vd.name=} ;; esac; done
hostname "\$name"
export PS1="\$name# "
# ACPI power button (virsh shutdown): acpid runs /etc/acpi/PWRF/00000080
mkdir -p /etc/acpi/PWRF /var/run
printf '#!/bin/sh\\npoweroff -f\\n' > /etc/acpi/PWRF/00000080
chmod 755 /etc/acpi/PWRF/00000080
acpid -l /dev/null
ip link set lo up
ip link set eth0 up
udhcpc -f -S -T 1 -A 2 -i eth0 -s /bin/dhcp-event -x hostname:"\$name" > /dev/null 2>&1 &
echo "virtdeck lab guest \$name: shell on ttyS0 and tty1"
( while :; do setsid -c sh < /dev/ttyS0 > /dev/ttyS0 2>&1; done ) &
while :; do setsid -c sh < /dev/tty1 > /dev/tty1 2>&1; done
EOF
}

linux_dhcp_event() {
    cat << 'EOF'
#!/bin/sh
# udhcpc event script: $1 is deconfig, bound, renew or leasefail
case $1 in
    deconfig) ip addr flush dev "$interface"; ip link set "$interface" up ;;
    bound|renew)
        ip addr flush dev "$interface"
        ip addr add "$ip/${mask:-24}" dev "$interface"
        [ -z "$router" ] || ip route replace default via "${router%% *}" dev "$interface" ;;
esac
exit 0
EOF
}

# linux_files: make $LINUX_DIR/vmlinuz and $LINUX_DIR/initrd.gz (cached)
linux_files() {
    local deb ird ver m have=1
    mkdir -p "$LINUX_DIR"
    for m in $LINUX_MODULES; do [ -s "$LINUX_DIR/modules/$m.ko" ] || have=0; done
    if [ ! -s "$LINUX_DIR/vmlinuz" ] || [ "$have" = 0 ]; then
        deb=$(ls "$LINUX_DIR"/linux-image-[0-9]*-amd64_*.deb 2> /dev/null | tail -n1 || true)
        if [ -z "$deb" ]; then
            ver=$(apt-cache depends linux-image-amd64 2> /dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
            if [ -z "$ver" ]; then
                say "apt-cache does not know linux-image-amd64: apt-get update"
                apt-get update -q > "$LINUX_DIR/download.log" 2>&1 || true
                ver=$(apt-cache depends linux-image-amd64 2> /dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
            fi
            [ -n "$ver" ] || die "apt-cache does not know linux-image-amd64 (see $LINUX_DIR/download.log)"
            say "downloading $ver (about 70 MB, once)"
            (cd "$LINUX_DIR" && apt-get download "$ver" > "$LINUX_DIR/download.log" 2>&1) \
                || { cat "$LINUX_DIR/download.log" >&2; die "apt-get download $ver failed"; }
            deb=$(ls "$LINUX_DIR"/linux-image-[0-9]*-amd64_*.deb | tail -n1)
        fi
        say "extracting the kernel and virtio modules from ${deb##*/}"
        rm -rf "$LINUX_DIR/k" "$LINUX_DIR/modules"
        mkdir -p "$LINUX_DIR/k" "$LINUX_DIR/modules"
        local pats=(--wildcards './boot/vmlinuz-*')
        for m in $LINUX_MODULES; do pats+=("*/$m.ko"); done
        dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$LINUX_DIR/k" "${pats[@]}" \
            || die "cannot extract the kernel from $deb"
        for m in $LINUX_MODULES; do
            find "$LINUX_DIR/k" -name "$m.ko" -exec cp {} "$LINUX_DIR/modules/" \;
            [ -s "$LINUX_DIR/modules/$m.ko" ] || die "$m.ko is not in $deb"
        done
        cp "$LINUX_DIR"/k/boot/vmlinuz-* "$LINUX_DIR/vmlinuz.tmp"
        mv -f "$LINUX_DIR/vmlinuz.tmp" "$LINUX_DIR/vmlinuz"
        rm -rf "$LINUX_DIR/k"
        rm -f "$LINUX_DIR/initrd.gz" "$LINUX_DIR/vmlinux"
    fi
    # The bzImage's own xz decompressor takes about 9 s under TCG: boot the
    # uncompressed ELF instead (QEMU starts it at its PVH entry point).
    if [ ! -s "$LINUX_DIR/vmlinux" ]; then
        local off
        off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$LINUX_DIR/vmlinuz" | awk -F: 'NR == 1 {print $1}')
        # (xz stops after the stream: no pipe, whose writer would get SIGPIPE)
        if [ -n "$off" ] && xz -dc --single-stream > "$LINUX_DIR/vmlinux.tmp" 2> /dev/null \
            < <(tail -c +$((off + 1)) "$LINUX_DIR/vmlinuz" 2> /dev/null) &&
            [ "$(LC_ALL=C readelf -n "$LINUX_DIR/vmlinux.tmp" 2> /dev/null | grep -c 'note type: (0x00000012)')" -gt 0 ]; then
            mv -f "$LINUX_DIR/vmlinux.tmp" "$LINUX_DIR/vmlinux"
        else
            say "warning: no PVH vmlinux in $LINUX_DIR/vmlinuz: booting the bzImage (slower)"
            rm -f "$LINUX_DIR/vmlinux.tmp"
            cp "$LINUX_DIR/vmlinuz" "$LINUX_DIR/vmlinux"
        fi
    fi
    # rebuilt when the init script changes
    if [ ! -s "$LINUX_DIR/initrd.gz" ] || ! linux_init | cmp -s - "$LINUX_DIR/init" \
        || ! linux_dhcp_event | cmp -s - "$LINUX_DIR/dhcp-event"; then
        local bb
        bb=$(command -v busybox) || die "busybox is not installed (tests/deps.sh: busybox-static)"
        if ldd "$bb" > /dev/null 2>&1; then die "$bb is not static: install busybox-static"; fi
        say "building $LINUX_DIR/initrd.gz"
        ird=$LINUX_DIR/ird
        rm -rf "$ird"
        mkdir -p "$ird/bin" "$ird/proc" "$ird/sys" "$ird/dev" "$ird/tmp" "$ird/lib/modules"
        cp "$bb" "$ird/bin/busybox"
        cp "$LINUX_DIR"/modules/*.ko "$ird/lib/modules/"
        "$bb" --list | while read -r a; do
            [ "$a" = busybox ] || ln -sf busybox "$ird/bin/$a"
        done
        linux_init > "$ird/init"
        linux_dhcp_event > "$ird/bin/dhcp-event"
        chmod 755 "$ird/init" "$ird/bin/dhcp-event"
        (cd "$ird" && find . | cpio -o -H newc --quiet | gzip -1) > "$LINUX_DIR/initrd.gz.tmp"
        mv -f "$LINUX_DIR/initrd.gz.tmp" "$LINUX_DIR/initrd.gz"
        cp "$ird/init" "$LINUX_DIR/init"
        cp "$ird/bin/dhcp-event" "$LINUX_DIR/dhcp-event"
        rm -rf "$ird"
    fi
}

# install_if_changed SRC DST: copy SRC to DST unless DST is the same
install_if_changed() {
    cmp -s "$1" "$2" 2> /dev/null && return 0
    cp "$1" "$2.tmp" && mv -f "$2.tmp" "$2"
}

# linux_vm_xml NAME IMAGES-DIR
linux_vm_xml() {
    cat << EOF
<domain type='qemu'>
  <name>$1</name>
  <title>virtdeck lab Linux guest</title>
  <memory unit='MiB'>96</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$2/lab-vmlinux</kernel>
    <initrd>$2/lab-initrd.gz</initrd>
    <cmdline>console=tty1 console=ttyS0 quiet vd.name=$1</cmdline>
  </os>
  <features><acpi/></features>
  <devices>
    <controller type='usb' model='none'/>
    <interface type='network'><source network='default'/><model type='virtio'/></interface>
    <serial type='pty'/><console type='pty'><target type='serial'/></console>
    <graphics type='vnc' autoport='yes' listen='127.0.0.1'/><video><model type='vga'/></video>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
}

ensure_linux_vm() {
    linux_files
    install_if_changed "$LINUX_DIR/vmlinux" "$LAB_IMAGES/lab-vmlinux"
    # the compressed kernel too, for domains made by hand from LAB.md
    install_if_changed "$LINUX_DIR/vmlinuz" "$LAB_IMAGES/lab-vmlinuz"
    install_if_changed "$LINUX_DIR/initrd.gz" "$LAB_IMAGES/lab-initrd.gz"
    linux_vm_xml "$LAB_LINUX_VM" "$LAB_IMAGES" > "$LAB/$LAB_LINUX_VM.xml.new"
    define_if_changed virsh_q "$LAB_LINUX_VM" "$LAB/$LAB_LINUX_VM.xml"
}

# define_if_changed VIRSH NAME FILE: define NAME from FILE.new when it is not
# defined or FILE (the XML it was last defined from) differs; a changed
# domain is undefined first (when shut off) so that it gets the new XML whole.
define_if_changed() {
    local virsh=$1 name=$2 file=$3
    if "$virsh" dominfo "$name" > /dev/null 2>&1; then
        if cmp -s "$file.new" "$file"; then
            rm -f "$file.new"
            return 0
        fi
        if [ "$("$virsh" domstate "$name" 2> /dev/null | sed '/^$/d')" != "shut off" ]; then
            say "warning: $name is running: its new definition waits for the next up"
            rm -f "$file.new"
            return 0
        fi
        say "redefining $name (lab.sh changed it)"
        "$virsh" undefine "$name" > /dev/null
    else
        say "defining domain $name"
    fi
    "$virsh" define "$file.new" > /dev/null
    mv -f "$file.new" "$file"
}

# ---- LXC container ----------------------------------------------------------------

# vdct1 on lxc:///system: busybox as /bin/sh in $LAB/vdct1, init /bin/sh on
# the console pty. Defined when the lxc driver answers; `up` starts and
# destroys it once, and only then `env` names it (the file $LAB/lxc-ok).
LAB_LXC_CT=vdct1

ensure_lxc() {
    local root=$LAB/$LAB_LXC_CT bb a out
    if ! timeout 20 virsh -c "$LAB_LXC_URI" uri < /dev/null > /dev/null 2>&1; then
        say "warning: $LAB_LXC_URI does not answer: no LXC container"
        rm -f "$LAB/lxc-ok"
        return 0
    fi
    bb=$(command -v busybox) || { say "warning: no busybox: no LXC container"; return 0; }
    if [ ! -x "$root/bin/busybox" ]; then
        mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
        cp "$bb" "$root/bin/busybox"
        "$bb" --list | while read -r a; do
            [ "$a" = busybox ] || ln -sf busybox "$root/bin/$a"
        done
    fi
    if ! virsh -q -c "$LAB_LXC_URI" dominfo "$LAB_LXC_CT" > /dev/null 2>&1; then
        say "defining container $LAB_LXC_CT ($LAB_LXC_URI)"
        cat > "$LAB/$LAB_LXC_CT.xml" << EOF
<domain type='lxc'>
  <name>$LAB_LXC_CT</name>
  <title>virtdeck lab container</title>
  <memory unit='MiB'>32</memory>
  <os><type>exe</type><init>/bin/sh</init></os>
  <devices>
    <filesystem type='mount'><source dir='$root'/><target dir='/'/></filesystem>
    <console type='pty'/>
  </devices>
</domain>
EOF
        virsh -q -c "$LAB_LXC_URI" define "$LAB/$LAB_LXC_CT.xml" > /dev/null
        rm -f "$LAB/lxc-ok"
    fi
    [ -f "$LAB/lxc-ok" ] && return 0
    # once: does it start and stop here?
    if out=$(virsh -q -c "$LAB_LXC_URI" start "$LAB_LXC_CT" 2>&1) &&
        out=$(virsh -q -c "$LAB_LXC_URI" destroy "$LAB_LXC_CT" 2>&1); then
        say "container $LAB_LXC_CT starts and stops"
        touch "$LAB/lxc-ok"
    else
        say "warning: container $LAB_LXC_CT does not start/stop: $out"
    fi
}

# ---- host 2: its own libvirtd in a network namespace, reachable over SSH only -------

# Network namespace labhost2 (10.254.0.2/30, veth lab2-host = 10.254.0.1 here)
# with a private mount and UTS namespace (hostname labhost2): its own
# virtlogd, libvirtd and sshd (port 22 on 10.254.0.2), its /etc/libvirt,
# /var/lib/libvirt, /var/log/libvirt, /var/cache/libvirt bound from $LAB/host2
# and a private /run, so its unix sockets are invisible here and libvirtd
# listens on no TCP port: qemu+ssh://root@10.254.0.2/system is the only way in.
# Set-up uses virsh inside its namespaces (nsenter: quick, no SSH handshake).
H2_NS=labhost2
H2_ADDR=10.254.0.2
H2_DIR=$LAB/host2
LAB_H2_URI=qemu+ssh://root@$H2_ADDR/system
LAB_H2_VMS="vdh2a vdh2b"
LAB_H2_LINUX_VM=vdh2linux

# h2_pid NAME: live PID of host 2's virtlogd|libvirtd|sshd from $H2_DIR/pids
h2_pid() {
    local want=$1 name pid st
    [ -r "$H2_DIR/pids" ] || return 1
    while read -r name pid; do
        [ "$name" = "$want" ] || continue
        st=$(proc_state "$pid")
        case $st in ''|Z|X) return 1 ;; esac
        [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$want" ] || return 1
        printf '%s\n' "$pid"
        return 0
    done < "$H2_DIR/pids"
    return 1
}

h2_running() {
    ip netns list 2> /dev/null | grep -q "^$H2_NS\\b" &&
        h2_pid libvirtd > /dev/null && h2_pid sshd > /dev/null && h2_pid virtlogd > /dev/null
}

# h2_virsh ARGS: virsh against host 2's libvirtd from inside its namespaces
h2_virsh() {
    local pid
    pid=$(h2_pid libvirtd) || return 1
    nsenter -t "$pid" -m -n -u virsh -q -c qemu:///system "$@" < /dev/null 9>&-
}

h2_info_field() {
    local field=$1; shift
    h2_virsh "$@" 2> /dev/null | awk -v f="$field:" '$1 == f {print $2; exit}'
}

# stop_host2: destroy its domains and network, kill every process in the
# netns by PID, remove the veth pair and the netns. Quiet when not there.
stop_host2() {
    local d pids pid rc=0
    if h2_pid libvirtd > /dev/null; then
        for d in $(h2_virsh list --name 2> /dev/null || true); do
            say "host 2: destroying $d"
            h2_virsh destroy "$d" > /dev/null 2>&1 || say "warning: host 2: destroy $d failed"
        done
        if [ "$(h2_info_field Active net-info default)" = yes ]; then
            h2_virsh net-destroy default > /dev/null 2>&1 || true
        fi
    fi
    if ip netns list 2> /dev/null | grep -q "^$H2_NS\\b"; then
        pids=$(ip netns pids "$H2_NS" 2> /dev/null | tr '\n' ' ')
        if [ -n "$pids" ]; then
            say "host 2: stopping PIDs $pids"
            # shellcheck disable=SC2086
            kill -TERM $pids 2> /dev/null || true
            for pid in $pids; do wait_gone "$pid" "host 2 PID $pid" || rc=1; done
        fi
        ip link del lab2-host 2> /dev/null || true
        ip netns del "$H2_NS" || rc=1
        say "host 2 is down"
    fi
    rm -f "$H2_DIR/pids"
    return $rc
}

start_host2() {
    local S=$H2_DIR i
    h2_running && return 0
    stop_host2      # leftovers of a half-started or crashed host 2
    say "starting host 2 (netns $H2_NS, $LAB_H2_URI)"
    mkdir -p "$S/lib/images" "$S/log" "$S/cache"
    if [ ! -d "$S/etc" ]; then
        cp -a /etc/libvirt "$S/etc.tmp"
        rm -rf "$S"/etc.tmp/qemu/*.xml "$S/etc.tmp/qemu/autostart" "$S"/etc.tmp/lxc/*.xml "$S/etc.tmp/storage"
        rm -f "$S/etc.tmp/qemu/networks/autostart/default.xml"
        echo "host_uuid = \"$(cat /proc/sys/kernel/random/uuid)\"" >> "$S/etc.tmp/libvirtd.conf"
        mv "$S/etc.tmp" "$S/etc"
    fi
    if [ "$LAB_KVM" = hide ]; then
        # the same reasons as for host 1 (kvm_setup): no KVM, no per-domain mount ns
        install -m 0600 /dev/null "$LAB/no-kvm"
        grep -q '^namespaces = \[ \]' "$S/etc/qemu.conf" ||
            printf '\n# virtdeck lab (tests/lab/lab.sh, LAB_KVM=hide)\nnamespaces = [ ]\n' >> "$S/etc/qemu.conf"
    fi
    ip netns add "$H2_NS"
    ip link add lab2-host type veth peer name lab2-ns
    ip link set lab2-ns netns "$H2_NS"
    ip addr add 10.254.0.1/30 dev lab2-host
    ip link set lab2-host up
    ip -n "$H2_NS" addr add "$H2_ADDR/30" dev lab2-ns
    ip -n "$H2_NS" link set lab2-ns up
    ip -n "$H2_NS" link set lo up
    rm -f "$S/pids"
    # shellcheck disable=SC2016
    ip netns exec "$H2_NS" unshare -m -u --propagation private sh -ec '
        S=$1 kvm=$2 lab=$3
        hostname labhost2
        # ip netns exec mounted a new /sys: attach the v1 cgroup controllers again
        mount -t tmpfs tmpfs /sys/fs/cgroup
        for c in cpu cpuacct cpuset memory devices freezer blkio pids; do
            mkdir /sys/fs/cgroup/$c; mount -t cgroup -o $c cgroup /sys/fs/cgroup/$c
        done
        mkdir /sys/fs/cgroup/systemd; mount -t cgroup -o none,name=systemd cgroup /sys/fs/cgroup/systemd
        mount -t tmpfs -o mode=755 tmpfs /run
        mkdir -p /run/sshd /run/libvirt /run/lock
        for d in etc:/etc/libvirt lib:/var/lib/libvirt log:/var/log/libvirt cache:/var/cache/libvirt; do
            mount --bind "$S/${d%%:*}" "${d#*:}"
        done
        if [ "$kvm" = hide ] && [ -e /dev/kvm ]; then mount --bind "$lab/no-kvm" /dev/kvm; fi
        virtlogd -d
        libvirtd -d
        /usr/sbin/sshd -o ListenAddress=10.254.0.2 -o PidFile=/run/sshd.pid \
            -o PermitRootLogin=prohibit-password -o PubkeyAuthentication=yes \
            -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no \
            -o MaxStartups=100:30:200
        for i in $(seq 50); do
            [ -s /run/virtlogd.pid ] && [ -s /run/libvirtd.pid ] && [ -s /run/sshd.pid ] && break
            sleep 0.1
        done
        for f in virtlogd libvirtd sshd; do echo "$f $(cat /run/$f.pid)"; done > "$S/pids.tmp"
        mv "$S/pids.tmp" "$S/pids"' sh "$S" "$LAB_KVM" "$LAB" 9>&- \
        || die "host 2 did not start (see $S/log)"
    h2_running || die "host 2's daemons are not running (see $S/log/libvirtd.log)"
}

# ensure_host2: host 2 up with network, pool, ISO, kernel and its VMs
ensure_host2() {
    local S=$H2_DIR img=/var/lib/libvirt/images t0=$SECONDS vm keys
    start_host2
    until h2_virsh version > /dev/null 2>&1; do
        [ $((SECONDS - t0)) -lt "$START_TIMEOUT" ] || die "host 2's libvirtd does not answer"
        h2_pid libvirtd > /dev/null || die "host 2's libvirtd died (see $S/log)"
        sleep 0.2
    done
    # known_hosts: the same host keys as host 1, under the name 10.254.0.2.
    # The real check: libvirt over SSH, with no terminal and no way to prompt.
    local out
    if ! out=$(timeout 30 setsid -w virsh -q -c "$LAB_H2_URI" hostname < /dev/null 2>&1); then
        keys=$(ssh-keyscan -T 5 "$H2_ADDR" 2> /dev/null | awk '!/^#/ && NF >= 3 {print $2, $3}' | sort)
        [ -n "$keys" ] || die "host 2's sshd ($H2_ADDR:22) does not answer ssh-keyscan"
        record_host_keys "$H2_ADDR" "$keys"
        out=$(timeout 30 setsid -w virsh -q -c "$LAB_H2_URI" hostname < /dev/null 2>&1) ||
            die "virsh -c $LAB_H2_URI hostname failed: $out"
    fi
    [ "$out" = labhost2 ] || die "host 2 answers as '$out', expected labhost2"
    if ! h2_virsh net-info default > /dev/null 2>&1; then
        h2_virsh net-define /usr/share/libvirt/networks/default.xml > /dev/null
    fi
    if [ "$(h2_info_field Active net-info default)" != yes ]; then
        say "host 2: starting network default"
        h2_virsh net-start default > /dev/null
    fi
    if ! h2_virsh pool-info default > /dev/null 2>&1; then
        say "host 2: defining pool default at $S/lib/images ($img inside)"
        h2_virsh pool-define-as default dir --target "$img" > /dev/null
        h2_virsh pool-build default > /dev/null
    fi
    if [ "$(h2_info_field State pool-info default)" != running ]; then
        h2_virsh pool-start default > /dev/null
    fi
    # its own copies of the ISO, kernel and initrd (paths as host 2 sees them)
    local changed=0 f
    for f in "$LAB_ISO:lab.iso" "$LINUX_DIR/vmlinux:lab-vmlinux" "$LINUX_DIR/initrd.gz:lab-initrd.gz"; do
        cmp -s "${f%%:*}" "$S/lib/images/${f#*:}" && continue
        install_if_changed "${f%%:*}" "$S/lib/images/${f#*:}"
        changed=1
    done
    [ "$changed" = 0 ] || h2_virsh pool-refresh default > /dev/null
    for vm in $LAB_H2_VMS; do
        if ! h2_virsh vol-info --pool default "$vm.qcow2" > /dev/null 2>&1; then
            h2_virsh vol-create-as default "$vm.qcow2" 64M --format qcow2 > /dev/null
        fi
        if ! h2_virsh dominfo "$vm" > /dev/null 2>&1; then
            say "host 2: defining $vm"
            vm_xml "$vm" | sed "s|$LAB_ISO|$img/lab.iso|; s|<title>virtdeck lab VM</title>|<title>virtdeck lab host 2 VM</title>|" > "$S/$vm.xml"
            h2_virsh define "$S/$vm.xml" > /dev/null
        fi
    done
    linux_vm_xml "$LAB_H2_LINUX_VM" "$img" > "$S/$LAB_H2_LINUX_VM.xml.new"
    define_if_changed h2_virsh "$LAB_H2_LINUX_VM" "$S/$LAB_H2_LINUX_VM.xml"
    ensure_bridge "$LAB_H2_BRIDGE" -n "$H2_NS"
}

# ---- delay proxy: a slow link in front of the lab sshd ------------------------------

# tests/lab/delay-proxy.c, built here with cc into $LAB; listens on
# 127.0.0.1:$LAB_DELAY_PORT, forwards to the lab sshd and delays every chunk
# by MS milliseconds each way (`delay-up 75` = 150 ms round trip).
LAB_DELAY_PORT=${LAB_DELAY_PORT:-2223}
LAB_DELAY_URI=qemu+ssh://root@127.0.0.1:$LAB_DELAY_PORT/system
DELAY_BIN=$LAB/delay-proxy
# one proxy per port (LAB_DELAY_PORT=2224 lab.sh delay-up 10 runs a second one)
DELAY_TAG=
[ "$LAB_DELAY_PORT" = 2223 ] || DELAY_TAG=-$LAB_DELAY_PORT
DELAY_PIDFILE=$LAB/delay-proxy$DELAY_TAG.pid
DELAY_MSFILE=$LAB/delay-proxy$DELAY_TAG.ms
LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

delay_pid() {
    local pid
    [ -r "$DELAY_PIDFILE" ] || return 1
    pid=$(tr -dc '0-9' < "$DELAY_PIDFILE")
    [ -n "$pid" ] || return 1
    case $(proc_state "$pid") in ''|Z|X) return 1 ;; esac
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = delay-proxy ] || return 1
    printf '%s\n' "$pid"
}

delay_down() {
    local pid
    pid=$(delay_pid) || { rm -f "$DELAY_PIDFILE"; return 0; }
    say "stopping delay-proxy (PID $pid)"
    kill -TERM "$pid" 2> /dev/null || true
    wait_gone "$pid" delay-proxy
    rm -f "$DELAY_PIDFILE" "$DELAY_MSFILE"
}

# delay_down_all: every proxy started by delay-up, whatever its port
delay_down_all() {
    local f rc=0
    for f in "$LAB"/delay-proxy*.pid; do
        [ -e "$f" ] || continue
        DELAY_PIDFILE=$f DELAY_MSFILE=${f%.pid}.ms delay_down || rc=1
    done
    return $rc
}

delay_up() {
    local ms=${1:-75} src=$LAB_DIR/delay-proxy.c keys i
    case $ms in ''|*[!0-9]*) die "usage: $prog delay-up [MS] (delay each way, default 75)" ;; esac
    pid_of sshd-lab > /dev/null || die "the lab sshd is not running: $prog up first"
    if [ ! -x "$DELAY_BIN" ] || [ "$src" -nt "$DELAY_BIN" ]; then
        say "building $DELAY_BIN"
        mkdir -p "$LAB"
        ${CC:-cc} -std=c11 -O2 -Wall -Wextra -o "$DELAY_BIN.tmp" "$src" || die "cannot build $src"
        mv -f "$DELAY_BIN.tmp" "$DELAY_BIN"
    fi
    if delay_pid > /dev/null && [ "$(cat "$DELAY_MSFILE" 2> /dev/null)" = "$ms" ]; then
        return 0
    fi
    delay_down
    if [ -n "$(ss -Hltn "sport = :$LAB_DELAY_PORT" 2> /dev/null)" ]; then
        die "port $LAB_DELAY_PORT is in use: $(ss -Hltnp "sport = :$LAB_DELAY_PORT" | tr -s ' ')"
    fi
    say "starting delay-proxy 127.0.0.1:$LAB_DELAY_PORT -> 127.0.0.1:$LAB_SSH_PORT, $ms ms each way"
    setsid "$DELAY_BIN" "127.0.0.1:$LAB_DELAY_PORT" "127.0.0.1:$LAB_SSH_PORT" "$ms" \
        < /dev/null >> "$LAB/delay-proxy$DELAY_TAG.log" 2>&1 8>&- 9>&- &
    echo $! > "$DELAY_PIDFILE"
    echo "$ms" > "$DELAY_MSFILE"
    for i in $(seq 50); do
        [ -n "$(ss -Hltn "sport = :$LAB_DELAY_PORT" 2> /dev/null)" ] && break
        sleep 0.1
    done
    delay_pid > /dev/null || die "delay-proxy did not start (see $LAB/delay-proxy.log)"
    # the lab sshd's keys, under the proxy's name
    keys=$(keyscan) && [ -n "$keys" ] || die "the lab sshd does not answer ssh-keyscan"
    record_host_keys "[127.0.0.1]:$LAB_DELAY_PORT" "$keys"
    ssh_virsh_ok "$LAB_DELAY_URI" list || die "virsh -c $LAB_DELAY_URI list fails"
}

# ---- commands ------------------------------------------------------------------

lock() {
    mkdir -p "$LAB"
    exec 9> "$LAB/.lock"
    flock -w 300 9 || die "another lab.sh holds $LAB/.lock"
}

need_root() {
    [ "$(id -u)" = 0 ] || die "must run as root"
}

cmd_up() {
    need_root
    lock
    local t0=$SECONDS
    start_libvirtd
    ensure_network
    ensure_pool
    ensure_sshd
    ensure_iso
    ensure_uefi
    ensure_bridge "$LAB_BRIDGE"
    local vm
    for vm in $LAB_VMS; do ensure_vm "$vm"; done
    ensure_linux_vm
    ensure_lxc
    if [ "${LAB_HOST2:-yes}" != no ]; then ensure_host2; fi
    say "lab is up ($((SECONDS - t0))s)"
}

# names of domains starting with "vd" on URI; ARGS go to virsh list
vd_domains() {
    local uri=$1; shift
    timeout 30 virsh -q -c "$uri" list --name "$@" 2> /dev/null | grep '^vd' || true
}

cmd_down() {
    need_root
    local purge=0
    case ${1-} in
        --purge) purge=1 ;;
        '') ;;
        *) die "usage: $prog down [--purge]" ;;
    esac
    lock
    local rc=0
    stop_host2 || rc=1
    [ "$purge" = 0 ] || rm -rf "${H2_DIR:?}"
    if [ "$purge" = 1 ] && ! pid_of libvirtd > /dev/null; then
        start_libvirtd      # purging needs the daemon
    fi
    if pid_of libvirtd > /dev/null; then
        local uri d
        for uri in "$LAB_URI" "$LAB_LXC_URI"; do
            for d in $(vd_domains "$uri"); do
                say "destroying $d ($uri)"
                virsh -q -c "$uri" destroy "$d" > /dev/null || say "warning: destroy $d failed"
            done
        done
        if [ "$purge" = 1 ]; then
            for d in $LAB_VMS; do
                if virsh_q dominfo "$d" > /dev/null 2>&1; then
                    say "undefining $d"
                    virsh_q undefine "$d" > /dev/null
                fi
                if virsh_q vol-info --pool default "$d.qcow2" > /dev/null 2>&1; then
                    virsh_q vol-delete --pool default "$d.qcow2" > /dev/null
                fi
            done
            if virsh_q vol-info --pool default lab.iso > /dev/null 2>&1; then
                virsh_q vol-delete --pool default lab.iso > /dev/null
            fi
            rm -f "$LAB_ISO" "$LAB"/vdlab*.xml
            if virsh_q dominfo "$LAB_LINUX_VM" > /dev/null 2>&1; then
                say "undefining $LAB_LINUX_VM"
                virsh_q undefine "$LAB_LINUX_VM" > /dev/null
            fi
            if virsh -q -c "$LAB_LXC_URI" dominfo "$LAB_LXC_CT" > /dev/null 2>&1; then
                say "undefining $LAB_LXC_CT"
                virsh -q -c "$LAB_LXC_URI" undefine "$LAB_LXC_CT" > /dev/null
            fi
            rm -rf "${LAB:?}/$LAB_LXC_CT" "$LAB/$LAB_LXC_CT.xml" "$LAB/lxc-ok"
            # the kernel download stays cached in $LAB/linux
            rm -f "$LAB_IMAGES/lab-vmlinuz" "$LAB_IMAGES/lab-vmlinux" "$LAB_IMAGES/lab-initrd.gz" "$LAB/$LAB_LINUX_VM.xml"
            virsh_q pool-refresh default > /dev/null 2>&1 || true
        fi
        # Destroying networks stops their dnsmasq, which outlives libvirtd.
        local n
        for n in $(virsh_q net-list --name 2> /dev/null | grep -E '^(default|vd.*)$' || true); do
            say "stopping network $n"
            virsh_q net-destroy "$n" > /dev/null || say "warning: net-destroy $n failed"
        done
        local left
        left=$(timeout 30 virsh -q -c "$LAB_URI" list --name 2> /dev/null | sed '/^$/d' | tr '\n' ' ')
        [ -z "$left" ] || say "warning: domains still running (not vd*, left alone): $left"
    fi
    delay_down_all || rc=1
    remove_bridge || rc=1
    stop_daemon sshd-lab || rc=1
    stop_daemon libvirtd || rc=1
    stop_daemon virtlogd || rc=1
    wait_reaped
    local p
    p=$(pgrep -x dnsmasq -u libvirt-dnsmasq 2> /dev/null | tr '\n' ' ' || true)
    [ -z "$p" ] || say "warning: dnsmasq still running: $p"
    say "lab is down"
    return $rc
}

cmd_status() {
    local ok=0 d pid
    for d in virtlogd libvirtd sshd-lab; do
        if pid=$(pid_of "$d"); then
            printf '%-10s running, PID %s\n' "$d" "$pid"
        else
            printf '%-10s stopped\n' "$d"; ok=1
        fi
    done
    if pid_of libvirtd > /dev/null && libvirtd_answers; then
        local net pool
        net=$(info_field Active net-info default)
        pool=$(info_field State pool-info default)
        printf '%-10s default %s\n' network "$([ "$net" = yes ] && echo active || echo "${net:-missing}")"
        printf '%-10s default %s\n' pool "${pool:-missing}"
        for d in $LAB_VMS $LAB_LINUX_VM; do
            printf '%-10s %s\n' "$d" "$(virsh_q domstate "$d" 2> /dev/null | sed '/^$/d' || echo 'not defined')"
        done
        printf '%-10s %s\n' "$LAB_LXC_CT" "$(virsh -q -c "$LAB_LXC_URI" domstate "$LAB_LXC_CT" 2> /dev/null | sed '/^$/d' || echo 'not defined')"
        [ "$net" = yes ] || ok=1
        [ "$pool" = running ] || ok=1
    else
        printf '%-10s %s\n' libvirt "not answering"; ok=1
    fi
    local h2 p
    if h2_running; then
        h2="running, PIDs"
        for d in virtlogd libvirtd sshd; do p=$(h2_pid "$d"); h2="$h2 $d=$p"; done
        printf '%-10s %s\n' host2 "$h2"
        if timeout 30 setsid -w virsh -q -c "$LAB_H2_URI" list --all < /dev/null > "$LAB/h2-list.txt" 2>&1; then
            printf '%-10s %s: %s\n' host2 "$LAB_H2_URI" "$(awk '{print $2 " (" $3 (NF > 3 ? " " $4 : "") ")"}' "$LAB/h2-list.txt" | tr '\n' ' ')"
        else
            printf '%-10s %s does not answer: %s\n' host2 "$LAB_H2_URI" "$(head -n1 "$LAB/h2-list.txt")"; ok=1
        fi
    else
        printf '%-10s stopped\n' host2
        [ "${LAB_HOST2:-yes}" = no ] || ok=1
    fi
    if p=$(delay_pid); then
        printf '%-10s running, PID %s: 127.0.0.1:%s -> :%s, %s ms each way\n' delay "$p" \
            "$LAB_DELAY_PORT" "$LAB_SSH_PORT" "$(cat "$DELAY_MSFILE" 2> /dev/null)"
    else
        printf '%-10s stopped (optional: %s delay-up [MS])\n' delay "$prog"
    fi
    if [ -s "$LAB_ISO" ]; then printf '%-10s %s\n' iso "$LAB_ISO"; else printf '%-10s missing\n' iso; ok=1; fi
    if ip link show "$LAB_BRIDGE" > /dev/null 2>&1; then printf '%-10s %s\n' bridge "$LAB_BRIDGE"; else printf '%-10s missing\n' bridge; ok=1; fi
    if uefi_listed; then printf '%-10s listed by domcapabilities\n' uefi; else printf '%-10s no loader (optional: ovmf)\n' uefi; fi
    return $ok
}

cmd_env() {
    local home=$ROOT_HOME v
    for v in LAB LAB_SSH_PORT LAB_URI LAB_SSH_URI LAB_LXC_URI LAB_IMAGES LAB_ISO LAB_VMS LAB_LINUX_VM; do
        printf 'export %s=%q\n' "$v" "${!v}"
    done
    for v in LAB_H2_URI LAB_H2_VMS LAB_H2_LINUX_VM LAB_DELAY_PORT LAB_DELAY_URI LAB_BRIDGE LAB_H2_BRIDGE LAB_NOT_BRIDGE; do
        printf 'export %s=%q\n' "$v" "${!v}"
    done
    [ ! -f "$LAB/lxc-ok" ] || printf 'export LAB_LXC_CT=%q\n' "$LAB_LXC_CT"
    printf 'export LAB_LIBSSH2_URI=%q\n' \
        "qemu+libssh2://root@127.0.0.1:$LAB_SSH_PORT/system?known_hosts_verify=ignore&keyfile=$home/.ssh/id_ed25519"
}

case ${1-} in
    up) shift; cmd_up "$@" ;;
    down) shift; cmd_down "$@" ;;
    status) cmd_status ;;
    env) cmd_env ;;
    pid) [ $# -eq 2 ] || die "usage: $prog pid libvirtd|virtlogd|sshd-lab"; pid_of "$2" ;;
    up-host2) need_root; lock; ensure_host2; say "host 2 is up" ;;
    down-host2) need_root; lock; stop_host2 ;;
    delay-up) shift; need_root; lock; delay_up "$@" ;;
    delay-down) need_root; lock; delay_down ;;
    start-libvirtd) need_root; lock; start_libvirtd ;;
    stop-libvirtd) need_root; lock; stop_libvirtd ;;
    *) echo "usage: $prog up | down [--purge] | status | env | up-host2 | down-host2 | delay-up [MS] | delay-down" >&2; exit 2 ;;
esac
