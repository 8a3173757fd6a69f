from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from incidentctl.paths import shipped_runbooks_dir
from incidentctl.render.text import width

from .conftest import DATA, Run

pytestmark = pytest.mark.no_store("runbook commands read runbook files, never the store")

MINIMAL = DATA / "runbooks" / "valid" / "minimal.yaml"


def test_list_shows_shipped_runbooks(run: Run) -> None:
    out = run("runbook", "list").stdout
    assert "payment-failure" in out
    assert "Transaction anomaly and payment failure" in out
    assert "(shipped)" in out


def test_list_in_chinese_keeps_columns_aligned(run: Run) -> None:
    from incidentctl.i18n import t

    kinds = {
        t(f"kind.{e['kind']}", "zh")
        for e in json.loads(run("runbook", "list", "--json").stdout)["runbooks"]
    }
    assert "系统故障" in kinds
    out = run("--lang", "zh", "runbook", "list").stdout
    header, _rule, *rows = [ln for ln in out.splitlines() if ln and not ln.startswith("预案目录")]
    assert header.startswith("编号")
    col = width(header[: header.index("类别")])
    assert rows
    for line in rows:
        kind = next(k for k in kinds if f"  {k}  " in line)
        assert width(line[: line.index(f"  {kind}  ") + 2]) == col, line
    assert "交易异常与支付失败" in out


def test_list_json(run: Run) -> None:
    data = json.loads(run("runbook", "list", "--json").stdout)
    entry = next(e for e in data["runbooks"] if e["id"] == "payment-failure")
    assert entry["tiers"] == ["sev1", "sev2", "sev3"]
    assert entry["title"]["zh"] == "交易异常与支付失败"
    assert len(entry["steps"]) > 10 and "confirm-and-grade" in entry["steps"]
    assert data["invalid"] == []


def test_runbooks_option_env_and_cwd(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    shutil.copy(MINIMAL, mine / "coupon-failure.yaml")
    out = run("--runbooks", str(mine), "runbook", "list").stdout
    assert "coupon-failure" in out and "payment-failure" not in out
    monkeypatch.setenv("INCIDENTCTL_RUNBOOKS", str(mine))
    assert "$INCIDENTCTL_RUNBOOKS" in run("runbook", "list").stdout
    monkeypatch.delenv("INCIDENTCTL_RUNBOOKS")
    local = Path.cwd() / "runbooks"
    local.mkdir()
    shutil.copy(MINIMAL, local / "coupon-failure.yaml")
    out = run("runbook", "list").stdout
    assert "coupon-failure" in out and "./runbooks" in out


def test_list_reports_invalid_files_and_fails(run: Run, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    shutil.copy(MINIMAL, mine / "ok.yaml")
    (mine / "broken.yaml").write_text("id: [\n", encoding="utf-8")
    result = run("--runbooks", str(mine), "runbook", "list", expect=1)
    assert "coupon-failure" in result.stdout
    assert "broken.yaml" in result.stderr


def test_show_with_severity_gives_concrete_deadlines(run: Run) -> None:
    out = run("runbook", "show", "payment-failure", "--severity", "1").stdout
    assert "Deadlines at sev1" in out
    row = next(ln for ln in out.splitlines() if " confirm-and-grade " in ln and "after" in ln)
    assert "10m after opened" in row
    sev3 = run("runbook", "show", "payment-failure", "-s", "三级").stdout
    assert "Deadlines at sev3" in sev3
    assert "report-pboc" not in sev3.split("Deadlines at")[1].split("\n\n")[0]


def test_deadline_table_keeps_titles_whole_and_marks_optional_steps(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    out = run("runbook", "show", "payment-failure", "-s", "1").stdout
    table = out.split("Deadlines at")[1].split("\n\n")[0].splitlines()
    assert all(width(ln) <= 100 for ln in table[1:]), table
    assert "..." not in "\n".join(table)  # long titles wrap rather than lose words
    fail_over = next(ln for ln in table if " fail-over " in ln)
    assert "(optional)" not in fail_over
    # every step of payment-failure is required now (its legal ones too); another
    # runbook shows how an optional step is marked
    other = run("runbook", "show", "customer-complaint", "-s", "1").stdout
    rows = other.split("Deadlines at")[1].split("\n\n")[0]
    assert "(optional)" in rows


def test_show_accepts_chinese_tier_names(run: Run) -> None:
    for name in ("一级", "一级(重大)", "一级（重大）", "sev1", "1", "Level 1 (major)"):
        data = json.loads(run("runbook", "show", "payment-failure", "-s", name, "--json").stdout)
        assert data["severity"] == "sev1"


def test_show_json_deadlines(run: Run) -> None:
    data = json.loads(run("runbook", "show", "payment-failure", "-s", "sev2", "--json").stdout)
    assert data["runbook"]["id"] == "payment-failure"
    assert data["document"]["id"] == "payment-failure"
    by_step = {d["step"]: d for d in data["schedule"]}
    assert by_step["identify-cause"]["due"] == {
        "duration": "1h",
        "anchor": "opened",
        "source": "team-policy",
        "basis": "manual-7-1",
    }
    assert by_step["status-update"]["every"]["interval"] == "1h"
    assert "report-pboc" not in by_step


def test_show_markdown_checklist(run: Run) -> None:
    md = run(
        "--lang", "zh", "runbook", "show", "payment-failure", "--format", "md", "-s", "2"
    ).stdout
    assert md.startswith("# 交易异常与支付失败")
    assert "- [ ] **确认异常并定级** (`confirm-and-grade`)" in md
    assert "事件开启后 10分钟" in md


def test_show_unknown_runbook_and_tier(run: Run) -> None:
    err = run("runbook", "show", "payment-failur", expect=1).stderr
    assert "did you mean 'payment-failure'" in err
    err = run("runbook", "show", "payment-failure", "-s", "sev7", expect=1).stderr
    assert "unknown severity 'sev7'" in err and "一级(重大)" in err
    assert "Traceback" not in err


def test_show_by_path(run: Run) -> None:
    out = run("runbook", "show", str(MINIMAL)).stdout
    assert "coupon-failure" in out


def test_validate_all_in_use(run: Run) -> None:
    result = run("runbook", "validate")
    assert result.stdout == ""
    assert "valid" in result.stderr


def test_validate_reports_each_problem_with_location(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    text = (
        MINIMAL.read_text(encoding="utf-8")
        .replace("role: ops", "role: opps")
        .replace("sev1: 15m", "sev1: 45m")
    )
    bad.write_text(text, encoding="utf-8")
    result = run("runbook", "validate", str(bad), str(MINIMAL), expect=1)
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("phases[0].steps[1].role: unknown role 'opps' (did you mean 'ops'?)")
    assert ":55:15: " in lines[0]
    assert ":57:43: " in lines[1] and "longer than the milder sev2" in lines[1]
    assert "2 problem(s) in 1 file(s)" in result.stderr


def test_validate_json(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema_version: 1\nid: x\n", encoding="utf-8")
    data = json.loads(run("runbook", "validate", "--json", str(bad), expect=1).stdout)
    assert data["valid"] is False
    (entry,) = data["files"]
    missing = {p["message"] for p in entry["problems"]}
    assert "missing required key 'phases'" in missing
    assert all(p["line"] == 1 for p in entry["problems"])


def test_validate_directory_finds_duplicate_ids(run: Run, tmp_path: Path) -> None:
    d = tmp_path / "dup"
    d.mkdir()
    shutil.copy(MINIMAL, d / "a.yaml")
    shutil.copy(MINIMAL, d / "b.yaml")
    out = run("runbook", "validate", str(d), expect=1).stdout
    assert "runbook id 'coupon-failure' is also used by" in out


def test_schema_command_prints_the_schema(run: Run) -> None:
    data = json.loads(run("runbook", "schema").stdout)
    assert data["$schema"].endswith("2020-12/schema")


def test_shipped_runbooks_are_package_data() -> None:
    assert (shipped_runbooks_dir() / "payment-failure.yaml").is_file()


@pytest.mark.parametrize("how", ["option", "env"])
@pytest.mark.parametrize("what", ["missing", "file"])
def test_a_runbook_directory_given_that_is_no_directory_is_an_error(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str, what: str
) -> None:
    target = tmp_path / "nowhere"
    if what == "file":
        target.write_text("not a directory\n", encoding="utf-8")
    given = ["--runbooks", str(target)] if how == "option" else []
    if how == "env":
        monkeypatch.setenv("INCIDENTCTL_RUNBOOKS", str(target))
    origin = "--runbooks" if how == "option" else "$INCIDENTCTL_RUNBOOKS"
    said = "does not exist" if what == "missing" else "is not a directory"
    for command in (["runbook", "list"], ["runbook", "validate"], ["runbook", "show", "x"]):
        err = run(*given, *command, expect=1).stderr
        assert str(target) in err and f"({origin})" in err and said in err, err
        result = run(*given, *command, "--json", expect=1)
        assert result.stdout == ""
        error = json.loads(result.stderr.strip().splitlines()[-1])["error"]
        assert error["code"] == ("runbook.no_dir" if what == "missing" else "runbook.not_dir")
        assert str(target) in error["message"]
    assert "nowhere" in run(*given, "open", "x", "-s", "1", "-t", "t", expect=1).stderr
