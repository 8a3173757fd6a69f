"""Output for people of every command's result: aligned tables, the reader's language and
zone, colour on a terminal, and data cleaned before it is laid out (:mod:`~.safe`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from incidentctl.render import Reporter

if TYPE_CHECKING:
    from collections.abc import Sequence

    from incidentctl import incidents
    from incidentctl.comms.messages import Message, PhraseListing, Sent, TemplateListing
    from incidentctl.deadlines import IncidentPage
    from incidentctl.deadlines.monitor import CheckResult, DeadlineListing, Item
    from incidentctl.drills.history import DrillHistory, DrillsDue
    from incidentctl.drills.results import (
        DrillClock,
        DrillStarted,
        InjectsArrived,
        ScenarioValidation,
    )
    from incidentctl.drills.score import DrillScore
    from incidentctl.drills.simulate import Simulation
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
    from incidentctl.runbooks.repository import RunbookListing, RunbookPage, ValidationReport
    from incidentctl.store.admin import StoreInitialised, StoreStatus
    from incidentctl.store.copy import CopyReport


class TextReporter(Reporter):
    """For people: aligned tables, the reader's language and zone, colour on a terminal."""

    # --- incidents -----------------------------------------------------------------
    def Opened(self, r: Opened) -> None:
        from incidentctl.i18n import t
        from incidentctl.render.phrases import tier_name
        from incidentctl.render.safe import clean

        # only what is shown is cleaned: cleaning the whole view walked every string of
        # the runbook to print one line
        view = r.view
        out, s, rb = self.out, view.state, view.runbook
        out.echo(clean(s.id))
        out.echo(
            t(
                "opened_incident",
                out.lang,
                id=clean(s.id),
                number=view.number,
                tier=clean(tier_name(rb, s.severity, out.lang)),
                runbook=clean(rb.id),
                version=clean(rb.version),
                sha=rb.sha256[:12],
            ),
            err=True,
        )

    def Recorded(self, r: Recorded) -> None:
        from incidentctl.i18n import t
        from incidentctl.render.phrases import describe, human
        from incidentctl.render.safe import clean_event, clean_runbook
        from incidentctl.times import fmt_zoned

        out, e = self.out, clean_event(r.event)
        line = f"{e.incident} #{e.seq}: {describe(e, clean_runbook(r.runbook), out.lang, out.zone)}"
        if e.backdated:
            lag = (e.recorded - e.occurred).total_seconds()
            line += "  " + t(
                "backdated_to",
                out.lang,
                at=fmt_zoned(e.occurred, out.zone),
                lag=human(lag, out.lang),
            )
        out.echo(line)

    def IncidentListing(self, r: IncidentListing) -> None:
        from incidentctl.i18n import t

        out = self.out
        if not r.store:
            out.echo(t("no_store", out.lang, path=r.location))
        elif not r.rows:
            out.echo(t("no_incidents", out.lang))
        else:
            from incidentctl.render.listing import list_table
            from incidentctl.render.safe import clean_row

            rows = [clean_row(row) for row in r.rows]
            out.echo(list_table(rows, r.now, out.zone, out.lang, out.width))

    def IncidentPage(self, r: IncidentPage) -> None:
        from incidentctl.render.incidents import show_text
        from incidentctl.render.safe import clean_view

        out, view = self.out, clean_view(r.view)
        out.echo(show_text(view, r.deadlines, r.now, out.zone, out.lang, out.style, out.width))
        self._log_warning(view.state.id, r.problems)

    def Timeline(self, r: Timeline) -> None:
        from incidentctl.render.events import timeline_text
        from incidentctl.render.safe import clean_view

        out, view = self.out, clean_view(r.view)
        out.echo(timeline_text(view, r.now, out.zone, out.lang, out.style, out.width))
        self._log_warning(view.state.id, r.problems)

    def _log_warning(self, incident: str, problems: Sequence[AuditProblem]) -> None:
        """After the incident, so that it is the last thing read: its log does not verify."""
        if problems:
            from incidentctl.render.phrases import log_warning

            text = log_warning(incident, problems, self.out.lang)
            self.out.echo(self.out.style(text, "red", "bold"), err=True)

    def AuditReport(self, r: AuditReport) -> None:
        from incidentctl.i18n import t
        from incidentctl.render.safe import clean

        out = self.out
        for entry in r.incidents:
            incident = clean(entry.incident)
            if entry.ok:
                head = entry.head.hash if entry.head is not None else "-"
                out.echo(t("audit.ok", out.lang, id=incident, n=entry.events, hash=head))
                continue
            for p in entry.problems:
                text = t(
                    f"audit.{p.code}", out.lang, expected=p.expected, seq=p.seq, detail=p.detail
                )
                if p.seq is not None:
                    text = t("audit.at_event", out.lang, seq=p.seq, text=text)
                out.echo(out.style(f"{incident}: {text}", "red"))
        if r.failed:
            out.echo(t("audit.failed", out.lang, bad=len(r.failed), n=len(r.incidents)), err=True)

    # --- deadlines ----------------------------------------------------------------------
    def _deadline_table(self, items: list[Item]) -> None:
        from incidentctl.render.incidents import deadlines_table
        from incidentctl.render.safe import clean_view

        out = self.out
        views: dict[int, View] = {}
        for i in items:  # each incident's view cleaned once, not once per deadline of it
            if id(i.view) not in views:
                views[id(i.view)] = clean_view(i.view)
        shown = [i._replace(view=views[id(i.view)]) for i in items]
        out.echo(deadlines_table(shown, out.zone, out.lang, out.style, out.width))

    def Anchored(self, r: Anchored) -> None:
        from incidentctl.i18n import t
        from incidentctl.render.safe import clean

        a = r.record
        self.out.echo(
            t(
                "anchor.written",
                self.out.lang,
                n=a["incidents"],
                digest=a["digest"],
                at=a["at"],
                file=clean(r.file),
            )
        )

    def ActionListing(self, r: ActionListing) -> None:
        from incidentctl.i18n import t

        if not r.items:
            self.out.echo(t("actions.none", self.out.lang))
            return
        self._action_table(r)

    def _action_table(self, r: incidents.ActionListing) -> None:
        from incidentctl.i18n import t
        from incidentctl.render.safe import clean
        from incidentctl.render.table import table

        out = self.out
        rows = []
        for incident, _title, a in r.items:
            state = t(f"action.{a.state}", out.lang)
            if r.overdue(a):
                state = out.style(t("action.overdue", out.lang), "red")
            kind = t(f"action.kind.{a.kind}", out.lang)
            rows.append(
                [str(a.number), incident, clean(a.text), kind, clean(a.owner), a.due, state]
            )
        headers = t("actions.heading", out.lang).split("|")
        out.echo(table(headers, rows, max_width=out.width, shrink=[2], wrap_shrunk=True))

    def DeadlineListing(self, r: DeadlineListing) -> None:
        from incidentctl.i18n import t
        from incidentctl.times import zone_label

        out = self.out
        if not r.items:
            out.echo(t("no_incidents", out.lang) if not r.any_incident else "-")
            return
        self._deadline_table(r.items)
        if any(i.deadline.beyond_calendar for i in r.items):
            out.echo(out.style(t("beyond_calendar", out.lang), "dim"))
        out.echo(out.style(t("times_in", out.lang, zone=zone_label(out.zone, r.now)), "dim"))

    def CheckResult(self, r: CheckResult) -> None:
        from incidentctl.deadlines.monitor import flagged_as
        from incidentctl.i18n import t

        for problem in r.problems:
            self.out.echo(t("notify_failed", self.out.lang, problem=problem), err=True)
        if r.anchor_problem:
            self.out.echo(
                t("check.anchor_failed", self.out.lang, problem=r.anchor_problem), err=True
            )
        if r.flagged:
            self._deadline_table([flagged_as(i, k) for i, k in r.flagged])
        if r.actions:
            from incidentctl.incidents import ActionListing

            if r.flagged:
                self.out.echo()
            self.out.echo(t("check.actions", self.out.lang))
            items = [(v.state.id, v.state.title, a) for v, a in r.actions]
            self._action_table(ActionListing(items, r.now))

    # --- runbooks ------------------------------------------------------------------------
    def RunbookListing(self, r: RunbookListing) -> None:
        from incidentctl.i18n import t
        from incidentctl.paths import display_path
        from incidentctl.render.runbooks import list_rows
        from incidentctl.render.safe import clean

        out = self.out
        out.echo(list_rows([rb for _, rb in r.runbooks], out.lang))
        origin = t(f"origin.{r.origin}", out.lang)
        out.echo(
            out.style(
                t("runbooks_in", out.lang, dir=display_path(r.directory), origin=origin), "dim"
            )
        )
        for c in r.invalid:
            file = clean(c.file)
            out.echo(f"{file}: {t('invalid_runbook', out.lang, file=file)}", err=True)

    def RunbookPage(self, r: RunbookPage) -> None:
        from incidentctl.render.runbooks import show_markdown, show_text
        from incidentctl.render.safe import clean_runbook

        out, rb = self.out, clean_runbook(r.runbook)
        if r.format == "md":
            out.echo(show_markdown(rb, out.lang, r.tier))
        else:
            out.echo(show_text(rb, out.lang, out.style, out.width, r.tier))

    def ValidationReport(self, r: ValidationReport) -> None:
        from incidentctl.i18n import t
        from incidentctl.render.safe import clean

        out = self.out
        problems = [p for c in r.results for p in c.problems]
        for p in problems:
            out.echo(clean(p.format()))
        warnings = [w for ws in (r.warnings or {}).values() for w in ws]
        for w in warnings:
            out.echo(clean(w.format()))
        bad = sum(1 for c in r.results if not c.ok)
        if problems:
            summary = t("problems", out.lang, p=len(problems), f=bad)
        else:
            summary = t("valid", out.lang, n=len(r.results))
        if r.warnings is not None:
            summary += t("clause_sep", out.lang) + t("warnings", out.lang, n=len(warnings))
        out.echo(summary, err=True)

    # --- messages ------------------------------------------------------------------------
    def TemplateListing(self, r: TemplateListing) -> None:
        from incidentctl.i18n import t
        from incidentctl.render.safe import clean
        from incidentctl.render.table import table

        out, lang = self.out, self.out.lang
        rows = [
            [
                clean(u.template.id),
                t(f"audience.{u.template.audience}", lang),
                clean(u.template.name.get(lang)),
                "\n".join(clean(c) for c in u.template.channels),
                "\n".join(u.steps),
            ]
            for u in r.uses
        ]
        headers = [t(k, lang) for k in ("id", "audience", "title", "channels", "steps")]
        out.echo(
            table(
                headers,
                rows,
                max_width=out.width,
                shrink=[(2, 12), (4, 14), (3, 12), (0, 14)],
                wrap_shrunk=True,
            )
        )

    def PhraseListing(self, r: PhraseListing) -> None:
        from incidentctl.render.safe import clean
        from incidentctl.render.text import wrap

        out, lang = self.out, self.out.lang
        for p in r.phrases:
            head = f"{{phrase.{p.id}}}  [{p.use}]  {p.cite.get(lang)}"
            out.echo(out.style(clean(head), "bold"))
            for line in wrap(clean(p.text.get(lang)), out.width, indent="  "):
                out.echo(line)

    def _message_text(self, r: Message) -> None:
        from incidentctl.render.safe import clean

        if r.subject:
            self.out.echo(clean(r.subject))
            self.out.echo("")
        self.out.echo(clean(r.body, one_line=False))

    def Message(self, r: Message) -> None:
        self._message_text(r)
        if not r.draft:
            return
        from incidentctl.errors import clauses
        from incidentctl.i18n import t
        from incidentctl.render.safe import clean

        out, left = self.out, r.remaining()
        if left:
            parts = clauses([b.how for b in left])
            note = t("comms.draft", out.lang, n=len(left), parts=parts)
        else:
            note = t("comms.draft_complete", out.lang)
        out.echo(out.style(clean(note), "dim"), err=True)

    def Sent(self, r: Sent) -> None:
        from incidentctl.i18n import t
        from incidentctl.render.safe import clean

        out, e = self.out, r.event
        self._message_text(r.message)
        line = t(
            "sent",
            out.lang,
            id=e.incident,
            seq=e.seq,
            template=r.message.template,
            audience=t(f"audience.{r.message.audience}", out.lang),
            channel=clean(r.message.channel),
        )
        if r.counts_as:
            line += t("counts_as", out.lang, steps=r.counts_as)
        out.echo(line, err=True)

    # === drills =========================================================================
    def DrillStarted(self, r: DrillStarted) -> None:
        from incidentctl.render.drills import started_text

        started_text(self.out, r)

    def InjectsArrived(self, r: InjectsArrived) -> None:
        from incidentctl.render.drills import injects_text

        injects_text(self.out, r)

    def DrillClock(self, r: DrillClock) -> None:
        from incidentctl.render.drills import clock_text

        clock_text(self.out, r)

    def DrillScore(self, r: DrillScore) -> None:
        from incidentctl.render.drills import score_text

        score_text(self.out, r)

    def ScenarioValidation(self, r: ScenarioValidation) -> None:
        from incidentctl.render.drills import validation_text

        validation_text(self.out, r)

    def DrillHistory(self, r: DrillHistory) -> None:
        from incidentctl.render.drills import history_text

        history_text(self.out, r)

    def DrillsDue(self, r: DrillsDue) -> None:
        from incidentctl.render.drills import due_text

        due_text(self.out, r)

    def Simulation(self, r: Simulation) -> None:
        from incidentctl.render.drills import simulation_text

        simulation_text(self.out, r)

    # === end of drills ==================================================================

    # --- the store ----------------------------------------------------------------------
    def StoreStatus(self, r: StoreStatus) -> None:
        from incidentctl.i18n import t
        from incidentctl.render.safe import clean

        out, lang = self.out, self.out.lang
        rows = [
            (t("store.backend", lang), r.backend),
            (t("store.location", lang), clean(r.location)),
            (
                t("store.schema", lang),
                t("store.schema_of", lang, v=r.schema_version, known=r.known_version),
            ),
            (
                t("store.contents", lang),
                t("store.counts", lang, i=r.incidents, e=r.events, r=r.runbooks),
            ),
        ]
        if r.user is not None:
            rows.append((t("store.user", lang), clean(r.user)))
        rows.append(
            (t("store.writable", lang), t("store.yes" if r.can_write else "store.no", lang))
        )
        from incidentctl.render.text import pad, width

        cells = max(width(label) for label, _ in rows)
        for label, value in rows:
            out.echo(f"{pad(label, cells)}  {value}")

    def StoreInitialised(self, r: StoreInitialised) -> None:
        from incidentctl.i18n import t
        from incidentctl.render.safe import clean

        out, lang = self.out, self.out.lang
        key = "store.init_same" if r.before == r.after else "store.init_done"
        out.echo(t(key, lang, location=clean(r.location), before=r.before, after=r.after))
        if r.roles:
            out.echo(t("store.init_roles", lang, roles=list(r.roles)))

    def CopyReport(self, r: CopyReport) -> None:
        from incidentctl.i18n import t
        from incidentctl.render.safe import clean
        from incidentctl.store.copy import BROKEN, COMPLETED, COPIED, PRESENT

        out, lang = self.out, self.out.lang
        for entry in r.refused:
            key = "store.copy_broken" if entry.outcome == BROKEN else "store.copy_conflict"
            out.echo(out.style(t(key, lang, id=clean(entry.incident)), "red"), err=True)
        out.echo(
            t(
                "store.copy_done",
                lang,
                source=clean(r.source),
                target=clean(r.target),
                copied=r.count(COPIED),
                completed=r.count(COMPLETED),
                present=r.count(PRESENT),
                refused=len(r.refused),
            )
        )
