"""Public certificate URLs (mounted at /certificates/ by the site): anyone may verify."""

from django.urls import path

from . import views_certificates, views_credentials

app_name = "certificates"

urlpatterns = [
    path("verify/", views_certificates.verify_form, name="verify_form"),
    path("verify/<str:code>/", views_certificates.verify, name="verify"),
    path("issuer/", views_credentials.issuer_profile, name="issuer"),
    path("status/<str:code>/", views_credentials.credential_status, name="status"),
]
