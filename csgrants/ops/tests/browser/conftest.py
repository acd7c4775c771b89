# The web UI's browser fixtures (system Chromium, Playwright), shared rather than copied.
from csgrants.web.tests.browser.conftest import chromium  # noqa: F401
