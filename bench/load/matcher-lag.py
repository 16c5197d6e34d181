#!/usr/bin/env python3
"""How far the matcher ran behind the changes it matched, from a server log.

Run the server with MUSTER_LOG=info,web::matcher=debug, replay a surge, leave the
server running until the matcher has caught up, then:

    bench/load/matcher-lag.py serve.log

Each chunk of a catch-up (at most 500 cases, oldest first) logs, once its pairs are
stored, how many cases it matched and how far behind its oldest change it was
(`behind_ms`). That is an upper bound for every case of the chunk, so the share of
cases "within 1 s" is a lower bound. (Before 6e4b2d8 the line was one per catch-up.)
"""
import re
import sys

ANSI = re.compile(r"\x1b\[[0-9;]*m")
CAUGHT_UP = re.compile(r"cases=(\d+) behind_ms=(-?\d+)")

for path in sys.argv[1:]:
    rows = []
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            line = ANSI.sub("", line)
            m = CAUGHT_UP.search(line)
            if m and "matching caught up" in line:
                rows.append((int(m[1]), int(m[2])))
    if not rows:
        print(f"{path}: no catch-up logged (was web::matcher at debug level?)")
        continue
    behind = sorted(b for _, b in rows)
    cases = sum(c for c, _ in rows)
    within = sum(c for c, b in rows if b <= 1000)
    print(
        f"{path}: {len(rows)} chunks, {cases} cases; oldest change behind "
        f"p50 {behind[len(behind) // 2]} ms, max {behind[-1]} ms; "
        f"cases within 1 s at least {within / cases:.3f}"
    )
