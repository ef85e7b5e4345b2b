"""Load the shipped question banks and quizzes (YAML beside this file), idempotently.

Every Foundations module gets a module quiz drawing its quiz tag (the module file's
`quiz_tag`, or else its kind). The post-test draws from its own pool, stratified: the
same number of `post_test_<quiz tag>` items for every module. Post-test items never carry a
module's own tag, and module quizzes refuse the `post_test` tag, so a learner meets them
first in the post-test. A question with `active: false` is kept but never drawn; a question
removed from the files is left as it is in the database.
"""

from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from taggit.models import Tag

from courses.curriculum.loader import module_quiz_tags
from courses.models import CoursePage, ModulePage

from ..models import (
    POST_TEST_TAG,
    FeedbackMode,
    Question,
    QuestionOption,
    QuestionTag,
    Quiz,
    QuizKind,
    post_test_tag,
)

QUESTIONS_DIR = Path(__file__).resolve().parent / "questions"

FOUNDATIONS = "foundations-of-kap"
ORIENTATION = "kap-and-infusion-clinics-orientation"
MODULE_QUIZ_QUESTIONS = 8
POST_TEST_PER_MODULE = 3
POST_TEST_ATTEMPTS = 2


def read_question_files(folder: Path = QUESTIONS_DIR) -> list[dict]:
    questions = []
    for path in sorted(folder.glob("*.yaml")):
        questions.extend(yaml.safe_load(path.read_text(encoding="utf-8")))
    return questions


def _option_rows(item: dict) -> list[dict]:
    return [
        {
            "text": option["text"],
            "is_correct": bool(option.get("correct", False)),
            "feedback": option.get("feedback", "") or "",
        }
        for option in item["options"]
    ]


def upsert_question(item: dict) -> str:
    fields = {
        "type": item["type"],
        "scenario": item.get("scenario", "") or "",
        "stem": item["stem"],
        "scoring": item.get("scoring", "all_or_nothing"),
        "explanation": item["explanation"],
        "reference_citation": item["reference"]["citation"],
        "reference_url": item["reference"].get("url", "") or "",
        "reference_grade": item["reference"]["grade"],
        "difficulty": item.get("difficulty", "medium"),
        "is_active": bool(item.get("active", True)),
    }
    options = _option_rows(item)
    question = Question.objects.filter(key=item["key"]).first()
    outcome = "unchanged"
    if question is None:
        question = Question(key=item["key"], **fields)
        outcome = "created"
    elif any(getattr(question, name) != value for name, value in fields.items()):
        for name, value in fields.items():
            setattr(question, name, value)
        outcome = "updated"
    question.validate_options(options)
    question.full_clean(exclude=["tags"])
    if outcome != "unchanged":
        question.save()
    current = [
        {"text": o.text, "is_correct": o.is_correct, "feedback": o.feedback}
        for o in question.options.all()
    ]
    if current != options:
        # Past attempts keep their own snapshot, so replacing options never rewrites history.
        question.options.all().delete()
        QuestionOption.objects.bulk_create(
            QuestionOption(question=question, sort_order=index, **row)
            for index, row in enumerate(options)
        )
        outcome = "updated" if outcome == "unchanged" else outcome
    tags = sorted(set(item.get("tags", [])))
    if sorted(question.tags.names()) != tags:
        question.tags.set(tags)
        question.save()
        outcome = "updated" if outcome == "unchanged" else outcome
    return outcome


def upsert_quiz(lookup: dict, fields: dict, *, tags=(), question_keys=()) -> Quiz:
    quiz = Quiz.objects.filter(**lookup).first() or Quiz(**lookup)
    for name, value in fields.items():
        setattr(quiz, name, value)
    quiz.full_clean()
    quiz.save()
    quiz.draw_tags.set(Tag.objects.filter(name__in=tags))
    quiz.questions.set(Question.objects.filter(key__in=question_keys))
    quiz.save()
    return quiz


def _module_pool(tag: str):
    # Id subqueries, not joins: a cheap plan on PostgreSQL even with stale statistics.
    def carrying(name):
        return QuestionTag.objects.filter(tag__name=name).values("content_object_id")

    return Question.objects.filter(is_active=True, pk__in=carrying(tag)).exclude(
        pk__in=carrying(POST_TEST_TAG)
    )


@transaction.atomic
def load_question_banks() -> str:
    outcomes = {"created": 0, "updated": 0, "unchanged": 0}
    for item in read_question_files():
        try:
            outcomes[upsert_question(item)] += 1
        except ValidationError as error:
            raise ValidationError(f"Question {item.get('key')}: {error}") from error

    quizzes = 0
    foundations = CoursePage.objects.filter(slug=FOUNDATIONS).first()
    if foundations:
        tags = module_quiz_tags(FOUNDATIONS)
        modules = list(ModulePage.objects.child_of(foundations).order_by("path"))
        module_tags = [
            (module, tags.get(module.slug) or module.kind) for module in modules
        ]
        for module, tag in module_tags:
            if not _module_pool(tag).exists():
                continue  # a quiz with no questions would lock the module
            upsert_quiz(
                {"module": module},
                {
                    "title": f"{module.title}: module quiz",
                    "kind": QuizKind.MODULE,
                    "question_count": MODULE_QUIZ_QUESTIONS,
                    "feedback_mode": FeedbackMode.KEY_AFTER_PASS,
                    "instructions": "Questions are drawn at random from this module's bank. "
                    "You can retake the quiz as often as you need; each attempt draws again. "
                    "Each answer is marked right or wrong at once; the correct answers to "
                    "the questions you miss are shown once you pass.",
                },
                tags=[tag],
            )
            quizzes += 1
        from ..certificates.services import evaluation_form_ensure

        evaluation_form_ensure(course=foundations)
        post_test_count = POST_TEST_PER_MODULE * len(module_tags)
        upsert_quiz(
            {"course": foundations, "kind": QuizKind.POST_TEST},
            {
                "title": "Foundations of KAP: final post-test",
                "question_count": post_test_count,
                "draw_per_tag": POST_TEST_PER_MODULE,
                "attempt_limit": POST_TEST_ATTEMPTS,
                "feedback_mode": FeedbackMode.AFTER_FINAL,
                "instructions": f"{post_test_count} questions, {POST_TEST_PER_MODULE} "
                "from each module, drawn from a pool the module quizzes never show. You "
                "have two attempts; detailed feedback appears when you pass or after your "
                "final attempt.",
            },
            tags=[post_test_tag(tag) for _, tag in module_tags],
        )
        quizzes += 1
    orientation = CoursePage.objects.filter(slug=ORIENTATION).first()
    if orientation:
        first_module = ModulePage.objects.child_of(orientation).order_by("path").first()
        if first_module:
            keys = [
                q["key"] for q in read_question_files() if q["key"].startswith("ori-")
            ]
            upsert_quiz(
                {"module": first_module},
                {
                    "title": "Orientation self-check",
                    "kind": QuizKind.MODULE,
                    "is_graded": False,
                    "feedback_mode": FeedbackMode.AFTER_EACH,
                    "question_count": len(keys),
                    "instructions": "An ungraded self-check: answer, then read the feedback.",
                },
                question_keys=keys,
            )
            quizzes += 1
    return (
        f"Questions: {outcomes['created']} created, {outcomes['updated']} updated, "
        f"{outcomes['unchanged']} unchanged. Quizzes: {quizzes}."
    )
