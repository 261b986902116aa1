#!/usr/bin/env bash
# Benchmarks: dicom-media against DCMTK (dcmdump) and pydicom, on the same synthetic data, in one run.
#
#   Benchmarks/run.sh
#
# 1. builds the project in release mode (swift build -c release) and synth-studies (the Benchmarks
#    package: swift build --package-path Benchmarks -c release),
# 2. generates the data under Benchmarks/data/ if missing (git-ignored; synth-studies, fixed seed),
# 3. times each row with hyperfine (or a plain timing loop when hyperfine is not installed) and
#    prints a table: command, mean seconds, ratio peer/ours (> 1: the peer is slower).
#
# Results: Benchmarks/data/results/<row>.json (hyperfine's JSON) and table.txt.
# Environment: RUNS (default 5), WARMUP (default 1), SKIP_BUILD=1 to use the existing build,
# BIN (default .build/release) for the folder holding dicom-media, GEN (default
# Benchmarks/.build/release/synth-studies) for the generator,
# NO_HYPERFINE=1 to use the plain timing loop.
# The data is regenerated when the generator arguments change; after changing the generator
# itself, delete Benchmarks/data/ to regenerate.
#
# Adding a row: call `row NAME "LABEL :: OURS_CMD" "LABEL :: PEER_CMD"...` at the end of this file;
# the first command is ours, ratios are relative to it. Commands run in bash from the repository
# root; their output is discarded; a command that fails its trial run is reported and left out.
# Per row, set ROW_PREPARE (a command run, untimed, before every run of every command: hyperfine
# --prepare), ROW_RUNS and ROW_WARMUP as prefix assignments: `ROW_PREPARE="rm -f X" row ...`.
#
# Rows: 1 header scan (dump vs dcmdump, pydicom); 2 in-place DICOMDIR of a laid-out folder
# (create --in-place vs dcmmkdir, gdcmgendir) on 2,000 and 20,000 files, with max RSS; 3 File-set
# creation, copy + DICOMDIR (create vs cp -r + dcmmkdir); 4 reading a File-set (list vs pydicom
# FileSet, dcmdump); 5 codecs (Benchmarks/codecs.sh: JPEG Lossless, JPEG 2000, RLE encode and
# decode vs dcmcjpeg/dcmdjpeg, gdcmconv, opj_compress, dcmcrle/dcmdrle); 6 ISO image (create --iso
# vs cp -r, xorriso -as mkisofs; 6b create --iso + verify of the image vs xorriso alone); 7 import
# into the store (import vs cp -r, Orthanc; 7b import again, all present, against 7); 8 in-place
# DICOMDIR of 10,000 and 100,000 small files (time per file, max RSS against the bound 2 x DICOMDIR
# + 40 MiB); 9 max RSS of create, import and export --iso at 2,000 and 20,000 small files; 10 verify
# vs create --in-place of the 20,000 files; 11 verify of the 20,000 files in a tar and a ZIP archive (vs bsdtar -xOf
# and verify of the folder). Row 4 also reads a 100,000-record DICOMDIR (list100k).
# Rows 2-4, 6 and 7 also print one run under /usr/bin/time -v: wall time, max RSS.
# SKIP_100K=1 leaves out every 100,000-file part (rows 4 and 8).
# SKIP_FILESET=1 leaves rows 2-4 and 10 out, SKIP_20K=1 the 20,000-file parts; RUNS_20K (default 3, no
# warm-up) and RUNS_CREATE (default 3) set the runs of the big rows; GDCM=1 times gdcmgendir
# in row 2 (otherwise one run). Data: ct20000s (20,000 64x64 CT files, ~300 MB) and, per corpus,
# NAME-fs (laid out by our create, ~ the corpus size) plus hard-linked NAME-bare, NAME-inplace.
# Rows 8-9 (SKIP_SCALE=1 leaves them out, SKIP_100K=1 the 100,000-file part, RUNS_100K default 2):
# ct2000s, ct10000s (2,000 and 10,000 small files, ~30 and ~150 MB) and ct100000s (100,000, ~1.5 GB
# and as much again for its File-set; check `df -h` first; generating and laying it out takes minutes).
set -euo pipefail
cd "$(dirname "$0")/.."

DATA=Benchmarks/data
RESULTS=$DATA/results
RUNS=${RUNS:-5}
WARMUP=${WARMUP:-1}
BIN=${BIN:-.build/release}
DM=$BIN/dicom-media
# create/update find their File ID layouts here.
export DICOM_MEDIA_TEMPLATES=${DICOM_MEDIA_TEMPLATES:-$PWD/templates}
GEN=${GEN:-Benchmarks/.build/release/synth-studies}
TABLE=$RESULTS/table.txt

log() { printf '==> %s\n' "$*" >&2; }

# ---------------------------------------------------------------------------------------------
# Build

if [[ -z ${SKIP_BUILD:-} ]]; then
    log "swift build -c release"
    swift build -c release
    log "swift build --package-path Benchmarks -c release --product synth-studies"
    swift build --package-path Benchmarks -c release --product synth-studies
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

# prepare: runs the row's ROW_PREPARE command, if any (untimed).
prepare() { if [[ -n ${ROW_PREPARE:-} ]]; then bash -c "$ROW_PREPARE" >/dev/null 2>&1 || true; fi; }

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
            for ((r = 0; r < ${ROW_WARMUP:-$WARMUP}; r++)); do
                prepare; bash -c "${C[$i]}" >/dev/null 2>&1 || true
            done
            times=""
            for ((r = 0; r < ${ROW_RUNS:-$RUNS}; r++)); do
                prepare
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
        prepare
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
        local -a prep=()
        if [[ -n ${ROW_PREPARE:-} ]]; then prep=(--prepare "$ROW_PREPARE"); fi
        hyperfine --shell bash --warmup "${ROW_WARMUP:-$WARMUP}" --runs "${ROW_RUNS:-$RUNS}" ${prep[@]+"${prep[@]}"} \
            --style basic --export-json "$json" "${args[@]}" >&2
    else
        time_loop "$json" "$labels" "$cmds"
    fi
    {
        echo
        echo "## $name"
        if [[ -n ${ROW_RUNS:-}${ROW_WARMUP:-}${ROW_PREPARE:-} ]]; then
            echo "(${ROW_RUNS:-$RUNS} runs after ${ROW_WARMUP:-$WARMUP} warm-up${ROW_PREPARE:+; before each run: $ROW_PREPARE})"
        fi
        if [[ -s $cmds ]]; then
            python3 - "$json" <<'EOF'
import json, sys
res = json.load(open(sys.argv[1]))["results"]
ours = res[0]["mean"]
w = max(len(r["command"]) for r in res)
print(f"{'command':<{w}}  {'mean s':>9}  {'± sd':>8}  {'peer/ours':>9}")
for r in res:
    ratio = "(ours)" if r is res[0] else f"{r['mean'] / ours:.2f}x"
    sd = r.get("stddev") or 0.0  # hyperfine gives null for a single run
    print(f"{r['command']:<{w}}  {r['mean']:9.3f}  {sd:8.3f}  {ratio:>9}")
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


# ---------------------------------------------------------------------------------------------
# File-set rows (2-4)

have_dcmmkdir=0
command -v dcmmkdir >/dev/null && have_dcmmkdir=1
have_gdcmgendir=0
command -v gdcmgendir >/dev/null && have_gdcmgendir=1

# fileset NAME: $DATA/NAME-fs, the corpus $DATA/NAME laid out by our own `create` (conformant
# File IDs DICOM/Pnnnnnnn/..., DICOMDIR); $DATA/NAME-bare and $DATA/NAME-inplace, hard-linked
# copies of its files without the DICOMDIR (no extra disk space). Made again when the corpus
# changes. No hidden file may live in these folders: dcmmkdir refuses non-conformant names.
fileset() {
    local name=$1
    local src=$DATA/$name fs=$DATA/$name-fs stamp=$DATA/$name-fs.stamp
    local want
    want="$(cat "$src/.synth-studies-args") $(stat -c %Y "$src/.synth-studies-args")"
    if [[ ! -f $fs/DICOMDIR || "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
        log "laying out $src as a File-set: $DM create $fs $src"
        rm -rf "$fs" "$DATA/$name-bare" "$DATA/$name-inplace"
        local t0 t1
        t0=$(date +%s.%N)
        local rc=0
        "$DM" create "$fs" "$src" >/dev/null || rc=$?
        # 1: warnings only (the File-set is written); 2: it could not be made.
        [[ $rc -le 1 ]] || { echo "run.sh: $DM create $fs $src failed (exit $rc)" >&2; exit 1; }
        t1=$(date +%s.%N)
        log "laid out in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"
        printf '%s\n' "$want" > "$stamp"
    fi
    local d
    for d in bare inplace; do
        if [[ ! -d $DATA/$name-$d ]]; then
            cp -al "$fs" "$DATA/$name-$d"
            rm -f "$DATA/$name-$d/DICOMDIR"
        fi
    done
}

# maxrss LABEL CMD: one run of CMD (after the row's ROW_PREPARE) under /usr/bin/time -v; prints
# its wall time and maximum resident set size (of the largest process of the command).
maxrss() {
    local label=$1 cmd=$2
    [[ -x /usr/bin/time ]] || { echo "$label: /usr/bin/time missing"; return 0; }
    prepare
    if /usr/bin/time -v -o "$RESULTS/.time" bash -c "$cmd" >/dev/null 2>&1; then
        awk -v l="$label" -F': ' '
            /Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i] }
            /Maximum resident set size/ { kb = $2 }
            END { printf "%-40s  one run %8.3f s  max RSS %7.1f MiB\n", l, s, kb / 1024 }' "$RESULTS/.time"
    else
        echo "$label: failed"
    fi
    rm -f "$RESULTS/.time"
}

# rss_bound LABEL CMD DICOMDIR: maxrss of CMD, then the DICOMDIR it wrote and the bound 2 x its size + 40 MiB.
rss_bound() {
    local label=$1 cmd=$2 dicomdir=$3
    maxrss "$label" "$cmd"
    [[ -f $dicomdir ]] || return 0
    awk -v s="$(stat -c %s "$dicomdir")" 'BEGIN { printf "%-40s  DICOMDIR %7.1f MiB; bound 2 x DICOMDIR + 40 MiB = %7.1f MiB\n", "", s / 1048576, 2 * s / 1048576 + 40 }'
}

# per_file ROW N: the mean of the row's first command divided by N, in milliseconds per file.
per_file() {
    python3 - "$RESULTS/$(slug "$1").json" "$2" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(f"{r['command']}: {r['mean'] / int(sys.argv[2]) * 1000:.4f} ms per file")
PY
}

# ratio_of LABEL ROW_A ROW_B: the mean of ROW_A's first command over ROW_B's (result slugs).
ratio_of() {
    python3 - "$1" "$RESULTS/$2.json" "$RESULTS/$3.json" <<'PY'
import json, os, sys
if not all(os.path.exists(p) for p in sys.argv[2:]): sys.exit(0)
a, b = (json.load(open(p))["results"][0]["mean"] for p in sys.argv[2:])
print(f"{sys.argv[1]}: {a / b:.2f}x")
PY
}

# Row 2: index a folder whose files already have conformant names (PS3.10 8.5), in place.
# gdcmgendir takes about a minute for 2,000 files: it runs once, outside the timed row (GDCM=1
# to time it with the others).
inplace_row() {
    local name=$1 label=$2 gdcm=$3
    local ip=$DATA/$name-inplace
    local ours="$DM create $ip --in-place"
    local dcm="dcmmkdir +r +id $ip +D $ip/DICOMDIR"
    local gd="gdcmgendir -i $ip -o $ip/DICOMDIR -r"
    local -a peers=()
    if [[ $have_dcmmkdir == 1 ]]; then peers+=("dcmmkdir +r :: $dcm"); fi
    if [[ $have_gdcmgendir == 1 && $gdcm == 1 && -n ${GDCM:-} ]]; then peers+=("gdcmgendir -r :: $gd"); fi
    ROW_PREPARE="rm -f $ip/DICOMDIR" row "2. in-place DICOMDIR, $label" \
        "dicom-media create --in-place :: $ours" ${peers[@]+"${peers[@]}"}
    {
        ROW_PREPARE="rm -f $ip/DICOMDIR" maxrss "dicom-media create --in-place" "$ours"
        if [[ $have_dcmmkdir == 1 ]]; then ROW_PREPARE="rm -f $ip/DICOMDIR" maxrss "dcmmkdir +r" "$dcm"; fi
        if [[ $have_gdcmgendir == 1 && $gdcm == 1 ]]; then ROW_PREPARE="rm -f $ip/DICOMDIR" maxrss "gdcmgendir -r" "$gd"; fi
    } | tee -a "$TABLE"
    rm -f "$ip/DICOMDIR"
}

# Row 4: read a File-set's tree (every instance record, file presence).
# READ_PYDICOM=0 leaves pydicom out (the 100,000-record row: minutes per run).
read_row() {
    local name=$1 label=$2
    local fs=$DATA/$name-fs
    local -a peers=()
    if [[ $have_pydicom == 1 && ${READ_PYDICOM:-1} == 1 ]]; then peers+=("pydicom FileSet + iterate :: $PY Benchmarks/pydicom_fileset.py $fs/DICOMDIR"); fi
    if [[ $have_dcmdump == 1 ]]; then peers+=("dcmdump -q DICOMDIR :: dcmdump -q $fs/DICOMDIR"); fi
    row "4. read a File-set, $label" "dicom-media list --json :: $DM list --json $fs" ${peers[@]+"${peers[@]}"}
    {
        maxrss "dicom-media list --json" "$DM list --json $fs"
        if [[ $have_pydicom == 1 && ${READ_PYDICOM:-1} == 1 ]]; then maxrss "pydicom FileSet + iterate" "$PY Benchmarks/pydicom_fileset.py $fs/DICOMDIR"; fi
    } | tee -a "$TABLE"
}

if [[ -z ${SKIP_FILESET:-} ]]; then
    fileset ct2000
    if [[ -z ${SKIP_20K:-} ]]; then
        # 64x64 images keep 20,000 files at about 300 MB.
        corpus ct20000s --count 20000 --modality CT --seed 2 --small
        fileset ct20000s
    fi

    inplace_row ct2000 "2,000 files" 1
    if [[ -z ${SKIP_20K:-} ]]; then
        # The trial run warms the page cache; fewer runs keep the 20,000 row to a few minutes.
        ROW_RUNS=${RUNS_20K:-3} ROW_WARMUP=0 inplace_row ct20000s "20,000 files (64x64)" 0
    fi

    # Row 3: a new File-set from a folder (conformant names, so that dcmmkdir takes it as it is).
    # create copies (copy_file_range) and fsyncs every file before the DICOMDIR; cp does not,
    # hence the variant with sync.
    bare=$DATA/ct2000-bare
    peers=()
    if [[ $have_dcmmkdir == 1 ]]; then
        peers+=("cp -r + dcmmkdir +r :: cp -r $bare $DATA/out-cp && dcmmkdir +r +id $DATA/out-cp +D $DATA/out-cp/DICOMDIR")
        peers+=("cp -r + dcmmkdir +r + sync :: cp -r $bare $DATA/out-cp && dcmmkdir +r +id $DATA/out-cp +D $DATA/out-cp/DICOMDIR && sync")
    fi
    ROW_PREPARE="rm -rf $DATA/out-ours $DATA/out-cp; sync" ROW_RUNS=${RUNS_CREATE:-3} row \
        "3. create a File-set: copy + DICOMDIR, 2,000 files (1 GB)" \
        "dicom-media create :: $DM create $DATA/out-ours $bare" ${peers[@]+"${peers[@]}"}
    {
        ROW_PREPARE="rm -rf $DATA/out-ours $DATA/out-cp; sync" maxrss "dicom-media create" "$DM create $DATA/out-ours $bare"
        if [[ $have_dcmmkdir == 1 ]]; then
            ROW_PREPARE="rm -rf $DATA/out-ours $DATA/out-cp; sync" maxrss "cp -r + dcmmkdir +r" \
                "cp -r $bare $DATA/out-cp && dcmmkdir +r +id $DATA/out-cp +D $DATA/out-cp/DICOMDIR"
        fi
    } | tee -a "$TABLE"
    rm -rf "$DATA/out-ours" "$DATA/out-cp"

    read_row ct2000 "2,000 instances"
    if [[ -z ${SKIP_20K:-} ]]; then read_row ct20000s "20,000 instances"; fi
    if [[ -z ${SKIP_100K:-} ]]; then
        # 100,000 small files (~1.5 GB, ~15 min to lay out once): a 40 MB DICOMDIR (goal: list --json
        # at most 1.0x dcmdump of it).
        corpus list100k --count 100000 --modality CT --seed 3 --small
        fileset list100k
        READ_PYDICOM=0 read_row list100k "100,000 instances"
    fi

    # Row 10: verify (every completeness check, files read on every core) of the 20,000-file
    # File-set against indexing the same files (create --in-place); goal: at most 1.5x.
    if [[ -z ${SKIP_20K:-} ]]; then
        ip=$DATA/ct20000s-inplace
        ROW_PREPARE="rm -f $ip/DICOMDIR" ROW_RUNS=${RUNS_20K:-3} ROW_WARMUP=0 row "10. verify vs create --in-place, 20,000 files (64x64)" \
            "dicom-media verify :: $DM verify $DATA/ct20000s-fs" "dicom-media create --in-place :: $DM create $ip --in-place"
        rm -f "$ip/DICOMDIR"
    fi
fi

# Row 6: an ISO 9660 image of the 2,000-file corpus (1 GB): `create --iso` from the bare files,
# end to end (headers, DICOMDIR, image streamed by libisofs, fsync), against cp -r of the File-set
# folder made beforehand (the disk limit) and xorriso -as mkisofs on that File-set; also our
# libarchive writer (stages every file) and create + xorriso. SKIP_ISO=1 leaves it out.
if [[ -z ${SKIP_FILESET:-} && -z ${SKIP_ISO:-} ]]; then
    bare=$DATA/ct2000-bare
    fs=$DATA/ct2000-fs
    iso_out="$DATA/out-iso.iso $DATA/out-la.iso $DATA/out-x.iso $DATA/out-cp $DATA/out-fs"
    peers=("cp -r File-set :: cp -r $fs $DATA/out-cp" "cp -r File-set + sync :: cp -r $fs $DATA/out-cp && sync")
    if command -v xorriso >/dev/null; then
        xo="xorriso -as mkisofs -quiet -R -J -o $DATA/out-x.iso"
        peers+=("xorriso -as mkisofs -R -J, File-set made before :: $xo $fs")
        peers+=("xorriso -as mkisofs -R -J + sync :: $xo $fs && sync")
        peers+=("create + xorriso -as mkisofs :: $DM create $DATA/out-fs $bare && $xo $DATA/out-fs")
    fi
    peers+=("create --iso, libarchive writer :: $DM create --iso $DATA/out-la.iso $bare --iso-writer libarchive")
    ROW_PREPARE="rm -rf $iso_out; sync" ROW_RUNS=${RUNS_CREATE:-3} row "6. ISO image, 2,000 files (1 GB)" \
        "dicom-media create --iso :: $DM create --iso $DATA/out-iso.iso $bare" "${peers[@]}"
    ROW_PREPARE="rm -rf $iso_out; sync" maxrss "dicom-media create --iso" "$DM create --iso $DATA/out-iso.iso $bare" | tee -a "$TABLE"
    # Row 6b: the image made and then checked (verify reads it in place: directory tree and file
    # extents, nothing unpacked) against xorriso making it alone; goal: together at most 1.0x.
    # create --iso fsyncs the image before it reports success; xorriso -as mkisofs does not unless
    # told (-stdio_sync), so the row also times xorriso with the same durability.
    if command -v xorriso >/dev/null; then
        ROW_PREPARE="rm -rf $iso_out; sync" ROW_RUNS=${RUNS_CREATE:-3} row "6b. create --iso + verify of the image, 2,000 files (1 GB)" \
            "dicom-media create --iso + verify :: $DM create --iso $DATA/out-iso.iso $bare && $DM verify $DATA/out-iso.iso" \
            "xorriso -as mkisofs -R -J, File-set made before :: $xo $fs" "xorriso -as mkisofs -R -J + sync :: $xo $fs && sync" \
            "xorriso -stdio_sync end (fsync, as create --iso) :: xorriso -stdio_sync end -as mkisofs -quiet -R -J -o $DATA/out-x.iso $fs"
    fi
    rm -rf $iso_out
fi

# Rows 5: codecs (Benchmarks/codecs.sh); SKIP_CODECS=1 leaves them out.
if [[ -z ${SKIP_CODECS:-} ]]; then source Benchmarks/codecs.sh; fi

# Row 7: import a File-set folder into the local store (import: read, SHA-256, header, write to
# tmp/, syncfs, rename, syncfs, index rows) vs copying it (cp -r, with and without sync) and vs
# Orthanc's REST import (POST /instances, two keep-alive connections; Debian's orthanc package,
# restarted on loopback with an empty storage folder before every run). SKIP_STORE=1 leaves it out.
if [[ -z ${SKIP_STORE:-} ]]; then
    fileset ct2000
    fs=$DATA/ct2000-fs
    peers=("cp -r :: cp -r $fs $DATA/out-cp" "cp -r + sync :: cp -r $fs $DATA/out-cp && sync")
    prep="rm -rf $DATA/store-bench $DATA/out-cp"
    if command -v Orthanc >/dev/null && command -v curl >/dev/null; then
        peers+=("Orthanc POST /instances :: python3 Benchmarks/orthanc_import.py $fs")
        prep+="; Benchmarks/orthanc.sh restart $PWD/$DATA/orthanc"
    else
        log "row 7: Orthanc not installed (apt-get install orthanc); timing without it"
    fi
    ROW_PREPARE="$prep; sync" ROW_RUNS=${RUNS_CREATE:-3} row "7. import a File-set, 2,000 files (1 GB)" \
        "dicom-media import :: $DM import $fs --store $DATA/store-bench" "${peers[@]}"
    {
        ROW_PREPARE="$prep; sync" maxrss "dicom-media import" "$DM import $fs --store $DATA/store-bench"
        ROW_PREPARE="" maxrss "dicom-media import, again (all present)" "$DM import $fs --store $DATA/store-bench"
    } | tee -a "$TABLE"
    # 7b: the same import again, every instance already in the store (the store of the run above);
    # its time against row 7's (goal: at most 0.4x the first import).
    ROW_RUNS=${RUNS_CREATE:-3} row "7b. import the File-set again (all present), 2,000 files" \
        "dicom-media import, again :: $DM import $fs --store $DATA/store-bench" \
        "cp -r + sync :: rm -rf $DATA/out-cp && cp -r $fs $DATA/out-cp && sync"
    ratio_of "7b. import again / first import" "7b-import-the-file-set-again-all-present-2-000-files" \
        "7-import-a-file-set-2-000-files-1-gb" | tee -a "$TABLE"
    [[ -x Benchmarks/orthanc.sh ]] && Benchmarks/orthanc.sh stop "$PWD/$DATA/orthanc"
    rm -rf "$DATA/store-bench" "$DATA/out-cp" "$DATA/orthanc"
fi

# Rows 8-9: scale (small files). SKIP_SCALE=1 leaves them out.
if [[ -z ${SKIP_SCALE:-} ]]; then
    corpus ct2000s --count 2000 --modality CT --seed 5 --small
    corpus ct10000s --count 10000 --modality CT --seed 3 --small
    fileset ct2000s
    fileset ct10000s
    sizes=(10000)
    if [[ -z ${SKIP_100K:-} ]]; then
        corpus ct100000s --count 100000 --modality CT --seed 4 --small
        fileset ct100000s
        sizes+=(100000)
    fi
    # Row 8: create --in-place at 10,000 and 100,000 files; time per file, max RSS, the RSS bound.
    for n in "${sizes[@]}"; do
        ip=$DATA/ct${n}s-inplace
        runs=${RUNS_20K:-3}
        [[ $n == 100000 ]] && runs=${RUNS_100K:-2}
        peers=()
        if [[ $have_dcmmkdir == 1 && $n != 100000 ]]; then peers+=("dcmmkdir +r :: dcmmkdir +r +id $ip +D $ip/DICOMDIR"); fi
        ROW_PREPARE="rm -f $ip/DICOMDIR" ROW_RUNS=$runs ROW_WARMUP=0 row "8. in-place DICOMDIR, $n small files" \
            "dicom-media create --in-place :: $DM create $ip --in-place" ${peers[@]+"${peers[@]}"}
        per_file "8. in-place DICOMDIR, $n small files" "$n" | tee -a "$TABLE"
        rm -f "$ip/DICOMDIR"
        ROW_PREPARE="rm -f $ip/DICOMDIR" rss_bound "dicom-media create --in-place, $n files" "$DM create $ip --in-place" "$ip/DICOMDIR" \
            | tee -a "$TABLE"
        rm -f "$ip/DICOMDIR"
    done
    if [[ -z ${SKIP_100K:-} ]]; then
        python3 - "$RESULTS/8-in-place-dicomdir-10000-small-files.json" "$RESULTS/8-in-place-dicomdir-100000-small-files.json" <<'PY' | tee -a "$TABLE"
import json, sys
a, b = (json.load(open(p))["results"][0]["mean"] for p in sys.argv[1:])
print(f"time per file at 100,000 / at 10,000: {b / 100000 / (a / 10000):.2f}x (goal: at most 1.2x)")
PY
    fi
    # Row 9: max RSS at 2,000 and 20,000 small files (goal: within 1.2x): create (copy), import, export --iso.
    if [[ -z ${SKIP_20K:-} ]]; then
        corpus ct20000s --count 20000 --modality CT --seed 2 --small
        fileset ct20000s
        {
            echo
            echo "## 9. max RSS at 2,000 and 20,000 small files"
            for n in 2000 20000; do
                st=$DATA/store-rss$n
                ROW_PREPARE="rm -rf $DATA/out-rss; sync" maxrss "create, $n files" "$DM create $DATA/out-rss $DATA/ct${n}s-bare"
                ROW_PREPARE="rm -rf $st; sync" maxrss "import, $n files" "$DM import $DATA/ct${n}s-fs --store $st"
                ROW_PREPARE="rm -f $DATA/out-rss.iso" maxrss "export --iso, $n files" "$DM export --iso $DATA/out-rss.iso --store $st"
                rm -rf "$DATA/out-rss" "$DATA/out-rss.iso" "$st"
            done
        } | tee -a "$TABLE"
    fi
fi

# Row 11: a File-set read in place from a tar and a ZIP archive (verify: every file read through libarchive
# from its header offset) against verify of the folder and bsdtar reading every entry of the archive
# (bsdtar -xOf). 20,000 small files (ct20000s-fs). SKIP_ARCHIVE=1 or SKIP_20K=1 leaves it out.
if [[ -z ${SKIP_ARCHIVE:-} && -z ${SKIP_20K:-} ]] && command -v bsdtar >/dev/null; then
    corpus ct20000s --count 20000 --modality CT --seed 2 --small
    fileset ct20000s
    fs=$DATA/ct20000s-fs
    [[ -s $DATA/ct20000s.tar ]] || bsdtar -cf "$DATA/ct20000s.tar" -C "$fs" .
    [[ -s $DATA/ct20000s.zip ]] || bsdtar -a -cf "$DATA/ct20000s.zip" -C "$fs" .
    for kind in tar zip; do
        ROW_RUNS=${RUNS_20K:-3} row "11. verify of a File-set in a $kind archive, 20,000 files (64x64)" \
            "dicom-media verify $kind :: $DM verify $DATA/ct20000s.$kind" "bsdtar -xOf, every entry read :: bsdtar -xOf $DATA/ct20000s.$kind | cat >/dev/null" \
            "dicom-media verify, folder :: $DM verify $fs"
    done
fi

echo
log "table: $TABLE"
