"""``drill simulate``: can a team of a given size meet a runbook's deadlines?

A Monte Carlo over the runbook's own structure.  Each step of the tier takes a time
drawn from its ``effort:`` range — triangular from the lower to the upper bound,
most likely at the midpoint (a single duration is exact; a step without ``effort``
takes no time).  A step can start once its deadline's anchor is reached (``from:
opened`` or ``discovered`` at once; ``from: <step>`` when that step is finished;
``from: mitigated`` once every step not waiting on mitigation or resolution is
finished, and ``from: resolved`` once every step before resolution is), and then
queues, first come first served, on the people of its role.  Recurring and per-item
steps are left out: their clocks restart, and a one-off run cannot judge them.
Business days count as whole days.

Per deadline: the probability it is met and the median slack (negative: late).  The
critical path is the chain of steps (through anchors and through waiting for the same
person) that most often ends last; and each role is tried with one more person, to
say which extra person raises compliance most.
"""

from __future__ import annotations

import heapq
import random
from typing import TYPE_CHECKING, NamedTuple

from incidentctl.errors import InvalidInput
from incidentctl.i18n import msg

if TYPE_CHECKING:
    from collections.abc import Mapping

    from incidentctl.runbooks.model import Runbook

#: The one queue of a team whose people can each take any role (``--team``).
ANYONE = "*"
OPENED = -1
MITIGATED = -2
RESOLVED = -3
#: How many runs each "one more person" trial makes, at most.
ADVICE_RUNS = 2000


class Task(NamedTuple):
    id: str
    role: str
    low: float  # seconds
    high: float
    anchor: int  # index of another task, or OPENED / MITIGATED / RESOLVED
    due: float | None  # seconds after the anchor
    group: int  # 0 before mitigation, 1 before resolution, 2 after it


class Plan(NamedTuple):
    runbook: str
    tier: str
    tasks: tuple[Task, ...]


class DeadlineOdds(NamedTuple):
    step: str
    role: str
    due: float
    p_met: float
    median_slack: float


class Advice(NamedTuple):
    role: str
    staff: int  # with one more person
    compliance: float  # mean P(met) over the deadlines


class Simulation(NamedTuple):
    runbook: str
    tier: str
    runs: int
    seed: int
    staff: dict[str, int]
    deadlines: list[DeadlineOdds]
    compliance: float  # mean P(met)
    critical_path: list[str]
    critical_share: float  # how often that very chain ended last
    makespan_median: float
    advice: list[Advice]  # best first
    no_effort: list[str]  # steps without an effort range (taken as instant)


def plan(runbook: Runbook, tier: str) -> Plan:
    """The one-off steps of ``tier`` as tasks, their anchors resolved."""
    from incidentctl.durations import parse_range

    steps = [s for s in runbook.steps if s.applies_to(tier) and not s.recurring and not s.per]
    index = {s.id: i for i, s in enumerate(steps)}
    anchors: list[int] = []
    for s in steps:
        anchor = s.due.anchor if s.due else "opened"
        if anchor == "mitigated":
            anchors.append(MITIGATED)
        elif anchor == "resolved":
            anchors.append(RESOLVED)
        else:
            anchors.append(index.get(anchor, OPENED))
    groups: list[int] = []

    def group(i: int, seen: frozenset[int] = frozenset()) -> int:
        a = anchors[i]
        if a == MITIGATED:
            return 1
        if a == RESOLVED:
            return 2
        if a == OPENED or a in seen:
            return 0
        return group(a, seen | {i})

    tasks = []
    for i, s in enumerate(steps):
        low = high = 0.0
        if s.effort:
            a, b = parse_range(s.effort)
            low, high = float(a.seconds), float(b.seconds)
        due = None
        if s.due and tier in s.due.durations:
            d = s.due.durations[tier]
            due = float(d.seconds + d.business_days * 86400)
        groups.append(group(i))
        tasks.append(Task(s.id, s.role, low, high, anchors[i], due, groups[i]))
    return Plan(runbook.id, tier, tuple(tasks))


def _one(
    tasks: tuple[Task, ...],
    queues: list[str],
    effort: list[float],
    staff: Mapping[str, int],
    dependents: list[list[int]],
    roots: tuple[list[int], list[int], list[int]],
) -> tuple[list[float], list[float], list[int]]:
    """One run: each task's finish, its anchor's time, and what it last waited on (the
    task whose end let it start, or -1)."""
    n = len(tasks)
    finish = [0.0] * n
    anchor_at = [0.0] * n
    cause = [-1] * n
    people: dict[str, list[tuple[float, int]]] = {}
    ready: list[tuple[float, int, int]] = []  # (ready at, position, cause)
    start_of_group = 0.0
    last_end = 0.0
    last_task = -1
    for g in range(3):
        for i in roots[g]:
            heapq.heappush(ready, (start_of_group, i, last_task))
            anchor_at[i] = start_of_group
        while ready:
            at, i, why = heapq.heappop(ready)
            role = queues[i]
            queue = people.get(role)
            if queue is None:
                queue = people[role] = [(0.0, -1)] * max(1, staff.get(role, 1))
                heapq.heapify(queue)
            free, previous = heapq.heappop(queue)
            begin = at
            if free > at:
                begin, why = free, previous
            end = begin + effort[i]
            finish[i] = end
            cause[i] = why
            if end > last_end or last_task < 0:
                last_end, last_task = max(last_end, end), i
            heapq.heappush(queue, (end, i))
            for j in dependents[i]:
                anchor_at[j] = end
                heapq.heappush(ready, (end, j, i))
        start_of_group = last_end
    return finish, anchor_at, cause


def simulate(
    runbook: Runbook,
    tier: str,
    *,
    runs: int = 1000,
    seed: int = 0,
    staff: Mapping[str, int] | None = None,
    team: int | None = None,
    advise: bool = True,
) -> Simulation:
    """``runs`` runs of the runbook at ``tier`` with ``staff`` people per role (one for a
    role not named), or a ``team`` of that many people who can each take any role,
    deterministic for ``seed``."""
    if runs < 1:
        raise InvalidInput(msg("err.simulate.runs"))
    people = dict(staff or {})
    for role in people:
        runbook.check_role(role)
    p = plan(runbook, tier)
    if team is not None:
        if not 1 <= team <= 999:
            raise InvalidInput(msg("err.simulate.team", n=team))
        people = {ANYONE: team}
    odds, compliance, chains, spans = _runs(p, runs, seed, people)
    best = max(chains.items(), key=lambda kv: (kv[1], kv[0]))[0] if chains else ()
    advice: list[Advice] = []
    if advise:
        roles = [ANYONE] if team is not None else sorted({t.role for t in p.tasks})
        for role in roles:
            more = {**people, role: people.get(role, 1) + 1}
            _, c, _, _ = _runs(p, min(runs, ADVICE_RUNS), seed, more)
            advice.append(Advice(role, more[role], c))
        advice.sort(key=lambda a: (-a.compliance, a.role))
    return Simulation(
        runbook=runbook.id,
        tier=tier,
        runs=runs,
        seed=seed,
        staff=dict(people)
        if team is not None
        else {r: people.get(r, 1) for r in sorted({t.role for t in p.tasks})},
        deadlines=odds,
        compliance=compliance,
        critical_path=[p.tasks[i].id for i in best],
        critical_share=chains.get(best, 0) / runs if best else 0.0,
        makespan_median=_median(spans),
        advice=advice,
        no_effort=[t.id for t in p.tasks if t.high == 0],
    )


def _runs(
    p: Plan, runs: int, seed: int, staff: Mapping[str, int]
) -> tuple[list[DeadlineOdds], float, dict[tuple[int, ...], int], list[float]]:
    tasks = p.tasks
    n = len(tasks)
    dependents: list[list[int]] = [[] for _ in tasks]
    roots: tuple[list[int], list[int], list[int]] = ([], [], [])
    for i, t in enumerate(tasks):
        if t.anchor >= 0:
            dependents[t.anchor].append(i)
        else:
            roots[{OPENED: 0, MITIGATED: 1, RESOLVED: 2}[t.anchor]].append(i)
    queues = [ANYONE if ANYONE in staff else t.role for t in tasks]
    rng = random.Random(seed)
    tri = rng.triangular
    shapes = [(t.low, t.high, (t.low + t.high) / 2) for t in tasks]
    timed = [i for i, t in enumerate(tasks) if t.due is not None]
    met = [0] * n
    slacks: list[list[float]] = [[] for _ in tasks]
    chains: dict[tuple[int, ...], int] = {}
    spans = []
    for _ in range(runs):
        effort = [tri(lo, hi, mode) if hi > lo else lo for lo, hi, mode in shapes]
        finish, anchor_at, cause = _one(tasks, queues, effort, staff, dependents, roots)
        for i in timed:
            due = tasks[i].due
            assert due is not None
            slack = anchor_at[i] + due - finish[i]
            slacks[i].append(slack)
            if slack >= 0:
                met[i] += 1
        if n:
            last = max(range(n), key=lambda k: (finish[k], -k))
            spans.append(finish[last])
            chain = [last]
            while cause[chain[-1]] >= 0 and len(chain) <= n:
                chain.append(cause[chain[-1]])
            key = tuple(reversed(chain))
            chains[key] = chains.get(key, 0) + 1
    odds = [
        DeadlineOdds(
            tasks[i].id,
            tasks[i].role,
            tasks[i].due or 0.0,
            met[i] / runs,
            _median(slacks[i]),
        )
        for i in timed
    ]
    compliance = sum(o.p_met for o in odds) / len(odds) if odds else 1.0
    return odds, compliance, chains, spans


def _median(values: list[float]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def parse_staff(items: Mapping[str, str]) -> dict[str, int]:
    """``--staff ROLE=N`` values as numbers of people (1 to 99)."""
    out = {}
    for role, value in items.items():
        if not value.strip().isdecimal() or not 1 <= int(value) <= 99:
            raise InvalidInput(msg("err.simulate.staff", role=role, value=value))
        out[role] = int(value)
    return out
