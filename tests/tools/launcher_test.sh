#!/bin/sh
# The launchers' change check (tools/lib/build.sh) under dash, as
# tools/tokcost runs it: each kind of build input, at each depth the check
# globs, is seen when newer than the stamp; what is not an input is not.
# Run by tools/test; prints "launcher: N passed, N failed".
set -u
LIB=$(cd "$(dirname "$0")/../../tools/lib" && pwd)/build.sh
ROOT=$(mktemp -d)
trap 'rm -rf "$ROOT"' EXIT
passed=0
failed=0

# Each input is made older than the stamp, then touched alone.
inputs="WORKSPACE .bazelrc tokenizer/BUILD tokenizer/internal/x.cc pricing/y.h
tools/cli/z.cc tools/bazel/rules_cc/cc/defs.bzl tools/bazel/rules_cc/WORKSPACE bench/b.cc data/models.json
data/approx/p.json tokenizer/a/b/c.h pricing/a/b/c.cc data/a/b/c.json data/approx"
others="bench/peers/node_modules/m.cc README.md tokenizer/notes.txt"
for f in $inputs $others; do
  [ "$f" = data/approx ] && continue  # made by data/approx/p.json
  mkdir -p "$ROOT/$(dirname "$f")"
  touch -d '2000-01-01' "$ROOT/$f"
done
# Directories are aged too: under data/ a directory is an input itself (a
# new file in it is a change, checked below).
find "$ROOT" -type d -exec touch -d '2000-01-01' {} +
check() {  # check WANT FILE
  touch -d '2001-01-01' "$ROOT/stamp"
  [ -n "$2" ] && touch "$ROOT/$2"
  if dash -c '. "$1"; ROOT=$2; tokcost_inputs_newer_than "$2/stamp"' sh "$LIB" "$ROOT"; then
    got=newer
  else
    got=older
  fi
  if [ "$got" = "$1" ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "launcher check: ${2:-nothing touched}: $got, expected $1"
  fi
  [ -n "$2" ] && touch -d '2000-01-01' "$ROOT/$2"
  return 0
}
check older ""
for f in $inputs; do check newer "$f"; done
for f in $others; do check older "$f"; done
echo "launcher: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
