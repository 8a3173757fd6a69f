"""The live countdown behind ``incidentctl watch``.

Each frame is drawn over the previous one (cursor home, every line cleared
to its end, the rest of the screen cleared) on the alternate screen, in a
single write, so nothing flickers.  The terminal size is read on every frame,
so a resize takes effect at once.  Other people's changes are picked up when
the store's change token moves (SQLite's ``data_version``); a team store also
wakes the wait between frames the moment someone records (``LISTEN/NOTIFY``).  Notices go out on a background thread
with its own store connection, so a slow webhook never stalls the countdown.
"""

from __future__ import annotations

import contextlib
import queue
import shutil
import signal
import sys
import threading
import time
from typing import TYPE_CHECKING, TextIO

from incidentctl.deadlines import deadline_title
from incidentctl.deadlines import engine as dl
from incidentctl.deadlines.monitor import (
    Item,
    classify,
    items_of,
    notice_for,
    unacknowledged,
    views,
)
from incidentctl.errors import IncidentctlError
from incidentctl.i18n import t
from incidentctl.render.table import table
from incidentctl.times import fmt, zone_label

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from datetime import datetime

    from incidentctl.cli.app import App
    from incidentctl.deadlines.notice import Notice
    from incidentctl.deadlines.notify import Notifier
    from incidentctl.incidents.service import View

ENTER = "\x1b[?1049h\x1b[?25l"  # alternate screen, hide cursor
LEAVE = "\x1b[?25h\x1b[?1049l"
HOME = "\x1b[H"
CLEAR_LINE = "\x1b[K"
CLEAR_BELOW = "\x1b[J"
BELL = "\a"


def countdown(seconds: float) -> str:
    """``-00:12:03`` when overdue, ``00:04:59`` before; days beyond 99 hours."""
    sign = "-" if seconds < 0 else " "
    total = int(abs(seconds))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    if h > 99:
        return f"{sign}{h // 24}d {h % 24:02d}h"
    return f"{sign}{h:02d}:{m:02d}:{s:02d}"


class Watch:
    """The live countdown: draws a frame for an instant (:meth:`tick`), rings on every
    transition to due-soon or overdue, and hands each notice to a background worker that
    delivers and records it; :meth:`run` loops on the terminal until ``q`` or Ctrl-C.

    Frames are computed from the store as it is at each tick: when the store's change
    token moves (someone recorded something), the incidents are read again.
    """

    def __init__(
        self,
        app: App,
        refs: list[str],
        *,
        bell: bool = True,
        notifier: Notifier | None = None,
        out: TextIO | None = None,
    ) -> None:
        self.app = app
        self.refs = refs
        self.bell = bell
        self.out = out or sys.stdout
        self.notifier = notifier if notifier is not None and notifier.configured else None
        self.views: list[View] | None = None
        self.version: object = None
        self.last_state: dict[tuple[str, str], str] = {}
        self.in_flight: set[tuple[str, str]] = set()  # (incident, notice) the worker holds
        self.outbox: queue.Queue[Notice | None] = queue.Queue()
        self.worker: threading.Thread | None = None
        self.errors: list[str] = []
        self.resized = False

    # --- data ---------------------------------------------------------------------
    def _wake_fd(self) -> int | None:
        """What becomes readable when someone else records (a team store), else ``None``."""
        try:
            return self.app.store(create=False).wake_fd()
        except IncidentctlError:
            return None

    def _views_changed(self) -> bool:
        version = self.app.store(create=False).change_token()
        changed = version != self.version
        self.version = version
        return changed

    def items(self) -> list[Item]:
        if self.views is not None and self._injects_arrived():
            self.views = None
        if self.views is None or self._views_changed():
            from incidentctl.render.safe import clean_view

            self.views = [clean_view(v) for v in views(self.app.incidents(), self.refs)]
        return items_of(self.views, calendar=self.app.calendar, policy=self.app.policy)

    def _injects_arrived(self) -> bool:
        """Deliver the injects of the drills watched whose drill time has come."""
        drills = [v.state.id for v in self.views or [] if v.state.drill]
        if not drills:
            return False
        from incidentctl.drills.play import deliver

        svc = self.app.incidents()
        return bool([e for d in drills for e in deliver(svc, d)])

    # --- one frame ----------------------------------------------------------------------
    def tick(self, now: datetime) -> tuple[str, int]:
        """The frame for ``now`` and how many times to ring the bell."""
        items = self.items()
        rings = 0
        for item in items:
            key = (item.view.state.id, item.deadline.key)
            kind = classify(item, item.now)
            before = self.last_state.get(key)
            if kind is not None and before is not None and kind != before:
                rings += 1
            drill = bool(item.view.state.drill)  # a drill never pages
            if (
                kind is not None
                and self.notifier is not None
                and not drill
                and self.notifier.wants(kind)
            ):
                notice = notice_for(
                    item,
                    kind,
                    item.now,
                    self.notifier.zone(self.app.zone),
                    self.notifier.language(self.app.lang),
                    self.notifier.directory,
                )
                held = (notice.incident, notice.dedupe_key)
                known = item.view.state.notices.get(notice.dedupe_key)
                if held not in self.in_flight and self.notifier.due(known, item.now):
                    self.in_flight.add(held)
                    self._enqueue(notice)
            self.last_state[key] = kind or item.deadline.state
        return self.render(items, now), rings

    def render(self, items: list[Item], now: datetime) -> str:
        app = self.app
        lang = app.lang
        size = shutil.get_terminal_size((100, 30))
        open_items = [i for i in items if i.deadline.state in (dl.OVERDUE, dl.DUE_SOON, dl.PENDING)]
        # breaches nobody has acknowledged come first: they are what still needs a person
        open_items.sort(key=lambda i: not unacknowledged(i))
        counts = {
            s: sum(1 for i in open_items if i.deadline.state == s)
            for s in (dl.OVERDUE, dl.DUE_SOON, dl.PENDING)
        }
        summary = " · ".join(
            t("watch.count", lang, n=n, state=t("state." + s, lang)) for s, n in counts.items()
        )
        header = t(
            "watch.header",
            lang,
            now=fmt(now, app.zone),
            zone=zone_label(app.zone, now),
            summary=summary,
        )
        rows = []
        styles = {dl.OVERDUE: ("red", "bold"), dl.DUE_SOON: ("yellow", "bold")}
        for item in open_items[: max(size.lines - 5, 1)]:
            d = item.deadline
            role = item.view.runbook.roles.get(d.role)
            holder = item.view.state.roles.get(d.role)
            assert d.due is not None
            rows.append(
                [
                    app.style(t("state." + d.state, lang), *styles.get(d.state, ())),
                    app.style(
                        countdown((d.due - item.now).total_seconds()), *styles.get(d.state, ())
                    ),
                    item.view.state.id,
                    item.view.state.severity,
                    d.key,
                    deadline_title(item.view.runbook, d, item.now, app.zone, lang),
                    (role.name.get(lang) if role else d.role) + (f" ({holder})" if holder else ""),
                    fmt(d.due, app.zone, date_part=False, seconds=False),
                ]
            )
        body = table(
            [
                t("status", lang),
                t("watch.left", lang),
                t("id", lang),
                t("severity", lang),
                t("step", lang),
                t("title", lang),
                t("owner", lang),
                t("due", lang),
            ],
            rows,
            max_width=size.columns,
            shrink=5,
        )
        footer = app.style(t("watch.quit", lang), "dim")
        if self.errors:
            footer += "  " + app.style(self.errors[-1][: size.columns - 20], "red")
        lines = [header[: size.columns], "", *body.splitlines(), "", footer]
        return "\n".join(lines[: size.lines])

    # --- notices ------------------------------------------------------------------------
    def _enqueue(self, notice: Notice) -> None:
        if self.worker is None:
            self.worker = threading.Thread(
                target=self._deliver, name="incidentctl-notify", daemon=True
            )
            self.worker.start()
        self.outbox.put(notice)

    def _deliver(self) -> None:
        from incidentctl.cli.app import App
        from incidentctl.deadlines.notify import deliver

        # SQLite connections belong to one thread: the worker gets its own.
        own = App(
            home=str(self.app.home),
            lang=self.app.lang,
            tz=self.app.tz_option,
            actor=self.app.actor,
            clock=self.app.clock,
        )
        assert self.notifier is not None
        while True:
            notice = self.outbox.get()
            if notice is None:
                return
            try:
                self.errors += deliver(own.incidents(), [notice], self.notifier, "watch").problems
            except Exception as exc:
                text = exc.text(own.lang) if isinstance(exc, IncidentctlError) else str(exc)
                self.errors.append(f"{notice.incident}: {text}")
            finally:
                self.in_flight.discard((notice.incident, notice.dedupe_key))

    def stop(self) -> None:
        if self.worker is not None:
            self.outbox.put(None)
            self.worker.join(timeout=5)

    # --- the terminal ------------------------------------------------------------------
    @contextlib.contextmanager
    def screen(self) -> Iterator[Callable[[float], bool]]:
        """Alternate screen, hidden cursor and cbreak input; yields ``wait(seconds) -> quit?``."""
        import select
        import termios
        import tty

        stdin = sys.stdin
        fd = stdin.fileno() if stdin.isatty() else None
        saved = termios.tcgetattr(fd) if fd is not None else None
        previous = signal.signal(signal.SIGWINCH, self._on_resize)
        self.out.write(ENTER)
        self.out.flush()
        try:
            if fd is not None:
                tty.setcbreak(fd)

            def wait(seconds: float) -> bool:
                wake = self._wake_fd()
                watched = [f for f in (fd, wake) if f is not None]
                if not watched:
                    time.sleep(seconds)
                    return False
                ready, _, _ = select.select(watched, [], [], seconds)
                return fd in ready and stdin.read(1) in ("q", "Q")

            yield wait
        finally:
            if fd is not None and saved is not None:
                termios.tcsetattr(fd, termios.TCSADRAIN, saved)
            signal.signal(signal.SIGWINCH, previous)
            self.out.write(LEAVE)
            self.out.flush()

    def _on_resize(self, signum: int, frame: object) -> None:
        self.resized = True

    def run(self, interval: float) -> None:
        try:
            with self.screen() as wait:
                while True:
                    now = self.app.clock.now()
                    text, rings = self.tick(now)
                    prefix = HOME
                    if self.resized:
                        prefix = "\x1b[2J" + HOME
                        self.resized = False
                    lines = text.split("\n")
                    frame = (
                        prefix
                        + "".join(line + CLEAR_LINE + "\r\n" for line in lines[:-1])
                        + lines[-1]
                        + CLEAR_LINE
                        + CLEAR_BELOW
                    )
                    if rings and self.bell:
                        frame += BELL
                    self.out.write(frame)
                    self.out.flush()
                    if wait(interval):
                        break
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()
