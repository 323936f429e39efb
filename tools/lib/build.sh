# Shared by the launchers (tools/tokcost, tools/tokenize_server, ...):
# setup and build only when something changed, so that a run costs
# milliseconds, not the second a no-op `bazel build` takes.
#
# POSIX sh, so that tools/tokcost can run under dash: a shell that starts
# in 3.0 ms against bash's 5.0 (perf stat -r 50, AMD EPYC VM, 2026-12-05).
# The bash launchers source it too.

# Runs tools/setup unless it already succeeded since the last change to
# tools/setup or data/tokenizers.json.
tokcost_ensure_setup() {
  _stamp=$ROOT/.cache/setup.ok
  if [ -f "$_stamp" ] && [ "$_stamp" -nt "$ROOT/tools/setup" ] &&
     [ "$_stamp" -nt "$ROOT/data/tokenizers.json" ] && [ -d "$TOKCOST_VOCAB_DIR" ]; then
    return 0
  fi
  TOKCOST_SETUP_QUIET=${TOKCOST_SETUP_QUIET:-} "$ROOT/tools/setup" >&2
  mkdir -p "$ROOT/.cache" && touch "$_stamp"
}

# True when a build input is newer than file $1. Shell builtins only (glob
# and test -nt): a `find` subprocess made the launcher's check cost more than
# the tokcost run it guards (one-line count 43 ms through tools/tokcost
# against 16 ms for the binary, AMD EPYC VM, perf stat -r 20). Trees are
# walked four levels deep (the deepest input today,
# tools/bazel/rules_cc/cc/defs.bzl, is four down), descending only into
# what is not a source file: globbing every depth's pattern tried to open
# each file as a directory, 355 failed opens of about 900 system calls, 3
# ms of a 21 ms one-line count (2026-12-06). bench/ is one level only:
# bench/peers/node_modules holds 1,700 files. Under data/ everything is an
# input, directories too (a new file in one is a change).
tokcost_inputs_newer_than() {
  for _f in "$ROOT"/WORKSPACE "$ROOT"/.bazelrc; do
    [ "$_f" -nt "$1" ] && return 0
  done
  _tokcost_tree_newer "$ROOT"/bench "$1" 1 sources ||
    _tokcost_tree_newer "$ROOT"/tokenizer "$1" 4 sources ||
    _tokcost_tree_newer "$ROOT"/pricing "$1" 4 sources ||
    _tokcost_tree_newer "$ROOT"/tools "$1" 4 sources ||
    _tokcost_tree_newer "$ROOT"/data "$1" 4 all
}

# _tokcost_tree_newer DIR STAMP DEPTH sources|all: true when an input in DIR,
# at most DEPTH levels down, is newer than STAMP. Positional parameters are
# each call's own, so the recursion keeps them; $_f is only read before it.
_tokcost_tree_newer() {
  for _f in "$1"/*; do
    case $4:$_f in
      sources:*.cc | sources:*.h | sources:*/BUILD | sources:*.bzl | sources:*/WORKSPACE | all:*)
        [ "$_f" -nt "$2" ] && return 0 ;;
    esac
    case $_f in
      *.cc | *.h | */BUILD | *.bzl | */WORKSPACE) continue ;;  # files: nothing below
    esac
    if [ "$3" -gt 1 ] && [ -d "$_f" ]; then
      _tokcost_tree_newer "$_f" "$2" $(($3 - 1)) "$4" && return 0
    fi
  done
  return 1
}

# tokcost_ensure_built TARGET OUTPUT: builds TARGET unless OUTPUT exists and
# its stamp is newer than every build input in the tree.
tokcost_ensure_built() {
  _output=$ROOT/$2
  # //tools/cli:tokcost -> built_tokcost (the launchers' target names differ).
  _stamp=$ROOT/.cache/built_${1##*:}
  if [ -x "$_output" ] && [ -f "$_stamp" ] && ! tokcost_inputs_newer_than "$_stamp"; then
    return 0
  fi
  _log=$(mktemp)
  if ! (cd "$ROOT" && bazel build --noshow_progress "$1") >"$_log" 2>&1; then
    cat "$_log" >&2
    rm -f "$_log"
    echo "tokcost: build of $1 failed (output above)" >&2
    exit 4
  fi
  rm -f "$_log"
  mkdir -p "$ROOT/.cache" && touch "$_stamp"
}
