"""The shape of the house: which modules may import which.

Every import counts, including those inside functions and under
``TYPE_CHECKING``: an arrow is an arrow, whenever it is followed.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from .conftest import REPO

PACKAGE = REPO / "incidentctl"

#: What each part may import from incidentctl (besides itself).  ``records`` stands on
#: nothing; the store stands on records alone; the domain never reaches up into the
#: renderers or the command line.
ALLOWED: dict[str, set[str]] = {
    "records": set(),
    "i18n": set(),
    "clock": set(),
    "paths": {"errors", "i18n"},
    "errors": {"i18n"},
    "durations": {"errors", "i18n"},
    "times": {"errors", "i18n", "durations"},
    "store": {"records", "errors", "i18n"},
    "documents": {"records", "errors", "i18n", "paths", "__init__"},
    "runbooks": {"documents", "errors", "i18n", "paths", "durations", "records", "__init__"},
    "config": {"documents", "errors", "i18n", "paths", "durations", "__init__"},
    "incidents": {"records", "store", "runbooks", "errors", "i18n", "times", "durations", "clock"},
    "deadlines": {
        *("incidents", "runbooks", "documents", "records", "store", "config"),
        *("errors", "i18n", "paths", "times", "durations", "clock"),
    },
    "comms": {
        *("deadlines", "incidents", "runbooks", "records", "store"),
        *("errors", "i18n", "times", "durations", "clock"),
    },
    "postmortem": {
        *("deadlines", "incidents", "runbooks", "records", "store", "paths"),
        *("errors", "i18n", "times", "durations", "clock"),
    },
    "walk": {
        *("comms", "deadlines", "incidents", "runbooks", "records", "store"),
        *("errors", "i18n", "times", "durations", "clock"),
    },
    "drills": {
        *("walk", "comms", "deadlines", "incidents", "runbooks", "documents", "records", "store"),
        *("errors", "i18n", "times", "durations", "clock", "paths", "__init__"),
    },
    "reports": {
        *("postmortem", "deadlines", "incidents", "runbooks", "records", "store"),
        *("errors", "i18n", "times", "durations", "clock"),
    },
}
DOMAIN = {
    *("records", "store", "documents", "runbooks", "incidents", "deadlines", "comms", "walk"),
    "postmortem",
    "drills",
    "reports",
}


def _module_name(path: Path) -> str:
    rel = path.relative_to(REPO).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every incidentctl module ``path`` imports, anywhere in it."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module_name(path).rsplit(".", 0 if path.name == "__init__.py" else 1)[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("incidentctl"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if not base.startswith("incidentctl"):
                continue
            for alias in node.names:  # `from incidentctl.x import y` may name module y
                candidate = f"{base}.{alias.name}"
                found.add(candidate if _exists(candidate) else base)
    return found


def _exists(module: str) -> bool:
    rel = Path(*module.split("."))
    return (REPO / rel).with_suffix(".py").exists() or (REPO / rel / "__init__.py").exists()


def _graph() -> dict[str, set[str]]:
    graph = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        graph[_module_name(path)] = {m for m in _imports(path) if m != _module_name(path)}
    return graph


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_no_import_circle_between_files() -> None:
    graph = _graph()
    seen: dict[str, int] = {}  # 1 on the stack, 2 done

    def visit(node: str, stack: list[str]) -> None:
        seen[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if nxt not in graph:
                continue
            if seen.get(nxt) == 1:
                cycle = [*stack[stack.index(nxt) :], nxt]
                pytest.fail("import circle: " + " -> ".join(cycle))
            if nxt not in seen:
                visit(nxt, [*stack, nxt])
        seen[node] = 2

    for module in graph:
        if module not in seen:
            visit(module, [module])


@pytest.mark.parametrize("part", sorted(ALLOWED))
def test_lower_floors_import_only_what_is_below_them(part: str) -> None:
    wrong = {
        f"{module} -> {target}"
        for module, targets in _graph().items()
        if _part(module) == part
        for target in targets
        if _part(target) != part and _part(target) not in ALLOWED[part]
    }
    assert not wrong


def test_the_domain_never_reaches_up_into_rendering_or_the_command_line() -> None:
    wrong = {
        f"{module} -> {target}"
        for module, targets in _graph().items()
        if _part(module) in DOMAIN
        for target in targets
        if _part(target) in ("render", "cli")
    }
    assert not wrong


def test_only_the_command_line_imports_click() -> None:
    users = {
        _module_name(p)
        for p in PACKAGE.rglob("*.py")
        if re.search(r"^\s*(import click|from click)", p.read_text(encoding="utf-8"), re.M)
    }
    assert users and all(u.startswith("incidentctl.cli") for u in users), users


def test_one_canonical_json_encoding() -> None:
    """Hashes are computed over one encoding; a second one could drift from it."""
    compact = [
        p.relative_to(REPO).as_posix()
        for p in PACKAGE.rglob("*.py")
        if 'separators=(",", ":")' in p.read_text(encoding="utf-8")
    ]
    assert compact == ["incidentctl/records.py"]


def test_every_package_is_installed() -> None:
    """A package missing from setup.cfg works in a checkout and breaks every installed copy."""
    import configparser

    config = configparser.ConfigParser()
    config.read(REPO / "setup.cfg", encoding="utf-8")
    listed = set(config["options"]["packages"].split())
    packages = {
        _module_name(init) for init in PACKAGE.rglob("__init__.py") if "_data" not in init.parts
    }
    assert packages - listed == set()
