"""The ``--json`` contract: every command that speaks ``--json`` has a schema in
``schemas/output/``, and what it prints follows it, on real incidents on the fake clock,
errors included."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from incidentctl.clock import ManualClock
from incidentctl.paths import schemas_dir

from .conftest import DATA, PRESS_INPUTS, REPO, Run, open_press_incident, tamper
from .contract import error_of, json_commands, registry, schema, validate

MINIMAL = DATA / "runbooks" / "valid" / "minimal.yaml"
PRESS = [arg for k, v in PRESS_INPUTS.items() for arg in ("--set", f"{k}={v}")]


def test_every_command_with_json_has_a_schema_and_every_schema_a_command() -> None:
    commands = json_commands()
    assert {"open", "list", "show", "step-done", "comms", "runbook-list", "audit-verify"} <= set(
        commands
    )
    output = schemas_dir() / "output"
    for name in commands:
        path = output / f"{name}.schema.json"
        assert path.is_file(), f"`incidentctl {name.replace('-', ' ')} --json` has no {path}"
    shared = {"defs", "error"}
    files = {p.name.removesuffix(".schema.json") for p in output.glob("*.schema.json")}
    assert files - shared == set(commands)


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_every_schema_is_valid_names_itself_and_every_reference_resolves() -> None:
    for name in [*json_commands(), "defs", "error"]:
        data = schema(name)
        Draft202012Validator.check_schema(data)
        assert data["$id"] == f"urn:incidentctl:output:{name}:1"
        assert data["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert data.get("description"), name
        resolver = registry(schemas_dir()).resolver(base_uri=data["$id"])
        for ref in _refs(data):
            resolver.lookup(ref)  # raises if it points nowhere


GLOBAL_OPTIONS = ("--home", "--runbooks", "--lang", "--tz", "--by")


def _words(name: str) -> list[str]:
    """The command line of a command, from the name of its schema."""
    group, _, command = name.partition("-")
    groups = ("step", "runbook", "audit", "action", "item", "store", "drill")
    return [group, command] if group in groups else [name]


def _schema_name(command: list[str]) -> str:
    return command[0] if command[0] in json_commands() else "-".join(command[:2])


class Contract:
    """Runs commands with ``--json``, checks each output against its command's schema,
    and remembers which commands it has seen."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.seen: dict[str, list[dict[str, Any]]] = {}

    def __call__(self, *args: str, expect: int = 0) -> dict[str, Any]:
        result = self.run(*args, "--json", expect=expect)
        command = list(args)
        while command[0] in GLOBAL_OPTIONS:
            del command[:2]
        name = _schema_name(command)
        document: dict[str, Any] = json.loads(result.stdout)
        validate(name, document)
        self.seen.setdefault(name, []).append(document)
        return document


def test_every_json_command_follows_its_schema(
    run: Run, clock: ManualClock, org: None, isolated: Path, tmp_path: Path
) -> None:
    j = Contract(run)
    # before there is a store
    assert j("list")["incidents"] == []
    assert j("deadlines")["deadlines"] == []
    assert j("check")["status"] == "ok"
    # runbooks, valid and not
    listing = j("runbook", "list")
    assert listing["origin"] == "shipped" and listing["invalid"] == []
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "coupon-failure.yaml").write_text(MINIMAL.read_text(encoding="utf-8"), "utf-8")
    (mine / "broken.yaml").write_text("schema_version: 1\nid: broken\n", encoding="utf-8")
    broken = j("--runbooks", str(mine), "runbook", "list", expect=1)
    assert [i["file"] for i in broken["invalid"]] == [str(mine / "broken.yaml")]
    j("runbook", "show", "payment-failure")
    j("runbook", "show", "payment-failure", "-s", "2")
    j("runbook", "show", str(MINIMAL), "-s", "1")
    assert j("runbook", "validate")["valid"] is True
    assert j("runbook", "validate", str(mine), expect=1)["valid"] is False

    # an incident, opened half an hour ago, walked through its whole life
    inc = j("open", "payment-failure", "-s", "2", "-t", "支付成功率骤降", "--at", "-30m")["id"]
    j("--by", "王伟", "assign", inc, "commander", "王伟")
    j("step", "start", inc, "assemble")
    j("step", "done", inc, "assemble", "--note", "war room open")
    evidence = ["--evidence", "failure-type=channel", "--evidence", "affected-orders=3000"]
    j("step", "done", inc, "confirm-and-grade", *evidence, "--at", "-25m")
    j("step", "skip", inc, "notify-card-brands", "--reason", "no card data involved")
    j("step", "na", inc, "brief-agents", "--reason", "agents already briefed")
    j("note", inc, "客服已统一口径", "--at", "-5m")
    j("severity", inc, "1", "--reason", "all channels affected")
    j("set", inc, "scope", "华东 App 用户")
    j("set", inc, "eta", "11:30")
    j("set", inc, "title", "支付成功率骤降（全渠道）")
    j("set", inc, "discovered", "-40m")
    lost = j("open", "logistics-anomaly", "-s", "2", "-t", "包裹丢失")["id"]
    j("item", "add", lost, "customer-report", "SO-1001", "--at", "-2h")
    j("item", "done", lost, "SO-1001")
    j("timeline", lost)
    j("show", lost)
    j("deadlines", lost)
    noted = j("note", inc, "wrong incident")
    j("retract", inc, str(noted["event"]["seq"]), "--reason", "wrong incident")
    clock.advance(minutes=20)
    j("show", inc)
    j("deadlines", inc)
    j("deadlines", "--all")
    assert j("check", expect=5)["status"] == "overdue"
    assert j("ack", inc)["event"]["payload"] == {}
    assert j("ack", inc, "assemble")["event"]["payload"] == {"step": "assemble"}
    j("mitigate", inc, "--note", "traffic moved to the backup channel")
    clock.advance(minutes=40)
    j("resolve", inc, "--summary", "channel restored")
    j("reopen", inc, "--reason", "failures again")
    j("resolve", inc)
    j("close", inc, "--force", "--reason", "drill ends here")
    closed = j("show", inc)
    assert closed["status"] == "closed" and closed["closed_at"] is not None
    j("timeline", inc)
    j("list", "--status", "all")
    # the review, written after the close, and its action items
    j("review", inc, "set", "impact", "customers=3000", "amount=1200.5")
    j(
        "action",
        "add",
        inc,
        "alert",
        "on",
        "success",
        "rate",
        "--owner",
        "王伟",
        "--due",
        "2026-12-01",
    )
    j("action", "add", inc, "drill", "--owner", "李娜", "--due", "2026-12-02", "--kind", "training")
    j("action", "done", inc, "1")
    j("action", "drop", inc, "2", "--reason", "covered by the quarterly drill")
    assert [a["state"] for a in j("actions", "--all")["actions"]] == ["done", "dropped"]

    # messages: the templates, a draft, one rendered, one sent
    press = open_press_incident(run)
    j("comms", press, "--list")
    j("comms", press)
    assert j("comms", press, "press-statement", "--draft")["kind"] == "draft"
    j("set", press, "eta", "+2h")
    j("comms", press, "press-statement", *PRESS)
    sent = j("comms", press, "press-statement", *PRESS, "--send", "--channel", "weibo")
    assert sent["kind"] == "sent" and sent["event"]["type"] == "comms.sent"

    # the store
    assert j("store", "status")["incidents"] == 3
    assert j("store", "init")["from_version"] == j("store", "init")["to_version"]
    in_use = os.environ.get("INCIDENTCTL_STORE") or str(isolated / "incidents.db")
    copied = j("store", "copy", "--from", in_use, "--to", f"sqlite://{tmp_path / 'copy.db'}")
    assert [i["outcome"] for i in copied["incidents"]] == ["copied"] * 3

    # audit: intact, then tampered with
    assert j("audit", "verify", "--all")["ok"] is True
    assert j("audit", "anchor", "--to", str(tmp_path / "anchors.jsonl"))["incidents"] == 3
    tamper(
        isolated, "UPDATE events SET actor = 'mallory' WHERE incident_id = ? AND seq = 2", (inc,)
    )
    assert j("audit", "verify", inc, press, expect=1)["ok"] is False

    # across incidents: the tampered one is listed, not aggregated
    across = j("report", "--until", "2026-12-31", expect=1)
    assert [b["incident"] for b in across["integrity"]["broken"]] == [inc]
    assert j("report", "--runbook", "public-opinion", "-s", "1")["incidents"] == 1

    # drills: validated, opened at 6x, an inject delivered, paused, resumed, ended, scored
    assert j("drill", "validate")["valid"] is True
    drill = j("drill", "run", "payment-failure-tabletop", "--speed", "6", "--detach")
    assert drill["incident"].startswith("DRILL-") and drill["score"] is None
    clock.advance(minutes=2)  # 12 minutes of drill time: the inject at 10m is due
    assert len(j("drill", "tick", drill["incident"])["injects"]) == 1
    assert j("drill", "pause", drill["incident"])["paused"] is True
    j("drill", "resume", drill["incident"])
    assert j("drill", "end", drill["incident"])["score"] is not None
    j("drill", "score", drill["incident"])
    assert j("drill", "run", "phishing-tabletop", "--auto", "--seed", "1")["ended"] is True
    assert len(j("drill", "history")["drills"]) == 2
    assert j("drill", "due", expect=5)["status"] == "due"
    simulated = j("drill", "simulate", "data-breach", "-s", "1", "--runs", "50")
    assert simulated["deadlines"] and simulated["advice"]

    assert set(j.seen) == set(json_commands())
    kinds = {doc["kind"] for docs in j.seen.values() for doc in docs}
    assert {"opened", "recorded", "template-list", "message", "sent", "incident"} <= kinds


def test_check_says_which_action_items_are_overdue_and_whether_they_count(
    run: Run, clock: ManualClock, isolated: Path
) -> None:
    from tests.conftest import write_config

    j = Contract(run)
    inc = j("open", "payment-failure", "-s", "2", "-t", "t")["id"]
    j("resolve", inc)
    j("close", inc, "--force", "--reason", "review continues")
    j("action", "add", inc, "alert", "--owner", "王伟", "--due", "2026-11-22")
    clock.advance(days=1)
    report = j("check")
    assert (report["status"], report["anchor"]) == ("ok", None)
    (item,) = report["actions"]
    assert (item["incident"], item["number"], item["overdue"], item["state"]) == (
        inc,
        1,
        True,
        "open",
    )
    write_config(isolated, "check: {action_items: page}\n")
    assert j("check", expect=5)["status"] == "overdue"
    write_config(isolated, "check: {action_items: 'off'}\n")
    assert j("check")["actions"] == []


@pytest.mark.no_store("errors and paths, before the store is opened")
def test_errors_under_json_are_one_json_line_on_stderr_for_every_command(run: Run) -> None:
    for name in json_commands():
        result = run(*_words(name), "--json", "--no-such-option", expect=2)
        assert result.stdout == ""
        error = error_of(result.stderr)
        assert error["code"] == "usage.no_such_option", name
        assert "--no-such-option" in error["message"]
        assert error["hint"] and f"{name.replace('-', ' ')} --help" in error["hint"]


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["show", "999"], "incident.no_match"),
        (["timeline", "INC-1999"], "incident.no_match"),
        (["deadlines", "999"], "incident.no_match"),
        (["open", "no-such-runbook", "-s", "1", "-t", "x"], "runbook.unknown"),
        (["open", "payment-failure", "-s", "7", "-t", "x"], "severity.unknown"),
        (["list", "-s", "weird"], "severity.filter"),
        (["step", "done", "{inc}", "nope"], "step.unknown"),
        (["step", "done", "{inc}", "identify-cause"], "evidence.missing"),
        (["step", "skip", "{inc}", "assemble", "--reason", ""], "step.needs_reason"),
        (["note", "{inc}", "x", "--at", "yesterday"], "time.invalid"),
        (["assign", "{inc}", "boss", "x"], "role.unknown"),
        (["severity", "{inc}", "1", "--reason", "x"], "severity.same"),
        (["close", "{inc}"], "close.not_resolved"),
        (["reopen", "{inc}", "--reason", "x"], "reopen.not_finished"),
        (["retract", "{inc}", "99", "--reason", "x"], "retract.no_event"),
        (["set", "{inc}", "eta", "soon"], "eta.invalid"),
        (["comms", "{inc}", "press-statment"], "comms.unknown_template"),
        (["audit", "verify"], "usage.error"),
        (["runbook", "show", "payment-failur"], "runbook.unknown"),
        (["step", "done", "{inc}"], "usage.missing_argument"),
        (["open", "payment-failure", "-t", "x"], "usage.missing_option"),
        (["list", "--status", "weird"], "usage.bad_value"),
        (["step", "done", "{inc}", "x", "--evidence", "novalue"], "usage.bad_value"),
        (["runbook", "lst"], "usage.no_such_command"),
    ],
)
def test_each_kind_of_error_has_its_stable_code(run: Run, args: list[str], code: str) -> None:
    inc = run("open", "payment-failure", "-s", "1", "-t", "t").stdout.strip()
    argv = [a.replace("{inc}", inc) for a in args]
    result = run(*argv, "--json", expect=2 if code.startswith("usage.") else 1)
    assert result.stdout == ""
    error = error_of(result.stderr)
    assert error["code"] == code, error
    assert "Traceback" not in result.stderr
    # the same mistake without --json is still said in plain words
    text = run(*argv, expect=2 if code.startswith("usage.") else 1).stderr
    assert not text.startswith("{")


def test_an_error_is_said_in_the_readers_language_with_its_hint(run: Run) -> None:
    inc = run("open", "payment-failure", "-s", "1", "-t", "t").stdout.strip()
    error = error_of(run("--lang", "zh", "show", "INC-1999", "--json", expect=1).stderr)
    assert error["message"] == "没有与 'INC-1999' 匹配的事件"
    assert error["hint"] and "incidentctl list" in error["hint"]
    error = error_of(run("--lang", "zh", "open", "payment-failure", "--json", expect=2).stderr)
    assert error["message"].startswith("缺少选项") and error["hint"].startswith("用法见")
    error = error_of(run("--lang", "zh", "close", inc, "--json", expect=1).stderr)
    assert error["code"] == "close.not_resolved" and "Error" not in error["message"]


def test_an_invalid_document_lists_every_problem_in_the_error(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema_version: 1\nid: x\n", encoding="utf-8")
    error = error_of(run("open", str(bad), "-s", "1", "-t", "x", "--json", expect=1).stderr)
    assert error["code"] == "runbook.invalid"
    assert {p["file"] for p in error["problems"]} == {str(bad)}
    assert "missing required key 'phases'" in {p["message"] for p in error["problems"]}

    inc = run("open", "payment-failure", "-s", "1", "-t", "t").stdout.strip()
    config = tmp_path / "home" / "config.yaml"
    config.parent.mkdir(mode=0o700, exist_ok=True)  # beside a team store, nothing made it
    config.touch(mode=0o600)
    config.write_text("limits: {text: big}\nnotfy: 1\n", encoding="utf-8")
    error = error_of(run("show", inc, "--json", expect=1).stderr)
    assert error["code"] == "config.invalid"
    assert [(p["file"], p["line"], p["path"]) for p in error["problems"]] == [
        (str(config), 1, "limits.text"),
        (str(config), 2, "notfy"),
    ]


def test_json_goes_only_where_json_was_asked_for(run: Run) -> None:
    inc = run("open", "payment-failure", "-s", "1", "-t", "t").stdout.strip()
    # a value that happens to read --json after `--` is text, and so is its error
    result = run("note", inc, "--at", "yesterday", "--", "--json", expect=1)
    assert result.stderr.startswith("Error: ")
    # before `--`, --json may come anywhere, even before the command's arguments
    error_of(run("show", "--json", "INC-1999", expect=1).stderr)
    # and a `--` that is the value of an option ends nothing
    assert (
        error_of(run("--tz", "--", "deadlines", "--json", expect=1).stderr)["code"] == "time.zone"
    )


@pytest.mark.parametrize(
    ("args", "asked"),
    [
        (["show", "--json", "1"], True),
        (["step", "done", "1", "x", "--json"], True),
        (["--tz", "--", "deadlines", "--json"], True),  # the `--` is the value of --tz
        (["list", "--status=--", "--json"], True),
        (["note", "1", "--", "--json"], False),  # the words of the note
        (["open", "x", "-t", "--json"], False),  # the title
        (["step", "done", "1", "x", "--note", "--json"], False),
    ],
)
def test_the_command_line_read_without_its_parser_finds_json_where_the_parser_would(
    args: list[str], asked: bool
) -> None:
    from incidentctl.cli.main import wants_json

    assert wants_json(args) is asked


def test_outside_the_command_line_errors_under_json_are_json_too(
    isolated: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from incidentctl.cli.app import App
    from incidentctl.cli.main import main

    with pytest.raises(SystemExit) as exited:
        main(["note", "1", "ok\udc80", "--json"])  # bytes that are not UTF-8
    assert exited.value.code == 1
    assert error_of(capsys.readouterr().err)["code"] == "cli.not_utf8"
    with pytest.raises(SystemExit) as exited:
        main(["--tz", "--", "--by", "\udcb9", "deadlines", "--json"])
    assert exited.value.code == 1
    assert error_of(capsys.readouterr().err)["code"] == "cli.not_utf8"

    def broken(self: App, result: object, *, as_json: bool = False) -> int:
        raise RuntimeError("a bug")

    monkeypatch.setattr(App, "report", broken)
    with pytest.raises(SystemExit) as exited:
        main(["list", "--json"])
    assert exited.value.code == 3
    error = error_of(capsys.readouterr().err)
    assert error["code"] == "internal" and "RuntimeError: a bug" in error["message"]
    assert error["hint"] and str(isolated / "crash") in error["hint"]


# --- what the contract fixed ---------------------------------------------------------


def test_lists_are_arrays(run: Run) -> None:
    inc = open_press_incident(run)
    templates = json.loads(run("comms", inc, "--list", "--json").stdout)["templates"]
    statement = next(t for t in templates if t["id"] == "press-statement")
    assert statement["channels"] == ["weibo", "website", "wechat-official"]
    assert statement["steps"] == ["first-public-statement", "public-update"]
    assert statement["inputs"] == list(PRESS_INPUTS)


def test_one_name_and_one_shape_per_concept(run: Run) -> None:
    opened = json.loads(run("open", "payment-failure", "-s", "1", "-t", "t", "--json").stdout)
    ref = opened["runbook"]
    assert set(ref) == {"id", "version", "sha256"} and ref["id"] == "payment-failure"
    listed = json.loads(run("list", "--json").stdout)["incidents"][0]
    shown = json.loads(run("show", opened["id"], "--json").stdout)
    runbook = json.loads(run("runbook", "show", "payment-failure", "--json").stdout)
    assert listed["runbook"] == shown["runbook"] == runbook["runbook"] == ref
    # a human title is `title`, from a runbook in both languages
    templates = json.loads(run("comms", opened["id"], "--list", "--json").stdout)["templates"]
    assert all(set(t["title"]) == {"zh", "en"} and "name" not in t for t in templates)
    books = json.loads(run("runbook", "list", "--json").stdout)["runbooks"]
    assert all(set(b["title"]) == {"zh", "en"} for b in books)
    # `steps` is always a list of step ids
    pf = next(b for b in books if b["id"] == "payment-failure")
    assert pf["steps"][:2] == ["confirm-and-grade", "assemble"]
    assert all(isinstance(s, str) for t in templates for s in t["steps"])
    # the incident's head is named the same in a listing and in show
    assert (
        listed["head"]
        == shown["head"]
        == {
            "seq": 1,
            "hash": opened["event"]["hash"],
            "recorded_at": opened["event"]["recorded_at"],
        }
    )


def test_every_top_level_document_is_an_object_that_names_itself(run: Run) -> None:
    inc = run("open", "payment-failure", "-s", "1", "-t", "t").stdout.strip()
    for args in (["deadlines"], ["check"], ["timeline", inc], ["list"], ["audit", "verify", inc]):
        document = json.loads(run(*args, "--json").stdout)
        assert isinstance(document, dict)
        assert isinstance(document["kind"], str) and document["schema_version"] == 1


@pytest.mark.no_store("errors and paths, before the store is opened")
def test_files_are_absolute_beside_an_absolute_directory(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    (work / "runbooks").mkdir(parents=True)
    (work / "runbooks" / "coupon-failure.yaml").write_text(
        MINIMAL.read_text(encoding="utf-8"), encoding="utf-8"
    )
    monkeypatch.chdir(work)
    data = json.loads(run("runbook", "list", "--json").stdout)
    assert data["origin"] == "./runbooks"
    assert data["directory"] == str(work / "runbooks")
    (entry,) = data["runbooks"]
    assert entry["file"] == str(work / "runbooks" / "coupon-failure.yaml")
    (work / "bad.yaml").write_text("id: x\n", encoding="utf-8")
    checked = json.loads(run("runbook", "validate", "bad.yaml", "--json", expect=1).stdout)
    assert [f["file"] for f in checked["files"]] == [str(work / "bad.yaml")]
    assert {p["file"] for p in checked["files"][0]["problems"]} == {str(work / "bad.yaml")}


def test_times_are_utc_with_z(run: Run) -> None:
    inc = run("open", "payment-failure", "-s", "1", "-t", "t", "--at", "-5m").stdout.strip()
    run("set", inc, "eta", "11:30")
    shown = json.loads(run("show", inc, "--json").stdout)
    assert shown["opened_at"] == "2026-11-22T01:55:00Z"
    assert shown["eta"] == "2026-11-22T03:30:00Z" and shown["now"] == "2026-11-22T02:00:00Z"
    assert all(d["due"] is None or d["due"].endswith("Z") for d in shown["deadlines"])


# --- cost ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "unloaded"),
    [
        (["list"], ("incidentctl.render.json_reporter", "jsonschema")),
        (["show", "1"], ("incidentctl.render.json_reporter", "jsonschema")),
        (["show", "999"], ("incidentctl.render.json_reporter", "jsonschema")),
        (["runbook", "list"], ("incidentctl.render.json_reporter",)),  # it validates runbooks
    ],
)
def test_text_output_loads_neither_the_json_reporter_nor_jsonschema(
    run: Run, args: list[str], unloaded: tuple[str, ...]
) -> None:
    run("open", "payment-failure", "-s", "1", "-t", "t")
    script = (
        "import sys\n"
        "from incidentctl.cli.main import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"loaded = [m for m in {unloaded!r} if m in sys.modules]\n"
        "print(loaded, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert done.stderr.strip().splitlines()[-1] == "[]", done.stderr
