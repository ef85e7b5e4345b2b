"""Programme views: the organization manager's page, invitations, consultation logs and
reviews, and the facilitator's cohort page. Everything is looked up through the requesting
user (manager, consultant, facilitator or learner), so an id from another organization,
consultant or cohort answers 404."""

import csv

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from .. import services_orders as course_orders
from ..access import has_course_access
from ..models import (
    Consultation,
    CoursePage,
    InvitationStatus,
    LiveSession,
    Order,
    Seat,
    SeatInvitation,
)
from ..payments import PaymentError, get_payment_backend
from . import selectors, services, services_hours
from .forms import BuySeatsForm, ConsultationForm, InviteForm, ReviewForm

REPORT_COLUMNS = [
    ("name", "Name"),
    ("email", "Email"),
    ("course_title", "Course"),
    ("cohort", "Cohort"),
    ("modules_done", "Modules complete"),
    ("modules_total", "Modules"),
    ("percent", "Progress (%)"),
    ("completed", "Completed"),
    ("certificate", "Certificate"),
]


def _organization(request, slug):
    organization = selectors.managed_organization(request.user, slug)
    if organization is None:
        raise Http404
    return organization


def _dashboard_url(organization) -> str:
    return reverse("courses:organization", args=[organization.slug])


@login_required
def organization_dashboard(request, slug):
    organization = _organization(request, slug)
    return render(
        request,
        "courses/programmes/organization.html",
        {
            "organization": organization,
            "summary": selectors.seat_summary(organization),
            "learners": selectors.organization_learners(organization),
            "invitations": selectors.pending_invitations(organization),
            "buy_form": BuySeatsForm(prefix="buy"),
            "invite_form": InviteForm(organization=organization),
        },
    )


@login_required
@require_POST
def organization_buy_seats(request, slug):
    organization = _organization(request, slug)
    form = BuySeatsForm(request.POST, prefix="buy")
    if not form.is_valid():
        messages.error(
            request, _("Choose a course and a number of seats from 1 to 500.")
        )
        return redirect(_dashboard_url(organization))
    success_url = (
        request.build_absolute_uri(
            reverse("courses:organization_seats_success", args=[organization.slug])
        )
        + "?session_id={CHECKOUT_SESSION_ID}"
    )
    try:
        _order, url = services.seats_checkout_start(
            manager=request.user,
            organization=organization,
            course=form.cleaned_data["course"],
            quantity=form.cleaned_data["quantity"],
            success_url=success_url,
            cancel_url=request.build_absolute_uri(_dashboard_url(organization)),
        )
    except (services.ProgrammeError, PaymentError) as error:
        messages.error(request, str(error))
        return redirect(_dashboard_url(organization))
    return redirect(url)


@login_required
@never_cache
@require_GET
def organization_seats_success(request, slug):
    """The provider's session, looked up on the server, goes through the same fulfilment
    as the webhook: whichever comes first creates the seats, once."""
    organization = _organization(request, slug)
    session_id = request.GET.get("session_id", "")[:255]
    order = Order.objects.filter(
        checkout_session_id=session_id, organization=organization
    ).first()
    if not session_id or order is None:
        raise Http404("We couldn't find that payment.")
    try:
        session = get_payment_backend().checkout_lookup(session_id)
    except PaymentError:
        session = None
    order = (session and course_orders.order_fulfil(session=session)) or order
    if order.status == "paid":
        messages.success(
            request,
            _("Payment received. %(quantity)s seats in %(course)s are ready to assign.")
            % {"quantity": order.quantity, "course": order.course_title},
        )
    else:
        messages.info(
            request,
            _(
                "Your payment is still processing. The seats appear here as soon as "
                "it clears."
            ),
        )
    return redirect(_dashboard_url(organization))


@login_required
@require_POST
def organization_invite(request, slug):
    organization = _organization(request, slug)
    form = InviteForm(request.POST, organization=organization)
    if not form.is_valid():
        messages.error(request, _("Enter a valid email address and choose a course."))
        return redirect(_dashboard_url(organization))
    try:
        services.invitation_send(
            manager=request.user,
            organization=organization,
            course=form.cleaned_data["course"],
            email=form.cleaned_data["email"],
            cohort=form.cleaned_data["cohort"],
        )
    except services.ProgrammeError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]},
        )
    return redirect(_dashboard_url(organization))


@login_required
@require_POST
def invitation_withdraw(request, slug, pk):
    organization = _organization(request, slug)
    invitation = get_object_or_404(
        SeatInvitation,
        pk=pk,
        organization=organization,
        status=InvitationStatus.PENDING,
    )
    services.invitation_withdraw(manager=request.user, invitation=invitation)
    messages.success(
        request,
        _("Invitation to %(email)s withdrawn; the seat is free again.")
        % {"email": invitation.email},
    )
    return redirect(_dashboard_url(organization))


@login_required
@require_POST
def seat_reclaim(request, slug, pk):
    organization = _organization(request, slug)
    seat = get_object_or_404(Seat, pk=pk, organization=organization)
    try:
        services.seat_reclaim(
            manager=request.user, seat=seat, reason=request.POST.get("reason", "")
        )
    except services.ProgrammeError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Seat reclaimed. The learner has been told by email.")
        )
    return redirect(_dashboard_url(organization))


@login_required
def organization_report_csv(request, slug):
    organization = _organization(request, slug)
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = (
        f'attachment; filename="{organization.slug}-learners.csv"'
    )
    writer = csv.writer(response)
    writer.writerow([label for _key, label in REPORT_COLUMNS])
    for row in selectors.organization_learners(organization):
        writer.writerow(
            [
                ("yes" if row[key] else "no") if key == "completed" else row[key]
                for key, _label in REPORT_COLUMNS
            ]
        )
    return response


@never_cache
def invitation_accept(request, token):
    invitation = get_object_or_404(
        SeatInvitation.objects.select_related("organization", "seat__course", "cohort"),
        token=token,
    )
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    course = invitation.seat.course
    if request.method == "POST":
        try:
            services.invitation_accept(user=request.user, invitation=invitation)
        except services.ProgrammeError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("You're enrolled in %(course)s through %(organization)s.")
                % {
                    "course": course.title,
                    "organization": invitation.organization.name,
                },
            )
            return redirect(course.url)
    return render(
        request,
        "courses/programmes/invitation.html",
        {"invitation": invitation, "course": course},
    )


# --- Consultation hours -----------------------------------------------------------------


@login_required
def consultations(request, course_id):
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    if not has_course_access(request.user, course):
        raise Http404
    form = ConsultationForm(
        request.POST or None,
        consultants=selectors.consultants().exclude(pk=request.user.pk),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services_hours.consultation_log(
                user=request.user, course=course, **form.cleaned_data
            )
        except services.ProgrammeError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Consultation logged. Your consultant has been asked to approve it."),
            )
            return redirect("courses:consultations", course_id=course.pk)
    approved = selectors.hours(
        selectors.approved_consultation_minutes(request.user, course)
    )
    return render(
        request,
        "courses/programmes/consultations.html",
        {
            "course": course,
            "form": form,
            "entries": selectors.consultations_of(request.user, course),
            "approved_hours": selectors.hours_text(approved),
            "required_hours": selectors.hours_text(course.consultation_hours_required),
        },
        status=400 if form.errors else 200,
    )


@login_required
def consultation_reviews(request):
    if not selectors.is_consultant(request.user):
        raise Http404
    return render(
        request,
        "courses/programmes/consultation_reviews.html",
        {
            "pending": [
                (c, ReviewForm(prefix=f"c{c.pk}"))
                for c in selectors.consultations_to_review(request.user)
            ]
        },
    )


@login_required
@require_POST
def consultation_review(request, pk):
    consultation = get_object_or_404(Consultation, pk=pk, consultant=request.user)
    form = ReviewForm(request.POST, prefix=f"c{pk}")
    if not form.is_valid():
        messages.error(
            request, _("Choose approve or return; a return needs a comment.")
        )
        return redirect("courses:consultation_reviews")
    decide = (
        services_hours.consultation_approve
        if form.cleaned_data["decision"] == "approve"
        else services_hours.consultation_return
    )
    try:
        decide(
            consultant=request.user,
            consultation=consultation,
            comment=form.cleaned_data["comment"],
        )
    except services.ProgrammeError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Your review is saved and the learner has been told.")
        )
    return redirect("courses:consultation_reviews")


# --- Cohorts and attendance ---------------------------------------------------------------


@login_required
def cohort_detail(request, pk):
    cohort = get_object_or_404(selectors.cohorts_for_trainer(request.user), pk=pk)
    sessions = [
        (session, selectors.session_attendance(session))
        for session in cohort.sessions.all()
    ]
    members = list(cohort.members.select_related("user").order_by("user__email"))
    return render(
        request,
        "courses/programmes/cohort.html",
        {
            "cohort": cohort,
            "sessions": [
                (
                    session,
                    [(m.user, attendance.get(m.user_id, 0)) for m in members],
                )
                for session, attendance in sessions
            ],
            "progress": selectors.cohort_progress(cohort),
            "may_take_attendance": services_hours.may_take_attendance(
                request.user, cohort
            ),
        },
    )


@login_required
@require_POST
def attendance_save(request, pk):
    session = get_object_or_404(
        LiveSession.objects.select_related("cohort__course"),
        pk=pk,
        cohort__in=selectors.cohorts_for_trainer(request.user),
    )
    learners = get_user_model().objects.filter(
        cohort_memberships__cohort=session.cohort
    )
    errors = []
    for learner in learners:
        raw = request.POST.get(f"minutes-{learner.pk}")
        if raw is None:
            continue
        try:
            services_hours.attendance_record(
                actor=request.user, session=session, user=learner, minutes=int(raw or 0)
            )
        except (ValueError, services.ProgrammeError) as error:
            errors.append(f"{learner.email}: {error}")
    if errors:
        messages.error(request, " ".join(errors))
    else:
        messages.success(
            request, _("Attendance saved for %(session)s.") % {"session": session.title}
        )
    return redirect("courses:cohort", pk=session.cohort_id)
