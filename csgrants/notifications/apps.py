from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "csgrants.notifications"
    label = "notifications"
    verbose_name = _("notifications")

    def ready(self):
        from csgrants.applications import events
        from csgrants.notifications.hooks import notify_after_commit

        # The services announce what happened (applications.events); the mails follow here.
        events.subscribe(notify_after_commit)
