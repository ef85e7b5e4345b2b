"""Study time computed from content, so the hours a course claims can be checked.

Accreditors and licensing boards check claimed hours against time on task. Each module's
time is computed from what it contains, at rates stated here:

- Reading: the words a learner reads on the module page (summary, objectives and every
  body block except the reference list), at COURSES_READING_WORDS_PER_MINUTE (default
  120: a careful pace for technical clinical text, below the 200-250 of general prose).
  Reference citations are not counted: they are looked up, not studied.
- Media: each video block's stated duration. A video without one counts as zero.
- Activities: a fixed time per interactive block (ACTIVITY_MINUTES below), for the work the
  block asks of the learner beyond reading it.
- Assessment: MINUTES_PER_QUIZ_ITEM for every question a quiz shows (a module's quiz in
  its module, the post-test in the course), and MINUTES_PER_EVALUATION_ITEM for every item
  of the course evaluation.

A course's computed total is the sum of its live modules plus the post-test and the course
evaluation. Quizzes live in another app, which reports its item counts through the
`courses_assessment_items` Wagtail hook (see AssessmentItems), so this module never imports
it.
"""

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.html import strip_tags
from wagtail import hooks

from . import conf
from .hooks import ASSESSMENT_ITEMS

ACTIVITY_MINUTES = {
    # Read the scenario, answer the reflection questions, then the discussion notes.
    "case_vignette": Decimal("10"),
    # Work through each criterion against a client the learner has in mind.
    "screening_checklist": Decimal("5"),
    "session_timeline": Decimal("5"),
    "emdr_map": Decimal("5"),
}
ACTIVITY_NAMES = {
    "case_vignette": "case vignette",
    "screening_checklist": "screening checklist",
    "session_timeline": "session timeline",
    "emdr_map": "EMDR map",
}
MINUTES_PER_QUIZ_ITEM = Decimal("1.5")
MINUTES_PER_EVALUATION_ITEM = Decimal("1")
# A claim more than this fraction above the computed time is flagged.
CLAIM_TOLERANCE = Decimal("0.10")


# Block values that are settings or addresses, not text a learner reads.
NOT_READ = {
    "url",
    "grade",
    "level",
    "kind",
    "category",
    "image",
    "video",
    "alt_text",
    "duration_minutes",
    # The storage format of list items and blocks, not text.
    "type",
    "id",
}
NOT_READ_BLOCKS = {"reference", "video"}  # video: its duration counts instead

ZERO = Decimal("0")


@dataclass
class AssessmentItems:
    """What an assessment app reports for a course: questions shown per module quiz
    (by module id), in the course's post-test, and items in its evaluation."""

    module_items: dict[int, int] = field(default_factory=dict)
    course_items: int = 0
    evaluation_items: int = 0


@dataclass
class StudyTime:
    """Minutes, by kind of work."""

    reading: Decimal = ZERO
    media: Decimal = ZERO
    activities: Decimal = ZERO
    assessment: Decimal = ZERO
    words: int = 0

    @property
    def total(self) -> Decimal:
        return self.reading + self.media + self.activities + self.assessment

    def __add__(self, other: "StudyTime") -> "StudyTime":
        return StudyTime(
            reading=self.reading + other.reading,
            media=self.media + other.media,
            activities=self.activities + other.activities,
            assessment=self.assessment + other.assessment,
            words=self.words + other.words,
        )

    @property
    def total_minutes(self) -> int:
        return int(self.total.quantize(Decimal("1"), rounding=ROUND_HALF_UP))

    def basis(self) -> str:
        """'9.5 h: reading 6 h, activities 2 h, assessment 1.5 h'."""
        parts = [
            f"{name} {format_hours(minutes)}"
            for name, minutes in (
                ("reading", self.reading),
                ("media", self.media),
                ("activities", self.activities),
                ("assessment", self.assessment),
            )
            if minutes
        ]
        return f"{format_hours(self.total)}: {', '.join(parts)}"


@dataclass
class CourseStudyTime:
    modules: list[tuple[object, StudyTime]]
    post_test: StudyTime
    evaluation: StudyTime

    @property
    def total(self) -> StudyTime:
        total = self.post_test + self.evaluation
        for _, module_time in self.modules:
            total = total + module_time
        return total


def format_hours(minutes: Decimal) -> str:
    hours = (Decimal(minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{hours.normalize():f} h"


def words_in(value) -> int:
    if isinstance(value, str):
        return len(strip_tags(re.sub(r"<[^>]+>", " ", value)).split())
    if isinstance(value, dict):
        return sum(words_in(v) for k, v in value.items() if k not in NOT_READ)
    if isinstance(value, list | tuple):
        return sum(words_in(item) for item in value)
    return 0


def _raw_blocks(stream) -> list[dict]:
    if hasattr(stream, "raw_data"):
        return list(stream.raw_data)
    return list(stream or [])


def module_content_time(module) -> StudyTime:
    """Reading, media and activities: everything but the module's quiz."""
    words = words_in(module.summary or "")
    words += sum(
        words_in(b.get("value")) for b in _raw_blocks(module.learning_objectives)
    )
    media = ZERO
    activities = ZERO
    for block in _raw_blocks(module.body):
        kind, value = block.get("type"), block.get("value")
        if kind == "video" and isinstance(value, dict):
            media += Decimal(str(value.get("duration_minutes") or 0))
        if kind not in NOT_READ_BLOCKS:
            words += words_in(value)
        activities += ACTIVITY_MINUTES.get(kind, ZERO)
    reading = Decimal(words) / Decimal(conf.reading_words_per_minute())
    return StudyTime(reading=reading, media=media, activities=activities, words=words)


def assessment_items(course, modules) -> AssessmentItems:
    """The sum of what every `courses_assessment_items` hook reports."""
    total = AssessmentItems()
    for report in hooks.get_hooks(ASSESSMENT_ITEMS):
        items = report(course=course, modules=modules)
        if items is None:
            continue
        for module_id, count in items.module_items.items():
            total.module_items[module_id] = total.module_items.get(module_id, 0) + count
        total.course_items += items.course_items
        total.evaluation_items += items.evaluation_items
    return total


def quiz_time(items: int) -> StudyTime:
    return StudyTime(assessment=MINUTES_PER_QUIZ_ITEM * items)


def module_study_time(module, course=None) -> StudyTime:
    course = course or module.get_parent().specific
    items = assessment_items(course, [module])
    return module_content_time(module) + quiz_time(items.module_items.get(module.pk, 0))


def course_modules_with_bodies(course) -> list:
    # A course's children are its modules; `specific()` loads their bodies without this
    # module importing the page models that use it.
    return list(course.get_children().live().order_by("path").specific())


def course_study_time(course, modules=None) -> CourseStudyTime:
    modules = course_modules_with_bodies(course) if modules is None else modules
    items = assessment_items(course, modules)
    return CourseStudyTime(
        modules=[
            (
                module,
                module_content_time(module)
                + quiz_time(items.module_items.get(module.pk, 0)),
            )
            for module in modules
        ],
        post_test=quiz_time(items.course_items),
        evaluation=StudyTime(
            assessment=MINUTES_PER_EVALUATION_ITEM * items.evaluation_items
        ),
    )


def basis_statement() -> str:
    """The rates, in words, for editors and the course_study_time command."""
    activities = ", ".join(
        f"{format_minutes(minutes)} min per {ACTIVITY_NAMES[name]}"
        for name, minutes in ACTIVITY_MINUTES.items()
    )
    return (
        f"reading at {conf.reading_words_per_minute()} words per minute; each video's "
        f"stated duration; activities: {activities}; "
        f"{format_minutes(MINUTES_PER_QUIZ_ITEM)} min per quiz question; "
        f"{format_minutes(MINUTES_PER_EVALUATION_ITEM)} min per evaluation item."
    )


def format_minutes(minutes: Decimal) -> str:
    return f"{Decimal(minutes).normalize():f}"


def claim_exceeds(claimed_minutes, computed_minutes) -> bool:
    """True when a claim is more than CLAIM_TOLERANCE above the computed time."""
    return Decimal(claimed_minutes) > Decimal(computed_minutes) * (1 + CLAIM_TOLERANCE)


def claimed_course_minutes(course) -> Decimal:
    return Decimal(course.ce_hours) * 60
