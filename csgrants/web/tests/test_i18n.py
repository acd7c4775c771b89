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


def test_the_dutch_catalogue_holds_every_string_of_the_source(tmp_path):
    """Every msgid that `make messages` extracts from the code and the templates is in the Dutch
    catalogue, translated and not fuzzy: a string added without `make messages` fails here."""
    import shutil
    import subprocess
    import sys

    from csgrants.web.tests.po import read

    if shutil.which("xgettext") is None:
        pytest.skip("xgettext (gettext) is not installed")
    root = Path(__file__).resolve().parents[3]
    copy = tmp_path / "repo"
    copy.mkdir()
    shutil.copy(root / "manage.py", copy / "manage.py")
    shutil.copytree(
        root / "csgrants", copy / "csgrants", ignore=shutil.ignore_patterns("__pycache__", "*.mo")
    )
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "nl", "--no-obsolete"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "csgrants.settings.test"},
    )
    extracted = read(copy / "csgrants" / "locale" / "nl" / "LC_MESSAGES" / "django.po")
    shipped = {e.msgid: e for e in read(LOCALE / "django.po")}
    missing = [e.msgid for e in extracted if e.msgid not in shipped]
    bad = [e.msgid for e in extracted if e.untranslated or e.fuzzy]
    assert missing == [], "run `make messages` and translate: " + repr(missing[:20])
    assert bad == [], "untranslated or fuzzy in Dutch: " + repr(bad[:20])


def test_one_tone_the_dutch_catalogue_says_u_never_je():
    from csgrants.web.tests.po import read

    informal = re.compile(r"\b(je|jij|jou|jouw|jezelf)\b", re.I)
    found = [
        (e.msgid, text)
        for e in read(LOCALE / "django.po")
        for text in e.msgstr.values()
        if informal.search(text)
    ]
    assert found == []
