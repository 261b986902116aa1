#!/usr/bin/env bash
# RLE and 12-bit JPEG DCT codec speed against DCMTK (dcmcrle/dcmdrle, dcmdjpeg), CPU seconds.
#
#   Benchmarks/codec-bench.sh            (SKIP_BUILD=1 to reuse the build; SCRATCH=DIR for another scratch path than
#                                         Benchmarks/.build, the Benchmarks package's own)
#
# Data: synth-studies --count 20 --modality CT (512x512 16-bit), joined into one 200-frame file so
# DCMTK's process start-up does not dominate; the 12-bit JPEG Extended file is made from it by
# dcmcjpeg +ee. Ours: codec-bench (codec calls only, CPU time, best of 5). DCMTK: user and sys
# seconds of the whole process (file read, codec, file write) with /usr/bin/time, best of 3;
# dcmconv on the same file gives the cost of DCMTK's read+write without a codec.
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH=${SCRATCH:-$PWD/Benchmarks/.build}
BIN=${BIN:-$SCRATCH/release}
DATA=Benchmarks/data/codec
if [ -z "${SKIP_BUILD:-}" ]; then swift build --package-path Benchmarks --scratch-path "$SCRATCH" -c release --product codec-bench >/dev/null && swift build --package-path Benchmarks --scratch-path "$SCRATCH" -c release --product synth-studies >/dev/null; fi
mkdir -p "$DATA"
if [ ! -f "$DATA/ct-mf.dcm" ]; then
  rm -rf "$DATA/ct"
  "$BIN/synth-studies" --out "$DATA/ct" --count 20 --seed 1 --modality CT >/dev/null
  "$BIN/codec-bench" multiframe "$DATA/ct" "$DATA/ct-mf.dcm" 10
fi
[ -f "$DATA/ct-mf-51.dcm" ] || dcmcjpeg +ee "$DATA/ct-mf.dcm" "$DATA/ct-mf-51.dcm"
[ -f "$DATA/ct-mf-rle.dcm" ] || dcmcrle "$DATA/ct-mf.dcm" "$DATA/ct-mf-rle.dcm"
best() {  # best LABEL CMD...: smallest user+sys of 3 runs
  local b="" t
  for _ in 1 2 3; do
    /usr/bin/time -o "$DATA/time.txt" -f "%U %S" "$@" >/dev/null 2>&1
    t=$(tail -1 "$DATA/time.txt" | awk '{printf "%.2f", $1 + $2}')
    if [ -z "$b" ] || awk -v a="$t" -v b="$b" 'BEGIN{exit !(a < b)}'; then b=$t; fi
  done
  printf '%-60s %s s CPU (user+sys)\n' "$*" "$b"
}
"$BIN/codec-bench" rle "$DATA/ct-mf.dcm"
best dcmcrle "$DATA/ct-mf.dcm" "$DATA/out-rle.dcm"
best dcmdrle "$DATA/ct-mf-rle.dcm" "$DATA/out-d.dcm"
"$BIN/codec-bench" jpeg "$DATA/ct-mf-51.dcm"
best dcmdjpeg "$DATA/ct-mf-51.dcm" "$DATA/out-d.dcm"
best dcmconv "$DATA/ct-mf.dcm" "$DATA/out-c.dcm"
rm -f "$DATA"/out-*.dcm "$DATA/time.txt"
