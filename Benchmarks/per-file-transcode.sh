#!/usr/bin/env bash
# One process per file, the way scripts call DCMTK: 200 generated 512x512 CT files (synth-studies,
# Explicit VR Little Endian), each transcoded to JPEG Lossless SV1 by its own process, one after
# the other: `dicom-media transcode IN OUT --to jpeg-lossless` vs `dcmcjpeg +e1 IN OUT`. Each side
# is one bash script of 200 command lines (the same shell cost for both), timed by hyperfine.
# Prints the ratio ours/peer (issue 11's goal: at most 0.5x).
#
#   Benchmarks/per-file-transcode.sh   (RUNS, default 5; WARMUP, default 1; COUNT, default 200)
source "$(dirname "$0")/common.sh"
build_dm
COUNT=${COUNT:-200}
ct_files "ct$COUNT" "$COUNT"
W=$DATA/per-file-transcode
rm -rf "$W"; mkdir -p "$W/ours" "$W/peer"
: >"$W/ours.sh"; : >"$W/peer.sh"
for i in "${!FILES[@]}"; do
    printf '%q transcode %q %q --to jpeg-lossless\n' "$DM" "${FILES[$i]}" "$W/ours/$i.dcm" >>"$W/ours.sh"
    printf 'dcmcjpeg +e1 %q %q\n' "${FILES[$i]}" "$W/peer/$i.dcm" >>"$W/peer.sh"
done
printf 'set -e\n' | cat - "$W/ours.sh" >"$W/.t" && mv "$W/.t" "$W/ours.sh"
printf 'set -e\n' | cat - "$W/peer.sh" >"$W/.t" && mv "$W/.t" "$W/peer.sh"
compare per-file-transcode "${RUNS:-5}" "${WARMUP:-1}" none "bash $W/ours.sh" "bash $W/peer.sh"
# Both outputs must be JPEG Lossless SV1 (1.2.840.10008.1.2.4.70) files.
for side in ours peer; do
    f=$W/$side/0.dcm
    dcmdump -Un +P 0002,0010 "$f" | grep -q '1.2.840.10008.1.2.4.70' || { echo "per-file-transcode: $f is not JPEG Lossless SV1" >&2; exit 1; }
done
