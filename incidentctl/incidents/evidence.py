"""Checking a typed evidence value at ``step done``, and storing it in one form.

Numbers without separators, amounts in yuan with two decimals, times as UTC ISO
8601 (read like ``--at``, never in the future); a value that does not fit its item's
type is refused, saying what the item expects, with an example.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from incidentctl.errors import InvalidInput
from incidentctl.i18n import msg
from incidentctl.runbooks.evidence import AMOUNT, NUMBER, URL, parse_type

if TYPE_CHECKING:
    from datetime import datetime, tzinfo


def check_value(
    type_text: str | None, raw: str, *, step: str, item: str, now: datetime, zone: tzinfo
) -> str:
    """``raw`` in the canonical form of its type, or :class:`InvalidInput` saying what the
    item expects."""
    kind = parse_type(type_text)
    value = raw.strip()
    if kind.kind == "text":
        return value

    def refuse() -> InvalidInput:
        return InvalidInput(
            msg(
                "err.evidence.type",
                step=step,
                item=item,
                value=value,
                expected=msg(
                    f"evidence.type.{kind.kind}",
                    options=list(kind.options),
                    low=kind.low,
                    high=kind.high,
                ),
                example=kind.example(),
            )
        )

    if kind.kind == "number":
        if not NUMBER.match(value):
            raise refuse()
        number = value.replace(",", "").lstrip("+")
        return number.rstrip("0").rstrip(".") if "." in number else str(int(number))
    if kind.kind == "amount-cny":
        m = AMOUNT.match(value.replace(" ", ""))
        if not m:
            raise refuse()
        return f"{float(m.group(1).replace(',', '')):.2f}"
    if kind.kind == "url":
        if not URL.match(value):
            raise refuse()
        return value
    if kind.kind == "score":
        if not value.isdecimal() or not kind.low <= int(value) <= kind.high:
            raise refuse()
        return str(int(value))
    if kind.kind == "choice":
        if value not in kind.options:
            raise refuse()
        return value
    # time: as --at reads it, never in the future
    from incidentctl.times import iso, parse_time

    if value.lower() == "now":
        return iso(now)
    try:
        return iso(parse_time(value, now=now, tz=zone))
    except InvalidInput:
        raise refuse() from None
