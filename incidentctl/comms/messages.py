"""Messages rendered from a pinned runbook's templates with live facts of the incident.

The placeholder vocabulary is :mod:`incidentctl.runbooks.placeholders`; runbook
validation guarantees every placeholder in a template is known, so what can
be missing here is a value (no scope recorded yet, no organisation name
configured, an input the sender has to give), never a name.

A time a message promises (``{eta}``, ``{eta_in}``, ``{next_update}``) is never
made up here: it is the ETA someone committed to with ``incidentctl set INC
eta TIME`` (tracked as a deadline from then on), or the runbook's schedule of
updates, and never given with ``--set``.  A template that needs one nobody has
committed to is refused, saying how to commit to it.

A *draft* fills what is known and marks every other placeholder as a blank
(``［待填：话题］`` / ``[TO FILL: topic]``), so a message can be read and
circulated before all is known; a message is never recorded as sent while a
blank marker is left in it.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, NamedTuple

from incidentctl.deadlines import engine as dl
from incidentctl.durations import human
from incidentctl.errors import InvalidInput, clauses, did_you_mean
from incidentctl.i18n import LANGS, msg, t
from incidentctl.runbooks.placeholders import ROLE_PREFIX, placeholders, render
from incidentctl.times import fmt_zoned, written

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime, tzinfo

    from incidentctl.deadlines.engine import Deadline
    from incidentctl.i18n import Msg
    from incidentctl.incidents.service import Incidents, View
    from incidentctl.records import Event
    from incidentctl.runbooks.model import Runbook, Template
    from incidentctl.runbooks.phrases import Phrase


#: Placeholders that state a time promised to the reader: never given with ``--set``.
PROMISED = ("eta", "eta_in", "next_update")

#: Audiences whose messages are kept and read later: their times always carry the date.
DATED = ("regulator", "press")


class Blank(NamedTuple):
    """A placeholder a draft could not fill: its name, the topic its marker shows (the
    input's label, else the name), the marker itself, and how to fill it."""

    name: str
    topic: str
    marker: str
    how: Msg


class Message(NamedTuple):
    """A message rendered from a template: what it says, to whom, and where it would go.
    A draft (``draft``) may hold blanks, each marked in the text."""

    template: str
    audience: str
    lang: str
    subject: str | None
    body: str
    channel: str = ""
    draft: bool = False
    blanks: tuple[Blank, ...] = ()

    @property
    def text(self) -> str:
        return f"{self.subject}\n\n{self.body}" if self.subject else self.body

    def remaining(self) -> list[Blank]:
        """The blanks whose marker is still in the text (an edit may have filled some)."""
        text = self.text
        return [b for b in self.blanks if b.marker in text]


_MARKERS: list[re.Pattern[str]] = []


def markers(text: str) -> list[str]:
    """The topic of every blank marker left in ``text``, in either language, in order."""
    if not _MARKERS:
        parts = []
        for lang in LANGS:
            before, _, after = t("comms.blank", lang, topic="\0").partition("\0")
            parts.append(re.escape(before) + r"([^\n]*?)" + re.escape(after))
        _MARKERS.append(re.compile("|".join(parts)))
    return [next(g for g in m.groups() if g is not None) for m in _MARKERS[0].finditer(text)]


class TemplateUse(NamedTuple):
    """A template of a runbook and the steps that send it."""

    template: Template
    steps: list[str]


class TemplateListing(NamedTuple):
    """A runbook's templates, with the steps that send each."""

    uses: list[TemplateUse]


class PhraseListing(NamedTuple):
    """The phrase library: the manual's scripts, cited; ``{phrase.ID}`` in a template."""

    phrases: list[Phrase]


def phrase_listing() -> PhraseListing:
    from incidentctl.runbooks.phrases import library

    return PhraseListing(list(library().values()))


def template_uses(runbook: Runbook) -> TemplateListing:
    """Every template of the runbook, in its order, with the steps that use it."""
    users: dict[str, list[str]] = {}
    for step in runbook.steps:
        for tpl in step.templates:
            users.setdefault(tpl, []).append(step.id)
    return TemplateListing(
        [TemplateUse(tp, users.get(tp.id, [])) for tp in runbook.templates.values()]
    )


class Sent(NamedTuple):
    """A message recorded as sent, and the recurring updates it counts as."""

    message: Message
    event: Event
    counts_as: list[str]


def prepare(
    view: View,
    template_id: str,
    *,
    lang: str,
    deadlines: list[Deadline],
    now: datetime,
    zone: tzinfo,
    org: Mapping[str, str],
    values: Mapping[str, str] | None = None,
    draft: bool = False,
) -> Message:
    """The message a template of the incident's pinned runbook says now, with every live
    fact filled in and ``values`` for its inputs (or overriding a fact that is not a
    promised time).  Refuses an unknown template or value name, a promised time given as
    a value, and a message with a blank nobody can fill yet (naming how); a ``draft``
    marks such blanks instead."""
    template = find_template(view, template_id)
    facts = live_facts(view, deadlines, now, zone, lang, org, template.id)
    given = dict(values or {})
    inputs = {i.id for i in template.inputs}
    unknown = [k for k in given if k not in facts and k not in inputs]
    if unknown:
        raise InvalidInput(
            msg(
                "err.comms.no_placeholder",
                template=template.id,
                name=unknown[0],
                inputs=[i.id for i in template.inputs] or msg("err.none"),
            )
        )
    promised = [k for k in given if k in PROMISED]
    if promised:
        raise InvalidInput(msg("err.comms.promise_given", name=promised[0], id=view.state.id))
    labels = {ROLE_PREFIX + r.id: r.name.get(lang) for r in view.runbook.roles.values()}
    message = compose(
        template,
        lang,
        {**facts, **given},
        draft=draft,
        why=_promise_gaps(view, now, zone),
        labels=labels,
    )
    return drill_marked(message) if view.state.drill else message


def drill_marked(message: Message) -> Message:
    """A drill's message, saying in its first words that it is an exercise: whoever it
    reaches must never take it for a real one."""

    mark = t("drill.message_mark", message.lang)
    subject = f"{mark} {message.subject}" if message.subject else None
    return message._replace(subject=subject, body=f"{mark}\n{message.body}")


def _promise_gaps(view: View, now: datetime, zone: tzinfo) -> dict[str, Msg]:
    """Why each promised time is unknown, if it is: how to commit to one."""
    s = view.state
    if s.eta is not None and s.eta <= now:
        lapsed = msg("err.comms.how.eta_lapsed", id=s.id, at=fmt_zoned(s.eta, zone))
        return {"eta": lapsed, "eta_in": lapsed, "next_update": lapsed}
    commit = msg("err.comms.how.eta_commit", id=s.id)
    return {
        "eta": commit,
        "eta_in": commit,
        "next_update": msg("err.comms.how.next_update_none", id=s.id),
    }


def send(
    svc: Incidents,
    view: View,
    message: Message,
    *,
    channel: str | None = None,
    values: Mapping[str, str] | None = None,
) -> Sent:
    """Record ``message`` as sent on ``channel`` (default: the template's first channel),
    with the template inputs among ``values`` that were given.  Refused while a blank
    marker is left in the text (naming the blanks)."""
    left = list(dict.fromkeys(markers(message.text)))
    if left:
        raise InvalidInput(msg("err.comms.blanks_left", n=len(left), blanks=left))
    template = find_template(view, message.template)
    where = channel or (template.channels[0] if template.channels else "")
    if not where:
        raise InvalidInput(msg("err.comms.no_channel", template=template.id))
    check_channel(view.runbook, template, where)
    given = values or {}
    event = svc.send(
        view.state.id,
        template=template.id,
        lang=message.lang,
        channel=where,
        subject=message.subject,
        text=message.body,
        inputs={i.id: given[i.id] for i in template.inputs if i.id in given},
    )
    return Sent(message._replace(channel=where), event, satisfied_steps(view, template.id))


def allowed_channels(runbook: Runbook, template: Template) -> tuple[str, ...]:
    """The channels a message of ``template`` may go out on: those it lists, else those any
    template of the runbook lists; none when the runbook names no channel at all (any
    channel is taken then)."""
    if template.channels:
        return template.channels
    known = (c for tp in runbook.templates.values() for c in tp.channels)
    return tuple(dict.fromkeys(known))


def check_channel(runbook: Runbook, template: Template, channel: str) -> None:
    """Refuse a channel the message cannot go out on (see :func:`allowed_channels`),
    naming the ones it can; the one check of ``comms --channel`` and the walk's
    ``channel=``, made before anything is recorded."""
    allowed = allowed_channels(runbook, template)
    if not allowed or channel in allowed:
        return
    near = did_you_mean(channel, allowed)
    if template.channels:
        said = msg(
            "err.comms.channel",
            channel=channel,
            template=template.id,
            near=near,
            allowed=list(allowed),
        )
    else:
        said = msg(
            "err.comms.channel_runbook",
            channel=channel,
            template=template.id,
            runbook=runbook.id,
            near=near,
            allowed=list(allowed),
        )
    raise InvalidInput(said)


def find_template(view: View, template_id: str) -> Template:
    template = view.runbook.templates.get(template_id)
    if template is None:
        known = list(view.runbook.templates)
        raise InvalidInput(
            msg(
                "err.comms.unknown_template",
                runbook=view.runbook.id,
                template=template_id,
                near=did_you_mean(template_id, known),
                templates=known or msg("err.none"),
            )
        )
    return with_phrases(template)


def with_phrases(template: Template) -> Template:
    """``template`` with every ``{phrase.ID}`` of its text replaced by the manual's
    script from the phrase library, in each language (see :mod:`incidentctl.runbooks.phrases`)."""
    texts = [template.body.zh, template.body.en]
    if template.subject is not None:
        texts += [template.subject.zh, template.subject.en]
    if not any("{phrase." in x for x in texts):
        return template
    from incidentctl.runbooks.model import Text
    from incidentctl.runbooks.phrases import expand

    def both(text: Text) -> Text:
        return Text(expand(text.zh, "zh"), expand(text.en, "en"))

    subject = both(template.subject) if template.subject is not None else None
    return template._replace(body=both(template.body), subject=subject)


def satisfied_steps(view: View, template_id: str) -> list[str]:
    """Recurring steps that sending this template counts as an occurrence of."""
    return [s.id for s in view.runbook.steps if s.recurring and template_id in s.templates]


def live_facts(
    view: View,
    deadlines: list[Deadline],
    now: datetime,
    zone: tzinfo,
    lang: str,
    org: Mapping[str, str],
    template_id: str | None = None,
) -> dict[str, str | None]:
    """Every live fact, ``None`` where the incident does not know it yet.

    Times are written as people write them (:func:`~incidentctl.times.written`):
    ``今天 10:00`` / ``today 10:00``, with the date in a message to a regulator or the press.
    ``{eta}`` is the ETA committed with ``set INC eta`` while it is still to come, else
    unknown; ``{next_update}`` is when the next recurring update is due (one interval from
    now if this message is that update), else the committed ETA, else unknown.  The two
    promised times carry their zone, ``(UTC+8)``."""
    s, rb = view.state, view.runbook
    template = rb.templates.get(template_id) if template_id else None
    dated = template is not None and template.audience in DATED

    def say(instant: datetime, *, zoned: bool = False) -> str:
        return written(instant, now, zone, lang, zone=zoned, dated=dated)

    eta = s.eta if s.eta is not None and s.eta > now else None
    facts: dict[str, str | None] = {
        "incident.id": s.id,
        "incident.title": s.title,
        "incident.severity": rb.tier(s.severity).name.get(lang),
        "incident.severity_id": s.severity,
        "incident.status": t(f"status_to_customers.{s.status}", lang),
        "incident.opened_at": say(s.opened_at),
        "incident.elapsed": human((now - s.opened_at).total_seconds(), lang),
        "incident.commander": s.commander,
        "incident.scope": s.scope,
        "runbook.title": rb.title.get(lang),
        "now": say(now),
        "eta": say(eta, zoned=True) if eta else None,
        "eta_in": human((eta - now).total_seconds(), lang) if eta else None,
        "next_update": None,
        "org.name": org.get("name"),
        "org.hotline": org.get("hotline"),
    }
    for role_id in rb.roles:
        facts[ROLE_PREFIX + role_id] = s.roles.get(role_id)
    nxt = next_update(view, deadlines, now, template_id)
    facts["next_update"] = say(nxt, zoned=True) if nxt else None
    return facts


def next_update(
    view: View, deadlines: list[Deadline], now: datetime, template_id: str | None = None
) -> datetime | None:
    """When the reader hears from us next, by schedule or by promise, or ``None``.

    If the message (``template_id``) is itself a recurring update whose occurrences are
    running, one interval from now; otherwise the next open occurrence of any recurring
    update still to come; otherwise the ETA committed to, while it is still to come.
    Never a time nobody scheduled or promised."""
    s, rb = view.state, view.runbook
    running = {
        d.step
        for d in deadlines
        if d.occurrence and d.state in (dl.OVERDUE, dl.DUE_SOON, dl.PENDING)
    }
    nxt: datetime | None = None
    for step_id in satisfied_steps(view, template_id) if template_id else []:
        step = rb.step(step_id)
        if step_id in running and step and step.every and s.severity in step.every.intervals:
            interval = step.every.intervals[s.severity]
            if not interval.is_business:
                candidate = now + timedelta(seconds=interval.seconds)
                nxt = candidate if nxt is None else min(nxt, candidate)
    if nxt is None:
        future = [
            d.due
            for d in deadlines
            if d.occurrence and d.state in dl.OPEN_STATES and d.due and d.due > now
        ]
        nxt = min(future) if future else None
    if nxt is None and s.eta is not None and s.eta > now:
        nxt = s.eta
    return nxt


#: How to give a live fact the incident does not know yet: a catalogue key.
_HOW = {
    "incident.scope": "err.comms.how.scope",
    "incident.commander": "err.comms.how.commander",
    "eta": "err.comms.how.eta",
    "eta_in": "err.comms.how.eta",
    "next_update": "err.comms.how.next_update",
    "org.name": "err.comms.how.org_name",
    "org.hotline": "err.comms.how.org_hotline",
}


def needed(template: Template, lang: str) -> list[str]:
    """The placeholder names a template uses, in order of first use."""
    names: list[str] = []
    for text in (template.subject.get(lang) if template.subject else "", template.body.get(lang)):
        for ph in placeholders(text):
            if ph.name not in names:
                names.append(ph.name)
    return names


def missing_values(template: Template, lang: str, values: Mapping[str, str | None]) -> list[str]:
    return [name for name in needed(template, lang) if not (values.get(name) or "").strip()]


def explain_missing(
    template: Template, names: list[str], *, why: Mapping[str, Msg] | None = None
) -> Msg:
    """Why the template cannot be filled in yet: each blank, and how to fill it.  ``why``
    says, for a promised time, how to commit to one."""
    return msg(
        "err.comms.unfilled",
        template=template.id,
        parts=clauses([_how(template, name, why) for name in names]),
    )


def _how(template: Template, name: str, why: Mapping[str, Msg] | None) -> Msg:
    """How to fill one blank of ``template``."""
    if name in {i.id for i in template.inputs}:
        return msg("err.comms.give_input", name=name)
    if name.startswith(ROLE_PREFIX):
        return msg("err.comms.assign_role", name=name, role=name[len(ROLE_PREFIX) :])
    if name in PROMISED:
        how = (why or {}).get(name) or msg(_HOW[name])
        return msg("err.comms.how_only", name=name, how=how)
    if name in _HOW:
        return msg("err.comms.how_or_set", name=name, how=msg(_HOW[name]))
    return msg("err.comms.give_input", name=name)


def compose(
    template: Template,
    lang: str,
    values: Mapping[str, str | None],
    *,
    draft: bool = False,
    why: Mapping[str, Msg] | None = None,
    labels: Mapping[str, str] | None = None,
) -> Message:
    """Render the template; every placeholder must have a value (see :func:`missing_values`),
    unless it is a ``draft``, which marks each one without a value as a blank, showing the
    input's label (or ``labels[name]``, else the name).  ``why`` says how to commit to a
    promised time that is missing."""
    missing = missing_values(template, lang, values)
    if missing and not draft:
        raise InvalidInput(explain_missing(template, missing, why=why))
    filled = {k: v for k, v in values.items() if v is not None}
    topics = {**(labels or {}), **{i.id: i.label.get(lang) for i in template.inputs}}
    blanks = []
    for name in missing:
        topic = topics.get(name) or name
        marker = t("comms.blank", lang, topic=topic)
        filled[name] = marker
        blanks.append(Blank(name, topic, marker, _how(template, name, why)))
    subject = render(template.subject.get(lang), filled) if template.subject else None
    return Message(
        template.id,
        template.audience,
        lang,
        subject,
        render(template.body.get(lang), filled).rstrip("\n"),
        template.channels[0] if template.channels else "",
        draft,
        tuple(blanks),
    )
