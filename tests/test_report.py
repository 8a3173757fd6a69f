"""``incidentctl report``: measures across incidents, judged as the post-mortem judges,
in five formats, never aggregating a log that does not verify."""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

import pytest

from .conftest import runbook, tamper
from .contract import error_of, validate
from .test_postmortem import breach

if TYPE_CHECKING:
    from pathlib import Path

    from incidentctl.clock import ManualClock
    from incidentctl.incidents.service import Incidents
    from incidentctl.store.base import Store

    from .conftest import Run

UNTIL = ("--until", "2026-12-31")


def report(run: Run, *args: str, expect: int = 0) -> dict[str, Any]:
    out = run("report", *UNTIL, *args, "--format", "json", expect=expect).stdout
    doc: dict[str, Any] = json.loads(out)
    validate("report", doc)
    return doc


def payment(svc: Incidents, clock: ManualClock, *, ack: int, mitigate: int, resolve: int) -> str:
    """A sev1 payment failure acknowledged, mitigated and resolved so many minutes after
    opening, then closed."""
    inc = svc.open(runbook("payment-failure"), severity="1", title="支付失败").state.id
    clock.advance(minutes=ack)
    svc.step(inc, "done", "assemble")
    clock.advance(minutes=mitigate - ack)
    svc.mitigate(inc)
    clock.advance(minutes=resolve - mitigate)
    svc.resolve_incident(inc)
    svc.close(inc, force=True, reason="test")
    clock.advance(hours=1)
    return inc


def complaint(svc: Incidents, clock: ManualClock, *, reply: int, score: str) -> str:
    """A customer complaint with its first reply ``reply`` minutes after opening and a
    follow-up scoring ``score``, a day later."""
    inc = svc.open(runbook("customer-complaint"), severity="2", title="投诉：退款未到账").state.id
    clock.advance(minutes=reply)
    svc.step(inc, "done", "first-reply", evidence={"replied": "12"})
    clock.advance(hours=2)
    svc.resolve_incident(inc)
    clock.advance(days=1)
    svc.step(inc, "done", "follow-up", evidence={"reached": "12", "satisfaction": score})
    return inc


def test_legal_misses_first_and_the_same_as_the_postmortems(
    svc: Incidents, clock: ManualClock, run: Run
) -> None:
    inc = breach(svc, clock)
    payment(svc, clock, ack=3, mitigate=30, resolve=90)
    doc = report(run)
    pm = json.loads(run("postmortem", inc, "--format", "json").stdout)
    assert [(m["incident"], m["step"]) for m in doc["legal_misses"] if m["incident"] == inc] == [
        (inc, m["step"]) for m in pm["compliance"]["legal_misses"]
    ]
    assert doc["legal_misses"]  # the breach misses some
    text = run("report", *UNTIL).stdout
    assert text.index("Legal and regulatory deadlines missed") < text.index("By runbook and tier")
    assert inc in text.split("Log integrity")[0]


def test_times_per_runbook_and_tier_median_and_p90(
    svc: Incidents, clock: ManualClock, run: Run
) -> None:
    for ack, mitigate, resolve in ((2, 20, 60), (4, 40, 120), (6, 60, 180), (8, 80, 240)):
        payment(svc, clock, ack=ack, mitigate=mitigate, resolve=resolve)
    doc = report(run)
    (group,) = doc["groups"]
    assert (group["runbook"], group["tier"], group["count"]) == ("payment-failure", "sev1", 4)
    assert group["acknowledge"] == {"n": 4, "median": 300.0, "p90": 480.0}
    assert group["mitigate"] == {"n": 4, "median": 3000.0, "p90": 4800.0}
    assert group["resolve"] == {"n": 4, "median": 9000.0, "p90": 14400.0}
    assert doc["overall"]["count"] == 4
    c = group["compliance"]
    assert sum(c.values()) == sum(s["judged"] for s in doc["steps"])
    assert doc["most_missed"] and all(s["missed"] >= 1 for s in doc["most_missed"])
    rates = [s["rate"] for s in doc["most_missed"]]
    assert rates == sorted(rates, reverse=True)
    # only sev2 now: nothing
    assert report(run, "-s", "2")["incidents"] == 0
    assert report(run, "--runbook", "payment-failure", "-s", "一级")["incidents"] == 4


def test_first_reply_satisfaction_by_week_and_a_drop_flagged(
    svc: Incidents, clock: ManualClock, run: Run
) -> None:
    complaint(svc, clock, reply=8, score="4.6")
    clock.advance(days=7)
    complaint(svc, clock, reply=15, score="3.8")
    doc = report(run)
    fr = doc["kpis"]["first_reply"]
    assert (fr["n"], fr["within_target"], fr["target"]) == (2, 1, 600.0)
    assert fr["median"] == pytest.approx(690.0)
    scored = [w for w in doc["weeks"] if w["satisfaction"] is not None]
    assert [w["satisfaction"] for w in scored] == [4.6, 3.8]
    assert [w["drop"] for w in scored] == [False, True]
    assert "DROP" in run("report", *UNTIL).stdout


def test_impact_orders_and_amount_and_messages_per_audience(
    svc: Incidents, clock: ManualClock, run: Run
) -> None:
    inc = breach(svc, clock)  # impact: amount=0, one internal message
    svc.review(inc, "impact", "customers=10 orders=340 amount=1200.50")
    doc = report(run)
    assert doc["kpis"]["orders"] == {"total": 340, "incidents": 1}
    assert doc["kpis"]["amount"] == {"total": "1200.50", "incidents": 1}
    assert doc["overall"]["messages"] == {"internal": 1}
    assert doc["overall"]["promises"]["judged"] >= 0


def test_action_items_open_and_past_due_by_owner(
    svc: Incidents, clock: ManualClock, run: Run
) -> None:
    inc = breach(svc, clock)  # 王伟, due 2026-12-01
    svc.add_action(inc, "演练", owner="李娜", due="2027-01-15", kind="training")
    doc = report(run)
    by = {o["owner"]: o for o in doc["actions"]}
    assert (by["王伟"]["open"], by["王伟"]["past_due"]) == (1, 1)
    assert (by["李娜"]["open"], by["李娜"]["past_due"]) == (1, 0)
    assert doc["actions"][0]["owner"] == "王伟"  # past due first
    earlier = json.loads(
        run("report", "--until", "2026-11-30", "--format", "json").stdout
    )  # not yet due then
    assert {o["owner"]: o["past_due"] for o in earlier["actions"]}["王伟"] == 0


def _tamper(home: Path, incident: str) -> None:
    tamper(
        home, "UPDATE events SET actor = 'mallory' WHERE incident_id = ? AND seq = 2", (incident,)
    )


def test_a_log_that_does_not_verify_is_listed_and_never_aggregated(
    svc: Incidents, clock: ManualClock, run: Run, isolated: Path
) -> None:
    good = payment(svc, clock, ack=2, mitigate=20, resolve=60)
    bad = payment(svc, clock, ack=9, mitigate=90, resolve=900)
    _tamper(isolated, bad)
    result = run("report", *UNTIL, "--format", "json", expect=1)
    doc = json.loads(result.stdout)
    validate("report", doc)
    assert [b["incident"] for b in doc["integrity"]["broken"]] == [bad]
    assert doc["integrity"]["broken"][0]["problems"][0]["code"] == "altered"
    assert doc["incidents"] == 1 and doc["overall"]["acknowledge"]["median"] == 120.0
    assert {i["id"]: i["verified"] for i in doc["list"]} == {good: True, bad: False}
    assert "do not verify" in result.stderr
    text = run("report", *UNTIL, expect=1).stdout
    assert bad in text and "altered" in text


def test_the_cache_says_what_a_full_read_says_and_verify_reads_again(
    svc: Incidents,
    clock: ManualClock,
    run: Run,
    isolated: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read: list[str] = []
    backend = type(svc.store)  # the class of the store under test, SQLite or PostgreSQL
    events = backend.events

    def counting(self: Store, incident_id: str, *, after: int = 0) -> list[Any]:
        read.append(incident_id)
        return events(self, incident_id, after=after)

    monkeypatch.setattr(backend, "events", counting)
    breach(svc, clock)
    inc = payment(svc, clock, ack=2, mitigate=20, resolve=60)
    read.clear()
    cold = report(run)
    assert len(read) == 2 and (isolated / "cache" / "report.jsonl").is_file()
    read.clear()
    assert report(run) == cold and read == []
    # an incident that moves on is read again
    svc.review(inc, "summary", "通道恢复")
    read.clear()
    report(run)
    assert read == [inc]
    # the store tampered with behind the cache's back: --verify reads every log again
    _tamper(isolated, inc)
    trusted = report(run)["integrity"]
    assert trusted["broken"] == []  # the head did not move
    assert trusted["every_log_read"] is False  # and the report says it did not read every log
    doc = report(run, "--verify", expect=1)
    assert doc["integrity"]["every_log_read"] is True
    assert [b["incident"] for b in doc["integrity"]["broken"]] == [inc]
    # a broken log is never cached: read (and found broken) every time
    read.clear()
    assert [b["incident"] for b in report(run, expect=1)["integrity"]["broken"]] == [inc]
    assert inc in read


def test_the_same_store_and_until_give_the_same_bytes_in_every_format(
    svc: Incidents, clock: ManualClock, run: Run, isolated: Path
) -> None:
    breach(svc, clock)
    complaint(svc, clock, reply=8, score="4")
    for fmt in ("table", "md", "csv", "json", "html"):
        first = run("report", *UNTIL, "--format", fmt).stdout
        clock.advance(hours=5)
        (isolated / "cache" / "report.jsonl").unlink()  # cold, then warm
        assert run("report", *UNTIL, "--format", fmt).stdout == first, fmt
        assert run("report", *UNTIL, "--format", fmt).stdout == first, fmt


def test_csv_opens_in_excel_with_chinese_intact(
    svc: Incidents, clock: ManualClock, run: Run, tmp_path: Path
) -> None:
    inc = breach(svc, clock)
    out = tmp_path / "r.csv"
    run("--lang", "zh", "report", *UNTIL, "--format", "csv", "-o", str(out))
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    header, *body = rows
    assert header[0] == "事件编号" and "开启（Asia/Shanghai）" in header
    assert len(body) == 1 and body[0][0] == inc and body[0][1].startswith("用户数据泄露")
    opened = header.index("开启（UTC）")
    assert body[0][opened].endswith("Z")
    assert body[0][opened + 1].startswith("2026-11-22 10:00")  # Shanghai
    assert all(len(r) == len(header) for r in body)


def test_markdown_tables_come_from_tabulate(svc: Incidents, clock: ManualClock, run: Run) -> None:
    breach(svc, clock)
    md = run("report", *UNTIL, "--format", "md").stdout
    assert md.startswith("# Incident report")
    assert "## Legal and regulatory deadlines missed" in md
    legal = md.split("## Legal and regulatory deadlines missed")[1].split("##")[0]
    assert "| Incident " in legal and "|---" in legal.replace(":", "-").replace(" ", "")


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.links += [v or "" for k, v in attrs if k in ("src", "href")]


def test_html_is_self_contained_with_three_charts(
    svc: Incidents, clock: ManualClock, run: Run
) -> None:
    breach(svc, clock)
    complaint(svc, clock, reply=8, score="4")
    page = _Page()
    page.feed(run("report", *UNTIL, "--format", "html").stdout)
    page.close()
    assert page.tags.count("svg") == 3 and "rect" in page.tags and "polyline" in page.tags
    assert "script" not in page.tags and not page.links
    assert page.tags.count("table") >= 5


def test_drills_are_left_out_unless_asked(svc: Incidents, clock: ManualClock, run: Run) -> None:
    svc.open(runbook("payment-failure"), severity="2", title="真的")
    svc.open(runbook("payment-failure"), severity="2", title="演练", drill={"scenario": "x"})
    assert report(run)["incidents"] == 1
    doc = report(run, "--drills")
    assert doc["incidents"] == 2 and doc["filters"]["drills"] is True


def test_the_window(svc: Incidents, clock: ManualClock, run: Run) -> None:
    first = svc.open(runbook("payment-failure"), severity="2", title="a").state.id
    clock.advance(days=3)  # 2026-11-25
    second = svc.open(runbook("payment-failure"), severity="2", title="b").state.id

    def ids(*args: str) -> list[str]:
        doc = json.loads(run("report", *args, "--json").stdout)
        validate("report", doc)
        return [i["id"] for i in doc["list"]]

    assert ids() == [first, second]  # until now
    assert ids("--since", "2026-11-23") == [second]
    assert ids("--until", "2026-11-22") == [first]  # to the end of that day
    assert ids("--since", "2026-11-22", "--until", "2026-11-22") == [first]
    assert ids("--since", "2026-11-22 12:00") == [second]


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--since", "yesterday-ish"], "window.date"),
        (["--until", "2026-02-30"], "window.date"),
        (["--since", "2026-12-01", "--until", "2026-11-01"], "window.order"),
        (["--since", "2026-12-01", "--until", "2026-11-30"], "window.order"),
        (["--runbook", "payment-failur"], "report.runbook"),
        (["-s", "weird"], "severity.filter"),
    ],
)
def test_bad_input_is_a_clear_error(run: Run, args: list[str], code: str) -> None:
    run("open", "payment-failure", "-s", "1", "-t", "t")
    result = run("report", *args, "--json", expect=1)
    assert result.stdout == ""
    assert error_of(result.stderr)["code"] == code
    plain = run("report", *args, expect=1)
    assert "Traceback" not in plain.stderr and plain.stderr.startswith("Error")


@pytest.mark.no_store("no store at all: the SQLite home's absence")
def test_without_a_store_an_empty_report(run: Run, isolated: Path) -> None:
    doc = report(run)
    assert doc["incidents"] == 0 and doc["list"] == [] and doc["legal_misses"] == []
    assert "No legal or regulatory deadline was missed" in run("report").stdout
    assert not (isolated / "incidents.db").exists()


def test_list_keeps_the_incidents_opened_in_the_window(
    svc: Incidents, clock: ManualClock, run: Run
) -> None:
    first = svc.open(runbook("payment-failure"), severity="2", title="a").state.id
    clock.advance(days=3)
    second = svc.open(runbook("payment-failure"), severity="2", title="b").state.id

    def ids(*args: str) -> list[str]:
        doc = json.loads(run("list", *args, "--json").stdout)
        validate("list", doc)
        return [i["id"] for i in doc["incidents"]]

    assert ids("--since", "2026-11-23") == [second]
    assert ids("--until", "2026-11-24") == [first]
    assert ids("--since", "2026-11-01", "--limit", "1") == [second]
    assert ids("--until", "2026-11-21") == []
    error = error_of(run("list", "--since", "soon", "--json", expect=1).stderr)
    assert error["code"] == "window.date"


@pytest.mark.parametrize(
    "garbage",
    [b"", b"not json\n", b'{"key": "other"}\n', b"\xff\xfe\n", b'{"key": null}\n[1, 2]\n'],
)
def test_a_damaged_cache_is_only_a_cache(
    svc: Incidents, clock: ManualClock, run: Run, isolated: Path, garbage: bytes
) -> None:
    breach(svc, clock)
    expected = run("report", *UNTIL, "--json").stdout
    cache = isolated / "cache" / "report.jsonl"
    cache.write_bytes(garbage)
    assert run("report", *UNTIL, "--json").stdout == expected
    assert run("report", *UNTIL, "--json").stdout == expected  # and it was written again
    lines = cache.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and json.loads(lines[1])["head"]
