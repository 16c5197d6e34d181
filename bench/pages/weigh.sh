#!/usr/bin/env bash
# Weighs the self-registration pages in every language, raw and gzip on the
# wire, against a fresh `muster demo`. Prints a Markdown table.
#   CARGO_TARGET_DIR=... bench/pages/weigh.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --bin muster >&2
bin="${CARGO_TARGET_DIR:-target}/release/muster"
dir=$(mktemp -d)
port=18793
"$bin" demo --data-dir "$dir" --password "weigh pages 1" --listen "127.0.0.1:$port" >"$dir/log" 2>&1 &
pid=$!
trap 'kill $pid; rm -rf "$dir"' EXIT
until curl -sf "http://127.0.0.1:$port/api/health" >/dev/null; do sleep 0.2; done
base="http://127.0.0.1:$port"
weigh() { # label, curl args...
  local label=$1; shift
  local raw gz
  raw=$(curl -s -o /dev/null -w '%{size_download}' "$@")
  gz=$(curl -s -H 'Accept-Encoding: gzip' -o /dev/null -w '%{size_download}' "$@")
  echo "| $label | $raw | $gz |"
}
echo "| page | bytes | gzip on the wire |"
echo "| --- | ---: | ---: |"
for lang in en fa ps de da nb fi; do
  weigh "\`/register?lang=$lang\`" "$base/register?lang=$lang"
done
weigh "\`/register/status?lang=fa\`" "$base/register/status?lang=fa"
form=(-H "Origin: $base" --data-urlencode "language=fa" --data-urlencode "idempotency_key=weigh-1"
  --data-urlencode "members[0].full_name_native=محمد نبی" --data-urlencode "members[0].date_of_birth=1360"
  --data-urlencode "phone=0701234567")
weigh "registered (done page, fa)" "${form[@]}" "$base/api/operations/kabul-2021/registrations"
weigh "stylesheet \`/static/muster.css\`" "$base/static/muster.css"
