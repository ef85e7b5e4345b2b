from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import ClusterableModel
from taggit.models import Tag
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel


class QuizKind(models.TextChoices):
    MODULE = "module", _("Module quiz")
    POST_TEST = "post_test", _("Final post-test")


class FeedbackMode(models.TextChoices):
    KEY_AFTER_PASS = (
        "key_after_pass",
        _("Feedback now; answers to missed items after passing (or the final attempt)"),
    )
    AFTER_EACH = "after_each", _("Full feedback after each attempt")
    AFTER_FINAL = "after_final", _("Full feedback after passing or the final attempt")
    SCORE_ONLY = "score_only", _("Score only")


class Quiz(ClusterableModel):
    title = models.CharField(max_length=200)
    kind = models.CharField(
        max_length=20, choices=QuizKind.choices, default=QuizKind.MODULE
    )
    module = models.OneToOneField(
        "courses.ModulePage",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="quiz",
        help_text=_("For a module quiz: the module it ends."),
    )
    course = models.ForeignKey(
        "courses.CoursePage",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="post_tests",
        help_text=_("For a post-test: the course it completes."),
    )
    instructions = models.TextField(blank=True)
    question_count = models.PositiveIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    draw_tags = ParentalManyToManyField(
        Tag,
        blank=True,
        related_name="+",
        help_text=_("Draw questions carrying any of these tags."),
    )
    draw_per_tag = models.PositiveIntegerField(
        _("questions per draw tag"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_(
            "A stratified draw: every attempt takes exactly this many questions carrying "
            "each draw tag (for a post-test, one tag per module, so every module is "
            "tested equally), then tops up to the question count from the rest of the "
            "pool. Leave empty to draw the question count at random from all tagged and "
            "hand-picked questions together."
        ),
    )
    questions = ParentalManyToManyField(
        "assessments.Question",
        blank=True,
        related_name="quizzes",
        help_text=_("Hand-picked questions, drawn along with the tagged ones."),
    )
    shuffle_questions = models.BooleanField(default=True)
    shuffle_options = models.BooleanField(default=True)
    is_graded = models.BooleanField(
        default=True,
        help_text=_("An ungraded self-check gives feedback but no pass or fail."),
    )
    pass_mark = models.PositiveIntegerField(
        default=75,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="%",
    )
    attempt_limit = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("Empty for unlimited. Post-tests default to 2."),
    )
    cooldown_minutes = models.PositiveIntegerField(default=0)
    time_limit_minutes = models.PositiveIntegerField(null=True, blank=True)
    feedback_mode = models.CharField(
        max_length=20,
        choices=FeedbackMode.choices,
        # Module quizzes (the default kind) teach straight away without handing out the
        # key: a learner who could read the answers to missed items could pass the
        # retake by copying them.
        default=FeedbackMode.KEY_AFTER_PASS,
        help_text=_(
            "What a learner sees after submitting. 'Feedback now; answers to missed "
            "items after passing' marks each question right or wrong and explains the "
            "chosen option, but shows the correct answer and explanation of a missed "
            "question only once the quiz is passed or the attempts are used up."
        ),
    )
    is_active = models.BooleanField(default=True)

    panels = [
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("is_graded")]),
        FieldRowPanel([FieldPanel("module"), FieldPanel("course")]),
        FieldPanel("instructions"),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [FieldPanel("question_count"), FieldPanel("draw_per_tag")]
                ),
                FieldPanel("draw_tags"),
                FieldPanel("questions"),
                FieldRowPanel(
                    [FieldPanel("shuffle_questions"), FieldPanel("shuffle_options")]
                ),
            ],
            heading=_("Questions"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("pass_mark"), FieldPanel("attempt_limit")]),
                FieldRowPanel(
                    [FieldPanel("cooldown_minutes"), FieldPanel("time_limit_minutes")]
                ),
                FieldPanel("feedback_mode"),
            ],
            heading=_("Rules"),
        ),
        FieldPanel("is_active"),
    ]

    class Meta:
        verbose_name_plural = _("quizzes")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="module", module__isnull=False, course__isnull=True)
                    | models.Q(
                        kind="post_test", course__isnull=False, module__isnull=True
                    )
                ),
                name="quiz_belongs_to_module_or_course",
            ),
            models.UniqueConstraint(
                fields=["course"],
                condition=models.Q(kind="post_test"),
                name="one_post_test_per_course",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.kind == QuizKind.MODULE and (not self.module_id or self.course_id):
            raise ValidationError(_("A module quiz belongs to a module, not a course."))
        if self.kind == QuizKind.POST_TEST and (not self.course_id or self.module_id):
            raise ValidationError(_("A post-test belongs to a course, not a module."))

    def save(self, *args, **kwargs):
        if (
            self.pk is None
            and self.kind == QuizKind.POST_TEST
            and self.attempt_limit is None
        ):
            # CE practice: two post-test attempts, then an administrator may grant more.
            from .. import conf

            self.attempt_limit = conf.post_test_attempt_limit()
        super().save(*args, **kwargs)

    @property
    def planned_question_count(self) -> int:
        """How many questions an attempt shows when the bank is large enough."""
        if not self.draw_per_tag:
            return self.question_count
        stratified = self.draw_per_tag * len(self.draw_tags.all())
        return max(self.question_count, stratified)

    @property
    def owning_course(self):
        # ModulePage.course is kept on the module object: the view and the service ask.
        return self.course if self.kind == QuizKind.POST_TEST else self.module.course
