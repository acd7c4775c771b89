from django.core.management.base import BaseCommand, CommandError

from csgrants.demo.loader import demo_confirmation_links, load_demo


class Command(BaseCommand):
    help = "Load the demo data (providers, users with password 'demo', files in every status). Idempotent."

    def handle(self, *args, **options):
        try:
            loaded = load_demo(stdout=self.stdout)
        except RuntimeError as exc:
            raise CommandError(str(exc))
        if not loaded:
            self.stdout.write("demo data already loaded")
        # The enterprise's confirmation mails go to the console (EMAIL_BACKEND of the local
        # settings); these are the links of the demo files that still wait for their enterprise.
        links = demo_confirmation_links()
        if links:
            self.stdout.write(
                "Files waiting for their enterprise's confirmation (open without login):"
            )
            for reference, email, link in links:
                self.stdout.write(f"  {reference}  {email}  {link}")
