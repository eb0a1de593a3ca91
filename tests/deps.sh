#!/usr/bin/env bash
# Installs the Debian 12 packages virtdeck needs to build, run and test.
# Run as root. Quiet when everything is already there.
set -euo pipefail

build_pkgs="autoconf automake libtool pkg-config gettext autopoint make gcc
  libncurses-dev libvirt-dev libssh2-1-dev libxml2-dev libvncserver-dev libglib2.0-dev
  librrd-dev libosinfo-1.0-dev libvterm-dev libsoup-3.0-dev"
run_pkgs="libvirt-clients ncurses-term locales osinfo-db glib-networking"
lab_pkgs="libvirt-daemon-system libvirt-daemon-driver-qemu libvirt-daemon-driver-lxc
  qemu-system-x86 qemu-utils openssh-server openssh-client grub-pc-bin xorriso mtools
  busybox-static expect tmux rrdtool iproute2 dnsmasq-base cpio python3 xz-utils binutils
  ovmf grub-efi-amd64-bin"

want="$build_pkgs $run_pkgs"
[ "${1:-}" = "--run-only" ] || want="$want $lab_pkgs"
missing=""
for p in $want; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "deps.sh: missing packages:$missing (run as root to install)" >&2
        exit 1
    fi
    echo "deps.sh: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends $missing >/dev/null
fi
# UTF-8 and Russian locales for the UI tests (C.UTF-8 is built in)
if ! locale -a 2>/dev/null | grep -qi '^ru_RU.utf8$'; then
    if [ "$(id -u)" = 0 ]; then
        sed -i 's/^# *ru_RU.UTF-8 UTF-8/ru_RU.UTF-8 UTF-8/; s/^# *en_US.UTF-8 UTF-8/en_US.UTF-8 UTF-8/' /etc/locale.gen
        locale-gen >/dev/null 2>&1 || true
    fi
fi
exit 0
