from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "csgrants.core"
    label = "core"
    verbose_name = _("Calendar and audit")

    def ready(self):
        from csgrants.core.models import ClosingDay
        from csgrants.core.reference import read_once_per_request, watch

        read_once_per_request()
        watch(ClosingDay)  # the calendar's closing days (calendar.default_calendar)
