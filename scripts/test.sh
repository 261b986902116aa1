#!/usr/bin/env bash
# The whole test suite: unit tests, interoperability tests against pydicom and DCMTK, and a
# short fuzzing run. Needs ../shared/media-corpus (or DICOM_MEDIA_CORPUS).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export DICOM_MEDIA_CORPUS="${DICOM_MEDIA_CORPUS:-$(cd .. && pwd)/shared/media-corpus}"
if [ ! -f "$DICOM_MEDIA_CORPUS/manifest.tsv" ]; then
  echo "test: media corpus not found at $DICOM_MEDIA_CORPUS (set DICOM_MEDIA_CORPUS)" >&2
  exit 1
fi
swift build
set +e
swift test 2>&1 | tee .build/swift-test.log | grep -E "error:|Test Suite 'All tests'|Executed [0-9]+ tests?, with [0-9]+ failures? .*\) in [0-9.]+ \([0-9.]+\) seconds$" | tail -20
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then echo "test: swift test failed (exit $status); full log in .build/swift-test.log" >&2; exit 1; fi
export DICOM_MEDIA_BIN="$PWD/.build/debug/dicom-media"
.venv/bin/python -m pytest -q Tests/interop
scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
FUZZ_TARGET=dicomdir scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
for t in transcode jpegll rle jpegdct adapters iso medium; do FUZZ_TARGET=$t scripts/fuzz.sh "${FUZZ_SECONDS:-60}"; done
