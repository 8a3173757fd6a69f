from __future__ import annotations

import itertools

from incidentctl import records
from incidentctl.incidents import events as ev
from incidentctl.records import GENESIS, Draft, Event, canonical, seal, verify_chain


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
