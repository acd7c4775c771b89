from django.urls import path

from csgrants.reporting import views, views_insight

app_name = "reporting"
urlpatterns = [
    path("", views.index, name="dashboard"),
    path("budgetlooptijd/", views_insight.runway_page, name="runway"),
    path("scenario/", views_insight.what_if_page, name="what_if"),
]
