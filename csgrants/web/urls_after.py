"""URLs of the after-approval screens; included in the `web` namespace by csgrants/web/urls.py."""

from django.urls import path

from csgrants.web.views import after

after_urlpatterns = [
    path("dossiers/<str:reference>/starten/", after.start, name="start"),
    path("dossiers/<str:reference>/wijziging/", after.amend, name="amend"),
    path("dossiers/<str:reference>/eindverslag/", after.final_report, name="final_report"),
    path(
        "wachtrij/<str:reference>/wijziging/<int:amendment_id>/beslissen/",
        after.amendment_decide,
        name="amendment_decide",
    ),
    path(
        "wachtrij/<str:reference>/eindverslag/aanvaarden/",
        after.report_accept,
        name="report_accept",
    ),
    path(
        "wachtrij/<str:reference>/eindverslag/terugsturen/",
        after.report_send_back,
        name="report_send_back",
    ),
]
