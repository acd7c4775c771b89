from django.urls import path

from csgrants.budgets import views

app_name = "budgets"
urlpatterns = [
    path("", views.index, name="overview"),
]
