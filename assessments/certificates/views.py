"""Evaluation, certificates, transcript and public verification."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from courses.access import has_course_access
from courses.emails import absolute_url
from courses.models import CoursePage, LearnerProfile

from .. import conf
from ..selectors import course_completion
from . import credentials, documents, selectors, services
from .forms import EvaluationResponseForm
from .models import Certificate, CertificateStatus, EvaluationResponse
from .verification import CODE_MAX_LENGTH, lookups_throttled, normalise_code


def _too_many(request):
    response = render(
        request, "assessments/certificates/verify_rate_limited.html", status=429
    )
    response["Retry-After"] = str(conf.verification_rate_limit()[1])
    return response


# --- Evaluation -----------------------------------------------------------------------


@login_required
def evaluation(request, course_id: int):
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    if not has_course_access(request.user, course):
        raise Http404(_("Enroll in the course to evaluate it."))
    existing = EvaluationResponse.objects.filter(
        user=request.user, course=course
    ).first()
    if existing is not None:
        messages.info(
            request, _("You have already submitted the evaluation for this course.")
        )
        return redirect(course.url)
    if not course_completion(request.user, course)["complete"]:
        messages.info(
            request,
            _(
                "The evaluation opens when every module is complete and the post-test "
                "passed."
            ),
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
            messages.success(request, _("Thank you. Your certificate is ready."))
            return redirect("assessments:my_certificates")
        messages.success(request, _("Thank you for your evaluation."))
        return redirect(course.url)
    return render(
        request,
        "assessments/certificates/evaluation.html",
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
        "assessments/certificates/my_certificates.html",
        {"certificates": certificates},
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
    if certificate.is_revoked:
        # Never the stored (valid-looking) file: a copy rendered now, marked REVOKED.
        response = HttpResponse(
            documents.render_certificate_pdf(certificate, revoked=True),
            content_type="application/pdf",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="certificate-{certificate.code}-REVOKED.pdf"'
        )
        response["Cache-Control"] = "private, no-store"
        return response
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
        "assessments/certificates/transcript.html",
        {
            "transcript": selectors.transcript_rows(request.user),
            "cycle": _licence_cycle(request),
        },
    )


def _licence_cycle(request) -> dict | None:
    """Hours in the license cycle the learner asked about (?cycle_start=&cycle_years=)."""
    from datetime import date

    try:
        starts_on = date.fromisoformat(request.GET.get("cycle_start", ""))
        years = int(request.GET.get("cycle_years", "2"))
    except ValueError:
        return None
    if not 1 <= years <= 5:
        return None
    return selectors.transcript_cycle(request.user, starts_on=starts_on, years=years)


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
            "hours",
            "approved for CE credit",
            "certificate code",
            "status",
        ]
    )
    for certificate in rows["certificates"]:
        writer.writerow(
            [
                certificate.completion_date.isoformat(),
                certificate.course_title,
                certificate.credit_type if certificate.ce_approved else "",
                certificate.ce_hours,
                "yes" if certificate.ce_approved else "no",
                certificate.code,
                certificate.public_status,
            ]
        )
    for certificate in rows["revoked"]:
        # Listed, so the learner's records are complete, but with no hours to add up.
        writer.writerow(
            [
                certificate.completion_date.isoformat(),
                certificate.course_title,
                certificate.credit_type,
                "",
                certificate.code,
                certificate.revocation_text,
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
    typed = request.GET.get("code", "")
    if not typed.strip():
        return render(request, "assessments/certificates/verify_form.html")
    code = normalise_code(typed)
    if code is None:
        return render(
            request,
            "assessments/certificates/verify_form.html",
            {
                "error": "A certificate code has only letters and digits. Please check it."
            },
            status=400,
        )
    return redirect("certificates:verify", code=code)


@never_cache
def verify(request, code: str):
    if lookups_throttled(request):
        return _too_many(request)
    normalised = normalise_code(code)
    if normalised is None:
        return render(
            request,
            "assessments/certificates/verify_unknown.html",
            {"code": code},
            status=404,
        )
    certificate = (
        Certificate.objects.filter(code=normalised)
        .only(
            "code",
            "status",
            "learner_name",
            "course_title",
            "completion_date",
            "ce_hours",
            "credit_type",
            "ce_approved",
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
            request,
            "assessments/certificates/verify_unknown.html",
            {"code": code},
            status=404,
        )
    return render(
        request,
        "assessments/certificates/verify.html",
        {
            "certificate": certificate,
            "revoked": certificate.status == CertificateStatus.REVOKED,
        },
    )


def badge(request, code: str):
    """The Open Badges credential as a page a person can read: achievement, criteria,
    issuer, learner and status. Public, like the verification page, and as careful: the
    licence number is masked."""
    if lookups_throttled(request):
        return _too_many(request)
    certificate = (
        Certificate.objects.select_related("course")
        .filter(code=code.strip().upper()[:CODE_MAX_LENGTH])
        .first()
    )
    if certificate is None:
        return render(
            request,
            "assessments/certificates/verify_unknown.html",
            {"code": code},
            status=404,
        )
    base_url = absolute_url("")
    credential = credentials.build_credential(certificate, base_url=base_url)
    return render(
        request,
        "assessments/certificates/badge.html",
        {
            "certificate": certificate,
            "credential": credential,
            "achievement": credential["credentialSubject"]["achievement"],
            "issuer_url": credentials.issuer_id(base_url),
            "status_url": credential["credentialStatus"]["id"],
        },
    )
