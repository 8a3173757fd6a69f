"""Input that used to crash or hang ends in one clear line and exit 1 or 2, records
nothing, and leaves what was recorded alone; crash reports stay private."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from incidentctl.cli.app import App

from .conftest import REPO, Run

CLI = [sys.executable, "-m", "incidentctl"]


def run_cli(
    home: Path, *args: str | bytes, env: dict[str, str] | None = None, timeout: float = 30
) -> subprocess.CompletedProcess[bytes]:
    environment = {**os.environ, "INCIDENTCTL_HOME": str(home), **(env or {})}
    return subprocess.run(
        [*CLI, *args], env=environment, cwd=REPO, capture_output=True, timeout=timeout, check=False
    )


def events(run: Run, inc: str) -> list[dict[str, object]]:
    return json.loads(run("timeline", inc, "--json").stdout)["events"]


@pytest.fixture
def inc(run: Run) -> str:
    return run("open", "payment-failure", "-s", "1", "-t", "t").stdout.strip()


def test_arguments_that_are_not_utf8_are_refused(isolated: Path, inc: str) -> None:
    gbk = "故障".encode("gbk")
    for args in (["note", inc, gbk], ["open", "payment-failure", "-s", "1", "-t", gbk]):
        done = run_cli(isolated, *args)
        assert done.returncode == 1, done.stderr
        assert b"is not valid UTF-8" in done.stderr and b"Traceback" not in done.stderr
    done = subprocess.run(
        [*CLI, "note", inc, "x"],
        env={**os.environb, b"INCIDENTCTL_HOME": os.fsencode(isolated), b"INCIDENTCTL_USER": gbk},
        cwd=REPO,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 1 and b"$INCIDENTCTL_USER" in done.stderr


@pytest.mark.parametrize(
    "at",
    [
        "-1000000d",
        "-99999999999999999999999999m",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
    ],
)
def test_times_out_of_bounds_are_refused(run: Run, inc: str, at: str) -> None:
    before = events(run, inc)
    err = run("note", inc, "x", "--at", at, expect=1).stderr
    assert "outside the years 1970-9999" in err or "longest duration accepted" in err
    run("open", "payment-failure", "-s", "1", "-t", "t2", "--at", at, expect=1)
    run("set", inc, "eta", "--", at, expect=1)
    assert events(run, inc) == before


def test_huge_numbers_are_refused(run: Run, inc: str) -> None:
    assert "1000000" in run("list", "--limit", "99999999999999999999", expect=2).stderr
    run("check", "--warn-before", "99999999999d", expect=1)


def test_a_fifo_given_as_a_runbook_is_refused_at_once(isolated: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "runbook.yaml"
    os.mkfifo(fifo)
    for args in (["runbook", "validate", str(fifo)], ["open", str(fifo), "-s", "1", "-t", "t"]):
        done = run_cli(isolated, *args, timeout=20)  # it used to wait forever for a writer
        assert done.returncode == 1
        assert b"not a regular file" in done.stdout + done.stderr


@pytest.mark.no_store("refused before any store is opened")
def test_an_error_about_a_file_never_repeats_the_file(run: Run, tmp_path: Path) -> None:
    secret = tmp_path / "shadow.yaml"
    secret.write_text(
        "root:$6$saltsaltsalt$hashhashhashhash:19000:0:99999:7:::\nalice:$6$x:1:0:::\n"
    )
    err = run("open", str(secret), "-s", "1", "-t", "t", expect=1).stderr
    assert "alice" not in err and "hashhashhashhash" not in err


def test_text_longer_than_the_limit_is_refused_with_the_limit(run: Run, inc: str) -> None:
    before = events(run, inc)
    err = run("note", inc, "长" * 30000, expect=1).stderr
    assert "text is 90000 bytes; the longest text recorded is 65536 bytes" in err
    assert "by is 70000 bytes" in run("--by", "x" * 70000, "note", inc, "short", expect=1).stderr
    assert events(run, inc) == before
    wrap_fast = run("note", inc, "y" * 60000)  # just under the limit: recorded, shown quickly
    assert wrap_fast.exit_code == 0
    assert "y" * 50 in run("show", inc).stdout


def test_an_unknown_tz_in_the_environment_is_an_error_naming_it(
    run: Run, monkeypatch: pytest.MonkeyPatch, inc: str
) -> None:
    monkeypatch.setenv("TZ", "Mars/Olympus_Mons")
    err = run("show", inc, expect=1).stderr
    assert "TZ=Mars/Olympus_Mons" in err and "--tz" in err
    monkeypatch.setenv("TZ", "CST-8")  # a POSIX TZ the C library reads: accepted
    run("show", inc)


def test_local_times_a_clock_change_skips_or_repeats_are_refused(run: Run, clock) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime, timezone

    clock.set(datetime(2026, 11, 2, 12, 0, tzinfo=timezone.utc))
    inc = run("open", "payment-failure", "-s", "1", "-t", "t", "--at", "2026-02-01 00:00").stdout
    inc = inc.strip()
    ny = ("--tz", "America/New_York")
    err = run(*ny, "note", inc, "x", "--at", "2026-03-08 02:30", expect=1).stderr
    assert "did not happen in America/New_York" in err
    err = run(*ny, "note", inc, "x", "--at", "2026-11-01 01:30", expect=1).stderr
    assert "happened twice" in err
    assert "2026-11-01 01:30-04:00" in err and "2026-11-01 01:30-05:00" in err
    run(*ny, "note", inc, "x", "--at", "2026-11-01 01:30-05:00")
    run(*ny, "note", inc, "y", "--at", "2026-11-01 03:00")


def _crash(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> int:
    from incidentctl.cli import main as entry

    def broken(self: App, result: object, *, as_json: bool = False) -> int:
        raise RuntimeError("a bug")

    monkeypatch.setattr(App, "report", broken)
    with pytest.raises(SystemExit) as exit_info:
        entry.main(argv)
    code = exit_info.value.code
    assert isinstance(code, int)
    return code


def test_crash_reports_are_private_unique_and_keep_no_values(
    isolated: Path, inc: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _crash(["note", inc, "王伟的手机 13800138000"], monkeypatch) == 3
    err = capsys.readouterr().err
    crash = isolated / "crash"
    (report,) = crash.iterdir()
    assert str(report) in err
    assert stat.S_IMODE(crash.stat().st_mode) == 0o700
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    text = report.read_text(encoding="utf-8")
    assert "13800138000" not in text and "王伟" not in text
    assert "['note', '<16 chars>', '<17 chars>']" in text and "RuntimeError: a bug" in text
    for _ in range(24):
        _crash(["list"], monkeypatch)
    assert len(list(crash.iterdir())) == 20  # the newest are kept


def test_a_crash_report_never_follows_a_planted_link(
    isolated: Path, inc: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious")
    isolated.mkdir(mode=0o700, exist_ok=True)  # beside a team store, nothing made it
    (isolated / "crash").mkdir(mode=0o700)
    for n in range(50):  # names are not guessable, but plant the obvious ones anyway
        (isolated / "crash" / f"crash-{n}.log").symlink_to(victim)
    _crash(["list"], monkeypatch)
    assert victim.read_text() == "precious"


def test_digits_that_are_not_decimal_and_nul_characters_are_plain_errors(
    run: Run, inc: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from incidentctl.cli.main import main

    assert "no incident matches '¹'" in run("show", "¹", expect=1).stderr  # int('¹') fails
    assert run("show", "１").exit_code == 0  # a full-width 1, as a Chinese keyboard types it
    with pytest.raises(SystemExit) as exited:
        main(["runbook", "validate", "\x00"])
    assert exited.value.code == 1
    assert "holds a NUL character" in capsys.readouterr().err
