#!/usr/bin/env bash
# Builds virtdeck and runs the whole test suite: unit and UI tests (normal
# build and ASan+UBSan build), lab tests against a real libvirtd + qemu +
# sshd started here, make distcheck. Ends with "N passed, N failed".
# Run as root from the top of the source tree (README, command 2).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out="$top/_build/results"
rm -rf "$out"; mkdir -p "$out"
jobs=$(nproc 2>/dev/null || echo 2)
pass=0; fail=0; skip=0
skips=()

step() { echo "== $*"; }

# count TAP results of every .trs below $1
count_trs() {
    local dir=$1 label=$2 f r name
    while IFS= read -r f; do
        while IFS= read -r r; do
            case "$r" in
            ":test-result: PASS"*|":test-result: XFAIL"*) pass=$((pass + 1));;
            ":test-result: SKIP"*) skip=$((skip + 1));;
            ":test-result: "*) fail=$((fail + 1)); echo "FAIL ($label): ${f#$dir/} ${r#:test-result: }";;
            esac
        done < "$f"
    done < <(find "$dir" -name '*.trs' | sort)
    # skip reasons from the TAP logs: single tests and whole scripts
    while IFS= read -r line; do
        skips+=("$label: $line")
    done < <(find "$dir" -name '*.log' ! -name 'test-suite.log' ! -name 'config.log' -exec grep -H -E '^ok [0-9]+.*# SKIP|^1\.\.0 # SKIP' {} + 2>/dev/null)
}

check() {  # name, command...: one pass/fail for a whole step
    local name=$1; shift
    if "$@" > "$out/$name.log" 2>&1; then
        pass=$((pass + 1)); echo "PASS: $name"
    else
        fail=$((fail + 1)); echo "FAIL: $name (see $out/$name.log)"; tail -n 30 "$out/$name.log"
    fi
}

step "bootstrap"
# builds go to _build/; a tree configured in place (README, command 1) would
# make every out-of-tree configure refuse to run
if [ -f "$top/config.status" ]; then
    echo "the source tree is configured in place: make distclean first"
    make -C "$top" distclean > "$out/distclean.log" 2>&1 || rm -f "$top/config.status"
fi
autoreconf -fi > "$out/autoreconf.log" 2>&1 || { cat "$out/autoreconf.log"; echo "0 passed, 1 failed"; exit 1; }

build() {  # dir, configure flags...
    local dir=$1; shift
    rm -rf "$dir"; mkdir -p "$dir"
    (cd "$dir" && "$top/configure" "$@" && make -j"$jobs")
}

step "normal build (-Wall -Wextra -Werror)"
check build-werror build "$top/_build/normal" --enable-werror
check syntax-check make -C "$top/_build/normal" syntax-check
check diff-check git -C "$top" diff --check HEAD

step "unit + UI tests"
run_check() {  # label, dir, log, make args...: count results; a failing make with no failed test counts once
    local label=$1 dir=$2 log=$3 before; shift 3
    before=$fail
    make -C "$dir" "$@" > "$out/$log" 2>&1
    local rc=$?
    count_trs "$dir/tests" "$label"
    if [ "$rc" -ne 0 ] && [ "$fail" -eq "$before" ]; then
        fail=$((fail + 1)); echo "FAIL ($label): make $* failed without a failed test (see $out/$log)"
        tail -n 20 "$out/$log"
    fi
}
run_check normal "$top/_build/normal" check-normal.log -j"$jobs" check

step "ASan + UBSan build, unit + UI tests"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
check build-asan build "$top/_build/asan" --enable-werror --enable-sanitizers
run_check asan "$top/_build/asan" check-asan.log -j"$jobs" check
unset ASAN_OPTIONS UBSAN_OPTIONS

step "lab tests (real libvirtd, qemu, sshd on 127.0.0.1)"
if bash "$top/tests/lab/lab.sh" up > "$out/lab-up.log" 2>&1; then
    pass=$((pass + 1)); echo "PASS: lab-up"
    find "$top/_build/normal/tests" -name '*.trs' -delete
    run_check lab "$top/_build/normal" check-lab.log check-lab
else
    fail=$((fail + 1)); echo "FAIL: lab-up"; tail -n 30 "$out/lab-up.log"
fi
bash "$top/tests/lab/lab.sh" down > "$out/lab-down.log" 2>&1 || { fail=$((fail + 1)); echo "FAIL: lab-down"; tail -n 20 "$out/lab-down.log"; }

step "make distcheck"
check distcheck make -C "$top/_build/normal" distcheck TESTS='$(unit_tests)'

for s in "${skips[@]}"; do echo "skipped: $s"; done
if [ "$skip" -gt 0 ]; then
    echo "$pass passed, $fail failed, $skip skipped"
else
    echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
