#!/usr/bin/env bash
# Fuzzes the Part 10 reader with libFuzzer + AddressSanitizer for SECONDS (default 60).
#
#   scripts/fuzz.sh [SECONDS] [extra libFuzzer flags...]
#   FUZZ_TARGET=dicomdir scripts/fuzz.sh [SECONDS]   # the DICOMDIR reader (Fuzz/DICOMDIR) instead
#   FUZZ_TARGET=transcode scripts/fuzz.sh [SECONDS]  # reader + every pixel decoder (Fuzz/Transcode)
#   FUZZ_TARGET=rle|jpegdct scripts/fuzz.sh [SECONDS] # the RLE codec / JPEG DCT decoder (Fuzz/RLE, Fuzz/JPEGDCT),
#       seeded with corpus frames by scripts/fuzz-codec-seeds.py (.venv) and Tests/Fixtures/fuzz-codecs/TARGET
#   FUZZ_TARGET=jpegll scripts/fuzz.sh [SECONDS]     # the JPEG Lossless decoder (Fuzz/JPEGLossless): seeds are
#                                                    # the codestreams in Tests/Fixtures/fuzz/jpegll/, dictionary Fuzz/jpeg.dict
#   FUZZ_TARGET=medium scripts/fuzz.sh [SECONDS]     # the guarded medium (Fuzz/Medium): journal parsing and validation,
#       File ID / path resolution against a temporary root with links; seeds in Tests/Fixtures/fuzz-medium
#   FUZZ_TARGET=adapters scripts/fuzz.sh [SECONDS]   # the libjpeg-turbo/OpenJPEG/CharLS adapters (Fuzz/Adapters);
#                                                    # seeds are the corpus's compressed frames (needs .venv pydicom)
#   FUZZ_TARGET=dimse scripts/fuzz.sh [SECONDS]      # DIMSE command sets (Fuzz/DIMSE): seeds are pynetdicom's
#                                                    # command sets in Tests/DICOMNetworkTests/Fixtures/dimse/*.hex
#   FUZZ_TARGET=multipart scripts/fuzz.sh [SECONDS]  # the DICOMweb decoders (Fuzz/Multipart): multipart/related
#       whole vs chunked, Content-Type parameters, DICOM JSON; seeds are STOW/WADO-like bodies made below
#   FUZZ_TARGET=iso scripts/fuzz.sh [SECONDS]        # the ISO 9660 reader (Fuzz/ISO): seeds are small images made
#                                                    # here by xorriso/genisoimage (plain, Joliet, Rock Ridge, deep, links)
#   FUZZ_TARGET=pdu scripts/fuzz.sh [SECONDS]        # the Upper Layer PDU codec, framer and PDV fragmenter/assembler
#       (Fuzz/PDU): a control byte then a peer's byte stream; seeds are the pynetdicom vectors in
#       Tests/DICOMNetworkTests/Fixtures/pdu (Tools/gen-pdu-vectors.py) and PDUs declaring huge lengths
#
# Builds Fuzz/Part10 (target fuzz-part10 of the fuzz package, Fuzz/Package.swift, which depends on
# the root package by path) into .build-fuzz, seeds a corpus from the media corpus (${DICOM_MEDIA_CORPUS:-../shared/
# media-corpus}, each file cut to its first 64 KiB) and Tests/Fixtures/fuzz/, and runs. Exits
# non-zero when the run leaves a crash, timeout, OOM or leak artifact (its path and first bytes
# are printed); LeakSanitizer is on (ASAN_OPTIONS=detect_leaks=0 turns it off). libFuzzer ships
# with the Swift toolchain (libclang_rt.fuzzer): no extra package is needed.
# Environment: FUZZ_OUT=DIR keeps the work dir (corpus, artifacts, log) there instead of a temp
# dir; FUZZ_SEED_BYTES (default 65536) is how much of each corpus file seeds; FUZZ_CONFIG=release
# (default) or debug picks the build configuration (release runs about five times as many inputs
# a second and keeps Swift's bounds, overflow and precondition checks).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

DURATION="${1:-60}"
shift || true
case "$DURATION" in ''|*[!0-9]*) echo "fuzz: SECONDS must be a whole number, got '$DURATION'" >&2; exit 2 ;; esac
CONFIG="${FUZZ_CONFIG:-release}"
TARGET="${FUZZ_TARGET:-part10}"
case "$TARGET" in part10|dicomdir|transcode|rle|jpegdct|jpegll|adapters|iso|medium|pdu|dimse|multipart) ;; *) echo "fuzz: FUZZ_TARGET must be part10, dicomdir, transcode, rle, jpegdct, jpegll, adapters, iso, medium, pdu, dimse or multipart" >&2; exit 2 ;; esac
case "$TARGET" in rle) CHECK_OBJ=DICOMPixel.build/RLE.swift.o ;; jpegdct) CHECK_OBJ=DICOMPixel.build/JPEGDCTDecoder.swift.o ;; jpegll) CHECK_OBJ=DICOMPixel.build/JPEGLosslessDecoder.swift.o ;; adapters) CHECK_OBJ=DICOMCodecs.build/OpenJPEG.swift.o ;; iso) CHECK_OBJ=MediaImage.build/ISO9660Reader.swift.o ;; medium) CHECK_OBJ=DICOMFileSet.build/Medium.swift.o ;; pdu) CHECK_OBJ=DICOMNetwork.build/PDUFramer.swift.o ;; dimse) CHECK_OBJ=DICOMNetwork.build/CommandSetDecoder.swift.o ;; multipart) CHECK_OBJ=DICOMNetwork.build/MultipartParser.swift.o ;; *) CHECK_OBJ=DICOMIO.build/Part10Reader.swift.o ;; esac
PRODUCT="fuzz-$TARGET"
CORPUS_SRC="${DICOM_MEDIA_CORPUS:-$ROOT/../shared/media-corpus}"
SEED_BYTES="${FUZZ_SEED_BYTES:-$([ "$TARGET" = transcode ] || [ "$TARGET" = iso ] && echo 262144 || echo 65536)}"

# 1. Build. `--sanitize fuzzer` links libFuzzer's main; `-parse-as-library` (in Fuzz/Package.swift) keeps
# Swift from emitting its own. SwiftPM passes its sanitizers as separate `-sanitize=X` flags in no
# fixed order, and swiftc keeps only the last one, so a build had either coverage or ASan, never
# both; the trailing combined flag restores both (checked below).
echo "fuzz: building $PRODUCT ($CONFIG, -sanitize=fuzzer,address) into .build-fuzz"
BUILD=(swift build --package-path Fuzz --scratch-path "$ROOT/.build-fuzz" --product "$PRODUCT" -c "$CONFIG"
       --sanitize fuzzer --sanitize address -Xswiftc -sanitize=fuzzer,address)
if ! "${BUILD[@]}" >/tmp/fuzz-build.$$.log 2>&1; then
  grep -v "Cannot export local symbol" /tmp/fuzz-build.$$.log | tail -40 >&2
  rm -f /tmp/fuzz-build.$$.log
  echo "fuzz: build failed" >&2
  exit 1
fi
rm -f /tmp/fuzz-build.$$.log
BIN="$("${BUILD[@]}" --show-bin-path)/$PRODUCT"
[ -x "$BIN" ] || { echo "fuzz: no binary at $BIN" >&2; exit 1; }
# (Output captured first: with pipefail, `readelf | grep -q` fails when grep exits early and readelf gets SIGPIPE.)
sections="$(readelf -S "$BIN")"
if ! grep -q __sancov_cntrs <<<"$sections"; then
  echo "fuzz: $BIN has no coverage instrumentation (-sanitize=fuzzer was dropped)" >&2; exit 1
fi
undefined="$(nm -u "$(dirname "$BIN")/$CHECK_OBJ" 2>/dev/null || true)"
if ! grep -q __asan_ <<<"$undefined"; then
  echo "fuzz: $CHECK_OBJ is not instrumented by AddressSanitizer (-sanitize=address was dropped)" >&2; exit 1
fi

# 2. Seeds.
if [ -n "${FUZZ_OUT:-}" ]; then WORK="$FUZZ_OUT"; mkdir -p "$WORK"; else WORK="$(mktemp -d "${TMPDIR:-/tmp}/dicom-media-fuzz.XXXXXX")"; fi
SEEDS="$WORK/seeds" CORPUS="$WORK/corpus" ART="$WORK/artifacts" LOG="$WORK/fuzz.log"
mkdir -p "$SEEDS" "$CORPUS" "$ART"
n=0
add_seed() {  # add_seed FILE: its first SEED_BYTES bytes, named by content so duplicates collapse
  local tmp="$SEEDS/.tmp"
  head -c "$SEED_BYTES" "$1" >"$tmp"
  mv "$tmp" "$SEEDS/$(sha1sum "$tmp" | cut -c1-16)"
  n=$((n + 1))
}
DICT=(-dict=Fuzz/dicom.dict)
if [ "$TARGET" = jpegll ]; then
  # Codestreams, not Part 10 files: the small seeds kept with the tests.
  DICT=(-dict=Fuzz/jpeg.dict)
  while IFS= read -r -d '' f; do add_seed "$f"; done < <(find Tests/Fixtures/fuzz/jpegll -type f -name '*.jpg' -print0)
elif [ "$TARGET" = adapters ]; then
  # One seed per compressed frame: a selector byte (0 JPEG, 1 JPEG 2000, 2 JPEG-LS) then the frame.
  DICT=()
  if [ -x .venv/bin/python ] && [ -d "$CORPUS_SRC" ]; then
    .venv/bin/python scripts/fuzz-adapter-seeds.py "$CORPUS_SRC" "$SEEDS" 262143 >/dev/null 2>&1 || true
  fi
  while IFS= read -r -d '' f; do add_seed "$f"; done < <(find Tests/Fixtures/fuzz/adapters -type f -name '*.bin' -print0 2>/dev/null)
  n=$(find "$SEEDS" -type f | wc -l)
elif [ "$TARGET" = iso ]; then
  # Small images of a tiny tree (a deep folder, a multi-block directory, a symbolic link), each writer and naming.
  DICT=()
  tree="$WORK/isotree"
  mkdir -p "$tree/DICOM/A/B/C/D/E/F/G/H/I" "$tree/MANY"
  printf 'DICM' >"$tree/DICOMDIR"; printf 'deep' >"$tree/DICOM/A/B/C/D/E/F/G/H/I/FILE"
  for i in $(seq 1 60); do printf '%s' "$i" >"$tree/MANY/LONG_NAME_NUMBER_$i.dat"; done
  ln -sf ../DICOMDIR "$tree/DICOM/LINK"
  i=0
  for flags in "" "-J" "-R" "-R -J" "-r -J -joliet-long"; do
    for tool in genisoimage xorriso; do
      command -v "$tool" >/dev/null || continue
      i=$((i + 1))
      if [ "$tool" = xorriso ]; then MK=(xorriso -as mkisofs); else MK=(genisoimage); fi
      # shellcheck disable=SC2086
      "${MK[@]}" $flags -quiet -o "$WORK/seed$i.iso" "$tree" >/dev/null 2>&1 && add_seed "$WORK/seed$i.iso"
      rm -f "$WORK/seed$i.iso"
    done
  done
  n=$(find "$SEEDS" -type f | wc -l)
elif [ "$TARGET" = medium ]; then
  # A mode byte then a journal (even) or a File ID and a path (odd): the small seeds kept with the tests.
  DICT=()
  while IFS= read -r -d '' f; do add_seed "$f"; done < <(find Tests/Fixtures/fuzz-medium -type f -name '*.bin' -print0)
elif [ "$TARGET" = pdu ]; then
  # A control byte (0: one chunk; 1: byte by byte; 0x85: 5-byte chunks, maximum 64 announced) then a PDU or a
  # captured stream; and headers declaring huge lengths (P-DATA-TF and A-ASSOCIATE-RQ of almost 4 GiB).
  DICT=()
  while IFS= read -r -d '' f; do
    for control in 00 01 85; do
      python3 -c 'import sys; t = "".join(l for l in open(sys.argv[1]) if not l.startswith("#")); sys.stdout.buffer.write(bytes.fromhex(sys.argv[2] + t.replace("\n", "")))' \
        "$f" "$control" >"$WORK/seed.bin" && add_seed "$WORK/seed.bin"
    done
  done < <(find Tests/DICOMNetworkTests/Fixtures/pdu -type f -name '*.hex' -print0)
  printf '\x00\x04\x00\xff\xff\xff\xff\x00\x00\x00\x02\x01\x03' >"$WORK/seed.bin" && add_seed "$WORK/seed.bin"
  printf '\x01\x01\x00\x7f\xff\xff\xf0\x00\x01' >"$WORK/seed.bin" && add_seed "$WORK/seed.bin"
  rm -f "$WORK/seed.bin"
  n=$(find "$SEEDS" -type f | wc -l)
elif [ "$TARGET" = dimse ]; then
  # Command sets as pynetdicom encodes them (hex fixtures), as bytes.
  DICT=()
  while IFS= read -r -d '' f; do
    python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(open(sys.argv[1]).read()))' "$f" >"$WORK/seed.bin" && add_seed "$WORK/seed.bin"
  done < <(find Tests/DICOMNetworkTests/Fixtures/dimse -type f -name '*.hex' -print0)
  rm -f "$WORK/seed.bin"
elif [ "$TARGET" = multipart ]; then
  # A control byte (00 whole, 01 byte by byte, 85 5-byte chunks with a 4 KiB part limit, 40 JSON skipping bulk
  # data) then a WADO-like multipart body, a Content-Type line, or a DICOM JSON array.
  DICT=()
  seed() { printf '%b' "$1" >"$WORK/seed.bin" && add_seed "$WORK/seed.bin"; }
  for control in '\x00' '\x01' '\x85'; do
    seed "${control}preamble\r\n--xyzzy\r\nContent-Type: application/dicom\r\n\r\nDICMbody\r\n--xyzzy  \r\nContent-Type: application/dicom; transfer-syntax=1.2.840.10008.1.2.1\r\n\r\n\x00\x01\r\n\r\n--xyzzy--\r\nepilogue"
    seed "${control}--xyzzy\r\n\r\n\r\n--xyzzy--"
  done
  seed '\x00multipart/related; type="application/dicom"; boundary="xyzzy"; start="<a@b>"\r\n'
  seed '\x40[{"00100010":{"vr":"PN","Value":[{"Alphabetic":"Doe^J","Ideographic":"\xe5\xb1\xb1"}]},"7FE00010":{"vr":"OW","BulkDataURI":"http://x/1"},"00280010":{"vr":"US","Value":[512]},"00400100":{"vr":"SQ","Value":[{"00400001":{"vr":"AE","Value":["CT1"]}}]},"00091010":{"vr":"OB","InlineBinary":"AAEC"}}]'
  seed '\x00[{"00080020":{"vr":"DA","Value":["20180107"]},"00201208":{"vr":"IS","Value":[1e400]},"00100030":{"vr":"DA"}}]'
  rm -f "$WORK/seed.bin"
  n=$(find "$SEEDS" -type f | wc -l)
elif [ "$TARGET" = rle ] || [ "$TARGET" = jpegdct ]; then
  # Codec targets take one compressed frame, not a file: seed with corpus frames and the codec fixtures.
  DICT=()
  if [ -f "$CORPUS_SRC/manifest.tsv" ] && [ -x .venv/bin/python ]; then
    .venv/bin/python scripts/fuzz-codec-seeds.py "$TARGET" "$CORPUS_SRC" "$SEEDS" 262144 2>/dev/null >/dev/null
  elif [ -f "$CORPUS_SRC/manifest.tsv" ]; then
    echo "fuzz: warning: no .venv (scripts/setup.sh makes it): seeding from fixtures only, without the corpus's frames" >&2
  fi
  if [ -d "Tests/Fixtures/fuzz-codecs/$TARGET" ]; then
    while IFS= read -r -d '' f; do add_seed "$f"; done < <(find "Tests/Fixtures/fuzz-codecs/$TARGET" -type f -name '*.bin' -print0)
  fi
  n=$(find "$SEEDS" -type f | wc -l)
elif [ -f "$CORPUS_SRC/manifest.tsv" ]; then
  # Column 6 (content) is empty for the files that are not DICOM (licences, readmes).
  while IFS= read -r rel; do
    [ -f "$CORPUS_SRC/$rel" ] && add_seed "$CORPUS_SRC/$rel"
  done < <(awk -F'\t' -v t="$TARGET" 'NR > 1 && $6 != "" && (t == "part10" || (t == "dicomdir" && $6 ~ /Directory Storage/) || (t == "transcode" && $6 ~ /^(RLE|JPEG)/)) { print $1 }' "$CORPUS_SRC/manifest.tsv")
elif [ -d "$CORPUS_SRC" ]; then
  while IFS= read -r -d '' f; do add_seed "$f"; done < <(find "$CORPUS_SRC" -type f -size +0 -print0)
else
  echo "fuzz: warning: media corpus not found at $CORPUS_SRC (set DICOM_MEDIA_CORPUS); seeding from fixtures only" >&2
fi
if [ "$TARGET" = part10 ] || [ "$TARGET" = dicomdir ] || [ "$TARGET" = transcode ]; then
 if [ -d Tests/Fixtures/fuzz ]; then
  # adapters/*.bin are raw codec frames (Fuzz/Adapters); the other fixtures are Part 10 files.
  while IFS= read -r -d '' f; do add_seed "$f"; done < <(find Tests/Fixtures/fuzz -type f -name '*.bin' ! -path '*/adapters/*' -print0)
 fi
fi
echo "fuzz: $n seed(s) in $SEEDS, running for ${DURATION}s"

# 3. Run. New inputs go to $CORPUS; $SEEDS is only read. Swift's own backtracer is turned off: it
# would wait on the crashed process instead of letting libFuzzer report and exit.
set +e
SWIFT_BACKTRACE=enable=no \
  "$BIN" -max_total_time="$DURATION" -timeout=10 -rss_limit_mb=2048 -max_len=262144 \
  "${DICT[@]}" -artifact_prefix="$ART/" -print_final_stats=1 "$@" "$CORPUS" "$SEEDS" >"$LOG" 2>&1
rc=$?
set -e

execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$LOG" | tail -1)"
rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$LOG" | tail -1)"
mapfile -t found < <(find "$ART" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | sort)
echo "fuzz: ${execs:-?} executions, ${rate:-?} exec/s, ${#found[@]} crash/timeout/OOM/leak artifact(s) in ${DURATION}s (corpus $(find "$CORPUS" -type f | wc -l) new input(s))"

if [ "${#found[@]}" -gt 0 ]; then
  for f in "${found[@]}"; do
    echo "fuzz: artifact $f ($(wc -c <"$f") bytes)"
    head -c 128 "$f" | od -A x -t x1z -v
  done
  grep -E "ERROR: (AddressSanitizer|libFuzzer)|Fatal error|failed:|Precondition failed|SUMMARY" "$LOG" | head -20 >&2 || true
  echo "fuzz: log in $LOG; reproduce with: SWIFT_BACKTRACE=enable=no $BIN ${found[0]}" >&2
  exit 1
fi
if [ "$rc" -ne 0 ]; then
  tail -30 "$LOG" >&2
  echo "fuzz: the fuzzer exited with status $rc but left no artifact; log in $LOG" >&2
  exit 1
fi
if [ -z "${FUZZ_OUT:-}" ]; then rm -rf "$WORK"; fi
