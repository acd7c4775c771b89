"""`create_api_user USERNAME --role provider --provider CODE`: make (or reuse) an API user and
print a new token as the last line of output. The token is shown only here."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from csgrants.accounts.models import Role, User
from csgrants.api.tokens import token_create
from csgrants.catalogue.models import ServiceProvider


class Command(BaseCommand):
    help = "Create an API user if needed and print a new API token (last line of output)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[r.value for r in Role])
        parser.add_argument(
            "--provider", help="Service provider code (required for --role provider)."
        )
        parser.add_argument("--token-name", default="", help="A name to recognise the token by.")

    @transaction.atomic
    def handle(self, *args, username, role, provider, token_name, **options):
        if role == Role.PROVIDER and not provider:
            raise CommandError("--provider CODE is required for --role provider")
        if role != Role.PROVIDER and provider:
            raise CommandError("--provider is only for --role provider")
        sp = None
        if provider:
            sp, created = ServiceProvider.objects.get_or_create(
                code=provider, defaults={"name": provider}
            )
            if created:
                self.stdout.write(f"Created service provider {provider}.")
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
