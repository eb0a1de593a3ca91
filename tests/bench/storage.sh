#!/usr/bin/env bash
# Storage transfer benchmark (issue 7, point 8). Prints figures; not pass/fail.
# Upload and download of a 256 MiB file of random data into a raw volume with
# virtdeck's storage core (the code the storage view runs: 1 MiB stream
# packets, sparse streams) next to `virsh vol-upload` / `vol-download` of the
# same file in the same run, locally and over qemu+ssh. Each figure is the
# median of REPS runs (default 5), the order alternates between the tools.
# Needs the lab up (tests/lab/lab.sh up). Creates pool vdstbench under
# /var/tmp and removes it at the end.
# Usage: tests/bench/storage.sh [BUILDDIR]   (default: _build/normal, else the top)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
b=${1:-$top/_build/normal}
[ -x "$b/virtdeck" ] || b=$top
eval "$(bash "$top/tests/lab/lab.sh" env)"
REPS=${REPS:-5}
SIZE_MIB=${SIZE_MIB:-256}
pool=vdstbench
dir=/var/tmp/vdstbench
vol=vdstbench.img
tmp=$(mktemp -d)

cleanup() {
    virsh -q -c "$LAB_URI" vol-delete --pool "$pool" "$vol" > /dev/null 2>&1 || true
    virsh -q -c "$LAB_URI" pool-destroy "$pool" > /dev/null 2>&1 || true
    virsh -q -c "$LAB_URI" pool-undefine "$pool" > /dev/null 2>&1 || true
    rm -rf "$dir" "$tmp"
}
trap cleanup EXIT
cleanup
mkdir -p "$tmp"

gcc -O2 -std=gnu11 -I"$b" -I"$top" -I"$top/src" -o "$tmp/bench-storage" "$top/tests/bench/bench-storage.c" \
    "$b/src/libvdcore.a" -lm $(pkg-config --cflags --libs libvirt glib-2.0 libxml-2.0 librrd)

virsh -q -c "$LAB_URI" pool-define-as "$pool" dir --target "$dir" > /dev/null
virsh -q -c "$LAB_URI" pool-build "$pool" > /dev/null
virsh -q -c "$LAB_URI" pool-start "$pool" > /dev/null
virsh -q -c "$LAB_URI" vol-create-as "$pool" "$vol" "${SIZE_MIB}M" --format raw > /dev/null
head -c "$((SIZE_MIB << 20))" /dev/urandom > "$tmp/src"

now() { date +%s%N; }
# seconds of one run of a command
timed() {
    local t0 t1
    t0=$(now)
    "$@" > /dev/null
    t1=$(now)
    echo "scale=3; ($t1 - $t0) / 1000000000" | bc
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
rate() { echo "scale=1; $SIZE_MIB / $1" | bc; }

vd_up() { "$tmp/bench-storage" "$1" up "$pool" "$vol" "$tmp/src"; }
vd_down() { rm -f "$tmp/dst"; "$tmp/bench-storage" "$1" down "$pool" "$vol" "$tmp/dst"; }
virsh_up() { virsh -q -c "$1" vol-upload --pool "$pool" "$vol" "$tmp/src"; }
virsh_down() { rm -f "$tmp/dst"; virsh -q -c "$1" vol-download --pool "$pool" "$vol" "$tmp/dst"; }

printf '%s MiB of random data, median of %s runs each\n' "$SIZE_MIB" "$REPS"
printf '%-8s %-9s %10s %10s %7s\n' host transfer "virtdeck" "virsh" ratio
for uri in "$LAB_URI" "$LAB_SSH_URI"; do
    case $uri in *ssh*) where=ssh ;; *) where=local ;; esac
    for dirn in up down; do
        : > "$tmp/vd.$dirn"; : > "$tmp/virsh.$dirn"
        for i in $(seq "$REPS"); do
            if [ $((i % 2)) = 1 ]; then
                timed "vd_$dirn" "$uri" >> "$tmp/vd.$dirn"
                timed "virsh_$dirn" "$uri" >> "$tmp/virsh.$dirn"
            else
                timed "virsh_$dirn" "$uri" >> "$tmp/virsh.$dirn"
                timed "vd_$dirn" "$uri" >> "$tmp/vd.$dirn"
            fi
            if [ "$dirn" = down ] && ! cmp -s "$tmp/src" "$tmp/dst"; then
                echo "download of $vol differs from the uploaded file" >&2
                exit 1
            fi
        done
        vd=$(median < "$tmp/vd.$dirn")
        vs=$(median < "$tmp/virsh.$dirn")
        ratio=$(echo "scale=2; $vs / $vd" | bc)
        printf '%-8s %-9s %6s MiB/s %6s MiB/s %6sx\n' "$where" "$dirn" "$(rate "$vd")" "$(rate "$vs")" "$ratio"
    done
done
echo "ratio: virtdeck's throughput / virsh's (target >= 0.9)"
