#!/usr/bin/env bash
# Benchmarks: dicom-media against DCMTK (dcmdump) and pydicom, on the same synthetic data, in one run.
#
#   Benchmarks/run.sh
#
# 1. builds the project in release mode (swift build -c release),
# 2. generates the data under Benchmarks/data/ if missing (git-ignored; synth-studies, fixed seed),
# 3. times each row with hyperfine (or a plain timing loop when hyperfine is not installed) and
#    prints a table: command, mean seconds, ratio peer/ours (> 1: the peer is slower).
#
# Results: Benchmarks/data/results/<row>.json (hyperfine's JSON) and table.txt.
# Environment: RUNS (default 5), WARMUP (default 1), SKIP_BUILD=1 to use the existing build,
# BIN (default .build/release) for the folder holding dicom-media and synth-studies,
# NO_HYPERFINE=1 to use the plain timing loop.
# The data is regenerated when the generator arguments change; after changing the generator
# itself, delete Benchmarks/data/ to regenerate.
#
# Adding a row: call `row NAME "LABEL :: OURS_CMD" "LABEL :: PEER_CMD"...` at the end of this file;
# the first command is ours, ratios are relative to it. Commands run in bash from the repository
# root; their output is discarded; a command that fails its trial run is reported and left out.
set -euo pipefail
cd "$(dirname "$0")/.."

DATA=Benchmarks/data
RESULTS=$DATA/results
RUNS=${RUNS:-5}
WARMUP=${WARMUP:-1}
BIN=${BIN:-.build/release}
DM=$BIN/dicom-media
GEN=$BIN/synth-studies
TABLE=$RESULTS/table.txt

log() { printf '==> %s\n' "$*" >&2; }

# ---------------------------------------------------------------------------------------------
# Build

if [[ -z ${SKIP_BUILD:-} ]]; then
    log "swift build -c release"
    swift build -c release
fi
[[ -x $DM && -x $GEN ]] || { echo "run.sh: $DM or $GEN missing; build failed?" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# Data

# corpus NAME ARGS...: generates $DATA/NAME with `synth-studies ARGS` unless already there with
# the same arguments, and writes $DATA/NAME.files, the sorted NUL-separated list of its files.
corpus() {
    local name=$1; shift
    local dir=$DATA/$name
    local stamp=$dir/.synth-studies-args
    if [[ ! -f $stamp || "$(cat "$stamp")" != "$*" ]]; then
        log "generating $dir: synth-studies $*"
        rm -rf "$dir"
        mkdir -p "$dir"
        local t0 t1
        t0=$(date +%s.%N)
        "$GEN" --out "$dir" "$@"
        t1=$(date +%s.%N)
        printf '%s\n' "$*" > "$stamp"
        log "generated in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"
    fi
    find "$dir" -type f -name '*.dcm' -print0 | sort -z > "$DATA/$name.files"
}

# One xargs process for the whole list where possible: a large -n and a command buffer of half
# ARG_MAX (GNU xargs uses 128 KiB unless told).
ARG_MAX=$(getconf ARG_MAX)
XARGS="xargs -0 -n 100000 -s $((ARG_MAX / 2))"

# Peers.
PY=.venv/bin/python
[[ -x $PY ]] || PY=python3
have_pydicom=0
"$PY" -c 'import pydicom' 2>/dev/null && have_pydicom=1
have_dcmdump=0
command -v dcmdump >/dev/null && have_dcmdump=1

# ---------------------------------------------------------------------------------------------
# Timing

mkdir -p "$RESULTS"

slug() { printf '%s' "$1" | tr -cs 'A-Za-z0-9' '-' | sed 's/^-//; s/-$//' | tr 'A-Z' 'a-z'; }

# time_loop JSON LABELS_FILE COMMANDS_FILE: the fallback when hyperfine is missing; writes the
# same JSON fields (command, mean, stddev, times).
time_loop() {
    local json=$1 labels=$2 cmds=$3
    local -a L C
    mapfile -t L < "$labels"; mapfile -t C < "$cmds"
    local i r t0 t1 times
    {
        printf '{"results": ['
        for i in "${!C[@]}"; do
            for ((r = 0; r < WARMUP; r++)); do bash -c "${C[$i]}" >/dev/null 2>&1 || true; done
            times=""
            for ((r = 0; r < RUNS; r++)); do
                t0=$(date +%s%N); bash -c "${C[$i]}" >/dev/null 2>&1 || true; t1=$(date +%s%N)
                times+="${times:+,}$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", (b - a) / 1e9 }')"
            done
            awk -v name="${L[$i]}" -v times="$times" -v comma="$([[ $i -gt 0 ]] && echo ,)" 'BEGIN {
                n = split(times, t, ","); s = 0; for (k = 1; k <= n; k++) s += t[k]; m = s / n
                v = 0; for (k = 1; k <= n; k++) v += (t[k] - m) ^ 2; sd = n > 1 ? sqrt(v / (n - 1)) : 0
                printf "%s{\"command\": \"%s\", \"mean\": %.6f, \"stddev\": %.6f, \"times\": [%s]}", comma, name, m, sd, times }'
        done
        printf ']}\n'
    } > "$json"
}

# row NAME "LABEL :: OURS_CMD" "LABEL :: PEER_CMD"...
row() {
    local name=$1; shift
    local json=$RESULTS/$(slug "$name").json
    local labels=$RESULTS/.labels cmds=$RESULTS/.cmds
    : > "$labels"; : > "$cmds"
    local -a failed=()
    local spec label cmd rc
    log "row: $name"
    for spec in "$@"; do
        label=${spec%% :: *}; cmd=${spec#* :: }
        # Trial run: a command that fails is reported and not timed.
        set +e
        bash -c "$cmd" >/dev/null 2>"$RESULTS/.stderr"
        rc=$?
        set -e
        if [[ $rc -ne 0 ]]; then
            failed+=("$label (exit $rc: $(head -c 200 "$RESULTS/.stderr" | tr '\n' ' '))")
            continue
        fi
        printf '%s\n' "$label" >> "$labels"; printf '%s\n' "$cmd" >> "$cmds"
    done
    if [[ ! -s $cmds ]]; then
        echo "row '$name': every command failed" >&2
    elif [[ -z ${NO_HYPERFINE:-} ]] && command -v hyperfine >/dev/null; then
        local -a args=()
        local -a L C
        mapfile -t L < "$labels"; mapfile -t C < "$cmds"
        local i
        for i in "${!C[@]}"; do args+=(-n "${L[$i]}" "${C[$i]}"); done
        hyperfine --shell bash --warmup "$WARMUP" --runs "$RUNS" --style basic --export-json "$json" "${args[@]}" >&2
    else
        time_loop "$json" "$labels" "$cmds"
    fi
    {
        echo
        echo "## $name"
        if [[ -s $cmds ]]; then
            python3 - "$json" <<'EOF'
import json, sys
res = json.load(open(sys.argv[1]))["results"]
ours = res[0]["mean"]
w = max(len(r["command"]) for r in res)
print(f"{'command':<{w}}  {'mean s':>9}  {'± sd':>8}  {'peer/ours':>9}")
for r in res:
    ratio = "(ours)" if r is res[0] else f"{r['mean'] / ours:.2f}x"
    print(f"{r['command']:<{w}}  {r['mean']:9.3f}  {r['stddev']:8.3f}  {ratio:>9}")
EOF
        fi
        local f
        for f in ${failed[@]+"${failed[@]}"}; do echo "not timed, failed: $f"; done
    } | tee -a "$TABLE"
    rm -f "$labels" "$cmds" "$RESULTS/.stderr"
}

# ---------------------------------------------------------------------------------------------
# Rows

{
    echo "# dicom-media benchmarks, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "# $(nproc) CPUs; $RUNS runs after $WARMUP warm-up (warm page cache); $(swift --version 2>/dev/null | head -1)"
    if [[ $have_dcmdump == 1 ]]; then echo "# $(dcmdump --version 2>/dev/null | head -1)"; fi
    if [[ $have_pydicom == 1 ]]; then
        echo "# pydicom $("$PY" -c 'import pydicom; print(pydicom.__version__)') ($("$PY" --version 2>&1))"
    fi
} | tee "$TABLE"

corpus ct2000 --count 2000 --modality CT --seed 1
CT2000=$DATA/ct2000.files

peers=()
if [[ $have_dcmdump == 1 ]]; then
    peers+=("dcmdump -q :: $XARGS dcmdump -q < $CT2000")
    peers+=("dcmdump -q -M (load short) :: $XARGS dcmdump -q -M < $CT2000")
    peers+=("dcmdump -q +sb 7fe0,0010 :: $XARGS dcmdump -q +sb 7fe0,0010 < $CT2000")
fi
if [[ $have_pydicom == 1 ]]; then
    peers+=("pydicom stop_before_pixels :: $XARGS $PY Benchmarks/pydicom_headers.py < $CT2000")
fi
row "1. header scan of 2,000 files" \
    "dicom-media dump --header-only --quiet :: $XARGS $DM dump --header-only --quiet < $CT2000" \
    ${peers[@]+"${peers[@]}"}

# The same scan when both print the dump as text (dcmdump has no silent mode; output is discarded).
if [[ $have_dcmdump == 1 ]]; then
    row "1b. header dump as text, 2,000 files" \
        "dicom-media dump --header-only :: $XARGS $DM dump --header-only < $CT2000" \
        "dcmdump -q +sb 7fe0,0010 :: $XARGS dcmdump -q +sb 7fe0,0010 < $CT2000"
fi

echo
log "table: $TABLE"
