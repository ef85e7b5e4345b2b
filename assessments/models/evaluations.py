"""The course evaluation every CE course requires before its certificate."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable


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

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course"], name="one_evaluation_per_course"
            )
        ]
        ordering = ["-submitted_at"]

    def __str__(self):
        return f"Evaluation by {self.user} for {self.course}"
