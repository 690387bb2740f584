#!/usr/bin/env bash
# Load while ingesting: wrk at 256 connections against the demo site, once
# while it is idle and once while the same process ingests the feedserver
# corpus (500 feeds × 50 items by default) that an editor has just added.
# Prints a Markdown table: requests/s, latency, errors and non-2xx answers
# in each phase, and how much was ingested during the loaded window.
#
#   bench/load.sh
#   DURATION=30s FEEDS=200 bench/load.sh
#   ARTICLES=60 bench/load.sh     # readers spread over 60 articles
#   PG=postgres://root@127.0.0.1:5432 bench/load.sh   # two processes on PostgreSQL
#   NEWSDESK_BIN=/tmp/nd-old bench/load.sh            # another build, side by side
#
# With PG set the site runs on a fresh PostgreSQL database of that server
# (dropped at the end) as a web node (`serve --no-ingest`), and a separate
# `newsdesk ingest` worker fetches the corpus: the web node learns of the
# worker's batches from PostgreSQL notifications.
#
# Readers ask for a mix of pages (wrk script below): the home page, three
# sections and eight articles, as anonymous readers with Global Privacy
# Control off and no cookie, so that each view is recorded. At most once a
# second, ingest's stores drop the cached lists and the pages of the
# stories they touched, which are then rendered again: that, and ingest's
# own CPU, is the cost this measures.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

DURATION=${DURATION:-60s}
CONNS=${CONNS:-256}
THREADS=${THREADS:-2}
FEEDS=${FEEDS:-500}
ITEMS=${ITEMS:-50}
WORKERS=${WORKERS:-4}
ARTICLES=${ARTICLES:-8}  # articles in the mix: 8 from the home page, or the N newest of the demo
EXTRACT=${EXTRACT:---extract}   # EXTRACT= for feed text only
FEEDSERVER_SRC=${FEEDSERVER_SRC:-../shared/tools/feedserver}
PG=${PG:-}
WORK=$(mktemp -d /tmp/newsdesk-load-bench.XXXXXX)
PGNAME=nd_load_$$
ND_PID= FS_PID= W_PID=
cleanup() {
  local rc=$?
  for pid in "$ND_PID" "$W_PID" "$FS_PID"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  done
  [ -n "$PG" ] && psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $PGNAME" >/dev/null 2>&1 || true
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT

command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)" >&2; exit 1; }
if [ -n "${NEWSDESK_BIN:-}" ]; then
  cp "$NEWSDESK_BIN" "$WORK/newsdesk"
else
  go build -o "$WORK/newsdesk" ./cmd/newsdesk
fi
cp -r "$FEEDSERVER_SRC" "$WORK/feedserver-src"
chmod -R u+w "$WORK/feedserver-src"
(cd "$WORK/feedserver-src" && GOFLAGS=-mod=mod go build -o "$WORK/feedserver" .)
FS_PORT=$(free_port)
"$WORK/feedserver" -addr "127.0.0.1:$FS_PORT" -feeds "$FEEDS" -items "$ITEMS" -seed 1 >"$WORK/feedserver.log" 2>&1 &
FS_PID=$!
FS="http://127.0.0.1:$FS_PORT"
wait_http "$FS/_stats" 60 || { cat "$WORK/feedserver.log"; exit 1; }
curl -fsS -o "$WORK/opml.xml" "$FS/opml.xml"

DB="$WORK/nd.db"
NODE=()
if [ -n "$PG" ]; then
  psql "$PG/postgres" -qc "CREATE DATABASE $PGNAME" >/dev/null
  DB="$PG/$PGNAME?sslmode=disable"
  NODE=(--no-ingest)
  export NEWSDESK_SECRET=${NEWSDESK_SECRET:-load-bench-secret-0123456789abcdef}
fi
ND_PORT=$(free_port)
while [ "$ND_PORT" = "$FS_PORT" ]; do ND_PORT=$(free_port); done
MX_PORT=$(free_port)
while [ "$MX_PORT" = "$FS_PORT" ] || [ "$MX_PORT" = "$ND_PORT" ]; do MX_PORT=$(free_port); done
FETCH=(--workers "$WORKERS" --allow-private 127.0.0.0/8 --per-host-interval=-1ns --per-host-concurrency 8)
# The scheduler looks for due sources every 30 s (its default tick).
"$WORK/newsdesk" serve --demo --db "$DB" --addr "127.0.0.1:$ND_PORT" --metrics-addr "127.0.0.1:$MX_PORT" --log-level warn "${FETCH[@]}" "${NODE[@]}" \
  >"$WORK/serve.log" 2>&1 &
ND_PID=$!
ND="http://127.0.0.1:$ND_PORT"
# sql prints the rows of a query, one column a line.
sql() {
  if [ -n "$PG" ]; then
    psql "$DB" -tAc "$1"
  else
    python3 -c 'import sqlite3,sys
for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]): print(r[0])' "$DB" "$1"
  fi
}
wait_http "$ND/readyz" 180 || { cat "$WORK/serve.log"; exit 1; }

curl -fsS -o "$WORK/home.html" "$ND/"
{
  echo "/"
  grep -o 'href="/section/[^"]*"' "$WORK/home.html" | sed 's/href="//;s/"$//' | sort -u | head -n 3
  if [ "$ARTICLES" -le 8 ]; then
    grep -o 'href="/article/[0-9]*/[^"]*"' "$WORK/home.html" | sed 's/href="//;s/"$//' | sort -u | head -n "$ARTICLES"
  else
    sql "select '/article/' || id || '/' || slug from articles where status = 'published' order by published_at desc limit $ARTICLES"
  fi
} >"$WORK/paths"
[ "$(wc -l <"$WORK/paths")" -ge 5 ] || { echo "too few links on the home page" >&2; exit 1; }
{
  echo 'local paths = {'
  sed 's/.*/  "&",/' "$WORK/paths"
  echo '}'
  cat <<'LUA'
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
-- wrk counts only socket errors and non-2xx/3xx as errors; count every
-- status that is not 200 or 304 here, so a 3xx would not hide either.
local bad = 0
response = function(status, headers, body)
  if status ~= 200 and status ~= 304 then bad = bad + 1 end
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT rps=%.0f p50=%.2f p99=%.2f requests=%d connect=%d read=%d write=%d timeout=%d non2xx=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, e.connect, e.read, e.write, e.timeout, e.status))
end
LUA
} >"$WORK/mix.lua"

articles() { sql "select count(*) from articles"; }
# lookups RESULT prints the page cache's lookups so far with that result.
lookups() { curl -fsS "http://127.0.0.1:$MX_PORT/metrics" | awk -v r="$1" '$1 == "newsdesk_page_cache_lookups_total{result=\""r"\"}" {printf "%d", $2}'; }
stat() { curl -fsS "$FS/_stats" | grep -o "\"$1\": *[0-9]*" | grep -o '[0-9]*$'; }

# phase NAME prints one table row from a wrk run of $DURATION.
phase() {
  local name=$1 before after load out hits misses stale
  before=$(articles)
  load=$(load1)
  hits=$(lookups hit) misses=$(lookups miss) stale=$(lookups stale)
  out=$(wrk -t"$THREADS" -c"$CONNS" --latency -d"$DURATION" -s "$WORK/mix.lua" "$ND" 2>&1 | grep '^RESULT' || true)
  after=$(articles)
  hits=$(($(lookups hit) - hits)) misses=$(($(lookups miss) - misses)) stale=$(($(lookups stale) - stale))
  [ -n "$out" ] || { echo "wrk gave no result" >&2; exit 1; }
  # shellcheck disable=SC2086
  local $(echo "${out#RESULT }")
  echo "| $name | $rps | $p50 | $p99 | $requests | $((connect + read + write + timeout)) | $non2xx | $((after - before)) | $(awk -v h="$hits" -v m="$misses" -v s="$stale" 'BEGIN{n = h + m + s; printf "%.2f %% / %.2f %%", n ? 100 * m / n : 0, n ? 100 * s / n : 0}') | $load |"
}

machine
if [ -n "$PG" ]; then
  echo "feedserver -feeds $FEEDS -items $ITEMS -seed 1; PostgreSQL; newsdesk serve --demo --no-ingest, and newsdesk ingest --workers $WORKERS; sources imported ${EXTRACT:-(feed text)}"
else
  echo "feedserver -feeds $FEEDS -items $ITEMS -seed 1; newsdesk serve --demo --workers $WORKERS; sources imported ${EXTRACT:-(feed text)}"
fi
echo "wrk -t$THREADS -c$CONNS -d$DURATION over $(wc -l <"$WORK/paths") pages (home, sections, $ARTICLES articles)"
echo
echo "| phase | req/s | p50 ms | p99 ms | requests | socket errors | non-2xx | articles stored during the run | page cache misses / stale | load1 |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
wrk -t"$THREADS" -c"$CONNS" -d3s -s "$WORK/mix.lua" "$ND" >/dev/null 2>&1   # warm-up
phase idle
# An editor adds the feed corpus while readers keep reading; wait for the
# scheduler's next pass to start fetching it.
# shellcheck disable=SC2086
"$WORK/newsdesk" sources import --db "$DB" $EXTRACT "$WORK/opml.xml" >/dev/null 2>&1
curl -fsS -o /dev/null "$FS/_stats?reset=1"
if [ -n "$PG" ]; then
  "$WORK/newsdesk" ingest --db "$DB" --tick 1s --log-level warn "${FETCH[@]}" >"$WORK/ingest.log" 2>&1 &
  W_PID=$!
fi
for _ in $(seq 1 200); do [ "$(stat feed_200)" -gt 0 ] && break; sleep 0.2; done
phase ingesting
echo
echo "feeds fetched by the end: $(stat feed_200) of $FEEDS; article pages: $(stat article_200); articles in the database: $(articles)"
echo "newsdesk peak RSS: $(awk '/VmHWM/{printf "%.0f MiB", $2/1024}' /proc/$ND_PID/status)"
[ -n "$W_PID" ] && echo "ingest worker peak RSS: $(awk '/VmHWM/{printf "%.0f MiB", $2/1024}' /proc/$W_PID/status)"
grep -c '"level":"ERROR"' "$WORK/serve.log" | sed 's/^/errors logged by newsdesk: /' || true
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
