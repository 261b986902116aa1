#!/usr/bin/env bash
# Start-up time: `dicom-media --version` vs `dcmdump --version`, many runs of each in one hyperfine
# run, no shell in between (hyperfine -N). Prints mean, median and min and the ratio ours/peer
# (issue 11's goal: at most 2x).
#
#   Benchmarks/startup.sh            (RUNS, default 300; WARMUP, default 30; see Benchmarks/common.sh)
source "$(dirname "$0")/common.sh"
build_dm
compare startup "${RUNS:-300}" "${WARMUP:-30}" none "$DM --version" "dcmdump --version"
