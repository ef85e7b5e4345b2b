"""The certificate domain's records: the course evaluation a certificate requires,
certificates that freeze who, what and how much at issue time, and the append-only audit log."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import dateformat, timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable

from courses.append_only import AppendOnlyModel


def new_verification_code() -> str:
    # 120 random bits: unguessable, and short enough to type from a printed certificate.
    return secrets.token_hex(15).upper()


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    REVOKED = "revoked", _("Revoked")


class Certificate(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates"
    )
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.PROTECT, related_name="certificates"
    )
    code = models.CharField(max_length=40, unique=True, default=new_verification_code)
    status = models.CharField(
        max_length=10,
        choices=CertificateStatus.choices,
        default=CertificateStatus.VALID,
    )
    version = models.PositiveIntegerField(default=1)

    # Frozen at issue (and at each reissue): later profile or course edits never change them.
    learner_name = models.CharField(max_length=200)
    profession = models.CharField(max_length=100, blank=True)
    licence_number = models.CharField(max_length=60, blank=True)
    licence_jurisdiction = models.CharField(max_length=100, blank=True)
    # Licensed, or a pre-licensed trainee with their supervisor and program, in words.
    licensure_status = models.CharField(max_length=300, blank=True)
    course_title = models.CharField(max_length=255)
    completion_date = models.DateField()
    ce_hours = models.DecimalField(_("CE hours"), max_digits=5, decimal_places=2)
    credit_type = models.CharField(max_length=200, blank=True)
    delivery_format = models.CharField(max_length=100, blank=True)
    accreditation_statement = models.TextField(blank=True)
    ce_approved = models.BooleanField(
        default=False,
        help_text="Whether the course was approved for CE credit when this was issued.",
    )
    provider_name = models.CharField(max_length=200)
    programme_hours = models.JSONField(
        default=list,
        blank=True,
        help_text="Typed hour entries frozen at issue: [{type, label, hours}], e.g. "
        "consultation_hours and live_contact_hours.",
    )

    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty when issued automatically (by the system).",
    )
    override_reason = models.TextField(blank=True)
    expires_at = models.DateField(null=True, blank=True)
    expiry_reminder_sent_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoke_reason = models.TextField(blank=True)
    pdf = models.FileField(upload_to="certificates/", blank=True)

    # A learner's record: nothing in the CMS refers to it, so Wagtail's reference index
    # need not be rewritten (inside the write transaction) each time one is saved.
    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course"], name="one_certificate_per_course"
            )
        ]
        permissions = [("revoke_certificate", "Can revoke and reissue certificates")]

    def __str__(self):
        return f"{self.course_title}: {self.learner_name} ({self.code})"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at < timezone.localdate()

    @property
    def is_revoked(self) -> bool:
        return self.status == CertificateStatus.REVOKED

    @property
    def revocation_text(self) -> str:
        """ "Revoked on 30 November 2026: <reason>.", the same words on every page."""
        if not self.is_revoked:
            return ""
        when = (
            " on " + dateformat.format(timezone.localtime(self.revoked_at), "j F Y")
            if self.revoked_at
            else ""
        )
        reason = self.revoke_reason.strip()
        if reason and reason[-1] not in ".!?":
            reason += "."
        return f"Revoked{when}: {reason}" if reason else f"Revoked{when}."

    @property
    def admin_actions(self) -> list[str]:
        """The administrator actions that make sense in this state, nothing else."""
        return ["reinstate"] if self.is_revoked else ["reissue", "revoke"]

    @property
    def public_status(self) -> str:
        if self.status == CertificateStatus.REVOKED:
            return "revoked"
        return "expired" if self.is_expired else "valid"

    @property
    def hours_label(self) -> str:
        from courses.models.pages import hours_label

        return hours_label(self.ce_hours, self.ce_approved)

    @property
    def masked_licence(self) -> str:
        digits = self.licence_number.strip()
        if not digits:
            return ""
        return "•" * max(0, len(digits) - 4) + digits[-4:]


# The certificate fields frozen at issue and into each document version.
FROZEN_FIELDS = [
    "learner_name",
    "profession",
    "licence_number",
    "licence_jurisdiction",
    "licensure_status",
    "course_title",
    "completion_date",
    "ce_hours",
    "credit_type",
    "delivery_format",
    "accreditation_statement",
    "ce_approved",
    "provider_name",
    "programme_hours",
]


class CertificateDocument(models.Model):
    """Every PDF ever issued for a certificate. A reissue supersedes, never deletes."""

    certificate = models.ForeignKey(
        Certificate, on_delete=models.PROTECT, related_name="documents"
    )
    version = models.PositiveIntegerField()
    pdf = models.FileField(upload_to="certificates/")
    frozen = models.JSONField(
        help_text="The certificate's frozen fields for this version."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    # A learner's record: nothing in the CMS refers to it, so Wagtail's reference index
    # need not be rewritten (inside the write transaction) each time one is saved.
    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["certificate", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "version"], name="one_document_per_version"
            )
        ]

    def __str__(self):
        return f"{self.certificate.code} v{self.version}"


class AuditAction(models.TextChoices):
    CERTIFICATE_ISSUED = "certificate_issued", _("Certificate issued")
    CERTIFICATE_ISSUED_OVERRIDE = (
        "certificate_issued_override",
        _("Certificate issued by override"),
    )
    CERTIFICATE_REVOKED = "certificate_revoked", _("Certificate revoked")
    CERTIFICATE_REISSUED = "certificate_reissued", _("Certificate reissued")
    CERTIFICATE_REINSTATED = "certificate_reinstated", _("Certificate reinstated")
    ATTEMPT_GRANTED = "attempt_granted", _("Extra attempt granted")
    EVALUATION_SUBMITTED = "evaluation_submitted", _("Evaluation submitted")


class AuditEvent(AppendOnlyModel):
    """Who did what, when and why. Append-only: the model refuses edits and deletes, and the
    database refuses them too (triggers, see migration 0003). Ids are stored without foreign
    keys, with frozen labels, so deleting anything elsewhere never rewrites history."""

    action = models.CharField(max_length=40, choices=AuditAction.choices)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(
        _("by"), max_length=255, blank=True, help_text="Empty: the system."
    )
    subject_user_id = models.BigIntegerField(null=True, blank=True)
    subject_label = models.CharField(_("learner"), max_length=255, blank=True)
    course_id = models.BigIntegerField(null=True, blank=True)
    course_title = models.CharField(_("course"), max_length=255, blank=True)
    certificate_code = models.CharField(
        _("certificate code"), max_length=40, blank=True, db_index=True
    )
    reason = models.TextField(blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()} · {self.subject_label} · {self.created_at:%Y-%m-%d}"

    @property
    def actor_display(self) -> str:
        return self.actor_label or "system"


class EvaluationForm(ClusterableModel):
    course = models.OneToOneField(
        "courses.CoursePage", on_delete=models.CASCADE, related_name="evaluation_form"
    )
    introduction = models.TextField(
        blank=True,
        default="Your answers are anonymous in reports and help us meet accreditation standards.",
    )

    panels = [
        FieldPanel("course"),
        FieldPanel("introduction"),
        InlinePanel("items", heading=_("Items"), label=_("Item"), min_num=1),
    ]

    def __str__(self):
        return f"Evaluation: {self.course}"


class ItemKind(models.TextChoices):
    LIKERT = "likert", _("Rating from 1 (strongly disagree) to 5 (strongly agree)")
    TEXT = "text", _("Free text")


class EvaluationItem(Orderable):
    form = ParentalKey(EvaluationForm, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(
        max_length=10, choices=ItemKind.choices, default=ItemKind.LIKERT
    )
    text = models.CharField(max_length=300)
    required = models.BooleanField(default=True)

    panels = [FieldPanel("kind"), FieldPanel("text"), FieldPanel("required")]

    def __str__(self):
        return self.text


class EvaluationResponse(models.Model):
    """One per learner per course. Item texts are frozen with the answers for audits."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evaluations"
    )
    course = models.ForeignKey(
        "courses.CoursePage",
        on_delete=models.PROTECT,
        related_name="evaluation_responses",
    )
    answers = models.JSONField(help_text="[{item_id, kind, text, value}]")
    submitted_at = models.DateTimeField(auto_now_add=True)

    # A learner's record: nothing in the CMS refers to it, so Wagtail's reference index
    # need not be rewritten (inside the write transaction) each time one is saved.
    wagtail_reference_index_ignore = True

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course"], name="one_evaluation_per_course"
            )
        ]
        ordering = ["-submitted_at"]

    def __str__(self):
        return f"Evaluation by {self.user} for {self.course}"


class BulkIssue(models.Model):
    """An administrator's "issue to every eligible learner": one task per learner."""

    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Bulk issue for {self.course} at {self.created_at:%Y-%m-%d %H:%M}"


class BulkIssueOutcome(models.TextChoices):
    PENDING = "pending", _("Waiting for the worker")
    ISSUED = "issued", _("Issued")
    ALREADY_ISSUED = "already_issued", _("Already had a certificate")
    NOT_ELIGIBLE = "not_eligible", _("No longer eligible")
    FAILED = "failed", _("Failed")


class BulkIssueItem(models.Model):
    """One learner in a bulk issue, with the id of the task that issues to them."""

    bulk_issue = models.ForeignKey(
        BulkIssue, on_delete=models.CASCADE, related_name="items"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    task_result_id = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(
        max_length=20,
        choices=BulkIssueOutcome.choices,
        default=BulkIssueOutcome.PENDING,
    )
    certificate_code = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["bulk_issue", "user"],
                name="one_item_per_learner_per_bulk_issue",
            )
        ]

    def __str__(self):
        return f"{self.user} in {self.bulk_issue}"
