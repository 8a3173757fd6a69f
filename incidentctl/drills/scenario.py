"""Scenario files: load, check (YAML safety, schema, then the rules a schema cannot say,
against the runbook the scenario exercises) and the model the drill runs on.

Every problem is located at its YAML node (``FILE:LINE:COL: path: message``), as a
runbook's are.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from incidentctl.errors import DocumentError, IncidentctlError, Problem, nearest
from incidentctl.i18n import msg

if TYPE_CHECKING:
    from incidentctl.documents.yamlsafe import Located
    from incidentctl.runbooks.model import Runbook
    from incidentctl.runbooks.repository import RunbookDir

#: The newest scenario format this release reads.
SCENARIO_SCHEMA_VERSION = 1
#: A late expectation's credit reaches zero at this multiple of its limit, unless the
#: scenario says otherwise (``late_credit_until``).
LATE_CREDIT_UNTIL = 2.0


class ScenarioNotFound(IncidentctlError):
    default_code = "scenario.not_found"


class Inject(NamedTuple):
    id: str
    at: int | None  # seconds from the drill's start
    after: str | None  # an inject or a step id
    delay: int  # seconds after ``after``
    source: str | None
    message: dict[str, str]
    scope: str | None
    facts: dict[str, Any]
    severity: str | None


class Expectation(NamedTuple):
    id: str
    step: str | None
    evidence: tuple[str, ...]
    template: str | None
    channel: str | None
    within: int  # seconds
    start: str  # "start" or an inject id
    weight: float


class Responder(NamedTuple):
    react: tuple[int, int]  # seconds, low and high
    skip: float
    name: str | None


#: A scripted responder where the scenario names none.
DEFAULT_RESPONDER = Responder((120, 900), 0.05, None)


class Scenario(NamedTuple):
    doc: dict[str, Any]
    id: str
    version: str
    runbook: str
    severity: str
    title: dict[str, str]
    briefing: dict[str, str]
    duration: int | None
    late_credit_until: float
    injects: tuple[Inject, ...]
    expectations: tuple[Expectation, ...]
    responders: dict[str, Responder]

    def responder(self, role: str) -> Responder:
        return self.responders.get(role) or self.responders.get("default") or DEFAULT_RESPONDER


def _seconds(text: str | None, default: int = 0) -> int:
    from incidentctl.durations import parse_duration

    return int(parse_duration(text, allow_zero=True).seconds) if text else default


def from_document(doc: dict[str, Any]) -> Scenario:
    """The model of a document already checked."""
    from incidentctl.durations import parse_range

    responders = {}
    for role, r in (doc.get("responders") or {}).items():
        react = DEFAULT_RESPONDER.react
        if r.get("react"):
            low, high = parse_range(r["react"])
            react = (int(low.seconds), int(high.seconds))
        responders[role] = Responder(react, float(r.get("skip", 0.05)), r.get("name"))
    return Scenario(
        doc=doc,
        id=doc["id"],
        version=doc["version"],
        runbook=doc["runbook"],
        severity=doc["severity"],
        title=doc["title"],
        briefing=doc["briefing"],
        duration=_seconds(doc.get("duration")) or None,
        late_credit_until=float(doc.get("late_credit_until", LATE_CREDIT_UNTIL)),
        injects=tuple(
            Inject(
                i["id"],
                _seconds(i["at"]) if "at" in i else None,
                i.get("after"),
                _seconds(i.get("delay")),
                i.get("source"),
                i["message"],
                i.get("scope"),
                dict(i.get("facts") or {}),
                i.get("severity"),
            )
            for i in doc.get("injects") or []
        ),
        expectations=tuple(
            Expectation(
                e["id"],
                e.get("step"),
                tuple(e.get("evidence") or ()),
                e.get("template"),
                e.get("channel"),
                _seconds(e["within"]),
                e.get("from", "start"),
                float(e.get("weight", 1)),
            )
            for e in doc["expectations"]
        ),
        responders=responders,
    )


class CheckedScenario(NamedTuple):
    file: str
    problems: list[Problem]
    scenario: Scenario | None

    @property
    def ok(self) -> bool:
        return not self.problems


def check_file(
    path: str | os.PathLike[str], runbooks: RunbookDir | None, *, display: str | None = None
) -> CheckedScenario:
    """Check the scenario file at ``path``: YAML, version, schema, then its references to
    the runbook (found in ``runbooks``) and to itself."""
    from incidentctl.documents import yamlsafe
    from incidentctl.documents.schemas import schema_problems

    name = display or os.fspath(path)
    try:
        located = yamlsafe.load_file(path, display=name)
    except DocumentError as exc:
        return CheckedScenario(name, list(exc.problems), None)
    data = located.data
    if not isinstance(data, dict):
        return CheckedScenario(name, [located.problem((), "a scenario is a mapping")], None)
    version = data.get("schema_version")
    if isinstance(version, int) and version > SCENARIO_SCHEMA_VERSION:
        from incidentctl import __version__

        text = (
            f"scenario format {version} needs a newer incidentctl (this is {__version__}, "
            f"which reads format {SCENARIO_SCHEMA_VERSION})"
        )
        return CheckedScenario(name, [located.problem(("schema_version",), text)], None)
    problems = sorted(set(schema_problems(located, "scenario")))
    if problems:
        return CheckedScenario(name, problems, None)
    problems = sorted(set(lint(located, runbooks)))
    return CheckedScenario(name, problems, None if problems else from_document(data))


def lint(located: Located, runbooks: RunbookDir | None) -> list[Problem]:
    """What the schema cannot say: the file named after the id, ids unique, ``after``
    naming an inject or step without a cycle, and every runbook step, template, tier and
    role named being the runbook's."""
    data = located.data
    problems: list[Problem] = []
    where = Path(located.file)
    stem = where.stem
    if where.parent.name == "drills" and stem != data["id"]:  # where `drill run ID` looks
        problems.append(
            located.problem(
                ("id",),
                f"the file is named {stem}: name it {data['id']}.yaml, so that "
                f"`drill run {data['id']}` finds it",
            )
        )
    injects = data.get("injects") or []
    ids: dict[str, int] = {}
    for n, inject in enumerate(injects):
        if "at" in inject and "after" in inject:
            problems.append(
                located.problem(("injects", n, "after"), "give either at or after, not both")
            )
        if inject["id"] in ids:
            problems.append(located.problem(("injects", n, "id"), "repeats an earlier inject's id"))
        ids.setdefault(inject["id"], n)
    seen: set[str] = set()
    for n, e in enumerate(data["expectations"]):
        if e["id"] in seen:
            problems.append(
                located.problem(("expectations", n, "id"), "repeats an earlier expectation's id")
            )
        seen.add(e["id"])
        if "step" in e and "template" in e:
            problems.append(
                located.problem(
                    ("expectations", n, "template"), "give either step or template, not both"
                )
            )
        start = e.get("from", "start")
        if start != "start" and start not in ids:
            problems.append(
                located.problem(
                    ("expectations", n, "from"), _unknown(start, "an inject", [*ids, "start"])
                )
            )
    runbook = _runbook(located, runbooks, problems)
    steps = {s.id for s in runbook.steps} if runbook else set()
    for n, inject in enumerate(injects):
        after = inject.get("after")
        if after is None:
            continue
        if after not in ids and runbook is not None and after not in steps:
            problems.append(
                located.problem(
                    ("injects", n, "after"), _unknown(after, "an inject or step", [*ids, *steps])
                )
            )
    for n in _cycle(injects, ids):
        problems.append(
            located.problem(("injects", n, "after"), "injects wait on each other in a circle")
        )
    if runbook is None:
        return problems
    tiers = set(runbook.tier_ids)
    if data["severity"] not in tiers:
        problems.append(
            located.problem(("severity",), _unknown(data["severity"], "a tier", sorted(tiers)))
        )
    for n, inject in enumerate(injects):
        tier = inject.get("severity")
        if tier is not None and tier not in tiers:
            problems.append(
                located.problem(("injects", n, "severity"), _unknown(tier, "a tier", sorted(tiers)))
            )
    for n, e in enumerate(data["expectations"]):
        if "step" in e:
            step = runbook.step(e["step"])
            if step is None:
                problems.append(
                    located.problem(
                        ("expectations", n, "step"), _unknown(e["step"], "a step", sorted(steps))
                    )
                )
                continue
            known = {ev.id for ev in step.evidence}
            for k, key in enumerate(e.get("evidence") or []):
                if key not in known:
                    problems.append(
                        located.problem(
                            ("expectations", n, "evidence", k),
                            _unknown(key, f"evidence of {step.id}", sorted(known)),
                        )
                    )
        else:
            template = runbook.templates.get(e["template"])
            if template is None:
                problems.append(
                    located.problem(
                        ("expectations", n, "template"),
                        _unknown(e["template"], "a template", sorted(runbook.templates)),
                    )
                )
            elif e.get("channel") and e["channel"] not in template.channels:
                problems.append(
                    located.problem(
                        ("expectations", n, "channel"),
                        _unknown(e["channel"], "a channel of the template", template.channels),
                    )
                )
    roles = set(runbook.roles)
    for role in data.get("responders") or {}:
        if role != "default" and role not in roles:
            problems.append(
                located.problem(
                    ("responders", role),
                    _unknown(role, "a role", sorted([*roles, "default"])),
                    key=True,
                )
            )
    for role, r in (data.get("responders") or {}).items():
        if r.get("react"):
            from incidentctl.durations import parse_range

            try:
                parse_range(r["react"])
            except IncidentctlError as exc:
                problems.append(located.problem(("responders", role, "react"), exc.text("en")))
    return problems


def _unknown(word: str, what: str, known: list[str] | tuple[str, ...] | set[str]) -> str:
    near = nearest(word, known)
    hint = f" (did you mean {near}?)" if near else ""
    return f"'{word}' is not {what}{hint}"


def _runbook(
    located: Located, runbooks: RunbookDir | None, problems: list[Problem]
) -> Runbook | None:
    if runbooks is None:
        return None
    try:
        return runbooks.find(located.data["runbook"])
    except IncidentctlError as exc:
        problems.append(located.problem(("runbook",), exc.text("en")))
        return None


def _cycle(injects: list[dict[str, Any]], ids: dict[str, int]) -> list[int]:
    """The injects that wait, through ``after``, on themselves."""
    circular = []
    for n, inject in enumerate(injects):
        seen = {inject["id"]}
        after = inject.get("after")
        while after in ids:
            if after in seen:
                circular.append(n)
                break
            seen.add(after)
            after = injects[ids[after]].get("after")
    return circular


def drills_dir(runbooks: RunbookDir) -> Path:
    """Where a runbook directory keeps its scenarios: its ``drills/`` folder."""
    return runbooks.path / "drills"


def scenario_files(runbooks: RunbookDir) -> list[Path]:
    folder = drills_dir(runbooks)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def find(ref: str, runbooks: RunbookDir) -> Scenario:
    """The scenario ``ref`` names: a path to a file, or the id of one in the runbook
    directory's ``drills/``; raises :class:`DocumentError` if it is invalid."""
    path = Path(ref)
    if not (ref.endswith((".yaml", ".yml")) or os.sep in ref) or not path.is_file():
        files = scenario_files(runbooks)
        ids = {p.stem: p for p in files}
        if ref not in ids:
            near = nearest(ref, list(ids))
            raise ScenarioNotFound(
                msg("err.drill.no_scenario", ref=ref, folder=str(drills_dir(runbooks))),
                hint=msg("err.drill.did_you_mean", near=near) if near else None,
            )
        path = ids[ref]
    checked = check_file(path, runbooks)
    if checked.scenario is None:
        raise DocumentError(checked.problems)
    return checked.scenario
