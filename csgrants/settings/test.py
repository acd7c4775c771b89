"""pytest: SQLite unless DATABASE_URL is set (CI runs both); fast hashing, in-memory mail,
immediate tasks."""

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CSGRANTS_ALLOW_DEMO_USERS = True
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
ALLOWED_HOSTS = ["*"]
# Login throttling would make tests that log in many times depend on each other; the tests of
# csgrants/ops switch it on where they test it.
AXES_ENABLED = False
# The confirmation page's per-address throttle: the tests of it lower it again.
CSGRANTS_CONFIRMATION_LOOKUPS_PER_MINUTE = 10_000
