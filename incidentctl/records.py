"""Event records and their hash chain: the bottom of the house.

An incident is an append-only log.  Each event carries the hash of the one
before it, and its own hash is the SHA-256 of a canonical JSON encoding of
everything it says (including that previous hash), so changing, removing or
reordering any event breaks every hash after it.

Both the store and the domain stand on this module, and it stands on nothing
of theirs.  The domain *seals* each event here exactly once; the store only
checks that the chain it is asked to extend still ends where the domain
thought it did (see :class:`incidentctl.store.base.Store.append`).

:func:`canonical` is the one byte encoding every hash in incidentctl is
computed over: event bodies and pinned runbook documents alike.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, NamedTuple

#: ``prev_hash`` of an incident's first event.
GENESIS = "0" * 64


#: ``json.dumps`` with options builds a new encoder on every call, which took half the
#: time of encoding an event; this one is built once.
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def canonical(data: Any) -> bytes:
    """The one byte encoding hashes are computed over: sorted keys, no spaces, UTF-8."""
    return _CANONICAL.encode(data).encode("utf-8")


def canonical_text(data: Any) -> str:
    """:func:`canonical`, as text."""
    return _CANONICAL.encode(data)


#: How the canonical encoding writes a string (``ensure_ascii=False``).
_string = json.encoder.encode_basestring


def sha256(data: bytes = b"") -> Any:
    """A SHA-256 hash object (``update``, ``hexdigest``), from the interpreter's own
    implementation when it has one (``_sha2`` since Python 3.12, ``_sha256`` before):
    loading OpenSSL for :mod:`hashlib` costs about 2 ms, more than hashing a whole
    incident, and every recording command hashes.  The digest is the same either way."""
    return _sha256_constructor()(data)


@lru_cache(maxsize=1)  # a failed import is not remembered: looking for ``_sha2`` on
def _sha256_constructor() -> Any:  # every event searched sys.path each time
    try:
        from _sha2 import sha256 as make  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        try:
            from _sha256 import sha256 as make  # type: ignore[import-not-found,no-redef,unused-ignore]
        except ImportError:  # an interpreter without them: the standard way
            from hashlib import sha256 as make  # type: ignore[assignment,unused-ignore]
    return make


def sha256_of(data: Any) -> str:
    """Hex SHA-256 of the canonical encoding of ``data`` (only writers and auditors hash;
    readers never load a hash implementation)."""
    return str(sha256(canonical(data)).hexdigest())


def _instant(text: str) -> datetime:
    """Read a stored ISO 8601 UTC instant (``...Z``)."""
    value = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


class Draft(NamedTuple):
    """An event the domain has decided to append, before it has a place in a chain."""

    type: str
    payload: dict[str, Any]
    actor: str
    occurred_at: str  # ISO 8601 UTC: when it happened (what deadlines use)
    recorded_at: str  # ISO 8601 UTC: when it was written down
    backdated: bool = False


class Event(NamedTuple):
    """A sealed event: a draft with its incident, its place in the chain, and its hash."""

    incident: str
    seq: int
    type: str
    payload: dict[str, Any]
    actor: str
    recorded_at: str
    occurred_at: str
    backdated: bool
    prev_hash: str
    hash: str

    @property
    def occurred(self) -> datetime:
        return _instant(self.occurred_at)

    @property
    def recorded(self) -> datetime:
        return _instant(self.recorded_at)

    def body(self) -> dict[str, Any]:
        """Everything the hash covers."""
        return {
            "incident": self.incident,
            "seq": self.seq,
            "type": self.type,
            "payload": self.payload,
            "actor": self.actor,
            "recorded_at": self.recorded_at,
            "occurred_at": self.occurred_at,
            "backdated": self.backdated,
            "prev_hash": self.prev_hash,
        }

    def as_dict(self) -> dict[str, Any]:
        return {**self.body(), "hash": self.hash}


class StoredEvent(Event):
    """An event as a store read it, with ``text``: its payload exactly as stored.

    Stores keep a payload in its canonical encoding, so an event's hash can be checked
    over the stored text itself (:func:`hash_matches`), without decoding the payload and
    encoding it again: that encoding was most of the cost of verifying a chain.  A store
    written before payloads were kept that way is checked the long way."""

    text: str


def _body_text(e: Event, payload: str) -> str:
    """The canonical encoding of ``e.body()`` around a payload already encoded: the keys in
    sorted order, as :func:`canonical` writes them."""
    return (
        '{"actor":' + _string(e.actor)
        + ',"backdated":' + ("true" if e.backdated is True else "false")
        + ',"incident":' + _string(e.incident)
        + ',"occurred_at":' + _string(e.occurred_at)
        + ',"payload":' + payload
        + ',"prev_hash":' + _string(e.prev_hash)
        + ',"recorded_at":' + _string(e.recorded_at)
        + ',"seq":' + int.__repr__(e.seq)
        + ',"type":' + _string(e.type)
        + "}"
    )  # fmt: skip


def hash_matches(e: Event) -> bool:
    """Whether ``e.hash`` is the hash of the event's content.  A hash that matches the
    stored text proves that text is, byte for byte, what was sealed (and so the payload
    read from it is the one sealed); when it does not, the payload decoded from it is
    encoded again and checked the usual way, so a store that wrote its payloads with other
    spacing still verifies."""
    text = getattr(e, "text", None)
    if (
        text is not None
        and type(e.seq) is int
        and type(e.backdated) is bool
        and '": ' not in text  # written with spaces, as stores did before: not canonical
        and sha256(_body_text(e, text).encode("utf-8")).hexdigest() == e.hash
    ):
        return True
    return compute_hash(e.body()) == e.hash


class Head(NamedTuple):
    """Where an incident's chain ends: what an append must still find there to succeed."""

    seq: int
    hash: str
    recorded_at: str

    @classmethod
    def of(cls, event: Event) -> Head:
        return cls(event.seq, event.hash, event.recorded_at)


def compute_hash(body: dict[str, Any]) -> str:
    """The hash of an event body (see :meth:`Event.body`)."""
    return sha256_of(body)


def seal(draft: Draft, *, incident: str, seq: int, prev_hash: str) -> Event:
    """Give a draft its place in the chain: the one place an event's hash is computed."""
    body = {
        "incident": incident,
        "seq": seq,
        "type": draft.type,
        "payload": draft.payload,
        "actor": draft.actor,
        "recorded_at": draft.recorded_at,
        "occurred_at": draft.occurred_at,
        "backdated": draft.backdated,
        "prev_hash": prev_hash,
    }
    return Event(
        incident=incident,
        seq=seq,
        type=draft.type,
        payload=draft.payload,
        actor=draft.actor,
        recorded_at=draft.recorded_at,
        occurred_at=draft.occurred_at,
        backdated=draft.backdated,
        prev_hash=prev_hash,
        hash=compute_hash(body),
    )


def seal_after(head: Head | None, incident: str, drafts: list[Draft]) -> list[Event]:
    """Seal ``drafts`` in order onto the chain ending at ``head`` (``None``: a new chain)."""
    seq, prev = (head.seq, head.hash) if head is not None else (0, GENESIS)
    out: list[Event] = []
    for draft in drafts:
        seq += 1
        event = seal(draft, incident=incident, seq=seq, prev_hash=prev)
        out.append(event)
        prev = event.hash
    return out


class ChainProblem:
    """One break in a chain: the event where it shows, a catalogue code (``gap``, ``link``
    or ``altered``: the catalogue's ``audit.*`` keys), the English text, and for a gap the
    sequence number that should be there."""

    __slots__ = ("code", "expected", "message", "seq")

    def __init__(self, seq: int, code: str, message: str, expected: int | None = None) -> None:
        self.seq = seq
        self.code = code
        self.message = message
        self.expected = expected

    def __repr__(self) -> str:
        return f"ChainProblem({self.seq}, {self.code!r}, {self.message!r})"


def verify_chain(events: list[Event]) -> list[ChainProblem]:
    """Recompute one incident's chain; return every break found (empty when intact).

    This checks the chain only: sequence numbers without gaps from 1, each
    ``prev_hash`` equal to the hash before it, and each hash equal to the
    hash of the event's content.  What the events must *say* (an incident
    starts with ``incident.opened``, the pinned runbook matches) is the
    domain's audit, :mod:`incidentctl.incidents.audit`.
    """
    problems: list[ChainProblem] = []
    prev = GENESIS
    expected_seq = 1
    for e in events:
        if e.seq != expected_seq:
            problems.append(
                ChainProblem(
                    e.seq,
                    "gap",
                    f"sequence gap: expected event {expected_seq}, found {e.seq}",
                    expected_seq,
                )
            )
        expected_seq = e.seq + 1
        if e.prev_hash != prev:
            problems.append(
                ChainProblem(e.seq, "link", "prev_hash does not match the previous event's hash")
            )
        if not hash_matches(e):
            problems.append(
                ChainProblem(e.seq, "altered", "hash does not match the event's content (altered)")
            )
        prev = e.hash
    return problems
