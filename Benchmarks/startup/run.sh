#!/usr/bin/env bash
# Benchmarks/startup/run.sh [BIN] [ROUNDS]: the start-up checks of issue 11, each against its peer
# measured in the same run, alternating (the machine is shared: compare minimums and medians, not
# single runs). Prints one line per check: ours and the peer's min / median, and the ratio of minimums.
#   version:   `dicom-media --version` vs `dcmdump --version` (hyperfine, 200 runs each)        goal <= 2x
#   dump:      `dicom-media dump F` vs `dcmdump F` of one CT file (hyperfine, 200 runs each)      goal <= 1.0x
#   transcode: 200 processes, one per file, to JPEG Lossless SV1 vs `dcmcjpeg +e1`, ROUNDS rounds goal <= 0.5x
# Needs hyperfine and DCMTK; the CT file from the corpus (DICOM_MEDIA_CORPUS, default /work/shared/media-corpus).
set -euo pipefail
bin=${1:-.build/release/dicom-media}
rounds=${2:-5}
corpus=${DICOM_MEDIA_CORPUS:-/work/shared/media-corpus}
ct=$corpus/cornerstone3D/testImages/CTImage.dcm
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

stats() {  # hyperfine JSON -> "min median" in ms for command $2
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]
t=sorted(r["times"]); print("%.2f %.2f" % (t[0]*1e3, t[len(t)//2]*1e3))' "$1" "$2"
}

pair() {  # name ours peer (each a command line)
    hyperfine -N -w 20 -r 200 --export-json "$tmp/$1.json" "$2" "$3" > /dev/null 2>&1
    read -r omin omed < <(stats "$tmp/$1.json" 0)
    read -r pmin pmed < <(stats "$tmp/$1.json" 1)
    python3 -c 'import sys; a=sys.argv; print("%-9s ours %s / %s ms  peer %s / %s ms  ratio(min) %.2fx" % (a[1], a[2], a[3], a[4], a[5], float(a[2]) / float(a[4])))' \
        "$1" "$omin" "$omed" "$pmin" "$pmed"
}

pair version "$bin --version" "dcmdump --version"
pair dump "$bin dump $ct" "dcmdump $ct"

# transcode: 200 input files (copies of the CT image), one process each, sequential.
mkdir -p "$tmp/in" "$tmp/ours" "$tmp/peer"
for i in $(seq -w 1 200); do cp "$ct" "$tmp/in/ct$i.dcm"; done
ours=(); peer=()
for r in $(seq 1 "$rounds"); do
    s=$(date +%s%N)
    for f in "$tmp"/in/*.dcm; do "$bin" transcode "$f" "$tmp/ours/${f##*/}" --to jpeg-lossless > /dev/null; done
    ours+=($(( ($(date +%s%N) - s) / 1000000 )))
    s=$(date +%s%N)
    for f in "$tmp"/in/*.dcm; do dcmcjpeg +e1 "$f" "$tmp/peer/${f##*/}"; done
    peer+=($(( ($(date +%s%N) - s) / 1000000 )))
done
python3 -c 'import sys, statistics as st
o=[int(x) for x in sys.argv[1].split()]; p=[int(x) for x in sys.argv[2].split()]
print("transcode ours %d / %d ms  peer %d / %d ms  ratio(min) %.2fx  (200 files, %d rounds)" % (min(o), st.median(o), min(p), st.median(p), min(o) / min(p), len(o)))' \
    "${ours[*]}" "${peer[*]}"
