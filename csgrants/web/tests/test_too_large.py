"""A form over DATA_UPLOAD_MAX_MEMORY_SIZE (issue 20, item 7) answers a 413 page in the site's
layout and the user's language, never a 500 or a bare 400; nothing is saved. The API's answer:
api/tests/test_too_large.py."""

from __future__ import annotations

import pytest
from django.test import Client

from csgrants.applications.models import Application

pytestmark = pytest.mark.django_db

THREE_MB = "x" * (3 * 1024 * 1024)


@pytest.mark.parametrize("csrf", [False, True])
def test_a_too_large_form_answers_a_413_page(provider_user, settings, csrf):
    settings.DEBUG = False
    client = Client(enforce_csrf_checks=csrf, raise_request_exception=False)
    client.force_login(provider_user)
    form = client.get("/dossiers/nieuw/")
    token = form.context["csrf_token"] if csrf else ""
    answer = client.post(
        "/dossiers/nieuw/",
        {"csrfmiddlewaretoken": str(token), "enterprise_name": THREE_MB, "postal_code": "9000"},
    )
    html = answer.content.decode()
    assert answer.status_code == 413
    assert "Wat u verstuurde is te groot" in html and "2,5 MB" in html
    assert 'class="site-header"' in html  # the site's page, with its ways back
    assert not Application.objects.exists()
