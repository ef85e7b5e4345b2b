from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EnrolmentStatus(models.TextChoices):
    PENDING = "pending", _("Pending payment")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended (payment disputed)")
    COMPLETED = "completed", _("Completed")
    REVOKED = "revoked", _("Revoked")
    REFUNDED = "refunded", _("Refunded")


# Statuses that give the learner the course content.
ACCESS_STATUSES = (EnrolmentStatus.ACTIVE, EnrolmentStatus.COMPLETED)


class EnrolmentSource(models.TextChoices):
    FREE = "free", _("Free enrollment")
    PURCHASE = "purchase", _("Purchase")
    ADMIN = "admin", _("Enrolled by an administrator")
    ORGANIZATION = "organization", _("Seat from an organization")


class EnrolmentQuerySet(models.QuerySet):
    def with_completed_at(self):
        """Annotate `completed_at`: when the learner completed the course (the latest
        "completed" event), or None. Modules published after that moment are not required
        of them: a learner who completed keeps their completion."""
        completed = EnrolmentEvent.objects.filter(
            enrolment=models.OuterRef("pk"), to_status=EnrolmentStatus.COMPLETED
        ).order_by("-created_at", "-pk")
        return self.annotate(
            completed_at=models.Subquery(completed.values("created_at")[:1])
        )

    def learner_counts(self) -> dict:
        """Learners with access, split into those still in progress and those who
        completed (one query)."""
        completed = models.Exists(
            EnrolmentEvent.objects.filter(
                enrolment=models.OuterRef("pk"), to_status=EnrolmentStatus.COMPLETED
            )
        )
        counts = (
            self.filter(status__in=ACCESS_STATUSES)
            .annotate(has_completed=completed)
            .aggregate(
                completed=models.Count("pk", filter=models.Q(has_completed=True)),
                in_progress=models.Count("pk", filter=models.Q(has_completed=False)),
            )
        )
        return {"in_progress": counts["in_progress"], "completed": counts["completed"]}


class Enrolment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.PROTECT, related_name="enrolments"
    )
    status = models.CharField(
        max_length=20, choices=EnrolmentStatus.choices, default=EnrolmentStatus.PENDING
    )
    source = models.CharField(max_length=20, choices=EnrolmentSource.choices)
    order = models.ForeignKey(
        "courses.Order",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = EnrolmentQuerySet.as_manager()

    # A learner's record: nothing in the CMS refers to it, so Wagtail's reference index
    # need not be rewritten (inside the write transaction) each time one is saved.
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("enrollment")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course"], name="one_enrolment_per_course"
            )
        ]
        indexes = [models.Index(fields=["course", "status"])]

    def __str__(self):
        return f"{self.user} in {self.course} ({self.get_status_display()})"

    @property
    def gives_access(self) -> bool:
        return self.status in ACCESS_STATUSES


class EnrolmentEvent(models.Model):
    """An append-only record of every status change, with who did it and why."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # A learner's record: nothing in the CMS refers to it, so Wagtail's reference index
    # need not be rewritten (inside the write transaction) each time one is saved.
    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.from_status or 'new'} → {self.to_status}"


class ModuleProgress(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="module_progress",
    )
    module = models.ForeignKey(
        "courses.ModulePage", on_delete=models.CASCADE, related_name="progress"
    )
    first_visited_at = models.DateTimeField()
    last_visited_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    # A learner's record: nothing in the CMS refers to it, so Wagtail's reference index
    # need not be rewritten (inside the write transaction) each time one is saved.
    wagtail_reference_index_ignore = True

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "module"], name="one_progress_per_module"
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.module}"
