"""Checkpoints of long logs: recording on a long incident decides on the same state, and
writes the same events, as reading and folding the whole log would."""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pytest

from incidentctl.clock import ManualClock
from incidentctl.errors import IncidentctlError
from incidentctl.incidents import checkpoints
from incidentctl.incidents.checkpoints import Checkpoints
from incidentctl.incidents.service import Incidents

from .conftest import SHANGHAI, T0, Run, open_home, runbook

if TYPE_CHECKING:
    from incidentctl.records import Event
    from incidentctl.store.base import Store

#: Every test here runs on the embedded store and on a team store (PostgreSQL).
pytestmark = pytest.mark.usefixtures("backend")


@pytest.fixture(autouse=True)
def short(monkeypatch: pytest.MonkeyPatch) -> None:
    """Logs of 20 events count as long, and a checkpoint is written every 10 events."""
    monkeypatch.setattr(checkpoints, "LONG", 20)
    monkeypatch.setattr(checkpoints, "EVERY", 10)


class Reads:
    """A store that counts the events it is asked for."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.read: list[int] = []  # how many events each read returned

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def events(self, incident_id: str, *, after: int = 0) -> list[Event]:
        found = self.store.events(incident_id, after=after)
        self.read.append(len(found))
        return found


def _service(store: Store, clock: ManualClock, where: Path | None) -> Incidents:
    kept = None if where is None else Checkpoints(lambda: where, "test-store", "1")
    return Incidents(Reads(store), clock, actor="alice", zone=ZoneInfo(SHANGHAI), checkpoints=kept)  # type: ignore[arg-type]


def _script(svc: Incidents, clock: ManualClock) -> tuple[str, list[str]]:
    """A long incident worked on in every way a log can grow; the incident and the errors
    each refused action gave."""
    inc = svc.open(runbook("minimal"), severity="sev1", title="coupons").state.id
    refused = []
    for i in range(45):
        clock.advance(minutes=1)
        if i == 5:
            svc.step(inc, "done", "start-response")
        elif i == 12:
            svc.assign(inc, "ops", "王伟")
        elif i == 23:
            svc.note(inc, "back-dated", at="-10m")  # before events already folded
        elif i == 27:
            svc.retract(inc, 20, reason="wrong incident")
        elif i == 31:
            svc.set_severity(inc, "sev2", reason="fewer users")
        elif i == 36:
            svc.step(inc, "done", "customer-notice", evidence={"notice-url": "https://x"})
        else:
            svc.note(inc, f"update {i}")
        if i in (8, 30, 40):
            try:  # refused on the state decided on: done already
                svc.step(inc, "done", "start-response")
            except IncidentctlError as exc:
                refused.append(exc.message)
    return inc, refused


def test_a_long_log_records_the_same_events_from_its_checkpoint(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same work on two stores, one with checkpoints: the same log, hash for hash, and
    the same refusals."""
    folds = tmp_path / "folds"
    folds.mkdir(mode=0o700)
    first = open_home(tmp_path / "home")
    plain = _service(first, ManualClock(T0), None)
    inc, refused = _script(plain, plain.clock)  # type: ignore[arg-type]
    expected = [e.hash for e in first.events(inc)]
    whole: Reads = plain.store  # type: ignore[assignment]
    first.close()

    if backend == "postgresql":  # a second team store
        monkeypatch.setenv("INCIDENTCTL_STORE", request.getfixturevalue("pg_server").fresh())
    second = open_home(tmp_path / "other")
    kept = _service(second, ManualClock(T0), folds)
    assert _script(kept, kept.clock) == (inc, refused)  # type: ignore[arg-type]
    assert len(refused) == 3
    assert [e.hash for e in second.events(inc)] == expected
    assert list(folds.iterdir())  # checkpoints were kept
    reads: Reads = kept.store  # type: ignore[assignment]
    # from a checkpoint, a recording reads the events after it (at most EVERY + 1 of them),
    # except where a retraction or a back-dated event needs the whole log
    late = reads.read[len(reads.read) - 10 :]
    assert max(late) <= checkpoints.EVERY + 1, late
    assert sum(reads.read) * 2 < sum(whole.read), (sum(reads.read), sum(whole.read))
    second.close()


def _long_incident(where: Path) -> tuple[Store, Incidents, str]:
    store = open_home(Path(os.environ["INCIDENTCTL_HOME"]))
    svc = _service(store, ManualClock(T0), where)
    inc = svc.open(runbook("minimal"), severity="sev1", title="coupons").state.id
    for i in range(25):
        svc.clock.advance(minutes=1)  # type: ignore[attr-defined]
        svc.note(inc, f"n{i}")
    return store, svc, inc


def _entry(where: Path) -> Path:
    (entry,) = where.iterdir()
    return entry


def test_a_checkpoint_the_store_does_not_agree_with_is_not_used(tmp_path: Path) -> None:
    where = tmp_path / "folds"
    where.mkdir(mode=0o700)
    store, svc, inc = _long_incident(where)
    entry = _entry(where)
    header, state = pickle.loads(entry.read_bytes())
    state.head_hash = "f" * 64  # the fold of some other log
    state.steps["start-response"].status = "done"
    entry.write_bytes(pickle.dumps((header, state)))
    svc.step(inc, "done", "start-response")  # decided on the log: not done yet
    assert svc.view(inc).state.steps["start-response"].status == "done"
    store.close()


@pytest.mark.parametrize("spoil", ["loose", "garbage", "other-release"])
def test_a_checkpoint_that_may_not_be_trusted_is_ignored(tmp_path: Path, spoil: str) -> None:
    where = tmp_path / "folds"
    where.mkdir(mode=0o700)
    store, svc, inc = _long_incident(where)
    entry = _entry(where)
    kept = Checkpoints(lambda: where, "test-store", "1")
    assert kept.load(inc) is not None
    if spoil == "loose":
        entry.chmod(0o644)  # someone else could have written it: never unpickled
    elif spoil == "garbage":
        entry.write_bytes(b"not a pickle")
    else:
        kept = Checkpoints(lambda: where, "test-store", "2")
    assert kept.load(inc) is None
    svc.note(inc, "still recorded")  # the whole log read instead
    assert svc.view(inc).events[-1].payload == {"text": "still recorded"}
    store.close()


def test_the_cli_keeps_checkpoints_in_the_private_cache(run: Run, tmp_path: Path) -> None:
    inc = run(
        "--runbooks", str(_valid()), "open", "coupon-failure", "-s", "1", "-t", "x"
    ).stdout.strip()
    where = tmp_path / "cache" / "incidentctl" / "folds"  # $XDG_CACHE_HOME of the tests
    run("show", inc)
    assert not where.exists()  # a command that records nothing never looks for checkpoints
    for i in range(21):
        run("note", inc, f"n{i}")
    (entry,) = where.iterdir()
    assert entry.stat().st_mode & 0o777 == 0o600
    assert where.stat().st_mode & 0o777 == 0o700
    run("note", inc, "from the checkpoint")
    assert run("timeline", inc).stdout.count("from the checkpoint") == 1


def _valid() -> Path:
    from .conftest import DATA

    return DATA / "runbooks" / "valid"
