#!/usr/bin/env bash
# The test command of the README: installs what the tests need on a fresh Debian/Ubuntu machine
# (system packages when run as root or with sudo), builds .venv, runs the whole suite but the full
# train-then-evaluate run (marker `train`).
# The tests use real parts: an Xvfb display with a real Tk window, the real adb server, headless
# Chromium for the web UI, espeak-ng for speech, the real transformers code path on a tiny random
# Qwen3-VL built on the fly. Playwright drives Debian's Chromium; it never downloads a browser.
set -euo pipefail
cd "$(dirname "$0")/.."

# command -> the Debian package that brings it; only what is missing is installed (an existing
# Node.js/npm, for example, is left alone).
NEEDS="Xvfb:xvfb xdotool:xdotool xclip:xclip xdpyinfo:x11-utils xeyes:x11-apps adb:adb espeak-ng:espeak-ng chromium:chromium npm:npm"
missing=""
for pair in $NEEDS; do command -v "${pair%%:*}" >/dev/null 2>&1 || missing="$missing ${pair#*:}"; done
"${PYTHON:-python3}" -c "import tkinter" 2>/dev/null || missing="$missing python3-tk"
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "tests need: apt-get install$missing (run as root or with sudo)" >&2; exit 2; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
# torch is pinned to a release known to work (the CPU build where one is provided locally).
.venv/bin/pip install -q --disable-pip-version-check torch==2.13.0 -e '.[all,dev]'
# The model tests' extra venvs (the floor transformers; transformers serve with torchvision),
# cached in ~/.cache/qwen-agent-ci by their pinned versions: built once per machine.
PYTHON="$PY" bash tests/extra_venvs.sh all >/dev/null
# The full train-then-evaluate run (tests/test_trained_model.py, marker `train`) takes tens of
# minutes: asked for with -m train; its short version runs here. A -m given here replaces this one.
exec .venv/bin/python -m pytest -m "not train" "$@"
