from django.core.management.base import BaseCommand, CommandError

from csgrants.demo.loader import load_demo


class Command(BaseCommand):
    help = "Load the demo data (providers, users with password 'demo', files in every status). Idempotent."

    def handle(self, *args, **options):
        try:
            loaded = load_demo(stdout=self.stdout)
        except RuntimeError as exc:
            raise CommandError(str(exc))
        if not loaded:
            self.stdout.write("demo data already loaded")
