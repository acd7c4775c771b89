"""Decision letters: PDF/A-2a for each decision kind in both languages, the same bytes twice,
the stored hash matches, write-once, provider isolation, and the mail naming the letter."""

from __future__ import annotations

import hashlib
import io

import pikepdf
import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from conftest import confirm_amendment, make_user
from csgrants.accounts.models import Role
from csgrants.applications import amendments, services, trajectory
from csgrants.applications.models import Decision
from csgrants.documents.letters import render_letter
from csgrants.documents.models import Letter, LetterJob, LetterKind

MATURITY = {
    f: {
        "documentation_before": 1,
        "implementation_before": 1,
        "documentation_after": 3,
        "implementation_after": 2,
    }
    for f in ("identify", "protect", "detect", "respond", "recover")
}


def pdfa_facts(content: bytes) -> dict:
    with pikepdf.open(io.BytesIO(content)) as pdf:
        meta = pdf.open_metadata()
        return {
            "part": meta.get("pdfaid:part"),
            "conformance": meta.get("pdfaid:conformance"),
            "title": str(meta.get("dc:title") or ""),
            "lang": str(pdf.Root.get("/Lang")),
            "struct_tree": "/StructTreeRoot" in pdf.Root,
            "fonts": {
                str(font.get("/BaseFont"))
                for page in pdf.pages
                for font in page.Resources.get("/Font", {}).values()
            },
            "marked": bool(pdf.Root.get("/MarkInfo", {}).get("/Marked")),
            "text": b"".join(
                page.Contents.read_bytes()
                if not isinstance(page.Contents, pikepdf.Array)
                else b"".join(c.read_bytes() for c in page.Contents)
                for page in pdf.pages
            ),
        }


@pytest.fixture
def run_letters(django_capture_on_commit_callbacks):
    """Run what a service leaves for after its commit (the letter task, then the mail)."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def _decisions_of_every_kind(make_application, reviewer, provider_user, run_letters):
    """One job per decision kind, made through the services."""
    approved = run_letters(make_application, "submitted")
    run_letters(
        services.decision_record,
        actor=reviewer,
        application=approved,
        outcome=Decision.Outcome.APPROVED,
    )
    rejected = make_application("submitted")
    run_letters(
        services.decision_record,
        actor=reviewer,
        application=rejected,
        outcome=Decision.Outcome.REJECTED,
        reasons=["NOT_SME", "DE_MINIMIS_CEILING"],
        note="Zie de jaarrekening 2025.",
    )
    stopped = run_letters(make_application, "approved")
    run_letters(services.application_stop, actor=reviewer, application=stopped, reasons=["NOT_SME"])
    amended = run_letters(make_application, "in_progress")
    amendment = amendments.amendment_request(
        actor=provider_user,
        application=amended,
        kind="extension",
        package="EXTENSION",
        extra_cost_eur="3000",
    )
    confirm_amendment(amendment)
    run_letters(
        amendments.amendment_decide, actor=reviewer, amendment=amendment, outcome="approved"
    )
    trajectory.final_report_submit(
        actor=provider_user,
        application=amended,
        work_delivered="Alles geleverd.",
        actual_cost_eur="25000",
        maturity=MATURITY,
        made_progress=True,
        keep_investing=True,
        satisfaction_score=5,
    )
    trajectory.final_report_accept(actor=reviewer, application=amended)
    run_letters(trajectory.payment_record, actor=reviewer, application=amended)
    return {job.kind: job for job in LetterJob.objects.order_by("id")}


@pytest.mark.django_db
def test_every_decision_kind_in_both_languages_is_pdfa_2a(
    make_application, reviewer, provider_user, run_letters, funded
):
    jobs = _decisions_of_every_kind(make_application, reviewer, provider_user, run_letters)
    assert set(jobs) == set(LetterKind.values)
    for kind, job in jobs.items():
        assert job.status == LetterJob.JobStatus.DONE, (kind, job.last_error)
        for lang, bcp47 in (("nl", "nl-BE"), ("en", "en")):
            first = render_letter(job, lang)
            facts = pdfa_facts(first.content)
            assert facts["part"] == "2" and facts["conformance"] == "A", kind
            assert facts["lang"] == bcp47
            assert facts["struct_tree"] and facts["marked"]
            # Only the font shipped with csgrants (its @font-face name), never a machine font.
            assert facts["fonts"] and all("CSG-Letter" in f for f in facts["fonts"]), facts

            assert job.application.reference in facts["title"]
            # The same letter renders to the same bytes.
            assert render_letter(job, lang).content == first.content
    assert {(le.letter_kind, le.language) for le in Letter.objects.all()} >= {
        (k, "nl") for k in LetterKind.values
    }
    for letter in Letter.objects.all():
        content = bytes(letter.content)
        assert hashlib.sha256(content).hexdigest() == letter.sha256
        assert letter.size == len(content)


@pytest.fixture
def approved_with_letter(make_application, reviewer, run_letters, funded, provider_user):
    # A Dutch and an English reader: the letter comes in both languages.
    provider_user.email = "an@provider.example"
    provider_user.save()
    english = make_user("prov-en", Role.PROVIDER, provider_user.service_provider)
    english.email, english.language = "bob@provider.example", "en"
    english.save()
    app = run_letters(make_application, "submitted")
    run_letters(
        services.decision_record, actor=reviewer, application=app, outcome=Decision.Outcome.APPROVED
    )
    return app, Letter.objects.get(application=app, language="nl")


@pytest.mark.django_db
def test_the_decision_mail_names_the_letter_and_its_hash(approved_with_letter):
    app, letter = approved_with_letter
    english = Letter.objects.get(application=app, language="en")
    by_address = {m.to[0]: m.body for m in mail.outbox if app.reference in m.subject}
    assert letter.sha256 in by_address["an@provider.example"]
    assert letter.title in by_address["an@provider.example"]
    assert english.sha256 in by_address["bob@provider.example"]
    assert english.title in by_address["bob@provider.example"]


@pytest.mark.django_db
def test_a_stored_letter_is_never_changed(approved_with_letter):
    _app, letter = approved_with_letter
    letter.title = "changed"
    with pytest.raises(TypeError):
        letter.save()
    with pytest.raises(TypeError):
        letter.delete()
    # Not even by a bulk update that bypasses save(): the database refuses it.
    with pytest.raises(IntegrityError), transaction.atomic():
        Letter.objects.filter(pk=letter.pk).update(sha256="0" * 64)
    assert Letter.objects.get(pk=letter.pk).sha256 == letter.sha256


@pytest.mark.django_db
def test_the_api_lists_and_serves_exactly_the_stored_bytes(
    approved_with_letter, provider_user, client
):
    app, letter = approved_with_letter
    client.force_login(provider_user)
    listing = client.get(f"/api/v1/applications/{app.reference}/documents/")
    assert listing.status_code == 200
    item = next(i for i in listing.json() if i["id"] == str(letter.pk))
    assert item["id"] == str(letter.pk)
    assert item["kind"] == "decision"
    assert item["sha256"] == letter.sha256
    assert item["replaces"] is None
    assert set(item) >= {"id", "kind", "created_at", "sha256", "replaces", "download"}
    pdf = client.get(item["download"])
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == letter.sha256 == item["sha256"]


@pytest.mark.django_db
def test_another_provider_cannot_read_the_letters(
    approved_with_letter, other_provider_user, reviewer, analyst, client
):
    app, letter = approved_with_letter
    client.force_login(other_provider_user)
    base = f"/api/v1/applications/{app.reference}/documents/"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}{letter.pk}/").status_code == 404
    assert client.get(f"/documenten/{app.reference}/{letter.pk}/").status_code == 404
    for staff in (reviewer, analyst):
        client.force_login(staff)
        assert client.get(f"{base}{letter.pk}/").content == bytes(letter.content)


@pytest.mark.django_db
def test_the_file_pages_link_the_letter(approved_with_letter, provider_user, reviewer, client):
    app, letter = approved_with_letter
    link = f"/documenten/{app.reference}/{letter.pk}/"
    for user, page in (
        (provider_user, f"/dossiers/{app.reference}/"),
        (reviewer, f"/wachtrij/{app.reference}/"),
    ):
        client.force_login(user)
        html = client.get(page).content.decode()
        assert link in html and letter.sha256 in html
        assert client.get(link).content == bytes(letter.content)


@pytest.mark.django_db
def test_a_correction_is_a_new_letter_naming_the_old_one(
    approved_with_letter, reviewer, run_letters, client
):
    app, letter = approved_with_letter
    client.force_login(reviewer)
    with_callbacks = run_letters(
        client.post,
        f"/documenten/{app.reference}/{letter.pk}/verbeteren/",
        {"note": "Het bedrag stond verkeerd."},
    )
    assert with_callbacks.status_code == 302
    correction = Letter.objects.get(replaces=letter)
    assert correction.sha256 != letter.sha256
    assert Letter.objects.get(pk=letter.pk).sha256 == letter.sha256  # the old one unchanged
    listing = client.get(f"/api/v1/applications/{app.reference}/documents/").json()
    assert [i["replaces"] for i in listing if i["language"] == "nl"] == [None, str(letter.pk)]


@pytest.mark.django_db
def test_a_failed_rendering_never_undoes_the_decision_and_is_retried(
    make_application, reviewer, run_letters, funded, monkeypatch, client
):
    from csgrants.documents import services as letter_services

    def broken(job, lang):
        raise RuntimeError("pango went away")

    monkeypatch.setattr(letter_services, "render_letter", broken)
    app = run_letters(make_application, "submitted")
    run_letters(
        services.decision_record, actor=reviewer, application=app, outcome=Decision.Outcome.APPROVED
    )
    app.refresh_from_db()
    assert app.status == "approved"
    job = LetterJob.objects.get(application=app)
    assert job.status == LetterJob.JobStatus.PENDING and job.attempts == 1
    assert "pango went away" in job.last_error
    client.force_login(reviewer)
    assert app.reference in client.get("/documenten/").content.decode()
    monkeypatch.undo()
    run_letters(client.post, f"/documenten/opnieuw/{job.pk}/")
    job.refresh_from_db()
    assert job.status == LetterJob.JobStatus.DONE
    assert Letter.objects.filter(application=app).count() == 1
