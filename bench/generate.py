"""Fill an incident store with years of realistic history, fast.

    python bench/generate.py --home /tmp/bench-home [--incidents 10000] [--events 1000000]

Every shipped runbook, every tier; incidents opened over three years, each
walking its checklist in order with evidence, notes, role assignments, some
escalations and de-escalations, recurring status updates, then mitigated,
resolved and (all but the most recent few dozen) closed.  Events are sealed
into valid hash chains with the same code the CLI uses, and written in bulk,
one transaction per thousand incidents, through the store's own schema.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from incidentctl.incidents import events as ev
from incidentctl.incidents import state as st
from incidentctl.paths import shipped_runbooks_dir
from incidentctl.records import GENESIS, Draft, Event, seal
from incidentctl.runbooks.repository import runbook_files
from incidentctl.runbooks.validate import load_runbook
from incidentctl.store import FILENAME
from incidentctl.store.sqlite import (
    INSERT_EVENT,
    INSERT_INCIDENT,
    SQLiteStore,
    event_row,
    incident_row,
)
from incidentctl.times import iso

if TYPE_CHECKING:
    from incidentctl.runbooks.model import Runbook

PEOPLE = [
    "王伟",
    "李娜",
    "张敏",
    "刘洋",
    "陈静",
    "杨帆",
    "赵磊",
    "黄丽",
    "周杰",
    "吴昊",
    "alice",
    "bob",
]
NOTES = [
    "客服已统一口径",
    "通道方确认故障，预计 30 分钟恢复",
    "监控显示成功率回升至 92%",
    "已通知华东区域仓库",
    "微博热搜第 37 位，持续观察",
    "root cause narrowed to the gateway connection pool",
    "rolled back release 2026.11.3",
    "customer complaints down to baseline",
]


def typed_value(kind: str, item: str, rng: random.Random, at: datetime) -> str:
    """A value of evidence type ``kind`` in the canonical form ``step done`` stores, so that
    reports have orders, amounts, times and scores to add up."""
    from incidentctl.runbooks.evidence import parse_type

    parsed = parse_type(kind)
    if parsed.kind == "number" and "satisfaction" in item:  # an average score, 1-5
        return f"{rng.uniform(2.5, 5):.1f}"
    if parsed.kind == "number":
        return str(rng.randint(1, 5000))
    if parsed.kind == "amount-cny":
        return f"{rng.randint(100, 500_000)}.{rng.randint(0, 99):02d}"
    if parsed.kind == "score":
        return str(rng.randint(parsed.low, parsed.high))
    if parsed.kind == "time":
        return iso(at - timedelta(minutes=rng.randint(1, 30)))
    if parsed.kind == "url":
        return f"https://example.com/{item}/{rng.randint(100, 99999)}"
    if parsed.kind == "choice":
        return rng.choice(parsed.options)
    return f"{item}-{rng.randint(100, 99999)}"


def incident_events(
    rb: Runbook, rng: random.Random, opened: datetime, target: int, closed: bool
) -> list[Draft]:
    """One incident's history as drafts, about ``target`` events long."""
    tiers = list(rb.tier_ids)
    tier = rng.choice(tiers)
    commander = rng.choice(PEOPLE)
    t = opened
    out: list[Draft] = []

    def add(kind: str, payload: dict[str, object], minutes: float) -> None:
        nonlocal t
        t += timedelta(minutes=minutes)
        actor = rng.choice(PEOPLE)
        backdated = rng.random() < 0.05
        recorded = t + timedelta(minutes=rng.randint(2, 30)) if backdated else t
        out.append(Draft(kind, payload, actor, iso(t), iso(recorded), backdated))

    out.append(
        Draft(
            ev.OPENED,
            {
                "title": f"{rb.title.zh} #{rng.randint(1, 9999)}",
                "severity": tier,
                "runbook": {"id": rb.id, "version": rb.version, "sha256": rb.sha256},
                "commander": commander,
                "scope": rng.choice(["全站", "华东", "App 用户", "支付宝渠道", "iOS"]),
            },
            commander,
            iso(t),
            iso(t),
        )
    )
    for role in list(rb.roles)[1:4]:
        add(ev.ASSIGNED, {"role": role, "name": rng.choice(PEOPLE)}, rng.uniform(0.5, 3))
    recurring = [s for s in rb.steps if s.recurring]
    for step in rb.steps:
        if len(out) >= target - 6:
            break
        if step.recurring or not step.applies_to(tier):
            continue
        if step.id == rb.steps[len(rb.steps) // 2].id:
            add(ev.MITIGATED, {"note": "止损"}, rng.uniform(5, 40))
        if rng.random() < 0.3:
            add(ev.STEP_STARTED, {"step": step.id}, rng.uniform(1, 5))
        roll = rng.random()
        if roll < 0.08 and not step.evidence:
            add(ev.STEP_SKIPPED, {"step": step.id, "reason": "not needed here"}, rng.uniform(1, 10))
        elif roll < 0.14 and not step.required:
            add(ev.STEP_NA, {"step": step.id, "reason": "does not apply"}, rng.uniform(1, 10))
        else:
            evidence = {e.id: typed_value(e.type, e.id, rng, t) for e in step.evidence}
            add(ev.STEP_DONE, {"step": step.id, "evidence": evidence}, rng.uniform(2, 25))
        if rng.random() < 0.15:
            new = rng.choice([x for x in tiers if x != tier] or tiers)
            if new != tier:
                add(
                    ev.SEVERITY,
                    {"from": tier, "to": new, "reason": "impact re-assessed"},
                    rng.uniform(1, 10),
                )
                tier = new
        if rng.random() < 0.4:
            add(ev.NOTE, {"text": rng.choice(NOTES)}, rng.uniform(1, 10))
    # fill up to the target with what long incidents are made of: updates and notes
    while len(out) < target - 3:
        if recurring and recurring[0].applies_to(tier) and rng.random() < 0.6:
            add(ev.STEP_DONE, {"step": recurring[0].id, "evidence": {}}, rng.uniform(20, 35))
        else:
            add(ev.NOTE, {"text": rng.choice(NOTES)}, rng.uniform(3, 30))
    if closed:
        add(ev.RESOLVED, {"summary": "恢复正常"}, rng.uniform(10, 60))
        add(ev.CLOSED, {"forced": False, "open_steps": []}, rng.uniform(60, 600))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", required=True, type=Path)
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument(
        "--active", type=int, default=40, help="how many of the newest incidents stay open"
    )
    parser.add_argument("--seed", type=int, default=20261122)
    args = parser.parse_args()
    if (args.home / FILENAME).exists():
        print(f"{args.home / FILENAME} exists; use an empty --home", file=sys.stderr)
        return 1
    started = time.perf_counter()
    rng = random.Random(args.seed)
    runbooks = [load_runbook(p) for p in runbook_files(shipped_runbooks_dir())]
    store = SQLiteStore.open(args.home / FILENAME)
    db = store.db
    db.execute("PRAGMA synchronous = OFF")  # bulk load; the result is checkpointed at the end
    for rb in runbooks:
        db.execute(
            "INSERT OR IGNORE INTO runbooks (sha256, runbook_id, version, document) VALUES (?, ?, ?, ?)",
            (rb.sha256, rb.id, rb.version, json.dumps(rb.doc, ensure_ascii=False, sort_keys=True)),
        )
    now = datetime.now(timezone.utc).replace(microsecond=0)
    span = timedelta(days=3 * 365)
    per_incident = args.events / args.incidents
    openings = sorted(now - span * rng.random() ** 0.7 for _ in range(args.incidents))
    # the newest incidents are the ones still being worked on
    for i in range(args.active):
        openings[-1 - i] = now - timedelta(minutes=rng.randint(20, 600))
    openings.sort()
    counters: dict[str, int] = {}
    total = 0
    db.execute("BEGIN")
    for n, opened in enumerate(openings):
        rb = runbooks[n % len(runbooks)]
        closed = n < args.incidents - args.active
        target = max(12, int(rng.gauss(per_incident, per_incident * 0.35)))
        drafts = incident_events(rb, rng, opened, target, closed)
        day = opened.strftime("%Y%m%d")
        counters[day] = counters.get(day, 0) + 1
        incident = f"INC-{day}-{counters[day]:03d}"
        prev_hash, rows = GENESIS, []
        sealed: list[Event] = []
        for seq, draft in enumerate(drafts, start=1):
            e = seal(draft, incident=incident, seq=seq, prev_hash=prev_hash)
            prev_hash = e.hash
            sealed.append(e)
            rows.append(event_row(e))
        # the summary row the store would keep, from the same fold the CLI runs
        summary = st.fold(rb, sealed).summary()
        db.execute(
            INSERT_INCIDENT, incident_row(sealed[0], sealed[-1], rb.id, rb.sha256, summary, n + 1)
        )
        db.executemany(INSERT_EVENT, rows)
        total += len(rows)
        if (n + 1) % 1000 == 0:
            db.execute("COMMIT")
            db.execute("BEGIN")
            print(
                f"  {n + 1} incidents, {total} events, {time.perf_counter() - started:.1f}s",
                file=sys.stderr,
            )
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("ANALYZE")
    store.close()
    elapsed = time.perf_counter() - started
    size = (args.home / FILENAME).stat().st_size / 1e6
    print(
        f"{args.incidents} incidents, {total} events, {len(runbooks)} runbooks, {size:.0f} MB, {elapsed:.1f}s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
