"""Trainers' screens in the Wagtail admin: the course outline, the quiz panel in the module
editor, and the admin home panel with their courses and the items to review."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.ui.components import Component

from courses.models import CoursePage, ModulePage

from . import selectors
from .certificates.models import EvaluationForm
from .models import Attempt, AttemptStatus, Question, Quiz, QuizKind


def editable_courses(user) -> list[CoursePage]:
    courses = CoursePage.objects.order_by("path")
    return [c for c in courses if c.permissions_for_user(user).can_edit()]


def page_status(page) -> tuple[str, str]:
    """(code, label) as Wagtail's own status tags say it."""
    if not page.live:
        return "draft", _("Draft")
    if page.has_unpublished_changes:
        return "pending", _("Live, changes pending")
    return "live", _("Live")


def quiz_status(quiz) -> tuple[str, str]:
    return ("live", _("Active")) if quiz.is_active else ("draft", _("Inactive"))


def _with_next(url: str, next_url: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urlencode({'next': next_url})}"


def quiz_row(user, quiz, *, add_params: dict, next_url: str) -> dict:
    if quiz is None:
        return {
            "quiz": None,
            "add_url": _with_next(
                f"{reverse('assessment_quizzes:add')}?{urlencode(add_params)}",
                next_url,
            )
            if user.has_perm("assessments.add_quiz")
            else "",
        }
    matches = selectors.quiz_pool_size(quiz)
    return {
        "quiz": quiz,
        "status": quiz_status(quiz),
        "matches": matches,
        "short": quiz.question_count > matches,
        "edit_url": _with_next(
            reverse("assessment_quizzes:edit", args=[quiz.pk]), next_url
        )
        if user.has_perm("assessments.change_quiz")
        else "",
        "analytics_url": reverse("assessment_quizzes:analytics", args=[quiz.pk]),
    }


def course_outline(request, course_id: int):
    course = get_object_or_404(CoursePage, pk=course_id)
    if not course.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    here = request.get_full_path()
    modules = list(ModulePage.objects.child_of(course).order_by("path"))
    quizzes = {
        quiz.module_id: quiz
        for quiz in Quiz.objects.filter(module__in=modules).prefetch_related(
            "draw_tags", "questions"
        )
    }
    rows = [
        {
            "module": module,
            "module_status": page_status(module),
            "edit_url": reverse("wagtailadmin_pages:edit", args=[module.pk]),
            **quiz_row(
                request.user,
                quizzes.get(module.pk),
                add_params={"module": module.pk},
                next_url=here,
            ),
        }
        for module in modules
    ]
    post_test = Quiz.objects.filter(course=course, kind=QuizKind.POST_TEST).first()
    evaluation = EvaluationForm.objects.filter(course=course).first()
    return TemplateResponse(
        request,
        "assessments/admin/course_outline.html",
        {
            "course": course,
            "course_status": page_status(course),
            "rows": rows,
            "post_test": quiz_row(
                request.user,
                post_test,
                add_params={"course": course.pk},
                next_url=here,
            ),
            "evaluation": evaluation,
            "evaluation_items": evaluation.items.count() if evaluation else 0,
            "learners": course.enrolments.learner_counts(),
            "add_module_url": reverse(
                "wagtailadmin_pages:add", args=["courses", "modulepage", course.pk]
            ),
        },
    )


def course_outlines(request):
    courses = editable_courses(request.user)
    if not courses:
        raise PermissionDenied
    return TemplateResponse(
        request,
        "assessments/admin/course_outlines.html",
        {"courses": [(course, page_status(course)) for course in courses]},
    )


# --- The quiz panel in the module editor ------------------------------------------------


def module_quiz_editor_panel(request, module) -> dict:
    if module.pk is None:
        return {"template": "assessments/admin/module_quiz_panel.html", "unsaved": True}
    here = reverse("wagtailadmin_pages:edit", args=[module.pk])
    quiz = Quiz.objects.filter(module=module).first()
    course = module.get_parent()
    return {
        "template": "assessments/admin/module_quiz_panel.html",
        "outline_url": reverse("course_outline", args=[course.pk]),
        **quiz_row(request.user, quiz, add_params={"module": module.pk}, next_url=here),
    }


# --- The admin home panel ---------------------------------------------------------------


def course_quizzes(course) -> list[Quiz]:
    modules = ModulePage.objects.child_of(course)
    return list(
        Quiz.objects.filter(module__in=modules)
        | Quiz.objects.filter(course=course, kind=QuizKind.POST_TEST)
    )


class TrainerHomePanel(Component):
    name = "trainer_courses"
    template_name = "assessments/admin/home_trainer_panel.html"
    order = 50
    heading = gettext_lazy("Your courses")

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        week_ago = timezone.now() - timedelta(days=7)
        courses, flagged = [], []
        for course in editable_courses(self.user):
            quizzes = course_quizzes(course)
            stats = selectors.question_statistics(quizzes)
            questions = Question.objects.in_bulk(
                [pk for pk, entry in stats.items() if entry["flags"]]
            )
            for pk, question in questions.items():
                flagged.append({"course": course, "question": question, **stats[pk]})
            courses.append(
                {
                    "course": course,
                    "status": page_status(course),
                    "learners": course.enrolments.learner_counts(),
                    "attempts_this_week": Attempt.objects.filter(
                        quiz__in=quizzes,
                        status=AttemptStatus.SUBMITTED,
                        submitted_at__gte=week_ago,
                    ).count(),
                    "outline_url": reverse("course_outline", args=[course.pk]),
                }
            )
        context.update(heading=self.heading, courses=courses, flagged=flagged)
        return context
