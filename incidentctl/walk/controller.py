"""The decisions of a guided walk through an incident's checklist, with no terminal.

A :class:`Walk` keeps no state of the incident: every :class:`Screen` is read
from the log as it is now, so quitting and coming back resumes at the first
open step, and two leads walking one incident see each other's progress on
the next screen.  It remembers only where a jump or a step back pointed it,
and what the last action said.  Overdue steps come first, whatever their
place in the runbook.

An action (:meth:`Walk.act`) is an :class:`Exchange`: the questions it needs
answered, then, given the answers, one change recorded through the service,
appended whole or not at all (or a refusal, said as a catalogue message).  A
step the other lead has just recorded is refused by the service, never
recorded twice.  A terminal, a test or a drill's scripted responder answers
the questions the same way; nothing here reads a key or prints a line.  An
action said whole (an :mod:`~incidentctl.walk.intents` intent, as a line of a
walk's input without a terminal says it) is carried out by :meth:`Walk.perform`
with the same changes, asking nothing but the confirmations the walk is told to
ask.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import TYPE_CHECKING, NamedTuple

from incidentctl.deadlines import engine as dl
from incidentctl.errors import IncidentctlError, InvalidAction, InvalidInput
from incidentctl.i18n import Msg, msg, t
from incidentctl.incidents import state as st
from incidentctl.incidents.state import checklist_steps
from incidentctl.times import parse_eta
from incidentctl.walk import intents as it
from incidentctl.walk.agenda import agenda, waits_on_resolution

if TYPE_CHECKING:
    from collections.abc import Callable, Collection
    from datetime import datetime

    from incidentctl.comms.messages import Message
    from incidentctl.deadlines.engine import CalendarSource, Deadline, Policy
    from incidentctl.incidents.service import Incidents, View
    from incidentctl.records import Event
    from incidentctl.runbooks.model import Evidence, Runbook, Step, TemplateInput

# --- stages: what a screen is about ----------------------------------------------------
STEP = "step"  # a step to act on
OFFER = "offer"  # only the review is left: resolve first
FINISHED = "finished"  # every applicable one-off step is done, skipped or n/a

# --- actions ---------------------------------------------------------------------------
DONE = "done"
SKIP = "skip"
NA = "na"
NOTE = "note"
ASSIGN = "assign"
SEVERITY = "severity"
COMMS = "comms"
MITIGATE = "mitigate"
JUMP = "jump"
BACK = "back"
LIST = "list"
REFRESH = "refresh"
QUIT = "quit"
HELP = "help"
RESOLVE = "resolve"  # the offer to resolve when only the review is left

#: The keys of the walk, in the order help lists them.
KEYS: tuple[tuple[str, str], ...] = (
    ("d", DONE),
    ("s", SKIP),
    ("n", NA),
    ("t", NOTE),
    ("a", ASSIGN),
    ("v", SEVERITY),
    ("c", COMMS),
    ("m", MITIGATE),
    ("j", JUMP),
    ("b", BACK),
    ("l", LIST),
    ("r", REFRESH),
    ("q", QUIT),
    ("?", HELP),
)
#: Keys that only draw the screen again, saying nothing: Enter (a terminal sends a
#: carriage return for it), a newline, a space, or no key at all.
QUIET_KEYS = ("\r", "\n", " ", "")
_BY_KEY = {**dict(KEYS), **dict.fromkeys(QUIET_KEYS, REFRESH)}

# --- changes: what an action records ---------------------------------------------------
ETA = "eta"
SEND = "send"
#: Every kind of change a walk records.
CHANGES = (DONE, SKIP, NA, NOTE, ASSIGN, SEVERITY, MITIGATE, RESOLVE, ETA, SEND)
#: The kinds of change that ask "record it? [y/N]" before they are recorded, naming
#: exactly what will be recorded: the changes of the incident's own state, which move
#: deadlines (those anchored on mitigation or resolution start counting; a new tier
#: changes every open one).  A walk told otherwise asks before the kinds it is told.
CONFIRM_BEFORE: frozenset[str] = frozenset({MITIGATE, RESOLVE, SEVERITY})


# --- questions -------------------------------------------------------------------------
class RequiredText(NamedTuple):
    """A line of text that must be given: an empty or missing answer cancels the action."""

    name: str
    prompt: Msg


class OptionalText(NamedTuple):
    """A line of text that may be left empty (``""``).  ``None`` means no answer at all
    (the input ended); the action decides what that means.  ``edit``: the text the
    answer replaces, for an editor to start from."""

    name: str
    prompt: Msg
    edit: str | None = None


class Option(NamedTuple):
    """One option of a :class:`Choice`."""

    id: str
    label: str | Msg = ""


class Choice(NamedTuple):
    """One of ``options``, answered with an option's id or its 1-based number.

    ``keys``: answered with a single key, the prompt naming the options (a menu).
    ``checklist``: the options are the incident's checklist steps, numbered as the
    checklist numbers them.  ``preview``: a message to show before asking about it.
    """

    name: str
    prompt: Msg
    options: tuple[Option, ...]
    keys: bool = False
    checklist: bool = False
    preview: Message | None = None


class Confirm(NamedTuple):
    """A yes/no question, answered ``True`` or ``False``; anything but ``True`` is no."""

    name: str
    prompt: Msg


Question = RequiredText | OptionalText | Choice | Confirm
Answer = str | bool | None
Answers = Mapping[str, Answer]


class Cancelled(Exception):
    """The user backed out of an action (no answer where one was needed)."""


# --- what a walk shows -----------------------------------------------------------------
class Header(NamedTuple):
    """The incident, at the top of every screen."""

    id: str
    title: str
    tier: str  # the tier id; the runbook names it
    commander: str | None
    elapsed: float  # seconds since it opened, at the incident's now
    phase: str | None  # the name of the phase of the step in focus


class Reminder(NamedTuple):
    """A recurring update coming up: its deadline, and the title of its step."""

    deadline: Deadline
    title: str
    urgent: bool  # due soon or overdue: send it now


class Need(NamedTuple):
    """A piece of evidence the step records when it is done."""

    id: str
    label: str
    required: bool


class Card(NamedTuple):
    """The step in focus."""

    id: str
    title: str
    position: int  # its number in the checklist, from 1, as list and jump number it (0: not in it)
    total: int  # the number of steps in the checklist
    owner: str  # the name of the step's role
    holder: str | None  # who holds that role
    deadline: Deadline | None
    status: str  # a step state: pending, in-progress, done, skipped, n/a
    actor: str | None  # who finished it, once it is finished
    required: bool
    instructions: str
    evidence: tuple[Need, ...]
    templates: tuple[str, ...]


class Tally(NamedTuple):
    """How the checklist ended up: steps done, skipped and n/a, and deadlines missed."""

    done: int
    skipped: int
    na: int
    missed: tuple[str, ...]


class Screen(NamedTuple):
    """What a walk shows now, read from the log, in the walk's language.

    ``stage`` says what the screen is about: a ``step`` to act on (``step``, with
    ``ask``, the choice of an action by key), the ``offer`` to resolve when only the
    review is left, or the walk ``finished``, with a ``tally`` and, if the incident
    can still be resolved, ``can_resolve``.  ``message`` is what the last action
    said; ``checklist`` asks for the whole checklist under it.  ``view`` and
    ``deadlines`` are what the screen was read from, for renderers.
    """

    stage: str
    view: View
    deadlines: list[Deadline]
    now: datetime
    header: Header
    reminders: tuple[Reminder, ...]
    step: Card | None
    then: tuple[str, ...]  # the steps after it on the agenda (a few)
    more: bool  # and more after those
    message: tuple[Msg | str, ...]
    checklist: bool
    tally: Tally | None
    can_resolve: bool
    ask: Choice | None


class Outcome(NamedTuple):
    """How an action ended: what it says, what it recorded, and whether the walk is over.
    ``checklist``: it asks for the whole checklist to be shown."""

    message: tuple[Msg | str, ...] = ()
    recorded: tuple[Event, ...] = ()
    end: bool = False
    checklist: bool = False


class Change(NamedTuple):
    """A change an action means to record: its kind, how a confirmation names it, and
    the one service call that records it.  ``exact``: what exactly will change (from
    what, to what, and why), for a confirmation to show beside its name."""

    kind: str
    what: Msg
    record: Callable[[], Event]
    exact: Msg | None = None


Flow = Generator[tuple[Question, ...], Answers, Outcome]


class Exchange:
    """An action in progress.

    ``questions`` are what it asks now: answer them all at once with :meth:`answer`,
    keyed by each question's ``name``; it then records what the answers decide, and
    asks more or ends.  Once ``questions`` is empty, ``outcome`` says how it ended.
    """

    def __init__(self, flow: Flow | Outcome, settle: Callable[[Outcome], Outcome]) -> None:
        self._settle = settle
        self.questions: tuple[Question, ...] = ()
        self.outcome: Outcome | None = None
        if isinstance(flow, Outcome):
            self._end(flow)
        else:
            self._flow = flow
            self._go(None)

    @property
    def over(self) -> bool:
        return self.outcome is not None

    def answer(self, answers: Answers) -> Exchange:
        """Answer the questions asked now; returns the exchange, asking more or over."""
        if self.outcome is not None:
            raise ValueError("this action is over")
        self._go(answers)
        return self

    def through(self, respond: Callable[[Question], Answer]) -> Outcome:
        """Answer every question with ``respond`` until the action is over."""
        while self.outcome is None:
            self.answer({q.name: respond(q) for q in self.questions})
        return self.outcome

    def _go(self, answers: Answers | None) -> None:
        try:
            questions = next(self._flow) if answers is None else self._flow.send(answers)
            while not questions:  # nothing to ask this time
                questions = self._flow.send({})
            self.questions = questions
            return
        except StopIteration as stop:
            outcome: Outcome = stop.value
        except Cancelled:
            outcome = Outcome((msg("walk.cancelled"),))
        except IncidentctlError as exc:
            outcome = Outcome((msg("walk.not_recorded", text=exc.what),))
        self._end(outcome)

    def _end(self, outcome: Outcome) -> None:
        self.questions = ()
        self.outcome = self._settle(outcome)


class Walk:
    """A walk through one incident's checklist: what to show, and what each action asks
    and records, through the incident service ``svc``.

    ``lang`` is the language of the runbook's text on screens and of the messages the
    walk composes; ``org`` the organisation's facts messages are filled with;
    ``calendar`` and ``policy`` what the deadline engine needs.  ``confirm_before``
    holds the kinds of change (:data:`CHANGES`) that ask for a yes before they are
    recorded.  Times are the incident's own (a drill's clock, say), never the
    process's; ``arrivals`` delivers a drill's injects (:func:`incidentctl.drills.play.deliver`).  One action at a time: finish an :class:`Exchange` before the next.
    """

    def __init__(
        self,
        svc: Incidents,
        ref: str,
        *,
        lang: str,
        org: Mapping[str, str] | None = None,
        calendar: CalendarSource | None = None,
        policy: Policy | None = None,
        confirm_before: Collection[str] = CONFIRM_BEFORE,
        arrivals: Callable[[Incidents, str], list[Event]] | None = None,
    ) -> None:
        self.svc = svc
        #: On a drill: records what has arrived by now (its injects), before each screen.
        self.arrivals = arrivals
        self.incident = svc.resolve(ref)
        self.lang = lang
        self.zone = svc.zone
        self.org: Mapping[str, str] = dict(org or {})
        self.calendar = calendar
        self.policy = policy
        self.confirm_before = frozenset(confirm_before)
        self.pointer: str | None = None  # set by jump and back; otherwise the agenda decides
        self.message: tuple[Msg | str, ...] = ()
        self.checklist = False
        self._shown: Screen | None = None
        self._recorded: list[Event] = []

    # --- reading the log ------------------------------------------------------------
    def deadlines(self, view: View) -> list[Deadline]:
        """The incident's deadlines at its own now."""
        return dl.deadlines(
            view.runbook, view.state, view.now(), calendar=self.calendar, policy=self.policy
        )

    def screen(self) -> Screen:
        """What to show now, read from the log.  Actions act on the last screen read.  On a
        drill, the injects whose drill time has come are delivered first, and shown."""
        view = self.svc.view(self.incident)
        arrived: tuple[Msg | str, ...] = ()
        if view.state.drill and self.arrivals is not None:
            events = self.arrivals(self.svc, self.incident)
            if events:
                view = self.svc.view(self.incident)
                arrived = tuple(_inject_said(e, self.lang) for e in events if "inject" in e.payload)
        deadlines = self.deadlines(view)
        plan = agenda(view, deadlines)
        s, rb, lang = view.state, view.runbook, self.lang
        now = view.now()
        stage = STEP
        if self.pointer is None:
            if plan.finished:
                stage = FINISHED
            elif s.status in (st.OPEN, st.MITIGATED) and all(
                waits_on_resolution(view, x) for x in plan.steps
            ):
                stage = OFFER
        step = rb.step(self.pointer or plan.steps[0]) if stage == STEP else None
        phase = next((p for p in rb.phases if step and p.id == step.phase), None)
        header = Header(
            s.id,
            s.title,
            s.severity,
            s.commander,
            (now - s.opened_at).total_seconds(),
            phase.name.get(lang) if phase else None,
        )
        reminders = []
        for d in plan.reminders[:2]:
            target = rb.step(d.step)
            urgent = d.state in (dl.DUE_SOON, dl.OVERDUE)
            reminders.append(Reminder(d, target.title.get(lang) if target else d.step, urgent))
        card = self._card(view, deadlines, step) if step else None
        then: tuple[str, ...] = ()
        if stage == STEP and self.pointer is None and len(plan.steps) > 1:
            then = tuple(plan.steps[1:4])
        message, checklist, tally = self.message, self.checklist, None
        if stage != STEP:
            message, checklist, tally = (), False, _tally(view, deadlines)
            if stage == FINISHED and s.status == st.RESOLVED:
                message = (msg("walk.close_hint", id=self.incident),)
        message = (*arrived, *message)
        ask = None
        if stage == STEP:
            ask = Choice(
                "action",
                msg("walk.ask.action", keys="/".join(k for k, _ in KEYS)),
                tuple(Option(k, msg(f"walk.key.{a}")) for k, a in KEYS),
                keys=True,
            )
        shown = Screen(
            stage,
            view,
            deadlines,
            now,
            header,
            tuple(reminders),
            card,
            then,
            len(plan.steps) > 4 and bool(then),
            message,
            checklist,
            tally,
            s.status in (st.OPEN, st.MITIGATED),
            ask,
        )
        self._shown = shown
        return shown

    def _card(self, view: View, deadlines: list[Deadline], step: Step) -> Card:
        s, rb, lang = view.state, view.runbook, self.lang
        listed = checklist_steps(rb, s)
        position = next((i for i, x in enumerate(listed, 1) if x.id == step.id), 0)
        ss = s.steps[step.id]
        return Card(
            step.id,
            step.title.get(lang),
            position,
            len(listed),
            rb.roles[step.role].name.get(lang),
            s.roles.get(step.role),
            next((x for x in deadlines if x.step == step.id and x.occurrence is None), None),
            ss.status,
            ss.actor if ss.actor and ss.status in st.FINISHED else None,
            step.required,
            step.instructions.get(lang),
            tuple(Need(e.id, e.label.get(lang), e.required) for e in step.evidence),
            step.templates,
        )

    # --- acting -----------------------------------------------------------------------
    def press(self, key: str | None) -> Exchange:
        """The action of a key (see :data:`KEYS`); ``None`` (no key: the input ended)
        quits, and a key that is no action says so."""
        if key is None:
            return self.act(QUIT)
        action = _BY_KEY.get(key)
        if action is None:
            return self._exchange(Outcome((msg("walk.unknown_key", letter=key),)))
        return self.act(action)

    def act(self, action: str) -> Exchange:
        """Start ``action`` on the step of the last screen (one is read if none was)."""
        shown = self._shown or self.screen()
        flows: dict[str, Callable[[Screen], Flow | Outcome]] = {
            DONE: self._done,
            SKIP: lambda shown: self._skip(shown, SKIP),
            NA: lambda shown: self._skip(shown, NA),
            NOTE: self._note,
            ASSIGN: self._assign,
            SEVERITY: self._severity,
            COMMS: self._comms,
            MITIGATE: self._mitigate,
            JUMP: self._jump,
            BACK: self._back,
            LIST: lambda _: Outcome(checklist=True),
            REFRESH: lambda _: Outcome(),
            QUIT: lambda _: Outcome((msg("walk.saved", id=self.incident),), end=True),
            HELP: lambda _: Outcome(
                tuple(msg("walk.help_line", letter=k, text=msg(f"walk.key.{a}")) for k, a in KEYS)
            ),
            RESOLVE: self._resolve,
        }
        if action not in flows:
            raise ValueError(f"no walk action '{action}'; actions: {', '.join(flows)}")
        return self._exchange(flows[action](shown))

    def perform(self, intent: it.Intent) -> Exchange:
        """Carry out an action said whole (a line of a walk's input, say) on the last
        screen read: it records the same changes as :meth:`act`, and asks nothing but the
        confirmations ``confirm_before`` calls for.  What the service refuses records
        nothing, and the exchange's outcome says why."""
        shown = self._shown or self.screen()
        flow: Flow | Outcome
        if isinstance(intent, it.Done):
            flow = self._mark_done(self._named(shown, intent.step), dict(intent.evidence), None)
        elif isinstance(intent, it.Skip):
            flow = self._set_aside(self._named(shown, intent.step), SKIP, intent.reason)
        elif isinstance(intent, it.NotApplicable):
            flow = self._set_aside(self._named(shown, intent.step), NA, intent.reason)
        elif isinstance(intent, it.Note):
            flow = self._add_note(intent.text)
        elif isinstance(intent, it.Assign):
            flow = self._give_role(intent.role, intent.name)
        elif isinstance(intent, it.Severity):
            flow = self._change_severity(shown, intent.tier, intent.reason)
        elif isinstance(intent, it.Mitigate):
            flow = self._mitigate(shown)
        elif isinstance(intent, it.Resolve):
            flow = self._resolve_now(shown, intent.summary)
        elif isinstance(intent, it.Send):
            flow = self._send_whole(shown, intent)
        elif isinstance(intent, it.Jump):
            flow = self._point_at(shown, intent.step)
        elif isinstance(intent, it.Back):
            flow = self._back(shown)
        elif isinstance(intent, it.Checklist):
            flow = Outcome(checklist=True)
        else:
            flow = Outcome((msg("walk.saved", id=self.incident),), end=True)
        return self._exchange(flow)

    def _exchange(self, flow: Flow | Outcome) -> Exchange:
        self._recorded = []
        return Exchange(flow, self._settle)

    def _settle(self, outcome: Outcome) -> Outcome:
        """An action ended: what it recorded goes with its outcome, and what it says is
        shown on the next screen."""
        self.message, self.checklist = outcome.message, outcome.checklist
        return outcome._replace(recorded=tuple(self._recorded))

    def _record(self, change: Change) -> Generator[tuple[Question, ...], Answers, Event]:
        """Record ``change`` (one service call), asking first if its kind is confirmed."""
        if change.kind in self.confirm_before:
            prompt = (
                msg("walk.confirm", change=change.what)
                if change.exact is None
                else msg("walk.confirm_exact", change=change.what, exact=change.exact)
            )
            answers = yield (Confirm("confirm", prompt),)
            if answers.get("confirm") is not True:
                raise Cancelled
        event = change.record()
        self._recorded.append(event)
        return event

    # --- the actions -------------------------------------------------------------------
    def _focus(self, shown: Screen) -> Step:
        step = shown.view.runbook.step(shown.step.id) if shown.step else None
        if step is None:
            raise ValueError(f"no step to act on: the walk is at its {shown.stage} screen")
        return step

    def _named(self, shown: Screen, step_id: str) -> Step:
        step = shown.view.runbook.step(step_id)
        if step is None:
            raise ValueError(f"no step '{step_id}' in runbook {shown.view.runbook.id}")
        return step

    def _done(self, shown: Screen) -> Flow:
        step = self._focus(shown)
        note_q = OptionalText("note", msg("walk.ask.note_optional"))
        answers = yield (*self._evidence_questions(step), note_q)
        evidence = _evidence(step, answers)
        note = _optional(answers, "note")
        return (yield from self._mark_done(step, evidence, note))

    def _mark_done(self, step: Step, evidence: dict[str, str], note: str | None) -> Flow:
        yield from self._record(
            Change(
                DONE,
                msg("walk.change.done", step=step.id),
                lambda: self.svc.step(self.incident, "done", step.id, evidence=evidence, note=note),
            )
        )
        self.pointer = None
        return Outcome((msg("walk.did.done", step=step.id),))

    def _skip(self, shown: Screen, action: str) -> Flow:
        step = self._focus(shown)
        answers = yield (RequiredText("reason", msg("walk.ask.reason")),)
        reason = _required(answers, "reason")
        return (yield from self._set_aside(step, action, reason))

    def _set_aside(self, step: Step, action: str, reason: str) -> Flow:
        yield from self._record(
            Change(
                action,
                msg(f"walk.change.{action}", step=step.id),
                lambda: self.svc.step(self.incident, action, step.id, reason=reason),
            )
        )
        self.pointer = None
        return Outcome((msg(f"walk.did.{action}", step=step.id),))

    def _note(self, shown: Screen) -> Flow:
        answers = yield (RequiredText("note", msg("walk.ask.note")),)
        return (yield from self._add_note(_required(answers, "note")))

    def _add_note(self, text: str) -> Flow:
        yield from self._record(
            Change(NOTE, msg("walk.change.note"), lambda: self.svc.note(self.incident, text))
        )
        return Outcome((msg("walk.noted"),))

    def _assign(self, shown: Screen) -> Flow:
        view = shown.view
        roles = list(view.runbook.roles.values())
        options = []
        for r in roles:
            holder = view.state.roles.get(r.id)
            options.append(Option(r.id, r.name.get(self.lang) + (f"  {holder}" if holder else "")))
        answers = yield (
            Choice("role", msg("walk.ask.role"), tuple(options)),
            RequiredText("name", msg("walk.ask.name")),
        )
        role = pick(_required(answers, "role"), [r.id for r in roles])
        name = _required(answers, "name")
        return (yield from self._give_role(role, name))

    def _give_role(self, role: str, name: str) -> Flow:
        yield from self._record(
            Change(
                ASSIGN,
                msg("walk.change.assign", role=role, name=name),
                lambda: self.svc.assign(self.incident, role, name),
            )
        )
        return Outcome((f"{role} = {name}",))

    def _severity(self, shown: Screen) -> Flow:
        rb = shown.view.runbook
        tiers = ", ".join(f"{x.id} {x.name.get(self.lang)}" for x in rb.tiers)
        answers = yield (
            RequiredText("severity", msg("walk.ask.severity", tiers=tiers)),
            RequiredText("reason", msg("walk.ask.reason")),
        )
        tier = _required(answers, "severity")
        reason = _required(answers, "reason")
        return (yield from self._change_severity(shown, tier, reason))

    def _change_severity(self, shown: Screen, tier: str, reason: str) -> Flow:
        rb, state = shown.view.runbook, shown.view.state
        after = rb.resolve_tier(tier)
        before = state.severity
        if after == before:
            raise InvalidAction(msg("err.severity.same", id=self.incident, tier=after))
        exact = msg(
            "walk.exact.severity",
            id=self.incident,
            before=_tier(rb, before, self.lang),
            after=_tier(rb, after, self.lang),
            reason=reason,
        )
        event = yield from self._record(
            Change(
                SEVERITY,
                msg("walk.change.severity", tier=after),
                lambda: self.svc.set_severity(self.incident, after, reason=reason),
                exact,
            )
        )
        return Outcome(
            (msg("walk.severity_changed", before=event.payload["from"], after=event.payload["to"]),)
        )

    def _mitigate(self, shown: Screen) -> Flow:
        before = shown.view.state.status
        exact = msg(
            "walk.exact.status",
            before=msg(f"status.{before}"),
            after=msg(f"status.{st.MITIGATED}"),
        )
        yield from self._record(
            Change(
                MITIGATE,
                msg("walk.change.mitigate", id=self.incident),
                lambda: self.svc.mitigate(self.incident),
                exact,
            )
        )
        return Outcome((msg("walk.mitigated"),))

    def _jump(self, shown: Screen) -> Flow:
        view = shown.view
        steps = checklist_steps(view.runbook, view.state)
        options = tuple(Option(x.id, x.title.get(self.lang)) for x in steps)
        answers = yield (Choice("step", msg("walk.ask.step"), options, checklist=True),)
        target = _required(answers, "step")
        return self._point_at(shown, pick(target, [x.id for x in steps]))

    def _point_at(self, shown: Screen, step_id: str) -> Outcome:
        chosen = shown.view.runbook.step(step_id)
        if chosen is None:
            return Outcome((msg("walk.no_step", step=step_id),))
        self.pointer = chosen.id
        return Outcome()

    def _back(self, shown: Screen) -> Outcome:
        """The step numbered one before the one on screen, as the checklist numbers them."""
        step, view = self._focus(shown), shown.view
        listed = checklist_steps(view.runbook, view.state)
        i = next((n for n, x in enumerate(listed) if x.id == step.id), 0)
        self.pointer = listed[max(i - 1, 0)].id
        return Outcome()

    def _resolve(self, shown: Screen) -> Flow:
        answers = yield (Confirm("resolve", msg("walk.ask.resolve")),)
        if answers.get("resolve") is not True:
            return Outcome((msg("walk.not_resolved", id=self.incident),), end=True)
        answers = yield (OptionalText("summary", msg("walk.ask.summary")),)
        summary = _optional(answers, "summary")
        outcome = yield from self._resolve_now(shown, summary)
        return Outcome(end=True) if shown.stage == FINISHED else outcome

    def _resolve_now(self, shown: Screen, summary: str | None) -> Flow:
        status = {
            "before": msg(f"status.{shown.view.state.status}"),
            "after": msg(f"status.{st.RESOLVED}"),
        }
        exact = (
            msg("walk.exact.status_summary", summary=summary.strip(), **status)
            if summary and summary.strip()
            else msg("walk.exact.status", **status)
        )
        yield from self._record(
            Change(
                RESOLVE,
                msg("walk.change.resolve", id=self.incident),
                lambda: self.svc.resolve_incident(self.incident, summary=summary),
                exact,
            )
        )
        if shown.stage == OFFER:  # only the review is left
            return Outcome((msg("walk.resolved", id=self.incident),))
        return Outcome((msg("walk.resolved_plain", id=self.incident),))

    def _comms(self, shown: Screen) -> Flow:
        from incidentctl.comms import messages as mx

        step = self._focus(shown)
        view, deadlines, lang = shown.view, shown.deadlines, self.lang
        rb = view.runbook
        ids = list(step.templates) or list(rb.templates)
        if not ids:
            return Outcome((msg("walk.no_templates"),))
        if len(ids) > 1:
            options = tuple(
                Option(
                    tid,
                    msg(
                        "walk.template_option",
                        name=rb.templates[tid].name.get(lang),
                        audience=msg(f"audience.{rb.templates[tid].audience}"),
                    ),
                )
                for tid in ids
            )
            answers = yield (Choice("template", msg("walk.ask.template"), options),)
            tid = pick(_required(answers, "template"), ids)
        else:
            tid = ids[0]
        template = rb.templates.get(tid)
        if template is None:
            return Outcome((msg("walk.no_template", template=tid),))
        template = mx.with_phrases(template)
        now = view.now()
        promise = view.state.eta
        if (
            "eta" in mx.needed(template, lang)
            and view.state.status in (st.OPEN, st.MITIGATED)
            and (promise is None or promise <= now)
        ):
            answers = yield (RequiredText("eta", msg("walk.ask.eta")),)
            when = _required(answers, "eta")
            yield from self._record(
                Change(
                    ETA,
                    msg("walk.change.eta", eta=when),
                    lambda: self.svc.update(self.incident, "eta", when),
                )
            )
            view = self.svc.view(self.incident)
            deadlines = self.deadlines(view)
        facts = mx.live_facts(view, deadlines, now, self.zone, lang, self.org, tid)
        inputs = {i.id: i for i in template.inputs}
        missing = mx.missing_values(template, lang, facts)
        answered: dict[str, str] = {}
        if missing:
            answers = yield tuple(
                RequiredText(name, self._value_prompt(name, inputs.get(name))) for name in missing
            )
            answered = {name: _required(answers, name) for name in missing}
        message = mx.prepare(
            view,
            tid,
            lang=lang,
            deadlines=deadlines,
            now=now,
            zone=self.zone,
            org=self.org,
            values=answered,
        )
        text, channel = message.body, message.channel
        while True:
            answers = yield (
                Choice(
                    "send",
                    msg("walk.ask.send", channel=channel or "?"),
                    (Option("y"), Option("e"), Option("c"), Option("n")),
                    keys=True,
                    preview=message._replace(body=text),
                ),
            )
            choice = answers.get("send")
            if choice in (None, "n", "q"):
                raise Cancelled
            if choice == "e":
                answers = yield (OptionalText("text", msg("walk.ask.new_text"), edit=text),)
                edited = answers.get("text")
                if isinstance(edited, str) and edited.strip():
                    text = edited.rstrip("\n")
            elif choice == "c":
                question = msg("walk.ask.channel_of", channels=list(template.channels))
                answers = yield (RequiredText("channel", question),)
                channel = _required(answers, "channel")
            elif choice == "y":
                if not channel:
                    answers = yield (RequiredText("channel", msg("walk.ask.channel")),)
                    channel = _required(answers, "channel")
                break
        final, where = message._replace(body=text), channel
        yield from self._record(
            Change(
                SEND,
                msg("walk.change.send", template=tid, channel=where),
                lambda: mx.send(self.svc, view, final, channel=where, values=answered).event,
            )
        )
        said = _sent(view, tid, where)
        if (
            not step.recurring
            and view.state.steps[step.id].status not in st.FINISHED
            and tid in step.templates
        ):
            answers = yield (Confirm("done", msg("walk.ask.also_done", step=step.id)),)
            if answers.get("done") is True:
                answers = yield self._evidence_questions(step)
                evidence = _evidence(step, answers)
                note = t("walk.sent_note", lang, template=tid, channel=where)
                yield from self._record(
                    Change(
                        DONE,
                        msg("walk.change.done", step=step.id),
                        lambda: self.svc.step(
                            self.incident, "done", step.id, evidence=evidence, note=note
                        ),
                    )
                )
                self.pointer = None
                return Outcome((msg("walk.did.done", step=step.id),))
        return Outcome((said,))

    def _send_whole(self, shown: Screen, intent: it.Send) -> Flow:
        """A message said whole.  It is composed before anything is recorded, with the time
        it commits to as if already committed, so a message that cannot be composed
        records nothing, not even that time."""
        from incidentctl.comms import messages as mx

        view, deadlines, lang = shown.view, shown.deadlines, self.lang
        now = view.now()
        values = dict(intent.values)
        template = mx.find_template(view, intent.template)
        promised = view
        due = None
        if intent.eta is not None:
            due = parse_eta(intent.eta, now=now, tz=self.zone)
            if due == view.state.eta:
                due = None  # already the promise: nothing new to record
            else:
                state = view.state.copy()
                state.eta = due
                promised = view._replace(state=state)
        facts = mx.live_facts(promised, deadlines, now, self.zone, lang, self.org, template.id)
        missing = mx.missing_values(template, lang, {**facts, **values})
        if missing:
            names = [f"{{{name}}}" for name in missing]
            raise InvalidInput(msg("walk.unfilled", template=template.id, names=names))
        first = mx.prepare(
            promised,
            intent.template,
            lang=lang,
            deadlines=deadlines,
            now=now,
            zone=self.zone,
            org=self.org,
            values=values,
        )
        where = intent.channel or first.channel
        if not where:
            raise InvalidInput(msg("walk.no_channel", template=template.id))
        mx.check_channel(view.runbook, template, where)
        if due is not None and intent.eta is not None:
            eta = intent.eta
            yield from self._record(
                Change(
                    ETA,
                    msg("walk.change.eta", eta=eta),
                    lambda: self.svc.update(self.incident, "eta", eta),
                )
            )
            view = self.svc.view(self.incident)
            deadlines = self.deadlines(view)
        message = mx.prepare(
            view,
            intent.template,
            lang=lang,
            deadlines=deadlines,
            now=now,
            zone=self.zone,
            org=self.org,
            values=values,
        )
        yield from self._record(
            Change(
                SEND,
                msg("walk.change.send", template=intent.template, channel=where),
                lambda: mx.send(self.svc, view, message, channel=where, values=values).event,
            )
        )
        return Outcome((_sent(view, intent.template, where),))

    # --- questions about a step or a message -----------------------------------------
    def _evidence_questions(self, step: Step) -> tuple[Question, ...]:
        out: list[Question] = []
        for e in step.evidence:
            facts = {"label": _evidence_label(e, self.lang), "id": e.id}
            if e.required:
                out.append(RequiredText(f"evidence.{e.id}", msg("walk.ask.evidence", **facts)))
            else:
                prompt = msg("walk.ask.evidence_optional", **facts)
                out.append(OptionalText(f"evidence.{e.id}", prompt))
        return tuple(out)

    def _value_prompt(self, name: str, item: TemplateInput | None) -> Msg:
        if item is None:
            return msg("walk.ask.value", name=name)
        label = item.label.get(self.lang)
        if item.example:
            return msg("walk.ask.input_example", label=label, example=item.example)
        return msg("walk.ask.input", label=label)


def _sent(view: View, template: str, channel: str) -> Msg:
    """What sending ``template`` on ``channel`` says, naming the updates it counts as."""
    from incidentctl.comms import messages as mx

    counted = mx.satisfied_steps(view, template)
    if counted:
        return msg("walk.sent_counts", template=template, channel=channel, steps=counted)
    return msg("walk.sent", template=template, channel=channel)


def _inject_said(event: Event, lang: str) -> Msg:
    """A drill's inject as a walk says it when it arrives."""
    p = event.payload
    return msg("ev.drill.inject", inject=p["inject"], text=p["text"].get(lang) or p["text"]["en"])


def _tier(rb: Runbook, tier: str, lang: str) -> str:
    """``sev1 一级(重大)``: a tier's id and its name."""
    return f"{tier} {rb.tier(tier).name.get(lang)}"


def pick(answer: str, ids: list[str]) -> str:
    """An answer to "number or id": the id at that 1-based number, else the answer itself.
    (Only decimal digits make a number: ``int`` refuses a superscript ``²``, which
    ``isdigit`` accepts.)"""
    if answer.isdecimal() and 0 < int(answer) <= len(ids):
        return ids[int(answer) - 1]
    return answer


def _required(answers: Answers, name: str) -> str:
    value = answers.get(name)
    if not isinstance(value, str) or not value.strip():
        raise Cancelled
    return value.strip()


def _optional(answers: Answers, name: str) -> str | None:
    value = answers.get(name)
    return value if isinstance(value, str) and value.strip() else None


def _evidence_label(item: Evidence, lang: str) -> str:
    """An evidence item's label, with what kind of value it takes when it is typed."""
    label = item.label.get(lang)
    if item.type == "text":
        return label
    from incidentctl.i18n import t
    from incidentctl.runbooks.evidence import parse_type

    kind = parse_type(item.type)
    expected = t(
        f"evidence.type.{kind.kind}", lang, options=list(kind.options), low=kind.low, high=kind.high
    )
    return t("walk.evidence_typed", lang, label=label, expected=expected, example=kind.example())


def _evidence(step: Step, answers: Answers) -> dict[str, str]:
    """The evidence answered for ``step``; no answer at all to any item cancels."""
    evidence: dict[str, str] = {}
    for e in step.evidence:
        name = f"evidence.{e.id}"
        if e.required:
            evidence[e.id] = _required(answers, name)
            continue
        value = answers.get(name)
        if not isinstance(value, str):
            raise Cancelled
        if value.strip():
            evidence[e.id] = value.strip()
    return evidence


def _tally(view: View, deadlines: list[Deadline]) -> Tally:
    s = view.state
    counts = {
        k: sum(1 for x in s.steps.values() if x.status == k) for k in (st.DONE, st.SKIPPED, st.NA)
    }
    missed = tuple(d.key for d in deadlines if d.state == dl.MISSED)
    return Tally(counts[st.DONE], counts[st.SKIPPED], counts[st.NA], missed)
