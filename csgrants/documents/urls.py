from django.urls import path

from csgrants.documents import views

app_name = "documents"
urlpatterns = [
    path("", views.board, name="board"),
    path("opnieuw/<int:pk>/", views.retry, name="retry"),
    path("<str:reference>/<uuid:letter_id>/", views.download, name="download"),
    path("<str:reference>/<uuid:letter_id>/verbeteren/", views.correct, name="correct"),
]
