"""Login throttling (django-axes), the Content-Security-Policy, session expiry and password
strength, as configured in settings/base.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings

PASSWORD = "demo-password-123"


def attempt(client, username, password, ip="192.0.2.10"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.django_db
@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=5)
def test_login_is_locked_after_five_failures_for_that_user_and_address(client, reviewer, analyst):
    for _ in range(4):
        assert attempt(client, "rev", "wrong-password").status_code == 200
    # The fifth failure locks the pair out: 429 with a readable page, and even the right
    # password is refused now.
    assert attempt(client, "rev", "wrong-password").status_code == 429
    locked = attempt(client, "rev", PASSWORD)
    assert locked.status_code == 429
    assert "ops/locked_out.html" in [t.name for t in locked.templates]
    assert not locked.wsgi_request.user.is_authenticated
    # Another user at the same address (an office behind one NAT address) is not locked out,
    # nor is the same user from another address.
    assert attempt(client, "analyst", PASSWORD).status_code == 302
    client.post("/logout/")
    assert attempt(client, "rev", PASSWORD, ip="198.51.100.7").status_code == 302


@pytest.mark.django_db
@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=5)
def test_successful_login_resets_the_failure_count(client, reviewer):
    for _ in range(4):
        attempt(client, "rev", "wrong-password")
    assert attempt(client, "rev", PASSWORD).status_code == 302
    client.post("/logout/")
    for _ in range(4):
        attempt(client, "rev", "wrong-password")
    assert attempt(client, "rev", PASSWORD).status_code == 302


@override_settings(CSGRANTS_TRUSTED_PROXY_COUNT=1)
def test_client_address_behind_one_proxy_is_the_last_forwarded_one(rf):
    from csgrants.ops.security import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9", REMOTE_ADDR="10.0.0.2")
    assert client_ip(request) == "203.0.113.9"  # the client cannot spoof it by prepending


def test_client_address_without_proxy_is_the_peer(rf):
    from csgrants.ops.security import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6", REMOTE_ADDR="10.0.0.2")
    assert client_ip(request) == "10.0.0.2"


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/login/")
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


COMMENTS = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", re.S)
TEMPLATE_DIRS = [Path(__file__).resolve().parents[2]]
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", re.I), "inline <script> body"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"<style[\s>]", re.I), "<style> element"),
    (re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I), "on* event handler attribute"),
    (re.compile(r"\shx-on[:-]", re.I), "hx-on attribute (needs eval)"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_templates_need_nothing_the_policy_forbids():
    """The CSP blocks inline script and style; a template that relies on them breaks silently
    in the browser, so catch it here."""
    found = []
    for root in TEMPLATE_DIRS:
        for path in root.rglob("templates/**/*.html"):
            text = path.read_text(encoding="utf-8")
            # Template comments may name what they avoid; blank them out, keeping line numbers.
            text = COMMENTS.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
            for pattern, what in INLINE:
                for match in pattern.finditer(text):
                    line = text.count("\n", 0, match.start()) + 1
                    found.append(f"{path.relative_to(root.parent)}:{line}: {what}")
    assert not found, "\n".join(found)


def test_sessions_expire(settings):
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True


@pytest.mark.parametrize("weak", ["short1!", "password1234", "123456789012345"])
def test_weak_passwords_are_refused(weak):
    with pytest.raises(ValidationError):
        validate_password(weak)


def test_a_long_uncommon_password_is_accepted():
    validate_password("correct horse battery staple 42")
