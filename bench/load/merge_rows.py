#!/usr/bin/env python3
"""How long a merge of recent name words takes with the index's rows as they are
(operation id, the blind index as 32 hex characters, the case id as 36) and as
they could be (the blind index and the case id as their 16 bytes, no operation
column: a blind index is keyed per operation already).

Copies `name_tokens` of a loaded database (bench/load/million.sh) twice into
DIR, in both shapes, then writes the words of the database's newest cases again
under new, later case ids (as the surge's cases are: ids grow with time), one
transaction per merge, WAL and synchronous=FULL as the server has them.

Usage: bench/load/merge_rows.py MUSTER_DB DIR [CASES] [MERGES]
"""
import os
import sqlite3
import sys
import time
import uuid


def unhex(text):
    return bytes.fromhex(text.replace("-", ""))


def copy(source, path, compact):
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.create_function("unhex", 1, unhex)
    db.execute("ATTACH ? AS m", (source,))
    if compact:
        db.execute("CREATE TABLE name_tokens (token BLOB NOT NULL, case_id BLOB NOT NULL, "
                   "PRIMARY KEY (token, case_id)) WITHOUT ROWID")
        db.execute("INSERT INTO name_tokens SELECT unhex(token), unhex(case_id) "
                   "FROM m.name_tokens ORDER BY 1, 2")
    else:
        db.execute("CREATE TABLE name_tokens (operation_id TEXT NOT NULL, token TEXT NOT NULL, "
                   "case_id TEXT NOT NULL, PRIMARY KEY (operation_id, token, case_id)) WITHOUT ROWID")
        db.execute("INSERT INTO name_tokens SELECT operation_id, token, case_id "
                   "FROM m.name_tokens ORDER BY 1, 2, 3")
    db.execute("CREATE INDEX name_tokens_case ON name_tokens(case_id)")
    db.commit()
    db.close()


def merges(path, compact, words, count):
    db = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "cache_size=-16384", "secure_delete=ON"):
        db.execute("PRAGMA " + pragma)
    took = []
    for merge in range(count):
        later = {}
        rows = []
        for operation, token, case in words:
            case = later.setdefault(case, "ffff%04x-%s" % (merge, str(uuid.uuid4())[9:]))
            rows.append((unhex(token), unhex(case)) if compact else (operation, token, case))
        rows.sort()
        marks = ",".join("?" * len(rows[0]))
        start = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        db.executemany(f"INSERT INTO name_tokens VALUES ({marks}) ON CONFLICT DO NOTHING", rows)
        db.execute("COMMIT")
        took.append((time.perf_counter() - start) * 1000)
    return took


def main():
    source, directory = sys.argv[1], sys.argv[2]
    cases = int(sys.argv[3]) if len(sys.argv) > 3 else 3000
    count = int(sys.argv[4]) if len(sys.argv) > 4 else 6
    db = sqlite3.connect(source)
    newest = [r[0] for r in db.execute("SELECT id FROM cases ORDER BY id DESC LIMIT ?", (cases,))]
    words = db.execute("SELECT operation_id, token, case_id FROM name_tokens WHERE case_id IN (%s)"
                       % ",".join("?" * len(newest)), newest).fetchall()
    print(f"{len(words)} words of {len(newest)} cases per merge")
    shapes = {"as they are": False, "16-byte keys": True}
    paths = {name: os.path.join(directory, f"{i}.db") for i, name in enumerate(shapes)}
    for name, compact in shapes.items():
        copy(source, paths[name], compact)
        print(f"{name}: {os.path.getsize(paths[name]) / 2**20:.0f} MiB")
    # Alternating, twice each, so that neither shape has the quieter minute.
    for _ in range(2):
        for name, compact in shapes.items():
            took = merges(paths[name], compact, words, count)
            print(f"{name}: " + " ".join(f"{t:.0f}" for t in took) + " ms")


if __name__ == "__main__":
    main()
