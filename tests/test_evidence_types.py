"""Typed evidence: checked at ``step done`` with a clear error, stored in one form."""

from __future__ import annotations

import json
from datetime import timezone

import pytest

from incidentctl.errors import InvalidInput
from incidentctl.incidents.evidence import check_value
from incidentctl.runbooks.evidence import SCHEMA_PATTERN, parse_type

from .conftest import DATA, T0, Run

BAD = DATA / "runbooks" / "invalid"


def _check(kind: str, raw: str) -> str:
    return check_value(kind, raw, step="s", item="i", now=T0, zone=timezone.utc)


@pytest.mark.parametrize(
    ("kind", "raw", "stored"),
    [
        ("number", "3000", "3000"),
        ("number", "3,000", "3000"),
        ("number", "12.50", "12.5"),
        ("amount-cny", "¥1,280.5", "1280.50"),
        ("amount-cny", "1280元", "1280.00"),
        ("amount-cny", "RMB 99.9", "99.90"),
        ("time", "now", "2026-11-22T02:00:00Z"),
        ("time", "-15m", "2026-11-22T01:45:00Z"),
        ("url", "https://wiki.example.com/pm/42", "https://wiki.example.com/pm/42"),
        ("score(1-5)", "4", "4"),
        ("choice(system,channel,user)", "channel", "channel"),
        ("text", "  anything  ", "anything"),
    ],
)
def test_values_of_each_type_are_stored_in_one_form(kind: str, raw: str, stored: str) -> None:
    assert _check(kind, raw) == stored


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        ("number", "about 3000", "is not a number"),
        ("amount-cny", "1280.555", "is not an amount in yuan"),
        ("time", "+1h", "is not a time"),
        ("url", "wiki/pm/42", "is not a link"),
        ("score(1-5)", "6", "is not a score from 1 to 5"),
        ("choice(system,channel,user)", "network", "is not one of system, channel"),
    ],
)
def test_a_value_that_does_not_fit_is_refused_saying_what_was_expected(
    kind: str, raw: str, expected: str
) -> None:
    with pytest.raises(InvalidInput) as exc:
        _check(kind, raw)
    text = str(exc.value)
    assert "evidence i of step s" in text and expected in text and "(e.g. " in text


def test_the_schema_and_the_parser_agree_on_the_types() -> None:
    from incidentctl.documents.schemas import load_schema

    schema = load_schema("runbook")
    assert schema["$defs"]["evidence"]["properties"]["type"]["pattern"] == SCHEMA_PATTERN
    assert str(parse_type("choice(a,b)")) == "choice(a,b)"
    assert str(parse_type("score(1-5)")) == "score(1-5)"


def test_step_done_checks_typed_evidence_and_stores_it_canonical(run: Run) -> None:
    inc = run("open", "payment-failure", "-s", "1", "-t", "pay").stdout.strip()
    err = run(
        "step", "done", inc, "confirm-and-grade",
        "--evidence", "failure-type=network", "--evidence", "affected-orders=3000",
        expect=1,
    ).stderr  # fmt: skip
    assert "failure-type" in err and "system, channel" in err and "Traceback" not in err
    run(
        "step", "done", inc, "confirm-and-grade",
        "--evidence", "failure-type=channel", "--evidence", "affected-orders=3,000",
    )  # fmt: skip
    events = json.loads(run("timeline", inc, "--json").stdout)["events"]
    done = next(e for e in events if e["type"] == "step.done")
    assert done["payload"]["evidence"] == {"failure-type": "channel", "affected-orders": "3000"}


def test_lint_refuses_an_empty_score_range(tmp_path: object) -> None:
    from incidentctl.runbooks.evidence import type_problem

    assert type_problem("score(5-1)") is not None
    assert type_problem("choice(a,a)") is not None
    assert type_problem("score(1-5)") is None
    assert BAD.is_dir()
