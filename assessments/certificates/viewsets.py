"""Wagtail admin for certificate administrators: certificates, the audit log, evaluations."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import InspectView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permissions import register_permission_policy

from courses.forms import AdminModelForm
from courses.viewsets import LinkColumn, NoAddPermissionPolicy, ReadOnlyPermissionPolicy

from . import selectors, services_bulk, views_admin
from .models import (
    FROZEN_FIELDS,
    AuditEvent,
    BulkIssue,
    BulkIssueOutcome,
    Certificate,
    EvaluationForm,
    EvaluationResponse,
)


def _local_time(value) -> str:
    """Exports show "2026-11-30 14:50" in the site's time zone, not microseconds in UTC."""
    if not value:
        return ""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _plain_date(value) -> str:
    return value.isoformat() if value else ""


EXPORT_DATES = {
    field: {"csv": _local_time, "xlsx": _local_time}
    for field in ("issued_at", "revoked_at", "created_at")
} | {
    field: {"csv": _plain_date, "xlsx": None}
    for field in ("completion_date", "expires_at")
}


class ActionsColumn(LinkColumn):
    """Only the actions that apply: a revoked certificate offers Reinstate, nothing else."""

    def get_value(self, instance):
        return format_html(
            '<a href="{}">{}</a>',
            self.url_for(instance),
            "Reinstate…" if instance.is_revoked else "Revoke or reissue…",
        )


class CertificateInspectView(InspectView):
    def get_issued_by_display_value(self):
        return self.object.issued_by or "system (issued automatically)"

    def get_revoked_by_display_value(self):
        return self.object.revoked_by or "–"


class CertificateViewSet(ModelViewSet):
    model = Certificate
    icon = "doc-full"
    menu_label = "Certificates"
    url_prefix = "certificates/records"
    url_namespace = "certificate_records"
    form_fields = ["status"]  # never shown: edits go through the services
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_class = CertificateInspectView
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
        ActionsColumn(
            "actions",
            label="Actions",
            url_for=lambda c: reverse("certificate_records:manage", args=[c.pk]),
            text="",
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
    export_headings = {
        "code": "Certificate code",
        "learner_name": "Learner",
        "licence_number": "Licence number",
        "licence_jurisdiction": "Licence jurisdiction",
        "user.email": "Email",
        "course_title": "Course",
        "completion_date": "Completed on",
        "ce_hours": "CE hours",
        "credit_type": "Credit type",
        "delivery_format": "Delivery format",
        "issued_at": "Issued at",
        "override_reason": "Override reason",
        "expires_at": "Expires on",
        "revoked_at": "Revoked at",
        "revoke_reason": "Revocation reason",
    }
    custom_field_preprocess = EXPORT_DATES
    export_filename = "certificates"

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            custom_field_preprocess=self.custom_field_preprocess, **kwargs
        )

    def issue_view(self, request):
        return views_admin.issue_view(
            request, index_url=reverse(self.get_url_name("index"))
        )

    def manage_view(self, request, pk):
        return views_admin.manage_view(
            request, pk, index_url=reverse(self.get_url_name("index"))
        )

    def bulk_view(self, request):
        return views_admin.bulk_view(
            request,
            bulk_url=reverse(self.get_url_name("bulk")),
            index_url=reverse(self.get_url_name("index")),
            progress_url=lambda pk: reverse(
                self.get_url_name("bulk_progress"), args=[pk]
            ),
        )

    def bulk_progress_view(self, request, pk):
        views_admin.require_manager(request)
        bulk_issue = get_object_or_404(
            BulkIssue.objects.select_related("course"), pk=pk
        )
        progress = services_bulk.bulk_issue_refresh(bulk_issue)
        if request.headers.get("Accept") == "application/json":
            return JsonResponse(progress)
        return TemplateResponse(
            request,
            "assessments/certificates/admin/certificate_bulk_progress.html",
            {
                "bulk_issue": bulk_issue,
                "progress": progress,
                "problems": bulk_issue.items.exclude(
                    outcome__in=[
                        BulkIssueOutcome.PENDING,
                        BulkIssueOutcome.ISSUED,
                        BulkIssueOutcome.ALREADY_ISSUED,
                    ]
                ).select_related("user"),
                "bulk_url": f"{reverse(self.get_url_name('bulk'))}?course={bulk_issue.course_id}",
            },
        )

    def get_urlpatterns(self):
        # The index's "Add" button leads to the manual issue screen, which uses the service.
        patterns = [p for p in super().get_urlpatterns() if p.name != "add"]
        return patterns + [
            path("new/", self.issue_view, name="add"),
            path("manage/<int:pk>/", self.manage_view, name="manage"),
            path("bulk/", self.bulk_view, name="bulk"),
            path("bulk/<int:pk>/", self.bulk_progress_view, name="bulk_progress"),
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
        Column("actor_display", label="By"),
        "subject_label",
        "course_title",
        "certificate_code",
        "reason",
    ]
    list_export = [
        "created_at",
        "get_action_display",
        "actor_display",
        "subject_label",
        "course_title",
        "certificate_code",
        "reason",
        "data",
    ]
    export_headings = {
        "created_at": "When",
        "get_action_display": "Action",
        "actor_display": "By",
        "subject_label": "Learner",
        "course_title": "Course",
        "certificate_code": "Certificate code",
        "reason": "Reason",
        "data": "Details",
    }
    custom_field_preprocess = EXPORT_DATES
    export_filename = "audit-log"

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            custom_field_preprocess=self.custom_field_preprocess, **kwargs
        )


class EvaluationFormViewSet(ModelViewSet):
    model = EvaluationForm
    icon = "form"
    menu_label = "Evaluation forms"
    url_prefix = "certificates/evaluations"
    url_namespace = "evaluation_forms"
    copy_view_enabled = False
    edit_handler = ObjectList(EvaluationForm.panels, base_form_class=AdminModelForm)
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
            "assessments/certificates/admin/evaluation_report.html",
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
