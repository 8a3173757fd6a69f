"""Docs live with the code: generated files are current, every command is documented."""

from __future__ import annotations

import re

import click
import pytest

from incidentctl.cli.main import COMMANDS, cli
from incidentctl.runbooks.docs import EXAMPLE, render_format_doc
from incidentctl.runbooks.validate import check_text

from .conftest import DATA, REPO


def test_runbook_format_doc_is_generated_from_the_schema() -> None:
    on_disk = (REPO / "docs" / "runbook-format.md").read_text(encoding="utf-8")
    assert on_disk == render_format_doc(), (
        "docs/runbook-format.md is stale: run "
        "`incidentctl runbook schema --markdown > docs/runbook-format.md`"
    )


def test_the_documented_example_is_valid() -> None:
    assert check_text(EXAMPLE, "example.yaml").problems == []
    fixture = (DATA / "runbooks" / "valid" / "minimal.yaml").read_text(encoding="utf-8")
    assert fixture.split("\n", 1)[1] == EXAMPLE


def _walk(group: click.Group, ctx: click.Context, prefix: str) -> list[tuple[str, click.Command]]:
    found = []
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        assert cmd is not None, name
        path = f"{prefix} {name}"
        found.append((path, cmd))
        if isinstance(cmd, click.Group):
            found += _walk(cmd, ctx, path)
    return found


def all_commands() -> list[tuple[str, click.Command]]:
    ctx = click.Context(cli)
    return _walk(cli, ctx, "incidentctl")


def test_every_lazy_command_loads() -> None:
    names = [p.split()[1] for p, _ in all_commands()]
    assert set(COMMANDS) <= set(names)


def test_every_command_and_option_has_help_and_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for path, cmd in all_commands():
        assert (cmd.help or "").strip(), f"{path} has no help text"
        *parent, name = path.split()
        # `incidentctl step start\|done\|skip\|na` documents four subcommands at once
        spelled = re.escape(" ".join(parent)) + rf" (?:[\w-]+\\\|)*{re.escape(name)}(?:\\\|[\w-]+)*"
        assert re.search(rf"`{spelled}(\s|`)", readme), f"{path} is not in the README"
        for param in cmd.params:
            if isinstance(param, click.Option) and not param.hidden:
                assert (param.help or "").strip(), f"{path} {param.opts[0]} has no help text"


def test_ci_runs_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)\n```", readme, flags=re.S)
    setup = [b for b in blocks if "pip install" in b and "pytest" in b]
    assert setup, "the README gives no test command"
    test_command = setup[0].strip()
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci.splitlines()


def test_readme_names_every_shipped_runbook_with_its_chinese_title() -> None:
    from incidentctl.paths import shipped_runbooks_dir
    from incidentctl.runbooks.validate import load_runbook

    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    for path in sorted(shipped_runbooks_dir().glob("*.yaml")):
        rb = load_runbook(path)
        assert f"`{rb.id}` ({rb.title.get('zh')})" in readme, rb.id


def test_a_first_look_runs_as_printed(run, clock) -> None:  # type: ignore[no-untyped-def]
    """Every command of the README's "A first look", in order, on the fake clock: each
    succeeds, except `close`, which the README says is refused while steps are open."""
    import shlex

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("## A first look", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    ran = []
    for line in block.splitlines():
        command = line.split("  #", 1)[0].split(" > ", 1)[0].strip()
        for part in command.split(" && "):
            argv = shlex.split(part)
            if not argv or argv[1:2] == ["watch"]:  # watch needs a terminal
                continue
            assert argv[0] == "incidentctl", line
            expect = 1 if argv[1] == "close" else 0
            result = run(*argv[1:], expect=expect)
            if expect:
                assert "required step(s) still open" in result.stderr
            ran.append(argv[1])
            clock.advance(seconds=30)
    assert ran.count("step") == 2 and "note" in ran and ran[-1] == "close"


def _readme_exit_codes() -> list[tuple[str, str]]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Exit codes\n", 1)[1].split("\n## ", 1)[0]
    rows = [ln for ln in section.splitlines() if ln.startswith("| ")][1:]  # past the header
    out = []
    for row in rows:
        code, meaning = (cell.strip() for cell in row.strip().strip("|").split(" | ", 1))
        out.append((code, meaning))
    return out


@pytest.mark.no_store("the help text, not the store")
def test_the_exit_codes_in_the_help_are_the_readmes(run) -> None:  # type: ignore[no-untyped-def]
    documented = _readme_exit_codes()
    assert [code for code, _ in documented] == ["0", "1", "2", "3", "4", "5", "6", "130"]
    help_text = run("--help").stdout
    assert "Exit codes:" in help_text
    said = help_text.split("Exit codes:", 1)[1]
    entries = re.split(r"\n  (?=\d+ )", "\n" + said.strip("\n"))[1:]
    shown = [(e.split(None, 1)[0], " ".join(e.split()[1:])) for e in entries]
    assert shown == documented
