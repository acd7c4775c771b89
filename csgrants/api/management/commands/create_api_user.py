"""`create_api_user USERNAME --role provider --provider CODE`: make (or reuse) an API user and
print a new token as the last line of output. The token is shown only here.

An unknown provider code is refused, naming it, unless `--create-provider "Name"` is given: a
typo must never create a provider (contracts/api.md, "Authentication and roles")."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from csgrants.accounts.models import Role, User
from csgrants.api.tokens import token_create
from csgrants.catalogue.models import ServiceProvider
from csgrants.core.audit import audit_record


class Command(BaseCommand):
    help = "Create an API user if needed and print a new API token (last line of output)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[r.value for r in Role])
        parser.add_argument(
            "--provider", help="Service provider code (required for --role provider)."
        )
        parser.add_argument(
            "--create-provider",
            metavar="NAME",
            help="Create the service provider --provider CODE with this name if it does not exist.",
        )
        parser.add_argument("--token-name", default="", help="A name to recognise the token by.")

    @transaction.atomic
    def handle(self, *args, username, role, provider, create_provider, token_name, **options):
        if role == Role.PROVIDER and not provider:
            raise CommandError("--provider CODE is required for --role provider")
        if role != Role.PROVIDER and provider:
            raise CommandError("--provider is only for --role provider")
        if create_provider is not None and not provider:
            raise CommandError("--create-provider NAME goes with --provider CODE")
        if create_provider is not None and not create_provider.strip():
            raise CommandError("--create-provider needs the provider's name")
        sp = None
        if provider:
            sp = ServiceProvider.objects.filter(code__iexact=provider.strip()).first()
            if sp is None and create_provider is None:
                raise CommandError(
                    f"unknown service provider {provider!r}; to create it, add "
                    f'--create-provider "Name of the provider"'
                )
            if sp is None:
                sp = ServiceProvider.objects.create(
                    code=provider.strip(), name=create_provider.strip()
                )
                audit_record(
                    actor=None,
                    action="provider.create",
                    obj=sp,
                    after={"code": sp.code, "name": sp.name, "by": "create_api_user"},
                )
                self.stdout.write(f"Created service provider {sp.code} ({sp.name}).")
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, role=role, service_provider=sp)
            user.set_unusable_password()  # API-only until someone sets a password
            user.save()
            self.stdout.write(f"Created user {username} ({role}).")
        elif user.role != role or user.service_provider_id != (sp.pk if sp else None):
            raise CommandError(
                f"user {username} exists with role {user.role}"
                + (f" for provider {user.service_provider.code}" if user.service_provider else "")
            )
        token, raw = token_create(actor=None, user=user, name=token_name or "create_api_user")
        self.stdout.write(f"New API token {token.prefix}… for {username}; it is shown only once:")
        self.stdout.write(raw)
