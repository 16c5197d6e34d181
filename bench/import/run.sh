#!/usr/bin/env bash
# Import benchmark: a synthetic 100,000-row staff list through `muster import`,
# as a dry run (read, map, validate) and for real (one transaction into SQLite).
set -euo pipefail
cd "$(dirname "$0")/../.."
rows=${ROWS:-100000}
out=bench/out/import; mkdir -p "$out"
cargo build --release --bin muster
bin="${CARGO_TARGET_DIR:-target}/release/muster"
python3 bench/import/gen_staff_list.py "$rows" "$out/staff.csv"
rm -rf "$out/data"
"$bin" demo --data-dir "$out/data" --password "bench password" --no-serve >/dev/null 2>&1
for mode in --dry-run ""; do
  echo "muster import $mode ($rows rows):"
  /usr/bin/time -f "  %e s wall, %M KB peak" "$bin" import --data-dir "$out/data" --operation kabul-2021 \
    --source bench $mode --json "$out/staff.csv" 2>&1 | grep -v "database ready"
done
