"""Certificate URLs.

`learner_patterns` join the learner URLs in `assessments.urls` (mounted at /learn/, namespace
"assessments"); `urlpatterns` are the public ones (mounted at /certificates/, namespace
"certificates"): anyone may verify.
"""

from django.urls import path

from . import views, views_credentials

app_name = "certificates"

learner_patterns = [
    path("evaluation/<id:course_id>/", views.evaluation, name="evaluation"),
    path("certificates/", views.my_certificates, name="my_certificates"),
    path(
        "certificates/<str:code>/pdf/",
        views.certificate_pdf,
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
    path("transcript/", views.transcript, name="transcript"),
    path("transcript.csv", views.transcript_csv, name="transcript_csv"),
    path("transcript.pdf", views.transcript_pdf, name="transcript_pdf"),
]

urlpatterns = [
    path("verify/", views.verify_form, name="verify_form"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("badge/<str:code>/", views.badge, name="badge"),
    path("issuer/", views_credentials.issuer_profile, name="issuer"),
    path("status/<str:code>/", views_credentials.credential_status, name="status"),
]
