"""Reads: quiz state for a learner, completion, and analytics."""

from django.core.cache import cache
from django.db.models import Count, Max, Q

from courses import learner_state, versions
from courses.memo import on_page
from courses.models import CoursePage, ModulePage
from courses.selectors import completed_module_ids_in, required_modules_for

from .models import (
    POST_TEST_TAG,
    Attempt,
    AttemptGrant,
    AttemptStatus,
    Question,
    QuestionTag,
    Quiz,
    QuizKind,
)

# A page kept in courses.page_cache's route cache carries its quiz under this name, so a
# page routed from the cache asks no query for it. A quiz saved or deleted changes the
# publish generation (assessments.apps), which drops every kept route.
ROUTE_QUIZ = "_route_cache_quiz"


def module_quiz(module) -> Quiz | None:
    if ROUTE_QUIZ in module.__dict__:
        return module.__dict__[ROUTE_QUIZ]
    return Quiz.objects.filter(module=module, is_active=True).first()


def post_test(course) -> Quiz | None:
    """Once per page render: the post-test and the completion check both ask."""
    if ROUTE_QUIZ in course.__dict__:
        return course.__dict__[ROUTE_QUIZ]
    return on_page(
        course,
        "post_test",
        lambda: Quiz.objects.filter(
            course=course, kind=QuizKind.POST_TEST, is_active=True
        ).first(),
    )


def keep_quizzes_with_the_route(page) -> None:
    """Before courses.page_cache keeps a route: each module's quiz and each course's
    post-test along it."""
    node = page
    while node is not None:
        if isinstance(node, ModulePage):
            node.__dict__[ROUTE_QUIZ] = module_quiz(node)
        elif isinstance(node, CoursePage):
            node.__dict__[ROUTE_QUIZ] = post_test(node)
        node = node.__dict__.get("_cached_parent_obj")


def module_quiz_passed(*, user, module) -> bool:
    """The module requirement assessments adds: a graded module quiz, if any, is passed."""
    quiz = Quiz.objects.filter(module=module, is_active=True, is_graded=True).first()
    if quiz is None:
        return True
    return Attempt.objects.filter(user=user, quiz=quiz, passed=True).exists()


def attempts_allowed(user, quiz: Quiz) -> int | None:
    """How many attempts this learner may make in all; None for unlimited."""
    if quiz.attempt_limit is None:
        return None
    return (
        quiz.attempt_limit + AttemptGrant.objects.filter(user=user, quiz=quiz).count()
    )


def _in_course(course, prefix=""):
    """Quizzes of a course: its post-test and its live modules' quizzes."""
    return Q(**{f"{prefix}course_id": course.pk}) | Q(
        **{f"{prefix}module_id__in": [m.pk for m in course.modules]}
    )


def learner_quiz_states(user, course) -> dict:
    """This learner's quizzes in the course, for courses' cached learner state
    (the courses_learner_state hook): counts and scores, never a snapshot."""
    rows = (
        Attempt.objects.filter(_in_course(course, "quiz__"), user=user)
        .order_by()
        .values("quiz_id")
        .annotate(
            attempts=Count("pk"),
            passes=Count("pk", filter=Q(passed=True)),
            best_score=Max("score", filter=Q(status=AttemptStatus.SUBMITTED)),
            open_attempt=Max("pk", filter=Q(status=AttemptStatus.IN_PROGRESS)),
        )
    )
    grants = dict(
        AttemptGrant.objects.filter(_in_course(course, "quiz__"), user=user)
        .order_by()
        .values("quiz_id")
        .annotate(count=Count("pk"))
        .values_list("quiz_id", "count")
    )
    quizzes = {row.pop("quiz_id"): {**row, "grants": 0} for row in rows}
    for quiz_id, count in grants.items():
        quizzes.setdefault(quiz_id, dict(NO_ATTEMPTS))["grants"] = count
    return {"quizzes": quizzes}


NO_ATTEMPTS = {
    "attempts": 0,
    "passes": 0,
    "best_score": None,
    "open_attempt": None,
    "grants": 0,
}


def quiz_summary(user, quiz: Quiz, course) -> dict:
    """quiz_state's answers for panels, from the cached learner state: `attempts` and
    `open_attempt` are a count and an id, not rows."""
    states = learner_state.get(user, course).extras.get("quizzes", {})
    mine = states.get(quiz.pk, NO_ATTEMPTS)
    allowed = (
        None if quiz.attempt_limit is None else quiz.attempt_limit + mine["grants"]
    )
    passed = mine["passes"] > 0
    return {
        "quiz": quiz,
        "attempts": mine["attempts"],
        "open_attempt": mine["open_attempt"],
        "passed": passed,
        "best_score": mine["best_score"],
        "allowed": allowed,
        "remaining": None if allowed is None else max(0, allowed - mine["attempts"]),
        "exhausted": allowed is not None and mine["attempts"] >= allowed and not passed,
    }


def quiz_state(user, quiz: Quiz) -> dict:
    """Every attempt of this learner (for the quiz and result pages), without the JSON
    of their questions and answers."""
    attempts = list(
        Attempt.objects.filter(user=user, quiz=quiz)
        .defer("snapshot", "saved_answers", "answers", "result")
        .order_by("number")
    )
    submitted = [a for a in attempts if a.status == AttemptStatus.SUBMITTED]
    allowed = attempts_allowed(user, quiz)
    passed = any(a.passed for a in submitted)
    return {
        "quiz": quiz,
        "attempts": attempts,
        "open_attempt": next(
            (a for a in attempts if a.status == AttemptStatus.IN_PROGRESS), None
        ),
        "passed": passed,
        "best_score": max((a.score for a in submitted), default=None),
        "allowed": allowed,
        "remaining": None if allowed is None else max(0, allowed - len(attempts)),
        "exhausted": allowed is not None and len(attempts) >= allowed and not passed,
    }


def course_completion(user, course) -> dict:
    """Every module complete and, if the course has one, the post-test passed."""
    return on_page(
        course, ("completion", user.pk), lambda: _course_completion(user, course)
    )


def _course_completion(user, course) -> dict:
    # A learner who completed before a module was added keeps their completion.
    modules = required_modules_for(user, course)
    done = completed_module_ids_in(user, course) & {m.pk for m in modules}
    test = post_test(course)
    if test is None:
        test_passed = True
    elif learner_state.in_write_transaction():  # a service: one question, one query
        test_passed = Attempt.objects.filter(user=user, quiz=test, passed=True).exists()
    else:
        test_passed = quiz_summary(user, test, course)["passed"]
    return {
        "modules_total": len(modules),
        "modules_done": len(done & {m.pk for m in modules}),
        "post_test": test,
        "post_test_passed": test_passed,
        "complete": bool(modules) and len(done) == len(modules) and test_passed,
    }


def quiz_analytics(quiz: Quiz, *, user_ids=None) -> dict:
    """Item analysis of submitted attempts; `user_ids` narrows it (e.g. to one cohort)."""
    from . import analytics

    attempts = Attempt.objects.filter(quiz=quiz, status=AttemptStatus.SUBMITTED)
    if user_ids is not None:
        attempts = attempts.filter(user__in=user_ids)
    rows = attempts.only(
        "score", "passed", "started_at", "submitted_at", "snapshot", "result"
    ).iterator(chunk_size=500)
    attempts = [
        {
            "score": float(row.score or 0),
            "passed": row.passed,
            "seconds": row.duration_seconds,
            "snapshot": row.snapshot,
            "result": row.result,
        }
        for row in rows
    ]
    return analytics.summarise(attempts)


def study_time_items(course, modules):
    """What learners answer in this course, for its computed study time: questions per
    module quiz, in the post-test, and items in the course evaluation."""
    from courses.study_time import AssessmentItems

    from .models import EvaluationForm

    module_quizzes = Quiz.objects.filter(
        module__in=[module.pk for module in modules], is_active=True
    ).prefetch_related("draw_tags")
    test = (
        Quiz.objects.filter(course=course, kind=QuizKind.POST_TEST, is_active=True)
        .prefetch_related("draw_tags")
        .first()
    )
    # A form is created when the first learner evaluates the course; until then its
    # items are not counted (the figure errs low, never high).
    form = EvaluationForm.objects.filter(course=course).first()
    evaluation_items = form.items.count() if form is not None else 0
    return AssessmentItems(
        module_items={
            quiz.module_id: quiz.planned_question_count for quiz in module_quizzes
        },
        course_items=test.planned_question_count if test else 0,
        evaluation_items=evaluation_items,
    )


# --- The question pool and item statistics (trainers' screens) ---------------------------


def question_pool(*, tag_ids, question_ids):
    """Active questions a quiz draws from: hand-picked ones and any carrying its tags."""
    # Id subqueries, not joins: no DISTINCT, and a plan that stays cheap on PostgreSQL
    # even when the table statistics are stale (as in a test transaction).
    tagged = QuestionTag.objects.filter(tag_id__in=list(tag_ids)).values(
        "content_object_id"
    )
    return Question.objects.filter(is_active=True).filter(
        Q(pk__in=list(question_ids)) | Q(pk__in=tagged)
    )


def quiz_pool(quiz: Quiz):
    pool = question_pool(
        tag_ids=[tag.pk for tag in quiz.draw_tags.all()],
        question_ids=[question.pk for question in quiz.questions.all()],
    )
    if quiz.kind == QuizKind.MODULE:
        # Whatever its tags say, a post-test item stays unseen until the post-test.
        pool = pool.exclude(
            pk__in=QuestionTag.objects.filter(tag__name=POST_TEST_TAG).values(
                "content_object_id"
            )
        )
    return pool


# The questions a quiz draws from, with their options and tags, kept in the cache under the
# question bank's version: replaced after commit whenever a question, option, question tag
# or quiz is saved or deleted (assessments.apps), so a corrected key is drawn at once.
BANK_VERSION_KEY = "assessments:bank-version"
POOL_KEY = "assessments:pool:{quiz}:{version}"


def drawable_pool(quiz: Quiz) -> tuple[list[int], list[Question]]:
    """(the quiz's draw tag ids, its pool in id order with options and tags loaded)."""
    key = POOL_KEY.format(quiz=quiz.pk, version=versions.read(BANK_VERSION_KEY))
    pool = cache.get(key)
    if pool is None:
        tags = sorted(quiz.draw_tags.all(), key=lambda tag: tag.name)
        questions = (
            quiz_pool(quiz).order_by("pk").prefetch_related("options", "tagged_items")
        )
        pool = ([tag.pk for tag in tags], list(questions))
        cache.set(key, pool, 24 * 3600)
    return pool


def bank_changed(**kwargs) -> None:
    versions.replace_after_commit(BANK_VERSION_KEY)


def quiz_pool_size(quiz: Quiz) -> int:
    return quiz_pool(quiz).count()


def _submitted_versions(quiz_ids=None) -> dict[int, tuple]:
    """Per quiz: (submitted attempts, newest attempt id, latest submission time), in one
    query. Cached statistics are keyed on it, so they refresh with every submission."""
    rows = Attempt.objects.filter(status=AttemptStatus.SUBMITTED)
    if quiz_ids is not None:
        rows = rows.filter(quiz_id__in=list(quiz_ids))
    return {
        row["quiz_id"]: (row["n"], row["newest"], row["last"].timestamp())
        for row in rows.order_by()
        .values("quiz_id")
        .annotate(n=Count("pk"), newest=Max("pk"), last=Max("submitted_at"))
    }


def quiz_statistics(quiz: Quiz, version: tuple | None = None) -> dict:
    """`quiz_analytics`, cached until the quiz's next submitted attempt."""
    if version is None:
        version = _submitted_versions([quiz.pk]).get(quiz.pk, (0, 0, 0))
    key = "assessments:quiz-stats:" + ":".join(str(v) for v in (quiz.pk, *version))
    stats = cache.get(key)
    if stats is None:
        stats = quiz_analytics(quiz)
        cache.set(key, stats, timeout=24 * 3600)
    return stats


LOW_PERCENT_CORRECT = 30
MIN_ANSWERS_FOR_FLAGS = 5


def item_flags(question: dict) -> list[str]:
    """Why item analysis would have a trainer look at this question, if at all."""
    flags = []
    if question["flagged"]:
        flags.append("negative discrimination")
    if (
        question["shown"] >= MIN_ANSWERS_FOR_FLAGS
        and question["percent_correct"] < LOW_PERCENT_CORRECT
    ):
        flags.append(f"under {LOW_PERCENT_CORRECT}% correct")
    return flags


def question_statistics(quizzes=None) -> dict[int, dict]:
    """Per question, over the quizzes given (default: all with attempts): times shown,
    % correct, the lowest discrimination in any quiz, and item-analysis flags."""
    versions = _submitted_versions(None if quizzes is None else [q.pk for q in quizzes])
    if quizzes is None:
        quizzes = Quiz.objects.filter(pk__in=versions)
    per_question: dict[int, dict] = {}
    for quiz in quizzes:
        if quiz.pk not in versions:
            continue
        for item in quiz_statistics(quiz, versions[quiz.pk])["questions"]:
            entry = per_question.setdefault(
                item["question_id"],
                {
                    "shown": 0,
                    "correct": 0,
                    "discrimination": None,
                    "flags": set(),
                    "quizzes": [],
                },
            )
            entry["shown"] += item["shown"]
            entry["correct"] += item["correct"]
            entry["quizzes"].append(quiz)
            entry["flags"].update(item_flags(item))
            if item["discrimination"] is not None and (
                entry["discrimination"] is None
                or item["discrimination"] < entry["discrimination"]
            ):
                entry["discrimination"] = item["discrimination"]
    for entry in per_question.values():
        entry["percent_correct"] = round(100 * entry["correct"] / entry["shown"], 1)
        entry["flags"] = sorted(entry["flags"])
    return per_question


def with_quiz_usage(questions):
    """Annotate `used_in`: active quizzes that may draw the question (picked by hand or
    through one of its tags), counted in the same query as the list."""
    from django.db.models import F, Func, OuterRef, Subquery

    quizzes = (
        Quiz.objects.filter(is_active=True)
        .filter(
            Q(questions=OuterRef("pk"))
            | Q(draw_tags__assessments_questiontag_items__content_object=OuterRef("pk"))
        )
        .order_by()
        .annotate(
            n=Func(
                F("pk"),
                function="COUNT",
                template="%(function)s(DISTINCT %(expressions)s)",
            )
        )
        .values("n")
    )
    return questions.annotate(used_in=Subquery(quizzes))
