from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from csgrants.web.urls_after import after_urlpatterns
from csgrants.web.views import account, common, confirmation, provider, staff, work

# Login, logout and password reset keep Django's global names (login, logout, password_reset...)
# because settings.LOGIN_URL and the auth views look them up without a namespace.
auth_urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "wachtwoord/vergeten/",
        account.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "wachtwoord/verstuurd/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="registration/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "wachtwoord/nieuw/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="registration/password_reset_confirm.html",
            success_url=reverse_lazy("password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "wachtwoord/gewijzigd/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="registration/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]

web_urlpatterns = [
    # provider portal
    path("dossiers/", provider.mine, name="mine"),
    path("dossiers/nieuw/", provider.application_new, name="new"),
    path("dossiers/nieuw/onderneming/", provider.enterprise_lookup, name="enterprise_lookup"),
    path("dossiers/nieuw/subsidie/", provider.subsidy_preview, name="subsidy_preview"),
    path("dossiers/nieuw/rij/<str:kind>/", provider.formset_row, name="formset_row"),
    path("dossiers/<str:reference>/", provider.application_detail, name="application"),
    path("dossiers/<str:reference>/bewerken/", provider.application_edit, name="edit"),
    path("dossiers/<str:reference>/indienen/", provider.application_submit, name="submit"),
    path("dossiers/<str:reference>/ontvangstbewijs/", provider.receipt, name="receipt"),
    path("dossiers/<str:reference>/antwoorden/", provider.answer, name="answer"),
    path("dossiers/<str:reference>/intrekken/", provider.withdraw, name="withdraw"),
    path(
        "dossiers/<str:reference>/bevestiging/opnieuw/",
        provider.confirmation_resend,
        name="confirmation_resend",
    ),
    path(
        "dossiers/<str:reference>/bevestiging/terugnemen/",
        provider.confirmation_recall,
        name="confirmation_recall",
    ),
    # back office
    path("werk/", work.overview, name="work"),
    path("werk/zoeken/", work.search, name="search"),
    path("werk/<slug:slug>/", work.work_list, name="work_list"),
    path("wachtrij/", staff.queue, name="queue"),
    path("wachtrij/brieftekst/", staff.letter_text, name="letter_text"),
    path("wachtrij/<str:reference>/", staff.application_page, name="review"),
    path("wachtrij/<str:reference>/beslissen/", staff.decide, name="decide"),
    path("wachtrij/<str:reference>/stopzetten/", staff.stop, name="stop"),
    path("wachtrij/<str:reference>/controles/", staff.recheck, name="recheck"),
    *after_urlpatterns,
]

# `home` stays global: settings.LOGIN_REDIRECT_URL names it.
urlpatterns = [
    path("", common.home, name="home"),
    *auth_urlpatterns,
    # The enterprise's personal link (no login; notifications build it with this global name).
    path("bevestiging/<str:token>/", confirmation.page, name="confirmation"),
    path(
        "bevestiging/<str:token>/intrekken/",
        confirmation.withdraw,
        name="confirmation_withdraw",
    ),
    path("", include((web_urlpatterns, "web"))),
]
