"""Wagtail admin screens for programmes, grouped under "Programs": organizations and their
managers, cohorts and live sessions (trainers), and read-only consultation logs and the
programme audit log. Seats, attendance and reviews change only through services, on the
manager's, facilitator's and consultant's own pages."""

from django.urls import reverse
from django.utils.html import format_html
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permissions import register_permission_policy

from ..models import (
    Cohort,
    Consultation,
    LiveSession,
    Organization,
    OrganizationManager,
    ProgrammeAuditEvent,
)
from ..viewsets import NoAddPermissionPolicy


class LinkColumn(Column):
    def __init__(self, name, *, url_for, text, **kwargs):
        super().__init__(name, **kwargs)
        self.url_for, self.text = url_for, text

    def get_value(self, instance):
        return format_html('<a href="{}">{}</a>', self.url_for(instance), self.text)


class OrganizationViewSet(ModelViewSet):
    model = Organization
    icon = "group"
    menu_label = "Organizations"
    url_prefix = "programs/organizations"
    form_fields = ["name", "slug"]
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name"]
    search_backend_name = None
    copy_view_enabled = False


class OrganizationManagerViewSet(ModelViewSet):
    model = OrganizationManager
    icon = "user"
    menu_label = "Organization managers"
    url_prefix = "programs/organization-managers"
    form_fields = ["organization", "user"]
    list_display = ["organization", "user"]
    list_filter = ["organization"]
    copy_view_enabled = False


class CohortViewSet(ModelViewSet):
    model = Cohort
    icon = "date"
    menu_label = "Cohorts"
    url_prefix = "programs/cohorts"
    form_fields = [
        "course",
        "name",
        "starts_on",
        "ends_on",
        "facilitator",
        "capacity",
        "open_for_enrollment",
    ]
    list_filter = ["course"]
    copy_view_enabled = False

    @property
    def list_display(self):
        return [
            "name",
            "course",
            "starts_on",
            "facilitator",
            "capacity",
            LinkColumn(
                "progress",
                label="Progress and attendance",
                url_for=lambda c: reverse("courses:cohort", args=[c.pk]),
                text="Open",
            ),
        ]


class LiveSessionViewSet(ModelViewSet):
    model = LiveSession
    icon = "time"
    menu_label = "Live sessions"
    url_prefix = "programs/live-sessions"
    form_fields = [
        "cohort",
        "title",
        "starts_at",
        "time_zone",
        "duration_minutes",
        "join_url",
    ]
    list_display = ["title", "cohort", "starts_at", "duration_minutes"]
    list_filter = ["cohort"]
    copy_view_enabled = False


class ConsultationViewSet(ModelViewSet):
    model = Consultation
    icon = "clipboard-list"
    menu_label = "Consultation logs"
    url_prefix = "programs/consultations"
    form_fields = ["status"]  # never shown: the policy blocks add and change
    list_display = ["user", "course", "consultant", "held_on", "minutes", "status"]
    list_filter = ["status", "course"]
    inspect_view_enabled = True
    copy_view_enabled = False


class ProgrammeAuditViewSet(ModelViewSet):
    model = ProgrammeAuditEvent
    icon = "history"
    menu_label = "Program audit log"
    url_prefix = "programs/audit"
    form_fields = ["action"]  # never shown: the policy blocks add and change
    list_display = ["created_at", "action", "actor_label", "subject_label", "reason"]
    list_filter = ["action"]
    inspect_view_enabled = True
    copy_view_enabled = False


def register_permission_policies():
    register_permission_policy(Consultation, NoAddPermissionPolicy(Consultation))
    register_permission_policy(
        ProgrammeAuditEvent, NoAddPermissionPolicy(ProgrammeAuditEvent)
    )


class ProgrammesViewSetGroup(ModelViewSetGroup):
    menu_label = "Programs"
    menu_icon = "group"
    menu_order = 310
    items = (
        OrganizationViewSet("programs_organizations"),
        OrganizationManagerViewSet("programs_organization_managers"),
        CohortViewSet("programs_cohorts"),
        LiveSessionViewSet("programs_live_sessions"),
        ConsultationViewSet("programs_consultations"),
        ProgrammeAuditViewSet("programs_audit"),
    )


programmes_viewset_group = ProgrammesViewSetGroup()
