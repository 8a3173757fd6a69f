"""Reports across incidents: how fast the team responds, which steps are missed again and
again, which legal deadlines were ever missed.

Each incident is reduced to its :class:`Facts` by the post-mortem's own judgement
(:func:`incidentctl.postmortem.build`: the same verdicts, the same legal flag), then the
facts of every incident chosen are aggregated into a :class:`Report`.  Facts depend on
the log alone (never on the clock), so they are cached per incident by the hash of its
chain's head (:mod:`incidentctl.reports.cache`): a closed incident is read and folded
once, and a report over ten thousand incidents reads summary rows and the cache.

An incident whose log does not verify is never aggregated: it is listed, with what is
wrong, and the report's exit code is 1.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from datetime import datetime, tzinfo

    from incidentctl.deadlines.engine import CalendarSource
    from incidentctl.incidents.audit import AuditProblem
    from incidentctl.incidents.state import IncidentState
    from incidentctl.records import Event
    from incidentctl.runbooks.model import Runbook

#: Bumped whenever what :func:`facts_of` computes changes: older cache entries are ignored.
FACTS_VERSION = 2

#: The manual's target for the first reply to a complaining customer (§7.1: 10 minutes).
FIRST_REPLY_TARGET = 600.0
#: Steps whose completion is the first reply to customers, and the audience whose first
#: message counts as one where no such step is done.
FIRST_REPLY_STEPS = ("first-reply",)
CUSTOMER_AUDIENCE = "customer"
#: Typed evidence a report adds up (numbers of affected orders, amounts in yuan), where the
#: review's impact does not say them.
ORDER_ITEMS = ("affected-orders", "order-count", "suspicious-orders", "orders")
AMOUNT_ITEMS = ("loss-estimate", "reported-loss", "refund-amount", "compensation-total")
#: A satisfaction score (1-5) is evidence whose id says so, of type score.
SATISFACTION_ITEMS = ("satisfaction",)
#: A week's average satisfaction this much below the week before it is flagged as a drop.
SATISFACTION_DROP = 0.5
#: How many of the most-missed steps a report lists.
TOP_MISSED = 10

# Compliance buckets of a report (the post-mortem's verdicts, late and never done together).
MET, MISSED, SKIPPED, NA, OPEN = "met", "missed", "skipped", "n/a", "open"
BUCKETS = (MET, MISSED, SKIPPED, NA, OPEN)


class Facts(NamedTuple):
    """What a report needs of one incident, as plain JSON values (cached as they are).

    Times are ISO 8601 UTC strings; durations seconds from the opening."""

    id: str
    number: int
    title: str
    runbook: str
    tier: str  # the tier the incident is in as its log ends
    opened_at: str
    status: str
    drill: bool
    head: str
    acknowledged: float | None
    mitigated: float | None
    resolved: float | None
    mitigated_at: str | None
    resolved_at: str | None
    closed_at: str | None
    runbook_sha256: str
    #: step id -> [met, missed, skipped, n/a, open, legal (0 or 1)]: its deadlines judged
    deadlines: Mapping[str, Sequence[int]]
    #: [met, missed, skipped, n/a, open]: every deadline of the incident (promises aside)
    compliance: Sequence[int]
    #: [step id, title zh, title en, verdict, due, source] per legal deadline missed
    legal_misses: list[list[Any]]
    messages: dict[str, int]  # audience -> messages sent
    promises: list[int]  # [kept, judged]
    first_reply: float | None
    orders: int | None
    amount: str | None  # yuan, two decimals
    satisfaction: list[list[Any]]  # [when, score]
    #: [number, text, owner, due (YYYY-MM-DD), due_at, state]
    actions: list[list[Any]]
    #: [code, seq, message] of what the audit found wrong (empty: the log verifies)
    problems: list[list[Any]]

    def as_json(self) -> dict[str, Any]:
        return self._asdict()

    @classmethod
    def from_json(cls, data: dict[str, Any], shared: dict[Any, Any] | None = None) -> Facts:
        """Facts read back from the cache.  With ``shared`` (one dict for all the incidents
        read), the values ten thousand incidents repeat are kept once: the same step ids,
        runbooks, tiers and statuses, and the same few thousand rows of counts.  That
        halves the memory a report over the whole store takes."""
        if shared is not None:
            rows = data["deadlines"]
            if isinstance(rows, dict):
                data["deadlines"] = {
                    _share(shared, k): _share(shared, tuple(v)) for k, v in rows.items()
                }
            data["compliance"] = _share(shared, tuple(data["compliance"]))
            for key in ("runbook", "tier", "status", "runbook_sha256"):
                data[key] = _share(shared, data[key])
        return cls(**data)


def _share(shared: dict[Any, Any], value: Any) -> Any:
    """The one copy of ``value`` kept in ``shared``."""
    return shared.setdefault(value, value)


def _bucket(verdict: str) -> str:
    from incidentctl.postmortem import MISSES

    return MISSED if verdict in MISSES else verdict


def facts_of(
    events: list[Event],
    runbook: Runbook,
    state: IncidentState,
    *,
    number: int,
    problems: Sequence[AuditProblem],
    calendar: CalendarSource | None = None,
) -> Facts:
    """One incident's facts, judged by the post-mortem (:func:`incidentctl.postmortem.build`)."""
    from incidentctl.deadlines.engine import PROMISE
    from incidentctl.postmortem import MET as PM_MET
    from incidentctl.postmortem import build
    from incidentctl.times import iso

    pm = build(events, runbook, state, problems=list(problems), calendar=calendar)
    titles = {s.id: s.title for s in runbook.steps}

    def title(step: str) -> tuple[str, str]:
        t = titles.get(step)
        return (t.zh, t.en) if t is not None else (step, step)

    deadlines: dict[str, list[int]] = {}
    for v in pm.verdicts:
        if v.deadline.step == PROMISE:
            continue
        row = deadlines.setdefault(v.deadline.step, [0] * (len(BUCKETS) + 1))
        row[BUCKETS.index(_bucket(v.verdict))] += 1
        row[-1] |= int(v.legal)
    legal = [
        [
            v.deadline.step,
            *title(v.deadline.step),
            v.verdict,
            iso(v.deadline.due) if v.deadline.due else None,
            v.deadline.source,
        ]
        for v in pm.legal_misses
    ]
    messages: dict[str, int] = {}
    first_message: datetime | None = None
    for e in pm.messages:
        if e.seq in state.retracted:
            continue
        audience = str(e.payload.get("audience") or "-")
        messages[audience] = messages.get(audience, 0) + 1
        if audience == CUSTOMER_AUDIENCE and (first_message is None or e.occurred < first_message):
            first_message = e.occurred
    judged = [p for p in pm.promises if p.verdict not in ("open", "n/a", "skipped")]
    kept = sum(1 for p in judged if p.verdict == PM_MET)

    first_reply: float | None = None
    for step_id in FIRST_REPLY_STEPS:
        s = state.steps.get(step_id)
        if s is not None and s.completions:
            first_reply = pm.since_opened(min(c.at for c in s.completions))
            break
    if first_reply is None and first_message is not None:
        first_reply = pm.since_opened(first_message)

    impact = state.review.get("impact")
    impact = impact if isinstance(impact, dict) else {}
    orders = impact.get("orders") if isinstance(impact.get("orders"), int) else None
    amount = impact.get("amount_cny") if isinstance(impact.get("amount_cny"), str) else None
    satisfaction: list[list[Any]] = []
    for s in state.steps.values():
        for item, value in s.evidence.items():
            if orders is None and item in ORDER_ITEMS and _number(value) is not None:
                orders = int(_number(value) or 0)
            elif amount is None and item in AMOUNT_ITEMS and _number(value) is not None:
                amount = f"{_number(value):.2f}"
            elif item in SATISFACTION_ITEMS and s.finished_at is not None:
                score = _number(value)
                if score is not None and 1 <= score <= 5:
                    satisfaction.append([iso(s.finished_at), score])
    actions = [
        [a.number, a.text, a.owner, a.due, iso(a.due_at), a.state]
        for a in sorted(state.actions.values(), key=lambda a: a.number)
    ]

    def at(instant: datetime | None) -> str | None:
        return iso(instant) if instant is not None else None

    return Facts(
        id=state.id,
        number=number,
        title=state.title,
        runbook=state.runbook_id,
        tier=state.severity,
        opened_at=iso(state.opened_at),
        status=state.status,
        drill=state.drill is not None,
        head=events[-1].hash,
        runbook_sha256=state.runbook_sha256,
        acknowledged=pm.since_opened(pm.acknowledged),
        mitigated=pm.since_opened(state.mitigated_at),
        resolved=pm.since_opened(state.resolved_at),
        mitigated_at=at(state.mitigated_at),
        resolved_at=at(state.resolved_at),
        closed_at=at(state.closed_at),
        deadlines=deadlines,
        compliance=list(_counts(deadlines.values()).values()),
        legal_misses=legal,
        messages=dict(sorted(messages.items())),
        promises=[kept, len(judged)],
        first_reply=first_reply,
        orders=orders,
        amount=amount,
        satisfaction=sorted(satisfaction),
        actions=actions,
        problems=[[p.code, p.seq, p.message] for p in problems],
    )


def broken_facts(
    incident_id: str,
    number: int,
    row: Any,
    head: str,
    problems: Sequence[AuditProblem],
) -> Facts:
    """The facts of an incident whose log cannot even be folded: only what its summary row
    says, and what is wrong."""
    return Facts(
        id=incident_id,
        number=number,
        title=row.title if row is not None else "",
        runbook=row.runbook_id if row is not None else "",
        tier=row.severity if row is not None else "",
        opened_at=row.opened_at if row is not None else "",
        status=row.status if row is not None else "",
        drill=False,
        head=head,
        runbook_sha256=row.runbook_sha256 if row is not None else "",
        acknowledged=None,
        mitigated=None,
        resolved=None,
        mitigated_at=None,
        resolved_at=None,
        closed_at=None,
        deadlines={},
        compliance=[0] * len(BUCKETS),
        legal_misses=[],
        messages={},
        promises=[0, 0],
        first_reply=None,
        orders=None,
        amount=None,
        satisfaction=[],
        actions=[],
        problems=[[p.code, p.seq, p.message] for p in problems],
    )


def _number(text: str) -> float | None:
    try:
        return float(str(text).replace(",", ""))
    except ValueError:
        return None


# --- aggregation ------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile (0-1) by nearest rank; ``None`` of nothing."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float | None:
    import statistics

    return statistics.median(values) if values else None


class Spread(NamedTuple):
    """How long something took over several incidents: how many measured, median, p90."""

    n: int
    median: float | None
    p90: float | None

    @classmethod
    def of(cls, values: Iterable[float | None]) -> Spread:
        got = [v for v in values if v is not None]
        return cls(len(got), median(got), percentile(got, 0.9))


def _counts(rows: Iterable[Sequence[int]]) -> dict[str, int]:
    """Deadlines in each bucket, added up over rows of :attr:`Facts.deadlines`."""
    met = missed = skipped = na = open_ = 0
    for row in rows:  # unrolled: over a whole store this runs for every step of every incident
        met += row[0]
        missed += row[1]
        skipped += row[2]
        na += row[3]
        open_ += row[4]
    return dict(zip(BUCKETS, (met, missed, skipped, na, open_), strict=True))


class Group(NamedTuple):
    """One runbook at one tier."""

    runbook: str
    tier: str
    incidents: int
    acknowledge: Spread
    mitigate: Spread
    resolve: Spread
    compliance: dict[str, int]  # bucket -> deadlines
    messages: dict[str, int]
    promises: tuple[int, int]  # kept, judged


class StepCompliance(NamedTuple):
    runbook: str
    step: str
    title: tuple[str, str]
    legal: bool
    counts: dict[str, int]

    @property
    def judged(self) -> int:
        return sum(self.counts.values())

    @property
    def missed(self) -> int:
        return self.counts.get(MISSED, 0)


class LegalMiss(NamedTuple):
    incident: str
    runbook: str
    tier: str
    step: str
    title: tuple[str, str]
    verdict: str
    due: str | None
    source: str


class Week(NamedTuple):
    """One ISO week (in the reader's zone) of incidents opened."""

    week: str  # 2026-W47
    opened: int
    resolve: Spread
    satisfaction: float | None  # average score given that week
    scores: int
    drop: bool  # the average fell by SATISFACTION_DROP or more since the week before


class OwnerActions(NamedTuple):
    owner: str
    open: int
    past_due: int
    items: list[tuple[str, int, str, str, bool]]  # incident, number, text, due, past due


class Report:
    """The report over the incidents chosen (see the module's docstring)."""

    def __init__(
        self,
        *,
        facts: list[Facts],
        since: datetime | None,
        until: datetime,
        zone: tzinfo,
        runbook: str | None,
        tier: str | None,
        drills: bool,
        cached: int,
        titles: dict[str, dict[str, list[str]]] | None = None,
    ) -> None:
        self.since = since
        self.until = until
        self.zone = zone
        self.runbook = runbook
        self.tier = tier
        self.drills = drills
        self.cached = cached
        #: Whether every log was read and verified now (``--verify``), rather than an
        #: incident whose chain head is unchanged being taken as verified when last read.
        self.every_log_read = False
        #: step titles [zh, en] by runbook snapshot (sha256) and step id
        self.titles = titles or {}
        self._steps: list[StepCompliance] | None = None
        self.all = sorted(facts, key=lambda f: (f.opened_at, f.id))
        #: Incidents whose log does not verify: listed, never aggregated.
        self.broken = [f for f in self.all if f.problems]
        self.incidents = [f for f in self.all if not f.problems]

    @property
    def exit_code(self) -> int:
        return 1 if self.broken else 0

    # --- per runbook and tier -----------------------------------------------------------
    def groups(self) -> list[Group]:
        by: dict[tuple[str, str], list[Facts]] = {}
        for f in self.incidents:
            by.setdefault((f.runbook, f.tier), []).append(f)
        out = []
        for (runbook, tier), items in sorted(by.items()):
            messages: dict[str, int] = {}
            for f in items:
                for audience, n in f.messages.items():
                    messages[audience] = messages.get(audience, 0) + n
            out.append(
                Group(
                    runbook,
                    tier,
                    len(items),
                    Spread.of(f.acknowledged for f in items),
                    Spread.of(f.mitigated for f in items),
                    Spread.of(f.resolved for f in items),
                    _counts(f.compliance for f in items),
                    dict(sorted(messages.items())),
                    (sum(f.promises[0] for f in items), sum(f.promises[1] for f in items)),
                )
            )
        return out

    def overall(self) -> Group:
        messages: dict[str, int] = {}
        for f in self.incidents:
            for audience, n in f.messages.items():
                messages[audience] = messages.get(audience, 0) + n
        return Group(
            "*",
            "*",
            len(self.incidents),
            Spread.of(f.acknowledged for f in self.incidents),
            Spread.of(f.mitigated for f in self.incidents),
            Spread.of(f.resolved for f in self.incidents),
            _counts(f.compliance for f in self.incidents),
            dict(sorted(messages.items())),
            (
                sum(f.promises[0] for f in self.incidents),
                sum(f.promises[1] for f in self.incidents),
            ),
        )

    # --- deadlines ----------------------------------------------------------------------
    def legal_misses(self) -> list[LegalMiss]:
        """Every legal or regulatory deadline missed, by incident (oldest first)."""
        return [
            LegalMiss(f.id, f.runbook, f.tier, m[0], (m[1], m[2]), m[3], m[4], m[5])
            for f in self.incidents
            for m in f.legal_misses
        ]

    def steps(self) -> list[StepCompliance]:
        """Compliance per step of each runbook (recurring steps: every occurrence)."""
        if self._steps is None:
            self._steps = self._compute_steps()
        return self._steps

    def _compute_steps(self) -> list[StepCompliance]:
        by: dict[tuple[str, str], list[Sequence[int]]] = {}
        title: dict[tuple[str, str], tuple[str, str]] = {}
        for f in self.incidents:
            titles = self.titles.get(f.runbook_sha256, {})
            for step, d in f.deadlines.items():
                key = (f.runbook, step)
                by.setdefault(key, []).append(d)
                if key not in title and step in titles:
                    zh, en = titles[step]
                    title[key] = (zh, en)
        return [
            StepCompliance(
                runbook,
                step,
                title.get((runbook, step), (step, step)),
                any(r[-1] for r in rows),
                _counts(rows),
            )
            for (runbook, step), rows in sorted(by.items())
        ]

    def most_missed(self, limit: int = TOP_MISSED) -> list[StepCompliance]:
        missed = [s for s in self.steps() if s.missed]
        missed.sort(key=lambda s: (-s.missed / s.judged, -s.missed, s.runbook, s.step))
        return missed[:limit]

    # --- KPIs from typed evidence -------------------------------------------------------
    def first_reply(self) -> tuple[Spread, int]:
        """Time to the first reply to customers, and how many within the manual's 10 minutes."""
        values = [f.first_reply for f in self.incidents if f.first_reply is not None]
        return Spread.of(values), sum(1 for v in values if v <= FIRST_REPLY_TARGET)

    def impact(self) -> tuple[int, int, str, int]:
        """Affected orders (summed, over how many incidents), amount in yuan (likewise)."""
        from decimal import Decimal

        orders = [f.orders for f in self.incidents if f.orders is not None]
        amounts = [Decimal(f.amount) for f in self.incidents if f.amount is not None]
        return sum(orders), len(orders), f"{sum(amounts, Decimal(0)):.2f}", len(amounts)

    def weeks(self) -> list[Week]:
        """Incidents opened, time to resolve and satisfaction by ISO week, in order."""
        from incidentctl.times import from_iso

        def week_of(text: str) -> str:
            y, w, _ = from_iso(text).astimezone(self.zone).isocalendar()
            return f"{y}-W{w:02d}"

        opened: dict[str, list[Facts]] = {}
        for f in self.incidents:
            opened.setdefault(week_of(f.opened_at), []).append(f)
        scores: dict[str, list[float]] = {}
        for f in self.incidents:
            for when, score in f.satisfaction:
                scores.setdefault(week_of(when), []).append(float(score))
        out: list[Week] = []
        previous: float | None = None
        for week in sorted(set(opened) | set(scores)):
            items = opened.get(week, [])
            given = scores.get(week, [])
            average = round(sum(given) / len(given), 2) if given else None
            drop = (
                average is not None
                and previous is not None
                and previous - average >= SATISFACTION_DROP
            )
            out.append(
                Week(
                    week,
                    len(items),
                    Spread.of(f.resolved for f in items),
                    average,
                    len(given),
                    drop,
                )
            )
            if average is not None:
                previous = average
        return out

    # --- action items ---------------------------------------------------------------------
    def actions(self) -> list[OwnerActions]:
        """Open action items by owner, past due as of the report's end."""
        from incidentctl.times import from_iso

        by: dict[str, list[tuple[str, int, str, str, bool]]] = {}
        for f in self.incidents:
            for number, text, owner, due, due_at, state in f.actions:
                if state != "open":
                    continue
                late = from_iso(due_at) <= self.until
                by.setdefault(owner, []).append((f.id, number, text, due, late))
        out = [
            OwnerActions(
                owner,
                len(items),
                sum(1 for i in items if i[4]),
                sorted(items, key=lambda i: (i[3], i[0], i[1])),
            )
            for owner, items in by.items()
        ]
        out.sort(key=lambda o: (-o.past_due, -o.open, o.owner))
        return out
