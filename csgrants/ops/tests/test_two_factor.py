"""Two-factor login with a real TOTP code: the test computes RFC 6238 itself from the key the
setup page shows, as an authenticator app would."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import struct

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.test import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "demo-password-123"  # conftest.make_user


def totp(secret_b32: str, at: dt.datetime, step: int = 30, digits: int = 6) -> str:
    key = base64.b32decode(secret_b32.replace(" ", ""))
    counter = int(at.timestamp()) // step
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return str(code).zfill(digits)


def lands_in_app(client) -> bool:
    """The home page (which sends each role to its start page) is reached without a detour
    through the two-factor steps."""
    response = client.get("/", follow=True)
    return response.status_code == 200 and not any(
        "/tweestapsverificatie/" in url for url, _ in response.redirect_chain
    )


def login(client, user):
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, "password login failed"
    return response


START = dt.datetime(2026, 3, 2, 9, 0, 5, tzinfo=dt.UTC)


@pytest.mark.django_db
@override_settings(CSGRANTS_OTP_REQUIRED_ROLES=["reviewer", "admin"])
def test_required_staff_sets_up_totp_then_must_verify_at_each_login(client, reviewer):
    with time_machine.travel(START, tick=False) as traveller:
        login(client, reviewer)
        # Required but not set up: every page leads to the setup step.
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith("/tweestapsverificatie/instellen/")

        page = client.get("/tweestapsverificatie/instellen/?next=/")
        assert page.status_code == 200
        secret = page.context["secret"]
        assert "<svg" in str(page.context["qr_svg"])

        wrong = client.post(
            "/tweestapsverificatie/instellen/", {"otp_token": "000000", "next": "/"}
        )
        assert wrong.status_code == 200
        assert not TOTPDevice.objects.get(user=reviewer).confirmed
        traveller.shift(dt.timedelta(seconds=2))  # after a wrong code, the next waits a moment

        confirm = client.post(
            "/tweestapsverificatie/instellen/", {"otp_token": totp(secret, START), "next": "/"}
        )
        assert confirm.status_code == 302
        assert confirm["Location"] == "/"
        assert TOTPDevice.objects.get(user=reviewer).confirmed
        assert lands_in_app(client)

        # Next login: the password alone is not enough.
        client.post("/logout/")
        traveller.shift(dt.timedelta(minutes=5))
        login(client, reviewer)
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith("/tweestapsverificatie/?next=")
        # The setup page does not reveal the key again to a half-logged-in session.
        assert "secret" not in client.get("/tweestapsverificatie/instellen/").context

        now = START + dt.timedelta(minutes=5, seconds=2)
        stale = totp(secret, now - dt.timedelta(minutes=2))
        assert client.post("/tweestapsverificatie/", {"otp_token": stale}).status_code == 200
        assert not lands_in_app(client)

        traveller.shift(dt.timedelta(seconds=2))
        ok = client.post(
            "/tweestapsverificatie/",
            {"otp_token": totp(secret, now + dt.timedelta(seconds=2)), "next": "/"},
        )
        assert ok.status_code == 302
        assert lands_in_app(client)


@pytest.mark.django_db
def test_two_factor_is_optional_by_default(client, reviewer):
    login(client, reviewer)
    assert lands_in_app(client)


@pytest.mark.django_db
def test_administrator_can_require_it_per_user_with_the_group(client, provider_user):
    Group.objects.get_or_create(name="2fa-required")[0].user_set.add(provider_user)
    login(client, provider_user)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/tweestapsverificatie/instellen/")


@pytest.mark.django_db
def test_user_with_an_app_set_up_is_asked_even_when_not_required(client, analyst):
    TOTPDevice.objects.create(user=analyst, name="app", confirmed=True)
    login(client, analyst)
    assert client.get("/").headers["Location"].startswith("/tweestapsverificatie/")


@pytest.mark.django_db
@override_settings(CSGRANTS_OTP_REQUIRED_ROLES=["admin"])
def test_api_on_an_unverified_session_answers_problem_details(client, admin_user):
    login(client, admin_user)
    response = client.get("/api/v1/schema/")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "OTP_REQUIRED"


@pytest.mark.django_db
def test_next_parameter_cannot_send_the_user_elsewhere(client, reviewer):
    TOTPDevice.objects.create(user=reviewer, name="app", confirmed=True)
    device = TOTPDevice.objects.get(user=reviewer)
    login(client, reviewer)
    from django_otp.oath import totp as otp_totp

    code = str(otp_totp(device.bin_key)).zfill(6)
    response = client.post(
        "/tweestapsverificatie/", {"otp_token": code, "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
