from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "csgrants.core"
    label = "core"

    def ready(self):
        from csgrants.core.models import ClosingDay
        from csgrants.core.reference import read_once_per_request, watch

        read_once_per_request()
        watch(ClosingDay)  # the calendar's closing days (calendar.default_calendar)
