"""The home's ``config.yaml``: a mistake in it is reported by every command that reads the
home, pointing at the line, not only by the commands that happen to use the setting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import Run

#: Every command here reads the home; a broken config must stop each of them.
HOME_COMMANDS = (
    ["list"],
    ["list", "--status", "all"],
    ["check"],
    ["deadlines"],
    ["show", "1"],
    ["timeline", "1"],
    ["note", "1", "hello"],
    ["open", "payment-failure", "-s", "1", "-t", "t"],
    ["audit", "verify", "--all"],
)


def _config(home: Path, text: str) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    path = home / "config.yaml"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


@pytest.mark.parametrize("store", [False, True], ids=["empty-home", "with-store"])
def test_an_unknown_calendar_in_the_config_stops_every_command_reading_the_home(
    run: Run, isolated: Path, store: bool
) -> None:
    if store:
        run("open", "payment-failure", "-s", "1", "-t", "t")
    config = _config(isolated, "org: {name: 示例商城}\ncalendar: mars\n")
    for command in HOME_COMMANDS:
        if not store and command[0] in ("show", "timeline", "note"):
            continue
        err = run(*command, expect=1).stderr
        assert f"{config}:2:11: calendar: no business-day calendar 'mars'" in err, (command, err)
        assert "cn" in err  # what was expected
        result = run(*command, "--json", expect=1)
        assert result.stdout == ""
        error = json.loads(result.stderr.strip().splitlines()[-1])["error"]
        assert error["code"] == "config.invalid"
        assert [(p["file"], p["line"], p["path"]) for p in error["problems"]] == [
            (str(config), 2, "calendar")
        ]
    if store:  # nothing was recorded while the config was broken
        config.write_text("calendar: cn\n", encoding="utf-8")
        events = json.loads(run("timeline", "1", "--json").stdout)["events"]
        assert [e["type"] for e in events] == ["incident.opened"]
        assert "INC-" in run("list").stdout


def test_a_config_the_schema_refuses_stops_list_and_check_too(run: Run, isolated: Path) -> None:
    run("open", "payment-failure", "-s", "1", "-t", "t")
    config = _config(isolated, "deadlines:\n  due_soon: {fraction: 2}\n")
    for command in (["list"], ["check"], ["deadlines"]):
        err = run(*command, expect=1).stderr
        assert f"{config}:2:24: deadlines.due_soon.fraction" in err, err


def test_a_calendar_file_named_by_the_config_is_found_relative_to_the_home(
    run: Run, isolated: Path
) -> None:
    _config(isolated, "calendar: company.yaml\n")
    (isolated / "company.yaml").write_text(
        "id: company\nzone: Asia/Shanghai\nweekend: [sun]\nholidays: []\n", encoding="utf-8"
    )
    run("list")
    run("check")
