"""Programme URLs, joined into `courses.urls` (namespace "courses", mounted at /learn/)."""

from django.urls import path

import courses.converters  # noqa: F401  (registers the "id" converter)

from . import views

urlpatterns = [
    path(
        "organizations/<slug:slug>/",
        views.organization_dashboard,
        name="organization",
    ),
    path(
        "organizations/<slug:slug>/seats/buy/",
        views.organization_buy_seats,
        name="organization_buy_seats",
    ),
    path(
        "organizations/<slug:slug>/seats/paid/",
        views.organization_seats_success,
        name="organization_seats_success",
    ),
    path(
        "organizations/<slug:slug>/seats/<id:pk>/reclaim/",
        views.seat_reclaim,
        name="seat_reclaim",
    ),
    path(
        "organizations/<slug:slug>/invite/",
        views.organization_invite,
        name="organization_invite",
    ),
    path(
        "organizations/<slug:slug>/invitations/<id:pk>/withdraw/",
        views.invitation_withdraw,
        name="invitation_withdraw",
    ),
    path(
        "organizations/<slug:slug>/learners.csv",
        views.organization_report_csv,
        name="organization_report_csv",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path(
        "consultations/course/<id:course_id>/",
        views.consultations,
        name="consultations",
    ),
    path(
        "consultations/review/",
        views.consultation_reviews,
        name="consultation_reviews",
    ),
    path(
        "consultations/<id:pk>/review/",
        views.consultation_review,
        name="consultation_review",
    ),
    path("cohorts/<id:pk>/", views.cohort_detail, name="cohort"),
    path(
        "cohorts/sessions/<id:pk>/attendance/",
        views.attendance_save,
        name="attendance_save",
    ),
]
