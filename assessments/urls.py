from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path("<int:quiz_id>/", views.quiz_detail, name="quiz"),
    path("<int:quiz_id>/start/", views.quiz_start, name="start"),
    path("attempts/<int:attempt_id>/", views.attempt_take, name="attempt"),
    path("attempts/<int:attempt_id>/save/", views.attempt_save, name="attempt_save"),
    path("attempts/<int:attempt_id>/result/", views.attempt_result, name="result"),
]
