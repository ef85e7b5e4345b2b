"""Quiz pages. Attempts are always looked up with user=request.user: another learner's
attempt id is a 404, never a view of their answers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from courses import learner_state
from courses.access import has_course_access
from courses.selectors import completed_module_ids_in

from . import grading, selectors, services
from .certificates.selectors import learner_course_status
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
    try:
        # A start writes: who may start is read from the database, each fact once.
        with learner_state.fresh():
            quiz = _quiz_for(request, quiz_id)
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
    attempt = services.attempt_tokenise_options(attempt=attempt)
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
    try:
        services.attempt_save_answers(attempt=attempt, answers=answers)
    except services.AttemptClosed as closed:
        # 409, not {"saved": true}: nothing was stored, and the page submits on this.
        return JsonResponse({"saved": False, "message": str(closed)}, status=409)
    return JsonResponse({"saved": True})


NEXT_STEP_LABELS = {
    "post_test_due": "Next: the post-test",
    "evaluation_due": "Next: course evaluation",
}


def _next_step(user, quiz: Quiz) -> dict | None:
    """After a pass there is always somewhere to go: the next module, the post-test, the
    evaluation, then the certificate."""
    course = quiz.owning_course
    if quiz.kind == QuizKind.MODULE:
        done = completed_module_ids_in(user, course)
        following = next((m for m in course.modules if m.pk not in done), None)
        if following is not None:
            return {"label": f"Continue to {following.title}", "url": following.url}
    status = learner_course_status(user, course)
    if status["next"] is None:
        return None
    return {
        "label": NEXT_STEP_LABELS.get(status["key"], status["next"]["label"]),
        "url": status["next"]["url"],
    }


FULL_FEEDBACK = "full"
KEY_HIDDEN = "key_hidden"
NO_FEEDBACK = "none"


def _feedback_level(attempt: Attempt, state: dict) -> str:
    mode = attempt.quiz.feedback_mode
    if mode == FeedbackMode.SCORE_ONLY:
        return NO_FEEDBACK
    if mode == FeedbackMode.AFTER_EACH or state["passed"] or state["exhausted"]:
        return FULL_FEEDBACK
    if mode == FeedbackMode.KEY_AFTER_PASS:
        # An ungraded self-check has no pass to protect: it shows the key at once.
        return KEY_HIDDEN if attempt.quiz.is_graded else FULL_FEEDBACK
    return NO_FEEDBACK


def _option_text(question: dict, option_id: str) -> str:
    return next((o["text"] for o in question["options"] if o["id"] == option_id), "")


def _feedback_entry(number: int, question: dict, item: dict, *, reveal: bool) -> dict:
    """What the result page may show for one question.

    Unless `reveal`, the entry is built without the key: no correctness of any option, no
    correct order and no explanation ever reach the template, only what the learner chose
    and the feedback written for that choice."""
    chosen = set(item["chosen"])
    entry = {
        "id": question["id"],
        "number": number,
        "status": item["status"],
        "revealed": reveal,
        "type": question["type"],
        "scenario": question.get("scenario", ""),
        "stem": question["stem"],
        "reference": question["reference"],
        "chosen_order_texts": [
            _option_text(question, option_id) for option_id in item["chosen"]
        ]
        if question["type"] == "ordering"
        else [],
    }
    if reveal:
        entry["options"] = [
            {
                "text": option["text"],
                "chosen": option["id"] in chosen,
                "is_correct": option["is_correct"],
                "feedback": option["feedback"] if option["id"] in chosen else "",
            }
            for option in question["options"]
        ]
        entry["correct_order_texts"] = [
            _option_text(question, option_id)
            for option_id in question.get("correct_order", [])
        ]
        entry["explanation"] = question["explanation"]
    else:
        entry["options"] = [
            {"text": option["text"], "chosen": True, "feedback": option["feedback"]}
            for option in question["options"]
            if option["id"] in chosen
        ]
        entry["correct_order_texts"] = []
        entry["explanation"] = ""
    return entry


@login_required
@never_cache
def attempt_result(request, attempt_id: int):
    attempt = _own_attempt(request, attempt_id)
    if not attempt.is_submitted:
        return redirect("assessments:attempt", attempt_id=attempt.pk)
    state = selectors.quiz_state(request.user, attempt.quiz)
    level = _feedback_level(attempt, state)
    items = []
    if level != NO_FEEDBACK:
        graded = {item["id"]: item for item in attempt.result["items"]}
        for index, question in enumerate(attempt.snapshot["questions"], start=1):
            item = graded[question["id"]]
            reveal = level == FULL_FEEDBACK or item["status"] == "correct"
            items.append(_feedback_entry(index, question, item, reveal=reveal))
    return render(
        request,
        "assessments/result.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "state": state,
            "show_feedback": level != NO_FEEDBACK,
            "key_hidden": level == KEY_HIDDEN
            and any(not entry["revealed"] for entry in items),
            "items": items,
            "unanswered": sum(
                1 for i in attempt.result["items"] if i["status"] == "unanswered"
            ),
            "back_url": _back_url(attempt.quiz),
            "next_step": _next_step(request.user, attempt.quiz)
            if attempt.passed is not False
            else None,
        },
    )
