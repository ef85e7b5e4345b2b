"""Learner-facing views: thin wrappers around services and selectors."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from wagtail.images import get_image_model

from . import access, conf, selectors, services, services_orders
from .forms import LearnerProfileForm
from .hooks import DASHBOARD_LINES, DASHBOARD_STATUS, first_answer, panels
from .memo import remember, rendering
from .models import Cohort, CoursePage, LearnerProfile, Order, TestModeSession
from .payments import InvalidWebhook, PaymentError, get_payment_backend
from .programmes import selectors as programme_selectors
from .programmes import services as programme_services

logger = logging.getLogger(__name__)

MODULE_IMAGE_FILTERS = {"max-960x720", "fill-640x320"}


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _live_course(course_id: int) -> CoursePage:
    return get_object_or_404(CoursePage.objects.live().public(), pk=course_id)


def _profile_prompt(request, course: CoursePage):
    messages.info(
        request,
        _(
            "This course's certificate records %(hours)s, so we need your professional "
            "details for the certificate first. You'll come straight back here."
        )
        % {"hours": course.hours_label},
    )
    return redirect(f"{reverse('courses:profile')}?{urlencode({'next': course.url})}")


@require_POST
def enrol(request, course_id: int):
    """Free courses enrol here; paid courses go on to checkout. A GET never enrols."""
    course = _live_course(course_id)
    if not request.user.is_authenticated:
        return redirect_to_login(course.url)
    if not course.is_free:
        return checkout(request, course_id)
    try:
        services.enrolment_enrol_free(user=request.user, course=course)
    except services.EnrolmentError as error:
        if not services.profile_is_complete(request.user) and course.awards_ce:
            return _profile_prompt(request, course)
        messages.error(request, str(error))
        return redirect(course.url)
    _join_chosen_cohort(request, course)
    messages.success(
        request,
        _("You're enrolled in %(course)s. Start with the first module.")
        % {"course": course.title},
    )
    return redirect(course.url)


def _chosen_cohort(request, course: CoursePage):
    cohort_id = request.POST.get("cohort", "")
    return (
        Cohort.objects.filter(pk=cohort_id, course=course).first()
        if cohort_id.isdigit()
        else None
    )


def _join_chosen_cohort(request, course: CoursePage) -> None:
    cohort = _chosen_cohort(request, course)
    if cohort is not None:
        try:
            programme_services.cohort_join(user=request.user, cohort=cohort)
        except programme_services.ProgrammeError as error:
            messages.warning(
                request,
                _("%(error)s You can study self-paced.") % {"error": error},
            )


@require_POST
def checkout(request, course_id: int):
    course = _live_course(course_id)
    if not request.user.is_authenticated:
        return redirect_to_login(course.url)
    if course.awards_ce and conf.require_profile_for_ce():
        if not services.profile_is_complete(request.user):
            return _profile_prompt(request, course)
    success_url = (
        request.build_absolute_uri(reverse("courses:checkout_success"))
        + "?session_id={CHECKOUT_SESSION_ID}"
    )
    cancel_url = request.build_absolute_uri(
        reverse("courses:checkout_cancel", args=[course.pk])
    )
    try:
        _order, checkout_url = services_orders.checkout_start(
            user=request.user,
            course=course,
            success_url=success_url,
            cancel_url=cancel_url,
        )
        cohort = _chosen_cohort(request, course)
        if (
            cohort is not None
        ):  # fulfilment joins it, through the courses_order_paid hook
            programme_services.order_choose_cohort(order=_order, cohort=cohort)
    except (
        services.EnrolmentError,
        PaymentError,
        programme_services.ProgrammeError,
    ) as error:
        messages.error(request, str(error))
        return redirect(course.url)
    return redirect(checkout_url)


@login_required
@never_cache
@require_GET
def checkout_success(request):
    """Look the session up with the provider; a forged or foreign id grants nothing."""
    session_id = request.GET.get("session_id", "")[:255]
    order = Order.objects.filter(
        checkout_session_id=session_id, user=request.user
    ).first()
    if not session_id or order is None:
        raise Http404("We couldn't find that payment.")
    try:
        session = get_payment_backend().checkout_lookup(session_id)
    except PaymentError:
        messages.warning(
            request,
            _(
                "We couldn't confirm your payment just now. If you paid, your "
                "enrollment will appear within a few minutes."
            ),
        )
        return redirect(order.course.url)
    if session is None:
        raise Http404("We couldn't find that payment.")
    order = services_orders.order_fulfil(session=session) or order
    if order.status == "paid":
        messages.success(
            request,
            _("Payment received. You're enrolled in %(course)s.")
            % {"course": order.course_title},
        )
    else:
        messages.info(
            request,
            _(
                "Your payment is still processing. We'll email you as soon as it clears."
            ),
        )
    return redirect(order.course.url)


@login_required
def checkout_cancel(request, course_id: int):
    course = get_object_or_404(CoursePage, pk=course_id)
    messages.info(request, _("Checkout was cancelled. You have not been charged."))
    return redirect(course.url)


@csrf_exempt
@require_POST
def stripe_webhook(request):
    backend = get_payment_backend()
    try:
        event = backend.webhook_parse(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
    except InvalidWebhook as error:
        logger.warning("Rejected webhook: %s", error)
        return HttpResponseBadRequest("Invalid webhook.")
    try:
        outcome = services_orders.webhook_process(event=event)
    except services_orders.MalformedWebhook as error:
        # Logged for us to look at; a 4xx so the provider marks it failed, not a 500.
        logger.error("Malformed webhook %s (%s): %s", event.id, event.type, error)
        return HttpResponseBadRequest("Malformed event.")
    return HttpResponse(outcome, content_type="text/plain")


def _testmode_record(request, session_id: str) -> TestModeSession:
    if (
        conf.payment_backend_path() != conf.TEST_MODE_BACKEND
        or not conf.allow_test_mode_payments()
    ):
        raise Http404
    return get_object_or_404(
        TestModeSession.objects.select_related("order"),
        session_id=session_id,
        order__user=request.user,
    )


@login_required
@never_cache
def testmode_checkout(request, session_id: str):
    """The local stand-in for Stripe's hosted page: drives the same fulfilment service."""
    record = _testmode_record(request, session_id)
    if request.method == "POST" and record.status == "open":
        if request.POST.get("action") == "pay":
            record.status, record.payment_status = "complete", "paid"
            record.save(update_fields=["status", "payment_status"])
            return redirect(
                record.success_url.replace("{CHECKOUT_SESSION_ID}", session_id)
            )
        record.status = "expired"
        record.save(update_fields=["status"])
        services_orders.order_close(
            session=get_payment_backend().checkout_lookup(session_id), status="expired"
        )
        return redirect(record.cancel_url)
    return render(
        request,
        "courses/testmode_checkout.html",
        {"record": record, "order": record.order},
    )


@login_required
def profile(request):
    instance = LearnerProfile.objects.filter(user=request.user).first()
    form = LearnerProfileForm(
        request.POST if request.method == "POST" else None, instance=instance
    )
    next_url = _safe_next(request, reverse("courses:dashboard"))
    if request.method == "POST" and form.is_valid():
        services.profile_update(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your professional profile is saved."))
        return redirect(next_url)
    return render(
        request,
        "courses/profile.html",
        {"form": form, "next": next_url},
        status=400 if form.errors else 200,
    )


@login_required
def dashboard(request):
    rows = selectors.dashboard_rows(request.user)
    for row in rows:
        # The status and the lines ask the same questions: answer them once per course.
        with rendering(row["course"]):
            remember(
                row["course"], ("progress", request.user.pk), row.pop("module_progress")
            )
            row["panels"] = panels(DASHBOARD_LINES, request, row["course"])
            if row["enrolment"].gives_access:
                row["status"] = (
                    first_answer(DASHBOARD_STATUS, request, row["course"])
                    or row["status"]
                )
    return render(
        request,
        "courses/dashboard.html",
        {"rows": rows, "programme_links": programme_selectors.roles_of(request.user)},
    )


@login_required
def order_list(request):
    orders = Order.objects.filter(user=request.user).select_related("course")
    return render(request, "courses/order_list.html", {"orders": orders})


@login_required
def order_detail(request, reference: str):
    order = get_object_or_404(Order, reference=reference, user=request.user)
    return render(request, "courses/order_detail.html", {"order": order})


def module_image(request, image_id: int, filter_spec: str):
    """Images in module bodies are served through here, so the access rules apply."""
    if filter_spec not in MODULE_IMAGE_FILTERS:
        raise Http404
    image = get_object_or_404(get_image_model(), pk=image_id)
    if not access.may_view_media(request.user, image):
        raise Http404
    rendition = image.get_rendition(filter_spec)
    response = FileResponse(
        rendition.file.open("rb"),
        content_type="image/"
        + (rendition.file.name.rsplit(".", 1)[-1].replace("jpg", "jpeg")),
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response
