"""Evaluation, certificates, transcript and public verification."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from courses.access import has_course_access
from courses.models import CoursePage, LearnerProfile

from . import conf, documents, selectors, services
from .forms import EvaluationResponseForm
from .models import Certificate, CertificateStatus, EvaluationResponse

CODE_MAX_LENGTH = 40


def _client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")


def rate_limited(request, scope: str) -> bool:
    """A fixed-window limit per client address, kept in the shared cache."""
    limit, window = conf.verification_rate_limit()
    key = f"ratelimit:{scope}:{_client_address(request)}"
    if cache.add(key, 1, timeout=window):
        return False
    try:
        return cache.incr(key) > limit
    except ValueError:  # the window expired between add and incr
        cache.add(key, 1, timeout=window)
        return False


def _too_many(request):
    response = render(request, "assessments/verify_rate_limited.html", status=429)
    response["Retry-After"] = str(conf.verification_rate_limit()[1])
    return response


# --- Evaluation -----------------------------------------------------------------------


@login_required
def evaluation(request, course_id: int):
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    if not has_course_access(request.user, course):
        raise Http404("Enrol in the course to evaluate it.")
    existing = EvaluationResponse.objects.filter(
        user=request.user, course=course
    ).first()
    if existing is not None:
        messages.info(
            request, "You have already submitted the evaluation for this course."
        )
        return redirect(course.url)
    if not selectors.course_completion(request.user, course)["complete"]:
        messages.info(
            request,
            "The evaluation opens when every module is complete and the post-test passed.",
        )
        return redirect(course.url)
    form_definition = services.evaluation_form_ensure(course=course)
    items = list(form_definition.items.all())
    form = EvaluationResponseForm(
        request.POST if request.method == "POST" else None, items=items
    )
    if request.method == "POST" and form.is_valid():
        services.evaluation_submit(
            user=request.user, course=course, answers=form.answers()
        )
        certificate = Certificate.objects.filter(
            user=request.user, course=course
        ).first()
        if certificate:
            messages.success(request, "Thank you. Your certificate is ready.")
            return redirect("assessments:my_certificates")
        messages.success(request, "Thank you for your evaluation.")
        return redirect(course.url)
    return render(
        request,
        "assessments/evaluation.html",
        {"course": course, "form": form, "introduction": form_definition.introduction},
        status=400 if form.errors else 200,
    )


# --- Certificates ---------------------------------------------------------------------


@login_required
def my_certificates(request):
    certificates = Certificate.objects.filter(user=request.user).select_related(
        "course"
    )
    return render(
        request,
        "assessments/my_certificates.html",
        {
            "certificates": certificates,
            "verify_base": request.build_absolute_uri(
                reverse("certificates:verify_form")
            ),
        },
    )


def _certificate_for(request, code: str) -> Certificate:
    certificate = Certificate.objects.filter(code=code[:CODE_MAX_LENGTH]).first()
    if certificate is None:
        raise Http404
    if certificate.user_id == request.user.pk or request.user.has_perm(
        "assessments.view_certificate"
    ):
        return certificate
    raise Http404  # someone else's certificate does not exist, as far as you can tell


@login_required
def certificate_pdf(request, code: str):
    certificate = _certificate_for(request, code)
    if not certificate.pdf:
        raise Http404("This certificate has no PDF yet.")
    response = FileResponse(
        certificate.pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"certificate-{certificate.code}.pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- Transcript -----------------------------------------------------------------------


def _learner_name(user) -> str:
    profile = LearnerProfile.objects.filter(user=user).first()
    return (
        profile.legal_name if profile else (user.get_full_name() or user.get_username())
    )


@login_required
def transcript(request):
    return render(
        request,
        "assessments/transcript.html",
        {"transcript": selectors.transcript_rows(request.user)},
    )


@login_required
def transcript_csv(request):
    rows = selectors.transcript_rows(request.user)
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="ce-transcript.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "completion date",
            "course",
            "credit type",
            "CE hours",
            "certificate code",
            "status",
        ]
    )
    for certificate in rows["certificates"]:
        writer.writerow(
            [
                certificate.completion_date.isoformat(),
                certificate.course_title,
                certificate.credit_type,
                certificate.ce_hours,
                certificate.code,
                certificate.public_status,
            ]
        )
    return response


@login_required
def transcript_pdf(request):
    pdf = documents.render_transcript_pdf(
        user=request.user,
        transcript=selectors.transcript_rows(request.user),
        learner_name=_learner_name(request.user),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="ce-transcript.pdf"'
    return response


# --- Public verification --------------------------------------------------------------


def verify_form(request):
    code = (
        request.GET.get("code", "").strip().upper().replace(" ", "")[:CODE_MAX_LENGTH]
    )
    if code:
        return redirect("certificates:verify", code=code)
    return render(request, "assessments/verify_form.html")


@never_cache
def verify(request, code: str):
    if rate_limited(request, "verify"):
        return _too_many(request)
    certificate = (
        Certificate.objects.filter(code=code.strip().upper()[:CODE_MAX_LENGTH])
        .only(
            "code",
            "status",
            "learner_name",
            "course_title",
            "completion_date",
            "ce_hours",
            "credit_type",
            "licence_number",
            "licence_jurisdiction",
            "expires_at",
            "revoked_at",
            "issued_at",
            "version",
            "provider_name",
        )
        .first()
    )
    if certificate is None:
        return render(
            request, "assessments/verify_unknown.html", {"code": code}, status=404
        )
    return render(
        request,
        "assessments/verify.html",
        {
            "certificate": certificate,
            "revoked": certificate.status == CertificateStatus.REVOKED,
        },
    )
