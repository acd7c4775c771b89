"""Delete Idempotency-Key answers older than CSGRANTS_IDEMPOTENCY_TTL_HOURS (run daily, e.g. from
cron or the task worker); expired keys are also replaced when a client reuses them."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from csgrants.api.idempotency import ttl
from csgrants.api.models import IdempotencyRecord


class Command(BaseCommand):
    help = "Delete expired Idempotency-Key records."

    def handle(self, *args, **options):
        deleted, _ = IdempotencyRecord.objects.filter(
            created_at__lt=timezone.now() - ttl()
        ).delete()
        self.stdout.write(f"Deleted {deleted} expired idempotency records.")
