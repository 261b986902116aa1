# Shared by Benchmarks/startup.sh, per-file-transcode.sh and dump.sh (sourced, not run).
#
# Builds dicom-media in release (root package) and synth-studies in release (the Benchmarks
# package, Benchmarks/Package.swift), generates data under Benchmarks/data/ (git-ignored) and
# times our command against a peer in the same run with hyperfine, printing the ratio
# ours/peer (< 1: we are faster). Without hyperfine, a plain loop timed with `date +%s%N`.
#
# Environment: SKIP_BUILD=1 uses the existing builds; DM=PATH our binary (default
# .build/release/dicom-media); GEN=PATH synth-studies; RUNS / WARMUP override each script's
# defaults; NO_HYPERFINE=1 forces the plain loop; RESULTS=DIR keeps hyperfine's JSON there
# (default Benchmarks/data/results).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DATA=${DATA:-Benchmarks/data}
RESULTS=${RESULTS:-$DATA/results}
DM=${DM:-.build/release/dicom-media}
mkdir -p "$RESULTS"

log() { printf '==> %s\n' "$*" >&2; }

# build_dm: dicom-media, release.
build_dm() {
    if [[ -z ${SKIP_BUILD:-} ]]; then
        log "swift build -c release --product dicom-media"
        swift build -c release --product dicom-media >/dev/null
    fi
    [[ -x $DM ]] || { echo "bench: $DM missing (build failed, or set DM=)" >&2; exit 1; }
}

# build_gen: synth-studies, release; from the Benchmarks package when there is one.
build_gen() {
    if [[ -f Benchmarks/Package.swift ]]; then
        GEN=${GEN:-Benchmarks/.build/release/synth-studies}
        [[ -n ${SKIP_BUILD:-} ]] || { log "swift build --package-path Benchmarks -c release --product synth-studies"
            swift build --package-path Benchmarks -c release --product synth-studies >/dev/null; }
    else
        GEN=${GEN:-.build/release/synth-studies}
        [[ -n ${SKIP_BUILD:-} ]] || { log "swift build -c release --product synth-studies"
            swift build -c release --product synth-studies >/dev/null; }
    fi
    [[ -x $GEN ]] || { echo "bench: $GEN missing (build failed, or set GEN=)" >&2; exit 1; }
}

# ct_files NAME COUNT: generates $DATA/NAME (COUNT 512x512 CT files, seed 7) unless present with
# the same count, and sets FILES to its sorted paths.
ct_files() {
    local dir=$DATA/$1 stamp=$DATA/$1/.count
    if [[ ! -f $stamp || "$(cat "$stamp")" != "$2" ]]; then
        build_gen
        log "generating $dir: synth-studies --count $2 --modality CT --seed 7"
        rm -rf "$dir"; mkdir -p "$dir"
        "$GEN" --out "$dir" --count "$2" --modality CT --seed 7 >/dev/null
        echo "$2" >"$stamp"
    fi
    mapfile -t FILES < <(find "$dir" -type f -name '*.dcm' | sort)
    [[ ${#FILES[@]} -eq $2 ]] || { echo "bench: expected $2 files in $dir, found ${#FILES[@]}" >&2; exit 1; }
}

# compare NAME RUNS WARMUP SHELL "OURS_CMD" "PEER_CMD": times both (hyperfine, SHELL "none" for
# short commands run without a shell, else "bash"), prints mean, median and min of each and the
# ratio ours/peer of the means and of the medians. Both commands must succeed in a trial run.
# PREPARE="CMD" (optional) runs CMD, untimed, before each run of either command (hyperfine --prepare).
compare() {
    local name=$1 runs=$2 warmup=$3 shell=$4 ours=$5 peer=$6
    local json=$RESULTS/$name.json csv=$RESULTS/$name.csv
    for c in "$ours" "$peer"; do
        [[ -z ${PREPARE:-} ]] || bash -c "$PREPARE" >/dev/null 2>&1
        bash -c "$c" >/dev/null 2>&1 || { echo "bench: '$c' fails; not timed" >&2; bash -c "$c" >/dev/null; exit 1; }
    done
    if command -v hyperfine >/dev/null && [[ -z ${NO_HYPERFINE:-} ]]; then
        local -a sh=(--shell=bash); [[ $shell == none ]] && sh=(-N)
        [[ -z ${PREPARE:-} ]] || sh+=(--prepare "$PREPARE")
        hyperfine "${sh[@]}" --style none --runs "$runs" --warmup "$warmup" --export-json "$json" --export-csv "$csv" \
            -n ours "$ours" -n peer "$peer" >/dev/null
    else
        echo "command,mean,stddev,median,user,system,min,max" >"$csv"
        local c label r t0 t1
        for label in ours peer; do
            if [[ $label == ours ]]; then c=$ours; else c=$peer; fi
            for ((r = 0; r < warmup; r++)); do bash -c "$c" >/dev/null 2>&1; done
            : >"$RESULTS/.times"
            for ((r = 0; r < runs; r++)); do
                [[ -z ${PREPARE:-} ]] || bash -c "$PREPARE" >/dev/null 2>&1
                t0=$(date +%s%N); bash -c "$c" >/dev/null 2>&1; t1=$(date +%s%N)
                echo $(((t1 - t0))) >>"$RESULTS/.times"
            done
            sort -n "$RESULTS/.times" | awk -v l="$label" '{ t[NR] = $1 / 1e9; s += t[NR] } END {
                printf "%s,%.9f,0,%.9f,0,0,%.9f,%.9f\n", l, s / NR, t[int((NR + 1) / 2)], t[1], t[NR] }' >>"$csv"
        done
        rm -f "$RESULTS/.times"
    fi
    awk -F, -v name="$name" -v ours="$ours" -v peer="$peer" 'NR > 1 { mean[$1] = $2; med[$1] = $4; min[$1] = $7 } END {
        printf "%s (%s runs)\n", name, '"$runs"'
        printf "  ours: %-60.60s mean %9.2f ms  median %9.2f ms  min %9.2f ms\n", ours, mean["ours"] * 1000, med["ours"] * 1000, min["ours"] * 1000
        printf "  peer: %-60.60s mean %9.2f ms  median %9.2f ms  min %9.2f ms\n", peer, mean["peer"] * 1000, med["peer"] * 1000, min["peer"] * 1000
        printf "  ratio ours/peer: %.2fx (means), %.2fx (medians)\n", mean["ours"] / mean["peer"], med["ours"] / med["peer"] }' "$csv"
}
