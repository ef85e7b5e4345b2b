"""Certificates freeze who, what and how much at issue time; the audit log is append-only."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
    course_title = models.CharField(max_length=255)
    completion_date = models.DateField()
    ce_hours = models.DecimalField(max_digits=5, decimal_places=2)
    credit_type = models.CharField(max_length=200, blank=True)
    delivery_format = models.CharField(max_length=100, blank=True)
    accreditation_statement = models.TextField(blank=True)
    provider_name = models.CharField(max_length=200)

    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty when issued automatically.",
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
    def public_status(self) -> str:
        if self.status == CertificateStatus.REVOKED:
            return "revoked"
        return "expired" if self.is_expired else "valid"

    @property
    def masked_licence(self) -> str:
        digits = self.licence_number.strip()
        if not digits:
            return ""
        return "•" * max(0, len(digits) - 4) + digits[-4:]


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
    ATTEMPT_GRANTED = "attempt_granted", _("Extra attempt granted")
    EVALUATION_SUBMITTED = "evaluation_submitted", _("Evaluation submitted")


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Audit events are append-only.")

    def delete(self):
        raise PermissionError("Audit events are append-only.")


class AuditEvent(models.Model):
    """Who did what, when and why. Append-only: the model refuses edits and deletes, and the
    database refuses them too (triggers, see migration 0003). Ids are stored without foreign
    keys, with frozen labels, so deleting anything elsewhere never rewrites history."""

    action = models.CharField(max_length=40, choices=AuditAction.choices)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(
        max_length=255, blank=True, help_text="Empty: the system."
    )
    subject_user_id = models.BigIntegerField(null=True, blank=True)
    subject_label = models.CharField(max_length=255, blank=True)
    course_id = models.BigIntegerField(null=True, blank=True)
    course_title = models.CharField(max_length=255, blank=True)
    certificate_code = models.CharField(max_length=40, blank=True, db_index=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()} · {self.subject_label} · {self.created_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are append-only.")
