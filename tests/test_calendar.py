from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from incidentctl.deadlines.calendar import load_calendar
from incidentctl.errors import ConfigError
from incidentctl.paths import package_data

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_shipped_china_calendar(isolated: Path) -> None:
    cal = load_calendar(isolated)
    assert cal.id == "cn"
    assert not cal.is_workday(date(2026, 10, 1))  # National Day
    assert not cal.is_workday(date(2026, 2, 16))  # Spring Festival
    assert cal.is_workday(date(2026, 2, 14))  # make-up Saturday
    assert cal.is_workday(date(2026, 10, 10))  # make-up Saturday
    assert not cal.is_workday(date(2026, 10, 11))  # an ordinary Sunday
    assert cal.is_workday(date(2026, 11, 23))  # an ordinary Monday


def test_shipped_calendar_is_consistent() -> None:
    import yaml

    data = yaml.safe_load(package_data("calendars/cn.yaml").read_text(encoding="utf-8"))
    for w in data["workdays"]:
        assert date.fromisoformat(w["date"]).weekday() >= 5, f"{w['date']} is not a weekend day"
    for h in data["holidays"]:
        assert date.fromisoformat(h["from"]) <= date.fromisoformat(h["to"])


def test_home_calendar_replaces_the_shipped_one(isolated: Path) -> None:
    isolated.mkdir(parents=True, exist_ok=True)
    (isolated / "calendar.yaml").write_text(
        "id: company\nzone: Asia/Shanghai\nweekend: [sun]\nholidays:\n"
        "  - {date: '2026-11-25', name: 公司周年}\n",
        encoding="utf-8",
    )
    cal = load_calendar(isolated)
    assert cal.id == "company"
    assert cal.is_workday(date(2026, 11, 28))  # Saturdays work here
    assert not cal.is_workday(date(2026, 11, 25))
    assert cal.add(datetime(2026, 11, 24, 9, 0, tzinfo=SHANGHAI), 1).instant == datetime(
        2026, 11, 26, 9, 0, tzinfo=SHANGHAI
    )


def test_configured_calendar_path(isolated: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text("id: other\nzone: UTC\nweekend: [sat, sun]\nholidays: []\n", encoding="utf-8")
    assert load_calendar(isolated, str(other)).id == "other"
    with pytest.raises(ConfigError, match="no business-day calendar 'nope'"):
        load_calendar(isolated, "nope")


def test_bad_calendar_file_points_at_the_line(isolated: Path) -> None:
    isolated.mkdir(parents=True, exist_ok=True)
    (isolated / "calendar.yaml").write_text(
        "id: x\nzone: Asia/Shanghai\nweekend: [sat, sun]\nholidays:\n  - {date: '2026-13-01', name: x}\n"
        "workdays:\n  - {date: 26-10-10}\n",
        encoding="utf-8",
    )
    with pytest.raises(
        ConfigError, match=r"calendar.yaml:7:12: workdays\[0\].date: '26-10-10' is not a date"
    ):
        load_calendar(isolated)
    (isolated / "calendar.yaml").write_text(
        "id: x\nzone: Asia/Shanghai\nweekend: [sat, sun]\nholidays:\n  - {date: '2026-13-01', name: x}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"month must be in 1\.\.12"):
        load_calendar(isolated)


def test_a_calendar_already_checked_loads_no_yaml_and_no_schema(
    isolated: Path, tmp_path: Path
) -> None:
    """show of a resolved incident counts business days: the calendar it reads is checked
    once, then remembered by its bytes, so later commands load neither YAML nor JSON Schema
    (which cost more than the rest of such a show)."""
    import os
    import subprocess
    import sys

    code = (
        "import sys; from pathlib import Path; "
        "from incidentctl.deadlines.calendar import load_calendar; "
        "cal = load_calendar(Path(sys.argv[1])); "
        "print(cal.id, cal.is_workday(__import__('datetime').date(2026, 10, 1)), "
        "'yaml' in sys.modules, 'jsonschema' in sys.modules)"
    )

    def load() -> str:
        done = subprocess.run(
            [sys.executable, "-c", code, str(isolated)],
            env={**os.environ},
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    assert load() == "cn False True True"  # checked, and remembered
    assert len(list((tmp_path / "cache" / "incidentctl" / "calendars").glob("*.json"))) == 1
    assert load() == "cn False False False"  # the same answer, without checking again
    isolated.mkdir(parents=True, exist_ok=True)
    (isolated / "calendar.yaml").write_text(
        "id: company\nzone: Asia/Shanghai\nweekend: [sun]\nholidays: []\n", encoding="utf-8"
    )
    (isolated / "calendar.yaml").chmod(0o600)
    assert load() == "company True True True"  # another file: checked


def test_a_remembered_calendar_follows_the_file(isolated: Path) -> None:
    """A calendar edited after it was checked is checked again: a mistake is reported
    where it is, not hidden behind the remembered check."""
    isolated.mkdir(parents=True, exist_ok=True)
    own = isolated / "calendar.yaml"
    own.write_text("id: a\nzone: UTC\nweekend: [sat, sun]\nholidays: []\n", encoding="utf-8")
    assert load_calendar(isolated).id == "a"
    assert load_calendar(isolated).id == "a"
    own.write_text("id: a\nzone: UTC\nweekend: [caturday]\nholidays: []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"calendar.yaml:3:"):
        load_calendar(isolated)
