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

# tokcost_ensure_built TARGET OUTPUT: builds TARGET unless OUTPUT exists and
# its stamp is newer than every build input in the tree.
tokcost_ensure_built() {
  local target=$1 output="$ROOT/$2"
  local stamp="$ROOT/.cache/built${target//[\/:]/_}"
  if [ -x "$output" ] && [ -f "$stamp" ] && [ -z "$(cd "$ROOT" && find WORKSPACE .bazelrc tokenizer pricing tools bench data \
        -name node_modules -prune -o \
        -newer "$stamp" \( -name '*.cc' -o -name '*.h' -o -name 'BUILD' -o -name '*.bzl' \
        -o -name 'WORKSPACE' -o -name '.bazelrc' -o -path 'data/*' \) -print -quit 2>/dev/null)" ]; then
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
