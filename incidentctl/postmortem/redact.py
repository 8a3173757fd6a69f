"""Masking personal data before a post-mortem leaves the team.

What is found in free text: mainland mobile numbers, resident identity numbers (only
those whose check digit is right), bank card numbers (only those that pass the Luhn
check), e-mail addresses, IPv4 addresses, and the names a redaction file lists.  Each is
replaced by a marker that says what was there (``[mobile]``, ``[id-number]``, ``[card]``,
``[email]``, ``[ip]``, ``[name]``), and each replacement is counted.

Only what people wrote is masked (titles, notes, reasons, evidence, messages, the review,
names of people); ids, step and template ids, times and hashes are left as they are.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from incidentctl.records import Event

#: The kinds of personal data found, in the order they are looked for.
KINDS = ("id-number", "mobile", "card", "email", "ip", "name")

_ID = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[0-9Xx](?![0-9A-Za-z])")
_CARD = re.compile(r"(?<![0-9A-Za-z])\d(?:[ -]?\d){12,18}(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9A-Za-z+])(?:(?:\+|00)?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = re.compile(rf"(?<![0-9.]){_OCTET}(?:\.{_OCTET}){{3}}(?!\.?\d)")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

#: Payload fields that are not free text: ids, codes, times.  Never masked.
STRUCTURAL = frozenset(
    {
        "step",
        "template",
        "audience",
        "lang",
        "field",
        "role",
        "from",
        "to",
        "severity",
        "key",
        "kind",
        "run",
        "via",
        "deadline",
        "until",
        "due",
        "due_at",
        "previous",
        "runbook",
        "drill",
        "channel",
        "channels",
        "seq",
        "action",
        "forced",
        "open_steps",
        "amount_cny",
    }
)


def id_number_valid(text: str) -> bool:
    """Whether an 18-character resident identity number has the right check digit."""
    if len(text) != 18 or not text[:17].isdecimal():
        return False
    total = sum(int(c) * w for c, w in zip(text[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == text[17].upper()


def luhn_valid(digits: str) -> bool:
    """Whether a card number passes the Luhn check."""
    if not digits.isdecimal():
        return False
    total = 0
    for i, c in enumerate(reversed(digits)):
        n = int(c)
        if i % 2:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


class Redactor:
    """Masks personal data in text, counting what it masked (see the module docstring)."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        unique = {n.strip() for n in names if n.strip()}
        # the longest first, so a full name is masked before a part of it
        ordered = sorted(unique, key=lambda n: (-len(n), n))
        self._names = re.compile("|".join(re.escape(n) for n in ordered)) if ordered else None
        self.counts: dict[str, int] = dict.fromkeys(KINDS, 0)

    def _sub(self, kind: str, pattern: re.Pattern[str], text: str, check: Any = None) -> str:
        def replace(m: re.Match[str]) -> str:
            found = m.group(0)
            if check is not None and not check(found):
                return found
            self.counts[kind] += 1
            return f"[{kind}]"

        return pattern.sub(replace, text)

    def text(self, text: str) -> str:
        """``text`` with every piece of personal data in it masked."""
        if self._names is not None:
            text = self._sub("name", self._names, text)
        if any(c.isdigit() for c in text):
            text = self._sub("id-number", _ID, text, id_number_valid)
            # a mobile number before cards: "+86 138..." is 13 digits, and may pass Luhn
            text = self._sub("mobile", _MOBILE, text)
            text = self._sub("card", _CARD, text, lambda s: luhn_valid(re.sub(r"[ -]", "", s)))
            text = self._sub("ip", _IPV4, text)
        if "@" in text:
            text = self._sub("email", _EMAIL, text)
        return text

    def data(self, value: Any, key: str = "") -> Any:
        """A payload with every free-text string in it masked."""
        if key in STRUCTURAL:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.data(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.data(v, key) for v in value]
        return value

    def event(self, e: Event) -> Event:
        payload = self.data(e.payload)
        if e.type == "incident.updated" and e.payload.get("field") == "eta":
            payload = e.payload  # an instant, not text
        return e._replace(payload=payload, actor=self.text(e.actor))

    def events(self, events: Sequence[Event]) -> list[Event]:
        return [self.event(e) for e in events]


def read_names(text: str) -> list[str]:
    """Names of a redaction file: one a line; blank lines and ``#`` lines are skipped."""
    return [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
