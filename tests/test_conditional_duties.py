"""Conditional duties are decided by the organisation's facts, not by forgetting: a legal
reporting step is required; one whose ``applies_if`` the facts in ``config.yaml`` make
false is recorded n/a at opening, the fact as its reason; an unknown fact leaves it
required."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from incidentctl.config import load_config
from incidentctl.errors import ConfigError

from .conftest import REPO, Run, runbook


def _config(home: Path, org: str) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.yaml").write_text(f"org: {{{org}}}\n", encoding="utf-8")


def _steps(run: Run, inc: str) -> dict[str, dict[str, Any]]:
    shown = json.loads(run("show", inc, "--json").stdout)
    return {s["step"]: s for s in shown["checklist"]}


def test_legal_reporting_steps_are_required() -> None:
    for name, steps in {
        "data-breach": ("report-cii", "report-cac", "gdpr-authority", "gdpr-data-subjects"),
        "system-outage": ("report-cii", "report-cac"),
        "payment-failure": ("notify-card-brands", "report-pboc", "report-cii", "report-cac"),
        "customer-data-error": ("report-cii", "report-cac"),
    }.items():
        rb = runbook(name)
        for step_id in steps:
            step = rb.step(step_id)
            assert step is not None and step.required, (name, step_id)
            assert step.applies_if is not None, (name, step_id)


def test_a_false_fact_records_the_duty_na_with_the_fact_as_reason(run: Run, isolated: Path) -> None:
    _config(isolated, "name: 示例商城, cii: false, eu_data_subjects: false")
    inc = run("open", "data-breach", "-s", "1", "-t", "leak").stdout.strip()
    steps = _steps(run, inc)
    assert steps["report-cii"]["status"] == "n/a"
    assert "org.cii = false" in steps["report-cii"]["reason"]
    assert steps["gdpr-authority"]["status"] == "n/a"
    assert steps["report-cac"]["status"] == "pending"  # not org.cii: our duty
    timeline = " ".join(run("--lang", "en", "timeline", inc).stdout.split())
    assert "config.yaml says org.cii = false" in timeline  # an event, for the review
    events = json.loads(run("timeline", inc, "--json").stdout)["events"]
    na = [e for e in events if e["type"] == "step.na"]
    assert {e["payload"]["condition"] for e in na} == {"org.cii", "org.eu_data_subjects"}


def test_a_true_fact_takes_the_other_branch(run: Run, isolated: Path) -> None:
    _config(isolated, "cii: true")
    inc = run("open", "data-breach", "-s", "2", "-t", "leak").stdout.strip()
    steps = _steps(run, inc)
    assert steps["report-cac"]["status"] == "n/a"
    assert "org.cii = true" in steps["report-cac"]["reason"]
    assert steps["report-cii"]["status"] == "pending"
    assert steps["gdpr-authority"]["status"] == "pending"  # unknown fact: still required


def test_unknown_facts_leave_every_legal_step_required_so_close_refuses(run: Run) -> None:
    inc = run("open", "system-outage", "-s", "1", "-t", "down").stdout.strip()
    steps = _steps(run, inc)
    assert steps["report-cii"]["status"] == steps["report-cac"]["status"] == "pending"
    run("resolve", inc)
    err = run("close", inc, expect=1).stderr
    assert "report-cac" in err and "report-cii" in err


def test_the_config_schema_takes_the_facts_and_refuses_a_non_boolean(isolated: Path) -> None:
    _config(isolated, "cii: true, payment_institution: false")
    config = load_config(isolated)
    assert dict(config.facts) == {"cii": True, "payment_institution": False}
    assert "cii" not in config.org  # facts are not template text
    _config(isolated, "cii: maybe")
    with pytest.raises(ConfigError) as exc:
        load_config(isolated)
    assert "config.yaml:1" in str(exc.value) and "cii" in str(exc.value)
    assert (REPO / "schemas" / "config.schema.json").is_file()


def test_payment_and_data_errors_carry_the_cac_report_with_tier_criteria() -> None:
    """A major payment outage or data tampering/loss can be a network-security event
    under the 2025 CAC measures (软硬件缺陷或故障): reportable within 4 h, 1 h for CII."""
    for name in ("payment-failure", "customer-data-error"):
        rb = runbook(name)
        cac = rb.step("report-cac")
        assert cac is not None and cac.due is not None
        assert cac.due.anchor == "discovered" and cac.due.source == "cac-2025-art4"
        assert {str(d) for d in cac.due.durations.values()} == {"4h"}
        assert "sev1" in cac.instructions.en and "sev2" in cac.instructions.en
        assert cac.tiers == ("sev1", "sev2")
