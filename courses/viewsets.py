"""Wagtail admin screens for enrolments and orders, grouped under "Learning".

Orders are read-only. Enrolments change only through services: the "add" screen enrols a
learner by hand with a reason, and a revoke screen ends access with a reason.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import CreateView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from . import services
from .forms import AdminModelForm, ReasonForm
from .models import Enrolment, EnrolmentStatus, Order


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """Records that are created (through a service) but never edited or deleted here."""

    blocked_actions = {"change", "delete"}

    def user_has_permission(self, user, action):
        if action in self.blocked_actions:
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class NoAddPermissionPolicy(ReadOnlyPermissionPolicy):
    blocked_actions = {"add", "change", "delete"}


class LinkColumn(Column):
    """A column whose cell is a link built from the row, e.g. 'Revoke…'."""

    def __init__(self, name, *, label, url_for, text, **kwargs):
        super().__init__(name, label=label, **kwargs)
        self.url_for = url_for
        self.text = text

    def get_value(self, instance):
        url = self.url_for(instance)
        return format_html('<a href="{}">{}</a>', url, self.text) if url else ""


class EnrolmentGrantForm(AdminModelForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why this learner is enrolled by hand. Recorded in the enrollment history.",
    )

    class Meta:
        model = Enrolment
        fields = ["user", "course"]

    def _post_clean(self):
        # Skip model validation: enrolling someone whose access ended reactivates their one
        # enrolment row, which the service does under a lock. The unique constraint would
        # otherwise reject it here.
        pass


class EnrolmentGrantView(CreateView):
    page_title = "Enroll a learner by hand"

    def save_instance(self):
        data = self.form.cleaned_data
        return services.enrolment_grant(
            user=data["user"],
            course=data["course"],
            actor=self.request.user,
            reason=data["reason"],
        )

    def get_success_message(self, instance):
        return f"{instance.user} is enrolled in {instance.course}."


def revoke_url(enrolment):
    if enrolment.status in (EnrolmentStatus.REVOKED, EnrolmentStatus.REFUNDED):
        return ""
    return reverse("learning_enrolments:revoke", args=[enrolment.pk])


class EnrolmentViewSet(ModelViewSet):
    model = Enrolment
    icon = "user"
    menu_label = "Enrollments"
    url_prefix = "learning/enrolments"
    url_namespace = "learning_enrolments"
    add_view_class = EnrolmentGrantView
    form_fields = ["user", "course"]
    copy_view_enabled = False
    inspect_view_enabled = True
    search_backend_name = None
    search_fields = ["user__email", "user__username", "course__title"]
    list_filter = ["status", "source", "course"]
    list_display = [
        "user",
        "course",
        "status",
        "source",
        "activated_at",
        LinkColumn("revoke", label="Actions", url_for=revoke_url, text="Revoke…"),
    ]
    list_export = [
        "user",
        "user.email",
        "course",
        "status",
        "source",
        "created_at",
        "activated_at",
        "ended_at",
    ]
    export_filename = "enrolments"
    inspect_view_fields = [
        "user",
        "course",
        "status",
        "source",
        "order",
        "created_at",
        "activated_at",
        "ended_at",
    ]

    def get_form_class(self, for_update=False):
        return EnrolmentGrantForm

    def revoke_view(self, request, pk):
        if not self.permission_policy.user_has_permission(request.user, "add"):
            raise PermissionDenied
        enrolment = get_object_or_404(
            Enrolment.objects.select_related("user", "course"), pk=pk
        )
        form = ReasonForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            services.enrolment_revoke(
                enrolment=enrolment,
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
            messages.success(
                request, f"Access revoked for {enrolment.user} in {enrolment.course}."
            )
            return redirect(self.get_url_name("index"))
        return TemplateResponse(
            request,
            "courses/admin/enrolment_revoke.html",
            {
                "enrolment": enrolment,
                "form": form,
                "index_url": reverse(self.get_url_name("index")),
            },
        )

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("revoke/<int:pk>/", self.revoke_view, name="revoke"),
        ]


class OrderViewSet(ModelViewSet):
    model = Order
    icon = "form"
    menu_label = "Orders"
    url_prefix = "learning/orders"
    url_namespace = "learning_orders"
    form_fields = ["status"]  # never shown: the policy blocks add and change
    copy_view_enabled = False
    inspect_view_enabled = True
    search_backend_name = None
    search_fields = [
        "reference",
        "user__email",
        "course_title",
        "checkout_session_id",
        "payment_intent_id",
    ]
    list_filter = ["status", "provider", "currency", "course"]
    # An abandoned checkout reads as such, never as an order at full price.
    list_display = [
        "reference",
        "user",
        "course_title",
        "charged",
        "outcome",
        "created_at",
    ]
    list_export = [
        "reference",
        "user.email",
        "course_title",
        "amount",
        "amount_refunded",
        "currency",
        "status",
        "provider",
        "checkout_session_id",
        "payment_intent_id",
        "created_at",
        "paid_at",
        "refunded_at",
    ]
    export_filename = "orders"


def register_permission_policies():
    register_permission_policy(Enrolment, ReadOnlyPermissionPolicy(Enrolment))
    register_permission_policy(Order, NoAddPermissionPolicy(Order))


class LearningViewSetGroup(ModelViewSetGroup):
    menu_label = "Learning"
    menu_icon = "doc-full-inverse"
    menu_order = 300
    items = (EnrolmentViewSet("learning_enrolments"), OrderViewSet("learning_orders"))


learning_viewset_group = LearningViewSetGroup()
