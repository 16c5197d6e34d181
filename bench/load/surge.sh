#!/usr/bin/env bash
# One surge on a fresh demo database: builds the server (the production profile) and the load
# generator, loads the demo, serves it, replays the surge with officers
# searching, measures the physical limit on the same database, prints JSON.
# Usage: bench/load/surge.sh PEOPLE_CSV [REGISTRATIONS] [CONCURRENCY] [DATABASE_URL] [muster-load options]
# With DATABASE_URL (postgres://...), the server runs on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/../.."
people=${1:?usage: surge.sh PEOPLE_CSV [REGISTRATIONS] [CONCURRENCY] [DATABASE_URL]}
count=${2:-20000}
concurrency=${3:-64}
database=${4:-}
target=${CARGO_TARGET_DIR:-target}
# The server as deployed (Cargo.toml, `production`); PROFILE=release builds faster.
profile=${PROFILE:-production}
cargo build --profile "$profile" --bin muster >&2
CARGO_TARGET_DIR=${LOAD_TARGET_DIR:-bench/load/target} \
  cargo build --release --manifest-path bench/load/Cargo.toml >&2
load=${LOAD_TARGET_DIR:-bench/load/target}/release/muster-load
dir=$(mktemp -d /tmp/muster-surge.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
args=(--data-dir "$dir")
if [ -n "$database" ]; then args+=(--database "$database"); else database="sqlite://$dir/muster.db"; fi
"$target/$profile/muster" demo "${args[@]}" --password surge-password --no-serve >&2
"$target/$profile/muster" serve "${args[@]}" --registrations-per-hour 0 \
  --listen "127.0.0.1:$port" >"$dir/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/api/health" >/dev/null && break; sleep 0.2; done
# The surge meets a server that has settled: at start the matcher learns and indexes the
# demo's registry and the writer merges the demo's name words, about a second's work.
sleep 3
# The server's memory, sampled every second.
( while kill -0 $server 2>/dev/null; do ps -o rss= -p $server; sleep 1; done ) >"$dir/rss" &
"$load" --base "http://127.0.0.1:$port" --people "$people" --password surge-password \
  --registrations "$count" --concurrency "$concurrency" --duration 120 --database "$database" "${@:5}"
echo "server peak RSS: $(sort -n "$dir/rss" | tail -1) KiB" >&2
