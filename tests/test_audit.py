from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .conftest import Run, tamper

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from incidentctl.incidents.audit import IncidentAudit
    from incidentctl.incidents.service import Incidents
    from incidentctl.store.base import Store
from .contract import validate

#: Every test here runs on the embedded store and on a team store (PostgreSQL).
pytestmark = pytest.mark.usefixtures("backend")


def test_verify_intact_and_tampered(run: Run, isolated: Path) -> None:
    a = run("open", "payment-failure", "-s", "1", "-t", "a").stdout.strip()
    b = run("open", "payment-failure", "-s", "2", "-t", "b").stdout.strip()
    for inc in (a, b):
        run("note", inc, "one")
        run("note", inc, "two")
    out = run("audit", "verify", "--all").stdout
    assert f"{a}: ok (3 events)" in out and f"{b}: ok (3 events)" in out
    err = run("audit", "verify", expect=2).stderr  # nothing named: a usage error
    assert "name the incidents to verify, or use --all" in err
    assert "Usage: " in err and "audit verify [OPTIONS] [INC... | BUNDLE]" in err
    # someone with file access drops the trigger and rewrites a note
    tamper(
        isolated,
        'UPDATE events SET payload = \'{"text": "three"}\' WHERE incident_id = ? AND seq = 2',
        (b,),
    )
    result = run("audit", "verify", "--all", "--json", expect=1)
    data = json.loads(result.stdout)
    assert data["ok"] is False
    report = {e["incident"]: e for e in data["incidents"]}
    assert report[a]["ok"] is True and report[a]["event_count"] == 3
    assert report[b]["problems"] == [
        {
            "seq": 2,
            "code": "altered",
            "message": "hash does not match the event's content (altered)",
        }
    ]
    assert "1 of 2 incident(s) failed verification" in result.stderr


def _forge_note(home: Path, incident: str, seq: int, text: str) -> None:
    """What someone with write access to the file could do: drop the trigger, rewrite."""
    payload = json.dumps({"text": text})
    tamper(
        home,
        "UPDATE events SET payload = ? WHERE incident_id = ? AND seq = ?",
        (payload, incident, seq),
    )


def test_show_and_timeline_warn_about_a_log_that_does_not_verify(run: Run, isolated: Path) -> None:
    inc = run("open", "payment-failure", "-s", "1", "-t", "a").stdout.strip()
    run("note", inc, "one")
    run("note", inc, "two")
    for command in ("show", "timeline"):  # an intact log: no warning
        result = run(command, inc)
        assert "WARNING" not in result.stderr
        document = json.loads(run(command, inc, "--json").stdout)
        assert document["integrity"] == {"ok": True, "problems": []}
    _forge_note(isolated, inc, 2, "forged")
    warning = (
        f"WARNING: the log of {inc} does not verify from event #2: "
        f"run `incidentctl audit verify {inc}`"
    )
    for command in ("show", "timeline"):
        result = run(command, inc, expect=1)
        assert warning in result.stderr
        assert "forged" in result.stdout  # the reader still gets what the store holds
        result = run(command, inc, "--json", expect=1)
        assert warning in result.stderr
        document = json.loads(result.stdout)
        validate(command, document)
        assert document["integrity"]["ok"] is False
        assert [(p["seq"], p["code"]) for p in document["integrity"]["problems"]] == [
            (2, "altered")
        ]
    zh = run("--lang", "zh", "show", inc, expect=1).stderr
    assert f"incidentctl audit verify {inc}" in zh and "警告" in zh


def test_show_warns_about_a_pinned_runbook_that_does_not_verify(run: Run, isolated: Path) -> None:
    inc = run("open", "payment-failure", "-s", "1", "-t", "a").stdout.strip()
    [(document,)] = tamper(isolated, "SELECT document FROM runbooks")
    assert isinstance(document, str)
    tamper(isolated, "UPDATE runbooks SET document = ?", (document.replace("10m", "11m"),))
    err = run("show", inc, expect=1).stderr
    assert f"WARNING: the runbook pinned by {inc} does not verify" in err


def test_verify_all_in_parallel_finds_the_same(
    run: Run, svc: Incidents, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Enough incidents to be shared out among worker processes: the report, order and
    breaks included, is the one a single process gives, and a break in any worker's
    share is found."""
    from incidentctl.incidents import audit

    from .conftest import runbook

    monkeypatch.setattr(audit, "_CHUNK", 7)  # many chunks from few incidents
    shared: list[int] = []
    in_processes = audit._in_processes

    def spy(ids: list[str], workers: int, reopen: Callable[[], Store]) -> Iterator[IncidentAudit]:
        shared.append(workers)
        return in_processes(ids, workers, reopen)

    monkeypatch.setattr(audit, "_in_processes", spy)
    rb = runbook("payment-failure")
    ids = [svc.open(rb, severity="sev2", title=f"n{i}").events[0].incident for i in range(40)]
    for inc in ids[::3]:
        svc.note(inc, "one")
    svc.store.close()
    broken = (ids[0], ids[21], ids[39])  # each with a note, in the first, a middle, the last share
    for inc in broken:
        _forge_note(isolated, inc, 2, "forged")
    one = run("audit", "verify", "--all", "--json", "-j", "1", expect=1).stdout
    parallel = run("audit", "verify", "--all", "--json", "--jobs", "3", expect=1).stdout
    assert shared == [3]  # -j 1 checked in this process, --jobs 3 in three others
    assert parallel == one
    report = json.loads(parallel)["incidents"]
    assert [e["incident"] for e in report] == sorted(ids)
    assert {e["incident"] for e in report if not e["ok"]} == set(broken)
    assert (
        "Invalid value for '--jobs' / '-j'"
        in run("audit", "verify", "--all", "-j", "0", expect=2).stderr
    )
