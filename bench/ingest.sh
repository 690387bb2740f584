#!/usr/bin/env bash
# Ingest benchmark: newsdesk reads the feedserver corpus (500 feeds × 50
# items by default) from 127.0.0.1 three times, into a new database each
# time, and prints a Markdown table:
#
#   feed-only  the feed's text alone: sources imported with --no-page-fetch
#              (what Miniflux does without its crawler)
#   feed-text  the default: an item's page is fetched and extracted only
#              when the feed gives less text than a short article (7,508 of
#              the corpus's 25,000 items)
#   extract    every source set to extract every item's full page
#
#   bench/ingest.sh
#   FEEDS=100 ITEMS=50 bench/ingest.sh
#
# /usr/bin/time -v measures the newsdesk process alone (user+sys CPU, wall,
# peak RSS). The fetcher's per-host spacing (250 ms by default, meant for
# other people's servers) is turned off for the local feed server with
# --per-host-interval -1 and --per-host-concurrency 8, or every page would
# wait its turn on the one host 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

FEEDS=${FEEDS:-500}
ITEMS=${ITEMS:-50}
WORKERS=${WORKERS:-4}
FEEDSERVER_SRC=${FEEDSERVER_SRC:-../shared/tools/feedserver}
WORK=$(mktemp -d /tmp/newsdesk-ingest-bench.XXXXXX)
FS_PID=
cleanup() {
  local rc=$?
  [ -n "$FS_PID" ] && kill "$FS_PID" 2>/dev/null && wait "$FS_PID" 2>/dev/null || true
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT

go build -o "$WORK/newsdesk" ./cmd/newsdesk
cp -r "$FEEDSERVER_SRC" "$WORK/feedserver-src"
chmod -R u+w "$WORK/feedserver-src"
(cd "$WORK/feedserver-src" && GOFLAGS=-mod=mod go build -o "$WORK/feedserver" .)
PORT=$(free_port)
"$WORK/feedserver" -addr "127.0.0.1:$PORT" -feeds "$FEEDS" -items "$ITEMS" -seed 1 >"$WORK/feedserver.log" 2>&1 &
FS_PID=$!
FS="http://127.0.0.1:$PORT"
wait_http "$FS/_stats" 60 || { cat "$WORK/feedserver.log"; exit 1; }
curl -fsS -o "$WORK/opml.xml" "$FS/opml.xml"

POLITE=(--allow-private 127.0.0.0/8 --per-host-interval=-1ns --per-host-concurrency 8)

# run NAME [--extract]: import, ingest once under /usr/bin/time -v, check
# the feed server's counters; prints one table row.
run() {
  local name=$1; shift
  local db="$WORK/$name.db"
  "$WORK/newsdesk" sources import --db "$db" "$@" "$WORK/opml.xml" >/dev/null 2>&1
  curl -fsS -o /dev/null "$FS/_stats?reset=1"
  local load; load=$(quiet_wait 90)
  /usr/bin/time -v -o "$WORK/$name.time" "$WORK/newsdesk" ingest --once --quiet --db "$db" \
    --workers "$WORKERS" "${POLITE[@]}" --log-level error >"$WORK/$name.out" 2>"$WORK/$name.err" || {
      cat "$WORK/$name.err" >&2; cat "$WORK/$name.out" >&2; }
  curl -fsS "$FS/_stats" >"$WORK/$name.stats"
  local user sys wall rss created
  user=$(awk -F': ' '/User time/{print $2}' "$WORK/$name.time")
  sys=$(awk -F': ' '/System time/{print $2}' "$WORK/$name.time")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$WORK/$name.time" | awk -F: '{s=0; for(i=1;i<=NF;i++) s=s*60+$i; print s}')
  rss=$(awk -F': ' '/Maximum resident/{printf "%.0f", $2/1024}' "$WORK/$name.time")
  created=$(grep -o '[0-9]* new' "$WORK/$name.out" | awk '{print $1}')
  local f200 f304 a200 nf
  f200=$(grep -o '"feed_200": *[0-9]*' "$WORK/$name.stats" | grep -o '[0-9]*$')
  f304=$(grep -o '"feed_304": *[0-9]*' "$WORK/$name.stats" | grep -o '[0-9]*$')
  a200=$(grep -o '"article_200": *[0-9]*' "$WORK/$name.stats" | grep -o '[0-9]*$')
  nf=$(grep -o '"not_found": *[0-9]*' "$WORK/$name.stats" | grep -o '[0-9]*$')
  local once="yes"; [ "$f200" = "$FEEDS" ] && [ "${f304:-0}" = 0 ] || once="NO"
  awk -v n="$name" -v u="$user" -v s="$sys" -v w="$wall" -v r="$rss" -v c="$created" -v f="$f200" -v a="$a200" \
      -v o="$once" -v nf="$nf" -v l="$load" -v db="$(du -m "$db" | cut -f1)" \
    'BEGIN{cpu=u+s; printf "| %s | %d | %.1f | %.1f | %.1f | %.0f | %.0f | %d | %d | %d (%s) | %d | %s |\n", n, c, u, s, w, c/cpu, r, db, a, f, o, nf, l}'
  tail -n 1 "$WORK/$name.out" >&2
}

machine
echo "feedserver: $FS, -feeds $FEEDS -items $ITEMS -seed 1; newsdesk ingest --once --workers $WORKERS ${POLITE[*]}"
echo
echo "| run | items stored | user s | sys s | wall s | items / CPU-s | peak RSS MiB | DB MiB | article pages fetched | feeds fetched (each once) | 404s | load1 |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
run feed-only --no-page-fetch
run feed-text
run extract --extract
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
