"""Typed evidence: the kinds of value a step's evidence item may declare.

A runbook's evidence item may say what kind of value it is (``type: number``), so
that reports can compute from it: first-reply times, affected orders, amounts,
satisfaction.  The value is checked at ``step done`` and stored in one canonical
form (:mod:`incidentctl.incidents.evidence`).

Types: ``text`` (the default), ``number``, ``amount-cny``, ``time``, ``url``,
``score(1-5)`` (an integer in the range) and ``choice(a,b,c)`` (one of the
options).
"""

from __future__ import annotations

import re
from typing import NamedTuple

#: The regular expression the runbook schema uses for an evidence type (a test
#: compares them).
SCHEMA_PATTERN = (
    r"^(?:text|number|amount-cny|time|url|score\([0-9]+-[0-9]+\)"
    r"|choice\([^,()\s]+(?:,[^,()\s]+)+\))$"
)

NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
AMOUNT = re.compile(
    r"^(?:¥|￥|CNY|RMB)?([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{1,2})?)(?:元|CNY|RMB)?$", re.I
)
URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.I)


class EvidenceType(NamedTuple):
    """A parsed evidence type: its kind, and the options or range it carries."""

    kind: str  # text, number, amount-cny, time, url, score, choice
    options: tuple[str, ...] = ()
    low: int = 0
    high: int = 0

    def __str__(self) -> str:
        if self.kind == "score":
            return f"score({self.low}-{self.high})"
        if self.kind == "choice":
            return f"choice({','.join(self.options)})"
        return self.kind

    def example(self) -> str:
        """A value of this type, for prompts and documentation."""
        return {
            "text": "…",
            "number": "3000",
            "amount-cny": "1280.50",
            "time": "now",
            "url": "https://example.com/notice/1",
            "score": str(self.high),
            "choice": self.options[0] if self.options else "",
        }[self.kind]


def parse_type(text: str | None) -> EvidenceType:
    """``number``, ``score(1-5)``, ``choice(a,b)``... -> :class:`EvidenceType`; the schema
    has already checked the spelling, so an unknown form is plain text."""
    if not text or text == "text":
        return EvidenceType("text")
    m = re.fullmatch(r"score\((\d+)-(\d+)\)", text)
    if m:
        return EvidenceType("score", low=int(m.group(1)), high=int(m.group(2)))
    m = re.fullmatch(r"choice\((.+)\)", text)
    if m:
        return EvidenceType("choice", options=tuple(m.group(1).split(",")))
    if text in ("number", "amount-cny", "time", "url"):
        return EvidenceType(text)
    return EvidenceType("text")


def type_problem(text: str) -> str | None:
    """What is wrong with a well-spelt type beyond its spelling (lint), or ``None``."""
    kind = parse_type(text)
    if kind.kind == "score" and kind.low >= kind.high:
        return f"score range {kind.low}-{kind.high} is empty (expected e.g. score(1-5))"
    if kind.kind == "choice" and len(set(kind.options)) != len(kind.options):
        return "choice lists an option twice"
    return None
