#!/usr/bin/env bash
# Extraction benchmark: xinwen against rs-trafilatura, trafilatura and readability-lxml on the
# same pages, in one run, with each dataset's own metric. Prints one table per dataset and
# round: pages per second, the median pass over the set (five passes and three seconds at
# least, trafilatura's caches emptied before each), and the first pass beside it. Then, for
# each dataset, xinwen's pages per second over trafilatura's, round by round and their median.
#
# The tools of a round run one after the other, and this machine's speed drifts by a third over
# minutes (other tenants of the host): rounds interleave the tools, so that a slow spell falls
# on each in turn, and the median ratio is the figure.
# A benchmark, not a test: run it by hand. The datasets stay in ../shared/data.
#
#   bash bench/extract.sh [DATA_DIR] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data}
rounds=${2:-3}
venv=target/bench-venv
if ! "$venv/bin/python" -c 'import trafilatura, readability' >/dev/null 2>&1; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip
  "$venv/bin/pip" install -q trafilatura readability-lxml lxml_html_clean
fi
cargo build --release -q --manifest-path bench/extract-peers/Cargo.toml
echo "peers: $("$venv/bin/python" -c 'import trafilatura; print("trafilatura", trafilatura.__version__)'), readability-lxml, rs-trafilatura $(grep -A1 'name = "rs-trafilatura"' bench/extract-peers/Cargo.lock | grep version | cut -d'"' -f2)"
rows=$(mktemp)
trap 'rm -f "$rows" "$rows".*' EXIT
for round in $(seq "$rounds"); do
  for dataset in chinese-web-content-extraction scrapinghub-article-extraction-benchmark trafilatura-eval; do
    dir="$data/$dataset"
    if [ ! -d "$dir" ]; then echo "skipped: $dir is not there"; continue; fi
    echo
    echo "== $dataset, round $round"
    printf '%-16s %6s %9s %6s %11s %12s\n' tool f1 precision recall pages_per_s first_pass
    bench/extract-peers/target/release/xinwen-extract-peers "$dir" 2>/dev/null | tee -a "$rows.$dataset"
    "$venv/bin/python" bench/extract_peers.py "$dir" 2>/dev/null | tee -a "$rows.$dataset"
  done
done
for dataset in chinese-web-content-extraction scrapinghub-article-extraction-benchmark trafilatura-eval; do
  if [ -f "$rows.$dataset" ]; then sed "s/^/$dataset /" "$rows.$dataset" >> "$rows"; rm "$rows.$dataset"; fi
done
echo
echo "== xinwen pages per second over trafilatura's"
awk '$2 == "xinwen" { x[$1] = x[$1] " " $6 } $2 == "trafilatura" { t[$1] = t[$1] " " $6 }
  END {
    for (d in x) {
      delete r
      n = split(x[d], xs, " "); split(t[d], ts, " ")
      line = ""
      for (i = 1; i <= n; i++) { r[i] = xs[i] / ts[i]; line = line sprintf(" %.1f", r[i]) }
      # The median of n ratios: sorted by insertion, n is small.
      for (i = 2; i <= n; i++) { v = r[i]; j = i - 1; while (j > 0 && r[j] > v) { r[j + 1] = r[j]; j-- } r[j + 1] = v }
      printf "%-40s rounds:%s  median: %.1f\n", d, line, r[int((n + 1) / 2)]
    }
  }' "$rows"
