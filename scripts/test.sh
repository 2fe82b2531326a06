#!/usr/bin/env bash
# Runs every test of the project, installing what the tests need first:
#   - Debian's chromium (browser tests) and a CJK font (readable screenshots);
#   - Python's feedparser, in a virtual environment of its own under target/ (feed tests).
# Then formatting, lints, and the whole test suite. CI runs exactly this (see .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi 'wenquanyi\|noto sans cjk'; then
  echo "== installing chromium and a CJK font (Debian packages)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
fi

venv=target/test-venv
if ! "$venv/bin/python" -c 'import feedparser' >/dev/null 2>&1; then
  echo "== installing feedparser into $venv"
  mkdir -p target
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q feedparser
fi

export XINWEN_PYTHON="$PWD/$venv/bin/python"
export XINWEN_REQUIRE_BROWSER=1
export XINWEN_REQUIRE_FEEDPARSER=1

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --workspace --locked
