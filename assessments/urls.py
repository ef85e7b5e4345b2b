"""Learner URLs (mounted at /learn/ by the site): quizzes, then the certificate domain's."""

from django.urls import path

import courses.converters  # noqa: F401  (registers the "id" converter)

from . import views
from .certificates.urls import learner_patterns as certificate_patterns

app_name = "assessments"

urlpatterns = [
    path("quizzes/<id:quiz_id>/", views.quiz_detail, name="quiz"),
    path("quizzes/<id:quiz_id>/start/", views.quiz_start, name="start"),
    path("quizzes/attempts/<id:attempt_id>/", views.attempt_take, name="attempt"),
    path(
        "quizzes/attempts/<id:attempt_id>/save/",
        views.attempt_save,
        name="attempt_save",
    ),
    path(
        "quizzes/attempts/<id:attempt_id>/result/", views.attempt_result, name="result"
    ),
    *certificate_patterns,
]
