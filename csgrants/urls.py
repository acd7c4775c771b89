from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("csgrants.api.urls")),
    path("admin/", admin.site.urls),
    path("statistieken/", include("csgrants.reporting.urls")),
    path("budget/", include("csgrants.budgets.urls")),
    path("", include("csgrants.ops.urls")),
    path("", include("csgrants.web.urls")),
]

# A database outage outside the view, and any error on an API path, must not answer an HTML 500.
handler500 = "csgrants.ops.views.server_error"
