"""Load the shipped question banks and quizzes (YAML beside this file), idempotently."""

from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from taggit.models import Tag

from courses.models import CoursePage, ModulePage

from ..models import Question, QuestionOption, Quiz, QuizKind

QUESTIONS_DIR = Path(__file__).resolve().parent / "questions"

FOUNDATIONS = "foundations-of-kap"
ORIENTATION = "kap-and-infusion-clinics-orientation"
MODULE_QUIZ_QUESTIONS = 8
POST_TEST_QUESTIONS = 20
FOUNDATIONS_KINDS = [
    "mechanism",
    "screening",
    "session_presence",
    "integration",
    "ethics",
]


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
        "is_active": True,
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
        for module in ModulePage.objects.child_of(foundations).order_by("path"):
            if module.kind not in FOUNDATIONS_KINDS:
                continue
            upsert_quiz(
                {"module": module},
                {
                    "title": f"{module.title}: module quiz",
                    "kind": QuizKind.MODULE,
                    "question_count": MODULE_QUIZ_QUESTIONS,
                    "instructions": "Questions are drawn at random from this module's bank. "
                    "You can retake the quiz as often as you need; each attempt draws again.",
                },
                tags=[module.kind],
            )
            quizzes += 1
        from ..services import evaluation_form_ensure

        evaluation_form_ensure(course=foundations)
        upsert_quiz(
            {"course": foundations, "kind": QuizKind.POST_TEST},
            {
                "title": "Foundations of KAP: final post-test",
                "question_count": POST_TEST_QUESTIONS,
                "attempt_limit": 2,
                "feedback_mode": "after_final",
                "instructions": "Twenty questions drawn from every module. You have two "
                "attempts; detailed feedback appears when you pass or after your final attempt.",
            },
            tags=FOUNDATIONS_KINDS,
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
