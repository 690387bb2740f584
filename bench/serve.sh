#!/usr/bin/env bash
# Serving benchmark: newsdesk's demo site against nginx serving the same
# bytes from files, with wrk on 127.0.0.1. Prints a Markdown table.
#
#   bench/serve.sh            # 3 × 10 s per case after a 5 s warm-up
#   DURATION=5s RUNS=1 bench/serve.sh
#
# Both servers answer without compression: wrk sends no Accept-Encoding,
# newsdesk then serves the identity body of its cached page, and nginx has
# gzip off. Every load loop is bounded by wrk's -d.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

DURATION=${DURATION:-10s}
RUNS=${RUNS:-3}
THREADS=${THREADS:-2}
CONNS=${CONNS:-64}
WORK=$(mktemp -d /tmp/newsdesk-serve-bench.XXXXXX)
chmod 755 "$WORK"   # nginx workers run as another user
ND_PID= NG_PID=
cleanup() {
  local rc=$?
  [ -n "$ND_PID" ] && kill "$ND_PID" 2>/dev/null && wait "$ND_PID" 2>/dev/null || true
  [ -n "$NG_PID" ] && kill "$NG_PID" 2>/dev/null || true
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT

go build -o "$WORK/newsdesk" ./cmd/newsdesk
ND_PORT=$(free_port)
NG_PORT=$(free_port)
while [ "$NG_PORT" = "$ND_PORT" ]; do NG_PORT=$(free_port); done

"$WORK/newsdesk" serve --demo --db "$WORK/nd.db" --addr "127.0.0.1:$ND_PORT" --log-level warn \
  >"$WORK/serve.log" 2>&1 &
ND_PID=$!
wait_http "http://127.0.0.1:$ND_PORT/readyz" 180 || { cat "$WORK/serve.log"; exit 1; }
ND="http://127.0.0.1:$ND_PORT"

# The pages as an anonymous reader sees them (Global Privacy Control off,
# no cookie): newsdesk hands out a reader cookie and records the view.
mkdir -p "$WORK/www/article"; chmod -R a+rX "$WORK/www"
curl -fsS -o "$WORK/www/index.html" "$ND/"
ART=$(grep -o 'href="/article/[0-9]*/[^"]*"' "$WORK/www/index.html" | head -n 1 | sed 's/href="//;s/"$//')
[ -n "$ART" ] || { echo "no article link on the home page" >&2; exit 1; }
curl -fsS -o "$WORK/www/article/page.html" "$ND$ART"
# The returning reader's history: several other articles read first.
READER=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
for a in $(grep -o 'href="/article/[0-9]*/[^"]*"' "$WORK/www/index.html" | sed 's/href="//;s/"$//' | sort -u | grep -vxF "$ART" | head -n 8); do
  curl -fsS -o /dev/null -H "Cookie: nd_reader=$READER" "$ND$a"
done
curl -fsS -o "$WORK/returning.html" -H "Cookie: nd_reader=$READER" "$ND$ART"
if cmp -s "$WORK/returning.html" "$WORK/www/article/page.html"; then
  echo "warning: the returning reader got the anonymous page (no recommendations)" >&2
fi

chmod -R a+rX "$WORK/www"
cat >"$WORK/nginx.conf" <<NGINX
worker_processes auto;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  gzip off;
  default_type text/html;
  server {
    listen 127.0.0.1:$NG_PORT;
    root $WORK/www;
    location = / { try_files /index.html =404; }
    location /article/ { try_files /article/page.html =404; }
  }
}
NGINX
nginx -c "$WORK/nginx.conf" -p "$WORK" &
NG_PID=$!
NG="http://127.0.0.1:$NG_PORT"
wait_http "$NG/" 20 || { cat "$WORK/nginx-error.log"; exit 1; }
cmp -s <(curl -fsS "$NG$ART") "$WORK/www/article/page.html" || { echo "nginx serves other bytes" >&2; exit 1; }

# to_ms converts wrk's latency units to milliseconds.
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; printf "%.2f", v}'; }

# cpu_ticks PID... prints the user+system CPU time, in clock ticks, of the
# processes (all their threads) and of their children (nginx's workers).
cpu_ticks() {
  local p t=0
  for p in "$@" $(for q in "$@"; do pgrep -P "$q"; done); do
    [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$t"
}
HZ=$(getconf CLK_TCK)

# bench NAME URL [HEADER] runs wrk RUNS times and prints "rps p50 p99 cpu
# load" (medians of the runs; cpu is the server's CPU microseconds per
# request, which the machine's load disturbs far less than requests/s).
bench() {
  local url=$2 hdr=${3:-} out rps=() p50=() p99=() cpu=() loads=() pid=$ND_PID t0 t1 n
  case $1 in nginx-*) pid=$NG_PID ;; esac
  local args=(-t"$THREADS" -c"$CONNS" --latency)
  [ -n "$hdr" ] && args+=(-H "$hdr")
  wrk "${args[@]}" -d3s "$url" >/dev/null   # warm-up
  for _ in $(seq "$RUNS"); do
    loads+=("$(quiet_wait 60)")
    t0=$(cpu_ticks "$pid")
    out=$(wrk "${args[@]}" -d"$DURATION" "$url")
    t1=$(cpu_ticks "$pid")
    echo "$out" >>"$WORK/wrk.log"
    if echo "$out" | grep -q 'Non-2xx'; then echo "$1: non-2xx answers" >&2; echo "$out" >&2; fi
    rps+=("$(echo "$out" | awk '/^Requests\/sec/{print $2}')")
    p50+=("$(echo "$out" | awk '$1=="50%"{print $2}' | to_ms)")
    p99+=("$(echo "$out" | awk '$1=="99%"{print $2}' | to_ms)")
    n=$(echo "$out" | awk '/requests in/{print $1}')
    cpu+=("$(awk -v d=$((t1 - t0)) -v hz="$HZ" -v n="$n" 'BEGIN{printf "%.1f", (n > 0 ? d * 1e6 / hz / n : 0)}')")
  done
  med() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
  echo "$(med "${rps[@]}") $(med "${p50[@]}") $(med "${p99[@]}") $(med "${cpu[@]}") $(IFS=/; echo "${loads[*]}")"
}

machine
echo "newsdesk: $ND (article $ART, $(wc -c <"$WORK/www/article/page.html") B; home $(wc -c <"$WORK/www/index.html") B; returning page $(wc -c <"$WORK/returning.html") B)"
echo "nginx:    $NG (worker_processes auto, gzip off, same bytes from files)"
echo "wrk -t$THREADS -c$CONNS --latency -d$DURATION, 3 s warm-up, median of $RUNS runs"
echo

printf '| case | server | req/s | × nginx | p50 ms | p99 ms | CPU µs/req | load1 per run |\n|---|---|---:|---:|---:|---:|---:|---|\n'
row() { # case server rps p50 p99 cpu load ref
  awk -v c="$1" -v s="$2" -v r="$3" -v a="$4" -v b="$5" -v u="$6" -v l="$7" -v ref="$8" \
    'BEGIN{printf "| %s | %s | %.0f | %s | %s | %s | %s | %s |\n", c, s, r, (ref>0? sprintf("%.2f", r/ref) : "1.00"), a, b, u, l}'
}
# Cases that write nothing first: the ones that record a view per request
# leave the site's read writer busy for a while after wrk stops.
read -r ng_a a50 a99 acpu al < <(bench nginx-article "$NG$ART")
row "article" "nginx" "$ng_a" "$a50" "$a99" "$acpu" "$al" 0
read -r r p50 p99 cpu l < <(bench anon-gpc-article "$ND$ART" "Sec-GPC: 1")
row "article, anonymous with Sec-GPC: 1 (nothing recorded)" "newsdesk" "$r" "$p50" "$p99" "$cpu" "$l" "$ng_a"
read -r ng_h h50 h99 hcpu hl < <(bench nginx-home "$NG/")
row "home" "nginx" "$ng_h" "$h50" "$h99" "$hcpu" "$hl" 0
read -r r p50 p99 cpu l < <(bench anon-home "$ND/")
row "home, anonymous" "newsdesk" "$r" "$p50" "$p99" "$cpu" "$l" "$ng_h"
read -r r p50 p99 cpu l < <(bench returning-article "$ND$ART" "Cookie: nd_reader=$READER")
row "article, returning reader (history of 8 reads, personal block)" "newsdesk" "$r" "$p50" "$p99" "$cpu" "$l" "$ng_a"
read -r r p50 p99 cpu l < <(bench anon-article "$ND$ART")
row "article, anonymous (new cookie, view recorded)" "newsdesk" "$r" "$p50" "$p99" "$cpu" "$l" "$ng_a"
echo
echo "newsdesk peak RSS: $(awk '/VmHWM/{printf "%.1f MiB", $2/1024}' /proc/$ND_PID/status)"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
