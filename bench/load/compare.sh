#!/usr/bin/env bash
# Two builds of the server, alternately, each on a fresh demo database under the
# same surge with officers (no physical limit: only the server changes). Prints one
# line per run: the build, the server's CPU, the rate, p50 / p99 per request kind.
# Usage: bench/load/compare.sh PEOPLE_CSV OLD_MUSTER NEW_MUSTER [RUNS] [muster-load options]
# (RUNS per build, 3 unless given; REGISTRATIONS=20000 CONCURRENCY=64 from the environment.)
set -euo pipefail
cd "$(dirname "$0")/../.."
people=${1:?usage: compare.sh PEOPLE_CSV OLD_MUSTER NEW_MUSTER [RUNS]}
old=$(realpath "${2:?the old build}")
new=$(realpath "${3:?the new build}")
runs=${4:-3}
CARGO_TARGET_DIR=${LOAD_TARGET_DIR:-bench/load/target} \
  cargo build --release --manifest-path bench/load/Cargo.toml >&2
load=${LOAD_TARGET_DIR:-bench/load/target}/release/muster-load

one_run() {
  local muster=$1 dir port server
  dir=$(mktemp -d /tmp/muster-compare.XXXXXX)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$muster" demo --data-dir "$dir" --password surge-password --no-serve >/dev/null 2>&1
  "$muster" serve --data-dir "$dir" --registrations-per-hour 0 --listen "127.0.0.1:$port" \
    >"$dir/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/api/health" >/dev/null && break; sleep 0.2; done
  # The matcher's first index of the demo settles before the surge starts.
  sleep 5
  "$load" --base "http://127.0.0.1:$port" --people "$people" --password surge-password \
    --registrations "${REGISTRATIONS:-20000}" --concurrency "${CONCURRENCY:-64}" \
    --duration 120 "${@:2}" >"$dir/report.json" 2>"$dir/load.err" || true
  # utime + stime, in clock ticks of 1/100 s.
  local cpu
  cpu=$(awk '{printf "%.1f", ($14+$15)/100}' "/proc/$server/stat")
  kill "$server"
  wait "$server" 2>/dev/null || true
  python3 - "$dir/report.json" "$muster" "$cpu" <<'PY'
import json, sys
report, muster, cpu = sys.argv[1:]
r = json.load(open(report))
kinds = " ".join(f"{k} {v['p50_ms']:.0f}/{v['p99_ms']:.0f} ms" for k, v in sorted(r["kinds"].items()))
print(f"{muster}: server CPU {cpu} s, {r['registrations_per_second']:.0f}/s, {kinds}")
PY
  rm -rf "$dir"
}

for _ in $(seq "$runs"); do
  one_run "$old" "${@:5}"
  one_run "$new" "${@:5}"
done
