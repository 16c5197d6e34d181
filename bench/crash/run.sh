#!/usr/bin/env bash
# Crash safety: a self-registration surge, the server killed with SIGKILL in
# the middle, restarted, and every acknowledged registration looked for
# (bench/crash/surge.py does the surge and the checks), then
# `muster verify-audit`. On SQLite (--data-dir) and PostgreSQL (--database,
# a throwaway server from scripts/pg-start).
#
# Usage: bench/crash/run.sh [sqlite|postgres|both]      (default: both)
# Settings (environment): CLIENTS (64), KILL_AFTER (seconds of surge, 6),
# RESEND (in-flight requests resent after the restart, 20), PORT (18080),
# CARGO_TARGET_DIR (honoured). Results go to bench/out/crash-*.json and
# the server logs to bench/out/crash-*.log.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
which=${1:-both}
case $which in sqlite | postgres | both) ;; *) echo "usage: $0 [sqlite|postgres|both]" >&2; exit 2 ;; esac

cargo build --release --bin muster
bin=${CARGO_TARGET_DIR:-$root/target}/release/muster
out=$root/bench/out
mkdir -p "$out"
work=$(mktemp -d /tmp/muster-crash.XXXXXX)
chmod 755 "$work" # the postgres user must reach its data directory
touch "$work/.started"
pg_dir=$work/pg
password="crash-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
cleanup() {
  if [ -d "$pg_dir" ]; then scripts/pg-stop "$pg_dir" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

status=0
run() {
  local label=$1
  shift
  # The master key that wraps the operation's data key (encryption at rest),
  # kept with the throwaway data rather than in ./muster-data.
  export MUSTER_MASTER_KEY_FILE=$work/$label.master.key
  echo "== $label: loading the demo operation"
  "$bin" demo --no-serve "$@" --password "$password" >"$out/crash-$label.demo.log" 2>&1
  rm -f "$out/crash-$label.log"
  python3 bench/crash/surge.py --bin "$bin" --label "$label" --password "$password" \
    --port "${PORT:-18080}" --clients "${CLIENTS:-64}" --kill-after "${KILL_AFTER:-6}" \
    --resend "${RESEND:-20}" --log "$out/crash-$label.log" --json "$out/crash-$label.json" \
    -- "$@" || status=1
}

if [ "$which" != postgres ]; then
  run sqlite --data-dir "$work/sqlite"
fi
if [ "$which" != sqlite ]; then
  url=$(scripts/pg-start "$pg_dir")
  run postgres --database "$url"
fi

echo
echo "backend   sent  acknowledged  intact  lost  in-flight  resent(replayed)  two-cases  audit"
for label in sqlite postgres; do
  f=$out/crash-$label.json
  [ -f "$f" ] && [ "$f" -nt "$work/.started" ] || continue
  python3 - "$f" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"{s['backend']:<9} {s['requests_sent']:>5} {s['acknowledged_before_kill']:>13} {s['found_intact']:>7}"
      f" {s['lost_or_altered']:>5} {s['in_flight_at_kill']:>10} {s['inflight_resent']:>7}({s['inflight_resent_replayed']})"
      f" {s['households_with_two_cases']:>17}  {s['verify_audit']} (exit {s['verify_audit_exit']})")
EOF
done
exit $status
