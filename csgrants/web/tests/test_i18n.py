"""The Dutch catalogue is complete and compiled, so that `make run` needs no gettext tools."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "nl" / "LC_MESSAGES"


def test_every_source_string_has_a_dutch_translation():
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    entries = text.split("\n\n")[1:]
    untranslated = []
    for entry in entries:
        if entry.lstrip().startswith("#~"):
            continue
        msgid = "".join(re.findall(r'^(?:msgid |")(.*)"$', entry.split("msgstr")[0], re.M))
        strs = re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', entry, re.M)
        if msgid and (not strs or any(s.strip() == '""' for s in strs)):
            untranslated.append(msgid)
        assert "#, fuzzy" not in entry, msgid
    assert untranslated == []


def test_the_compiled_catalogue_is_shipped_and_used():
    assert (LOCALE / "django.mo").exists()
    po, mo = LOCALE / "django.po", LOCALE / "django.mo"
    assert mo.stat().st_size > 1000
    with translation.override("nl"):
        assert translation.gettext("My files") == "Mijn dossiers"
        assert translation.gettext("information requested") == "informatie gevraagd"
    with translation.override("en"):
        assert translation.gettext("My files") == "My files"
    assert po.exists()


@pytest.mark.django_db
def test_status_labels_follow_the_language(make_application):
    app = make_application("draft")
    with translation.override("nl"):
        assert app.get_status_display() == "ontwerp"
    with translation.override("en"):
        assert app.get_status_display() == "draft"
