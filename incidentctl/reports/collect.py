"""Reading the incidents a report covers, through a cache of their facts.

The store's summary rows say which incidents were opened in the window, and where each
one's chain ends.  An incident's :class:`~incidentctl.reports.Facts` depend on its log
alone, so they are kept in ``<home>/cache/report.jsonl`` keyed by the incident's head hash
(and the calendar its business days were counted on): a closed incident's head never
changes, so it is read, verified and folded once.  An incident whose head moved, or that
is not in the cache, is read in full: its chain verified (a broken one is never
aggregated), folded and judged.  ``verify=True`` reads and verifies every log again.

The cache is only a cache: a file that cannot be read is ignored, one that cannot be
written is not written.
"""

from __future__ import annotations

import contextlib
import json
import os
from typing import TYPE_CHECKING

from incidentctl.reports import FACTS_VERSION, Facts, broken_facts, facts_of

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import datetime, tzinfo
    from pathlib import Path

    from incidentctl.deadlines.engine import CalendarSource
    from incidentctl.reports import Report
    from incidentctl.runbooks.model import Runbook
    from incidentctl.store.base import IncidentRow, Store

CACHE_FILE = "report.jsonl"


class FactsCache:
    """Facts by incident id, each with the head hash and calendar it was computed at."""

    def __init__(self, path: Path | None, key: str) -> None:
        self.path = path
        self.key = f"{FACTS_VERSION}:{key}"
        self.entries: dict[str, Facts] = {}
        #: step titles [zh, en] by runbook snapshot and step id
        self.titles: dict[str, dict[str, list[str]]] = {}
        self.dirty = False
        if path is None:
            return
        # JSON lines: the key and titles, then one incident a line, each made Facts as it is
        # read (neither the whole text nor a dict per incident is kept)
        entries: dict[str, Facts] = {}
        shared: dict[object, object] = {}
        try:
            with open(path, encoding="utf-8") as fh:
                head = json.loads(fh.readline() or "{}")
                if not isinstance(head, dict) or head.get("key") != self.key:
                    return
                titles = head.get("titles")
                if not isinstance(titles, dict):
                    return
                for line in fh:
                    data = json.loads(line)
                    facts = Facts.from_json(data, shared)
                    entries[facts.id] = facts
        except (OSError, ValueError, TypeError, AttributeError):
            return
        self.entries, self.titles = entries, titles

    def get(self, incident_id: str, head: str) -> Facts | None:
        entry = self.entries.get(incident_id)
        return entry if entry is not None and entry.head == head else None

    def put(self, facts: Facts) -> None:
        self.entries[facts.id] = facts
        self.dirty = True

    def drop(self, incident_id: str) -> None:
        if self.entries.pop(incident_id, None) is not None:
            self.dirty = True

    def learn(self, runbook: Runbook) -> None:
        """Keep the step titles of a runbook snapshot, for reports made from the cache."""
        if runbook.sha256 not in self.titles:
            self.titles[runbook.sha256] = {s.id: [s.title.zh, s.title.en] for s in runbook.steps}
            self.dirty = True

    def save(self) -> None:
        if self.path is None or not self.dirty:
            return
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            # the home too: beside a team store, nothing may have made it yet
            missing = [d for d in (self.path.parent, *self.path.parent.parents) if not d.exists()]
            for directory in reversed(missing):
                directory.mkdir(mode=0o700, exist_ok=True)
            fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
            # one json.dumps per incident (json.dump encodes in pure Python, ten times
            # slower), written as it goes: no second copy of ten thousand incidents
            dumps = json.dumps
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(dumps({"key": self.key, "titles": self.titles}, ensure_ascii=False))
                fh.write("\n")
                for entry in self.entries.values():
                    fh.write(dumps(entry.as_json(), ensure_ascii=False) + "\n")
            os.replace(tmp, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def collect(
    store: Store,
    rows: Sequence[IncidentRow],
    runbook: Callable[[str], Runbook],
    *,
    cache: FactsCache,
    calendar: CalendarSource | None = None,
    verify: bool = False,
) -> tuple[list[Facts], int]:
    """The facts of the incidents of ``rows``, and how many came from the cache."""
    from incidentctl.errors import IncidentctlError
    from incidentctl.incidents import state as st
    from incidentctl.incidents.audit import AuditProblem, log_problems

    out: list[Facts] = []
    hits = 0
    snapshots: dict[str, AuditProblem | None] = {}  # each pinned snapshot judged once
    for row in rows:
        if not verify:
            cached = cache.get(row.id, row.head_hash)
            if cached is not None:
                out.append(cached)
                hits += 1
                continue
        events = store.events(row.id)
        problems = log_problems(events, store.runbook_document, snapshots)
        head = events[-1].hash if events else ""
        if events and (row.last_seq, row.head_hash) != (events[-1].seq, head):
            problems.append(
                AuditProblem(None, "summary", "the summary row does not match the end of the chain")
            )
        facts: Facts | None = None
        if events and not any(
            p.code in ("not-opened", "snapshot", "snapshot-missing") for p in problems
        ):
            try:
                rb = runbook(events[0].payload["runbook"]["sha256"])
                cache.learn(rb)
                state = st.fold(rb, events)
                facts = facts_of(
                    events, rb, state, number=row.number, problems=problems, calendar=calendar
                )
            except (IncidentctlError, KeyError, TypeError, ValueError):
                problems.append(AuditProblem(None, "unreadable", "the log cannot be read"))
        if facts is None:
            facts = broken_facts(row.id, row.number, row, head, problems)
        out.append(facts)
        if facts.problems:  # a broken log is read again every time, never trusted
            cache.drop(facts.id)
        else:
            cache.put(facts)
    cache.save()
    return out, hits


def gather(
    store: Store,
    runbook: Callable[[str], Runbook],
    *,
    cache: FactsCache,
    start: datetime | None,
    end: datetime,
    end_included: bool,
    zone: tzinfo,
    runbook_id: str | None = None,
    tier: str | None = None,
    drills: bool = False,
    calendar: CalendarSource | None = None,
    verify: bool = False,
) -> Report:
    """The report over the incidents of ``store`` opened in the window, of ``runbook_id``
    and ending at ``tier`` if given, drills only if ``drills``."""
    from incidentctl.reports import Report
    from incidentctl.times import opened_within

    rows = [
        r
        for r in store.incidents(runbook_id=runbook_id, severity=tier)
        if opened_within(r.opened_at, start, end, end_included=end_included)
    ]
    rows.sort(key=lambda r: (r.opened_at, r.id))
    facts, cached = collect(store, rows, runbook, cache=cache, calendar=calendar, verify=verify)
    return Report(
        facts=[f for f in facts if drills or not f.drill],
        since=start,
        until=end,
        zone=zone,
        runbook=runbook_id,
        tier=tier,
        drills=drills,
        cached=cached,
        titles=cache.titles,
    )
