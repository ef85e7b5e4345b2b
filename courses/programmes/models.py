"""Programme records: organizations and their seats, cohorts, live sessions, consultation
hours, module-release notices and the append-only programme audit log.

Related models are named by string ("courses.Order"), never imported, so `courses.models`
can import this module without a circle.
"""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..append_only import AppendOnlyModel


class Organization(models.Model):
    """A clinic, hospital or training program that buys seats for its clinicians."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")

    def __str__(self):
        return self.name


class OrganizationManager(models.Model):
    """The manager role, scoped to one organization."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="managers"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="managed_organizations",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"], name="one_manager_row_per_user"
            )
        ]
        verbose_name = _("organization manager")

    def __str__(self):
        return f"{self.user} manages {self.organization}"


class SeatStatus(models.TextChoices):
    FREE = "free", _("Free")
    INVITED = "invited", _("Held for an invitation")
    ASSIGNED = "assigned", _("Assigned")
    REFUNDED = "refunded", _("Refunded")


class Seat(models.Model):
    """One paid place in a course. Created once per paid organization order (the
    order's seats are created in its fulfilment transaction; `seat_number` with the order
    is unique, so a second fulfilment cannot add more)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="seats"
    )
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.PROTECT, related_name="+"
    )
    order = models.ForeignKey(
        "courses.Order", on_delete=models.PROTECT, related_name="seats"
    )
    seat_number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=20, choices=SeatStatus.choices, default=SeatStatus.FREE
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organization_seats",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "seat_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "seat_number"], name="one_seat_per_order_number"
            ),
            models.UniqueConstraint(
                fields=["course", "holder"],
                condition=models.Q(status="assigned"),
                name="one_assigned_seat_per_learner_and_course",
            ),
        ]
        indexes = [models.Index(fields=["organization", "course", "status"])]

    def __str__(self):
        return f"{self.organization} · {self.course_id} · seat {self.seat_number}"


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


def new_invitation_token() -> str:
    return secrets.token_urlsafe(24)


class SeatInvitation(models.Model):
    """An emailed invitation that holds one seat until it is accepted or withdrawn."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="invitations")
    cohort = models.ForeignKey(
        "courses.Cohort",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    email = models.EmailField()
    token = models.CharField(max_length=64, unique=True, default=new_invitation_token)
    status = models.CharField(
        max_length=20,
        choices=InvitationStatus.choices,
        default=InvitationStatus.PENDING,
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["seat"],
                condition=models.Q(status="pending"),
                name="one_pending_invitation_per_seat",
            )
        ]

    def __str__(self):
        return f"{self.email} ({self.get_status_display()})"


class Cohort(models.Model):
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.PROTECT, related_name="cohorts"
    )
    name = models.CharField(max_length=120, help_text=_("For example 'Spring 2027'."))
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="facilitated_cohorts",
    )
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Empty for no limit.")
    )
    open_for_enrollment = models.BooleanField(default=True)

    class Meta:
        ordering = ["course", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="cohort_ends_after_it_starts",
            )
        ]

    def __str__(self):
        return f"{self.name} (starts {self.starts_on:%b %-d, %Y})"


class CohortMembership(models.Model):
    """A learner's one cohort in a course; without one, the course is self-paced."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="members")
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="cohort_memberships",
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course"], name="one_cohort_per_learner_and_course"
            )
        ]

    def __str__(self):
        return f"{self.user} in {self.cohort}"


class LiveSession(models.Model):
    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="sessions"
    )
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    time_zone = models.CharField(
        max_length=64,
        default="America/New_York",
        help_text=_("An IANA time zone, e.g. America/Denver; times are shown in it."),
    )
    duration_minutes = models.PositiveIntegerField(
        validators=[MinValueValidator(15), MaxValueValidator(600)]
    )
    join_url = models.URLField(
        max_length=500, help_text=_("Shown only to enrolled learners of this cohort.")
    )

    class Meta:
        ordering = ["starts_at"]

    def __str__(self):
        return f"{self.title} ({self.cohort})"


class LiveAttendance(models.Model):
    session = models.ForeignKey(
        LiveSession, on_delete=models.CASCADE, related_name="attendance"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    minutes_attended = models.PositiveIntegerField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"], name="one_attendance_per_session_and_user"
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.session} · {self.minutes_attended} min"


class ConsultationKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    GROUP = "group", _("Group")


class ConsultationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting the consultant's approval")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned with a comment")


class Consultation(models.Model):
    """One consultation a learner logged; only approved ones count toward a certificate."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consultations"
    )
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.PROTECT, related_name="+"
    )
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField()
    kind = models.CharField(max_length=20, choices=ConsultationKind.choices)
    minutes = models.PositiveIntegerField(
        validators=[MinValueValidator(15), MaxValueValidator(480)]
    )
    reflection = models.TextField(max_length=1500)
    status = models.CharField(
        max_length=20,
        choices=ConsultationStatus.choices,
        default=ConsultationStatus.SUBMITTED,
    )
    reviewer_comment = models.TextField(blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["user", "course", "status"])]

    def __str__(self):
        return f"{self.user} · {self.held_on} · {self.minutes} min"


class ModuleReleaseNotice(models.Model):
    """The 'module is open' email, claimed once per learner and module."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    module = models.ForeignKey(
        "courses.ModulePage", on_delete=models.CASCADE, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "module"], name="one_release_notice_per_module"
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.module}"


class ProgrammeAuditAction(models.TextChoices):
    SEATS_PURCHASED = "seats_purchased", _("Seats purchased")
    SEATS_REFUNDED = "seats_refunded", _("Seats removed by a refund")
    INVITATION_SENT = "invitation_sent", _("Invitation sent")
    INVITATION_WITHDRAWN = "invitation_withdrawn", _("Invitation withdrawn")
    INVITATION_ACCEPTED = "invitation_accepted", _("Invitation accepted")
    SEAT_RECLAIMED = "seat_reclaimed", _("Seat reclaimed")
    COHORT_JOINED = "cohort_joined", _("Joined a cohort")
    ATTENDANCE_RECORDED = "attendance_recorded", _("Attendance recorded")
    ATTENDANCE_CHANGED = "attendance_changed", _("Attendance changed")
    CONSULTATION_LOGGED = "consultation_logged", _("Consultation logged")
    CONSULTATION_APPROVED = "consultation_approved", _("Consultation approved")
    CONSULTATION_RETURNED = "consultation_returned", _("Consultation returned")


class ProgrammeAuditEvent(AppendOnlyModel):
    """Who did what to seats, attendance and consultations. Append-only, as the
    certificate audit log is: the model and queryset refuse edits and deletes, and the
    database refuses them too (triggers in this package's migration). Ids without foreign
    keys, with frozen labels, so deleting anything elsewhere never rewrites history."""

    action = models.CharField(max_length=40, choices=ProgrammeAuditAction.choices)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=255, blank=True)
    subject_user_id = models.BigIntegerField(null=True, blank=True)
    subject_label = models.CharField(max_length=255, blank=True)
    organization_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    course_id = models.BigIntegerField(null=True, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()} · {self.subject_label} · {self.created_at:%Y-%m-%d}"
