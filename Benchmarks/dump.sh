#!/usr/bin/env bash
# `dump` of one file: `dicom-media dump FILE` vs `dcmdump FILE`, output discarded, many runs of
# each in one hyperfine run (no shell in between). FILE defaults to one generated 512x512 CT file
# (Benchmarks/data/ct200, synth-studies); pass another as the first argument. Prints the ratio
# ours/peer (issue 11's goal: at most 1.0x).
#
#   Benchmarks/dump.sh [FILE]        (RUNS, default 200; WARMUP, default 20; see Benchmarks/common.sh)
source "$(dirname "$0")/common.sh"
build_dm
if [[ -n ${1:-} ]]; then FILE=$1; else ct_files ct200 200; FILE=${FILES[0]}; fi
[[ -f $FILE ]] || { echo "dump.sh: no file $FILE" >&2; exit 2; }
log "file: $FILE ($(stat -c %s "$FILE") bytes)"
compare dump "${RUNS:-200}" "${WARMUP:-20}" none "$DM dump $FILE" "dcmdump $FILE"
