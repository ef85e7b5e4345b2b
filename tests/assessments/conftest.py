import pytest

from assessments.models import Question, QuestionOption, Quiz, QuizKind


@pytest.fixture
def make_question(db):
    counter = {"n": 0}

    def make(
        kind="single",
        *,
        tags=("mechanism",),
        correct=1,
        options=4,
        scoring="all_or_nothing",
    ):
        counter["n"] += 1
        question = Question.objects.create(
            key=f"t-{counter['n']:03d}",
            type=kind,
            stem=f"<p>Stem number {counter['n']}</p>",
            scenario="<p>A scenario.</p>" if kind == "case" else "",
            scoring=scoring,
            explanation=f"<p>EXPLANATION-{counter['n']}</p>",
            reference_citation="Test source",
            reference_grade="H",
        )
        count = 2 if kind == "true_false" else options
        for index in range(count):
            QuestionOption.objects.create(
                question=question,
                sort_order=index,
                text=f"Option {counter['n']}.{index}",
                is_correct=(kind != "ordering" and index < correct),
                feedback=f"FEEDBACK-{counter['n']}.{index}",
            )
        question.tags.add(*tags)
        question.save()
        return question

    return make


@pytest.fixture
def module_quiz(course, make_question):
    """A 4-question quiz on the course's first module, from a bank of 6."""
    for _ in range(6):
        make_question(tags=("mechanism",))
    quiz = Quiz.objects.create(
        title="Mechanism quiz",
        kind=QuizKind.MODULE,
        module=course.modules[0],
        question_count=4,
    )
    quiz.draw_tags.set(Question.objects.first().tags.all())
    quiz.save()  # parental many-to-many changes are kept in memory until save
    return quiz


@pytest.fixture
def post_test(course, make_question):
    for _ in range(4):
        make_question(tags=("screening",))
    quiz = Quiz.objects.create(
        title="Post-test", kind=QuizKind.POST_TEST, course=course, question_count=4
    )
    quiz.questions.set(Question.objects.filter(tagged_items__tag__name="screening"))
    quiz.save()
    return quiz


def correct_answers(attempt) -> dict:
    answers = {}
    for question in attempt.snapshot["questions"]:
        correct = [o["id"] for o in question["options"] if o["is_correct"]]
        if question["type"] == "ordering":
            answers[question["id"]] = question["correct_order"]
        elif question["type"] == "multiple":
            answers[question["id"]] = correct
        else:
            answers[question["id"]] = correct[0]
    return answers


def wrong_answers(attempt) -> dict:
    answers = {}
    for question in attempt.snapshot["questions"]:
        wrong = [o["id"] for o in question["options"] if not o["is_correct"]]
        answers[question["id"]] = wrong[0]
    return answers


@pytest.fixture
def completed_learner(enrolled_learner, post_test, course):
    """Every module complete and the post-test passed; only the evaluation is left."""
    from assessments import services
    from courses import services as course_services

    for module in course.modules:
        course_services.progress_record_visit(user=enrolled_learner, module=module)
    attempt = services.attempt_start(user=enrolled_learner, quiz=post_test)
    services.attempt_submit(attempt=attempt, answers=correct_answers(attempt))
    return enrolled_learner


def evaluation_answers(course, *, rating="5") -> list[dict]:
    from assessments.certificates import services as certificate_services

    form = certificate_services.evaluation_form_ensure(course=course)
    return [
        {
            "item_id": item.pk,
            "kind": item.kind,
            "text": item.text,
            "value": rating if item.kind == "likert" else "More careful screening.",
        }
        for item in form.items.all()
    ]


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
