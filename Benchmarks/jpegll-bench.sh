#!/usr/bin/env bash
# JPEG Lossless single-thread speed: our codec vs DCMTK dcmcjpeg +e1 / dcmdjpeg on 20 generated
# 512x512 CT files (synth-studies --modality CT, 12 bits stored, signed).
#
#   Benchmarks/jpegll-bench.sh [REPEATS]
#
# Builds bench-jpegll and synth-studies in release (Benchmarks/Package.swift, scratch .build-jpegll-rel),
# then prints, best of REPEATS (default 3):
#  * per-file process loops: dcmcjpeg +e1, dcmdjpeg, and dcmconv (same read/write, no codec) as the
#    process+I/O baseline; ours: read, code and write each file in one process (encode-files/decode-files);
#  * the in-memory codec rate (frames already in memory), ours only.
# MB/s are 10^6 bytes of native pixel data per second; CPU is user+sys of all processes of a loop
# (steadier than wall time when other jobs share the cores). Subtracting the dcmconv row from the
# dcmcjpeg/dcmdjpeg rows estimates DCMTK's codec time alone.
set -euo pipefail
cd "$(dirname "$0")/.."
REPEATS=${1:-3}
SCRATCH=.build-jpegll-rel
swift build --package-path Benchmarks -c release --scratch-path "$PWD/$SCRATCH" --product bench-jpegll >/dev/null
swift build --package-path Benchmarks -c release --scratch-path "$PWD/$SCRATCH" --product synth-studies >/dev/null
B="$SCRATCH/release"
W="${TMPDIR:-/tmp}/dicom-media-jpegll-bench"
if [ ! -f "$W/list" ]; then
  rm -rf "$W"; mkdir -p "$W"
  "$B/synth-studies" --out "$W/ct" --count 20 --modality CT --seed 7 >/dev/null
  find "$W/ct" -name '*.dcm' | sort >"$W/list"
fi
mapfile -t FILES <"$W/list"
bytes=$((${#FILES[@]} * 512 * 512 * 2))
best() {  # best NAME CMD...: best wall time and best CPU time (user+sys, children included) of REPEATS runs
  local name=$1; shift
  local bw=999999 bc=999999
  for _ in $(seq "$REPEATS"); do
    local t0 t1 cpu; t0=$(date +%s%N)
    /usr/bin/time -o "$W/time" -f "%U %S" bash -c "$(declare -f loop ours); $(declare -p W B INPUTS); $*" >/dev/null 2>&1
    cpu=$(tail -1 "$W/time")
    t1=$(date +%s%N)
    local ms=$(((t1 - t0) / 1000000)); [ "$ms" -lt "$bw" ] && bw=$ms
    local cms; cms=$(echo "$cpu" | awk '{ printf "%d", ($1 + $2) * 1000 }'); [ "$cms" -lt "$bc" ] && bc=$cms
  done
  printf '%-28s wall %6d ms %7.1f MB/s   cpu %6d ms %7.1f MB/s\n' "$name" "$bw" "$(echo "$bytes / $bw / 1000" | bc -l)" \
    "$bc" "$(echo "$bytes / ($bc + 0.001) / 1000" | bc -l)"
}
loop() {  # loop TOOL ARGS... : TOOL ARGS in out, for every file
  local tool=$1; shift
  rm -rf "$W/out"; mkdir -p "$W/out"
  local i=0
  for f in "${INPUTS[@]}"; do i=$((i + 1)); "$tool" "$@" "$f" "$W/out/$i.dcm"; done
}
ours() { rm -rf "$W/out"; mkdir -p "$W/out"; "$B/bench-jpegll" "$1" "$W/out" "${INPUTS[@]}"; }
INPUTS=("${FILES[@]}")
best "dcmconv (no codec)" loop dcmconv
best "dcmcjpeg +e1" loop dcmcjpeg +e1
best "ours encode-files" ours encode-files
rm -rf "$W/enc"; mkdir -p "$W/enc"; i=0
for f in "${FILES[@]}"; do i=$((i + 1)); dcmcjpeg +e1 "$f" "$W/enc/$i.dcm"; done
INPUTS=("$W"/enc/*.dcm)
best "dcmconv on .70 (no codec)" loop dcmconv
best "dcmdjpeg" loop dcmdjpeg
best "ours decode-files" ours decode-files
"$B/bench-jpegll" codec "${FILES[@]}" -n 10
