"""The phrase library: the manual's own scripts (话术), cited to their sections.

Kept in ``incidentctl/data/phrases.yaml``.  A template uses one as ``{phrase.ID}``;
it is put in before the message is filled, so a phrase's own placeholders (a
committed ``{eta}``, never a made-up time) are filled like the template's.
``incidentctl comms INC --phrases`` lists them.
"""

from __future__ import annotations

import re
from functools import cache
from typing import NamedTuple

from incidentctl.runbooks.model import Text

#: ``{phrase.ID}`` in a template.
PREFIX = "phrase."

_REFERENCE = re.compile(r"\{\{|\}\}|\{phrase\.([a-z][a-z0-9-]*)\}")


class Phrase(NamedTuple):
    id: str
    use: str  # opening, calming, confirming, solution, follow-up, crisis, ...
    cite: Text
    text: Text


@cache
def library() -> dict[str, Phrase]:
    """Every phrase, by id, in the library's order."""
    from incidentctl.documents import yamlsafe
    from incidentctl.paths import package_data

    path = package_data("phrases.yaml")
    located = yamlsafe.load(path.read_text(encoding="utf-8"), str(path))
    out: dict[str, Phrase] = {}
    for raw in located.data:
        out[str(raw["id"])] = Phrase(
            str(raw["id"]),
            str(raw["use"]),
            Text.of(raw["cite"]),
            Text(str(raw["zh"]), str(raw["en"])),
        )
    return out


def known(name: str) -> bool:
    """Whether placeholder ``name`` (``phrase.calming``) names a phrase of the library."""
    return name.startswith(PREFIX) and name[len(PREFIX) :] in library()


def expand(text: str, lang: str) -> str:
    """``text`` with every ``{phrase.ID}`` replaced by the phrase in ``lang`` (``{{`` and
    ``}}`` left as they are; an unknown id left for the placeholder check to report)."""
    if "{phrase." not in text:
        return text
    phrases = library()

    def sub(m: re.Match[str]) -> str:
        ident = m.group(1)
        if ident is None or ident not in phrases:
            return m.group(0)
        return phrases[ident].text.get(lang)

    return _REFERENCE.sub(sub, text)
