import pytest
from django.core.exceptions import ValidationError

from csgrants.accounts.models import Role, User


@pytest.mark.django_db
def test_superuser_is_an_administrator():
    user = User.objects.create_superuser("root", "root@example.org", "a-long-password-123")
    assert user.role == Role.ADMIN


@pytest.mark.django_db
def test_provider_user_needs_a_provider():
    user = User(username="p", role=Role.PROVIDER)
    with pytest.raises(ValidationError) as exc:
        user.clean()
    assert "service_provider" in exc.value.message_dict
