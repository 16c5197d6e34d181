#!/usr/bin/env bash
# One new person matched against a registry of 1,000,000 generated Afghan records held in
# an Index (the server's case): p50/p99/max per look-up and the memory of the index.
#
#   bench/matching/latency.sh                 # 1,000,000 records (gen.py --seed 3)
#   RECORDS=100000 bench/matching/latency.sh  # a smaller registry (gen.py --seed 2)
#
# The registry is the one run.sh generates for its scale step (bench/out/matching/afg1m);
# the new people are 2,000 records of another seed (gen.py --seed 4), so none of them is in
# the index. Runs crates/matching/benches/index_latency.rs through `cargo bench`.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=$(cd "$ROOT/../shared" && pwd)
OUT=$ROOT/bench/out/matching
GEN=$SHARED/data/afghan_names/gen.py
RECORDS=${RECORDS:-1000000}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/cache/muster-target-matching}
mkdir -p "$OUT"

case $RECORDS in
  1000000) REG=$OUT/afg1m; SEED=3 ;;
  100000) REG=$OUT/afg100k; SEED=2 ;;
  *) REG=$OUT/afg$RECORDS; SEED=5 ;;
esac
[[ -f $REG/people.csv ]] || nice -n 10 python3 "$GEN" --seed "$SEED" --records "$RECORDS" --out "$REG"
[[ -f $OUT/afg_new/people.csv ]] || nice -n 10 python3 "$GEN" --seed 4 --records 2000 --out "$OUT/afg_new"

(cd "$ROOT" && cargo bench -p muster-matching --bench index_latency --no-run)
cd "$ROOT"
MUSTER_INDEX_CSV=$REG/people.csv MUSTER_QUERY_CSV=$OUT/afg_new/people.csv MUSTER_QUERIES=2000 \
  /usr/bin/time -v -o "$OUT/latency_$RECORDS.time" \
  cargo bench -p muster-matching --bench index_latency | tee "$OUT/latency_$RECORDS.txt"
grep -E "Maximum resident" "$OUT/latency_$RECORDS.time" | tee -a "$OUT/latency_$RECORDS.txt"
