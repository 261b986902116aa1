#!/usr/bin/env bash
# Orthanc (Debian's `orthanc` package) on loopback for the import benchmark (row 5 of run.sh):
#   Benchmarks/orthanc.sh restart DIR   stop, wipe DIR, start with storage + index in DIR, wait until ready
#   Benchmarks/orthanc.sh stop DIR
# HTTP on 127.0.0.1:${ORTHANC_PORT:-18042}, DICOM server off, no authentication; no plugins unless
# ORTHANC_DICOMWEB=1 (then Debian's DICOMweb plugin, at /dicom-web/).
set -euo pipefail
cmd=$1 dir=$2
port=${ORTHANC_PORT:-18042}
plugins='"Plugins": []'
[[ -z ${ORTHANC_DICOMWEB:-} ]] || plugins='"Plugins": ["/usr/share/orthanc/plugins/libOrthancDicomWeb.so"], "DicomWeb": {"Enable": true, "Root": "/dicom-web/"}'
pidfile=$dir.pid
stop() {
    if [[ -f $pidfile ]]; then
        local pid
        pid=$(cat "$pidfile")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        rm -f "$pidfile"
    fi
}
case $cmd in
    stop) stop ;;
    restart)
        stop
        rm -rf "$dir"
        mkdir -p "$dir/storage"
        cat > "$dir/orthanc.json" <<JSON
{ "Name": "bench", "StorageDirectory": "$dir/storage", "IndexDirectory": "$dir/storage",
  "HttpPort": $port, "RemoteAccessAllowed": false, "AuthenticationEnabled": false,
  "DicomServerEnabled": false, $plugins, "StorageCompression": false }
JSON
        Orthanc "$dir/orthanc.json" > "$dir.log" 2>&1 &
        echo $! > "$pidfile"
        for _ in $(seq 200); do
            curl -sf "http://127.0.0.1:$port/system" >/dev/null 2>&1 && exit 0
            sleep 0.05
        done
        echo "orthanc.sh: Orthanc did not start; see $dir.log" >&2
        exit 1 ;;
    *) echo "usage: orthanc.sh restart|stop DIR" >&2; exit 2 ;;
esac
