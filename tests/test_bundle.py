"""Bundles: what an auditor receives.  They verify and render with no store at all, and
import refuses a broken, partial or already-present one without writing anything."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from jsonschema import Draft202012Validator

from incidentctl.paths import schemas_dir
from incidentctl.records import GENESIS, compute_hash

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from .conftest import Run


@pytest.fixture
def bundle(run: Run, tmp_path: Path) -> Path:
    """Two incidents exported after an anchor was taken in the home."""
    ids = []
    for title in ("支付失败", "物流异常"):
        inc = run("open", "payment-failure", "-s", "2", "-t", title).stdout.strip()
        run("step", "done", inc, "assemble")
        run("note", inc, "联系人 13812345678")
        ids.append(inc)
    run("audit", "anchor")
    path = tmp_path / "bundle.json"
    run("export", *ids, "-o", str(path))
    return path


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _save(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _elsewhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An auditor's machine: a home that does not exist."""
    home = tmp_path / "auditor" / "home"
    monkeypatch.setenv("INCIDENTCTL_HOME", str(home))
    return home


def test_a_bundle_follows_its_schema_and_verifies_with_no_store(
    run: Run, bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _load(bundle)
    schema = json.loads((schemas_dir() / "incident-bundle.schema.json").read_text("utf-8"))
    Draft202012Validator.check_schema(schema)
    Draft202012Validator(schema).validate(data)
    assert len(data["incidents"]) == 2 and len(data["runbooks"]) == 1
    assert len(data["anchors"]) == 1
    inc = data["incidents"][0]["id"]
    from_store = run("--tz", "Asia/Shanghai", "postmortem", inc).stdout
    home = _elsewhere(monkeypatch, tmp_path)
    out = run("audit", "verify", str(bundle)).stdout
    assert out.count(": ok (3 events)") == 2
    offline = run("--tz", "Asia/Shanghai", "postmortem", str(bundle), "--incident", inc).stdout
    assert offline == from_store  # the same review, anchor included, with no store
    assert "anchored at" in offline
    err = run("postmortem", str(bundle), expect=1).stderr
    assert "name one with --incident" in err
    assert not home.exists()  # nothing was created on the auditor's machine


def test_an_edited_bundle_fails_and_names_what_broke(
    run: Run, bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _elsewhere(monkeypatch, tmp_path)
    data = _load(bundle)
    data["incidents"][1]["events"][2]["payload"]["text"] = "联系人 已删除"
    _save(bundle, data)
    doc = json.loads(run("audit", "verify", str(bundle), "--json", expect=1).stdout)
    codes = [{p["code"] for p in i["problems"]} for i in doc["incidents"]]
    assert codes == [set(), {"altered"}]


def test_a_rewritten_bundle_shows_only_against_an_outside_anchor(
    run: Run, bundle: Path, isolated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    line = tmp_path / "anchor-line.jsonl"
    line.write_text((isolated / "anchors.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    _elsewhere(monkeypatch, tmp_path)
    data = _load(bundle)
    data["anchors"] = []  # whoever rewrote it dropped the anchors it carried
    item = data["incidents"][0]
    events = item["events"][:2]  # the note removed, the chain recomputed
    prev = GENESIS
    for event in events:
        event["prev_hash"] = prev
        body = {k: v for k, v in event.items() if k != "hash"}
        event["hash"] = prev = compute_hash(body)
    item["events"], item["head"] = events, {"seq": 2, "hash": prev}
    _save(bundle, data)
    assert run("audit", "verify", str(bundle)).exit_code == 0
    doc = json.loads(
        run("audit", "verify", str(bundle), "--anchors", str(line), "--json", expect=1).stdout
    )
    assert [{p["code"] for p in i["problems"]} for i in doc["incidents"]] == [
        {"anchor-truncated"},
        set(),
    ]


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        (lambda d: d["incidents"][0]["events"].pop(), "does not end where the bundle says"),
        (lambda d: d["incidents"][0]["events"].pop(1), "sequence gap"),
        (lambda d: d["runbooks"].clear(), "snapshot is missing"),
        (lambda d: d.pop("anchors"), "not an incident bundle"),
        (lambda d: d["incidents"][1].update(id=d["incidents"][0]["id"]), "appears twice"),
    ],
)
def test_import_refuses_a_broken_or_partial_bundle_and_writes_nothing(
    run: Run,
    bundle: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    damage: Any,
    said: str,
) -> None:
    home = _elsewhere(monkeypatch, tmp_path)
    data = _load(bundle)
    damage(data)
    _save(bundle, data)
    err = run("import", str(bundle), expect=1).stderr
    assert said in err and "Traceback" not in err
    assert not (home / "incidents.db").exists()


def test_import_then_refuse_what_is_already_there(
    run: Run,
    bundle: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    another_store: Callable[[], None],
) -> None:
    err = run("import", str(bundle), expect=1).stderr  # the store it came from
    assert "already in this store" in err
    _elsewhere(monkeypatch, tmp_path)
    another_store()
    assert "imported 2 incident(s)" in run("import", str(bundle)).stdout
    ids = [i["id"] for i in _load(bundle)["incidents"]]
    listed = run("list").stdout
    assert all(i in listed for i in ids)
    assert run("audit", "verify", "--all").stdout.count(": ok (3 events)") == 2
    run("note", ids[0], "the review continues here")  # it is an incident like any other
    assert "already in this store" in run("import", str(bundle), expect=1).stderr


@pytest.mark.no_store("refused before any store is opened")
def test_not_a_bundle(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("{not json", encoding="utf-8")
    for args in (["import", str(path)], ["audit", "verify", str(path)], ["postmortem", str(path)]):
        err = run(*args, expect=1).stderr
        assert "is not an incident bundle" in err and "Traceback" not in err


def test_a_chain_recomputed_over_nonsense_is_refused_not_a_crash(
    run: Run, bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = _elsewhere(monkeypatch, tmp_path)
    data = _load(bundle)
    data["anchors"] = []  # they would show the rewrite
    item = data["incidents"][0]
    del item["events"][0]["payload"]["title"]
    prev = GENESIS
    for event in item["events"]:
        event["prev_hash"] = prev
        event["hash"] = prev = compute_hash({k: v for k, v in event.items() if k != "hash"})
    item["head"]["hash"] = prev
    _save(bundle, data)
    inc = item["id"]
    for args in (["import", str(bundle)], ["postmortem", str(bundle), "--incident", inc]):
        err = run(*args, expect=1).stderr
        assert "the log cannot be read" in err and "Traceback" not in err
    assert not home.exists()


def test_the_review_footer_checks_an_outside_anchor(
    run: Run, bundle: Path, isolated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    line = tmp_path / "anchor-line.jsonl"
    line.write_text((isolated / "anchors.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    _elsewhere(monkeypatch, tmp_path)
    data = _load(bundle)
    inc = data["incidents"][0]["id"]
    args = ["postmortem", str(bundle), "--incident", inc, "--format", "json"]
    doc = json.loads(run(*args, "--anchors", str(line)).stdout)
    assert doc["audit"]["verified"] is True and len(doc["audit"]["anchors"]) == 1  # one, twice
    data["anchors"] = []
    data["incidents"][0]["events"].pop()
    prev = data["incidents"][0]["events"][-1]["hash"]
    data["incidents"][0]["head"] = {"seq": 2, "hash": prev}
    _save(bundle, data)
    assert json.loads(run(*args).stdout)["audit"]["verified"] is True  # alone, it cannot tell
    result = run(*args, "--anchors", str(line), expect=1)
    assert f"WARNING: the log of {inc} no longer matches an anchor" in result.stderr
    doc = json.loads(result.stdout)
    assert doc["audit"]["verified"] is False
    assert [p["code"] for p in doc["audit"]["problems"]] == ["anchor-truncated"]
    html = run(*args[:-1], "html", "--anchors", str(line), expect=1).stdout
    assert "THE LOG DOES NOT VERIFY" in html
