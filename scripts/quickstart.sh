#!/usr/bin/env bash
# Builds and installs flowai_harness (release build) into .venv-quickstart and runs the
# hello world on the embedded defaults: no credentials, no network.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
if [ ! -x .venv-quickstart/bin/python ]; then
  "$PY" -m venv .venv-quickstart
fi
.venv-quickstart/bin/pip install --quiet --disable-pip-version-check ./flowai-py
.venv-quickstart/bin/python examples/python/hello_world.py
