#!/usr/bin/env bash
# Formats the Swift sources in place with `swift format` (part of the Swift 6 toolchain) and the
# repository's .swift-format (4-space indent, 160 columns, the rules the code follows today).
# Generated code (*/Generated/*) is left as its generator writes it.
#
#   scripts/format.sh            format Sources, Tests, Benchmarks, Fuzz and the package manifests
#   scripts/format.sh --lint     only report (the check scripts/test.sh runs), exit 1 on any finding
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(find Sources Tests Benchmarks Fuzz -name '*.swift' -not -path '*/Generated/*' -not -path '*/.build/*' | sort)
files+=(Package.swift Benchmarks/Package.swift Fuzz/Package.swift)
if [ "${1:-}" = --lint ]; then
  exec swift format lint --strict --parallel --configuration .swift-format "${files[@]}"
fi
swift format format --in-place --parallel --configuration .swift-format "${files[@]}"
