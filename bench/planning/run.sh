#!/usr/bin/env bash
# Movement-planner benchmark: builds the `plan` example in release, solves every instance
# in the shared planning data set, checks each plan with check_plan.py and prints a
# markdown table. Usage (from anywhere): bench/planning/run.sh [extra plan args...]
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data="$(cd "$repo/../shared/data/planning" && pwd)"
check="$(cd "$repo/../shared/tools" && pwd)/check_plan.py"
out="$repo/bench/out/planning"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/cache/muster-target-planning}"
mkdir -p "$out"

(cd "$repo" && cargo build --quiet --release -p muster-planning --example plan)
bin="$CARGO_TARGET_DIR/release/examples/plan"

echo "| instance | households | objective | % of LP bound | vs greedy | CP-SAT 60 s (% of LP bound) | time | peak memory | valid | own Lagrangian bound (% of it) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|"
# Smallest first (by file size).
for inst in $(ls -Sr "$data"/instances/*.json.gz); do
  name="$(basename "$inst")"
  stem="${name%.json.gz}"
  plan="$out/$stem.json"
  stats="$out/$stem.stats.json"
  timing="$out/$stem.time.txt"
  nice -n 10 /usr/bin/time -v "$bin" --problem "$inst" --out "$plan" "$@" >"$stats" 2>"$timing"
  valid=yes
  python3 "$check" "$inst" "$plan" --json >"$out/$stem.check.json" || valid=NO
  python3 - "$name" "$inst" "$data/reference.json" "$stats" "$timing" "$out/$stem.check.json" "$valid" <<'PY'
import gzip, json, re, sys
name, inst, ref, stats, timing, check, valid = sys.argv[1:]
r = json.load(open(ref)).get(name, {})
s = json.load(open(stats))
c = json.load(open(check))
t = open(timing).read()
wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", t)
secs = (int(wall.group(1) or 0) * 3600 + int(wall.group(2)) * 60 + float(wall.group(3)))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) / 1024
n = len(json.load(gzip.open(inst))["groups"])
obj = c["score"]
bound = r.get("lp_bound")
pct = lambda a, b: f"{100 * a / b:.2f} %" if b else "n/a"
greedy = r.get("greedy") or s["greedy"]
vs = f"{100 * (obj / greedy - 1):+.2f} %"
cp = f"{r['cpsat']:,} ({pct(r['cpsat'], bound)})" if "cpsat" in r else "n/a (model too large)"
lag = s.get("lagrangian_bound")
own = f"{lag:,} ({pct(obj, lag)})" if lag else "n/a"
print(f"| {name} | {n:,} | {obj:,} | {pct(obj, bound)} | {vs} | {cp} | {secs:.2f} s | {rss:.0f} MiB | {valid} | {own} |")
PY
done
