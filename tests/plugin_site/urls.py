from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("learn/", include("courses.urls")),
    path("learn/", include("assessments.urls")),
    path("certificates/", include("assessments.certificates.urls")),
    path("", include(wagtail_urls)),
]
