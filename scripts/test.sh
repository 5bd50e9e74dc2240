#!/usr/bin/env bash
# The whole test suite from a clean clone: lint, Rust unit/integration/doc/trybuild tests,
# the rustdoc link check, the Python extension built into a local venv, the stub check,
# and pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check -r flowai-py/requirements-dev.txt

# PostgreSQL for the durable-state tests: Debian's package when the binaries are missing,
# then a throwaway server on loopback (scripts/pg.sh), stopped on exit. The tests that need
# it fail instead of skipping (FLOWAI_REQUIRE_PG=1).
if [ ! -x /usr/lib/postgresql/15/bin/pg_ctl ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
fi
PG_DIR=${FLOWAI_PG_DIR:-/tmp/flowai-pg-$(id -u)}
eval "$(scripts/pg.sh start "$PG_DIR")"
trap 'scripts/pg.sh stop "$PG_DIR"' EXIT
export FLOWAI_REQUIRE_PG=1

cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
# Intra-doc links resolve and point at public items.
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked --quiet

# Editable debug build of the extension, reusing target/ from the cargo steps above.
(cd flowai-py && VIRTUAL_ENV="$PWD/../.venv" ../.venv/bin/maturin develop --locked --quiet)

# The hand-written stub must match the module.
.venv/bin/python -m mypy.stubtest flowai_harness._internal --allowlist flowai-py/stubtest-allowlist.txt

.venv/bin/python -m pytest flowai-py/tests -q -W error
