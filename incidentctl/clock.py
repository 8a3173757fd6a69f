"""Clocks: where "now" comes from.

Everything that measures an incident (deadlines, messages, what is recorded
when) takes a :class:`Clock` or a ``now`` argument, so tests, drills and
simulations run on time of their choosing.  The process has one clock
(:class:`SystemClock`, or a :class:`ManualClock` in tests), and each incident
runs on the clock :meth:`incidentctl.incidents.service.Incidents.clock_for`
picks from its log: the process's clock, or a drill's :class:`ScaledClock`.

Outside incident time, the system time is also read by
:mod:`incidentctl.times` (to find the machine's zone offset for display) and
by the crash report in :mod:`incidentctl.cli.main` (its file name).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        ...


class SystemClock:
    """The machine's clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class ManualClock:
    """A clock that moves only when told to: for tests and discrete-event simulation."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(timezone.utc)

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float = 0, **kwargs: float) -> datetime:
        self._now += timedelta(seconds=seconds, **kwargs)
        return self._now

    def set(self, instant: datetime) -> None:
        self._now = instant.astimezone(timezone.utc)


class ScaledClock:
    """Simulated time running ``speed`` times faster than a base clock from an origin."""

    def __init__(
        self, base: Clock, real_origin: datetime, sim_origin: datetime, speed: float
    ) -> None:
        self.base = base
        self.real_origin = real_origin
        self.sim_origin = sim_origin
        self.speed = speed

    def now(self) -> datetime:
        return self.sim_origin + (self.base.now() - self.real_origin) * self.speed


class FrozenClock:
    """Time standing still at one instant: a paused or ended drill's clock."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at
