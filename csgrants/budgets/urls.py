from django.urls import path

from csgrants.budgets import views

app_name = "budgets"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("dienstverlener/<int:pk>/", views.provider_detail, name="provider"),
    path("grootboek/", views.ledger, name="ledger"),
    path("aanvulling/", views.top_up, name="top_up"),
    path("raamovereenkomst/nieuw/", views.agreement_new, name="agreement_new"),
    path("reserve/<int:pk>/toewijzen/", views.reserve_assign, name="reserve_assign"),
]
