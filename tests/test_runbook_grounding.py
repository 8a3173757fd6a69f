"""The shipped runbooks say truthfully where every deadline's number comes from.

A deadline's ``source`` is the reference its number comes from: a manual section,
law or practice that states that very number, or team policy.  A number the team
chose to put a duty into practice names that duty as its ``basis``.  Every law a
runbook relies on is quoted in its reference entry, so a reader can check the
runbook against the words of the article.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from incidentctl.durations import parse_duration
from incidentctl.runbooks.model import Runbook
from incidentctl.runbooks.validate import load_runbook

from .conftest import REPO, Run

SHIPPED = sorted((REPO / "runbooks").glob("*.yaml"))


def _load(path: Path) -> Runbook:
    return load_runbook(path)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_deadline_source_and_basis_resolves_to_a_reference(path: Path) -> None:
    rb = _load(path)
    for step in rb.steps:
        for rule in (step.due, step.every):
            if rule is None:
                continue
            assert rule.source in rb.references, (step.id, rule.source)
            if rule.basis is not None:
                assert rule.basis in rb.references, (step.id, rule.basis)
                assert rb.references[rule.source].kind == "policy", (
                    f"{step.id}: a basis goes with a team-policy source"
                )


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_a_cited_number_is_one_its_source_states(path: Path) -> None:
    rb = _load(path)
    for step in rb.steps:
        for rule, values in (
            (step.due, step.due and step.due.durations),
            (step.every, step.every and step.every.intervals),
        ):
            if rule is None or not values:
                continue
            ref = rb.references[rule.source]
            if ref.kind == "policy":
                continue
            stated = {parse_duration(x) for x in ref.states if x[0].isdigit()}
            for tier, value in values.items():
                assert value in stated, f"{step.id} {tier} {value}: not stated by {ref.id}"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_law_reference_quotes_the_article_it_relies_on(path: Path) -> None:
    rb = _load(path)
    laws = [r for r in rb.references.values() if r.kind == "law"]
    for ref in laws:
        assert ref.quote is not None, f"{ref.id} quotes no article text"
        assert len(ref.quote.zh) >= 20 and len(ref.quote.en) >= 40, ref.id


def test_the_legal_numbers_the_issue_found_are_now_team_policy() -> None:
    """PIPL art. 57 and DSL art. 29 say 'immediately' and GDPR art. 34 'without undue
    delay': the hours a runbook puts on them are the team's, with the law as basis."""
    rb = _load(REPO / "runbooks" / "data-breach.yaml")
    for ref in ("pipl-57", "dsl-29", "gdpr-34"):
        rules = [s.due for s in rb.steps if s.due and s.due.basis == ref]
        assert rules, ref
        assert all(r.source == "team-policy" for r in rules)
        assert not [s.id for s in rb.steps if s.due and s.due.source == ref]
    assert rb.references["pipl-57"].states == ("immediately",)
    # the CAC measures do state 4 hours and 1 hour: those stay cited to art. 4
    assert rb.step("report-cac") is not None
    cac = rb.step("report-cac")
    assert cac is not None and cac.due is not None and cac.due.source == "cac-2025-art4"


def test_a_rule_says_its_number_its_source_and_the_duty_it_serves() -> None:
    from incidentctl.render.phrases import rule_source

    rb = _load(REPO / "runbooks" / "data-breach.yaml")
    assert rule_source(rb, "team-policy", "pipl-57", "en") == (
        "team policy (PIPL art. 57: immediately)"
    )
    assert (
        rule_source(rb, "team-policy", "pipl-57", "zh")
        == "团队规定（个人信息保护法第五十七条：立即）"
    )
    assert rule_source(rb, "manual-1-2", None, "en") == "manual §1.2"


def test_deadlines_show_the_number_its_source_and_the_duty_it_serves(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    inc = run("open", "data-breach", "-s", "1", "-t", "leak").stdout.strip()
    out = run("--lang", "en", "deadlines", inc).stdout
    assert "sev1 10m — manual §1.2" in out
    assert "team policy (PIPL art. 57: immediately)" in out
    data = json.loads(run("deadlines", inc, "--json").stdout)["deadlines"]
    pi = next(d for d in data if d["step"] == "notify-pi-authority")
    assert (pi["source"], pi["basis"]) == ("team-policy", "pipl-57")
    page = run("--lang", "en", "runbook", "show", "data-breach").stdout
    assert "team policy (GDPR art. 34: without undue delay)" in page
    shown = run("--lang", "en", "show", inc).stdout
    assert "sev1 10m — manual §1.2" in shown  # the next deadlines, each with its source


@pytest.mark.no_store("runbook validation, not the store")
def test_validate_strict_lists_unverified_references_as_warnings(run: Run) -> None:
    plain = run("runbook", "validate")
    assert "warning" not in plain.stdout
    strict = run("runbook", "validate", "--strict")  # warnings keep exit code 0
    lines = strict.stdout.splitlines()
    assert any(
        "payment-failure.yaml:" in ln
        and "references[" in ln
        and "'pboc-report' is not verified yet" in ln
        and "cited by report-pboc" in ln
        for ln in lines
    ), strict.stdout
    assert "warning(s)" in strict.stderr
    data = json.loads(run("runbook", "validate", "--strict", "--json").stdout)
    assert data["valid"] is True
    warned = {w["message"].split("'")[1] for f in data["files"] for w in f["warnings"]}
    assert {"pboc-report", "cac-2025-summary"} <= warned


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_grading_is_done_by_the_time_the_team_is_assembled(path: Path) -> None:
    """The tier decides whom to call: a runbook that grades first may not give grading
    more time than assembling the team (manual §1.2's 10 minutes)."""
    rb = _load(path)
    assemble = rb.step("assemble")
    grading = [s for s in rb.steps if "grade" in s.id]
    if assemble is None or assemble.due is None:
        return
    for step in grading:
        if step.position > assemble.position or step.due is None:
            continue
        for tier, d in step.due.durations.items():
            limit = assemble.due.durations.get(tier)
            assert limit is None or d.seconds <= limit.seconds, (step.id, tier)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_tier_has_a_review(path: Path) -> None:
    """Manual §1.1(5) and §7.3: every incident is reviewed, a lighter one at sev3."""
    rb = _load(path)
    review = [s for s in rb.steps if s.phase == "review" and s.id == "postmortem"]
    assert review, rb.id
    for tier in rb.tier_ids:
        assert any(s.applies_to(tier) and s.required for s in review), (rb.id, tier)


@pytest.mark.parametrize("name", ["fraudulent-orders", "phishing"])
def test_the_manuals_other_security_events_have_runbooks(run: Run, name: str) -> None:
    """Manual §1.3 names fraudulent orders (恶意刷单) and phishing (钓鱼) as security
    events: each has its own runbook, grounded in that section."""
    rb = _load(REPO / "runbooks" / f"{name}.yaml")
    assert rb.kind == "security" and "manual-1-3" in rb.references
    assert {t.id for t in rb.tiers} == {"sev1", "sev2", "sev3"}
    inc = run("open", name, "-s", "1", "-t", "t").stdout.strip()
    data = json.loads(run("deadlines", inc, "--json").stdout)["deadlines"]
    assert {d["step"] for d in data} >= {"assemble", "confirm-and-grade"}
    assert all(d["source"] in rb.references for d in data)
