from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")


class Attempt(models.Model):
    """One sitting of a quiz. The snapshot is exactly what was shown, answer key included;
    only the server ever reads the key, and later bank edits never change it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    quiz = models.ForeignKey(
        "assessments.Quiz", on_delete=models.PROTECT, related_name="attempts"
    )
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=20, choices=AttemptStatus.choices, default=AttemptStatus.IN_PROGRESS
    )
    snapshot = models.JSONField()
    saved_answers = models.JSONField(default=dict, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(null=True)
    started_at = models.DateTimeField()
    deadline = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    # A learner's record: nothing in the CMS refers to it, so Wagtail's reference index
    # need not be rewritten (inside the write transaction) each time one is saved.
    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "quiz", "number"], name="attempt_number_unique"
            ),
            models.UniqueConstraint(
                fields=["user", "quiz"],
                condition=models.Q(status="in_progress"),
                name="one_open_attempt_per_quiz",
            ),
        ]
        indexes = [models.Index(fields=["quiz", "status"])]

    def __str__(self):
        return f"{self.user} · {self.quiz} · attempt {self.number}"

    @property
    def is_submitted(self) -> bool:
        return self.status == AttemptStatus.SUBMITTED

    @property
    def duration_seconds(self) -> float | None:
        if not self.submitted_at:
            return None
        return (self.submitted_at - self.started_at).total_seconds()


class AttemptGrant(models.Model):
    """An administrator allows one more attempt beyond the quiz's limit, with a reason."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="attempt_grants",
    )
    quiz = models.ForeignKey(
        "assessments.Quiz", on_delete=models.CASCADE, related_name="grants"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    # A learner's record: nothing in the CMS refers to it, so Wagtail's reference index
    # need not be rewritten (inside the write transaction) each time one is saved.
    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Extra attempt for {self.user} on {self.quiz}"
