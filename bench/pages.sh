#!/usr/bin/env bash
# Article-page throughput: xinwen serving the demo against nginx serving the same rendered
# page as a static file, on this machine, in one run. Prints both rates, their ratio and
# xinwen's peak memory. A benchmark, not a test: run it by hand.
#
#   bash bench/pages.sh [seconds] [connections]
#
# Needs Debian's wrk and nginx-light (installed when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
connections=${2:-64}

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq wrk nginx-light >/dev/null
fi

cargo build --release -q -p xinwen
work=$(mktemp -d)
# nginx workers run as another user (www-data): they must be able to read the page.
chmod 755 "$work"
cleanup() { kill "${xinwen_pid:-}" "${nginx_pid:-}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
xinwen_port=$(free_port)
nginx_port=$(free_port)

XINWEN_LOG=warn target/release/xinwen demo --port "$xinwen_port" --data "$work/data" >"$work/xinwen.out" &
xinwen_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$xinwen_port/healthz" >/dev/null && break; sleep 0.1; done

# The article page of the reference kind: byline, figures, captions, follow block.
path=$(curl -sf "http://127.0.0.1:$xinwen_port/source/donghai-wanbao" | grep -o 'href="/article/[0-9]*"' | head -1 | cut -d'"' -f2)
mkdir -p "$work/www/article"
curl -sf "http://127.0.0.1:$xinwen_port$path" -o "$work/www$path.html"
bytes=$(wc -c <"$work/www$path.html")

cat >"$work/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  client_body_temp_path $work/tmp;
  proxy_temp_path $work/tmp;
  fastcgi_temp_path $work/tmp;
  uwsgi_temp_path $work/tmp;
  scgi_temp_path $work/tmp;
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/www;
    location / { default_type "text/html; charset=utf-8"; try_files \$uri.html =404; }
  }
}
CONF
mkdir -p "$work/tmp"
nginx -c "$work/nginx.conf" &
nginx_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$nginx_port$path" >/dev/null && break; sleep 0.1; done
if ! cmp -s <(curl -sf "http://127.0.0.1:$nginx_port$path") "$work/www$path.html"; then
  echo "nginx does not serve the page:" >&2; tail -n 5 "$work/nginx-error.log" >&2; exit 1
fi

rate() { wrk -t2 -c"$connections" -d"${seconds}s" --latency "$1" | tee "$work/wrk.txt" >&2; awk '/Requests\/sec/ {print $2}' "$work/wrk.txt"; }
echo "== warm-up" >&2
wrk -t2 -c"$connections" -d2s "http://127.0.0.1:$xinwen_port$path" >/dev/null
echo "== xinwen $path ($bytes bytes)" >&2
xinwen_rate=$(rate "http://127.0.0.1:$xinwen_port$path")
echo "== nginx, the same page as a static file" >&2
nginx_rate=$(rate "http://127.0.0.1:$nginx_port$path")
peak_kb=$(awk '/VmHWM/ {print $2}' "/proc/$xinwen_pid/status")

echo
printf '%-28s %12s\n' "server" "req/s"
printf '%-28s %12.0f\n' "xinwen (article page)" "$xinwen_rate"
printf '%-28s %12.0f\n' "nginx (same page, static)" "$nginx_rate"
ratio=$(python3 -c "print(f'{$xinwen_rate/$nginx_rate:.2f}')")
echo "page_bytes=$bytes connections=$connections seconds=$seconds"
echo "xinwen_peak_rss_mib=$(python3 -c "print(f'{$peak_kb/1024:.1f}')")"
echo "xinwen_rps=$xinwen_rate nginx_rps=$nginx_rate ratio=$ratio"
