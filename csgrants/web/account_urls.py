from django.urls import path

from csgrants.web.views import account as views

app_name = "accounts"
urlpatterns = [
    path("", views.account, name="account"),
    path("wachtwoord/", views.password_change, name="password_change"),
    path("tokens/", views.token_create, name="token_create"),
    path("tokens/<int:pk>/intrekken/", views.token_revoke, name="token_revoke"),
]
