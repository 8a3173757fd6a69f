"""The terminal front end of ``incidentctl walk``: answers in, screens out.

Every decision of the walk is :class:`~incidentctl.walk.controller.Walk`'s;
this module asks its questions, draws its screens with the incident
renderers and prints what it says, in the reader's language.  On a terminal,
actions and yes/no questions are single keys, and a change of the incident's
own state (:data:`~incidentctl.walk.controller.CONFIRM_BEFORE`) asks first,
saying exactly what it will record.  Without one (scripts, pipes), each line
of stdin is one whole action (:mod:`incidentctl.walk.lines`) and nothing is
asked: a line that does not parse, or that the service refuses, is reported
on stderr with its number, nothing is recorded from it, and the walk goes on
with the next line.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import click

from incidentctl.durations import human
from incidentctl.i18n import msg, say, t
from incidentctl.render.incidents import checklist_table, styled_deadline
from incidentctl.render.phrases import deadline_status, tier_name
from incidentctl.render.safe import clean, clean_runbook, clean_view
from incidentctl.render.text import wrap
from incidentctl.walk.controller import (
    CONFIRM_BEFORE,
    FINISHED,
    OFFER,
    QUIT,
    RESOLVE,
    STEP,
    Choice,
    Confirm,
    RequiredText,
    Walk,
)
from incidentctl.walk.intents import RECORDING, Checklist
from incidentctl.walk.lines import Refusal, parse_line

if TYPE_CHECKING:
    from collections.abc import Callable

    from incidentctl.cli.app import App
    from incidentctl.comms.messages import Message
    from incidentctl.i18n import Msg
    from incidentctl.incidents.service import Incidents
    from incidentctl.records import Event
    from incidentctl.walk.controller import Answer, Exchange, Outcome, Question, Screen, Tally

#: The exit code of a walk without a terminal when some of its lines were refused.
EXIT_REFUSED = 1
#: How often a walk waiting for a key looks for other people's changes (a team store also
#: wakes it at once).
LIVE_POLL_SECONDS = 1.0


class WalkIO:
    """Single keystrokes and answers on a terminal (``tty``); whole lines without one."""

    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def key(
        self, prompt: str, changed: Callable[[], bool] | None = None, wake: int | None = None
    ) -> str | None:
        """One keystroke, on a terminal; ``None`` if, while waiting for it, ``changed()``
        says someone else recorded something (checked each second, and at once when the
        file descriptor ``wake`` becomes readable), so that the screen is drawn again."""
        click.echo(prompt, nl=False)
        if changed is not None and sys.stdin.isatty():
            ch = self._key_or_change(changed, wake)
            if ch is None:
                click.echo()
                return None
        else:
            ch = click.getchar()
        click.echo(ch if ch.isprintable() else "")
        return ch

    @staticmethod
    def _key_or_change(changed: Callable[[], bool], wake: int | None) -> str | None:
        """A key, read as ``click.getchar`` reads it, or ``None`` at someone else's change.
        The terminal stays in cbreak mode from the wait to the read, so the key pressed is
        the key read (going back to line mode, or to raw mode as getchar does, would drop
        it); Ctrl-C interrupts as ever, Ctrl-D ends as with getchar."""
        import select
        import termios
        import tty

        fd = sys.stdin.fileno()
        saved = termios.tcgetattr(fd)
        tty.setcbreak(fd, termios.TCSANOW)
        try:
            watched = [fd] if wake is None else [fd, wake]
            while True:
                ready, _, _ = select.select(watched, [], [], LIVE_POLL_SECONDS)
                if fd in ready:
                    ch = os.read(fd, 32).decode(sys.stdin.encoding or "utf-8", "replace")
                    break
                if changed():
                    return None
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)
        if ch == "\x04":
            raise EOFError
        return ch

    def line(self, prompt: str) -> str | None:
        """One answer, on a terminal."""
        value: str = click.prompt(prompt, default="", show_default=False, prompt_suffix=" ")
        return value

    def next_line(self) -> str | None:
        """The next line of input, without a terminal; ``None`` once the input has ended.
        Lines are read as UTF-8 whatever the locale says; bytes that are not UTF-8 are
        kept (as surrogates), so that the line is refused rather than the walk ended."""
        raw = getattr(sys.stdin, "buffer", None)
        if raw is None:
            line = sys.stdin.readline()
        else:
            line = raw.readline().decode("utf-8", "surrogateescape")
        return None if not line else line.rstrip("\r\n")

    def clear(self) -> None:
        if self.tty:
            click.clear()
        else:
            click.echo("-" * 60)


def _arrivals(svc: Incidents, ref: str) -> list[Event]:
    """A drill's injects whose drill time has come, delivered."""
    from incidentctl.drills.play import deliver

    return deliver(svc, ref)


class Walker:
    """A :class:`Walk` of the incident ``ref``, asked and drawn through ``io``."""

    def __init__(self, app: App, ref: str, io: WalkIO) -> None:
        self.app = app
        self.lang = app.lang
        self.io = io
        self.walk = Walk(
            app.incidents(),
            ref,
            lang=app.lang,
            org=app.config.org,
            calendar=app.calendar,
            policy=app.policy,
            confirm_before=CONFIRM_BEFORE if io.tty else (),  # a line is said whole
            arrivals=_arrivals,
        )
        self.shown: Screen | None = None
        self.refused: list[int] = []

    def run(self) -> int:
        """Walk until the lead quits or the input ends; the exit code."""
        return self.keys() if self.io.tty else self.lines()

    # --- on a terminal: single keys -----------------------------------------------------
    def keys(self) -> int:
        while True:
            screen = self.shown = self.walk.screen()
            if screen.stage == FINISHED:
                self.io.clear()
                click.echo(t("walk.all_done", self.lang))
                self.tally(screen)
                if screen.can_resolve:
                    outcome = self.offer(screen)
                    if not outcome.end:
                        self.tell(outcome.message)
                self.tell(screen.message)
                return 0
            if screen.stage == OFFER:
                if self.offer(screen).end:
                    return 0
                continue
            assert screen.ask is not None
            self.io.clear()
            click.echo(self.draw(screen))
            key = self.io.key(screen.ask.prompt.text(self.lang), *self.others())
            if key is None:  # someone else recorded something: draw it
                continue
            outcome = self.settle(self.walk.press(key))
            if outcome.end:
                self.tell(outcome.message)
                return 0

    def others(self) -> tuple[Callable[[], bool], int | None]:
        """Whether anyone has written to the store since now, and what wakes the wait."""
        store = self.walk.svc.store
        seen = store.change_token()

        def changed() -> bool:
            return store.change_token() != seen

        return changed, store.wake_fd()

    # --- without a terminal: one whole action a line ---------------------------------------
    def lines(self) -> int:
        """Read stdin a line at a time, each line one whole action, until ``quit`` or the
        end of the input; 0 if no line was refused, :data:`EXIT_REFUSED` if any was."""
        number = 0
        screen = self.redraw()
        while True:
            text = self.io.next_line()
            if text is None:
                self.tell(self.walk.act(QUIT).through(_unasked).message)
                break
            number += 1
            intent = parse_line(text, screen)
            if intent is None:
                continue
            if isinstance(intent, Refusal):
                self.refuse(number, msg("walk.not_recorded", text=intent.reason))
                continue
            outcome = self.walk.perform(intent).through(_unasked)
            if isinstance(intent, RECORDING) and not outcome.recorded:
                self.refuse(number, *outcome.message[:1])
                screen = self.redraw()  # what refused it may be news: someone else's change
                continue
            self.tell(outcome.message, number=number)
            if outcome.checklist:
                click.echo(self.checklist())
            if outcome.end:
                break
            if not isinstance(intent, Checklist):
                screen = self.redraw()
        if self.refused:
            said = t("walk.lines.refused", self.lang, n=len(self.refused), lines=self.refused)
            click.echo(said, err=True)
            return EXIT_REFUSED
        return 0

    def redraw(self) -> Screen:
        """Read the screen a line is read on, and draw it."""
        screen = self.shown = self.walk.screen()
        self.io.clear()
        click.echo(self.draw_stage(screen))
        return screen

    def refuse(self, number: int, said: Msg | str = "") -> None:
        """Line ``number`` recorded nothing: say so on stderr, and why."""
        self.refused.append(number)
        self.tell((said,), number=number, err=True)

    def draw_stage(self, screen: Screen) -> str:
        """The screen a line is read on: the step on screen, or how the checklist stands."""
        if screen.stage == STEP:
            return self.draw(screen, said=False)
        lang = self.lang
        head = t("walk.review_left" if screen.stage == OFFER else "walk.all_done", lang)
        out = [head, self.tally_line(screen)]
        if screen.can_resolve:
            out.append(t("walk.line.resolve_hint", lang, id=screen.header.id))
        out.extend(clean(say(line, lang), one_line=False) for line in screen.message)
        return "\n".join(out)

    def offer(self, screen: Screen) -> Outcome:
        """Only the review is left, or nothing: offer to resolve."""
        self.io.clear()
        click.echo(t("walk.review_left", self.lang))
        self.tally(screen)
        outcome = self.settle(self.walk.act(RESOLVE))
        if outcome.end:
            self.tell(outcome.message)
        return outcome

    # --- questions -------------------------------------------------------------------
    def settle(self, exchange: Exchange) -> Outcome:
        """Ask the exchange's questions until it is over; no answer at all to one
        (the input ended) leaves the rest of its batch unasked."""
        while exchange.outcome is None:
            answers: dict[str, Answer] = {}
            for question in exchange.questions:
                answers[question.name] = answer = self.ask(question)
                if answer is None:
                    break
            exchange.answer(answers)
        return exchange.outcome

    def ask(self, q: Question) -> Answer:
        prompt = clean(q.prompt.text(self.lang), one_line=False)
        if isinstance(q, Confirm):
            return self.io.key(prompt) == "y"
        if isinstance(q, Choice):
            if q.preview is not None:
                self.preview(q.preview)
            if q.keys:
                return self.io.key(prompt)
            if q.checklist:
                click.echo(self.checklist())
            else:
                for i, option in enumerate(q.options, 1):
                    click.echo(f"  {i}. {clean(option.id)}  {clean(say(option.label, self.lang))}")
            return self.required(prompt)
        if isinstance(q, RequiredText):
            return self.required(prompt)
        if q.edit is not None and self.io.tty:
            return click.edit(q.edit)
        return self.io.line(prompt)

    def required(self, prompt: str) -> str | None:
        for _ in range(3):
            answer = self.io.line(prompt)
            if answer is None:
                return None
            if answer.strip():
                return answer.strip()
            click.echo(t("walk.answer_required", self.lang))
        return None

    # --- drawing ---------------------------------------------------------------------
    def labelled(self, label: str, text: str) -> str:
        return t("labelled", self.lang, label=t(label, self.lang), text=text)

    def draw(self, screen: Screen, *, said: bool = True) -> str:
        """The step on screen and the incident around it; ``said``: with what the last
        action said under it (and the checklist, if it asked for it)."""
        app, lang, h, c = self.app, self.lang, screen.header, screen.step
        assert c is not None
        style, zone, now = app.style, app.zone, screen.now
        out = [
            style(f"{clean(h.id)}  {clean(h.title)}", "bold"),
            " · ".join(
                [
                    tier_name(clean_runbook(screen.view.runbook), h.tier, lang),
                    self.labelled("commander", clean(h.commander or "-")),
                    t("walk.elapsed", lang, d=human(h.elapsed, lang)),
                    self.labelled("phase", clean(h.phase or "-")),
                ]
            ),
        ]
        for r in screen.reminders:
            line = ("[!] " if r.urgent else "") + t(
                "walk.next_update",
                lang,
                step=clean(r.title),
                deadline=r.deadline.key,
                when=deadline_status(r.deadline, now, zone, lang),
            )
            if r.urgent and self.io.tty:
                line += t("walk.press_c", lang)
            out.append(style(line, *(("yellow", "bold") if r.urgent else ("dim",))))
        out.append("")
        out.append(style(f"[{c.position}/{c.total}] {c.id}  {clean(c.title)}", "bold"))
        owner = clean(c.owner) + (f" ({clean(c.holder)})" if c.holder else "")
        due = styled_deadline(c.deadline, now, zone, lang, style) if c.deadline else "-"
        out.append(f"  {self.labelled('owner', owner)}   {self.labelled('deadline', due)}")
        out.append(
            "  "
            + self.labelled("status", t(f"state.{c.status}", lang))
            + (f" ({clean(c.actor)})" if c.actor else "")
            + ("" if c.required else f"   {t('optional', lang)}")
        )
        out.extend(wrap(clean(c.instructions, one_line=False), app.width, indent="  "))
        if c.evidence:
            needs = ", ".join(
                f"{clean(e.label)} [{e.id}]" + ("" if e.required else "?") for e in c.evidence
            )
            out.extend(wrap(self.labelled("evidence", needs), app.width, indent="  "))
        if c.templates:
            keys = "  (c)" if self.io.tty else ""
            out.append(f"  {self.labelled('walk.messages', ', '.join(c.templates))}{keys}")
        if screen.then:
            then = self.labelled("walk.then", ", ".join(screen.then))
            out.append(style(f"  {then}" + (" ..." if screen.more else ""), "dim"))
        if said and (screen.message or screen.checklist):
            out.append("")
            out.extend(clean(say(line, lang), one_line=False) for line in screen.message)
            if screen.checklist:
                out.append(self.checklist())
        return "\n".join(out)

    def checklist(self) -> str:
        assert self.shown is not None
        app, shown = self.app, self.shown
        return checklist_table(
            clean_view(shown.view),
            shown.deadlines,
            shown.now,
            app.zone,
            self.lang,
            app.style,
            numbered=True,
            cells=app.width,
        )

    def tally(self, screen: Screen) -> None:
        click.echo(self.tally_line(screen))

    def tally_line(self, screen: Screen) -> str:
        done: Tally | None = screen.tally
        assert done is not None
        missed = list(done.missed) or t("walk.none", self.lang)
        return "  " + t(
            "walk.tally",
            self.lang,
            done=done.done,
            skipped=done.skipped,
            na=done.na,
            missed=missed,
        )

    def preview(self, message: Message) -> None:
        click.echo("")
        click.echo(clean(message.subject) + "\n" if message.subject else "", nl=False)
        click.echo(clean(message.body, one_line=False))
        click.echo("")

    def tell(
        self, message: tuple[Msg | str, ...], *, number: int | None = None, err: bool = False
    ) -> None:
        """Say what an action said; ``number``: the number of the line it came from."""
        for line in message:
            said = clean(say(line, self.lang), one_line=False)
            if number is not None:
                said = t("walk.line", self.lang, n=number, said=said)
            click.echo(said, err=err)


def _unasked(question: Question) -> Answer:
    """A line is said whole: a question is never answered, so it cancels its action."""
    return None
