"""``check`` anchors on a schedule (``audit.anchor`` in the config): the same anchor as
``audit anchor``, taken when the anchor file's newest line is ``every`` old; on a fake
clock, never sleeping."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from incidentctl.clock import ManualClock
from tests.conftest import write_config as config

from .conftest import Run
from .contract import validate
from .test_notify_check import Hook


@pytest.fixture
def hook() -> Iterator[Hook]:
    h = Hook("/anchor/TOKENa1")
    yield h
    h.release.set()
    h.server.shutdown()
    h.server.server_close()


def check(run: Run, expect: int | None = 0) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(run("check", "--no-notify", "--json", expect=expect).stdout)
    validate("check", doc)
    return doc


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_check_anchors_when_the_last_anchor_is_older_than_every(
    run: Run, clock: ManualClock, isolated: Path, tmp_path: Path
) -> None:
    file = tmp_path / "outside" / "anchors.jsonl"
    file.parent.mkdir()
    config(isolated, f"audit:\n  anchor: {{every: 1d, to: '{file}'}}\n")
    inc = run("open", "payment-failure", "-s", "3", "-t", "t", "--at", "-1m").stdout.strip()
    run("note", inc, "first")
    first = check(run, expect=None)["anchor"]
    assert first is not None and first["file"] == str(file) and first["incidents"] == 1
    (taken,) = lines(file)
    assert (taken["digest"], taken["at"]) == (first["digest"], "2026-11-22T02:00:00Z")
    assert taken["heads"][inc]["seq"] == 2
    # within the day: nothing more, however often cron runs
    for _ in range(3):
        clock.advance(hours=7)
        assert check(run, expect=None)["anchor"] is None
    assert len(lines(file)) == 1
    run("note", inc, "second")
    clock.advance(hours=3)  # 24h since the last anchor
    second = check(run, expect=None)["anchor"]
    assert second is not None and second["at"] == "2026-11-23T02:00:00Z"
    assert [a["heads"][inc]["seq"] for a in lines(file)] == [2, 3]
    # what an auditor does with it: the same anchors `audit anchor` writes
    run("audit", "verify", "--anchors", str(file))
    # the file decides: an anchor taken by hand counts, and a file gone means anchor now
    clock.advance(hours=20)
    run("audit", "anchor", "--to", str(file))
    clock.advance(hours=5)
    assert check(run, expect=None)["anchor"] is None
    file.unlink()
    assert check(run, expect=None)["anchor"] is not None
    assert len(lines(file)) == 1


def test_text_check_stays_silent_when_it_anchors(
    run: Run, isolated: Path, clock: ManualClock, backend: str
) -> None:
    config(isolated, "audit:\n  anchor: {every: 12h}\n")
    if backend == "sqlite":  # a team store is there before its first incident; a file is not
        assert run("check").stdout == ""
        assert not (isolated / "anchors.jsonl").exists()  # no store yet: nothing to anchor
    inc = run("open", "payment-failure", "-s", "3", "-t", "t").stdout.strip()
    run("step", "done", inc, "assemble")
    result = run("check", "--no-notify", expect=None)
    assert "anchor" not in result.stdout + result.stderr
    assert [a["heads"][inc]["seq"] for a in lines(isolated / "anchors.jsonl")] == [2]


def test_no_schedule_no_anchor(run: Run, isolated: Path) -> None:
    run("open", "payment-failure", "-s", "3", "-t", "t")
    assert check(run, expect=None)["anchor"] is None
    assert not (isolated / "anchors.jsonl").exists()


def test_a_damaged_anchor_file_is_reported_and_left_alone(
    run: Run, isolated: Path, tmp_path: Path
) -> None:
    file = tmp_path / "anchors.jsonl"
    file.write_text('{"kind": "incidentctl-anchor", "at": "2026-11-2\n', encoding="utf-8")
    config(isolated, f"audit:\n  anchor: {{every: 1h, to: '{file}'}}\n")
    run("open", "payment-failure", "-s", "3", "-t", "t")
    result = run("check", "--no-notify", "--json", expect=6)
    doc = json.loads(result.stdout)
    validate("check", doc)
    assert (
        doc["anchor"] is None
        and "its last line is not an incidentctl anchor" in (doc["anchor_failed"])
    )
    assert "scheduled anchor not taken" in result.stderr and str(file) in result.stderr
    assert file.read_text(encoding="utf-8").count("\n") == 1  # nothing appended after it


def test_a_scheduled_anchor_is_posted_and_a_refusal_is_exit_6(
    run: Run, isolated: Path, hook: Hook, clock: ManualClock
) -> None:
    config(
        isolated,
        f"audit:\n  anchor: {{every: 1h, post: '{hook.url}', post_format: feishu}}\n",
    )
    run("open", "payment-failure", "-s", "3", "-t", "t")
    doc = check(run, expect=None)
    (sent,) = hook.requests
    assert sent["json"]["msg_type"] == "text"
    assert doc["anchor"]["digest"] in sent["json"]["content"]["text"]
    clock.advance(hours=1)
    hook.statuses = [500]
    result = run("check", "--no-notify", expect=6)
    assert "HTTP 500" in result.stderr and "TOKENa1" not in result.stderr
    assert len(lines(isolated / "anchors.jsonl")) == 2  # the file is written first


@pytest.mark.no_store("a config error, found before the store is opened")
@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("audit:\n  anchor: {every: daily}\n", "config.yaml:2:19: audit.anchor.every:"),
        ("audit:\n  anchor: {to: x}\n", "config.yaml:2:11: audit.anchor:"),
        ("audit:\n  anchor: {every: 1d, post: 'ftp://x'}\n", "audit.anchor.post:"),
    ],
)
def test_a_bad_schedule_points_at_the_line(run: Run, isolated: Path, text: str, where: str) -> None:
    config(isolated, text)
    err = run("check", expect=1).stderr
    assert where in err and "Traceback" not in err
