from django.contrib import admin
from django.urls import include, path

from csgrants.accounts.language import set_language

urlpatterns = [
    # The language switch stores the choice on the user (csgrants/accounts/language.py).
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", include("csgrants.api.urls")),
    path("admin/", admin.site.urls),
    path("mijn-account/", include("csgrants.web.account_urls")),
    path("statistieken/", include("csgrants.reporting.urls")),
    path("budget/", include("csgrants.budgets.urls")),
    path("documenten/", include("csgrants.documents.urls")),
    path("betalingen/", include("csgrants.payments.urls")),
    path("", include("csgrants.ops.urls")),
    path("", include("csgrants.web.urls")),
]

# A database outage outside the view, and any error on an API path, must not answer an HTML 500.
handler500 = "csgrants.web.views.errors.server_error"
# The other error pages in the site's layout and the user's language, with a way back.
handler400 = "csgrants.web.views.errors.bad_request"
handler403 = "csgrants.web.views.errors.permission_denied"
handler404 = "csgrants.web.views.errors.page_not_found"
