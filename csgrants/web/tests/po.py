"""A small reader of gettext .po files for the catalogue tests (no extra dependency)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False
    line: int = 0

    @property
    def untranslated(self) -> bool:
        return not self.msgstr or any(not v for v in self.msgstr.values())

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags


def read(path: Path) -> list[Entry]:
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            current, target = None, None
            continue
        if line.startswith("#~"):
            if current is None:
                current = Entry(obsolete=True, line=n)
                entries.append(current)
            current.obsolete = True
            continue
        if current is None:
            current = Entry(line=n)
            entries.append(current)
        if line.startswith("#,"):
            current.flags |= {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith("msgid_plural "):
            current.msgid_plural = ast.literal_eval(line[13:])
            target = ("msgid_plural", 0)
        elif line.startswith("msgid "):
            current.msgid = ast.literal_eval(line[6:])
            target = ("msgid", 0)
        elif line.startswith("msgstr["):
            index = int(line[7 : line.index("]")])
            current.msgstr[index] = ast.literal_eval(line[line.index("]") + 2 :])
            target = ("msgstr", index)
        elif line.startswith("msgstr "):
            current.msgstr[0] = ast.literal_eval(line[7:])
            target = ("msgstr", 0)
        elif line.startswith('"') and target is not None:
            text = ast.literal_eval(line)
            kind, index = target
            if kind == "msgstr":
                current.msgstr[index] += text
            else:
                setattr(current, kind, getattr(current, kind) + text)
    return [e for e in entries if (e.msgid or e.msgstr) and e.msgid != "" and not e.obsolete]
