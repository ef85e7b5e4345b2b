"""Quiz pages. Attempts are always looked up with user=request.user: another learner's
attempt id is a 404, never a view of their answers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from courses.access import has_course_access

from . import grading, selectors, services
from .models import Attempt, FeedbackMode, Quiz, QuizKind


def _quiz_for(request, quiz_id: int) -> Quiz:
    quiz = get_object_or_404(
        Quiz.objects.select_related("module", "course"), pk=quiz_id
    )
    if not quiz.is_active:
        raise Http404
    course = quiz.owning_course
    if not (course.live and has_course_access(request.user, course)):
        raise Http404("This quiz belongs to a course you are not enrolled in.")
    return quiz


def _own_attempt(request, attempt_id: int) -> Attempt:
    return get_object_or_404(
        Attempt.objects.select_related("quiz", "quiz__module", "quiz__course"),
        pk=attempt_id,
        user=request.user,
    )


def _back_url(quiz: Quiz) -> str:
    return (quiz.module.url if quiz.kind == QuizKind.MODULE else quiz.course.url) or "/"


@login_required
def quiz_detail(request, quiz_id: int):
    quiz = _quiz_for(request, quiz_id)
    return render(
        request,
        "assessments/quiz_detail.html",
        {
            "quiz": quiz,
            "state": selectors.quiz_state(request.user, quiz),
            "back_url": _back_url(quiz),
        },
    )


@login_required
@require_POST
def quiz_start(request, quiz_id: int):
    quiz = _quiz_for(request, quiz_id)
    try:
        attempt = services.attempt_start(user=request.user, quiz=quiz)
    except services.AttemptError as error:
        messages.error(request, str(error))
        return redirect("assessments:quiz", quiz_id=quiz.pk)
    return redirect("assessments:attempt", attempt_id=attempt.pk)


@login_required
@never_cache
def attempt_take(request, attempt_id: int):
    attempt = _own_attempt(request, attempt_id)
    if attempt.is_submitted:
        return redirect("assessments:result", attempt_id=attempt.pk)
    if request.method == "POST":
        answers = grading.parse_answers(attempt.snapshot, request.POST)
        attempt = services.attempt_submit(attempt=attempt, answers=answers)
        return redirect("assessments:result", attempt_id=attempt.pk)
    return render(
        request,
        "assessments/attempt.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "questions": grading.public_view(attempt.snapshot),
            "saved": attempt.saved_answers,
        },
    )


@login_required
@require_POST
def attempt_save(request, attempt_id: int):
    attempt = _own_attempt(request, attempt_id)
    answers = grading.parse_answers(attempt.snapshot, request.POST)
    attempt = services.attempt_save_answers(attempt=attempt, answers=answers)
    return JsonResponse({"saved": not attempt.is_submitted})


def _feedback_visible(attempt: Attempt, state: dict) -> bool:
    mode = attempt.quiz.feedback_mode
    if mode == FeedbackMode.AFTER_EACH:
        return True
    if mode == FeedbackMode.AFTER_FINAL:
        return state["passed"] or state["exhausted"]
    return False


@login_required
@never_cache
def attempt_result(request, attempt_id: int):
    attempt = _own_attempt(request, attempt_id)
    if not attempt.is_submitted:
        return redirect("assessments:attempt", attempt_id=attempt.pk)
    state = selectors.quiz_state(request.user, attempt.quiz)
    show_feedback = _feedback_visible(attempt, state)
    items = []
    if show_feedback:
        graded = {item["id"]: item for item in attempt.result["items"]}
        for index, question in enumerate(attempt.snapshot["questions"], start=1):
            item = graded[question["id"]]
            chosen = set(item["chosen"])
            items.append(
                {
                    "number": index,
                    "question": question,
                    "item": item,
                    "options": [
                        {**option, "chosen": option["id"] in chosen}
                        for option in question["options"]
                    ],
                    "correct_order_texts": [
                        next(
                            o["text"]
                            for o in question["options"]
                            if o["id"] == option_id
                        )
                        for option_id in question.get("correct_order", [])
                    ],
                    "chosen_order_texts": [
                        next(
                            (
                                o["text"]
                                for o in question["options"]
                                if o["id"] == option_id
                            ),
                            "",
                        )
                        for option_id in item["chosen"]
                    ]
                    if question["type"] == "ordering"
                    else [],
                }
            )
    return render(
        request,
        "assessments/result.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "state": state,
            "show_feedback": show_feedback,
            "items": items,
            "unanswered": sum(
                1 for i in attempt.result["items"] if i["status"] == "unanswered"
            ),
            "back_url": _back_url(attempt.quiz),
        },
    )
