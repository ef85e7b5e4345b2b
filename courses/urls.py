from django.urls import path

import courses.converters  # noqa: F401  (registers the "id" converter)

from . import views
from .programmes.urls import urlpatterns as programme_patterns

app_name = "courses"

urlpatterns = [
    path("enrol/<id:course_id>/", views.enrol, name="enrol"),
    path("checkout/<id:course_id>/", views.checkout, name="checkout"),
    path("checkout/success/", views.checkout_success, name="checkout_success"),
    path(
        "checkout/cancelled/<id:course_id>/",
        views.checkout_cancel,
        name="checkout_cancel",
    ),
    path(
        "checkout/test-mode/<str:session_id>/",
        views.testmode_checkout,
        name="testmode_checkout",
    ),
    path("webhooks/stripe/", views.stripe_webhook, name="stripe_webhook"),
    path("profile/", views.profile, name="profile"),
    path("my-courses/", views.dashboard, name="dashboard"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/<str:reference>/", views.order_detail, name="order_detail"),
    path(
        "media/images/<id:image_id>/<str:filter_spec>/",
        views.module_image,
        name="module_image",
    ),
    *programme_patterns,
]
