#!/usr/bin/env bash
# Matching where duplicates are rare, as in a registry before a surge: F1 and the model's
# expected duplicates per record on draws of the generated Afghan registry.
#
#   bench/matching/rare.sh
#
# Sets (all from ../shared/data/afghan_names/gen.py, scored by score_clusters.py):
#   rand10k, rand30k  random draws of 10,000 and 30,000 records from 1,000,000 (--seed 7):
#                     strangers, hardly any relatives, 50 and 462 true pairs
#   g60k              60,000 records with --dup-rate 0.05 (--seed 21): families, few
#                     duplicates (the registry of crates/matching/tests/rare_duplicates.rs)
#   devrare           the dev set with one record per person and a second one for a person
#                     in fifty: all its relatives, 32 true pairs
# Runs the matcher example (the flags and code of `muster match`) in release mode.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=$(cd "$ROOT/../shared" && pwd)
OUT=$ROOT/bench/out/matching/rare
GEN=$SHARED/data/afghan_names/gen.py
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/cache/muster-target-matching}
mkdir -p "$OUT"
(cd "$ROOT" && cargo build --release -p muster-matching --example match >&2)
BIN=$CARGO_TARGET_DIR/release/examples/match

[[ -f $OUT/afg1m/people.csv ]] || nice -n 10 python3 "$GEN" --seed 7 --records 1000000 --out "$OUT/afg1m" >/dev/null
[[ -f $OUT/g60k/people.csv ]] || python3 "$GEN" --seed 21 --records 60000 --dup-rate 0.05 --out "$OUT/g60k" >/dev/null

python3 - "$OUT" "$SHARED/data/afghan_names/dev" <<'EOF'
import csv, random, sys
out, dev = sys.argv[1], sys.argv[2]

def write(name, rows, truth):
    with open(f"{out}/{name}.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=rows[0].keys())
        w.writeheader()
        w.writerows(rows)
    with open(f"{out}/{name}.truth.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["record_id", "person_id"])
        w.writerows([r["record_id"], truth[r["record_id"]]] for r in rows)

def load(d):
    rows = list(csv.DictReader(open(f"{d}/people.csv")))
    truth = {r["record_id"]: r["person_id"] for r in csv.DictReader(open(f"{d}/truth.csv"))}
    return rows, truth

rows, truth = load(f"{out}/afg1m")
for seed, n in [(5, 10_000), (3, 30_000)]:
    random.seed(seed)
    write(f"rand{n // 1000}k", random.sample(rows, n), truth)
rows, truth = load(f"{out}/g60k")
write("g60k", rows, truth)
rows, truth = load(dev)
seen, kept = {}, []
for r in rows:
    p = truth[r["record_id"]]
    n = seen.get(p, 0)
    if n == 0 or (n == 1 and int(p[1:]) % 50 == 0):
        seen[p] = n + 1
        kept.append(r)
write("devrare", kept, truth)
EOF

echo "| set | records | true pairs | expected duplicates / record | precision | recall | F1 |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
for set in rand10k rand30k g60k devrare; do
  rate=$("$BIN" --input "$OUT/$set.csv" --output "$OUT/$set.clusters.csv" 2>&1 | sed -n 's/^model: match_rate=\([0-9.]*\).*/\1/p')
  python3 "$SHARED/tools/score_clusters.py" "$OUT/$set.clusters.csv" "$OUT/$set.truth.csv" --json |
    python3 -c "import json,sys; s=json.load(sys.stdin); print(f\"| $set | {s['records']} | {s['true_pairs']} | $rate | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} |\")"
done
