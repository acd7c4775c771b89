from django.urls import path

from csgrants.ops import views

app_name = "ops"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("tweestapsverificatie/", views.otp_verify, name="otp-verify"),
    path("tweestapsverificatie/instellen/", views.otp_setup, name="otp-setup"),
]
