import pytest
from django.core.management import call_command

from csgrants.accounts.models import User
from csgrants.applications.models import Application, Status
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
def test_demo_is_idempotent_and_refused_in_production(settings):
    call_command("load_demo")
    count = Application.objects.count()
    call_command("load_demo")
    assert Application.objects.count() == count
    settings.CSGRANTS_ALLOW_DEMO_USERS = False
    with pytest.raises(Exception, match="not allowed"):
        call_command("load_demo")
