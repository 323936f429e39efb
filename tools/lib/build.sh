# Shared by the launchers (tools/tokcost, tools/tokenize_server, ...):
# setup and build only when something changed, so that a run costs
# milliseconds, not the second a no-op `bazel build` takes.

# Runs tools/setup unless it already succeeded since the last change to
# tools/setup or data/tokenizers.json.
tokcost_ensure_setup() {
  local stamp="$ROOT/.cache/setup.ok"
  if [ -f "$stamp" ] && [ "$stamp" -nt "$ROOT/tools/setup" ] &&
     [ "$stamp" -nt "$ROOT/data/tokenizers.json" ] && [ -d "$TOKCOST_VOCAB_DIR" ]; then
    return 0
  fi
  TOKCOST_SETUP_QUIET=${TOKCOST_SETUP_QUIET:-} "$ROOT/tools/setup" >&2
  mkdir -p "$ROOT/.cache" && touch "$stamp"
}

# True when a build input is newer than file $1. Shell builtins only (glob
# and test -nt): a `find` subprocess made the launcher's check cost more than
# the tokcost run it guards (one-line count 43 ms through tools/tokcost
# against 16 ms for the binary, AMD EPYC VM, perf stat -r 20). bench/ is
# matched one level deep: bench/peers/node_modules holds 1,700 files.
# Sets globstar and nullglob for the rest of the script (the launchers glob
# nothing else; saving the settings would take a subshell).
tokcost_inputs_newer_than() {
  local stamp=$1 f
  shopt -s globstar nullglob
  # One walk per tree, filtered by name (a pattern per file kind walked
  # each tree five times).
  for f in "$ROOT"/WORKSPACE "$ROOT"/.bazelrc "$ROOT"/{tokenizer,pricing,tools}/** \
           "$ROOT"/bench/* "$ROOT"/data/**; do
    case $f in
      *.cc | *.h | */BUILD | *.bzl | */WORKSPACE | "$ROOT"/data/* | */.bazelrc) ;;
      *) continue ;;
    esac
    [ "$f" -nt "$stamp" ] && return 0
  done
  return 1
}

# tokcost_ensure_built TARGET OUTPUT: builds TARGET unless OUTPUT exists and
# its stamp is newer than every build input in the tree.
tokcost_ensure_built() {
  local target=$1 output="$ROOT/$2"
  local stamp="$ROOT/.cache/built${target//[\/:]/_}"
  if [ -x "$output" ] && [ -f "$stamp" ] && ! tokcost_inputs_newer_than "$stamp"; then
    return 0
  fi
  local log
  log=$(mktemp)
  if ! (cd "$ROOT" && bazel build --noshow_progress "$target") >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "tokcost: build of $target failed (output above)" >&2
    exit 4
  fi
  rm -f "$log"
  mkdir -p "$ROOT/.cache" && touch "$stamp"
}
