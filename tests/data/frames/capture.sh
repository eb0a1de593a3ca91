#!/bin/bash
# virtdeck - SPDX-License-Identifier: GPL-2.0-or-later
#
# Records the VGA frames of tests/data/frames from the lab (needs the lab up,
# see ../shared/LAB.md): copies of the lab guests vdlab1 (GRUB menu) and
# vdlinux (Linux VGA text console) are defined as vdr1 / vdr2, started,
# captured with `virsh screenshot` (PPM), destroyed and undefined again.
# The .txt files next to the frames (the expected text) are written by hand
# (checked by eye against the frame), not by this script.
#
# usage: capture.sh OUTDIR
set -euo pipefail
URI=${LAB_URI:-qemu:///system}
OUT=${1:?usage: capture.sh OUTDIR}
mkdir -p "$OUT"
V() { virsh -q -c "$URI" "$@"; }

cleanup() {
    for d in vdr1 vdr2; do
        V destroy "$d" >/dev/null 2>&1 || true
        V undefine "$d" >/dev/null 2>&1 || true
    done
}
trap cleanup EXIT

# the lab guest's XML under a new name, without uuid, MAC and writable disks
copy_of() {
    V dumpxml --inactive "$1" | python3 -c '
import sys, xml.etree.ElementTree as ET
t = ET.parse(sys.stdin); d = t.getroot()
d.find("name").text = sys.argv[1]
for tag in ("uuid", "title"):
    e = d.find(tag)
    if e is not None: d.remove(e)
dev = d.find("devices")
for disk in list(dev.findall("disk")):
    if disk.get("device") == "disk": dev.remove(disk)
for itf in dev.findall("interface"):
    m = itf.find("mac")
    if m is not None: itf.remove(m)
t.write(sys.stdout, encoding="unicode")' "$2"
}

# virsh screenshot writes what QEMU gives (PNG with QEMU >= 7.1, PPM before);
# the tests read binary PPM
to_ppm() {
    python3 - "$1" "$2" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
if data[:2] == b"P6":
    open(sys.argv[2], "wb").write(data); sys.exit(0)
assert data[:8] == b"\x89PNG\r\n\x1a\n", "neither PPM nor PNG"
pos, idat = 8, b""
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype, _, _, lace = struct.unpack(">IIBBBBB", body)
        assert depth == 8 and ctype in (2, 6) and lace == 0, "unsupported PNG"
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
bpp = 3 if ctype == 2 else 4
raw, stride = zlib.decompress(idat), w * bpp
out, prev = bytearray(), bytearray(stride)
for y in range(h):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    prev = line
    for x in range(w):
        out += line[x * bpp:x * bpp + 3]
open(sys.argv[2], "wb").write(b"P6\n%d %d\n255\n" % (w, h) + bytes(out))
PY
}

shot() {
    V screenshot "$1" --file "$2.shot" >/dev/null
    to_ppm "$2.shot" "$2.ppm"
    rm -f "$2.shot"
    gzip -9nf "$2.ppm"
}

keys() {                        # type a line on the guest's keyboard
    local d=$1 s=$2 k
    for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        case "$c" in
        [a-z]) k="KEY_${c^^}" ;;
        [0-9]) k="KEY_$c" ;;
        ' ') k=KEY_SPACE ;;
        '-') k=KEY_MINUS ;;
        '.') k=KEY_DOT ;;
        '/') k=KEY_SLASH ;;
        '=') k=KEY_EQUAL ;;
        *) echo "no key for '$c'" >&2; exit 1 ;;
        esac
        V send-key "$d" "$k" >/dev/null
    done
    V send-key "$d" KEY_ENTER >/dev/null
}

# GRUB menu of the lab ISO
copy_of vdlab1 vdr1 > "$OUT/vdr1.xml"
V define "$OUT/vdr1.xml" >/dev/null
rm -f "$OUT/vdr1.xml"
V start vdr1 >/dev/null
sleep 6
shot vdr1 "$OUT/grub-menu"
# GRUB's command line with typed text
V send-key vdr1 KEY_C >/dev/null
sleep 1
keys vdr1 "echo virtdeck grub 0123456789 -=./"
sleep 1
shot vdr1 "$OUT/grub-cmdline"
V destroy vdr1 >/dev/null

# Linux VGA text console
copy_of vdlinux vdr2 > "$OUT/vdr2.xml"
V define "$OUT/vdr2.xml" >/dev/null
rm -f "$OUT/vdr2.xml"
V start vdr2 >/dev/null
# the shell starts right after the DHCP lease
for ((i = 0; i < 60; i++)); do
    V domifaddr vdr2 --source lease 2>/dev/null | grep -q ipv4 && break
    sleep 2
done
sleep 3
keys vdr2 "ls -l /bin"
sleep 1
keys vdr2 "echo the quick brown fox jumps over the lazy dog 0123456789"
sleep 1
keys vdr2 "cat /proc/cpuinfo"
sleep 2
shot vdr2 "$OUT/linux-console"
