"""Real tampering, done the way someone with every right over the store would (the sqlite3
module on the file; psycopg as the PostgreSQL superuser, the triggers disabled): what the database refuses, what ``audit verify`` names on its own,
and what only an anchor (an outside copy of every chain's head) can show.

Each scenario names the codes ``audit verify`` must report for the incident it touched.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from incidentctl.records import GENESIS, compute_hash

from .conftest import Owner

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from .conftest import Run


def _setup(run: Run, tmp_path: Path) -> tuple[str, str, Path]:
    """Two incidents of seven events, and an anchor taken when they were intact."""
    ids = []
    for title in ("a", "b"):
        inc = run("open", "payment-failure", "-s", "2", "-t", title).stdout.strip()
        run("step", "done", inc, "assemble")
        for n in range(4):
            run("note", inc, f"note {n}")
        run("set", inc, "scope", "华东")
        ids.append(inc)
    anchors = tmp_path / "anchors.jsonl"
    run("audit", "anchor", "--to", str(anchors))
    assert run("audit", "verify", "--all", "--anchors", str(anchors)).exit_code == 0
    return ids[0], ids[1], anchors


def _rows(db: Owner, inc: str) -> list[dict[str, Any]]:
    cols = "seq, type, payload, actor, recorded_at, occurred_at, backdated"
    return [
        {
            "incident": inc,
            "seq": r[0],
            "type": r[1],
            "payload": json.loads(r[2]),
            "actor": r[3],
            "recorded_at": r[4],
            "occurred_at": r[5],
            "backdated": bool(r[6]),
        }
        for r in db.execute(f"SELECT {cols} FROM events WHERE incident_id = ? ORDER BY seq", (inc,))
    ]


def _rewrite(db: Owner, inc: str, bodies: list[dict[str, Any]]) -> None:
    """Replace an incident's events by ``bodies``, renumbered and with every hash
    recomputed (what someone who knows the algorithm can do), and move its summary row
    onto the new head: a chain that verifies on its own."""
    db.execute("DELETE FROM events WHERE incident_id = ?", (inc,))
    prev = GENESIS
    for seq, given in enumerate(bodies, 1):
        body = {**given, "seq": seq, "prev_hash": prev}
        digest = compute_hash(body)
        db.execute(
            "INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                inc,
                seq,
                body["type"],
                json.dumps(body["payload"], ensure_ascii=False, sort_keys=True),
                body["actor"],
                body["recorded_at"],
                body["occurred_at"],
                int(body["backdated"]),
                prev,
                digest,
            ),
        )
        prev = digest
    db.execute(
        "UPDATE incidents SET last_seq = ?, head_hash = ? WHERE id = ?", (len(bodies), prev, inc)
    )


Tamper = "Callable[[Owner, str, str], None]"


def alter_payload(db: Owner, inc: str, _: str) -> None:
    db.execute(
        'UPDATE events SET payload = \'{"text": "forged"}\' WHERE incident_id = ? AND seq = 3',
        (inc,),
    )


def alter_actor(db: Owner, inc: str, _: str) -> None:
    db.execute("UPDATE events SET actor = 'mallory' WHERE incident_id = ? AND seq = 2", (inc,))


def backdate(db: Owner, inc: str, _: str) -> None:
    db.execute(
        "UPDATE events SET occurred_at = '2026-11-22T01:00:00Z' WHERE incident_id = ? AND seq = 2",
        (inc,),
    )


def delete_middle(db: Owner, inc: str, _: str) -> None:
    db.execute("DELETE FROM events WHERE incident_id = ? AND seq = 3", (inc,))


def swap(db: Owner, inc: str, _: str) -> None:
    db.execute("UPDATE events SET seq = 100 WHERE incident_id = ? AND seq = 3", (inc,))
    db.execute("UPDATE events SET seq = 3 WHERE incident_id = ? AND seq = 4", (inc,))
    db.execute("UPDATE events SET seq = 4 WHERE incident_id = ? AND seq = 100", (inc,))


def forge_appended(db: Owner, inc: str, _: str) -> None:
    (last, head) = db.one(
        "SELECT seq, hash FROM events WHERE incident_id = ? ORDER BY seq DESC LIMIT 1", (inc,)
    )
    db.execute(
        "INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?)",
        (inc, last + 1, "note.added", '{"text": "x"}', "m", "2026-11-22T03:00:00Z",
         "2026-11-22T03:00:00Z", 0, head, "0" * 64),
    )  # fmt: skip


def alter_runbook(db: Owner, inc: str, _: str) -> None:
    (document,) = db.one("SELECT document FROM runbooks")
    db.execute("UPDATE runbooks SET document = ?", (document.replace("10m", "11m"),))


def delete_runbook(db: Owner, inc: str, _: str) -> None:
    db.execute("DELETE FROM runbooks")


def first_not_opened(db: Owner, inc: str, _: str) -> None:
    db.execute("UPDATE events SET type = 'note.added' WHERE incident_id = ? AND seq = 1", (inc,))


def close_in_summary(db: Owner, inc: str, _: str) -> None:
    db.execute("UPDATE incidents SET status = 'closed' WHERE id = ?", (inc,))


def retitle_in_summary(db: Owner, inc: str, _: str) -> None:
    db.execute("UPDATE incidents SET title = 'nothing to see' WHERE id = ?", (inc,))


def delete_summary(db: Owner, inc: str, _: str) -> None:
    db.execute("DELETE FROM incidents WHERE id = ?", (inc,))


def summary_behind(db: Owner, inc: str, _: str) -> None:
    (h,) = db.one("SELECT hash FROM events WHERE incident_id = ? AND seq = 3", (inc,))
    db.execute("UPDATE incidents SET last_seq = 3, head_hash = ? WHERE id = ?", (h, inc))


# --- only an anchor shows these: each leaves a chain that verifies on its own --------


def recompute_after_edit(db: Owner, inc: str, _: str) -> None:
    bodies = _rows(db, inc)
    bodies[2]["payload"] = {"text": "forged"}
    _rewrite(db, inc, bodies)


def recompute_after_deletion(db: Owner, inc: str, _: str) -> None:
    bodies = _rows(db, inc)
    del bodies[2]
    _rewrite(db, inc, bodies)


def recompute_after_swap(db: Owner, inc: str, _: str) -> None:
    bodies = _rows(db, inc)
    bodies[2], bodies[3] = bodies[3], bodies[2]
    _rewrite(db, inc, bodies)


def recompute_with_forged_event(db: Owner, inc: str, _: str) -> None:
    bodies = _rows(db, inc)
    bodies.insert(3, {**bodies[3], "payload": {"text": "all was well"}})
    _rewrite(db, inc, bodies)


def recompute_with_new_runbook(db: Owner, inc: str, _: str) -> None:
    from incidentctl.records import sha256_of

    (document,) = db.one("SELECT document FROM runbooks")
    doc = json.loads(document.replace("10m", "2h"))
    sha = sha256_of(doc)
    db.execute(
        "INSERT INTO runbooks VALUES (?,?,?,?)",
        (sha, doc["id"], str(doc["version"]), json.dumps(doc, ensure_ascii=False, sort_keys=True)),
    )
    bodies = _rows(db, inc)
    bodies[0]["payload"]["runbook"]["sha256"] = sha
    _rewrite(db, inc, bodies)
    db.execute("UPDATE incidents SET runbook_sha256 = ? WHERE id = ?", (sha, inc))


def truncate_tail(db: Owner, inc: str, _: str) -> None:
    db.execute("DELETE FROM events WHERE incident_id = ? AND seq >= 6", (inc,))
    (h,) = db.one("SELECT hash FROM events WHERE incident_id = ? AND seq = 5", (inc,))
    db.execute("UPDATE incidents SET last_seq = 5, head_hash = ? WHERE id = ?", (h, inc))


def summary_fixed_after_deletion(db: Owner, inc: str, _: str) -> None:
    bodies = _rows(db, inc)[:-1]  # the last event (the scope) gone, the row recomputed
    _rewrite(db, inc, bodies)
    db.execute("UPDATE incidents SET title = 'a' WHERE id = ?", (inc,))


def delete_incident(db: Owner, inc: str, _: str) -> None:
    db.execute("DELETE FROM events WHERE incident_id = ?", (inc,))
    db.execute("DELETE FROM incidents WHERE id = ?", (inc,))


REFUSED = [
    ("UPDATE events SET actor = 'm'", "append-only"),
    ("DELETE FROM events", "append-only"),
    ("UPDATE runbooks SET version = '9'", "immutable"),
    ("DELETE FROM runbooks", "immutable"),
    ("UPDATE incidents SET status = 'closed'", "change only with the events appended"),
    ("DELETE FROM incidents", "kept"),
]


@pytest.mark.parametrize(("sql", "said"), REFUSED)
def test_the_database_refuses(
    run: Run, isolated: Path, tmp_path: Path, sql: str, said: str
) -> None:
    _setup(run, tmp_path)
    db = Owner(isolated)
    with pytest.raises(db.error, match=said):
        db.execute(sql)
    db.close()
    assert run("audit", "verify", "--all").exit_code == 0


DETECTED: list[tuple[Callable[[Owner, str, str], None], set[str]]] = [
    (alter_payload, {"altered"}),
    (alter_actor, {"altered"}),
    (backdate, {"altered"}),
    (delete_middle, {"gap", "link"}),
    (swap, {"link", "altered"}),
    (forge_appended, {"altered", "summary"}),
    (alter_runbook, {"snapshot"}),
    (delete_runbook, {"snapshot-missing"}),
    (first_not_opened, {"altered", "not-opened"}),
    (close_in_summary, {"summary-fold"}),
    (retitle_in_summary, {"summary-fold"}),
    (delete_summary, {"summary-missing"}),
    (summary_behind, {"summary"}),
]

ANCHORED: list[tuple[Callable[[Owner, str, str], None], set[str]]] = [
    (recompute_after_edit, {"anchor-rewritten"}),
    (recompute_after_deletion, {"anchor-truncated"}),
    (recompute_after_swap, {"anchor-rewritten"}),
    (recompute_with_forged_event, {"anchor-rewritten"}),
    (recompute_with_new_runbook, {"anchor-rewritten"}),
    (truncate_tail, {"anchor-truncated"}),
    (summary_fixed_after_deletion, {"anchor-truncated"}),
    (delete_incident, {"anchor-removed"}),
]


def _tampered(home: Path, tamper: Callable[[Owner, str, str], None], a: str, b: str) -> None:
    """``tamper`` with incidents ``a`` and ``b`` as the store's owner, triggers off."""
    db = Owner(home)
    db.disarm()
    tamper(db, a, b)
    db.close()


def _codes(run: Run, *args: str) -> dict[str, set[str]]:
    result = run("audit", "verify", *args, "--json", expect=None)
    data = json.loads(result.stdout)
    return {i["incident"]: {p["code"] for p in i["problems"]} for i in data["incidents"]}


@pytest.mark.parametrize(("tamper", "codes"), DETECTED, ids=[t.__name__ for t, _ in DETECTED])
def test_audit_names_it_without_anchors(
    run: Run,
    isolated: Path,
    tmp_path: Path,
    tamper: Callable[[Owner, str, str], None],
    codes: set[str],
) -> None:
    a, b, _ = _setup(run, tmp_path)
    _tampered(isolated, tamper, a, b)
    found = _codes(run, "--all")
    assert found[a] == codes
    if tamper not in (alter_runbook, delete_runbook):  # both share the one snapshot
        assert found[b] == set()
    assert run("audit", "verify", "--all", expect=1).exit_code == 1


@pytest.mark.parametrize(("tamper", "codes"), ANCHORED, ids=[t.__name__ for t, _ in ANCHORED])
def test_only_an_anchor_shows_it(
    run: Run,
    isolated: Path,
    tmp_path: Path,
    tamper: Callable[[Owner, str, str], None],
    codes: set[str],
) -> None:
    a, b, anchors = _setup(run, tmp_path)
    _tampered(isolated, tamper, a, b)
    assert a not in _codes(run, "--all") or _codes(run, "--all")[a] == set()
    assert run("audit", "verify", "--all").exit_code == 0  # the chain alone cannot tell
    found = _codes(run, "--anchors", str(anchors))
    assert found[a] == codes
    assert found[b] == set()
    result = run("audit", "verify", "--anchors", str(anchors), expect=1)
    assert a in result.stdout


def test_an_altered_anchor_file_is_named(run: Run, tmp_path: Path) -> None:
    a, _, anchors = _setup(run, tmp_path)
    line = json.loads(anchors.read_text(encoding="utf-8"))
    line["heads"][a]["seq"] = 3
    anchors.write_text(json.dumps(line) + "\n", encoding="utf-8")
    assert _codes(run, "--anchors", str(anchors))[a] == {"anchor-digest"}
    anchors.write_text("not json\n", encoding="utf-8")
    err = run("audit", "verify", "--anchors", str(anchors), expect=1).stderr
    assert "not an incidentctl anchor" in err and "Traceback" not in err


def test_an_anchor_posted_to_a_webhook(run: Run, tmp_path: Path) -> None:
    from .test_notify_check import Hook

    hook = Hook("/robot/send?access_token=SECRET42")
    try:
        inc = run("open", "payment-failure", "-s", "2", "-t", "a").stdout.strip()
        out = run("audit", "anchor", "--post", hook.url, "--post-format", "wecom").stdout
        (sent,) = hook.requests
        content = sent["json"]["text"]["content"]
        assert sent["json"]["msgtype"] == "text" and content.startswith("incidentctl anchor ")
        digest = json.loads(run("audit", "anchor", "--post", hook.url, "--json").stdout)["digest"]
        assert hook.requests[1]["json"]["heads"][inc]["seq"] == 1
        assert hook.requests[1]["json"]["digest"] == digest and digest in content
        assert digest in out
        hook.statuses.append(403)
        err = run("audit", "anchor", "--post", hook.url, expect=1).stderr
        assert "did not take it: HTTP 403" in err and "SECRET42" not in err
    finally:
        hook.release.set()
        hook.server.shutdown()
        hook.server.server_close()


def test_a_post_mortem_of_a_log_that_does_not_verify_says_so(run: Run, isolated: Path) -> None:
    inc = run("open", "payment-failure", "-s", "2", "-t", "a").stdout.strip()
    run("note", inc, "one")
    db = Owner(isolated)
    db.disarm()
    alter_payload(db, inc, "")  # no event 3: nothing changes yet
    db.execute("UPDATE events SET actor = 'mallory' WHERE incident_id = ? AND seq = 2", (inc,))
    db.close()
    result = run("postmortem", inc, expect=1)
    assert "THE LOG DOES NOT VERIFY" in result.stdout
    assert f"the log of {inc} does not verify from event #2" in result.stderr
