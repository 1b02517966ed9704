#!/usr/bin/env bash
# The replay check a user runs before trusting a deployment: start the stack, run a load, kill the daemon with
# SIGKILL twice mid-load, start it again, stop the load, and let `tideline verify` compare PostgreSQL with Kafka and
# Iceberg. Exit 0 only when verify passes.
#
#   scripts/replay-test.sh --local   [--dir DIR] [--load-seconds N]   the demo's processes (embedded PostgreSQL,
#                                                                    a KRaft broker, a local warehouse); runs in CI
#   scripts/replay-test.sh --compose                                   the docker-compose.yml stack
#
# Every wait is bounded; on any exit the processes this script started are stopped.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TIDELINE="$ROOT/bin/tideline"
MODE="${1:-}"
shift || true
DIR=""
LOAD_SECONDS=60
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) DIR="$2"; shift 2 ;;
    --load-seconds) LOAD_SECONDS="$2"; shift 2 ;;
    *) echo "replay-test: unknown option $1" >&2; exit 2 ;;
  esac
done

log() { echo "replay-test $(date +%H:%M:%S): $*"; }

# Waits up to $2 seconds for the regular expression $1 in file $3.
await_line() {
  local pattern="$1" seconds="$2" file="$3" waited=0
  until grep -qE "$pattern" "$file" 2>/dev/null; do
    if [ "$waited" -ge "$seconds" ]; then
      log "no line matching '$pattern' in $file after $seconds s; its tail:"; tail -20 "$file" >&2 || true
      return 1
    fi
    sleep 1; waited=$((waited + 1))
  done
}

# Sends signal $2 to pid $1 and waits up to $3 seconds for it to end (then SIGKILL).
stop_pid() {
  local pid="$1" signal="$2" seconds="$3" waited=0
  kill "-$signal" "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$waited" -ge "$seconds" ]; then kill -9 "$pid" 2>/dev/null || true; break; fi
    sleep 1; waited=$((waited + 1))
  done
  wait "$pid" 2>/dev/null || true
}

local_run() {
  [ -n "$DIR" ] || DIR="$(mktemp -d "${TMPDIR:-/tmp}/tideline-replay-XXXXXX")"
  mkdir -p "$DIR"
  DEMO_PID=""; DAEMON_PID=""
  # TERM, not INT: a background job of a non-interactive shell starts with SIGINT ignored, so the JVM never sees it
  trap '[ -n "$DAEMON_PID" ] && stop_pid "$DAEMON_PID" TERM 30; [ -n "$DEMO_PID" ] && stop_pid "$DEMO_PID" TERM 40' EXIT

  log "starting PostgreSQL, Kafka and a ${LOAD_SECONDS} s load in $DIR"
  "$TIDELINE" demo --dir "$DIR" --no-daemon --load-seconds "$LOAD_SECONDS" --status-interval 5 > "$DIR/demo.out" 2>&1 &
  DEMO_PID=$!
  await_line 'workload: ' 240 "$DIR/demo.out"
  local config="$DIR/tideline.properties"

  start_daemon() {
    "$TIDELINE" run --config "$config" >> "$DIR/daemon.out" 2>&1 &
    DAEMON_PID=$!
    log "daemon started (pid $DAEMON_PID)"
  }
  start_daemon
  for kill_after in 15 12; do
    sleep "$kill_after"
    kill -0 "$DAEMON_PID" 2>/dev/null || { log "the daemon exited by itself; its log tail:"; tail -30 "$DIR/daemon.out" >&2; exit 1; }
    log "kill -9 of the daemon (pid $DAEMON_PID) mid-load"
    kill -9 "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true
    start_daemon
  done
  await_line '^workload stopped' $((LOAD_SECONDS + 120)) "$DIR/demo.out"
  log "load stopped; running tideline verify"
  set +e
  "$TIDELINE" verify --config "$config" --timeout 180s | tee "$DIR/verify.out"
  local rc=${PIPESTATUS[0]}
  set -e
  log "verify exited with $rc"
  return "$rc"
}

compose_run() {
  command -v docker >/dev/null || { echo "replay-test: --compose needs docker" >&2; exit 2; }
  local compose=(docker compose -f "$ROOT/docker-compose.yml")
  trap '"${compose[@]}" stop workload >/dev/null 2>&1 || true' EXIT
  log "starting the compose stack"
  "${compose[@]}" up -d --wait
  sleep 20
  for _ in 1 2; do
    log "SIGKILL of the tideline container mid-load"
    "${compose[@]}" kill -s SIGKILL tideline
    "${compose[@]}" start tideline
    sleep 15
  done
  log "stopping the load; running tideline verify"
  "${compose[@]}" stop workload
  "${compose[@]}" exec -T tideline /opt/tideline/bin/tideline verify --config /etc/tideline/tideline.properties --timeout 10m
}

case "$MODE" in
  --local) local_run ;;
  --compose) compose_run ;;
  *) echo "usage: scripts/replay-test.sh --local|--compose [--dir DIR] [--load-seconds N]" >&2; exit 2 ;;
esac
