#!/usr/bin/env bash
# The test command of the README: installs what the tests need on a fresh Debian/Ubuntu machine
# (system packages when run as root or with sudo), builds .venv, runs the whole suite.
# The tests use real parts: an Xvfb display with a real Tk window, the real adb server,
# the real transformers code path on a tiny random Qwen3-VL built on the fly.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES="xvfb xdotool x11-apps x11-utils xclip adb python3-tk"
missing=""
for cmd in Xvfb xdotool xclip xdpyinfo adb; do command -v "$cmd" >/dev/null 2>&1 || missing=1; done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "tests need: apt-get install $APT_PACKAGES (run as root or with sudo)" >&2; exit 2; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -qq --no-install-recommends $APT_PACKAGES >/dev/null
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
# torch is pinned to a release known to work (the CPU build where one is provided locally).
.venv/bin/pip install -q --disable-pip-version-check torch==2.13.0 -e '.[all,dev]'
exec .venv/bin/python -m pytest "$@"
