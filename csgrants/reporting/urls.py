from django.urls import path

from csgrants.reporting import views

app_name = "reporting"
urlpatterns = [
    path("", views.index, name="dashboard"),
]
