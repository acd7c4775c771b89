"""The audit trail and the history in words, with the changed values labelled (issue 21)."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from csgrants.accounts.models import User
from csgrants.applications.models import Application, Status


@pytest.fixture
def demo(db):
    call_command("load_demo")


def test_the_audit_trail_says_who_did_what_in_words(client, demo):
    application = Application.objects.filter(status=Status.APPROVED, imported=False).first()
    client.force_login(User.objects.get(username="reviewer"))
    html = client.get(f"/wachtrij/{application.reference}/").content.decode()
    audit = html[html.index('id="audit-h"') :]
    for code in ("application.create", "enterprise_kind", "ENTERPRISE_NUMBER", ": pass"):
        assert code not in audit
    assert "Maakte het dossier aan" in audit
    assert "Keurde het dossier goed" in audit
    assert "Uitkomst</dt><dd>goedgekeurd" in audit
    assert "Soort onderneming" in audit or "soort onderneming" in audit.lower()
    assert re.search(r"Ondernemingsnummer</dt><dd>[^<]*in orde", audit)
    assert re.search(r"Status</dt><dd>ingediend → goedgekeurd", audit)


def test_the_history_of_an_imported_file_speaks_dutch(client, demo):
    application = Application.objects.filter(imported=True).first()
    client.force_login(User.objects.get(username="reviewer"))
    html = client.get(f"/wachtrij/{application.reference}/").content.decode()
    history = html[html.index('id="history-h"') :]
    assert "history import" not in history and ">imported" not in history
    assert "door de import van de historiek" in history
    assert "overgenomen uit de historiek" in history
