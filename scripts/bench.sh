#!/usr/bin/env bash
# Benchmarks (not tests): W1 through Rust (cargo bench) and through Python (a release build
# of the extension in .venv-bench). Figures go to BENCHMARKS.md by hand, with this command.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
if [ ! -x .venv-bench/bin/python ]; then
  "$PY" -m venv .venv-bench
fi
.venv-bench/bin/pip install --quiet --disable-pip-version-check maturin
(cd flowai-py && VIRTUAL_ENV="$PWD/../.venv-bench" ../.venv-bench/bin/maturin develop --release --locked --quiet)

cargo bench -p flowai --bench w1 --locked
.venv-bench/bin/python bench/w1.py "$@"
