#!/usr/bin/env bash
# Network benchmarks (issue 12), each side by side with its peer in one run, on loopback:
#  1. C-STORE SCU: `dicom-media import DIR --to BENCH@127.0.0.1:P` (one association per study) vs DCMTK
#     `storescu +sd +r` (one association) and vs pynetdicom's storescu, all to one DCMTK `storescp --ignore`
#     (it receives and discards, so the receiver costs the same for every sender). Goal: at most 0.8x storescu.
#  2. C-STORE SCP: `storescu +sd +r` sending the same files to `dicom-media receive --spool DIR` vs to
#     `storescp -od DIR` (each receiver writes the files; DIR emptied before each run). Goal: at most 1.0x.
#  3. STOW-RS: `dicom-media import DIR --to http://127.0.0.1:P/dicom-web` vs `curl` posting a multipart body
#     of the same files made beforehand (untimed), to an Orthanc restarted empty before each run. Goal: 1.1x.
# Prints each row's ratio ours/peer (< 1: we are faster).
#
#   Benchmarks/network.sh   (RUNS, default 3; WARMUP, default 1; COUNT, default 2000; SKIP_BUILD=1;
#                            SKIP_DIMSE=1 rows 1-2, SKIP_STOW=1 row 3; ports from 21100 up)
source "$(dirname "$0")/common.sh"
build_dm
COUNT=${COUNT:-2000}
RUNS=${RUNS:-3}
WARMUP=${WARMUP:-1}
ct_files "ct$COUNT" "$COUNT"
W=$PWD/$DATA/network
rm -rf "$W"; mkdir -p "$W/src"
# The files alone (hard links), without the generator's stamp file, which no sender should have to skip.
SRC=$W/src
cp -al "$DATA/ct$COUNT"/. "$SRC"/ && rm -f "$SRC/.count"
PY=${PYTHON:-.venv/bin/python}
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true
    [[ -x Benchmarks/orthanc.sh ]] && ORTHANC_PORT=21142 Benchmarks/orthanc.sh stop "$W/orthanc" 2>/dev/null || true; }
trap cleanup EXIT
wait_port() { for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done
    echo "network.sh: nothing listens on port $1" >&2; exit 1; }

if [[ -z ${SKIP_DIMSE:-} ]]; then
# 1. SCU.
storescp --ignore -aet BENCH 21104 >"$W/storescp-ignore.log" 2>&1 & PIDS+=($!)
wait_port 21104
compare cstore-scu-vs-storescu "$RUNS" "$WARMUP" bash \
    "$DM import $SRC --to BENCH@127.0.0.1:21104 -q" \
    "storescu +sd +r -aec BENCH 127.0.0.1 21104 $SRC"
if "$PY" -c 'import pynetdicom' 2>/dev/null; then
    compare cstore-scu-vs-pynetdicom "$RUNS" "$WARMUP" bash \
        "$DM import $SRC --to BENCH@127.0.0.1:21104 -q" \
        "$PY -m pynetdicom storescu 127.0.0.1 21104 -aec BENCH -r $SRC"
else
    log "pynetdicom not installed (scripts/setup.sh): row 1b left out"
fi

# 2. SCP.
mkdir -p "$W/ours" "$W/peer"
"$DM" receive --port 21105 --ae BENCH --spool "$W/ours" -q >"$W/receive.log" 2>&1 & PIDS+=($!)
storescp -aet BENCH -od "$W/peer" 21106 >"$W/storescp.log" 2>&1 & PIDS+=($!)
wait_port 21105; wait_port 21106
PREPARE="rm -rf $W/ours/* $W/peer/*" compare cstore-scp-vs-storescp "$RUNS" "$WARMUP" bash \
    "storescu +sd +r -aec BENCH 127.0.0.1 21105 $SRC" \
    "storescu +sd +r -aec BENCH 127.0.0.1 21106 $SRC"
# The timed runs were emptied by --prepare: one more send, untimed, must leave every file in our spool.
rm -rf "${W:?}/ours"/*
storescu +sd +r -aec BENCH 127.0.0.1 21105 "$SRC" >/dev/null 2>&1
n_ours=$(find "$W/ours" -type f -name '*.dcm' | wc -l)
[[ $n_ours -eq $COUNT ]] || { echo "network.sh: our SCP stored $n_ours of $COUNT files" >&2; exit 1; }
fi

# 3. STOW-RS.
if [[ -z ${SKIP_STOW:-} ]] && command -v Orthanc >/dev/null; then
    body=$W/stow.body
    "$PY" - "$SRC" "$body" <<'PY'
import os, sys
src, out = sys.argv[1], sys.argv[2]
with open(out, "wb") as f:
    for root, _, names in sorted(os.walk(src)):
        for n in sorted(names):
            if n.endswith(".dcm"):
                f.write(b"\r\n--BENCHBOUNDARY\r\nContent-Type: application/dicom\r\n\r\n")
                f.write(open(os.path.join(root, n), "rb").read())
    f.write(b"\r\n--BENCHBOUNDARY--\r\n")
PY
    ORTHANC="ORTHANC_DICOMWEB=1 ORTHANC_PORT=21142 Benchmarks/orthanc.sh restart $W/orthanc"
    PREPARE="$ORTHANC" compare stow-vs-curl "$RUNS" "$WARMUP" bash \
        "$DM import $SRC --to http://127.0.0.1:21142/dicom-web -q" \
        "curl -sf -X POST -H 'Content-Type: multipart/related; type=\"application/dicom\"; boundary=BENCHBOUNDARY' --data-binary @$body http://127.0.0.1:21142/dicom-web/studies -o /dev/null"
else
    log "Orthanc not installed or SKIP_STOW set: row 3 left out"
fi
