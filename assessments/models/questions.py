"""The question bank: reusable questions with options, feedback and a graded reference."""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable

from courses.evidence import EVIDENCE_GRADE_HELP, EVIDENCE_GRADE_SHORT_CHOICES

QUESTION_FEATURES = ["bold", "italic", "ol", "ul", "link"]

# Post-test items carry this tag (and post_test_<module quiz tag>, never the module's own
# quiz tag): module quizzes never draw them, so the post-test measures unseen items.
POST_TEST_TAG = "post_test"


def post_test_tag(quiz_tag: str) -> str:
    """The tag of a module's post-test items, e.g. post_test_screening."""
    return f"{POST_TEST_TAG}_{quiz_tag}"


class QuestionType(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple response")
    TRUE_FALSE = "true_false", _("True / false")
    ORDERING = "ordering", _("Ordering")
    CASE = "case", _("Case-based single choice")


class Scoring(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", _("All or nothing")
    PARTIAL = "partial", _("Partial credit")


class Difficulty(models.TextChoices):
    EASY = "easy", _("Easy")
    MEDIUM = "medium", _("Medium")
    HARD = "hard", _("Hard")


_GRADE_LABELS = dict(EVIDENCE_GRADE_SHORT_CHOICES)


class EvidenceGrade(models.TextChoices):
    """The grades of courses.evidence, where they are defined."""

    HIGH = "H", _GRADE_LABELS["H"]
    MEDIUM = "M", _GRADE_LABELS["M"]
    LOW = "L", _GRADE_LABELS["L"]


class QuestionTag(TaggedItemBase):
    content_object = ParentalKey("assessments.Question", related_name="tagged_items")


def new_question_key() -> str:
    return "q-" + uuid.uuid4().hex[:10]


class Question(ClusterableModel):
    key = models.SlugField(
        max_length=40,
        unique=True,
        default=new_question_key,
        help_text=_(
            "A stable identifier, used when question banks are loaded from files."
        ),
    )
    type = models.CharField(
        max_length=20, choices=QuestionType.choices, default=QuestionType.SINGLE
    )
    scenario = RichTextField(
        blank=True,
        features=QUESTION_FEATURES,
        help_text=_(
            "Case-based questions: the clinical scenario shown above the stem."
        ),
    )
    stem = RichTextField(features=QUESTION_FEATURES)
    scoring = models.CharField(
        max_length=20,
        choices=Scoring.choices,
        default=Scoring.ALL_OR_NOTHING,
        help_text=_(
            "Multiple-response and ordering questions: all or nothing, or partial credit."
        ),
    )
    explanation = RichTextField(
        features=QUESTION_FEATURES, help_text=_("Shown after the attempt is graded.")
    )
    reference_citation = models.CharField(max_length=400)
    reference_url = models.URLField(max_length=500, blank=True)
    reference_grade = models.CharField(
        _("evidence grade"),
        max_length=1,
        choices=EvidenceGrade.choices,
        default=EvidenceGrade.MEDIUM,
        help_text=EVIDENCE_GRADE_HELP,
    )
    tags = ClusterTaggableManager(
        through=QuestionTag,
        blank=True,
        help_text=_(
            "Include the module's quiz tag, e.g. 'screening'. A post-test item instead "
            "carries 'post_test' and 'post_test_<quiz tag>' (e.g. 'post_test_screening') "
            "and never the module's own tag: module quizzes never draw post-test items."
        ),
    )
    difficulty = models.CharField(
        max_length=10, choices=Difficulty.choices, default=Difficulty.MEDIUM
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Retired questions are never drawn again."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldRowPanel(
            [FieldPanel("type"), FieldPanel("difficulty"), FieldPanel("scoring")]
        ),
        FieldPanel("scenario"),
        FieldPanel("stem"),
        InlinePanel(
            "options",
            heading=_("Options"),
            label=_("Option"),
            min_num=2,
            help_text=_(
                "For ordering questions, list the options in the correct order."
            ),
        ),
        FieldPanel("explanation"),
        MultiFieldPanel(
            [
                FieldPanel("reference_citation"),
                FieldPanel("reference_url"),
                FieldPanel("reference_grade"),
            ],
            heading=_("Reference"),
        ),
        FieldRowPanel([FieldPanel("tags"), FieldPanel("is_active")]),
        FieldPanel("key"),
    ]

    class Meta:
        ordering = ["key"]

    def __str__(self):
        from django.utils.html import strip_tags

        return f"{self.key}: {strip_tags(self.stem)[:80]}"

    def clean(self):
        if self.type == QuestionType.CASE and not strip(self.scenario):
            raise ValidationError(
                {"scenario": _("Case-based questions need a scenario.")}
            )

    def validate_options(self, options: list[dict]) -> None:
        """Check the options fit the type; used by the admin form and the loader."""
        correct = sum(1 for option in options if option.get("is_correct"))
        if len(options) < 2:
            raise ValidationError(_("A question needs at least two options."))
        if self.type in (
            QuestionType.SINGLE,
            QuestionType.CASE,
            QuestionType.TRUE_FALSE,
        ):
            if correct != 1:
                raise ValidationError(_("Mark exactly one option as correct."))
        if self.type == QuestionType.TRUE_FALSE and len(options) != 2:
            raise ValidationError(_("True/false questions have exactly two options."))
        if self.type == QuestionType.MULTIPLE and correct < 1:
            raise ValidationError(_("Mark at least one option as correct."))
        if self.type == QuestionType.ORDERING and correct:
            raise ValidationError(
                _(
                    "Ordering questions mark no option correct: the listed order is the answer."
                )
            )


def strip(html: str) -> str:
    from django.utils.html import strip_tags

    return strip_tags(html or "").strip()


class QuestionOption(Orderable):
    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(max_length=500)
    is_correct = models.BooleanField(_("correct"), default=False)
    feedback = models.TextField(
        blank=True, help_text=_("Shown after grading, if chosen.")
    )

    panels = [FieldPanel("text"), FieldPanel("is_correct"), FieldPanel("feedback")]

    def __str__(self):
        return self.text
