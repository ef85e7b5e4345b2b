import re

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from courses.media import serve_media
from home import views as home_views
from training.operations import views as operations_views


def favicon(request):
    # Browsers ask for /favicon.ico whatever the page says; answer from static files.
    return redirect(static("img/favicon.ico"), permanent=True)


def healthz(request):
    """A bare view for load balancers (is the process up?); benchmarks use it as the
    server's ceiling. /readyz/ checks the services a request needs."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("readyz/", operations_views.readyz, name="readyz"),
    # The admin signs in through allauth, so its rate limits cover staff too: no side door.
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="account_login", query_string=True),
        name="wagtailadmin_login_redirect",
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("learn/", include("courses.urls")),
    path("learn/", include("assessments.urls")),
    path("certificates/", include("assessments.certificates.urls")),
    # allauth's sign-in with one change: a lock-out answers 429 (see home.views).
    path("accounts/login/", home_views.LoginView.as_view(), name="account_login"),
    path("accounts/", include("allauth.urls")),
    path("documents/", include(wagtaildocs_urls)),
    path("search/", home_views.search, name="search"),
]

# Uploaded files only through the access rules, in development as in production: never a
# plain static route over MEDIA_ROOT (see courses/media.py).
urlpatterns += [
    re_path(
        rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.+)$",
        serve_media,
        name="media",
    )
]

urlpatterns += [path("", include(wagtail_urls))]
