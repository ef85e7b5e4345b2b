"""Wagtail admin for certificate administrators: certificates, the audit log, evaluations."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permissions import register_permission_policy

from courses.models import CoursePage
from courses.viewsets import LinkColumn, NoAddPermissionPolicy, ReadOnlyPermissionPolicy

from . import selectors, services
from .models import AuditEvent, Certificate, EvaluationForm, EvaluationResponse
from .services.certificates import FROZEN_FIELDS


def can_manage(user) -> bool:
    return user.has_perm("assessments.revoke_certificate")


class ManualIssueForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=get_user_model().objects.order_by("email"), label="Learner"
    )
    course = forms.ModelChoiceField(queryset=CoursePage.objects.order_by("title"))
    override_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Required when the learner is not yet eligible. Recorded in the audit log.",
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class CertificateViewSet(ModelViewSet):
    model = Certificate
    icon = "doc-full"
    menu_label = "Certificates"
    url_prefix = "certificates/records"
    url_namespace = "certificate_records"
    form_fields = ["status"]  # never shown: edits go through the services
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_fields = [
        "code",
        "status",
        "version",
        *FROZEN_FIELDS,
        "issued_at",
        "issued_by",
        "override_reason",
        "expires_at",
        "revoked_at",
        "revoked_by",
        "revoke_reason",
    ]
    search_backend_name = None
    search_fields = [
        "code",
        "learner_name",
        "licence_number",
        "user__email",
        "course_title",
    ]
    list_filter = ["status", "course", "issued_at", "expires_at"]
    list_display = [
        "learner_name",
        "course_title",
        "code",
        "status",
        "issued_at",
        LinkColumn(
            "actions",
            label="Actions",
            url_for=lambda c: reverse("certificate_records:manage", args=[c.pk]),
            text="Revoke or reissue…",
        ),
    ]
    list_export = [
        "code",
        "learner_name",
        "profession",
        "licence_number",
        "licence_jurisdiction",
        "user.email",
        "course_title",
        "completion_date",
        "ce_hours",
        "credit_type",
        "delivery_format",
        "status",
        "version",
        "issued_at",
        "override_reason",
        "expires_at",
        "revoked_at",
        "revoke_reason",
    ]
    export_filename = "certificates"

    def _require(self, request):
        if not can_manage(request.user):
            raise PermissionDenied

    def issue_view(self, request):
        self._require(request)
        form = ManualIssueForm(request.POST if request.method == "POST" else None)
        eligibility = None
        if request.method == "POST" and form.is_valid():
            user, course = form.cleaned_data["user"], form.cleaned_data["course"]
            try:
                certificate = services.certificate_issue(
                    user=user,
                    course=course,
                    actor=request.user,
                    override_reason=form.cleaned_data["override_reason"],
                )
            except services.CertificateError as error:
                form.add_error("override_reason", str(error))
                eligibility = selectors.certificate_eligibility(user, course)
            else:
                messages.success(
                    request,
                    f"Certificate {certificate.code} issued to {certificate.learner_name}.",
                )
                return redirect(self.get_url_name("index"))
        return TemplateResponse(
            request,
            "assessments/admin/certificate_issue.html",
            {
                "form": form,
                "eligibility": eligibility,
                "index_url": reverse(self.get_url_name("index")),
            },
            status=400 if form.errors else 200,
        )

    def manage_view(self, request, pk):
        self._require(request)
        certificate = get_object_or_404(Certificate, pk=pk)
        form = ReasonForm(request.POST if request.method == "POST" else None)
        action = request.POST.get("action")
        if (
            request.method == "POST"
            and form.is_valid()
            and action in ("revoke", "reissue")
        ):
            service = (
                services.certificate_revoke
                if action == "revoke"
                else services.certificate_reissue
            )
            try:
                service(
                    certificate=certificate,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except services.CertificateError as error:
                form.add_error("reason", str(error))
            else:
                messages.success(
                    request, f"Certificate {certificate.code}: {action} done."
                )
                return redirect(self.get_url_name("index"))
        return TemplateResponse(
            request,
            "assessments/admin/certificate_manage.html",
            {
                "certificate": certificate,
                "documents": certificate.documents.all(),
                "events": AuditEvent.objects.filter(certificate_code=certificate.code),
                "form": form,
                "index_url": reverse(self.get_url_name("index")),
            },
            status=400 if form.errors else 200,
        )

    def bulk_view(self, request):
        self._require(request)
        course = None
        course_id = request.POST.get("course") or request.GET.get("course")
        if course_id:
            course = get_object_or_404(CoursePage, pk=course_id)
        if request.method == "POST" and course is not None:
            result = services.certificate_bulk_issue_batch(
                course=course, actor=request.user
            )
            if request.headers.get("Accept") == "application/json":
                return JsonResponse(result)
            messages.success(
                request,
                f"Issued {result['issued']}; {result['remaining']} still to go.",
            )
            return redirect(f"{reverse(self.get_url_name('bulk'))}?course={course.pk}")
        pending = (
            len(selectors.eligible_without_certificate(course)) if course else None
        )
        return TemplateResponse(
            request,
            "assessments/admin/certificate_bulk.html",
            {
                "courses": CoursePage.objects.filter(ce_hours__gt=0).order_by("title"),
                "course": course,
                "pending": pending,
                "index_url": reverse(self.get_url_name("index")),
            },
        )

    def get_urlpatterns(self):
        # The index's "Add" button leads to the manual issue screen, which uses the service.
        patterns = [p for p in super().get_urlpatterns() if p.name != "add"]
        return patterns + [
            path("new/", self.issue_view, name="add"),
            path("manage/<int:pk>/", self.manage_view, name="manage"),
            path("bulk/", self.bulk_view, name="bulk"),
        ]


class AuditEventViewSet(ModelViewSet):
    model = AuditEvent
    icon = "history"
    menu_label = "Audit log"
    url_prefix = "certificates/audit"
    url_namespace = "certificate_audit"
    form_fields = ["reason"]  # never shown: the policy blocks add, change and delete
    copy_view_enabled = False
    inspect_view_enabled = True
    search_backend_name = None
    search_fields = [
        "certificate_code",
        "subject_label",
        "actor_label",
        "course_title",
        "reason",
    ]
    list_filter = ["action", "created_at"]
    list_display = [
        "created_at",
        "action",
        "actor_label",
        "subject_label",
        "course_title",
        "certificate_code",
        "reason",
    ]
    list_export = [
        "created_at",
        "action",
        "actor_label",
        "subject_label",
        "course_title",
        "certificate_code",
        "reason",
        "data",
    ]
    export_filename = "audit-log"


class EvaluationFormViewSet(ModelViewSet):
    model = EvaluationForm
    icon = "form"
    menu_label = "Evaluation forms"
    url_prefix = "certificates/evaluations"
    url_namespace = "evaluation_forms"
    copy_view_enabled = False
    form_class = WagtailAdminModelForm
    list_display = [
        "course",
        LinkColumn(
            "report",
            label="Report",
            url_for=lambda f: reverse("evaluation_forms:report", args=[f.pk]),
            text="Aggregate report",
        ),
    ]

    def report_view(self, request, pk):
        if not request.user.has_perm("assessments.view_evaluationresponse"):
            raise PermissionDenied
        form = get_object_or_404(EvaluationForm, pk=pk)
        report = selectors.evaluation_report(form)
        if request.GET.get("export") == "csv":
            return evaluation_csv(form)
        return TemplateResponse(
            request,
            "assessments/admin/evaluation_report.html",
            {
                "form": form,
                "report": report,
                "index_url": reverse(self.get_url_name("index")),
            },
        )

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("report/<int:pk>/", self.report_view, name="report"),
        ]


def evaluation_csv(form) -> HttpResponse:
    import csv

    items = list(form.items.all())
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = (
        f'attachment; filename="evaluations-course-{form.course_id}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(["response", "submitted at"] + [item.text for item in items])
    for index, entry in enumerate(
        EvaluationResponse.objects.filter(course=form.course), start=1
    ):
        values = {answer["item_id"]: answer["value"] for answer in entry.answers}
        # Learners are numbered, not named: the report is for accreditor audits.
        writer.writerow(
            [index, entry.submitted_at.isoformat()]
            + [values.get(i.pk, "") for i in items]
        )
    return response


def register_permission_policies():
    # Certificates change only through the issue, revoke and reissue screens.
    register_permission_policy(Certificate, ReadOnlyPermissionPolicy(Certificate))
    register_permission_policy(AuditEvent, NoAddPermissionPolicy(AuditEvent))


class CertificatesViewSetGroup(ModelViewSetGroup):
    menu_label = "Certificates"
    menu_icon = "doc-full"
    menu_order = 320
    items = (
        CertificateViewSet("certificate_records"),
        AuditEventViewSet("certificate_audit"),
        EvaluationFormViewSet("evaluation_forms"),
    )


certificates_viewset_group = CertificatesViewSetGroup()
