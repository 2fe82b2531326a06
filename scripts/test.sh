#!/usr/bin/env bash
# Runs every test of the project, installing what the tests need first:
#   - Debian's chromium (browser tests) and a CJK font (readable screenshots);
#   - Python's feedparser (feed tests), openapi-spec-validator and jsonschema (API contract
#     test), in a virtual environment of its own under target/.
#   - Debian's PostgreSQL, of which a throwaway server is started for the tests (temporary
#     directory, free port, an unprivileged user) and stopped at the end (scripts/postgres.sh);
#     a server of your own is used instead when XINWEN_TEST_DATABASE_URL names one.
# Then formatting, lints, and the whole test suite; then the suites that build a whole site
# once more, on PostgreSQL. CI runs exactly this (see .ci/run).
# setpriv (util-linux) runs one test as another user; Debian has it everywhere.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi 'wenquanyi\|noto sans cjk'; then
  echo "== installing chromium and a CJK font (Debian packages)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
fi

venv=target/test-venv
if ! "$venv/bin/python" -c 'import feedparser, openapi_spec_validator, jsonschema' >/dev/null 2>&1; then
  echo "== installing feedparser, openapi-spec-validator and jsonschema into $venv"
  mkdir -p target
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q feedparser openapi-spec-validator jsonschema
fi

if [ -z "${XINWEN_TEST_DATABASE_URL:-}" ]; then
  echo "== starting a throwaway PostgreSQL server"
  eval "$(bash scripts/postgres.sh start)"
  trap 'bash scripts/postgres.sh stop "$XINWEN_PG_DIR"' EXIT
fi

export XINWEN_PYTHON="$PWD/$venv/bin/python"
# Tests that need a browser, Python, PostgreSQL or the shared evaluation data fail here rather
# than skip: a test that passes having checked nothing is worse than none. The shared data lies
# beside the repository (../shared/data) in CI and on the team's machines; a clone elsewhere
# skips those tests, and each says so.
export XINWEN_REQUIRE_BROWSER=1
export XINWEN_REQUIRE_FEEDPARSER=1
export XINWEN_REQUIRE_PYTHON=1
export XINWEN_REQUIRE_POSTGRES=1
if [ "${CI:-}" = true ] || [ -d ../shared/data ]; then
  export XINWEN_REQUIRE_SHARED_DATA=1
fi

# A clean clone in CI builds once: incremental state would only take time and 1.8 GB of disk.
if [ "${CI:-}" = true ]; then
  export CARGO_INCREMENTAL=0
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --workspace --locked
echo "== cargo test, the site's suites on PostgreSQL"
# The store's own suite already ran on both backends above.
XINWEN_TEST_BACKEND=postgres cargo test --locked \
  -p xinwen-web -p xinwen-ingest -p xinwen-media -p xinwen-search --test '*'
