from django.urls import path

from csgrants.payments import views

app_name = "payments"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("voorbereiden/", views.prepare, name="prepare"),
    path("<int:pk>/", views.batch, name="batch"),
    path("<int:pk>/goedkeuren/", views.approve, name="approve"),
    path("<int:pk>/export/<str:fmt>/", views.export, name="export"),
    path("<int:pk>/antwoord/", views.answer, name="answer"),
    path("rekeningen/", views.accounts, name="accounts"),
    path("rekeningen/voorstellen/", views.account_propose, name="account_propose"),
    path("rekeningen/<int:pk>/beslissen/", views.account_decide, name="account_decide"),
]
