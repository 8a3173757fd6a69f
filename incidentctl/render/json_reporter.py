"""Machine-readable output of every command's result: one JSON document on stdout.

This module is the ``--json`` contract.  Each document is an object that names itself
(``kind``) and the version of its shape (``schema_version``), and follows the schema of
its command in ``schemas/output/`` (built from the shared pieces in ``defs.schema.json``):
one name and one shape per concept, lists as arrays, instants as ISO 8601 UTC with a
``Z``, files as absolute paths.  Human notes still go to stderr; errors are
:func:`error_document`, on one line.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from incidentctl.render import Reporter

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import datetime

    from incidentctl.comms.messages import Message, PhraseListing, Sent, TemplateListing
    from incidentctl.deadlines import IncidentPage
    from incidentctl.deadlines.engine import Deadline
    from incidentctl.deadlines.monitor import CheckResult, DeadlineListing
    from incidentctl.drills.history import DrillHistory, DrillsDue
    from incidentctl.drills.results import (
        DrillClock,
        DrillStarted,
        InjectsArrived,
        ScenarioValidation,
    )
    from incidentctl.drills.score import DrillScore
    from incidentctl.drills.simulate import Simulation
    from incidentctl.errors import Problem
    from incidentctl.incidents import (
        ActionListing,
        Anchored,
        IncidentListing,
        Opened,
        Recorded,
        Timeline,
    )
    from incidentctl.incidents.audit import AuditProblem, AuditReport
    from incidentctl.incidents.service import View
    from incidentctl.incidents.state import ActionItem
    from incidentctl.records import Head
    from incidentctl.runbooks.model import Runbook, Text
    from incidentctl.runbooks.repository import RunbookListing, RunbookPage, ValidationReport
    from incidentctl.store.admin import StoreInitialised, StoreStatus
    from incidentctl.store.base import IncidentRow
    from incidentctl.store.copy import CopyReport


def dumps(data: dict[str, Any], *, indent: int | None = None) -> str:
    """A document as JSON text: UTF-8 as it is, but every character a terminal would act on
    (or a reader take for a line break) written as its escape."""
    import json

    from incidentctl.render.safe import visible_json

    return visible_json(json.dumps(data, ensure_ascii=False, indent=indent))


def document(kind: str, version: int = 1, **fields: Any) -> dict[str, Any]:
    """A top-level document: what it is, the version of its shape, then its fields."""
    return {"kind": kind, "schema_version": version, **fields}


def error_document(
    code: str, message: str, hint: str | None = None, problems: Iterable[Problem] = ()
) -> dict[str, Any]:
    """What a command given ``--json`` says on stderr when it fails."""
    return document(
        "error",
        error={
            "code": code,
            "message": message,
            "hint": hint,
            "problems": [problem(p) for p in problems],
        },
    )


# --- the shared pieces (defs.schema.json) ---------------------------------------------


def utc(instant: datetime) -> str:
    """An instant as the contract writes it: ISO 8601 in UTC with a ``Z``."""
    from incidentctl.times import iso  # a listing of stored rows needs no time at all

    return iso(instant)


def time(instant: datetime | None) -> str | None:
    return utc(instant) if instant is not None else None


def path(name: str | os.PathLike[str]) -> str:
    """A file as the contract names it: absolute (a display name is relative to the
    current directory, which has not changed since)."""
    return os.path.abspath(name)


def text(value: Text) -> dict[str, str]:
    return {"zh": value.zh, "en": value.en}


def runbook_ref(runbook_id: str, version: str | None, sha256: str) -> dict[str, Any]:
    return {"id": runbook_id, "version": version, "sha256": sha256}


def head(h: Head) -> dict[str, Any]:
    return {"seq": h.seq, "hash": h.hash, "recorded_at": h.recorded_at}


def problem(p: Problem) -> dict[str, Any]:
    return {
        "file": path(p.file),
        "line": p.line,
        "column": p.column,
        "path": p.path,
        "message": p.message,
    }


def incident_summary(row: IncidentRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "number": row.number,
        "title": row.title,
        "status": row.status,
        "severity": row.severity,
        "runbook": runbook_ref(row.runbook_id, row.runbook_version, row.runbook_sha256),
        "commander": row.commander,
        "opened_at": row.opened_at,
        "head": {"seq": row.last_seq, "hash": row.head_hash, "recorded_at": row.updated_at},
    }


def incident(view: View) -> dict[str, Any]:
    s, rb = view.state, view.runbook
    return {
        "id": s.id,
        "number": view.number,
        "title": s.title,
        "status": s.status,
        "severity": s.severity,
        "runbook": runbook_ref(s.runbook_id, s.runbook_version, s.runbook_sha256),
        "commander": s.commander,
        "opened_at": utc(s.opened_at),
        "head": {"seq": s.last_seq, "hash": s.head_hash, "recorded_at": s.head_recorded_at},
        "scope": s.scope,
        "eta": time(s.eta),
        "discovered_at": time(s.discovered_at),
        "mitigated_at": time(s.mitigated_at),
        "resolved_at": time(s.resolved_at),
        "closed_at": time(s.closed_at),
        "roles": dict(s.roles),
        "severity_history": [
            {
                "seq": c.seq,
                "occurred_at": utc(c.at),
                "actor": c.actor,
                "from": c.before,
                "to": c.after,
                "reason": c.reason,
            }
            for c in s.severity_history
        ],
        "checklist": [
            {
                "step": step.id,
                "title": text(step.title),
                "phase": step.phase,
                "applies": step.applies_to(s.severity),
                "status": st.status,
                "started_at": time(st.started_at),
                "finished_at": time(st.finished_at),
                "actor": st.actor,
                "tier_at_finish": st.tier_at_finish,
                "evidence": dict(st.evidence),
                "note": st.note,
                "reason": st.reason,
                "completions": [
                    {
                        "seq": c.seq,
                        "occurred_at": utc(c.at),
                        "actor": c.actor,
                        "tier": c.tier,
                        "via": c.via,
                    }
                    for c in st.completions
                ],
            }
            for step in rb.steps
            for st in (s.steps[step.id],)
        ],
    }


def anchor_fields(r: Anchored) -> dict[str, Any]:
    """An anchor just taken: when, how many incidents, its digest, and its file."""
    a = r.record
    return {"at": a["at"], "incidents": a["incidents"], "digest": a["digest"], "file": path(r.file)}


def action_item(a: ActionItem) -> dict[str, Any]:
    return {
        "number": a.number,
        "text": a.text,
        "owner": a.owner,
        "kind": a.kind,
        "due": a.due,
        "due_at": utc(a.due_at),
        "state": a.state,
        "added_at": utc(a.added_at),
        "ended_at": time(a.ended_at),
        "reason": a.reason,
    }


def deadline(d: Deadline, now: datetime) -> dict[str, Any]:
    """A deadline as it stands at its incident's ``now``."""
    from incidentctl.deadlines.engine import OPEN_STATES

    left = d.remaining(now)
    return {
        "incident": d.incident,
        "step": d.step,
        "key": d.key,
        "occurrence": d.occurrence,
        "state": d.state,
        "due": time(d.due),
        "seconds_left": int(left) if left is not None and d.state in OPEN_STATES else None,
        "anchor": d.anchor,
        "anchor_at": time(d.anchor_at),
        "duration": d.duration,
        "tier": d.tier,
        "source": d.source,
        "basis": d.basis,
        "anchor_fallback": d.anchor_fallback,
        "item": d.item,
        "role": d.role,
        "required": d.required,
        "finished_at": time(d.finished_at),
        "beyond_calendar": d.beyond_calendar,
    }


def message(m: Message) -> dict[str, Any]:
    return {
        "template": m.template,
        "audience": m.audience,
        "lang": m.lang,
        "channel": m.channel or None,
        "subject": m.subject,
        "text": m.body,
    }


def schedule(rb: Runbook, tier: str) -> list[dict[str, Any]]:
    """Each step that applies at ``tier``, with its deadline rule there."""
    out = []
    for s in rb.steps:
        if not s.applies_to(tier):
            continue
        due = s.due if s.due and tier in s.due.durations else None
        every = s.every if s.every and tier in s.every.intervals else None
        out.append(
            {
                "step": s.id,
                "title": text(s.title),
                "phase": s.phase,
                "role": s.role,
                "required": s.required,
                "due": None
                if due is None
                else {
                    "duration": str(due.durations[tier]),
                    "anchor": due.anchor,
                    "source": due.source,
                    **({"basis": due.basis} if due.basis else {}),
                },
                "every": None
                if every is None
                else {
                    "interval": str(every.intervals[tier]),
                    "anchor": every.anchor,
                    "until": every.until,
                    "source": every.source,
                    **({"basis": every.basis} if every.basis else {}),
                },
            }
        )
    return out


class JsonReporter(Reporter):
    """Machine-readable output: one JSON document on stdout."""

    def emit(self, data: dict[str, Any]) -> None:
        self.out.echo(dumps(data, indent=2))

    # --- incidents -----------------------------------------------------------------
    def Opened(self, r: Opened) -> None:
        self.emit({**document("opened"), **incident(r.view), "event": r.view.events[0].as_dict()})

    def Recorded(self, r: Recorded) -> None:
        self.emit(document("recorded", event=r.event.as_dict()))

    def IncidentListing(self, r: IncidentListing) -> None:
        self.emit(document("incident-list", incidents=[incident_summary(row) for row in r.rows]))

    def IncidentPage(self, r: IncidentPage) -> None:
        from incidentctl.deadlines.engine import by_urgency

        self._log_warning(r.view.state.id, r.problems)
        self.emit(
            {
                **document("incident"),
                **incident(r.view),
                "now": utc(r.now),
                "deadlines": [deadline(d, r.now) for d in by_urgency(r.deadlines)],
                "integrity": self._integrity(r.problems),
            }
        )

    def Timeline(self, r: Timeline) -> None:
        events = sorted(r.view.events, key=lambda e: (e.occurred, e.seq))
        self._log_warning(r.view.state.id, r.problems)
        self.emit(
            document(
                "timeline",
                incident=r.view.state.id,
                events=[e.as_dict() for e in events],
                integrity=self._integrity(r.problems),
            )
        )

    def _log_warning(self, incident: str, problems: Sequence[AuditProblem]) -> None:
        """For the person reading, as with text: the log does not verify."""
        if problems:
            from incidentctl.render.phrases import log_warning

            self.out.echo(log_warning(incident, problems, self.out.lang), err=True)

    def _integrity(self, problems: Sequence[AuditProblem]) -> dict[str, Any]:
        return {"ok": not problems, "problems": [self._problem(p) for p in problems]}

    def _problem(self, p: AuditProblem) -> dict[str, Any]:
        from incidentctl.i18n import t

        message = t(
            f"audit.{p.code}", self.out.lang, expected=p.expected, seq=p.seq, detail=p.detail
        )
        return {"seq": p.seq, "code": p.code, "message": message}

    def AuditReport(self, r: AuditReport) -> None:
        from incidentctl.i18n import t

        lang = self.out.lang
        if r.failed:  # for the person reading, as with text
            self.out.echo(t("audit.failed", lang, bad=len(r.failed), n=len(r.incidents)), err=True)
        self.emit(
            document(
                "audit",
                ok=not r.failed,
                incidents=[
                    {
                        "incident": entry.incident,
                        "ok": entry.ok,
                        "event_count": entry.events,
                        "head": head(entry.head) if entry.head else None,
                        "problems": [self._problem(p) for p in entry.problems],
                    }
                    for entry in r.incidents
                ],
            )
        )

    def Anchored(self, r: Anchored) -> None:
        self.emit(document("anchor", **anchor_fields(r)))

    def ActionListing(self, r: ActionListing) -> None:
        self.emit(
            document(
                "action-list",
                now=utc(r.now),
                actions=[
                    dict(action_item(a), incident=incident, overdue=r.overdue(a))
                    for incident, _title, a in r.items
                ],
            )
        )

    # --- deadlines ----------------------------------------------------------------------
    def DeadlineListing(self, r: DeadlineListing) -> None:
        self.emit(
            document("deadline-list", deadlines=[deadline(i.deadline, i.now) for i in r.items])
        )

    def CheckResult(self, r: CheckResult) -> None:
        from incidentctl.i18n import t

        for p in r.problems:  # for the person reading the cron mail, as with text
            self.out.echo(t("notify_failed", self.out.lang, problem=p), err=True)
        if r.anchor_problem:
            self.out.echo(
                t("check.anchor_failed", self.out.lang, problem=r.anchor_problem), err=True
            )
        self.emit(
            document(
                "check",
                status=r.status,
                deadlines=[dict(deadline(i.deadline, i.now), flag=k) for i, k in r.flagged],
                notices_failed=list(r.problems),
                actions=[
                    dict(action_item(a), incident=v.state.id, overdue=True) for v, a in r.actions
                ],
                anchor=None if r.anchor is None else anchor_fields(r.anchor),
                anchor_failed=r.anchor_problem,
            )
        )

    # --- runbooks ------------------------------------------------------------------------
    def RunbookListing(self, r: RunbookListing) -> None:
        from incidentctl.i18n import t

        for c in r.invalid:
            self.out.echo(f"{c.file}: {t('invalid_runbook', self.out.lang, file=c.file)}", err=True)
        self.emit(
            document(
                "runbook-list",
                directory=path(r.directory),
                origin=r.origin,
                runbooks=[
                    {
                        **runbook_ref(rb.id, rb.version, rb.sha256),
                        "title": text(rb.title),
                        "kind": rb.kind,
                        "tiers": list(rb.tier_ids),
                        "steps": [s.id for s in rb.steps],
                        "file": path(file),
                    }
                    for file, rb in r.runbooks
                ],
                invalid=[
                    {"file": path(c.file), "problems": [problem(p) for p in c.problems]}
                    for c in r.invalid
                ],
            )
        )

    def RunbookPage(self, r: RunbookPage) -> None:
        rb = r.runbook
        self.emit(
            document(
                "runbook",
                runbook=runbook_ref(rb.id, rb.version, rb.sha256),
                document=rb.doc,
                severity=r.tier,
                schedule=schedule(rb, r.tier) if r.tier else None,
            )
        )

    def ValidationReport(self, r: ValidationReport) -> None:
        self.emit(
            document(
                "validation",
                valid=r.valid,
                files=[
                    {
                        "file": path(c.file),
                        "valid": c.ok,
                        "problems": [problem(p) for p in c.problems],
                        **(
                            {"warnings": [problem(w) for w in r.warnings.get(c.file, [])]}
                            if r.warnings is not None
                            else {}
                        ),
                    }
                    for c in r.results
                ],
            )
        )

    # --- messages ------------------------------------------------------------------------
    def TemplateListing(self, r: TemplateListing) -> None:
        self.emit(
            document(
                "template-list",
                templates=[
                    {
                        "id": u.template.id,
                        "title": text(u.template.name),
                        "audience": u.template.audience,
                        "channels": list(u.template.channels),
                        "inputs": [i.id for i in u.template.inputs],
                        "steps": list(u.steps),
                    }
                    for u in r.uses
                ],
            )
        )

    def PhraseListing(self, r: PhraseListing) -> None:
        self.emit(
            document(
                "phrase-list",
                phrases=[
                    {"id": p.id, "use": p.use, "cite": text(p.cite), "text": text(p.text)}
                    for p in r.phrases
                ],
            )
        )

    def Message(self, r: Message) -> None:
        if r.draft:
            blanks = [
                {"placeholder": b.name, "topic": b.topic, "how": b.how.text(self.out.lang)}
                for b in r.remaining()
            ]
            self.emit(document("draft", message=message(r), blanks=blanks))
        else:
            self.emit(document("message", message=message(r)))

    def Sent(self, r: Sent) -> None:
        self.emit(
            document(
                "sent",
                message=message(r.message),
                event=r.event.as_dict(),
                counts_as=list(r.counts_as),
            )
        )

    # === drills =========================================================================
    def DrillStarted(self, r: DrillStarted) -> None:
        from incidentctl.render.drills import started_json

        self.emit(document("drill-run", **started_json(r)))

    def InjectsArrived(self, r: InjectsArrived) -> None:
        from incidentctl.render.drills import _drill, injects_json

        self.emit(document("drill-tick", **_drill(r.view), injects=injects_json(r.events)))

    def DrillClock(self, r: DrillClock) -> None:
        from incidentctl.render.drills import clock_json

        self.emit(document(f"drill-{r.action}", **clock_json(r)))

    def DrillScore(self, r: DrillScore) -> None:
        from incidentctl.render.drills import score_json

        self.emit(document("drill-score", **score_json(r)))

    def ScenarioValidation(self, r: ScenarioValidation) -> None:
        self.emit(
            document(
                "scenario-validation",
                valid=r.valid,
                files=[
                    {
                        "file": path(c.file),
                        "valid": c.ok,
                        "problems": [problem(p) for p in c.problems],
                    }
                    for c in r.results
                ],
            )
        )

    def DrillHistory(self, r: DrillHistory) -> None:
        from incidentctl.render.drills import history_json

        self.emit(document("drill-history", **history_json(r)))

    def DrillsDue(self, r: DrillsDue) -> None:
        from incidentctl.render.drills import due_json

        self.emit(document("drill-due", **due_json(r)))

    def Simulation(self, r: Simulation) -> None:
        from incidentctl.render.drills import simulation_json

        self.emit(document("drill-simulation", **simulation_json(r)))

    # === end of drills ==================================================================

    # --- the store ----------------------------------------------------------------------
    def StoreStatus(self, r: StoreStatus) -> None:
        self.emit(
            document(
                "store-status",
                backend=r.backend,
                location=r.location,
                store_schema_version=r.schema_version,
                known_schema_version=r.known_version,
                incidents=r.incidents,
                events=r.events,
                runbooks=r.runbooks,
                user=r.user,
                can_write=r.can_write,
            )
        )

    def StoreInitialised(self, r: StoreInitialised) -> None:
        self.emit(
            document(
                "store-init",
                backend=r.backend,
                location=r.location,
                from_version=r.before,
                to_version=r.after,
                roles=list(r.roles),
            )
        )

    def CopyReport(self, r: CopyReport) -> None:
        self.emit(
            document(
                "store-copy",
                ok=not r.refused,
                source=r.source,
                target=r.target,
                incidents=[
                    {"incident": i.incident, "outcome": i.outcome, "event_count": i.events}
                    for i in r.incidents
                ],
            )
        )
