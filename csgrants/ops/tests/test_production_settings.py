"""Production settings: Django's deploy check passes without a warning, and the app refuses to
start with a missing secret, DEBUG on or SQLite. Each case runs in a fresh interpreter because
the settings module is read once per process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management.utils import get_random_secret_key

ROOT = Path(__file__).resolve().parents[3]


def run_production(args: list[str], **env_overrides: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "CONN_MAX_AGE"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="csgrants.settings.production",
        # A "$" first would once have been read as a variable reference: keep the random key raw.
        SECRET_KEY="$" + get_random_secret_key(),
        # Never connected to: `check --deploy` does not touch the database.
        DATABASE_URL="postgres://csgrants@127.0.0.1:5432/csgrants",
        ALLOWED_HOSTS="subsidies.example.be",
        DEBUG="false",
    )
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_passes_without_warnings():
    result = run_production(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "short-key"}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "django-insecure-" + "x1y2z3" * 10}, "development key"),
        ({"DEBUG": "true"}, "DEBUG must be off"),
        ({"DATABASE_URL": "sqlite:////tmp/csgrants.sqlite3"}, "PostgreSQL"),
    ],
)
def test_production_refuses_to_start_when_unsafe(overrides, message):
    result = run_production(["-c", "import django; django.setup()"], **overrides)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_settings_harden_cookies_and_transport():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, "
        "s.SECURE_SSL_REDIRECT, s.DATABASES['default']['CONN_HEALTH_CHECKS'], s.LOG_FORMAT, "
        "s.CSGRANTS_ALLOW_DEMO_USERS)"
    )
    result = run_production(["-c", code])
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-7:] == [
        "True",
        "True",
        "31536000",
        "True",
        "True",
        "json",
        "False",
    ]


def test_env_example_documents_every_variable_the_settings_read():
    import re

    read = set()
    for path in (ROOT / "csgrants" / "settings").glob("*.py"):
        text = path.read_text()
        read |= set(re.findall(r"env(?:\.[a-z]+)?\(\s*\"([A-Z][A-Z0-9_]+)\"", text))
        read |= set(re.findall(r"os\.environ\.get\(\s*\"([A-Z][A-Z0-9_]+)\"", text))
    documented = set(
        re.findall(r"^#?([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M)
    )
    assert read, "no variables found: the pattern no longer matches the settings"
    assert read - documented == set(), "add these to .env.example (and docs/deployment.md)"


@pytest.mark.parametrize(
    ("url_suffix", "env_value", "expected"),
    [
        ("", None, "60"),  # production keeps connections by default
        ("?conn_max_age=600", None, "600"),  # the URL's own setting is honoured
        ("?conn_max_age=600", "0", "0"),  # and CONN_MAX_AGE wins over it
    ],
)
def test_connection_lifetime_from_environment_then_url_then_default(
    url_suffix, env_value, expected
):
    overrides = {"DATABASE_URL": "postgres://csgrants@127.0.0.1:5432/csgrants" + url_suffix}
    if env_value is not None:
        overrides["CONN_MAX_AGE"] = env_value
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['CONN_MAX_AGE'])"
    )
    result = run_production(["-c", code], **overrides)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == expected


@pytest.mark.parametrize(
    ("flag", "expected"),
    [(None, "True 5"), ("false", "None None")],
)
def test_prepared_statements_on_unless_turned_off(flag, expected):
    """On by default; DATABASE_PREPARED_STATEMENTS=false for a pooler that cannot keep them."""
    overrides = {} if flag is None else {"DATABASE_PREPARED_STATEMENTS": flag}
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "o = s.DATABASES['default']['OPTIONS']; "
        "print(o.get('server_side_binding'), o.get('prepare_threshold'))"
    )
    result = run_production(["-c", code], **overrides)
    assert result.returncode == 0, result.stderr
    assert " ".join(result.stdout.split()[-2:]) == expected
