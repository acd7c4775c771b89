"""Every domain error that reaches a user goes through gettext and has a Dutch translation: the
Dutch UI never shows an English error (issue 19). Checked over the source of the domain apps,
so that a new `raise ValidationFailed("...")` fails here before it reaches a screen."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_APPS = ("applications", "budgets", "catalogue", "enterprises", "core")
ERRORS = {
    "DomainError",
    "ValidationFailed",
    "NotFound",
    "PermissionDenied",
    "TransitionNotAllowed",
    "BudgetExhausted",
    "Conflict",
}
GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext"}


def _modules():
    for app in DOMAIN_APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def _literal(node) -> bool:
    """A message written out in English: a string or an f-string, maybe %-formatted."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        node = node.left
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str)
    )


def _untranslated(tree) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            name = getattr(node.exc.func, "id", getattr(node.exc.func, "attr", ""))
            if name in ERRORS and node.exc.args and _literal(node.exc.args[0]):
                lines.append(node.lineno)
        # errors.append((field, message)): the (field, message) pairs of ValidationFailed
        if (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", "") == "append"
            and getattr(node.func.value, "id", "") == "errors"
            and node.args
            and isinstance(node.args[0], ast.Tuple)
            and len(node.args[0].elts) == 2
            and _literal(node.args[0].elts[1])
        ):
            lines.append(node.lineno)
    return lines


def _messages(tree) -> set[str]:
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", "") in GETTEXT
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    }


def test_no_domain_error_is_raised_with_an_english_literal():
    found = {
        f"{path.relative_to(ROOT.parent)}:{line}"
        for path, tree in _modules()
        for line in _untranslated(tree)
    }
    assert found == set()


def test_the_check_finds_an_english_literal():
    tree = ast.parse(
        'raise ValidationFailed("the question is required", field="q")\n'
        'raise TransitionNotAllowed(f"status {s}")\n'
        'errors.append(("note", "say what"))\n'
        'raise ValidationFailed(_("The question is required."), field="q")\n'
        'raise NotFound(_("No %(x)s.") % {"x": 1})\n'
        "raise ValidationFailed(exc.message, field=f)\n"
    )
    assert _untranslated(tree) == [1, 2, 3]


def _catalogue() -> set[str]:
    """The msgids of the Dutch catalogue that have a translation."""
    text = (ROOT / "locale/nl/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    ids = set()
    for entry in text.split("\n\n"):
        if entry.lstrip().startswith("#~") or "msgstr" not in entry:
            continue
        head, tail = entry.split("msgstr", 1)
        msgid = "".join(re.findall(r'^(?:msgid )?"(.*)"$', head.split("msgid_plural")[0], re.M))
        if msgid and re.search(r'"[^"]', tail):
            ids.add(msgid.encode().decode("unicode_escape").encode("latin-1").decode())
    return ids


@pytest.mark.parametrize("app", DOMAIN_APPS)
def test_every_domain_message_has_a_dutch_translation(app):
    messages = set().union(
        *(_messages(tree) for path, tree in _modules() if path.is_relative_to(ROOT / app))
    )
    missing = sorted(messages - _catalogue())
    assert missing == []
    with translation.override("nl"):  # and the compiled catalogue is the one in use
        assert translation.gettext("The question is required.") == "De vraag is verplicht."
