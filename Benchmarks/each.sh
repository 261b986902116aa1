#!/usr/bin/env bash
# each.sh OUTDIR SUFFIX CMD [ARGS...] < NUL-separated file list
# Runs `CMD ARGS IN OUTDIR/NAME+SUFFIX` for every IN, one process per core: how a peer tool that
# converts one file per run uses both cores (benchmark rows 5).
set -euo pipefail
out=$1; suffix=$2; shift 2
mkdir -p "$out"
export OUT=$out SUFFIX=$suffix
xargs -0 -P "$(nproc)" -n 1 bash -c 'f="${@: -1}"; set -- "${@:1:$#-1}"; n=${f##*/}; exec "$@" "$f" "$OUT/${n%.*}$SUFFIX"' _ "$@"
