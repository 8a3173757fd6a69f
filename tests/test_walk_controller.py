"""The walk's controller driven directly, as a drill's scripted responder would: no
terminal, no stdin, every question answered in code."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from incidentctl.i18n import Msg, msg, say
from incidentctl.incidents.service import Incidents
from incidentctl.incidents.state import checklist_steps
from incidentctl.times import iso
from incidentctl.walk import controller as wc
from incidentctl.walk.controller import (
    Answer,
    Choice,
    Confirm,
    Question,
    RequiredText,
    Screen,
    Tally,
    Walk,
)

from .conftest import PRESS_INPUTS, T0, runbook
from .test_i18n_zh import _runbook_tokens, english_left

if TYPE_CHECKING:
    from incidentctl.clock import ManualClock
    from incidentctl.runbooks.model import Step
    from incidentctl.store.base import Store

PO = runbook("public-opinion")
ORG = {"name": "示例商城", "hotline": "400-820-0000"}
SEV1 = [s for s in PO.steps if s.applies_to("sev1")]
ONE_OFF = [s for s in SEV1 if not s.recurring]
REVIEW = [s.id for s in ONE_OFF if s.due is not None and s.due.anchor == "resolved"]

Make = Callable[..., Walk]

#: Every test here runs on the embedded store and on a team store (PostgreSQL).
pytestmark = pytest.mark.usefixtures("backend")


@pytest.fixture
def make(svc: Incidents, isolated: Path) -> Make:
    """A walk of an incident on the test store, on the fake clock, in a language."""
    from incidentctl.deadlines.calendar import load_calendar

    def walk(inc: str, lang: str = "en", **options: object) -> Walk:
        return Walk(
            svc,
            inc,
            lang=lang,
            org=ORG,
            calendar=lambda: load_calendar(isolated),
            **options,  # type: ignore[arg-type]
        )

    return walk


def open_press(svc: Incidents, **drill: object) -> str:
    view = svc.open(
        PO,
        severity="sev1",
        title="微博热搜：重复扣款",
        commander="王伟",
        scope="部分 App 用户",
        drill=drill or None,
    )
    return view.state.id


def evidence(step: Step) -> dict[str, str]:
    return {e.id: e.example(f"{e.id} value") for e in step.evidence if e.required}


def responder(given: Mapping[str, Answer]) -> Callable[[Question], Answer]:
    """Answers from ``given`` by question name; evidence as a responder gives it (the
    required items, nothing for the optional ones); nothing else is expected."""

    def respond(q: Question) -> Answer:
        if q.name in given:
            return given[q.name]
        if q.name.startswith("evidence."):
            item = q.name.removeprefix("evidence.")
            typed = {e.id: e for s in PO.steps for e in s.evidence}
            value = typed[item].example(f"{item} value") if item in typed else f"{item} value"
            return value if isinstance(q, RequiredText) else ""
        if q.name == "note":
            return ""
        raise AssertionError(f"unexpected question: {q}")

    return respond


def log_types(svc: Incidents, inc: str) -> list[str]:
    return [e.type for e in svc.view(inc).events]


def test_a_whole_sev1_incident_walked_by_answering_the_questions_in_code(
    svc: Incidents, clock: ManualClock, make: Make
) -> None:
    inc = open_press(svc)
    walk = make(inc)
    seen: list[str] = []
    comms_questions: list[list[str]] = []
    while (screen := walk.screen()).stage != wc.FINISHED:
        clock.advance(minutes=2)
        if screen.stage == wc.OFFER:
            assert seen and set(seen) == {s.id for s in ONE_OFF} - set(REVIEW)
            given = {"resolve": True, "summary": "平息", "confirm": True}
            outcome = walk.act(wc.RESOLVE).through(responder(given))
            assert outcome.message == (msg("walk.resolved", id=inc),) and not outcome.end
            continue
        assert screen.step is not None and screen.step.id not in seen  # never the same twice
        step = screen.step.id
        seen.append(step)
        if step == "first-public-statement":
            exchange = walk.act(wc.COMMS)
            given = {"eta": "11:30", **PRESS_INPUTS, "send": "y", "done": True}
            while not exchange.over:
                comms_questions.append([q.name for q in exchange.questions])
                exchange.answer({q.name: responder(given)(q) for q in exchange.questions})
            outcome = exchange.outcome
            assert outcome is not None
        elif step == "authority-endorsement":
            outcome = walk.act(wc.SKIP).through(responder({"reason": "facts are not disputed"}))
        else:
            outcome = walk.act(wc.DONE).through(responder({}))
        assert outcome.message and outcome.message[0] == msg(
            "walk.did.skip" if step == "authority-endorsement" else "walk.did.done", step=step
        ), outcome
    assert seen[-len(REVIEW) :] == REVIEW  # the review comes after the resolution
    assert screen.tally == Tally(len(ONE_OFF) - 1, 1, 0, ())
    assert screen.message == (msg("walk.close_hint", id=inc),)
    assert comms_questions == [
        ["eta"],
        list(PRESS_INPUTS),
        ["send"],
        ["done"],
        [f"evidence.{e.id}" for e in PO.step("first-public-statement").evidence],  # type: ignore[union-attr]
    ]
    view = svc.view(inc)
    types = [e.type for e in view.events]
    assert types.count("step.done") == len(ONE_OFF) - 1 and types.count("step.skipped") == 1
    assert types.count("incident.resolved") == 1 and types.count("incident.updated") == 1
    sent = [e for e in view.events if e.type == "comms.sent"]
    assert len(sent) == 1 and sent[0].payload["template"] == "press-statement"
    assert "22 Nov 11:30 (UTC+8)" in sent[0].payload["text"]
    assert view.state.eta is not None and iso(view.state.eta) == "2026-11-22T03:30:00Z"
    assert view.state.steps["public-update"].completions  # the statement counted
    statement = view.state.steps["first-public-statement"]
    assert statement.status == "done" and statement.actor == "alice"


def test_comms_asks_for_a_time_only_while_none_is_promised_that_is_still_to_come(
    svc: Incidents, clock: ManualClock, make: Make
) -> None:
    inc = open_press(svc)
    walk = make(inc)

    def questions() -> list[list[str]]:
        asked: list[list[str]] = []
        walk.screen()
        exchange = walk.act(wc.COMMS)
        given = {"template": "press-statement", "eta": "+30m", **PRESS_INPUTS}
        given |= {"send": "y", "done": False}
        while not exchange.over:
            asked.append([q.name for q in exchange.questions])
            exchange.answer({q.name: responder(given)(q) for q in exchange.questions})
        return asked

    assert questions()[1] == ["eta"]  # nothing promised yet
    assert questions()[1] == list(PRESS_INPUTS)  # the promise still stands: not asked
    clock.advance(minutes=31)
    assert questions()[1] == ["eta"]  # the promise has lapsed: a new one is asked for
    updates = [e.payload for e in svc.view(inc).events if e.type == "incident.updated"]
    assert [u["field"] for u in updates] == ["eta", "eta"]
    assert "previous" in updates[1] and updates[1]["value"] != updates[0]["value"]


def test_skip_needs_a_reason_and_an_empty_answer_records_nothing(
    svc: Incidents, make: Make
) -> None:
    inc = open_press(svc)
    walk = make(inc)
    first = walk.screen().step
    assert first is not None
    for empty in ({"reason": ""}, {"reason": "   "}, {"reason": None}, {}):
        exchange = walk.act(wc.SKIP)
        assert exchange.questions == (RequiredText("reason", msg("walk.ask.reason")),)
        outcome = exchange.answer(empty).outcome
        assert outcome == wc.Outcome((msg("walk.cancelled"),)), empty
    assert log_types(svc, inc) == ["incident.opened"]
    again = walk.screen()
    assert again.step == first and again.message == (msg("walk.cancelled"),)
    outcome = walk.act(wc.NA).answer({"reason": " not on weibo "}).outcome
    assert outcome is not None
    assert [(e.type, e.payload) for e in outcome.recorded] == [
        ("step.na", {"step": first.id, "reason": "not on weibo"})
    ]
    after = walk.screen().step
    assert after is not None and after.id != first.id


def test_a_step_the_other_lead_just_recorded_is_refused_and_not_recorded_twice(
    svc: Incidents, store: Store, clock: ManualClock, make: Make
) -> None:
    inc = open_press(svc)
    walk = make(inc)
    shown = walk.screen().step
    assert shown is not None
    exchange = walk.act(wc.DONE)  # A is answering the step's questions...
    bob = Incidents(store, clock, actor="bob", zone=svc.zone)
    bob.step(inc, "done", shown.id, evidence=evidence(PO.step(shown.id)))  # type: ignore[arg-type]
    outcome = exchange.through(responder({}))  # ...and gives the last answer after bob
    assert outcome.recorded == () and len(outcome.message) == 1
    refusal = outcome.message[0]
    assert isinstance(refusal, Msg) and refusal.key == "walk.not_recorded"
    assert "already done" in refusal.text("en") and "bob" in refusal.text("en")
    done = [e for e in svc.view(inc).events if e.type == "step.done"]
    assert [(e.payload["step"], e.actor) for e in done] == [(shown.id, "bob")]
    following = walk.screen().step
    assert following is not None and following.id != shown.id  # bob's progress, at once


def test_jump_by_id_or_number_back_and_the_agenda_again(svc: Incidents, make: Make) -> None:
    inc = open_press(svc)
    walk = make(inc)
    start = walk.screen()
    assert start.step is not None and start.then
    exchange = walk.act(wc.JUMP)
    (question,) = exchange.questions
    assert isinstance(question, Choice) and question.checklist and question.name == "step"
    listed = [s.id for s in checklist_steps(start.view.runbook, start.view.state)]
    assert [o.id for o in question.options] == listed
    exchange.answer({"step": "official-response"})
    screen = walk.screen()
    assert screen.step is not None
    assert (screen.step.id, screen.step.position, screen.step.total) == (
        "official-response",
        listed.index("official-response") + 1,
        len(listed),
    )
    assert screen.then == ()  # a jump leaves the agenda: no "then"
    walk.act(wc.BACK)
    assert walk.screen().step.id == "sentiment-check"  # type: ignore[union-attr]
    walk.act(wc.JUMP).answer({"step": "3"})
    assert walk.screen().step.id == listed[2]  # type: ignore[union-attr]
    outcome = walk.act(wc.JUMP).answer({"step": "nowhere"}).outcome
    assert outcome == wc.Outcome((msg("walk.no_step", step="nowhere"),))
    outcome = walk.act(wc.JUMP).answer({"step": "²"}).outcome  # a digit, but no number
    assert outcome == wc.Outcome((msg("walk.no_step", step="²"),))
    assert walk.screen().step.id == listed[2]  # type: ignore[union-attr]
    walk.act(wc.JUMP).answer({"step": "brief-staff"})
    walk.act(wc.DONE).through(responder({}))  # finishing a step hands back to the agenda
    back_on = walk.screen()
    assert back_on.step == start.step and back_on.then
    assert log_types(svc, inc) == ["incident.opened", "step.done"]


def finish_all_but_the_review(svc: Incidents, inc: str) -> None:
    for step in ONE_OFF:
        if step.id not in REVIEW:
            svc.step(inc, "done", step.id, evidence=evidence(step))


def test_only_the_review_left_offers_to_resolve(svc: Incidents, make: Make) -> None:
    inc = open_press(svc)
    finish_all_but_the_review(svc, inc)
    walk = make(inc)
    screen = walk.screen()
    assert screen.stage == wc.OFFER and screen.step is None and screen.ask is None
    assert screen.tally == Tally(len(ONE_OFF) - len(REVIEW), 0, 0, ())
    exchange = walk.act(wc.RESOLVE)
    assert exchange.questions == (Confirm("resolve", msg("walk.ask.resolve")),)
    declined = exchange.answer({"resolve": False}).outcome
    assert declined == wc.Outcome((msg("walk.not_resolved", id=inc),), end=True)
    assert svc.view(inc).state.status == "open"
    given = {"resolve": True, "summary": " 平息 ", "confirm": True}
    outcome = walk.act(wc.RESOLVE).through(responder(given))
    assert [(e.type, e.payload) for e in outcome.recorded] == [
        ("incident.resolved", {"summary": "平息"})
    ]
    assert not outcome.end  # on to the review
    review = walk.screen()
    assert review.stage == wc.STEP and review.step is not None and review.step.id == REVIEW[0]


def test_a_finished_checklist_on_an_open_incident_offers_to_resolve_and_ends(
    svc: Incidents, make: Make
) -> None:
    inc = open_press(svc)
    finish_all_but_the_review(svc, inc)
    for step_id in REVIEW:
        svc.step(inc, "na", step_id, reason="reviewed elsewhere")
    walk = make(inc)
    screen = walk.screen()
    assert screen.stage == wc.FINISHED and screen.can_resolve and screen.message == ()
    given = {"resolve": True, "summary": "", "confirm": True}
    outcome = walk.act(wc.RESOLVE).through(responder(given))
    assert outcome.end and outcome.message == ()
    assert [e.payload for e in outcome.recorded] == [{}]
    done = walk.screen()
    assert done.stage == wc.FINISHED and not done.can_resolve
    assert done.message == (msg("walk.close_hint", id=inc),)


def test_keys_help_refresh_and_quit(svc: Incidents, make: Make) -> None:
    inc = open_press(svc)
    walk = make(inc)
    ask = walk.screen().ask
    assert ask is not None and ask.keys and [o.id for o in ask.options] == [k for k, _ in wc.KEYS]
    assert walk.press("x").outcome == wc.Outcome((msg("walk.unknown_key", letter="x"),))
    helped = walk.press("?").outcome
    assert helped is not None and len(helped.message) == len(wc.KEYS)
    assert walk.screen().message == helped.message
    for quiet in ("", " ", "\r", "\n"):  # Enter sends a carriage return on a terminal
        assert walk.press(quiet).outcome == wc.Outcome(), repr(quiet)
        assert walk.screen().message == ()
    listed = walk.press("l").outcome
    assert listed == wc.Outcome(checklist=True) and walk.screen().checklist
    for key in ("q", None):
        assert walk.press(key).outcome == wc.Outcome((msg("walk.saved", id=inc),), end=True)
    with pytest.raises(ValueError, match="no walk action"):
        walk.act("dance")
    assert log_types(svc, inc) == ["incident.opened"]


def test_a_change_of_the_incidents_state_asks_first_saying_exactly_what_it_records(
    svc: Incidents, make: Make
) -> None:
    inc = open_press(svc)
    walk = make(inc)
    assert walk.confirm_before == wc.CONFIRM_BEFORE == {wc.MITIGATE, wc.RESOLVE, wc.SEVERITY}
    walk.screen()
    exchange = walk.act(wc.MITIGATE)  # one key must not change the incident's state
    (question,) = exchange.questions
    assert isinstance(question, Confirm) and question.name == "confirm"
    assert question.prompt.text("en") == (
        f"mark {inc} mitigated: status open -> mitigated. Record it? [y/N]: "
    )
    assert question.prompt.text("zh") == (
        f"将 {inc} 标记为已止损：状态 处理中 -> 已止损。确认记录？[y/N]："
    )
    assert exchange.answer({"confirm": False}).outcome == wc.Outcome((msg("walk.cancelled"),))
    assert log_types(svc, inc) == ["incident.opened"]
    outcome = walk.act(wc.MITIGATE).answer({"confirm": True}).outcome
    assert outcome is not None and [e.type for e in outcome.recorded] == ["incident.mitigated"]

    exchange = walk.act(wc.SEVERITY).answer({"severity": "二级", "reason": "热度下降"})
    (question,) = exchange.questions
    assert question.prompt.text("en") == (
        f"change the severity to sev2: {inc} from sev1 Level 1 (major) to sev2 Level 2 "
        "(relatively major), reason: 热度下降. Record it? [y/N]: "
    )
    assert exchange.answer({"confirm": None}).outcome == wc.Outcome((msg("walk.cancelled"),))
    outcome = walk.act(wc.SEVERITY).answer({"severity": "1", "reason": "x"}).outcome
    assert outcome is not None and not outcome.recorded  # the tier it has: nothing to confirm
    assert outcome.message == (
        msg("walk.not_recorded", text=msg("err.severity.same", id=inc, tier="sev1")),
    )

    walk.screen()
    exchange = walk.act(wc.RESOLVE).answer({"resolve": True}).answer({"summary": "平息"})
    (question,) = exchange.questions
    assert question.prompt.text("en") == (
        f"resolve {inc}: status mitigated -> resolved, summary: 平息. Record it? [y/N]: "
    )
    outcome = exchange.answer({"confirm": True}).outcome
    assert outcome is not None
    assert [(e.type, e.payload) for e in outcome.recorded] == [
        ("incident.resolved", {"summary": "平息"})
    ]
    assert log_types(svc, inc) == ["incident.opened", "incident.mitigated", "incident.resolved"]

    told = make(open_press(svc), confirm_before=())  # a walk told to ask nothing
    told.screen()
    done = told.act(wc.MITIGATE).outcome
    assert done is not None and [e.type for e in done.recorded] == ["incident.mitigated"]


def test_the_header_list_and_jump_number_the_steps_alike(svc: Incidents, make: Make) -> None:
    inc = open_press(svc)
    svc.step(inc, "done", "public-update")  # at sev3, a step of another tier: listed, as recorded
    svc.set_severity(inc, "sev3", reason="r")
    walk = make(inc)
    screen = walk.screen()
    listed = [s.id for s in checklist_steps(screen.view.runbook, screen.view.state)]
    assert "public-update" in listed and not PO.step("public-update").applies_to("sev3")  # type: ignore[union-attr]
    for number, step_id in enumerate(listed, 1):
        walk.act(wc.JUMP).answer({"step": str(number)})
        card = walk.screen().step
        assert card is not None
        assert (card.id, card.position, card.total) == (step_id, number, len(listed))
    for number in range(len(listed), 1, -1):  # and back goes to the number before
        card = walk.screen().step
        assert card is not None and card.position == number
        walk.act(wc.BACK)
    assert walk.screen().step.position == 1  # type: ignore[union-attr]


def test_every_kind_of_change_can_ask_first_in_either_language(
    svc: Incidents, clock: ManualClock, make: Make
) -> None:
    inc = open_press(svc)
    walk = make(inc, confirm_before=wc.CHANGES)
    confirmed: list[str] = []

    def yes(q: Question) -> Answer:
        if isinstance(q, Confirm) and q.name == "confirm":
            change = q.prompt.facts["change"]
            for lang in ("en", "zh"):
                assert "{" not in q.prompt.text(lang)
            confirmed.append(change.key.removeprefix("walk.change."))
            return True
        given = {
            "reason": "r",
            "note": "n",
            "role": "pr",
            "name": "李娜",
            "severity": "2",
            "eta": "11:30",
            **PRESS_INPUTS,
            "send": "y",
            "done": True,
            "resolve": True,
            "summary": "",
        }
        return responder(given)(q)

    def act(action: str, step: str | None = None) -> None:
        if step is not None:
            walk.act(wc.JUMP).answer({"step": step})
        walk.screen()
        outcome = walk.act(action).through(yes)
        assert outcome.recorded, (action, outcome)

    act(wc.DONE)
    act(wc.SKIP)
    act(wc.NA)
    act(wc.NOTE)
    act(wc.ASSIGN)
    act(wc.COMMS, "first-public-statement")  # eta, then the message, then its step
    act(wc.SEVERITY)
    act(wc.MITIGATE)
    act(wc.RESOLVE)
    assert sorted(set(confirmed)) == sorted(wc.CHANGES)


def test_the_screen_model_under_zh_holds_no_english(
    svc: Incidents, clock: ManualClock, make: Make
) -> None:
    inc = open_press(svc)
    svc.assign(inc, "pr", "李娜")
    clock.advance(minutes=52)  # overdue steps, and the first public update due soon

    def texts(walk: Walk, screen: Screen, questions: list[Question]) -> str:
        lang, h, c = walk.lang, screen.header, screen.step
        out = [h.title, h.phase or "", *(r.title for r in screen.reminders)]
        out += [say(m, lang) for m in screen.message]
        if c is not None:
            out += [c.title, c.owner, c.holder or "", c.instructions]
            out += [e.label for e in c.evidence]
        for q in [*questions, *([screen.ask] if screen.ask else [])]:
            out.append(q.prompt.text(lang))
            out += [say(o.label, lang) for o in getattr(q, "options", ())]
        return "\n".join(out)

    def everything(lang: str) -> str:
        walk = make(inc, lang=lang)
        said: list[str] = []
        for action in (wc.HELP, wc.SKIP, wc.DONE, wc.ASSIGN, wc.SEVERITY, wc.JUMP, wc.COMMS):
            screen = walk.screen()
            exchange = walk.act(action)
            asked = list(exchange.questions)
            if not exchange.over:
                exchange.answer({})  # no answer at all: most actions are cancelled
            said.append(texts(walk, screen, asked))
        said.append(texts(walk, walk.screen(), []))
        reminders = walk.screen().reminders
        assert reminders and reminders[0].urgent
        return "\n".join(said)

    audiences = {tp.audience for tp in PO.templates.values()}  # ids, but words to a reader
    allowed = _runbook_tokens(PO.doc) - audiences
    left = english_left(everything("zh"), allowed)
    assert not left, left
    assert english_left(everything("en"), allowed)  # the same check finds English in English


def test_a_drill_walks_on_its_own_clock(svc: Incidents, clock: ManualClock, make: Make) -> None:
    drill = {"clock": {"real_origin": iso(T0), "sim_origin": iso(T0), "speed": 10.0}}
    inc = open_press(svc, **drill)
    clock.advance(minutes=6)  # an hour of drill time
    screen = make(inc).screen()
    assert screen.header.elapsed == 3600
    assert screen.now == svc.view(inc).now()
    assert screen.step is not None and screen.step.deadline is not None
    assert screen.step.deadline.state == "overdue"


@pytest.mark.no_store("the controller alone, not the store")
def test_the_controller_needs_no_terminal() -> None:
    code = (
        "import sys, incidentctl.walk.controller, incidentctl.walk.lines\n"
        "bad = [m for m in sys.modules if m == 'click' or m.startswith('incidentctl.cli')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
