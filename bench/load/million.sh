#!/usr/bin/env bash
# The surge on a registry of 1,000,000 persons (SQLite by default): loads ~400,000 households
# into a fresh demo with the surge itself, starts the server again on that database
# (the matcher indexes the registry at start), then runs the measured surge with
# officers and the physical limit. Prints the measured surge's JSON; the server's
# memory, sampled every 2 s, goes to stderr at the end.
# Usage: bench/load/million.sh PEOPLE_CSV [HOUSEHOLDS] [DIR] [DATABASE_URL]
# With DATABASE_URL (postgres://..., an empty database), the server runs on PostgreSQL.
# A DIR holding a database loaded by an earlier run is measured again without loading
# (give each such run its own SEED, or its households are replays of the last one).
set -euo pipefail
cd "$(dirname "$0")/../.."
people=${1:?usage: million.sh PEOPLE_CSV [HOUSEHOLDS] [DIR] [DATABASE_URL]}
households=${2:-400000}
dir=${3:-$(mktemp -d /tmp/muster-million.XXXXXX)}
database=${4:-}
args=(--data-dir "$dir/data")
if [ -n "$database" ]; then args+=(--database "$database"); else database="sqlite://$dir/data/muster.db"; fi
target=${CARGO_TARGET_DIR:-target}
# The server as deployed (Cargo.toml, `production`); PROFILE=release builds faster.
profile=${PROFILE:-production}
cargo build --profile "$profile" --bin muster >&2
CARGO_TARGET_DIR=${LOAD_TARGET_DIR:-bench/load/target} \
  cargo build --release --manifest-path bench/load/Cargo.toml >&2
muster=$target/$profile/muster
load=${LOAD_TARGET_DIR:-bench/load/target}/release/muster-load
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
serve() {
  "$muster" serve "${args[@]}" --registrations-per-hour 0 \
    --listen "127.0.0.1:$port" >>"$dir/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/api/health" >/dev/null && break; sleep 0.2; done
}
trap 'kill $server 2>/dev/null || true' EXIT
if [ ! -f "$dir/loaded" ]; then
  "$muster" demo "${args[@]}" --password surge-password --no-serve >&2
  serve
  "$load" --base "http://127.0.0.1:$port" --people "$people" --password surge-password \
    --registrations "$households" --concurrency 256 --officer-every 0 --duration 3600 --seed 11 \
    >"$dir/load.json"
  kill $server; wait $server 2>/dev/null || true
  touch "$dir/loaded"
fi
serve
( while kill -0 $server 2>/dev/null; do ps -o rss= -p $server; sleep 2; done ) >"$dir/rss" &
# The matcher indexes the registry at start; the surge begins once it has.
sleep 90
"$load" --base "http://127.0.0.1:$port" --people "$people" --password surge-password \
  --registrations 20000 --concurrency 128 --officer-every 20 --duration 600 --seed "${SEED:-12}" \
  --database "$database"
echo "server RSS after start, peak: $(sort -n "$dir/rss" | tail -1) KiB (data in $dir)" >&2
