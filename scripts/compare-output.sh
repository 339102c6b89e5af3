#!/usr/bin/env bash
# Proves a change that should change no output changes none: builds the
# repository's manual, the GOV.UK sample, the tech-docs gem's documentation
# and a generated 3,000-page site with two `manual` binaries, and compares
# every file byte for byte, and what `check` finds on each, finding by
# finding.
#
# Usage: scripts/compare-output.sh BEFORE_BINARY AFTER_BINARY
# (for example a release build of the base commit, copied aside, and
# target/release/manual). Exits 1 and lists the files that differ.
set -euo pipefail
cd "$(dirname "$0")/.."
before=$(realpath "$1")
after=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 scripts/generate-site.py 3000 "$work/generated" >/dev/null
shared=$(realpath ../shared)

build() { # binary out
  "$1" build --no-cache --quiet --today 2026-12-01 --out "$2/manual"
  "$1" -C "$shared/corpus/govuk-manual" build --no-cache --quiet --skip-check --today 2026-12-01 \
    --config "$PWD/tests/fixtures/govuk-manual.yml" --out "$2/govuk"
  "$1" -C "$shared/corpus/tech-docs-gem-docs" build --no-cache --quiet --skip-check --today 2026-12-01 \
    --out "$2/gem-docs"
  "$1" -C "$work/generated" build --no-cache --quiet --skip-check --today 2026-12-01 --out "$2/generated"
  mkdir -p "$2/check"
  # `check` exits 1 when it finds an error; its findings are what is compared.
  "$1" check --format json --today 2026-12-01 >"$2/check/manual.json" || true
  "$1" -C "$shared/corpus/govuk-manual" check --format json --today 2026-12-01 \
    --config "$PWD/tests/fixtures/govuk-manual.yml" >"$2/check/govuk.json" || true
  "$1" -C "$shared/corpus/tech-docs-gem-docs" check --format json --today 2026-12-01 \
    >"$2/check/gem-docs.json" || true
  "$1" -C "$work/generated" check --format json --today 2026-12-01 >"$2/check/generated.json" || true
}
build "$before" "$work/before"
build "$after" "$work/after"
if diff -rq "$work/before" "$work/after"; then
  echo "identical: $(find "$work/after" -type f | wc -l) files"
else
  exit 1
fi
