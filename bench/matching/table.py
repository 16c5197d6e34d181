#!/usr/bin/env python3
"""Markdown table of bench/out/matching: Muster vs Splink per data set.

usage: table.py OUT_DIR
"""
import json, os, re, sys

out = sys.argv[1]


def load(name):
    p = os.path.join(out, name)
    if not os.path.exists(p):
        return None
    with open(p) as f:
        return json.load(f)


def cpu(name):
    """User + system CPU seconds from a /usr/bin/time -v report."""
    p = os.path.join(out, name + ".time")
    if not os.path.exists(p):
        return None
    t = open(p).read()
    u = re.search(r"User time \(seconds\): (\S+)", t)
    s = re.search(r"System time \(seconds\): (\S+)", t)
    return float(u.group(1)) + float(s.group(1)) if u and s else None


def usage(name):
    """(wall seconds, peak MiB) from a /usr/bin/time -v report."""
    p = os.path.join(out, name + ".time")
    if not os.path.exists(p):
        return None, None
    t = open(p).read()
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", t)
    mem = re.search(r"Maximum resident set size \(kbytes\): (\d+)", t)
    secs = None
    if wall:
        parts = [float(x) for x in wall.group(1).split(":")]
        secs = sum(v * 60 ** i for i, v in enumerate(reversed(parts)))
    return secs, (int(mem.group(1)) / 1024 if mem else None)


def f(x, nd=4):
    return "—" if x is None else f"{x:.{nd}f}"


rows = ["| data set | records | tool | precision | recall | F1 | time (s) | peak memory (MiB) | candidate pairs | blocking recall |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
sets = [("febrl1", "FEBRL1"), ("febrl2", "FEBRL2"), ("febrl3", "FEBRL3"), ("febrl4", "FEBRL4"),
        ("afg", "Afghan dev"), ("afg100k", "Afghan 100k"), ("afg1m", "Afghan 1M")]
speed = []
cpu_speed = []
for key, label in sets:
    m = load(f"{key}_muster_score.json")
    if m is None:
        continue
    mb = load(f"{key}_muster_blocking.json") or {}
    mt, mm = usage(f"{key}_muster")
    rows.append(f"| {label} | {m['records']} | Muster | {f(m['precision'])} | {f(m['recall'])} | **{f(m['f1'])}** | "
                f"{f(mt, 2)} | {f(mm, 0)} | {mb.get('candidate_pairs', '—')} | {f(mb.get('blocking_recall'))} |")
    s = load(f"{key}_splink.json")
    st, sm = usage(f"{key}_splink")
    if s is not None and "at_0_5" in s:  # FEBRL runner: pairwise at p >= 0.5, no clustering
        a, b = s["at_0_5"], s["best_f1"]
        rows.append(f"| {label} | {sum(s['n_records'])} | Splink (p≥0.5, pairs) | {f(a['precision'])} | {f(a['recall'])} | {f(a['f1'])} | "
                    f"{f(st, 2)} | {f(sm, 0)} | {s['blocking']['candidate_pairs']} | {f(s['blocking']['blocking_recall'])} |")
        rows.append(f"| {label} | | Splink (best threshold, labels) | {f(b['precision'])} | {f(b['recall'])} | {f(b['f1'])} | | | | |")
    elif s is not None:  # Afghan runner: connected components at p >= 0.5
        sc = load(f"{key}_splink_score.json")
        a, b = s["at_p05"], s["best_cluster_f1"]
        p, r, f1 = (sc["precision"], sc["recall"], sc["f1"]) if sc else (a["cluster_P"], a["cluster_R"], a["cluster_F1"])
        rows.append(f"| {label} | {s['n_records']} | Splink (p≥0.5, clusters) | {f(p)} | {f(r)} | {f(f1)} | "
                    f"{f(st, 2)} | {f(sm, 0)} | {s['candidate_pairs']} | {f(s['blocking_recall'])} |")
        rows.append(f"| {label} | | Splink (best threshold, labels) | {f(b['cluster_P'])} | {f(b['cluster_R'])} | {f(b['cluster_F1'])} | | | | |")
    if mt and st:
        speed.append(f"{label}: {st / mt:.1f}x")
        mc, sc_ = cpu(f"{key}_muster"), cpu(f"{key}_splink")
        if mc and sc_:
            cpu_speed.append(f"{label}: {sc_ / mc:.1f}x ({mc:.1f} s vs {sc_:.1f} s)")
print("\n".join(rows))
if speed:
    print("\nSpeed-up of Muster over Splink (wall clock, whole process): " + ", ".join(speed))
if cpu_speed:
    print("\nCPU time (user + system, whole process), Splink / Muster: " + ", ".join(cpu_speed))
for records in (100000, 1000000):
    p = os.path.join(out, f"latency_{records}.txt")
    if os.path.exists(p):
        print(f"\nOne person against an Index of {records:,} records (bench/matching/latency.sh):")
        for line in open(p):
            if line.strip():
                print(f"    {line.strip()}")
