#!/usr/bin/env bash
# Extraction benchmark: xinwen against rs-trafilatura, trafilatura and readability-lxml on the
# same pages, in one run, with each dataset's own metric. Prints one table per dataset:
# pages per second, the median pass over the set (five passes and three seconds at least,
# trafilatura's caches emptied before each), and the first pass beside it.
# A benchmark, not a test: run it by hand. The datasets stay in ../shared/data.
#
#   bash bench/extract.sh [DATA_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data}
venv=target/bench-venv
if ! "$venv/bin/python" -c 'import trafilatura, readability' >/dev/null 2>&1; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip
  "$venv/bin/pip" install -q trafilatura readability-lxml lxml_html_clean
fi
cargo build --release -q --manifest-path bench/extract-peers/Cargo.toml
echo "peers: $("$venv/bin/python" -c 'import trafilatura; print("trafilatura", trafilatura.__version__)'), readability-lxml, rs-trafilatura $(grep -A1 'name = "rs-trafilatura"' bench/extract-peers/Cargo.lock | grep version | cut -d'"' -f2)"
for dataset in chinese-web-content-extraction scrapinghub-article-extraction-benchmark trafilatura-eval; do
  dir="$data/$dataset"
  if [ ! -d "$dir" ]; then echo "skipped: $dir is not there"; continue; fi
  echo
  echo "== $dataset"
  printf '%-16s %6s %9s %6s %11s %12s\n' tool f1 precision recall pages_per_s first_pass
  bench/extract-peers/target/release/xinwen-extract-peers "$dir" 2>/dev/null
  "$venv/bin/python" bench/extract_peers.py "$dir" 2>/dev/null
done
