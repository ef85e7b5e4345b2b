"""Learner URLs (mounted at /learn/ by the site)."""

from django.urls import path

from . import views, views_certificates, views_credentials

app_name = "assessments"

urlpatterns = [
    path("quizzes/<int:quiz_id>/", views.quiz_detail, name="quiz"),
    path("quizzes/<int:quiz_id>/start/", views.quiz_start, name="start"),
    path("quizzes/attempts/<int:attempt_id>/", views.attempt_take, name="attempt"),
    path(
        "quizzes/attempts/<int:attempt_id>/save/",
        views.attempt_save,
        name="attempt_save",
    ),
    path(
        "quizzes/attempts/<int:attempt_id>/result/", views.attempt_result, name="result"
    ),
    path(
        "evaluation/<int:course_id>/", views_certificates.evaluation, name="evaluation"
    ),
    path("certificates/", views_certificates.my_certificates, name="my_certificates"),
    path(
        "certificates/<str:code>/pdf/",
        views_certificates.certificate_pdf,
        name="certificate_pdf",
    ),
    path(
        "certificates/<str:code>/credential.jwt",
        views_credentials.credential_jwt,
        name="credential_jwt",
    ),
    path(
        "certificates/<str:code>/credential.json",
        views_credentials.credential_json,
        name="credential_json",
    ),
    path("transcript/", views_certificates.transcript, name="transcript"),
    path("transcript.csv", views_certificates.transcript_csv, name="transcript_csv"),
    path("transcript.pdf", views_certificates.transcript_pdf, name="transcript_pdf"),
]
