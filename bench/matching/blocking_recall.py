#!/usr/bin/env python3
"""Blocking recall: the share of true pairs that the candidate pairs contain.

usage: blocking_recall.py CANDIDATES.csv TRUTH.csv   (prints JSON)
"""
import csv, json, sys
from collections import defaultdict

cand = set()
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    for r in csv.DictReader(f):
        a, b = r["record_id_a"], r["record_id_b"]
        cand.add((a, b) if a < b else (b, a))
by = defaultdict(list)
with open(sys.argv[2], newline="", encoding="utf-8") as f:
    rows = csv.DictReader(f)
    col = next(c for c in ("person_id", "cluster", "entity_id") if c in rows.fieldnames)
    for r in rows:
        by[r[col]].append(r["record_id"])
true = hit = 0
for ids in by.values():
    ids.sort()
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            true += 1
            hit += (a, b) in cand
print(json.dumps({"candidate_pairs": len(cand), "true_pairs": true, "true_pairs_in_candidates": hit,
                  "blocking_recall": round(hit / true, 5) if true else 1.0}))
