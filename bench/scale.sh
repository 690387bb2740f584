#!/usr/bin/env bash
# Scale benchmark: synthetic corpora of 10k and 100k articles (SIZES="10000
# 100000 1000000" for 1M) made with `newsdesk bench gen`, then uncached
# page renders and searches (`newsdesk bench pages`, in a fresh process and
# after --warm), the database size per
# article, and the peak RSS of `serve --no-ingest` after it has served a few
# hundred distinct pages. Then the per-article benchmarks of the enrichment
# and store packages. Prints Markdown.
#
#   bench/scale.sh
#   SIZES=1000000 REQUESTS=200 bench/scale.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

SIZES=${SIZES:-10000 100000}
REQUESTS=${REQUESTS:-300}
KEEP=${KEEP:-}   # a folder to keep the generated databases in
WORK=$(mktemp -d /tmp/newsdesk-scale-bench.XXXXXX)
ND_PID=
cleanup() {
  local rc=$?
  [ -n "$ND_PID" ] && kill "$ND_PID" 2>/dev/null && wait "$ND_PID" 2>/dev/null || true
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
go build -o "$WORK/newsdesk" ./cmd/newsdesk
machine
echo

for n in $SIZES; do
  dir=${KEEP:-$WORK}; mkdir -p "$dir"
  db="$dir/scale-$n.db"
  echo "### $n articles"
  echo
  if [ ! -s "$db" ]; then
    echo "load before generating: $(quiet_wait 60)"
    /usr/bin/time -f 'gen: %e s wall, %U s user, %S s sys, peak RSS %M KiB' \
      "$WORK/newsdesk" bench gen --articles "$n" --db "$db" 2>"$WORK/gen.err" | tee "$WORK/gen.out"
    grep '^gen:' "$WORK/gen.err"
  fi
  echo
  echo "load before rendering: $(quiet_wait 60)"
  "$WORK/newsdesk" bench pages --db "$db" --requests "$REQUESTS"
  echo
  # The same, as a server that has been running renders them: home, every
  # section and as many other articles served first, unmeasured.
  "$WORK/newsdesk" bench pages --db "$db" --requests "$REQUESTS" --warm "$REQUESTS"
  echo
  # Peak RSS of the server after it served home, every section, 400
  # distinct articles and searches (its page cache filling up).
  port=$(free_port)
  "$WORK/newsdesk" serve --no-ingest --db "$db" --addr "127.0.0.1:$port" --log-level warn >"$WORK/serve.log" 2>&1 &
  ND_PID=$!
  wait_http "http://127.0.0.1:$port/readyz" 120
  base="http://127.0.0.1:$port"
  {
    echo "$base/"
    curl -fsS "$base/" | grep -o 'href="/section/[^"]*"' | sed "s|href=\"|$base|;s|\"$||" | sort -u
    for i in $(seq 1 400); do echo "$base/article/$(( (i * 7919) % n + 1 ))"; done
    for q in ceasefire oil+prices nuclear minister drought; do echo "$base/search?q=$q"; done
  } >"$WORK/urls"
  xargs -P 8 -n 20 curl -fsSL -H "Sec-GPC: 1" <"$WORK/urls" >/dev/null 2>&1 || true
  echo "serve --no-ingest peak RSS after $(wc -l <"$WORK/urls") distinct pages: $(awk '/VmHWM/{printf "%.1f MiB", $2/1024}' /proc/$ND_PID/status)"
  kill "$ND_PID"; wait "$ND_PID" 2>/dev/null || true; ND_PID=
  echo
done

echo "### per-article cost of enrichment and storing (go test -bench)"
echo
echo "load: $(quiet_wait 60)"
echo '```'
# The story clusterer's own 10k and 100k benchmarks (its 1M one takes long;
# STORY_BENCH='Enrich' runs it too).
go test -run '^$' -bench "${STORY_BENCH:-Enrich(10k|100k)\$}" -benchmem -benchtime 2x -timeout 20m ./enrich/story 2>&1 | grep -E '^(Benchmark|ok|FAIL)' || true
go test -run '^$' -bench . -benchmem -timeout 10m ./store/sqlite ./enrich/dedup ./enrich/section ./enrich/entity ./enrich/lang ./enrich/dateline ./index ./sanitize ./parse ./extract 2>&1 | grep -E '^(Benchmark|ok|FAIL)' || true
echo '```'
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
