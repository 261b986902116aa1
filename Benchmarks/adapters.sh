#!/usr/bin/env bash
# J2K lossless speed of the OpenJPEG adapter against OpenJPEG's own tools and GDCM, on generated CT.
#
#   Benchmarks/adapters.sh [COUNT]      (default 20 files of 512x512 16-bit signed CT)
#
# Ours: adapter-bench (release, Benchmarks/Package.swift) times encode and decode of every frame in memory, one thread,
# best of 3; no file I/O or DICOM parsing inside the timed region.
# Peers, one thread each, timed over the whole folder with one process per file (so their
# figures include process start-up, reading and writing files):
#   opj_compress -i X.rawl -F 512,512,1,16,s -threads 1   /  opj_decompress -i X.j2k -o X.rawl -threads 1
#   gdcmconv --j2k IN OUT (DICOM in and out)               /  gdcmconv --raw IN OUT
# MB/s are native pixel megabytes (10^6 bytes) per second.
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-20}
SCRATCH=${SCRATCH:-.build-adapters}
W=$(mktemp -d "${TMPDIR:-/tmp}/adapters-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
swift build --package-path Benchmarks -c release --scratch-path "$PWD/$SCRATCH" --product adapter-bench >/dev/null
swift build --package-path Benchmarks -c release --scratch-path "$PWD/$SCRATCH" --product synth-studies >/dev/null
BIN="$SCRATCH/release"
"$BIN/synth-studies" --out "$W/ct" --count "$COUNT" --modality CT --seed 1 >/dev/null
"$BIN/adapter-bench" j2k-lossless "$W/ct" 3 --write-j2k "$W/ours"
MB=$(find "$W/ours" -name '*.rawl' -printf '%s\n' | awk '{s += $1} END {printf "%.3f", s / 1e6}')
t() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc; }
mkdir -p "$W/opj" "$W/opjd" "$W/gdcm" "$W/gdcmd"
rate() { echo "scale=1; $MB / $1" | bc; }
enc=$(t bash -c "for f in $W/ours/*.rawl; do opj_compress -threads 1 -i \$f -o $W/opj/\$(basename \$f .rawl).j2k -F 512,512,1,16,s >>$W/enc.log; done")
dec=$(t bash -c "for f in $W/opj/*.j2k; do opj_decompress -threads 1 -i \$f -o $W/opjd/\$(basename \$f .j2k).rawl >>$W/dec.log; done")
# The tools' own "encode time: N ms" / "decode time: N ms" lines: the library without process start-up.
encl=$(awk '/encode time:/ {s += $3} END {printf "%.3f", s / 1000}' "$W/enc.log")
decl=$(awk '/decode time:/ {s += $3} END {printf "%.3f", s / 1000}' "$W/dec.log")
echo "opj_compress $(ls $W/opj | wc -l) files: ${enc}s = $(rate "$enc") MB/s (its own encode time ${encl}s = $(rate "$encl") MB/s)"
echo "opj_decompress: ${dec}s = $(rate "$dec") MB/s (its own decode time ${decl}s = $(rate "$decl") MB/s)"
ratio=$(find "$W/opj" -name '*.j2k' -printf '%s\n' | awk -v mb="$MB" '{s += $1} END {printf "%.2f", mb * 1e6 / s}')
echo "opj_compress ratio ${ratio}:1"
genc=$(t bash -c "for f in \$(find $W/ct -type f); do gdcmconv --j2k \$f $W/gdcm/\$(basename \$f); done")
gdec=$(t bash -c "for f in $W/gdcm/*; do gdcmconv --raw \$f $W/gdcmd/\$(basename \$f); done")
echo "gdcmconv --j2k: ${genc}s = $(rate "$genc") MB/s; gdcmconv --raw: ${gdec}s = $(rate "$gdec") MB/s"
# Our codestreams decode with opj_decompress to the same samples (spot check of the first file).
f=$(ls $W/ours/*.j2k | head -1)
opj_decompress -i "$f" -o "$W/check.rawl" >/dev/null
cmp "$W/check.rawl" "${f%.j2k}.rawl" && echo "opj_decompress of our codestream: identical samples"
