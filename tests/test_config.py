"""The home's ``config.yaml``: a mistake in it is reported by every command that reads the
home, pointing at the line, not only by the commands that happen to use the setting."""

from __future__ import annotations

import json
import os
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
    """Write the home's config; a team store under test is named there from now on, not by
    ``$INCIDENTCTL_STORE``, so that every command reads the config to find its store, as
    every command reads the home to find the SQLite file."""
    home.mkdir(parents=True, exist_ok=True)
    path = home / "config.yaml"
    team = os.environ.pop("INCIDENTCTL_STORE", None)  # the test's monkeypatch restores it
    if team:
        text += f"store: '{team}'\n"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


@pytest.mark.parametrize(
    "store",
    [pytest.param(False, marks=pytest.mark.no_store("no incident: the config stops it")), True],
    ids=["empty-home", "with-store"],
)
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
        config.write_text(config.read_text("utf-8").replace("mars", "cn"), encoding="utf-8")
        events = json.loads(run("timeline", "1", "--json").stdout)["events"]
        assert [e["type"] for e in events] == ["incident.opened"]
        assert "INC-" in run("list").stdout


def test_a_config_the_schema_refuses_stops_list_and_check_too(run: Run, isolated: Path) -> None:
    run("open", "payment-failure", "-s", "1", "-t", "t")
    config = _config(isolated, "deadlines:\n  due_soon: {fraction: 2}\n")
    for command in (["list"], ["check"], ["deadlines"]):
        err = run(*command, expect=1).stderr
        assert f"{config}:2:24: deadlines.due_soon.fraction" in err, err


@pytest.mark.no_store("the config and its memo, not the store")
def test_a_calendar_file_named_by_the_config_is_found_relative_to_the_home(
    run: Run, isolated: Path
) -> None:
    _config(isolated, "calendar: company.yaml\n")
    (isolated / "company.yaml").write_text(
        "id: company\nzone: Asia/Shanghai\nweekend: [sun]\nholidays: []\n", encoding="utf-8"
    )
    run("list")
    run("check")


# --- a config already checked is not checked again ------------------------------------------


def _memos(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache" / "incidentctl" / "config").glob("*.json"))


def test_a_config_already_checked_costs_no_yaml_and_no_schema(
    run: Run, isolated: Path, tmp_path: Path
) -> None:
    import os

    from .test_runbook_cache import imports_of, loads

    run("open", "payment-failure", "-s", "1", "-t", "t")
    _config(isolated, "org: {name: 示例商城}\ncalendar: cn\n")
    env = {**os.environ}
    first = imports_of("list", env=env)
    assert loads("yaml", first) and loads("jsonschema", first)
    assert len(_memos(tmp_path)) == 1
    again = imports_of("list", env=env)
    assert not loads("yaml", again) and not loads("jsonschema", again)


@pytest.mark.no_store("the config and its memo, not the store")
def test_a_changed_config_is_checked_again(run: Run, isolated: Path, tmp_path: Path) -> None:
    config = _config(isolated, "limits: {text: 9000}\n")
    run("list")
    run("list")  # remembered
    config.write_text("limits: {text: 0.00}\n", encoding="utf-8")  # same size, at once
    err = run("list", expect=1).stderr
    assert f"{config}:1:16: limits.text: " in err
    config.write_text("limits: {text: 9000}\n", encoding="utf-8")
    run("list")


@pytest.mark.no_store("the config and its memo, not the store")
def test_a_remembered_config_still_needs_its_calendar(run: Run, isolated: Path) -> None:
    _config(isolated, "calendar: company.yaml\n")
    calendar = isolated / "company.yaml"
    calendar.write_text(
        "id: company\nzone: Asia/Shanghai\nweekend: [sun]\nholidays: []\n", encoding="utf-8"
    )
    run("list")
    calendar.unlink()
    err = run("list", expect=1).stderr
    assert "config.yaml:1:11: calendar: no business-day calendar 'company.yaml'" in err


def test_a_planted_or_damaged_memo_is_not_trusted(run: Run, isolated: Path, tmp_path: Path) -> None:
    _config(isolated, "limits: {text: 9000}\n")
    run("list")
    (memo,) = _memos(tmp_path)
    entry = json.loads(memo.read_text(encoding="utf-8"))
    entry["data"] = {"limits": {"text": 1}}  # not what the file says: its text is the key
    entry["text"] = "limits: {text: 1}\n"
    memo.write_text(json.dumps(entry), encoding="utf-8")
    inc = run("open", "payment-failure", "-s", "1", "-t", "a title longer than a byte")
    assert inc.stdout.startswith("INC-")
    memo.write_text("{not json", encoding="utf-8")
    run("list")
    assert json.loads(memo.read_text(encoding="utf-8"))["data"]["limits"] == {"text": 9000}


@pytest.mark.no_store("the config and its memo, not the store")
def test_the_memo_can_be_turned_off(
    run: Run, isolated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INCIDENTCTL_CACHE", "off")
    _config(isolated, "limits: {text: 9000}\n")
    run("list")
    assert _memos(tmp_path) == []


@pytest.mark.no_store("the config stops the command before any store is opened")
@pytest.mark.parametrize("how", ["environment", "option"])
def test_a_config_mistake_stops_a_command_whatever_store_it_names(
    run: Run, isolated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """The store named by $INCIDENTCTL_STORE or --store, not by the config: the config is
    still checked, as it is when the home's own store is used."""
    url = f"sqlite:///{tmp_path / 'elsewhere' / 'incidents.db'}"
    config = _config(isolated, "limits: {text: many}\n")
    args = ["list"]
    if how == "environment":
        monkeypatch.setenv("INCIDENTCTL_STORE", url)
    else:
        args = ["--store", url, "list"]
    err = run(*args, expect=1).stderr
    assert f"{config}:1:16: limits.text: expected a whole number" in err
    assert not (tmp_path / "elsewhere").exists()
