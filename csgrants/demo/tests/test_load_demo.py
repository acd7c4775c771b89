import io
import re

import pytest
from django.core.management import call_command

from csgrants.accounts.models import User
from csgrants.applications.models import Application, Confirmation, Status
from csgrants.budgets.selectors import provider_balance
from csgrants.core.models import AuditEvent


@pytest.mark.django_db
def test_demo_has_every_status_and_the_logins(settings):
    call_command("load_demo")
    for username in ["admin", "reviewer", "budget", "analyst", "provider", "provider2"]:
        assert User.objects.get(username=username).check_password("demo")
    assert User.objects.get(username="provider").service_provider.code == "P01"
    assert User.objects.get(username="provider2").service_provider.code == "P02"
    statuses = set(Application.objects.values_list("status", flat=True))
    for status in [
        Status.DRAFT,
        Status.AWAITING_CONFIRMATION,
        Status.SUBMITTED,
        Status.INFO_REQUESTED,
        Status.APPROVED,
        Status.REJECTED,
        Status.IN_PROGRESS,
        Status.WITHDRAWN,
        Status.STOPPED,
    ]:
        assert status in statuses
    provinces = set(Application.objects.exclude(province="").values_list("province", flat=True))
    assert {"BE-VAN", "BE-VLI", "BE-VOV", "BE-VBR", "BE-VWV"} <= provinces
    assert AuditEvent.objects.count() > 50
    for user in User.objects.filter(role="provider"):
        assert provider_balance(user.service_provider).available >= 0


@pytest.mark.django_db
def test_demo_has_every_state_of_the_enterprises_confirmation(client):
    """Files waiting for their enterprise (one in English), one waiting again after a changed
    answer, one whose enterprise withdrew its confirmation, confirmed ones; and load_demo prints
    the open links, which work (their mails went to the console)."""
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    waiting = Application.objects.filter(status=Status.AWAITING_CONFIRMATION)
    assert waiting.count() == 3
    assert waiting.filter(language="en").exists()
    assert waiting.filter(confirmation_requests__reconfirmation=True).exists()
    assert Confirmation.objects.filter(kind=Confirmation.Kind.WITHDRAWN).exists()
    assert Confirmation.objects.filter(kind=Confirmation.Kind.CONFIRMED).count() > 10
    links = re.findall(r"http://\S+(/bevestiging/\S+/)", out.getvalue())
    assert len(links) == 3
    for path in links:
        assert client.get(path).status_code == 200
    again = io.StringIO()
    call_command("load_demo", stdout=again)  # already loaded: still lists the links
    assert "/bevestiging/" in again.getvalue()


@pytest.mark.django_db
def test_demo_is_idempotent_and_refused_in_production(settings):
    call_command("load_demo")
    count = Application.objects.count()
    call_command("load_demo")
    assert Application.objects.count() == count
    settings.CSGRANTS_ALLOW_DEMO_USERS = False
    with pytest.raises(Exception, match="not allowed"):
        call_command("load_demo")
