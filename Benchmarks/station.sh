#!/usr/bin/env bash
# The station's jobs page with 10,000 jobs in STATE/jobs.sqlite: the median time of 50 requests of GET /jobs (the first
# page, 50 rows) and of GET /jobs?state=done&page=100 (a filtered deep page), measured by curl; the goal is under 50 ms.
#
# Environment: see common.sh (DM=.build/debug/dicom-media with SKIP_BUILD=1 measures a debug build); JOBS, RUNS.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
build_dm
JOBS=${JOBS:-10000}
RUNS=${RUNS:-50}
mkdir -p "$DATA"
work=$(cd "$(mktemp -d "$DATA/station.XXXXXX")" && pwd)
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$work/station.json" <<JSON
{"http": {"host": "127.0.0.1", "port": $port}, "store": "$work/store", "state": "$work/state", "roots": ["$work"], "locale": "en_GB"}
JSON
export DICOM_MEDIA_TEMPLATES=$PWD/templates
start() {
    "$DM" station --config "$work/station.json" 2>"$work/stderr" &
    pid=$!
    for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/api/jobs?limit=1" && return; sleep 0.1; done
    cat "$work/stderr" >&2; exit 1
}
start
kill "$pid"; wait "$pid" || true
log "filling $work/state/jobs.sqlite with $JOBS jobs"
python3 - "$work/state/jobs.sqlite" "$JOBS" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
states = ["done", "done", "done", "failed", "cancelled"]
rows = [("import" if i % 3 else "publish", states[i % 5], f"Import /srv/drop/disc{i}.iso into the store", "{}",
         "2026-12-05T14:03:00Z", "2026-12-05T14:04:00Z", i % 40, 40) for i in range(int(sys.argv[2]))]
db.executemany("INSERT INTO job (kind, state, title, request, created, finished, done, total) VALUES (?,?,?,?,?,?,?,?)", rows)
db.commit()
PY
start
median() {
    for _ in $(seq 5); do curl -fs -o /dev/null "$1"; done
    for _ in $(seq "$RUNS"); do curl -fs -o /dev/null -w '%{time_total}\n' "$1"; done | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]*1000}'
}
api=$(median "http://127.0.0.1:$port/api/jobs?limit=50")
first=$(median "http://127.0.0.1:$port/jobs")
deep=$(median "http://127.0.0.1:$port/jobs?state=done&page=100")
printf 'station jobs page, %d jobs: first page %s ms, state=done page 100 %s ms; the same 50 jobs as JSON (GET /api/jobs) %s ms (median of %d; goal < 50 ms)\n' "$JOBS" "$first" "$deep" "$api" "$RUNS"
