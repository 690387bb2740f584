# Shared helpers of the newsdesk benchmark scripts (sourced, not run).

# machine prints what the figures were measured on.
machine() {
  echo "date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "nproc:   $(nproc)"
  lscpu | head -n 15 | sed 's/^/lscpu:   /'
  echo "memory:  $(free -h | awk '/^Mem:/{print $2}')"
  echo "go:      $(go version)"
  echo "load:    $(cut -d' ' -f1-3 /proc/loadavg)"
}

load1() { cut -d' ' -f1 /proc/loadavg; }

# quiet_wait waits (at most $1 seconds, default 90) for the 1-minute load
# average to fall under $LOAD_MAX (default 2.0 on this 2-core machine), so
# that other people's builds do not skew a run; it prints the load it
# settled for either way.
quiet_wait() {
  local limit=${1:-90} max=${LOAD_MAX:-2.0} waited=0
  while awk -v l="$(load1)" -v m="$max" 'BEGIN{exit !(l>m)}'; do
    [ "$waited" -ge "$limit" ] && break
    sleep 5; waited=$((waited + 5))
  done
  load1
}

# free_port asks the kernel for an unused 127.0.0.1 port.
free_port() {
  python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])' 2>/dev/null ||
    echo $((20000 + RANDOM % 20000))
}

# wait_http waits up to $2 seconds for URL $1 to answer 200.
wait_http() {
  local i=0
  until curl -fsS -o /dev/null "$1" 2>/dev/null; do
    i=$((i + 1)); [ "$i" -ge $(( ${2:-60} * 5 )) ] && return 1
    sleep 0.2
  done
}
