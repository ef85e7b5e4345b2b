from django.urls import path

from . import views

app_name = "courses"

urlpatterns = [
    path("enrol/<int:course_id>/", views.enrol, name="enrol"),
    path("checkout/<int:course_id>/", views.checkout, name="checkout"),
    path("checkout/success/", views.checkout_success, name="checkout_success"),
    path(
        "checkout/cancelled/<int:course_id>/",
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
        "media/images/<int:image_id>/<str:filter_spec>/",
        views.module_image,
        name="module_image",
    ),
]
