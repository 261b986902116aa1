#!/usr/bin/env bash
# The whole test suite: formatting lint, unit tests with the media corpus, interoperability tests
# against pydicom and DCMTK, and a short fuzzing run. Needs ../shared/media-corpus (or DICOM_MEDIA_CORPUS).
# (`swift test` alone is the quick loop: without DICOM_MEDIA_CORPUS the tests that need the corpus or
# peer tools skip.)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export DICOM_MEDIA_CORPUS="${DICOM_MEDIA_CORPUS:-$(cd .. && pwd)/shared/media-corpus}"
if [ ! -f "$DICOM_MEDIA_CORPUS/manifest.tsv" ]; then
  echo "test: media corpus not found at $DICOM_MEDIA_CORPUS (set DICOM_MEDIA_CORPUS)" >&2
  exit 1
fi
# Generated sources are what their generators write today (each --check writes nothing and exits 1
# naming a stale file).
.venv/bin/python Tools/gen-dictionary.py --check
.venv/bin/python Tools/gen-private-dictionary.py --check
python3 Tools/gen-native-stubs.py --check
# Formatting: `swift format lint --strict` with .swift-format over Sources, Tests, Benchmarks and Fuzz
# (scripts/format.sh fixes what it reports).
mkdir -p .build
if ! scripts/format.sh --lint >.build/lint.log 2>&1; then
  head -40 .build/lint.log >&2
  echo "test: swift format lint: $(grep -c 'error:\|warning:' .build/lint.log) finding(s) (all in .build/lint.log); run scripts/format.sh" >&2
  exit 1
fi
rm -f .build/lint.log
# The code constants generated from docs/DIAGNOSTICS.md are up to date (Tools/gen-diagnostics.py writes them).
.venv/bin/python Tools/gen-diagnostics.py --check
swift build
# The interop tests generate studies with synth-studies, from the Benchmarks package (Benchmarks/Package.swift).
swift build --package-path Benchmarks --product synth-studies
export DICOM_MEDIA_SYNTH="$PWD/Benchmarks/.build/debug/synth-studies"
set +e
swift test 2>&1 | tee .build/swift-test.log | grep -E "error:|Test Suite 'All tests'|Executed [0-9]+ tests?, with [0-9]+ (tests? skipped and [0-9]+ )?failures? .*\) in [0-9.]+ \([0-9.]+\) seconds$" | tail -20
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then echo "test: swift test failed (exit $status); full log in .build/swift-test.log" >&2; exit 1; fi
# With the corpus every test runs: a skip here means a missing corpus file or peer tool.
if grep -q ": Test skipped - " .build/swift-test.log; then
  grep ": Test skipped - " .build/swift-test.log | head -20 >&2
  echo "test: swift test skipped tests with the corpus present (full log in .build/swift-test.log)" >&2
  exit 1
fi
export DICOM_MEDIA_BIN="$PWD/.build/debug/dicom-media"
.venv/bin/python -m pytest -q Tests/interop
scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
FUZZ_TARGET=dicomdir scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
for t in transcode jpegll rle jpegdct adapters iso medium pdu dimse multipart; do FUZZ_TARGET=$t scripts/fuzz.sh "${FUZZ_SECONDS:-60}"; done
