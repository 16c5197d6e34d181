#!/usr/bin/env python3
"""Crash safety of self-registration: a surge of registrations, the server
killed with SIGKILL in the middle of it, restarted, and every acknowledged
registration looked for.

Started by bench/crash/run.sh once the database holds the demo operation.
Python 3 standard library only.

What it does:
1. starts `muster serve` on the database given after `--`;
2. runs CLIENTS threads posting households with unique names and an
   Idempotency-Key to /api/operations/kabul-2021/registrations, keeping every
   201 answer (reference, access code) with what was sent;
3. after KILL_AFTER seconds of surge, sends SIGKILL to the server;
4. restarts it and, for every acknowledged registration, asks
   /registrations/access with the reference and code and compares the names,
   dates of birth, tazkira numbers and phone with what was sent;
5. resends some requests that were in flight at the kill (and some that were
   acknowledged) with their Idempotency-Key, and checks through the officer's
   name search that each household is one case, never two;
6. stops the server and runs `muster verify-audit`.

Prints a summary and writes it as JSON (--json). Exits 1 when anything
acknowledged is missing or altered, when a household became two cases, when
the audit chain does not verify, or when any answer was an error.
"""

import argparse
import datetime
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid

OP = "kabul-2021"
REGISTER = f"/api/operations/{OP}/registrations"
ACCESS = f"/api/operations/{OP}/registrations/access"

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def word(rng, n):
    return "".join(rng.choice(LETTERS) for _ in range(n)).capitalize()


class Households:
    """Unique, mutually dissimilar households (random names, so that the
    server's matcher does not see thousands of near duplicates)."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.families = set()
        self.n = 0

    def next(self):
        with self.lock:
            while True:
                family = word(self.rng, 11)
                if family not in self.families:
                    self.families.add(family)
                    break
            i = self.n
            self.n += 1
            rng = self.rng
            day = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(20000))
            wife = datetime.date(1955, 1, 1) + datetime.timedelta(days=rng.randrange(18000))
            tazkira = f"14{rng.randrange(10)}{rng.randrange(10)}-{rng.randrange(10000):04d}-{rng.randrange(100000):05d}"
            phone = f"+9370{rng.randrange(10_000_000):07d}"
            given = (word(rng, 7), word(rng, 6))
        body = {
            "phone": phone,
            "members": [
                {
                    "given_name": given[0],
                    "family_name": family,
                    "date_of_birth": day.isoformat(),
                    "sex": "M",
                    "nationality": "AF",
                    "tazkira_number": tazkira,
                },
                {
                    "relationship": "wife",
                    "given_name": given[1],
                    "family_name": family,
                    "date_of_birth": wife.isoformat(),
                },
            ],
        }
        return i, family, f"crash-{uuid.uuid4()}", body


class Server:
    def __init__(self, binary, db_args, port, log_path):
        self.binary, self.db_args, self.port, self.log_path = binary, db_args, port, log_path
        self.proc = None

    def start(self, timeout=120):
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [self.binary, "serve", *self.db_args, "--listen", f"127.0.0.1:{self.port}",
             "--registrations-per-hour", "0"],
            stdout=log, stderr=log,
        )
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"muster serve exited with {self.proc.returncode}; see {self.log_path}")
            try:
                status, _, _ = request(self.port, "GET", "/api/health", None, {}, timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise SystemExit(f"muster serve did not answer within {timeout} s; see {self.log_path}")

    def kill(self):
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.kill()


def request(port, method, path, body, headers, timeout=30, conn=None):
    own = conn is None
    if own:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = None if body is None else json.dumps(body).encode()
        h = {"Content-Type": "application/json"} if data is not None else {}
        h.update(headers)
        conn.request(method, path, body=data, headers=h)
        res = conn.getresponse()
        payload = res.read()
        return res.status, dict((k.lower(), v) for k, v in res.getheaders()), payload
    finally:
        if own:
            conn.close()


def surge(args, households):
    """Posts until killed. Returns (acknowledged, unacknowledged, other answers, sent, kill time)."""
    acked, unacked, others = [], [], []
    lock = threading.Lock()
    killed = threading.Event()
    sent = [0]

    def client():
        conn = None
        while not killed.is_set():
            i, family, key, body = households.next()
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
            started = time.monotonic()
            with lock:
                sent[0] += 1
            try:
                status, headers, payload = request(
                    args.port, "POST", REGISTER, body, {"Idempotency-Key": key}, conn=conn)
            except (OSError, http.client.HTTPException) as e:
                with lock:
                    unacked.append({"i": i, "family": family, "key": key, "body": body,
                                    "started": started, "error": type(e).__name__})
                conn.close()
                conn = None
                if killed.is_set():
                    return
                time.sleep(0.01)
                continue
            if status == 201:
                receipt = json.loads(payload)
                with lock:
                    acked.append({"i": i, "family": family, "key": key, "body": body,
                                  "reference": receipt["reference"],
                                  "access_code": receipt["access_code"],
                                  "case_id": receipt["case_id"]})
            else:
                with lock:
                    others.append({"i": i, "status": status, "body": payload[:300].decode("utf-8", "replace")})

    threads = [threading.Thread(target=client, daemon=True) for _ in range(args.clients)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    time.sleep(args.kill_after)
    # Requests started before this instant and not answered were in flight;
    # clients start no new request once `killed` is set.
    kill_time = time.monotonic()
    killed.set()
    server.kill()
    for t in threads:
        t.join(timeout=60)
    elapsed = kill_time - t0
    return acked, unacked, others, sent[0], kill_time, elapsed


def parallel(items, fn, workers=16):
    """Runs fn over items in threads; returns the results in order."""
    results = [None] * len(items)
    it = iter(range(len(items)))
    lock = threading.Lock()

    def work():
        while True:
            with lock:
                k = next(it, None)
            if k is None:
                return
            results[k] = fn(items[k])

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def shown_date(iso):
    """A date sent as ISO, as Muster keeps it: 1 January is the placeholder
    many Afghan documents carry for an unknown day, so it is kept as the year
    alone (formats/src/date.rs)."""
    return iso[:4] if iso.endswith("-01-01") else iso


def expected_view(body):
    """What the access page shows for what was sent."""
    return {
        "phone": body["phone"],
        "members": [
            (m["given_name"], m["family_name"], shown_date(m["date_of_birth"]), m.get("tazkira_number"))
            for m in body["members"]
        ],
    }


def check_intact(port, entry):
    """None when the registration is there as sent, or what is wrong."""
    try:
        status, _, payload = request(port, "POST", ACCESS,
                                     {"reference": entry["reference"], "access_code": entry["access_code"]}, {})
    except (OSError, http.client.HTTPException) as e:
        return f"access failed: {type(e).__name__}"
    if status != 200:
        return f"access answered {status}"
    view = json.loads(payload)
    household = view["household"]
    got = {
        "phone": household["phone"],
        "members": [
            (m["given_name"], m["family_name"], m["date_of_birth"], m.get("tazkira_number"))
            for m in household["members"]
        ],
    }
    if view["case_id"] != entry["case_id"]:
        return "another case"
    want = expected_view(entry["body"])
    if got != want:
        return f"altered: sent {want}, found {got}"
    return None


def sign_in(port, password):
    status, headers, _ = request(port, "POST", "/api/session",
                                 {"username": "officer", "password": password}, {})
    if status != 200:
        raise SystemExit(f"officer sign-in answered {status}")
    return headers["set-cookie"].split(";")[0]


def cases_named(port, cookie, family):
    status, _, payload = request(port, "POST", "/api/cases/search",
                                 {"operation": OP, "name": family}, {"Cookie": cookie})
    if status != 200:
        raise SystemExit(f"search answered {status}: {payload[:200]!r}")
    return json.loads(payload)["total"]


def main():
    global server
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--label", required=True)
    p.add_argument("--password", required=True, help="the demo users' password")
    p.add_argument("--port", type=int, default=18080)
    p.add_argument("--clients", type=int, default=64)
    p.add_argument("--kill-after", type=float, default=6.0, help="seconds of surge before SIGKILL")
    p.add_argument("--resend", type=int, default=20, help="in-flight requests resent after restart")
    p.add_argument("--log", required=True)
    p.add_argument("--json", required=True)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("db_args", nargs=argparse.REMAINDER)
    args = p.parse_args()
    db_args = [a for a in args.db_args if a != "--"]
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)

    server = Server(args.bin, db_args, args.port, args.log)
    server.start()
    households = Households(seed)
    print(f"[{args.label}] surge: {args.clients} clients, SIGKILL after {args.kill_after} s", flush=True)
    acked, unacked, others, sent, kill_time, elapsed = surge(args, households)
    in_flight = [u for u in unacked if u["started"] < kill_time]
    print(f"[{args.label}] sent {sent}, acknowledged {len(acked)} "
          f"({len(acked) / elapsed:.0f}/s), in flight at the kill {len(in_flight)}, "
          f"refused after it {len(unacked) - len(in_flight)}, other answers {len(others)}", flush=True)

    t_restart = time.monotonic()
    server.start()
    restart_s = time.monotonic() - t_restart
    print(f"[{args.label}] restarted in {restart_s:.1f} s; checking {len(acked)} acknowledged registrations", flush=True)

    problems = parallel(acked, lambda e: check_intact(args.port, e))
    missing = [(e, pr) for e, pr in zip(acked, problems) if pr is not None]
    for e, pr in missing[:20]:
        print(f"  LOST or ALTERED: {e['reference']} ({e['family']}): {pr}", file=sys.stderr)

    cookie = sign_in(args.port, args.password)
    # In-flight requests resent with their key: one case each, whether or not
    # the first attempt was committed before the kill.
    rng = random.Random(seed + 1)
    resent = rng.sample(in_flight, min(args.resend, len(in_flight)))
    resend_errors, duplicates = [], []
    before = {u["family"]: cases_named(args.port, cookie, u["family"]) for u in resent}
    replayed_inflight = 0
    for u in resent:
        status, headers, payload = request(args.port, "POST", REGISTER, u["body"], {"Idempotency-Key": u["key"]})
        if status != 201:
            resend_errors.append((u["family"], status, payload[:200]))
            continue
        if headers.get("idempotent-replayed") == "true":
            replayed_inflight += 1
            if before[u["family"]] != 1:
                resend_errors.append((u["family"], "replayed but the case was not there", before[u["family"]]))
        n = cases_named(args.port, cookie, u["family"])
        if n != 1:
            duplicates.append((u["family"], n))
    # Acknowledged requests resent: the same answer, marked as a replay.
    replay_mismatch = []
    for e in rng.sample(acked, min(10, len(acked))):
        status, headers, payload = request(args.port, "POST", REGISTER, e["body"], {"Idempotency-Key": e["key"]})
        receipt = json.loads(payload) if status == 201 else {}
        if (status != 201 or headers.get("idempotent-replayed") != "true"
                or receipt.get("reference") != e["reference"] or receipt.get("case_id") != e["case_id"]):
            replay_mismatch.append((e["reference"], status))
        n = cases_named(args.port, cookie, e["family"])
        if n != 1:
            duplicates.append((e["family"], n))
    # Every other request in flight at the kill: at most one case.
    for u in in_flight:
        if u in resent:
            continue
        n = cases_named(args.port, cookie, u["family"])
        if n > 1:
            duplicates.append((u["family"], n))
    server.stop()

    audit = subprocess.run([args.bin, "verify-audit", *db_args], capture_output=True, text=True)
    audit_line = audit.stdout.strip().splitlines()[-1] if audit.stdout.strip() else audit.stderr.strip()

    summary = {
        "backend": args.label,
        "clients": args.clients,
        "kill_after_s": args.kill_after,
        "requests_sent": sent,
        "acknowledged_before_kill": len(acked),
        "acknowledged_per_s": round(len(acked) / elapsed),
        "in_flight_at_kill": len(in_flight),
        "refused_after_kill": len(unacked) - len(in_flight),
        "other_answers": len(others),
        "restart_s": round(restart_s, 1),
        "found_intact": len(acked) - len(missing),
        "lost_or_altered": len(missing),
        "inflight_resent": len(resent),
        "inflight_resent_replayed": replayed_inflight,
        "inflight_resent_new": len(resent) - replayed_inflight - len(resend_errors),
        "resend_errors": len(resend_errors),
        "acked_resent_mismatch": len(replay_mismatch),
        "households_with_two_cases": len(duplicates),
        "verify_audit_exit": audit.returncode,
        "verify_audit": audit_line,
        "seed": seed,
    }
    for o in others[:10]:
        print(f"  other answer: {o}", file=sys.stderr)
    for r in resend_errors[:10]:
        print(f"  resend error: {r}", file=sys.stderr)
    for d in duplicates[:10]:
        print(f"  DUPLICATE: {d}", file=sys.stderr)
    with open(args.json, "w") as f:
        json.dump(summary, f, indent=2)
    print(f"[{args.label}] found intact {summary['found_intact']} of {len(acked)}, lost or altered "
          f"{len(missing)}; in flight resent {len(resent)} ({replayed_inflight} had been committed), "
          f"households with two cases {len(duplicates)}; {audit_line} (exit {audit.returncode})", flush=True)
    ok = (not missing and not duplicates and not resend_errors and not replay_mismatch
          and not others and audit.returncode == 0 and acked and in_flight)
    sys.exit(0 if ok else 1)


server = None

if __name__ == "__main__":
    main()
