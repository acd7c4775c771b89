from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PROVIDER = "provider", _("Service provider user")
    REVIEWER = "reviewer", _("Reviewer")
    BUDGET_MANAGER = "budget_manager", _("Budget manager")
    ANALYST = "analyst", _("Analyst")
    ADMIN = "admin", _("Administrator")


STAFF_ROLES = {Role.REVIEWER, Role.BUDGET_MANAGER, Role.ANALYST, Role.ADMIN}


class CsgrantsUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # A superuser is an administrator, never a provider user without a provider.
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person using csgrants. A provider user belongs to exactly one service provider and sees
    only that provider's files."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.PROVIDER)
    service_provider = models.ForeignKey(
        "catalogue.ServiceProvider",
        verbose_name=_("service provider"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    language = models.CharField(
        _("language"), max_length=5, choices=[("nl", "Nederlands"), ("en", "English")], default="nl"
    )

    objects = CsgrantsUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="provider") | models.Q(service_provider__isnull=False),
                name="provider_user_has_provider",
            )
        ]

    def clean(self):
        super().clean()
        if self.role == Role.PROVIDER and self.service_provider_id is None:
            raise ValidationError(
                {"service_provider": _("A service provider user needs a service provider.")}
            )

    @property
    def effective_role(self) -> str:
        """The role that permissions follow: a superuser acts as administrator (unless it is
        a provider user, which stays confined to its provider)."""
        if self.is_superuser and self.role != Role.PROVIDER:
            return Role.ADMIN
        return self.role

    @property
    def is_provider_user(self) -> bool:
        return self.role == Role.PROVIDER

    @property
    def is_agency_staff(self) -> bool:
        return self.role in STAFF_ROLES
