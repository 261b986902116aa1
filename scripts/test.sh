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
swift test 2>&1 | tee .build/swift-test.log | grep -E "error|failed|passed|Executed|Test Suite 'All tests'" || true
grep -q "with 0 failures" .build/swift-test.log || { echo "swift test failed" >&2; exit 1; }
if grep -q "Test run with .* failed\|✘" .build/swift-test.log; then echo "swift test failed" >&2; exit 1; fi
export DICOM_MEDIA_BIN="$PWD/.build/debug/dicom-media"
.venv/bin/python -m pytest -q Tests/interop
scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
FUZZ_TARGET=dicomdir scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
