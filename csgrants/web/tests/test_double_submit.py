"""A double click on "Aanvraag indienen" makes one file (issue 20): the form carries a one-time
token, and a provider holds one undecided file per enterprise."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from csgrants.applications.models import Application, Status

from .test_views import new_application_data

pytestmark = pytest.mark.django_db


def token_of(page: str) -> str:
    match = re.search(r'name="submission_token" value="([0-9a-f-]{36})"', page)
    assert match, "the form carries its one-time token"
    return match.group(1)


def test_the_same_form_sent_twice_makes_one_file_and_answers_alike(client, provider_user, tariffs):
    client.force_login(provider_user)
    token = token_of(client.get(reverse("web:new")).content.decode())
    data = new_application_data(submit="1", submission_token=token)
    first = client.post(reverse("web:new"), data)
    second = client.post(reverse("web:new"), data)
    assert first.status_code == second.status_code == 302, second.content.decode()[:2000]
    assert second.url == first.url
    app = Application.objects.get()
    assert first.url == reverse("web:receipt", args=[app.reference])
    assert app.status == Status.AWAITING_CONFIRMATION


def test_each_form_shown_has_its_own_token(client, provider_user, tariffs):
    client.force_login(provider_user)
    one = token_of(client.get(reverse("web:new")).content.decode())
    two = token_of(client.get(reverse("web:new")).content.decode())
    assert one != two


def test_a_new_form_for_an_enterprise_with_an_undecided_file_names_that_file(
    client, provider_user, tariffs
):
    client.force_login(provider_user)
    client.post(reverse("web:new"), new_application_data(submit="1"))
    app = Application.objects.get()
    token = token_of(client.get(reverse("web:new")).content.decode())
    again = client.post(
        reverse("web:new"), new_application_data(submit="1", submission_token=token)
    )
    assert again.status_code == 422
    page = again.content.decode()
    assert app.reference in page and "Uw organisatie heeft al een dossier" in page
    assert Application.objects.count() == 1


def test_a_token_sent_again_for_another_enterprise_files_nothing(client, provider_user, tariffs):
    client.force_login(provider_user)
    token = token_of(client.get(reverse("web:new")).content.decode())
    client.post(reverse("web:new"), new_application_data(save="1", submission_token=token))
    other = client.post(
        reverse("web:new"),
        new_application_data(save="1", submission_token=token, enterprise_number="0202.239.951"),
    )
    assert other.status_code == 422
    assert Application.objects.count() == 1
