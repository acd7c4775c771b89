from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "csgrants.documents"
    label = "documents"
    verbose_name = _("documents")

    def ready(self):
        from csgrants.applications import events
        from csgrants.documents.deminimis import register_listener

        # The de minimis register follows the decisions (applications.events).
        events.subscribe(register_listener)
