"""The certificate administrators' action screens: issue by hand, revoke, reinstate, reissue
and bulk issue. Each calls one service; destructive actions (revoke, bulk issue) first show
a confirmation page that works without JavaScript; every message afterwards says in words
what was done and who was emailed, and nothing else."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from courses.forms import OBJECT_ID, UnreadableInputMixin
from courses.models import CoursePage

from . import jobs, selectors, services
from .models import AuditEvent, BulkIssue, Certificate
from .views_learner_chooser import learner_chooser_viewset, learner_name, learners

TEMPLATES = "assessments/certificates/admin/"


def can_manage(user) -> bool:
    return user.has_perm("assessments.revoke_certificate")


def require_manager(request) -> None:
    if not can_manage(request.user):
        raise PermissionDenied


class ManualIssueForm(UnreadableInputMixin, forms.Form):
    user = forms.ModelChoiceField(
        queryset=learners(),
        widget=learner_chooser_viewset.widget_class(),
        label="Learner",
        help_text="Search by name, email or license number. Staff accounts are not listed.",
    )
    course = forms.ModelChoiceField(queryset=CoursePage.objects.order_by("title"))
    override_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Required when the learner is not yet eligible. Recorded in the audit log.",
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


def emailed_words(certificate: Certificate) -> str:
    """Whether the learner was told, as far as this request knows it (see services)."""
    name = certificate.learner_name
    sent = getattr(certificate, "email_sent", None)
    if sent is True:
        return f"{name} was emailed."
    if sent is False:
        return f"The email to {name} could not be queued: please tell them yourself."
    return f"an email to {name} will follow."


def issue_view(request, *, index_url: str):
    require_manager(request)
    form = ManualIssueForm(request.POST if request.method == "POST" else None)
    eligibility = existing = None
    if request.method == "POST" and form.is_valid():
        user, course = form.cleaned_data["user"], form.cleaned_data["course"]
        try:
            certificate = services.certificate_issue(
                user=user,
                course=course,
                actor=request.user,
                override_reason=form.cleaned_data["override_reason"],
            )
        except services.CertificateAlreadyIssued as error:
            existing = error.certificate
            form.add_error("user", str(error))
        except services.CertificateError as error:
            form.add_error("override_reason", str(error))
            eligibility = selectors.certificate_eligibility(user, course)
        else:
            messages.success(
                request,
                f"Certificate {certificate.code} issued to {certificate.learner_name}; "
                + emailed_words(certificate),
            )
            return redirect(index_url)
    return TemplateResponse(
        request,
        TEMPLATES + "certificate_issue.html",
        {
            "form": form,
            "media": form.media,
            "eligibility": eligibility,
            "existing": existing,
            "index_url": index_url,
        },
        status=400 if form.errors else 200,
    )


ACTIONS = {
    "revoke": (services.certificate_revoke, "revoked"),
    "reissue": (services.certificate_reissue, "reissued"),
    "reinstate": (services.certificate_reinstate, "reinstated"),
}


def manage_view(request, pk: int, *, index_url: str):
    require_manager(request)
    certificate = get_object_or_404(Certificate, pk=pk)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    action = request.POST.get("action")
    if request.method == "POST" and action not in certificate.admin_actions:
        # A stale page or a hand-made request: say what is possible instead of failing later.
        form.add_error(
            None,
            f"This certificate is {certificate.get_status_display().lower()}: "
            f"it cannot be {ACTIONS.get(action, (None, 'changed'))[1]}.",
        )
    elif request.method == "POST" and form.is_valid():
        if action == "revoke" and request.POST.get("confirmed") != "yes":
            return TemplateResponse(
                request,
                TEMPLATES + "certificate_revoke_confirm.html",
                {
                    "certificate": certificate,
                    "reason": form.cleaned_data["reason"],
                    "manage_url": request.path,
                    "index_url": index_url,
                },
            )
        service, done = ACTIONS[action]
        try:
            certificate = service(
                certificate=certificate,
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except services.CertificateError as error:
            form.add_error("reason", str(error))
        else:
            words = f"Certificate {certificate.code} {done}"
            if action == "reissue":
                messages.success(request, f"{words} as version {certificate.version}.")
            else:
                messages.success(request, f"{words}; " + emailed_words(certificate))
            return redirect(request.path)
    return TemplateResponse(
        request,
        TEMPLATES + "certificate_manage.html",
        {
            "certificate": certificate,
            "documents": certificate.documents.all(),
            "events": AuditEvent.objects.filter(certificate_code=certificate.code),
            "form": form,
            "index_url": index_url,
        },
        status=400 if form.errors else 200,
    )


def _names(names: list[str]) -> str:
    return ", ".join(names[:10]) + (
        f" and {len(names) - 10} more" if len(names) > 10 else ""
    )


def bulk_view(request, *, bulk_url: str, index_url: str, progress_url):
    require_manager(request)
    course = None
    course_id = request.POST.get("course") or request.GET.get("course")
    if course_id:
        if not OBJECT_ID.fullmatch(course_id):
            raise Http404("No such course.")
        course = get_object_or_404(CoursePage, pk=course_id)
    candidates = selectors.bulk_issue_candidates(course) if course else None
    if request.method == "POST" and course is not None:
        if request.POST.get("confirmed") != "yes":
            return TemplateResponse(
                request,
                TEMPLATES + "certificate_bulk_confirm.html",
                {
                    "course": course,
                    "eligible": [learner_name(u) for u in candidates["eligible"]],
                    "bulk_url": bulk_url,
                },
            )
        names = [learner_name(user) for user in candidates["eligible"]]
        if not names:
            messages.warning(request, "Nothing was issued: no learner is eligible now.")
            return redirect(f"{bulk_url}?course={course.pk}")
        bulk_issue = jobs.start_bulk_issue(course=course, actor=request.user)
        messages.success(
            request,
            f"Issuing {len(names)} certificate{'' if len(names) == 1 else 's'} for "
            f"{course.title}: {_names(names)}. Each learner is emailed once their "
            "certificate's PDF is ready; this page shows the progress.",
        )
        return redirect(progress_url(bulk_issue.pk))
    return TemplateResponse(
        request,
        TEMPLATES + "certificate_bulk.html",
        {
            "courses": CoursePage.objects.filter(ce_hours__gt=0).order_by("title"),
            "course": course,
            "eligible": [
                {"name": learner_name(user), "email": user.email}
                for user in (candidates["eligible"] if candidates else [])
            ],
            "blocked": [
                {**entry, "name": learner_name(entry["user"])}
                for entry in (candidates["blocked"] if candidates else [])
            ],
            "pending": len(candidates["eligible"]) if candidates else None,
            "index_url": index_url,
            "issue_url": reverse("certificate_records:add"),
            "recent": BulkIssue.objects.filter(course=course)[:5] if course else [],
        },
    )
