"""The machine's zone."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from incidentctl import times


def test_the_system_zone_is_read_from_etc_localtime(monkeypatch: pytest.MonkeyPatch) -> None:
    """UTC machines get UTC without the zone database; a named zone keeps its DST rules."""
    real = os.readlink

    def link(target: str) -> Callable[[str], str]:
        return lambda path: target if path == "/etc/localtime" else real(path)

    monkeypatch.setattr(os, "readlink", link("/usr/share/zoneinfo/Etc/UTC"))
    assert times.system_zone() is timezone.utc
    monkeypatch.setattr(os, "readlink", link("../usr/share/zoneinfo/America/New_York"))
    zone = times.system_zone()
    assert zone == ZoneInfo("America/New_York")
    summer = datetime(2026, 7, 1, 12, tzinfo=timezone.utc).astimezone(zone)
    assert summer.utcoffset() == timedelta(hours=-4)
