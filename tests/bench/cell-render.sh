#!/usr/bin/env bash
# Cell renderer benchmark (issue 5, point 7). Prints figures; not pass/fail.
# ms per full 1024x768 frame into 160x48 and 240x67 cells per mode, terminal
# bytes for an unchanged frame and a one-line change of a text screen, and the
# text recognition accuracy on tests/data/frames. Build with -O2 (the default).
# Usage: tests/bench/cell-render.sh [BUILDDIR]   (default: the top directory)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
b=${1:-$top}
make -C "$b" tests/bench/bench-cell-render > /dev/null
exec "$b/tests/bench/bench-cell-render" "$top"
