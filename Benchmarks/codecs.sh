# Rows 5: codecs, sourced by Benchmarks/run.sh (uses its corpus/row helpers and variables).
# 200 generated 512x512 16-bit CT files (100 MB of pixels) from ct2000. Ours: `transcode
# --out-dir` (files and frames on every core). Peers convert one file per process, so they run
# through Benchmarks/each.sh, one process per core. Decode rows start from files the peer itself
# encoded (DCMTK for JPEG/RLE, GDCM for J2K), so both sides decode the same bytes.
CODEC_N=${CODEC_N:-200}
CT=$DATA/codec-ct.files
head -z -n "$CODEC_N" "$CT2000" > "$CT"
W=$DATA/codec-work
EACH=Benchmarks/each.sh
mkdir -p "$W"
# Inputs for the decode rows, encoded once by the peers (untimed).
if [[ ! -d $W/j2k-raw || ! -d $W/jpll-in || $(find "$W/jpll-in" -type f | wc -l) -ne $CODEC_N ]]; then
    log "encoding decode-row inputs with dcmcjpeg, dcmcrle, gdcmconv --j2k"
    rm -rf "$W/jpll-in" "$W/rle-in" "$W/j2k-in" "$W/pgm"
    $EACH "$W/jpll-in" .dcm dcmcjpeg +e1 < "$CT"
    $EACH "$W/rle-in" .dcm dcmcrle < "$CT"
    $EACH "$W/j2k-in" .dcm gdcmconv --j2k < "$CT"
    "$PY" Benchmarks/pgm.py "$W/pgm" < "$CT"
    find "$W/pgm" -type f -print0 | sort -z | $EACH "$W/j2k-raw" .j2k bash -c 'opj_compress -i "$0" -o "$1" >/dev/null'
fi
find "$W/j2k-raw" -type f -print0 | sort -z > "$W/j2k-raw.files"
find "$W/jpll-in" -type f -print0 | sort -z > "$W/jpll.files"
find "$W/rle-in" -type f -print0 | sort -z > "$W/rle.files"
find "$W/j2k-in" -type f -print0 | sort -z > "$W/j2k.files"
find "$W/pgm" -type f -print0 | sort -z > "$W/pgm.files"
find "$W/j2k-in" -type f -print0 | sort -z > "$W/j2k.files"
OUTS="$W/o1 $W/o2 $W/o3"
PREP="rm -rf $OUTS"

ROW_PREPARE=$PREP row "5a. JPEG Lossless SV1 encode, $CODEC_N CT files 512x512x16" \
    "dicom-media transcode --to jpeg-lossless :: $XARGS $DM transcode --out-dir $W/o1 --to jpeg-lossless < $CT" \
    "dcmcjpeg +e1 (one per core) :: $EACH $W/o2 .dcm dcmcjpeg +e1 < $CT" \
    "gdcmconv --jpeg --lossless (one per core) :: $EACH $W/o3 .dcm gdcmconv --jpeg < $CT"
ROW_PREPARE=$PREP row "5b. JPEG Lossless SV1 decode, $CODEC_N CT files" \
    "dicom-media transcode --to explicit-little :: $XARGS $DM transcode --out-dir $W/o1 --to explicit-little < $W/jpll.files" \
    "dcmdjpeg (one per core) :: $EACH $W/o2 .dcm dcmdjpeg < $W/jpll.files" \
    "gdcmconv --raw (one per core) :: $EACH $W/o3 .dcm gdcmconv --raw < $W/jpll.files"
ROW_PREPARE=$PREP row "5c. JPEG 2000 lossless encode, $CODEC_N CT files" \
    "dicom-media transcode --to j2k-lossless :: $XARGS $DM transcode --out-dir $W/o1 --to j2k-lossless < $CT" \
    "gdcmconv --j2k (one per core) :: $EACH $W/o2 .dcm gdcmconv --j2k < $CT" \
    "opj_compress PGM -> J2K (one per core) :: $EACH $W/o3 .j2k bash -c 'opj_compress -i \"\$0\" -o \"\$1\" >/dev/null' < $W/pgm.files"
ROW_PREPARE=$PREP row "5d. JPEG 2000 lossless decode, $CODEC_N CT files" \
    "dicom-media transcode --to explicit-little :: $XARGS $DM transcode --out-dir $W/o1 --to explicit-little < $W/j2k.files" \
    "gdcmconv --raw (one per core) :: $EACH $W/o2 .dcm gdcmconv --raw < $W/j2k.files" \
    "opj_decompress J2K -> PGM (one per core) :: $EACH $W/o3 .pgm bash -c 'opj_decompress -i \"\$0\" -o \"\$1\" >/dev/null' < $W/j2k-raw.files"
ROW_PREPARE=$PREP row "5e. RLE encode, $CODEC_N CT files" \
    "dicom-media transcode --to rle :: $XARGS $DM transcode --out-dir $W/o1 --to rle < $CT" \
    "dcmcrle (one per core) :: $EACH $W/o2 .dcm dcmcrle < $CT"
ROW_PREPARE=$PREP row "5f. RLE decode, $CODEC_N CT files" \
    "dicom-media transcode --to explicit-little :: $XARGS $DM transcode --out-dir $W/o1 --to explicit-little < $W/rle.files" \
    "dcmdrle (one per core) :: $EACH $W/o2 .dcm dcmdrle < $W/rle.files"
rm -rf $OUTS
