#!/usr/bin/env bash
# The station's publish job against the commands it runs (issue 13): a publish job of COUNT 512x512 CT files in the
# station's store to an ISO image with IHE PDI (profile STD-GEN-BD: no transcoding), POSTed to the API and polled
# until done (the job writes the image, verifies it and renames it), against the same work by the command line:
# `export --iso --pdi` then `verify --pdi` of the image, and against `export --iso --pdi` alone. Goal: the job's
# overhead under 10% (ratio at most 1.10x). Prints each row's ratio ours/peer.
#
#   Benchmarks/station-publish.sh   (COUNT, default 1000; RUNS, default 5; WARMUP, default 1; SKIP_BUILD=1;
#                                    the station on port 21180)
source "$(dirname "$0")/common.sh"
build_dm
COUNT=${COUNT:-1000}
RUNS=${RUNS:-5}
WARMUP=${WARMUP:-1}
PY=${PYTHON:-.venv/bin/python}
ct_files "ct$COUNT" "$COUNT"
W=$PWD/$DATA/station-publish
rm -rf "$W"; mkdir -p "$W/out" "$W/peer" "$W/state"
log "importing $COUNT files into $W/store"
"$DM" import "$DATA/ct$COUNT" --store "$W/store" -q
mapfile -t STUDIES < <("$DM" store list --store "$W/store" --json |
    "$PY" -c 'import json, sys; print("\n".join(s["studyInstanceUID"] for p in json.load(sys.stdin)["patients"] for s in p["studies"]))')
log "${#STUDIES[@]} studies"
printf '{"http": {"host": "127.0.0.1", "port": 21180}, "store": "%s", "state": "%s", "roots": ["%s"]}\n' \
    "$W/store" "$W/state" "$W" >"$W/station.json"
DICOM_MEDIA_TEMPLATES=$PWD/templates "$DM" station --config "$W/station.json" 2>"$W/station.log" &
STATION=$!
trap 'kill $STATION 2>/dev/null || true; wait 2>/dev/null || true' EXIT
for _ in $(seq 200); do (exec 3<>/dev/tcp/127.0.0.1/21180) 2>/dev/null && break; sleep 0.05; done
ARGS=()
for s in "${STUDIES[@]}"; do ARGS+=(--study "$s"); done
EXPORT="$DM export --iso $W/peer/x.iso --profile STD-GEN-BD --pdi --store $W/store ${ARGS[*]} -q"
PREPARE="rm -rf $W/out/* $W/out/.JOB* $W/peer/*" compare station-publish-vs-export-verify "$RUNS" "$WARMUP" bash \
    "$PY Benchmarks/station_publish.py 21180 $W/out STD-GEN-BD ${STUDIES[*]}" \
    "$EXPORT && $DM verify $W/peer/x.iso --pdi -q"
PREPARE="rm -rf $W/out/* $W/out/.JOB* $W/peer/*" compare station-publish-vs-export "$RUNS" "$WARMUP" bash \
    "$PY Benchmarks/station_publish.py 21180 $W/out STD-GEN-BD ${STUDIES[*]}" \
    "$EXPORT"
