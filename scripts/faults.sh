#!/usr/bin/env bash
# Kills xinwen with SIGKILL at random moments (and, for takedowns, also at the narrowest point,
# between the commit and the purge) and checks after each restart that nothing was lost, torn
# or left served. Figures, not a test: CI runs a few such kills as tests
# (crates/cli/tests/hardening.rs, crates/ingest/tests); this runs the long loops.
#
#   bash scripts/faults.sh [INGEST_KILLS] [TAKEDOWN_KILLS] [SUBMISSION_KILLS]   # 100 20 20
#
# Needs curl and python3 (for reading the SQLite file with its standard sqlite3 module).
set -euo pipefail
cd "$(dirname "$0")/.."

ingest_kills=${1:-100}
takedown_kills=${2:-20}
submission_kills=${3:-20}

cargo build --release --locked -q
bin=$PWD/target/release/xinwen
work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill -9 "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
export XINWEN_LOG=error

# sql DB QUERY: prints the rows, fields separated by |.
sql() {
  python3 - "$1" "$2" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for row in db.execute(sys.argv[2]):
    print("|".join("" if v is None else str(v) for v in row))
EOF
}

# A random number of milliseconds in [0, $1).
random_ms() { python3 -c "import random; print(random.randrange($1))"; }
sleep_ms() { python3 -c "import time; time.sleep($1 / 1000)"; }
now_ms() { python3 -c "import time; print(int(time.time() * 1000))"; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_server DATA [ENV...]: serves DATA without fetching; sets $server_pid and $url.
start_server() {
  local data=$1
  shift
  local port
  port=$(free_port)
  env "$@" "$bin" --config "$work/xinwen.toml" serve --no-fetch --listen "127.0.0.1:$port" --data "$data" \
    >"$work/server.out" 2>"$work/server.err" &
  server_pid=$!
  url="http://127.0.0.1:$port"
  for _ in $(seq 1 200); do
    curl -fs "$url/healthz" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "the server did not start:" >&2
  cat "$work/server.err" >&2
  exit 1
}

kill_server() {
  kill -9 "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=
}

# csrf JAR PAGE: the form token of PAGE, with the cookies of JAR.
csrf() {
  curl -fs -b "$1" -c "$1" "$url$2" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//'
}

# Readers send from many addresses (through a trusted proxy's header), and the limits are high:
# the loops measure crashes, not the rate limits.
cat >"$work/xinwen.toml" <<'EOF'
[site]
trust_forwarded_for = true
requests_per_address_hour = 100000
requests_per_hour = 100000
EOF

echo "== kill -9 during ingest, $ingest_kills times"
"$bin" demo --load-only --data "$work/reference" >/dev/null
expected=$(sql "$work/reference/xinwen.db" "SELECT COUNT(*) FROM articles")
started=$(now_ms)
"$bin" demo --load-only --data "$work/timing" >/dev/null
load_ms=$(( $(now_ms) - started ))
echo "   a whole demo ingest: $expected articles in $load_ms ms"
ingest_ok=0
ingest_bad=0
for i in $(seq 1 "$ingest_kills"); do
  data="$work/ingest-$i"
  "$bin" demo --load-only --data "$data" >/dev/null 2>&1 &
  pid=$!
  sleep_ms "$(random_ms "$load_ms")"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  # Started again, the pass is simply done again.
  "$bin" demo --load-only --data "$data" >/dev/null
  check=$(sql "$data/xinwen.db" "SELECT (SELECT COUNT(*) FROM articles), (SELECT COUNT(DISTINCT canonical_url) FROM articles), (SELECT COUNT(*) FROM articles WHERE story_id IS NULL), (SELECT COUNT(*) FROM (SELECT article_id, position FROM article_images GROUP BY 1, 2 HAVING COUNT(*) > 1))")
  integrity=$(sql "$data/xinwen.db" "PRAGMA integrity_check")
  if [ "$check" = "$expected|$expected|0|0" ] && [ "$integrity" = ok ]; then
    ingest_ok=$((ingest_ok + 1))
  else
    ingest_bad=$((ingest_bad + 1))
    echo "   run $i: articles|distinct|unplaced|duplicate images = $check (expected $expected|$expected|0|0), integrity: $integrity"
  fi
  rm -rf "$data"
done
echo "   ingest: $ingest_ok of $ingest_kills intact, every article exactly once; $ingest_bad not"

# A base site for the other loops: the demo, with every image fetched into the media cache
# while the demo's publishers were there, and an editor.
echo "== preparing a base site with its images cached"
base="$work/base"
port=$(free_port)
"$bin" demo --port "$port" --data "$base" >"$work/demo.out" 2>"$work/demo.err" &
demo_pid=$!
url="http://127.0.0.1:$port"
for _ in $(seq 1 600); do
  curl -fs "$url/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
for id in $(sql "$base/xinwen.db" "SELECT id FROM articles WHERE status = 'live'"); do
  { curl -fs "$url/article/$id" | grep -o 'src="/media/p/[^"]*"' || true; } | sed 's/src="//; s/"$//' |
    while read -r image; do curl -fs -o /dev/null "$url$image" || true; done
done
kill -TERM "$demo_pid"
wait "$demo_pid" 2>/dev/null || true
printf 'a long editor password\n' | "$bin" user add faults --role editor --password-stdin --data "$base" >/dev/null

log_in() {
  local jar=$1
  local token
  token=$(csrf "$jar" /admin/login)
  curl -fs -o /dev/null -b "$jar" -c "$jar" --data-urlencode "csrf=$token" \
    --data-urlencode username=faults --data-urlencode "password=a long editor password" \
    --data-urlencode next=/admin "$url/admin/login"
}

echo "== kill -9 during takedowns, $takedown_kills times (half at the point between commit and purge)"
takedown_ok=0
takedown_bad=0
articles_with_images=($(sql "$base/xinwen.db" "SELECT DISTINCT article_id FROM article_images JOIN articles ON articles.id = article_id WHERE status = 'live' AND src LIKE '/media/p/%'"))
for i in $(seq 1 "$takedown_kills"); do
  data="$work/takedown-$i"
  cp -r "$base" "$data"
  article=${articles_with_images[$(( (i - 1) % ${#articles_with_images[@]} ))]}
  if [ $((i % 2)) -eq 0 ]; then crash=(XINWEN_CRASH_AT=takedown-purge); else crash=(); fi
  start_server "$data" "${crash[@]}"
  images=$({ curl -fs "$url/article/$article" | grep -o 'src="/media/p/[^"]*"' || true; } | sed 's/src="//; s/"$//')
  jar="$work/reader.jar"
  rm -f "$jar"
  token=$(csrf "$jar" "/takedown?article=$article")
  curl -fs -o /dev/null -b "$jar" -c "$jar" -H "X-Forwarded-For: 203.0.113.$i" \
    --data-urlencode "csrf=$token" --data-urlencode claimant=权利人 \
    --data-urlencode contact=legal@rights.example --data-urlencode "pages=$url/article/$article" \
    --data-urlencode work=原创报道 --data-urlencode statement=未授权转载 --data-urlencode confirm=yes \
    "$url/takedown"
  takedown=$(sql "$data/xinwen.db" "SELECT MAX(id) FROM takedowns")
  jar="$work/editor.jar"
  rm -f "$jar"
  log_in "$jar"
  token=$(csrf "$jar" "/admin/takedowns/$takedown")
  curl -s -o /dev/null -b "$jar" --data-urlencode "csrf=$token" --data-urlencode "article=$article" \
    --data-urlencode note=faults "$url/admin/takedowns/$takedown/approve" &
  approve=$!
  if [ ${#crash[@]} -eq 0 ]; then
    sleep_ms "$(random_ms 40)"
  else
    # The server dies by itself at the crash point; the request gets no answer.
    wait "$approve" 2>/dev/null || true
  fi
  kill_server
  wait "$approve" 2>/dev/null || true
  start_server "$data"
  status=$(sql "$data/xinwen.db" "SELECT status FROM takedowns WHERE id = $takedown")
  page=$(curl -s -o /dev/null -w '%{http_code}' "$url/article/$article")
  served=0
  for image in $images; do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$url$image")
    [ "$code" = 200 ] && served=$((served + 1))
  done
  count=$(echo "$images" | grep -c . || true)
  purged=$(sql "$data/xinwen.db" "SELECT purged_at IS NOT NULL FROM takedowns WHERE id = $takedown")
  if { [ "$status" = approved ] && [ "$page" = 410 ] && [ "$served" = 0 ] && [ "$purged" = 1 ]; } ||
     { [ "$status" = pending ] && [ "$page" = 200 ] && [ "$served" = "$count" ]; }; then
    takedown_ok=$((takedown_ok + 1))
    echo "   run $i: takedown $status, article $page, $served of $count images served"
  else
    takedown_bad=$((takedown_bad + 1))
    echo "   run $i: TORN: takedown $status (purged: $purged), article $page, $served of $count images still served"
  fi
  kill_server
  rm -rf "$data"
done
echo "   takedowns: $takedown_ok of $takedown_kills whole (approved and purged, or not approved at all); $takedown_bad torn"

echo "== kill -9 during submissions and their publication, $submission_kills times"
submission_ok=0
submission_bad=0
lost_total=0
received_total=0
for i in $(seq 1 "$submission_kills"); do
  data="$work/submission-$i"
  cp -r "$base" "$data"
  start_server "$data"
  receipts="$work/receipts"
  : >"$receipts"
  (
    n=0
    while true; do
      n=$((n + 1))
      jar="$work/sub-$n.jar"
      token=$(csrf "$jar" /submit) || exit 0
      # A receipt is counted only when the reader was shown it: then it must survive.
      page=$(curl -fs -b "$jar" -c "$jar" -H "X-Forwarded-For: 198.51.100.$((n % 250))" \
        --data-urlencode "csrf=$token" --data-urlencode kind=article \
        --data-urlencode "title=投稿 $i-$n" --data-urlencode "body=读者投稿的正文，第 $n 篇。这是一段足够长的文字，写的是青澜市的一件小事。" \
        --data-urlencode author=读者 --data-urlencode contact=reader@example.org "$url/submit") || exit 0
      echo "$page" | grep -o 'id="receipt">[^<]*' | sed 's/id="receipt">//' >>"$receipts"
      rm -f "$jar"
    done
  ) &
  readers=$!
  (
    jar="$work/publisher.jar"
    rm -f "$jar"
    log_in "$jar" || exit 0
    while true; do
      id=$(sql "$data/xinwen.db" "SELECT MIN(id) FROM submissions WHERE status = 'pending'")
      if [ -z "$id" ]; then sleep 0.05; continue; fi
      token=$(csrf "$jar" "/admin/submissions/$id") || exit 0
      curl -fs -o /dev/null -b "$jar" --data-urlencode "csrf=$token" --data-urlencode "title=采用的投稿 $id" \
        --data-urlencode author=读者 --data-urlencode channel=tougao "$url/admin/submissions/$id/approve" || exit 0
    done
  ) &
  publisher=$!
  sleep_ms $((300 + $(random_ms 1500)))
  kill_server
  wait "$readers" 2>/dev/null || true
  wait "$publisher" 2>/dev/null || true
  start_server "$data"
  received=$(grep -c . "$receipts" || true)
  lost=0
  while read -r receipt; do
    found=$(sql "$data/xinwen.db" "SELECT COUNT(*) FROM submissions WHERE receipt = '$receipt'")
    [ "$found" = 1 ] || lost=$((lost + 1))
  done <"$receipts"
  # Published exactly when its article exists and is live; no article without its decision.
  torn=$(sql "$data/xinwen.db" "SELECT (SELECT COUNT(*) FROM submissions s LEFT JOIN articles a ON a.id = s.article_id WHERE s.status = 'approved' AND (a.id IS NULL OR a.status != 'live')) + (SELECT COUNT(*) FROM articles a JOIN sources src ON src.id = a.source_id WHERE src.slug = 'readers' AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.article_id = a.id))")
  published=$(sql "$data/xinwen.db" "SELECT COUNT(*) FROM submissions WHERE status = 'approved'")
  integrity=$(sql "$data/xinwen.db" "PRAGMA integrity_check")
  received_total=$((received_total + received))
  lost_total=$((lost_total + lost))
  if [ "$lost" = 0 ] && [ "$torn" = 0 ] && [ "$integrity" = ok ]; then
    submission_ok=$((submission_ok + 1))
  else
    submission_bad=$((submission_bad + 1))
  fi
  echo "   run $i: $received receipts shown, $lost lost; $published published, $torn torn; integrity $integrity"
  kill_server
  rm -rf "$data"
done
echo "   submissions: $submission_ok of $submission_kills whole; $received_total receipts shown, $lost_total lost"

echo
echo "ingest_kills=$ingest_kills intact=$ingest_ok takedown_kills=$takedown_kills whole=$takedown_ok submission_kills=$submission_kills whole=$submission_ok receipts=$received_total lost=$lost_total"
[ "$ingest_bad" = 0 ] && [ "$takedown_bad" = 0 ] && [ "$submission_bad" = 0 ]
