from __future__ import annotations

import itertools
import json
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incidentctl import records
from incidentctl.incidents import events as ev
from incidentctl.records import (
    GENESIS,
    Draft,
    Event,
    StoredEvent,
    canonical,
    seal,
    verify_chain,
)

if TYPE_CHECKING:
    from incidentctl.incidents.service import Incidents


def chain(n: int) -> list[Event]:
    out: list[Event] = []
    prev = GENESIS
    for i in range(1, n + 1):
        kind = ev.OPENED if i == 1 else ev.NOTE
        payload = (
            {
                "title": "t",
                "severity": "sev1",
                "runbook": {"id": "x", "version": "1", "sha256": "ab"},
            }
            if i == 1
            else {"text": f"note {i} 中文"}
        )
        e = seal(
            Draft(kind, payload, "alice", f"2026-11-22T02:0{i}:00Z", f"2026-11-22T02:0{i}:00Z"),
            incident="INC-1",
            seq=i,
            prev_hash=prev,
        )
        out.append(e)
        prev = e.hash
    return out


def test_canonical_encoding_is_sorted_compact_and_keeps_unicode() -> None:
    assert canonical({"b": 1, "a": "中"}) == '{"a":"中","b":1}'.encode()


def test_intact_chain_verifies() -> None:
    events = chain(5)
    assert verify_chain(events) == []
    assert events[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))


def test_altered_payload_is_detected_at_that_event() -> None:
    events = chain(5)
    altered = events[2]._replace(payload={"text": "something else"})
    problems = verify_chain([*events[:2], altered, *events[3:]])
    assert [p.seq for p in problems] == [3]
    assert "altered" in problems[0].message


def test_removed_event_breaks_the_chain() -> None:
    events = chain(5)
    problems = verify_chain([*events[:2], *events[3:]])
    assert {p.seq for p in problems} == {4}
    assert any("sequence gap" in p.message for p in problems)


def test_rehashed_forgery_still_breaks_the_link_to_the_next_event() -> None:
    events = chain(4)
    forged = events[1]._replace(payload={"text": "forged"})
    forged = forged._replace(hash=records.compute_hash(forged.body()))
    problems = verify_chain([events[0], forged, *events[2:]])
    assert [p.seq for p in problems] == [3]
    assert "prev_hash" in problems[0].message


def test_every_field_is_covered_by_the_hash() -> None:
    base = chain(1)[0]
    for field, value in [
        ("actor", "mallory"),
        ("occurred_at", "2026-11-22T01:00:00Z"),
        ("backdated", True),
        ("type", "x"),
    ]:
        changed = base._replace(**{field: value})
        assert records.compute_hash(changed.body()) != base.hash, field


def test_canonical_encoding_is_json_dumps_with_the_documented_options() -> None:
    """The encoder built once must write exactly what ``json.dumps`` with sorted keys,
    compact separators and unescaped Unicode writes, for any shape of payload."""
    import json
    import random

    rng = random.Random(3)

    def value(depth: int) -> object:
        kind = rng.randrange(7 if depth < 3 else 4)
        if kind == 0:
            return rng.randint(-(10**12), 10**12)
        if kind == 1:
            return rng.choice([0.5, -1e-7, 3.0, 1e300])
        if kind == 2:
            return "".join(rng.choice('a"\\\n\t中文é\x00\u2028') for _ in range(rng.randrange(8)))
        if kind == 3:
            return rng.choice([True, False, None])
        if kind == 4:
            return [value(depth + 1) for _ in range(rng.randrange(4))]
        return {str(value(depth + 1)): value(depth + 1) for _ in range(rng.randrange(4))}

    for _ in range(500):
        data = value(0)
        expected = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        assert canonical(data) == expected.encode("utf-8")


# --- checking a hash over the payload as stored -----------------------------------------

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(
    payload=st.dictionaries(st.text(), _json, max_size=5),
    actor=st.text(),
    kind=st.text(),
    seq=st.integers(min_value=1, max_value=10**12),
    backdated=st.booleans(),
)
def test_the_body_around_a_stored_payload_is_the_canonical_body(
    payload: dict[str, object], actor: str, kind: str, seq: int, backdated: bool
) -> None:
    """The text checked for a stored event is byte for byte what sealing hashed, for any
    payload, actor, type (quotes, backslashes, control and CJK characters) and number."""
    e = seal(
        Draft(kind, payload, actor, "2026-11-22T02:00:00Z", "2026-11-22T02:01:00Z", backdated),
        incident="INC-20261122-001",
        seq=seq,
        prev_hash=GENESIS,
    )
    try:
        expected = canonical(e.body())
    except UnicodeEncodeError:  # a lone surrogate: no event can hold one
        return
    assert records._body_text(e, records.canonical_text(payload)).encode() == expected


def _stored(e: Event, text: str) -> StoredEvent:
    s = StoredEvent(*e)
    s.text = text
    return s


def test_a_stored_canonical_payload_is_checked_without_encoding_it_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    events = [_stored(e, records.canonical_text(e.payload)) for e in chain(4)]
    encoded: list[object] = []
    monkeypatch.setattr(records, "compute_hash", lambda body: encoded.append(body) or "")
    assert verify_chain(events) == []
    assert encoded == []  # every hash checked over the stored text


def test_a_stored_payload_that_was_changed_is_altered_whatever_its_spacing() -> None:
    events = [_stored(e, records.canonical_text(e.payload)) for e in chain(3)]
    forged = {"text": "note 2 改"}
    for text in (records.canonical_text(forged), json.dumps(forged, ensure_ascii=False)):
        bad = list(events)
        bad[1] = _stored(bad[1]._replace(payload=forged), text)
        assert [(p.seq, p.code) for p in verify_chain(bad)] == [(2, "altered")]


def test_a_payload_stored_with_spaces_still_verifies() -> None:
    """Stores written before payloads were kept canonical: the same content, other spacing,
    is checked by encoding the payload again."""
    events = [
        _stored(e, json.dumps(e.payload, ensure_ascii=False, sort_keys=True)) for e in chain(3)
    ]
    assert all('": ' in e.text for e in events)
    assert verify_chain(events) == []


def test_the_store_keeps_payloads_canonical(svc: Incidents) -> None:
    from .conftest import runbook

    view = svc.open(runbook("payment-failure"), severity="sev1", title='重复扣款 "x"')
    inc = view.events[0].incident
    svc.note(inc, '第 2 条: "quoted", 中文')
    svc.note(inc, "three")
    read = svc.store.events(inc)
    assert all(type(e) is StoredEvent for e in read)
    assert [e.text for e in read] == [  # type: ignore[attr-defined]
        records.canonical_text(e.payload) for e in read
    ]
    assert verify_chain(read) == []
