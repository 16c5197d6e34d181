#!/usr/bin/env bash
# How F1 grows with the number of persons the model is learnt from (the server learns from
# a sample and keeps a model learnt from 10,000 persons): the first 60,000 records of the
# 100,000-record generated registry (gen.py --seed 2), matched one by one through an Index.
# Runs crates/matching/benches/model_sample.rs through `cargo bench`.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=$(cd "$ROOT/../shared" && pwd)
REG=$ROOT/bench/out/matching/afg100k
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/cache/muster-target-matching}
[[ -f $REG/people.csv ]] || nice -n 10 python3 "$SHARED/data/afghan_names/gen.py" --seed 2 --records 100000 --out "$REG"
cd "$ROOT"
MUSTER_INDEX_CSV=$REG/people.csv MUSTER_TRUTH_CSV=$REG/truth.csv MUSTER_RECORDS=${RECORDS:-60000} \
  cargo bench -p muster-matching --bench model_sample
