"""Post-mortems: generated from the log alone, the same bytes every time, in Markdown,
JSON (checked against its schema) and HTML (parsed for its structure)."""

from __future__ import annotations

import json
import subprocess
import sys
from html.parser import HTMLParser
from typing import TYPE_CHECKING

import pytest
from jsonschema import Draft202012Validator

from incidentctl.paths import schemas_dir

from .conftest import runbook

if TYPE_CHECKING:
    from pathlib import Path

    from incidentctl.clock import ManualClock
    from incidentctl.incidents.service import Incidents

    from .conftest import Run


def breach(svc: Incidents, clock: ManualClock) -> str:
    """A data breach at sev1, walked with a met, a late and a never-done legal deadline,
    a de-escalation, a promise, a message, a back-dated and a retracted event, and a
    review half written.  Its id."""
    inc = svc.open(
        runbook("data-breach"), severity="1", title="用户数据泄露 13812345678", commander="王伟"
    ).state.id
    clock.advance(minutes=5)
    svc.step(inc, "done", "assemble")
    svc.assign(inc, "compliance", "李娜")
    svc.note(inc, "线索来自 zhang.san@example.com，源 IP 10.2.3.4")
    wrong = svc.note(inc, "wrong incident")
    svc.retract(inc, wrong.seq, reason="meant for another incident")
    clock.advance(minutes=25)
    svc.set_severity(inc, "2", reason="fewer records than feared")
    svc.step(inc, "done", "contain", evidence={"containment": "keys revoked"}, at="-10m")
    svc.update(inc, "eta", "+2h")
    svc.send(
        inc,
        template="internal-update",
        lang="zh",
        channel="im",
        subject=None,
        text="正在处置，预计两小时内恢复",
    )
    clock.advance(hours=2)
    svc.mitigate(inc)
    clock.advance(hours=3)
    svc.step(inc, "done", "notify-pi-authority", evidence={"authority-receipt": "R-1"})
    svc.resolve_incident(inc)
    svc.close(inc, force=True, reason="test")
    svc.review(inc, "summary", "导出任务配置错误，公开了一个存储桶。")
    svc.review(inc, "impact", "customers=1200 amount=0 duration=2h40m")
    svc.add_action(inc, "桶策略默认私有", owner="王伟", due="2026-12-01", kind="prevent")
    return inc


def _postmortem(run: Run, inc: str, *args: str) -> str:
    return run("--tz", "Asia/Shanghai", "postmortem", inc, *args).stdout


@pytest.fixture
def inc(svc: Incidents, clock: ManualClock) -> str:
    return breach(svc, clock)


def test_json_follows_its_schema_and_puts_legal_misses_first(run: Run, inc: str) -> None:
    doc = json.loads(_postmortem(run, inc, "--format", "json"))
    schema = json.loads((schemas_dir() / "postmortem.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    Draft202012Validator(schema).validate(doc)
    legal = {r["step"]: r["verdict"] for r in doc["compliance"]["legal_misses"]}
    # report-cac (4h, a regulation) was never done, nor report-cii (1h, required while the
    # config does not say the platform is no CII operator); notify-pi-authority (a team's
    # 4h for PIPL art. 57's "immediately") was late
    assert legal == {
        "report-cac": "never-done",
        "report-cii": "never-done",
        "notify-pi-authority": "late",
    }
    pi = next(r for r in doc["compliance"]["legal_misses"] if r["step"] == "notify-pi-authority")
    assert pi["source"]["id"] == "team-policy" and pi["source"]["basis"]["kind"] == "law"
    rows = {r["key"]: r for r in doc["compliance"]["deadlines"]}
    assert rows["assemble"]["verdict"] == "met" and rows["assemble"]["margin_seconds"] == 300
    assert rows["notify-pi-authority"]["margin_seconds"] == -(60 * 60 + 30 * 60)
    assert rows["assemble"]["owner"] == "王伟" and rows["report-cac"]["owner"] == "李娜"
    assert rows["ETA#1"]["verdict"] == "met"  # mitigated within the promised two hours
    assert [t["tier"] for t in doc["tiers"]] == ["sev1", "sev2"]
    assert doc["tiers"][0]["seconds"] == 30 * 60
    assert doc["durations"]["to_acknowledge"] == 300
    assert doc["durations"]["to_mitigate"] == (30 + 120) * 60
    assert doc["incident"]["status"] == "closed"
    todo = [s["field"] for s in doc["review"] if s["todo"]]
    assert "summary" not in todo and "lessons" in todo
    assert doc["communications"]["messages"][0]["channel"] == "im"
    assert doc["audit"]["verified"] is True
    assert doc["audit"]["event_count"] == len(doc["timeline"])
    assert doc["audit"]["redactions"] is None
    retracted = [e for e in doc["timeline"] if e["retracted"]]
    assert [e["text"] for e in retracted] == ["note: wrong incident"]
    assert any(e["backdated"] for e in doc["timeline"])


def test_the_same_log_gives_the_same_bytes_in_every_zone(
    run: Run, inc: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for fmt in ("md", "json", "html"):
        first = _postmortem(run, inc, "--format", fmt)
        assert _postmortem(run, inc, "--format", fmt) == first
        for zone in ("UTC", "America/New_York", "Asia/Kolkata"):
            monkeypatch.setenv("TZ", zone)
            assert _postmortem(run, inc, "--format", fmt) == first, (fmt, zone)
        monkeypatch.setenv("TZ", "Asia/Shanghai")
    # a different --tz is a different document, on purpose
    other = run("--tz", "UTC", "postmortem", inc, "--format", "md").stdout
    assert other != _postmortem(run, inc, "--format", "md")


def test_markdown_has_every_section_and_tables(run: Run, inc: str) -> None:
    md = _postmortem(run, inc)
    headings = [line for line in md.splitlines() if line.startswith("## ")]
    assert headings[0] == "## Missed legal and regulatory deadlines"
    for section in ("Key times", "Deadline compliance", "Communications", "Review"):
        assert f"## {section}" in headings
    assert headings[-1] == "## Audit"
    assert "| report-cac Report to the provincial cyberspace administration" in md
    assert "never done" in md and "late by 1h 30m" in md
    assert "~~note: wrong incident~~" in md
    assert "- [ ] Lessons" in md
    assert "customers affected: 1200" in md
    zh = run("--lang", "zh", "--tz", "Asia/Shanghai", "postmortem", inc).stdout
    assert "## 未按时完成的法定及监管时限" in zh and "未完成" in zh


def test_markdown_cells_cannot_break_the_table(
    svc: Incidents, clock: ManualClock, run: Run
) -> None:
    inc = svc.open(runbook("minimal"), severity="1", title="a | b").state.id
    svc.note(inc, "line one\nline *two*")
    svc.add_action(inc, "fix a | b\nthen c", owner="王伟", due="2026-12-01")
    md = run("postmortem", inc).stdout
    row = next(line for line in md.splitlines() if "fix a" in line)
    assert "fix a \\| b<br>then c" in row
    assert row.count(" | ") == 5  # six cells, none added by the text
    item = next(line for line in md.splitlines() if "line one" in line)
    assert item.startswith("- **#2** ") and item.endswith("line one<br>line \\*two\\*")


class Structure(HTMLParser):
    """What the tests look at in the HTML: ids, tags, resources it would load."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.tags: dict[str, int] = {}
        self.external: list[str] = []
        self.step_rows: list[dict[str, str | None]] = []
        self.deleted = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags[tag] = self.tags.get(tag, 0) + 1
        if a.get("id"):
            self.ids.append(str(a["id"]))
        for key in ("src", "href", "xlink:href"):
            if a.get(key):
                self.external.append(str(a[key]))
        if tag in {"link", "script"}:
            self.external.append(tag)
        if tag == "g" and "step" in (a.get("class") or "").split():
            self.step_rows.append(a)
        if tag == "del":
            self.deleted += 1


def test_html_is_self_contained_and_structured(run: Run, inc: str) -> None:
    text = _postmortem(run, inc, "--format", "html")
    page = Structure()
    page.feed(text)
    page.close()
    assert page.external == []
    assert "@media print" in text and "size: A4" in text
    assert page.ids.index("legal-misses") < page.ids.index("compliance") < page.ids.index("audit")
    for section in ("key-times", "chart", "communications", "review", "actions", "timeline"):
        assert section in page.ids
    assert page.tags["svg"] == 1
    doc = json.loads(_postmortem(run, inc, "--format", "json"))
    steps = list(dict.fromkeys(r["step"] for r in doc["compliance"]["deadlines"]))
    assert [r["data-step"] for r in page.step_rows] == steps
    missed = {r["data-step"] for r in page.step_rows if "missed" in (r.get("class") or "")}
    assert {"report-cac", "notify-pi-authority"} <= missed and "assemble" not in missed
    assert 'class="tier-change"' in text and 'class="message"' in text
    assert page.deleted == 1


def test_output_file_and_errors(run: Run, inc: str, tmp_path: Path) -> None:
    out = tmp_path / "pm.html"
    assert run("postmortem", inc, "--format", "html", "-o", str(out)).stdout == ""
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    err = run("postmortem", inc, "-o", str(tmp_path / "no" / "such" / "dir.md"), expect=1).stderr
    assert "cannot write" in err and "Traceback" not in err
    assert "Traceback" not in run("postmortem", "999", expect=1).stderr
    run("postmortem", inc, "--format", "pdf", expect=2)


def test_redaction_masks_and_counts(run: Run, inc: str, tmp_path: Path) -> None:
    names = tmp_path / "names.txt"
    names.write_text("# people\n李娜\n王伟\n", encoding="utf-8")
    doc = json.loads(_postmortem(run, inc, "--format", "json", "--redact", str(names)))
    text = json.dumps(doc, ensure_ascii=False)
    for secret in ("13812345678", "zhang.san@example.com", "10.2.3.4", "李娜", "王伟"):
        assert secret not in text
    counts = doc["audit"]["redactions"]
    assert counts["mobile"] == 1 and counts["email"] == 1 and counts["ip"] == 1
    assert counts["name"] == 3  # the commander, an assignment, an action item's owner
    plain = json.loads(_postmortem(run, inc, "--format", "json", "--redact"))
    assert "王伟" in json.dumps(plain, ensure_ascii=False)
    assert plain["audit"]["redactions"]["name"] == 0
    # the footer says it, and the audit is of the log as stored
    md = _postmortem(run, inc, "--redact", str(names))
    assert "personal data masked" in md and "verify" in md


def test_tabulate_stays_off_the_everyday_path() -> None:
    script = (
        "import sys\n"
        "import incidentctl.cli.main, incidentctl.cli.incident_cmd, incidentctl.cli.review_cmd\n"
        "import incidentctl.render.text_reporter, incidentctl.render.json_reporter\n"
        "print([m for m in sys.modules if m.startswith(('tabulate', 'wcwidth'))])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_a_drill_says_so_at_the_top(svc: Incidents, run: Run) -> None:
    inc = svc.open(
        runbook("minimal"), severity="1", title="drill", drill={"scenario": "x"}
    ).state.id
    md = run("postmortem", inc).stdout
    assert md.splitlines()[2] == "> **DRILL: this incident was an exercise, not a real event**"
    page = Structure()
    page.feed(run("postmortem", inc, "--format", "html").stdout)
    assert page.ids[:2] == ["top", "drill"]
    assert json.loads(run("postmortem", inc, "--format", "json").stdout)["incident"]["drill"]
    plain = svc.open(runbook("minimal"), severity="1", title="real").state.id
    assert "DRILL" not in run("postmortem", plain).stdout


def test_chinese_throughout(run: Run, inc: str) -> None:
    import re

    html = run("--lang", "zh", "--tz", "Asia/Shanghai", "postmortem", inc, "--format", "html")
    body = re.sub(r"<style>.*?</style>|<[^>]+>", " ", html.stdout, flags=re.S)
    for word in ("Missed", "Timeline", "Deadline", "never done", "Review", "Audit", "events"):
        assert word not in body, word
    assert "时间线" in body and "审计" in body


def test_markdown_tables_stay_aligned_with_chinese_text(run: Run, inc: str) -> None:
    """In the Markdown source, as a reviewer reads it in a terminal or a diff, every line of
    a table is as wide as its header: a Chinese character takes two columns."""
    from incidentctl.render.text import width

    md = run("--lang", "zh", "--tz", "Asia/Shanghai", "postmortem", inc, "--format", "md").stdout
    tables: list[list[str]] = []
    previous = ""
    for line in md.splitlines():
        if line.startswith("|"):
            if not previous.startswith("|"):
                tables.append([])
            tables[-1].append(line)
        previous = line
    assert len(tables) >= 3
    wide = [t for t in tables if any(width(ln) != len(ln) for ln in t)]
    assert wide  # tables with Chinese in them
    for table in tables:
        assert len({width(line) for line in table}) == 1, "\n".join(table)
